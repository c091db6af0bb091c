/*
 * sarc.h - the public interface of the sarc query engine: open an index,
 * parse a query, rank with BM25 (with dynamic pruning), read the stored
 * records of hits, and close.  sarc-query is a thin front end to it; C
 * programs can embed it the same way: link libsarc.so or libsarc.a
 * (`pkg-config --cflags --libs sarc`, README); docs/example.c is a complete
 * program.  libsarc.so's soname is libsarc.so.N, N the major number of
 * SARC_VERSION, which a change that breaks programs built against an
 * earlier sarc.h raises.
 *
 * Errors.  Every call that can fail returns 0 on success and a nonzero
 * code on failure: a negative SARC_ERR_* (below), or a positive errno
 * value where the system refused (sarc_open: ENOENT, EACCES, ...).  A call
 * with an err parameter also writes a one-line message there, cut to fit
 * errcap bytes and NUL-terminated; err may be NULL (or errcap 0) for none.
 * The lookups by PMID return 1, with no message, for a PMID the index does
 * not hold; sarc_highlight and sarc_explain have no message to give.
 *
 * Ownership.  What a call hands back through a pointer is the caller's,
 * freed with the function its comment names (sarc_close, sarc_query_free,
 * sarc_facets_free, sarc_doc_free) or, arrays and text, with free().  After
 * a failure there is nothing to free.  A const char * returned belongs to
 * the engine; its comment says for how long it is valid.
 *
 * Handles are opaque.  A query and the hits of its searches belong to the
 * index handle they were made with: use them with it only, while it is
 * open (a hit's pmid, year, score and cited are plain values, valid after).
 * A call given a query made with another handle refuses it with
 * SARC_ERR_USAGE.
 * Nothing here is thread-safe on one handle, but separate handles may be
 * used from separate threads: one sarc_open of the same index per thread.
 */
#ifndef SARC_H
#define SARC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of sarc this header belongs to (sarc-index and sarc-query
 * print the same). */
#define SARC_VERSION "0.1.0"

typedef struct sarc_index sarc_index;
typedef struct sarc_query sarc_query;

/* The negative codes a call may return. */
enum sarc_error {
	SARC_ERR_NOMEM = -1,    /* out of memory */
	SARC_ERR_CORRUPT = -2,  /* damaged index data (checksum or bounds check) */
	SARC_ERR_VERSION = -3,  /* index of another format or analyzer version */
	SARC_ERR_PARSE = -4,    /* a bad query: "query: position N: reason" */
	SARC_ERR_USAGE = -5,    /* an argument out of range (facet, field) */
	SARC_ERR_LIMIT = -7,    /* input past a documented limit (a 4 GiB query) */
	SARC_ERR_NOTFOUND = -9  /* no index in a directory; a hit of no document */
};

/* Field numbers as they appear in explanations and highlights. */
enum sarc_field_id {
	SARC_FIELD_TITLE = 0,
	SARC_FIELD_ABSTRACT = 1,
	SARC_FIELD_MESH = 2,
	SARC_FIELD_MAJR = 3,
	SARC_FIELD_KEYWORD = 4,
	SARC_FIELD_AUTHOR = 5,
	SARC_FIELD_JOURNAL = 6,
	SARC_FIELD_PUBTYPE = 7,
	SARC_FIELD_LANG = 8,
	SARC_FIELD_CITES = 9,
	SARC_NFIELDS = 10
};

/* Name of a field ("title", ...); "?" for a number not above.  Static. */
const char *sarc_field_name(int field);

/* Ranking parameters (README "Ranking").  sarc_search refuses others
 * (SARC_ERR_USAGE) than k1 in [0, 1000], b in [0, 1] and weights in
 * [-1000, 1000]: beyond, scores can reach infinity. */
struct sarc_params {
	double k1;                     /* default 1.2 */
	double b;                      /* default 0.75 */
	double weight[SARC_NFIELDS];   /* per-field weights, see sarc_params_default */
};
void sarc_params_default(struct sarc_params *p);

