/*
 * sarc.h - the public interface of the sarc query engine: open an index,
 * parse a query, rank with BM25 (with dynamic pruning), read the stored
 * records of hits, and close.  sarc-query is a thin front end to it; C
 * programs can embed it the same way.
 *
 * Every call that can fail returns 0 on success and a nonzero code on
 * failure, with a one-line message written to err[0..errcap) when err is not
 * NULL.  Handles are opaque; nothing here is thread-safe on one handle, but
 * separate handles may be used from separate threads.
 */
#ifndef SARC_H
#define SARC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sarc_index sarc_index;
typedef struct sarc_query sarc_query;

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

/* Name of a field ("title", ...). */
const char *sarc_field_name(int field);

/* Ranking parameters (README "Ranking"). */
struct sarc_params {
	double k1;                     /* default 1.2 */
	double b;                      /* default 0.75 */
	double weight[SARC_NFIELDS];   /* per-field weights, see sarc_params_default */
};
void sarc_params_default(struct sarc_params *p);

/* Opens the index in dir (maps its files; reads the manifest only). */
int sarc_open(const char *dir, sarc_index **out, char *err, size_t errcap);
void sarc_close(sarc_index *ix);
/* Live documents in the index. */
uint64_t sarc_ndocs(const sarc_index *ix);

enum sarc_syntax { SARC_SYNTAX_DEFAULT = 0, SARC_SYNTAX_PUBMED = 1 };

struct sarc_query_opts {
	enum sarc_syntax syntax;
	int all;                       /* plain words are all required */
};

/* Parses text with the index's analyzer.  A bad query returns nonzero with
 * "query: position N: reason" in err. */
int sarc_query_parse(sarc_index *ix, const char *text, const struct sarc_query_opts *o,
		     sarc_query **out, char *err, size_t errcap);
/* Restricts q to documents that also match filter (used by --similar
 * PMID "query"): q keeps its scores, filter only restricts.  Takes
 * ownership of filter. */
int sarc_query_restrict(sarc_query *q, sarc_query *filter);
/* A readable form of the parsed query. */
const char *sarc_query_describe(sarc_query *q);
/* After a search, count or facet: what the user should know about how q
 * was run ("'ca*' matches 5000 words in abstract: the 1024 most frequent
 * are searched"), or NULL. */
const char *sarc_query_note(const sarc_query *q);
void sarc_query_free(sarc_query *q);

/* "More like this": a query made of the most distinctive terms of the
 * record PMID (title, abstract, MeSH; tf-idf weighted), which excludes the
 * record itself.  Returns 1 (and no query) if PMID is not in the index. */
int sarc_query_similar(sarc_index *ix, uint32_t pmid, size_t nterms, sarc_query **out,
		       char *err, size_t errcap);

enum sarc_sort { SARC_SORT_RELEVANCE = 0, SARC_SORT_DATE = 1, SARC_SORT_CITED = 2 };

struct sarc_search_opts {
	size_t k;                /* hits wanted */
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
 * PMID first), or by the requested sort.  *hits is malloc'd (free()). */
int sarc_search(sarc_index *ix, sarc_query *q, const struct sarc_search_opts *o,
		struct sarc_hit **hits, size_t *nhits, char *err, size_t errcap);

/* Number of live documents matching q. */
int sarc_count(sarc_index *ix, sarc_query *q, uint64_t *count, char *err, size_t errcap);

/* Facet counts over every document matching q: field is "year", "journal",
 * "mesh" or "pt".  Sorted by count descending (year: by year ascending;
 * documents without a year count under the value "0", which comes first).
 * *ndocs (unless NULL): the documents matching q, as sarc_count gives. */
struct sarc_facet {
	char *value;
	uint64_t count;
};
int sarc_facet(sarc_index *ix, sarc_query *q, const char *field, struct sarc_facet **out,
	       size_t *n, uint64_t *ndocs, char *err, size_t errcap);
void sarc_facets_free(struct sarc_facet *f, size_t n);

/* A stored record.  Strings are NUL-terminated UTF-8, "" when absent; lists
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
int sarc_doc_get(sarc_index *ix, const struct sarc_hit *h, struct sarc_doc *d, char *err,
		 size_t errcap);
/* The live record with this PMID: 0 found, 1 absent, other values errors.
 * h (may be NULL) receives its address.  d may be NULL to learn only
 * whether the PMID is indexed (and, with h, where) without reading the
 * record, which is much cheaper. */
int sarc_doc_by_pmid(sarc_index *ix, uint32_t pmid, struct sarc_doc *d, struct sarc_hit *h,
		     char *err, size_t errcap);
void sarc_doc_free(struct sarc_doc *d);
/* The reference list of the live record with this PMID, in a malloc'd
 * array (*refs, *nrefs; free it): 0 found, 1 absent, other values
 * errors.  It reads only the start of the record's stored block, where
 * sarc_doc_by_pmid() inflates the block up to the whole record. */
int sarc_refs_by_pmid(sarc_index *ix, uint32_t pmid, uint32_t **refs, size_t *nrefs, char *err,
		      size_t errcap);

/* Byte ranges of text (a document's title or abstract, field
 * SARC_FIELD_TITLE or SARC_FIELD_ABSTRACT) whose terms the query matches.
 * *spans is malloc'd, sorted, non-overlapping. */
struct sarc_span {
	uint32_t start, end;
};
int sarc_highlight(sarc_index *ix, sarc_query *q, int field, const char *text, size_t n,
		   struct sarc_span **spans, size_t *nspans);

/* For one hit: every matching term's BM25 contribution (tf, df, idf, field,
 * length, weight, score), one per line, in *text (malloc'd). */
int sarc_explain(sarc_index *ix, sarc_query *q, const struct sarc_hit *h,
		 const struct sarc_search_opts *o, char **text);

/* The live documents in the index that cite PMID.  Damaged index data met
 * here is not reported by this call: sarc_check reports it, and so does
 * every later search, count, facet or record read on ix. */
uint32_t sarc_cited_count(sarc_index *ix, uint32_t pmid);

/* 0, or ERR_CORRUPT (negative) with a message in err if an earlier call on
 * ix met damaged index data that it had no way to report
 * (sarc_cited_count; the engine's internal lookups report through the
 * search that made them). */
int sarc_check(sarc_index *ix, char *err, size_t errcap);

#ifdef __cplusplus
}
#endif

#endif
