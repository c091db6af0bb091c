/*
 * engsearch.c - the entry points that run a query: sarc_search (the best
 * k by relevance from the heap, or every match sorted by date or by
 * citations), sarc_count and eng_visit (every match, unscored, for a
 * visitor).  Each sets up a run (engrun.h) and leaves the reading to
 * eng_run.
 */
#include "engrun.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_hits(const void *a, const void *b)
{
	const struct sarc_hit *x = a, *y = b;
	return better(x, y) ? -1 : better(y, x) ? 1 : 0;
}

struct allhits {
	struct sarc_hit *v;
	size_t n, cap;
};

static void collect(struct run *r, size_t segno, uint32_t doc, double score)
{
	struct allhits *all = r->ctx;
	if (all->n == all->cap) {
		size_t cap = all->cap ? all->cap * 2 : 1024;
		struct sarc_hit *v = realloc(all->v, sizeof *v * cap);
		if (v == NULL) {
			err_set(&r->e, ERR_NOMEM, "out of memory");
			return;
		}
		all->v = v;
		all->cap = cap;
	}
	const struct seg *s = &r->ix->x.segs[segno];
	all->v[all->n++] = (struct sarc_hit){.pmid = seg_doc_pmid(s, doc),
					     .year = seg_doc_year(s, doc),
					     .score = score,
					     .seg = (uint32_t)segno,
					     .doc = doc};
}

static int cmp_date(const void *a, const void *b)
{
	const struct sarc_hit *x = a, *y = b;
	if (x->year != y->year)
		return x->year > y->year ? -1 : 1;
	return cmp_hits(a, b);
}

static int cmp_cited(const void *a, const void *b)
{
	const struct sarc_hit *x = a, *y = b;
	if (x->cited != y->cited)
		return x->cited > y->cited ? -1 : 1;
	return cmp_hits(a, b);
}

/* Moves v[i] down the heap v[0..n) whose parents sort after their
 * children. */
static void hit_sift(struct sarc_hit *v, size_t n, size_t i,
		     int (*cmp)(const void *, const void *))
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < n && cmp(&v[l], &v[m]) > 0)
			m = l;
		if (l + 1 < n && cmp(&v[l + 1], &v[m]) > 0)
			m = l + 1;
		if (m == i)
			return;
		struct sarc_hit t = v[i];
		v[i] = v[m];
		v[m] = t;
		i = m;
	}
}

/* Sorts the first want of v[0..n) in cmp's order: those that a sort of
 * all of v would put first.  A heap of want hits instead of a sort of all:
 * --sort date or cited, 10 hits of 413,000 matches. */
static void sort_first(struct sarc_hit *v, size_t n, size_t want,
		       int (*cmp)(const void *, const void *))
{
	if (want >= n / 4) {
		qsort(v, n, sizeof *v, cmp);
		return;
	}
	if (want == 0)
		return;
	/* v[0..want) a heap whose root sorts last */
	for (size_t i = want / 2; i-- > 0;)
		hit_sift(v, want, i, cmp);
	for (size_t i = want; i < n; i++)
		if (cmp(&v[i], &v[0]) < 0) {
			v[0] = v[i];
			hit_sift(v, want, 0, cmp);
		}
	qsort(v, want, sizeof *v, cmp);
}

/* The PMIDs printed for hits come from the document table's PMID column;
 * its PMID lookup table holds the same pairs.  A hit whose pair is not in
 * the lookup table means one of them is damaged: a few binary searches per
 * page of hits turn a silently wrong PMID into an error. */
static int check_hits(sarc_index *ix, const struct sarc_hit *h, size_t n, char *err,
		      size_t errcap)
{
	for (size_t i = 0; i < n; i++) {
		const struct seg *s = &ix->x.segs[h[i].seg];
		size_t first, k = seg_pmid_ranks(s, h[i].pmid, &first), j = first;
		while (j < first + k && seg_doc_by_rank(s, j) != h[i].doc)
			j++;
		if (j == first + k) {
			eng_err(err, errcap, "%s.sdoc: PMID %u of document %u is not in its PMID table",
				s->name, h[i].pmid, h[i].doc);
			return ERR_CORRUPT;
		}
	}
	return 0;
}

/* Parameters whose scores stay finite (sarc.h): near DBL_MAX, weights made
 * infinite scores, and inf - inf made pruned and exhaustive rankings
 * differ (found by the review of the windowed ranking).  The negated
 * comparisons refuse NaN too. */
static int params_ok(const struct sarc_params *p)
{
	if (!(p->k1 >= 0 && p->k1 <= 1000) || !(p->b >= 0 && p->b <= 1))
		return 0;
	for (int f = 0; f < SARC_NFIELDS; f++)
		if (!(fabs(p->weight[f]) <= 1000))
			return 0;
	return 1;
}

