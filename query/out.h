/*
 * out.h - sarc-query's printers: every byte sarc-query writes to standard
 * output comes from here, in one of five formats.
 *
 *   human  hits for people: rank, PMID, year, journal, score, title,
 *          authors and a snippet with the matched terms highlighted,
 *          wrapped to a width; whole records (--show); facet tables and the
 *          year histogram
 *   tsv    a header line, then one tab-separated row per hit (--fields)
 *   json   JSON Lines: one object per hit, record, count or facet
 *   trec   "qid Q0 pmid rank score run" for trec_eval
 *   ids    PMIDs, one per line
 *
 * The printers never look at the terminal: main decides colour and width
 * and passes them in struct out_opts, so output to a pipe is a function of
 * the options and the index only.  Numbers use the C locale (%.6f scores).
 */
#ifndef OUT_H
#define OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sarc.h"

enum out_format { OUT_HUMAN, OUT_TSV, OUT_JSON, OUT_TREC, OUT_IDS };

/* Columns --fields can choose for --format tsv. */
enum out_field {
	OF_PMID, OF_RANK, OF_SCORE, OF_YEAR, OF_TITLE, OF_JOURNAL, OF_AUTHORS, OF_DOI, OF_PMC,
	OF_MESH, OF_ABSTRACT, OF_CITED, OF_NFIELDS
};

#define OUT_MAX_FIELDS 32

struct out_opts {
	enum out_format format;
	int color;                 /* human: ANSI colour and bold */
	int width;                 /* human: wrap at this many columns; 0: no wrapping */
	int bar_width;             /* human: columns of the year histogram */
	int utf8;                  /* the locale's charset is UTF-8: draw bars with U+2588 */
	int batch;                 /* tag every line with the query id */
	int explain;               /* print sarc_explain text with each hit */
	int cited;                 /* --sort cited: show citation counts */
	int unscored;              /* human: the hits are not ranked by a score
				    * (--cited-by without a query), so none is
				    * shown; tsv and json keep their column */
	size_t facet_top;          /* --facet -k: values printed; 0: the format's
				    * default (OUT_FACET_TOP, every value in
				    * tsv and json) */
	const char *run;           /* trec run name */
	int rank_score;            /* trec: the hits are in another order than
				    * their scores (--sort, a reference list):
				    * print minus the rank as the score (as for
				    * hits that score 0: filters alone) */
	enum out_field fields[OUT_MAX_FIELDS];
	size_t nfields;
};

/* Sets the defaults: human format, no colour, no wrapping, run "sarc",
 * fields pmid,rank,score,year,journal,title. */
void out_opts_default(struct out_opts *o);

/* Parses a comma-separated --fields list into o.  Returns 0, or ERR_USAGE
 * with "unknown field 'x' (...)" in err. */
int out_fields_parse(struct out_opts *o, const char *list, char *err, size_t errcap);

/* Whether printing a row needs the stored record (sarc_doc_get): not for
 * trec, ids, or tsv columns that come from the hit alone. */
int out_needs_doc(const struct out_opts *o);

/* What the rows under a tsv header hold. */
enum out_table { OUT_TABLE_HITS, OUT_TABLE_COUNT, OUT_TABLE_FACET };

/* The tsv header line ("qid" first in batch mode): the --fields names for
 * hits, "count" for out_count, "value<TAB>count" for out_facet; nothing in
 * other formats. */
void out_tsv_header(const struct out_opts *o, FILE *f, enum out_table what);

/* Human format only: the line before the hits of one query.  text is the
 * query as typed (may be NULL); total is the number of matching documents;
 * shown hits are ranks first..last (last < first: none). */
void out_query_header(const struct out_opts *o, FILE *f, const char *qid, const char *text,
		      uint64_t total, size_t first, size_t last);

/* Human format only: a free line of context ("references of PMID ...",
 * the parsed query under --explain), printed as is. */
void out_note(const struct out_opts *o, FILE *f, const char *qid, const char *line);

/* One result line.  hit is NULL for a row without a score (an unranked
 * reference list); doc is NULL when the PMID is not in the index (a
 * reference flagged "not indexed") or when out_needs_doc said it is not
 * needed.  q (may be NULL) gives the highlights; explain (may be NULL) is
 * sarc_explain's text.  refs: the row belongs to a reference list (json
 * gets an "indexed" key).  Returns 0, or an error with err filled. */
struct out_row {
	const char *qid;           /* batch query id, or NULL */
	size_t rank;               /* 1-based */
	uint32_t pmid;
	const struct sarc_hit *hit;
	const struct sarc_doc *doc;
	const char *explain;
	int refs;
	uint32_t cited;            /* citing documents (OF_CITED, --sort cited) */
};
int out_row(const struct out_opts *o, FILE *f, sarc_index *ix, sarc_query *q,
	    const struct out_row *r, char *err, size_t errcap);

/* A whole stored record (--show): human and json print every field;
 * tsv and ids print a row as out_row does (rank = position, no score).
 * nrefs_indexed: references found in the index; cited: documents citing
 * it. */
int out_record(const struct out_opts *o, FILE *f, size_t pos, const struct sarc_doc *d,
	       size_t nrefs_indexed, uint32_t cited, char *err, size_t errcap);

/* --count: the number alone ("qid<TAB>n" in batch; {"count":n} in json),
 * in tsv under out_tsv_header(o, f, OUT_TABLE_COUNT). */
void out_count(const struct out_opts *o, FILE *f, const char *qid, uint64_t n);

/* --facet: human: a histogram for "year" (one row per year from the first
 * to the last, gaps included), else the top OUT_FACET_TOP values as a
 * "count value" table; tsv: "value<TAB>count" rows (all values); json: one
 * object {"facet":..., "documents":..., "values":[{"value":..,"count":..}]}.
 * o->facet_top, when not 0, is how many values any format prints (the
 * first ones: v is sorted by count); the histogram ignores it.
 * An unknown year is "unknown" in the human and tsv formats, null in json.
 * total is the number of matching documents. */
#define OUT_FACET_TOP 20
void out_facet(const struct out_opts *o, FILE *f, const char *qid, const char *field,
	       const struct sarc_facet *v, size_t n, uint64_t total);

/* Writes s as a JSON string (quotes included): control characters escaped
 * (\n, \r, \t, else \u00XX), valid UTF-8 kept as is, invalid bytes as
 * U+FFFD so the output is always valid JSON. */
void out_json_str(FILE *f, const char *s, size_t n);

/* Writes s as a tsv field: tab, newline, CR and backslash as \t \n \r \\. */
void out_tsv_str(FILE *f, const char *s, size_t n);

#endif
