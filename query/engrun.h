/*
 * engrun.h - one run of a query over the segments (a search, a count, a
 * visit), shared by the files that build, rank and count its matches:
 * engrun.c drives it, engbuild.c builds each segment's scorers,
 * engwindow.c and engconj.c rank, engbits.c counts, engtopk.c keeps the
 * best k, engsearch.c starts it.  Internal, like engine.h.
 */
#ifndef ENGRUN_H
#define ENGRUN_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

/* Min-heap of the k best hits: the worst at heap[0]. */
struct heap {
	struct sarc_hit *h;
	size_t n, k;
};

/* The ranking order, (score, then lower PMID): here, so that the heap's
 * compares and the sort of its hits (engsearch.c) inline the same one. */
static inline int better(const struct sarc_hit *a, const struct sarc_hit *b)
{
	if (a->score != b->score)
		return a->score > b->score;
	return a->pmid < b->pmid;
}

struct run {
	sarc_index *ix;
	sarc_query *q;
	const struct sarc_search_opts *o;
	struct sc_env env;
	struct heap hp;
	int exhaustive;
	int no_score; /* the visitor wants matches, not scores (counts, facets) */
	/* every match, for sorts other than relevance and for counting */
	void (*visit)(struct run *r, size_t segno, uint32_t doc, double score);
	/* or, where eng_run_bits has a segment's matches as a bitmap, all at
	 * once: the bitmap (live matches only) becomes the callee's */
	void (*visit_bits)(struct run *r, size_t segno, uint64_t *bits, uint64_t n);
	void *ctx;
	struct err e;
};

/* A condition that a ranked disjunction's matches must meet, or must not,
 * and that adds nothing to their scores: a year range, pmid:, cites:, an
 * exclusion, the query that restricts --similar. */
#define WIN_MAXCONDS 8
struct win_cond {
	struct sc *c;
	int must; /* 1: a match must match c too; 0: it must not */
};

/* A kid of a conjunction that only restricts it: it scores nothing. */
static inline int restricts_only(const struct sc *c)
{
	return c->kind == SC_YEAR || c->kind == SC_DOCS || (c->kind == SC_TERM && c->w == 0);
}

/* A conjunction of word groups, as engconj.c ranks it. */
#define CONJ_MAXGROUPS 64

struct conj {
	struct sc *g[CONJ_MAXGROUPS]; /* the scored groups, in query order */
	uint64_t need;                /* the required ones (bits) */
	size_t ng;
	struct win_cond cond[WIN_MAXCONDS]; /* exclusions, filters, years */
	size_t ncond;
};

/* Runs r's query over every segment, offering each match (eng_offer) to
 * the heap or to r->visit.  0, or r->e's code. */
int eng_run(struct run *r);

/* Builds the scorer tree of r's query (and its filter) for one segment, in
 * a; NULL when nothing in the segment matches, or on an error (in r->e). */
struct sc *eng_build_segment(struct run *r, size_t segno, struct arena *a);

/* A match of segment segno: to r's visitor, or a hit for its heap. */
void eng_offer(struct run *r, size_t segno, uint32_t doc, double score);

/* Offers every match of root in one segment, scored unless r->no_score. */
void eng_run_all(struct run *r, size_t segno, struct sc *root);

/* Every match of root in one segment, without scores, for r's visitor:
 * what eng_run_all does, in the same order, as a bitmap where that pays. */
void eng_run_bits(struct run *r, size_t segno, struct sc *root);

/* About how many documents c matches, at most: what reading them costs. */
uint64_t eng_est_docs(const struct sc *c, unsigned depth);

/* Ranks the disjunction root of one segment by MaxScore, its matches
 * meeting cond[0 .. ncond); grp, need and drive (NULL, 0, NULL for a
 * plain disjunction) as eng_run_conj sets them for a conjunction. */
void eng_run_window(struct run *r, size_t segno, struct sc *root,
		    const struct win_cond *cond, size_t ncond, const uint32_t *grp,
		    uint64_t need, const uint8_t *drive);

/* Lists in cj the groups and conditions of root when it is a conjunction
 * of word groups: 0, or -1 when root is of another shape. */
int eng_conj_parse(struct sc *root, struct conj *cj);

/* Ranks a conjunction parsed into cj (its groups flattened) with
 * eng_run_window: 0, or -1 out of memory. */
int eng_run_conj(struct run *r, size_t segno, struct arena *a, const struct conj *cj);

/* The visitor of sarc_count, which eng_run_bits counts by the word. */
void eng_count_visit(struct run *r, size_t segno, uint32_t doc, double score);

#endif