/* Opens the index in dir (maps its files; reads the manifest only) into
 * *out, for sarc_close to close; sarc_close(NULL) does nothing. */
int sarc_open(const char *dir, sarc_index **out, char *err, size_t errcap);
void sarc_close(sarc_index *ix);
/* Live documents in the index. */
uint64_t sarc_ndocs(const sarc_index *ix);

enum sarc_syntax { SARC_SYNTAX_DEFAULT = 0, SARC_SYNTAX_PUBMED = 1 };

struct sarc_query_opts {
	enum sarc_syntax syntax;
	int all;                       /* plain words are all required */
};

/* Parses text (UTF-8, NUL-terminated) with the index's analyzer into *out,
 * which sarc_query_free frees.  o may be NULL: the default syntax, any
 * word.  A bad query returns SARC_ERR_PARSE with "query: position N:
 * reason" in err. */
int sarc_query_parse(sarc_index *ix, const char *text, const struct sarc_query_opts *o,
		     sarc_query **out, char *err, size_t errcap);
/* Restricts q to documents that also match filter (used by --similar
 * PMID "query"): q keeps its scores, filter only restricts.  Takes
 * ownership of filter, unless it was made with another handle than q
 * (SARC_ERR_USAGE). */
int sarc_query_restrict(sarc_query *q, sarc_query *filter);
/* A readable form of the parsed query, kept in q until the next call or
 * sarc_query_free. */
const char *sarc_query_describe(sarc_query *q);
/* After a search, count or facet: what the user should know about how q
 * was run ("'ca*' matches 5000 words in abstract: the 1024 most frequent
 * are searched"), or NULL; kept in q until sarc_query_free. */
const char *sarc_query_note(const sarc_query *q);
/* Frees q and the filters it took (NULL: nothing). */
void sarc_query_free(sarc_query *q);

/* "More like this": a query made of at most nterms of the most distinctive
 * terms of the record PMID (title, abstract, MeSH; tf-idf weighted;
 * sarc-query takes 25), which excludes the record itself.  Returns 1 (and
 * no query) if PMID is not in the index. */
int sarc_query_similar(sarc_index *ix, uint32_t pmid, size_t nterms, sarc_query **out,
		       char *err, size_t errcap);

enum sarc_sort { SARC_SORT_RELEVANCE = 0, SARC_SORT_DATE = 1, SARC_SORT_CITED = 2 };

struct sarc_search_opts {
	size_t k;                /* hits wanted (0: none; SIZE_MAX: every one) */
	size_t offset;           /* hits skipped before those */
	int exhaustive;          /* score every match (no pruning); same results */
	enum sarc_sort sort;
	struct sarc_params params;
};
void sarc_search_opts_default(struct sarc_search_opts *o);

struct sarc_hit {
	uint32_t pmid;
	uint16_t year;
	double score;
	uint32_t cited;          /* citing documents in the index (SARC_SORT_CITED) */
	uint32_t seg, doc;       /* internal address, for sarc_doc_get/explain */
};

/* Runs q: the top o->k hits after o->offset, ranked by score (ties: lower
 * PMID first), or by the requested sort; fewer, or none, past the last
 * match.  *hits is malloc'd: free() it, whatever *nhits (it may be NULL). */
int sarc_search(sarc_index *ix, sarc_query *q, const struct sarc_search_opts *o,
		struct sarc_hit **hits, size_t *nhits, char *err, size_t errcap);

/* Number of live documents matching q. */
int sarc_count(sarc_index *ix, sarc_query *q, uint64_t *count, char *err, size_t errcap);

/* Facet counts over every document matching q: field is "year", "journal",
 * "mesh" or "pt" (else SARC_ERR_USAGE).  Sorted by count descending (year:
 * by year ascending; documents without a year count under the value "0",
 * which comes first).  *ndocs (unless NULL): the documents matching q, as
 * sarc_count gives.  sarc_facets_free(*out, *n) frees the counts. */
