/*
 * qparse.h - the sarc query language, parsed into a tree the engine runs.
 *
 * Leaves are already analyzed with the index's analyzer, so a leaf holds
 * exactly the terms the index spells.  The language itself is described for
 * users in docs/QUERY.md (folded into README "Query language").
 *
 * What the engine can rely on in a tree from q_parse:
 *  - required/prohibited are only ever set on a child of Q_AND or Q_OR (or
 *    on nothing: the root never carries them).  A prohibited child excludes
 *    the documents it matches from its parent; a Q_OR with required
 *    children matches the AND of its required children, its other
 *    non-prohibited children only add score.  Every non-prohibited child of
 *    a Q_AND has required = 1.  No Q_AND or Q_OR has only prohibited
 *    children, and none has fewer than two children.
 *  - Q_NOT has exactly two unflagged children: kids[0] minus kids[1].
 *  - Q_NEAR has two or more unflagged children, each a Q_TERMS, Q_PHRASE or
 *    Q_PREFIX leaf, all with the same fields mask.
 *  - Leaves (Q_TERMS, Q_PHRASE, Q_PREFIX) have nterms >= 1 and a nonzero
 *    fields mask; other nodes have fields == 0.  Q_TERMS holds every term
 *    of one word: a compound gives its AN_PART terms and its AN_JOINED term
 *    (same relpos as the first part).  Q_PHRASE holds two or more terms;
 *    for a compound inside a phrase only the parts are kept (they already
 *    pin the positions; the joined term would be one more list to
 *    intersect).  relpos is relative to the leaf's smallest position, so
 *    it starts at 0 and skips where a stopword was.
 *  - Filters (Q_YEAR, Q_PMID, Q_CITES, Q_CITEDBY) are leaves without terms.
 *    Juxtaposed with scored words they are AND-ed with them, not OR-ed:
 *    `sarcoma year:2015` is (and (or ...words) (year 2015 2015)).
 *  - Tree depth is bounded (Q_MAX_DEPTH nesting levels in the query), so
 *    recursive walks are safe.
 */
#ifndef QPARSE_H
#define QPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "analyze.h"
#include "arena.h"
#include "err.h"

enum q_type {
	Q_TERMS = 1, /* a bag of terms from one word (a compound gives parts + joined) */
	Q_PHRASE,    /* "exact phrase": terms at fixed relative positions */
	Q_PREFIX,    /* sarcom*: every dictionary term starting with prefix */
	Q_AND,       /* every child must match */
	Q_OR,        /* at least one child must match (ranked "best match") */
	Q_NOT,       /* kids[0] AND NOT kids[1] (binary: a NOT b) */
	Q_NEAR,      /* kids within `dist` positions of each other (NEAR/n) */
	Q_YEAR,      /* year in [lo, hi]: a filter, not scored */
	Q_PMID,      /* pmid == lo: a filter, not scored */
	Q_CITES,     /* documents whose reference list contains PMID lo */
	Q_CITEDBY,   /* documents cited by PMID lo */
};

struct q_term {
	const char *text; /* analyzed term, NUL-terminated */
	size_t len;
	uint32_t relpos;  /* position relative to the leaf's first term */
};

struct q_node {
	enum q_type type;
	uint32_t fields;  /* FIELD_BIT mask the leaf searches (fields.h) */
	int required;     /* +word, or a child of an AND */
	int prohibited;   /* -word */
	/* Q_TERMS, Q_PHRASE: the analyzed terms; Q_PREFIX: the folded prefix,
	 * then, when the prefix read as a word stems to a term that does not
	 * start with it ("ewing" -> "ewe", "patients" -> "patient"), that
	 * term, matched exactly: the index holds stems */
	struct q_term *terms;
	size_t nterms;
	/* Q_AND, Q_OR, Q_NOT, Q_NEAR */
	struct q_node **kids;
	size_t nkids;
	uint32_t dist;    /* Q_NEAR */
	uint32_t lo, hi;  /* Q_YEAR range (inclusive; an open end is 0 or
			   * UINT32_MAX), Q_PMID/Q_CITES/Q_CITEDBY value in lo */
	uint32_t qpos;    /* byte offset of the node in the query text, for messages */
	int spellings;    /* Q_OR: the spellings of one quoted phrase with compounds,
			   * the first with every compound as its parts */
};

enum q_syntax {
	Q_SYNTAX_DEFAULT = 0, /* NOT > AND > OR, documented in README */
	Q_SYNTAX_PUBMED = 1,  /* AND, OR, NOT strictly left to right, as PubMed */
};

struct q_options {
	enum q_syntax syntax;
	int all;              /* --all: plain words are all required (implicit AND) */
	uint32_t default_fields; /* fields a bare word searches (FIELDS_DEFAULT);
				  * 0 means FIELDS_DEFAULT */
};

/* Limits of the language (docs/QUERY.md). */
#define Q_MAX_DEPTH 100     /* nesting of parentheses, fields and PubMed chains */
#define Q_NEAR_DEFAULT 10   /* distance of a plain NEAR */
#define Q_NEAR_MAX 1000     /* largest n in NEAR/n */
#define Q_MIN_PREFIX 3      /* characters before '*' in a truncation */

/* Parses text[0..n) into a tree allocated in arena a (freed with it).
 * Returns 0 with *out set, or ERR_PARSE with e filled as
 * "query: position N: reason" (unbalanced quote or parenthesis, unknown
 * field, empty query, range the wrong way round, a query made only of
 * stopwords ("query: position N: 'the' is a stopword and matches nothing")).
 * N counts UTF-8 characters from 1.  Also ERR_NOMEM when the arena fails,
 * ERR_USAGE for a NULL analyzer, arena or out, ERR_LIMIT for n > 4 GiB.  text may hold any bytes
 * (NUL, invalid UTF-8); opt may be NULL for the defaults.
 * The analyzer must be the one the index was built with. */
int q_parse(const char *text, size_t n, const struct q_options *opt, an_analyzer *an,
	    struct arena *a, struct q_node **out, struct err *e);

/* Writes a readable S-expression of the tree (for tests and --explain) into
 * buf, always NUL-terminated, cut at cap - 1 bytes.  The notation is stable
 * (tests compare it):
 *   (terms title|abstract "ews" "fli1"@1 "ewsfli1")   relpos shown if > 0
 *   (phrase title "ewing" "sarcoma"@1)   (prefix abstract "sarcom")
 *   (and A B ...)  (or A B ...)  (not A B)  (near/3 A B ...)
 *   (year 2015 2020)  (year 2015 *)  (pmid 123)  (cites 123)  (citedby 123)
 * with "+" or "-" before a required or prohibited node: +(terms ...).
 * Fields are named title abstract mesh majr keyword author journal pt lang
 * cites, joined by '|'.  Term bytes '"' and '\\' are escaped with '\\',
 * other bytes below 0x20 and 0x7f as \xHH.  q == NULL prints "(null)". */
void q_dump(const struct q_node *q, char *buf, size_t cap);

#endif
