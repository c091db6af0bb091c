/*
 * analyze.h - the one text analyzer of sarc, used by the indexer for
 * documents and by the query engine for query words, so that both always
 * spell a term the same way.  Its settings are recorded in the index.
 *
 * Text (UTF-8) becomes a sequence of terms with positions and byte offsets:
 * Unicode case and diacritic folding, Greek letters spelled out, biomedical
 * names kept whole and by parts, possessives folded, stopwords removed
 * (they still consume a position), Snowball English stemming.  Every rule,
 * with examples, is in docs/ANALYSIS.md ("Text analysis").
 *
 * Terms of one token never depend on the text around it beyond the nearest
 * whitespace, so a word analyzed on its own (a query) yields terms its
 * document also has.
 */
#ifndef ANALYZE_H
#define ANALYZE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Bumped whenever the terms produced for any input change; stored in the
 * index and checked when a query opens it. */
#define AN_VERSION 2

/* A word, part or joined form longer than this many bytes (folded, before
 * stemming) is not emitted; a word or part still consumes its position. */
#define AN_MAX_TERM_BYTES 64

struct an_settings {
	int stem;              /* nonzero: Snowball English stemming of terms made
				  only of a-z, 4 bytes or longer */
	const char *stopwords; /* whitespace-separated words, folded like text
				  (entries of 64 bytes or more are ignored);
				  NULL: the default list; "": no stopwords */
};

enum an_kind {
	AN_WORD = 0,   /* an ordinary token */
	AN_PART = 1,   /* a part of a compound ("ews" of "EWS-FLI1") */
	AN_JOINED = 2, /* the compound joined ("ewsfli1"), at its first part's position */
};

/* For a compound ("EWS-FLI1") the terms come as: first part, joined form
 * (same position), then the other parts; positions never decrease from
 * one term to the next within an an_run call. */
struct an_term {
	const char *text; /* folded (and stemmed) term, not NUL-terminated; valid
			     UTF-8, 1..AN_MAX_TERM_BYTES bytes; points into the
			     analyzer's scratch space, valid only during the call */
	size_t len;
	uint32_t pos;     /* position: consecutive words differ by 1 */
	uint32_t start;   /* byte offsets of the source token in the input: */
	uint32_t end;     /* the word or part itself (without a possessive 's),
			     or first part to last part for a joined form;
			     analyzing text[start..end) alone gives this term */
	enum an_kind kind;
};

/* Called for each term; a nonzero return stops an_run, which returns it. */
typedef int (*an_emit_fn)(void *ctx, const struct an_term *t);

typedef struct an_analyzer an_analyzer;

/* Creates an analyzer (one per thread: it holds scratch buffers, a stemmer
 * and, with stemming, a memo of recent stems of about 4 MB whose pages
 * are touched only as used).  s NULL means stemming on and the default
 * stopwords.  NULL on failure with e filled (ERR_NOMEM, or ERR_LIMIT for
 * an absurd stopword list). */
an_analyzer *an_new(const struct an_settings *s, struct err *e);
/* Frees a (NULL is fine). */
void an_free(an_analyzer *a);

/* The default stopword list, whitespace-separated (35 English function
 * words; "no", "not", "or", "as", "all" are deliberately absent). */
const char *an_default_stopwords(void);

/* Analyzes text[0..n) (any bytes: invalid UTF-8 acts as a separator; n
 * below 4 GB since offsets are 32-bit).  Positions start at *pos; on
 * return *pos is one past the last position used (also by a trailing
 * stopword or over-long word).  If nstop is not NULL it receives the number
 * of words and parts dropped as stopwords.  Returns 0, what emit returned
 * (which stops the run at once; *pos then lies somewhere in the text's
 * positions), ERR_NOMEM if the stemmer failed, or ERR_LIMIT if n does not
 * fit in 32 bits.  emit must not be NULL. */
int an_run(an_analyzer *a, const char *text, size_t n, uint32_t *pos, size_t *nstop,
	   an_emit_fn emit, void *ctx);

/* Flags of an_run_flags(). */
#define AN_KEEP_STOPWORDS 1u /* stopwords are terms like other words */
#define AN_NO_STEM 2u        /* no stemming */
/* Author names: PubMed applies neither stopwords nor stemming to them
 * ("An", "To" and the initial "A" are names; "Browning" is not "Brown"). */
#define AN_NAMES (AN_KEEP_STOPWORDS | AN_NO_STEM)

/* an_run with flags: 0 (an_run itself), AN_KEEP_STOPWORDS, which emits
 * the words and parts the stopword list would drop (*nstop is then 0), and
 * AN_NO_STEM, which emits them unstemmed. */
int an_run_flags(an_analyzer *a, const char *text, size_t n, unsigned flags, uint32_t *pos,
		 size_t *nstop, an_emit_fn emit, void *ctx);

/* Folds (case, diacritics, Greek) a query prefix such as "sarcom" without
 * stemming or stopwords, into out (cap bytes, NUL-terminated): the
 * concatenation of the parts of every token, i.e. what the unstemmed
 * joined form starts with ("EWS-FL" -> "ewsfl"; a Greek beta then "-cat"
 * -> "betacat").
 * Returns the length, or 0 if nothing is left or the result does not fit
 * in cap - 1 bytes. */
size_t an_fold_prefix(an_analyzer *a, const char *text, size_t n, char *out, size_t cap);

#endif