int sarc_search(sarc_index *ix, sarc_query *q, const struct sarc_search_opts *o,
		struct sarc_hit **hits, size_t *nhits, char *err, size_t errcap)
{
	struct run r;
	*hits = NULL;
	*nhits = 0;
	if (!params_ok(&o->params)) {
		eng_err(err, errcap, "ranking parameters out of range (k1 0..1000, b 0..1, "
				     "weights -1000..1000)");
		return ERR_USAGE;
	}
	memset(&r, 0, sizeof r);
	r.ix = ix;
	r.q = q;
	r.o = o;
	r.exhaustive = o->exhaustive;
	eng_env(ix, &o->params, &r.env);
	*hits = NULL;
	*nhits = 0;
	if (o->sort == SARC_SORT_RELEVANCE) {
		/* No more hits than live documents: a heap that size is enough
		 * whatever k and offset say, and a k of SIZE_MAX for "every
		 * hit" neither wraps k + offset nor overflows the heap's size. */
		uint64_t live = ix->live;
		size_t want = o->k >= live || o->offset >= live - o->k ? (size_t)live
									: o->k + o->offset;
		r.hp.k = want;
		r.hp.h = malloc(sizeof *r.hp.h * (want ? want : 1));
		if (r.hp.h == NULL) {
			eng_err(err, errcap, "out of memory");
			return ERR_NOMEM;
		}
		int rc = eng_run(&r);
		if (rc) {
			free(r.hp.h);
			eng_err(err, errcap, "%s", r.e.msg);
			return rc;
		}
		qsort(r.hp.h, r.hp.n, sizeof *r.hp.h, cmp_hits);
		size_t n = r.hp.n > o->offset ? r.hp.n - o->offset : 0;
		memmove(r.hp.h, r.hp.h + (r.hp.n > o->offset ? o->offset : r.hp.n), n * sizeof *r.hp.h);
		if ((rc = check_hits(ix, r.hp.h, n, err, errcap)) != 0) {
			free(r.hp.h);
			return rc;
		}
		*hits = r.hp.h;
		*nhits = n;
		return 0;
	}
	/* date and citation sorts need every match */
	struct allhits all = {0};
	r.visit = collect;
	r.ctx = &all;
	int rc = eng_run(&r);
	if (rc) {
		free(all.v);
		eng_err(err, errcap, "%s", r.e.msg);
		return rc;
	}
	if (o->sort == SARC_SORT_CITED) {
		if ((rc = eng_cited_counts(ix, all.v, all.n, ENG_CITED_AUTO)) != 0)
			eng_err(err, errcap, "out of memory");
		if (rc || (rc = sarc_check(ix, err, errcap)) != 0) {
			free(all.v);
			return rc;
		}
	}
	size_t n = all.n > o->offset ? all.n - o->offset : 0;
	if (n > o->k)
		n = o->k;
	/* no match leaves all.v NULL, which qsort and memmove must not get
	 * even for 0 elements (UBSan: nonnull argument; found by fuzz_index) */
	if (all.n > 0) {
		sort_first(all.v, all.n, o->offset + n,
			   o->sort == SARC_SORT_DATE ? cmp_date : cmp_cited);
		memmove(all.v, all.v + (all.n > o->offset ? o->offset : all.n), n * sizeof *all.v);
	}
	if ((rc = check_hits(ix, all.v, n, err, errcap)) != 0) {
		free(all.v);
		return rc;
	}
	*hits = all.v;
	*nhits = n;
	return 0;
}

void eng_count_visit(struct run *r, size_t segno, uint32_t doc, double score)
{
	(void)segno;
	(void)doc;
	(void)score;
	(*(uint64_t *)r->ctx)++;
}

/* Runs q over ix unscored and exhaustively, handing every match to visit
 * (and whole bitmaps to visit_bits, when not NULL). */
static int unscored(sarc_index *ix, sarc_query *q,
		    void (*visit)(struct run *, size_t, uint32_t, double),
		    void (*visit_bits)(struct run *, size_t, uint64_t *, uint64_t), void *ctx,
		    char *err, size_t errcap)
{
	struct run r;
	struct sarc_search_opts o;
	sarc_search_opts_default(&o);
	memset(&r, 0, sizeof r);
	r.ix = ix;
	r.q = q;
	r.o = &o;
	r.exhaustive = 1;
	r.no_score = 1;
	eng_env(ix, &o.params, &r.env);
	r.visit = visit;
	r.visit_bits = visit_bits;
	r.ctx = ctx;
	int rc = eng_run(&r);
	if (rc)
		eng_err(err, errcap, "%s", r.e.msg);
	return rc;
}

int sarc_count(sarc_index *ix, sarc_query *q, uint64_t *count, char *err, size_t errcap)
{
	*count = 0;
	return unscored(ix, q, eng_count_visit, NULL, count, err, errcap);
}

struct visit_ctx {
	void (*fn)(void *ctx, sarc_index *ix, size_t segno, uint32_t doc);
	void (*bits_fn)(void *ctx, sarc_index *ix, size_t segno, uint64_t *bits, uint64_t n);
	void *ctx;
};

static void visit_fwd(struct run *r, size_t segno, uint32_t doc, double score)
{
	(void)score;
	struct visit_ctx *v = r->ctx;
	v->fn(v->ctx, r->ix, segno, doc);
}

static void visit_bits_fwd(struct run *r, size_t segno, uint64_t *bits, uint64_t n)
{
	struct visit_ctx *v = r->ctx;
	v->bits_fn(v->ctx, r->ix, segno, bits, n);
}

int eng_visit(sarc_index *ix, sarc_query *q,
	      void (*fn)(void *ctx, sarc_index *ix, size_t segno, uint32_t doc),
	      void (*bits_fn)(void *ctx, sarc_index *ix, size_t segno, uint64_t *bits, uint64_t n),
	      void *ctx, char *err, size_t errcap)
{
	struct visit_ctx v = {fn, bits_fn, ctx};
	return unscored(ix, q, visit_fwd, bits_fn ? visit_bits_fwd : NULL, &v, err, errcap);
}