struct sarc_facet {
	char *value;
	uint64_t count;
};
int sarc_facet(sarc_index *ix, sarc_query *q, const char *field, struct sarc_facet **out,
	       size_t *n, uint64_t *ndocs, char *err, size_t errcap);
void sarc_facets_free(struct sarc_facet *f, size_t n);

/* A stored record.  Strings are NUL-terminated UTF-8, "" when absent, and
 * like refs valid until sarc_doc_free(d), which frees them; lists
 * (authors, mesh, keywords, pubtypes, languages) hold one item per line,
 * joined with "\n" (no item holds a newline; "; " may occur in one);
 * a MeSH entry is "Descriptor/Qualifier/..." with "*" marking a major topic;
 * the abstract's sections are separated by "\n". */
struct sarc_doc {
	uint32_t pmid;
	uint32_t version;
	uint16_t year;
	const char *title, *abstract, *authors, *journal, *journal_iso, *mesh, *keywords,
		*pubtypes, *languages, *doi, *pmc;
	const uint32_t *refs;    /* PMIDs this citation references */
	size_t nrefs;
	void *priv_;             /* owned buffers */
};
/* The record of hit h into *d.  On failure d is cleared (SARC_ERR_NOTFOUND:
 * h addresses no document of ix), so sarc_doc_free(d) is safe after any
 * call of this and of sarc_doc_by_pmid. */
int sarc_doc_get(sarc_index *ix, const struct sarc_hit *h, struct sarc_doc *d, char *err,
		 size_t errcap);
/* The live record with this PMID: 0 found, 1 absent, other values errors.
 * h (may be NULL) receives its address.  d may be NULL to learn only
 * whether the PMID is indexed (and, with h, where) without reading the
 * record, which is much cheaper. */
int sarc_doc_by_pmid(sarc_index *ix, uint32_t pmid, struct sarc_doc *d, struct sarc_hit *h,
		     char *err, size_t errcap);
/* Frees what d holds and clears it. */
void sarc_doc_free(struct sarc_doc *d);
/* The reference list of the live record with this PMID, in a malloc'd
 * array (*refs, *nrefs; free it): 0 found, 1 absent, other values
 * errors.  It reads only the start of the record's stored block, where
 * sarc_doc_by_pmid() inflates the block up to the whole record. */
int sarc_refs_by_pmid(sarc_index *ix, uint32_t pmid, uint32_t **refs, size_t *nrefs, char *err,
		      size_t errcap);

/* Byte ranges of text[0..n) (a document's title or abstract, field
 * SARC_FIELD_TITLE or SARC_FIELD_ABSTRACT) whose terms the query matches.
 * *spans is malloc'd (free()), sorted, non-overlapping.  Returns 0,
 * SARC_ERR_USAGE for a field not in enum sarc_field_id, or SARC_ERR_NOMEM. */
struct sarc_span {
	uint32_t start, end;
};
int sarc_highlight(sarc_index *ix, sarc_query *q, int field, const char *text, size_t n,
		   struct sarc_span **spans, size_t *nspans);

/* For one hit: every matching term's BM25 contribution (tf, df, idf, field,
 * length, weight, score), one per line, in *text (malloc'd: free()).
 * Returns 0, SARC_ERR_NOTFOUND if h addresses no document of ix, or
 * SARC_ERR_NOMEM. */
int sarc_explain(sarc_index *ix, sarc_query *q, const struct sarc_hit *h,
		 const struct sarc_search_opts *o, char **text);

/* The live documents in the index that cite PMID.  Damaged index data met
 * here is not reported by this call: sarc_check reports it, and so does
 * every later search, count, facet or record read on ix. */
uint32_t sarc_cited_count(sarc_index *ix, uint32_t pmid);

/* 0, or SARC_ERR_CORRUPT with a message in err if an earlier call on
 * ix met damaged index data that it had no way to report
 * (sarc_cited_count; the engine's internal lookups report through the
 * search that made them). */
int sarc_check(sarc_index *ix, char *err, size_t errcap);

#ifdef __cplusplus
}
#endif

#endif
