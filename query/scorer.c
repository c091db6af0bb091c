/*
 * scorer.c - the matchers and BM25 scorers (see scorer.h).
 *
 * BM25 as in Robertson & Zaragoza, "The Probabilistic Relevance Framework:
 * BM25 and Beyond" (2009), with Lucene's non-negative idf:
 *   idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5))
 *   score  = weight(field) * idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avglen))
 * summed over every (term, field) pair of the query that the document
 * contains.  The upper bound of a posting block uses its largest tf and
 * smallest length: the formula grows with tf and shrinks with len, so the
 * pair bounds every document of the block.
 */
#include "scorer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double sc_idf(double N, double df)
{
	return log(1.0 + (N - df + 0.5) / (df + 0.5));
}

double sc_tfpart(const struct sc_env *env, unsigned field, double tf, double len)
{
	double avg = env->avglen[field];
	double norm = avg > 0 ? 1.0 - env->b + env->b * len / avg : 1.0;
	return tf * (env->k1 + 1.0) / (tf + env->k1 * norm);
}

void sc_term_constants(struct sc *c)
{
	const struct sc_env *env = c->env;
	double avg = env->avglen[c->field];
	c->fa = c->w * (env->k1 + 1.0);
	if (avg > 0) {
		c->fb = env->k1 * (1.0 - env->b);
		c->fc = env->k1 * env->b / avg;
	} else {
		c->fb = env->k1;
		c->fc = 0;
	}
}

double sc_corner_bound(const struct sc_env *env, unsigned field, double w,
		       const struct seg_corner c[2])
{
	double a = sc_tfpart(env, field, c[0].tf, c[0].len);
	double b = sc_tfpart(env, field, c[1].tf, c[1].len);
	/* a hair above the exact value, so rounding never prunes a tie */
	return w * (a > b ? a : b) * (1 + 1e-9);
}

static inline uint32_t term_advance(struct sc *c, uint32_t target)
{
	if (!c->started) {
		c->started = 1;
		c->doc = c->pc->doc;
	}
	return c->doc = seg_postings_advance(c->pc, target);
}

double sc_term_score_tf(const struct sc *c, uint32_t doc, uint32_t tf)
{
	double len = seg_doc_len(c->s, doc, c->field);
	return c->w * sc_tfpart(c->env, c->field, (double)tf, len);
}

static double term_score(struct sc *c)
{
	return sc_term_score_tf(c, c->doc, seg_postings_tf(c->pc));
}

/* Restores the heap order (by doc) of kids[0..n) below i. */
static void kid_sift(struct sc **k, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < n && k[l]->doc < k[m]->doc)
			m = l;
		if (l + 1 < n && k[l + 1]->doc < k[m]->doc)
			m = l + 1;
		if (m == i)
			return;
		struct sc *t = k[i];
		k[i] = k[m];
		k[m] = t;
		i = m;
	}
}

/* or_advance of a disjunction of many kids in a run that scores nothing:
 * its kids as a min-heap by doc, so that a step costs a logarithm of the
 * kids rather than a scan of them all (a prefix expands to thousands of
 * term lists, and counting its matches scanned them for every document).
 * Scores sum the kids in their order, which the heap changes: only for
 * runs without scores. */
static uint32_t or_advance_heap(struct sc *c, uint32_t target)
{
	struct sc **k = c->kids;
	size_t n = c->nkids;
	if (!c->heaped) {
		for (size_t i = 0; i < n; i++)
			if (!(k[i]->started && k[i]->doc >= target))
				sc_advance(k[i], target);
		for (size_t i = n / 2; i-- > 0;)
			kid_sift(k, n, i);
		c->heaped = 1;
	}
	while (k[0]->doc < target) {
		sc_advance(k[0], target);
		kid_sift(k, n, 0);
	}
	return c->doc = k[0]->doc;
}

static uint32_t or_advance(struct sc *c, uint32_t target)
{
	if (c->env->unscored && c->nkids >= 16)
		return or_advance_heap(c, target);
	uint32_t m = SEG_END;
	for (size_t i = 0; i < c->nkids; i++) {
		struct sc *k = c->kids[i];
		uint32_t d = (k->started && k->doc >= target) ? k->doc : sc_advance(k, target);
		if (d < m)
			m = d;
	}
	return c->doc = m;
}

static double or_score(struct sc *c)
{
	double s = 0;
	for (size_t i = 0; i < c->nkids; i++)
		if (c->kids[i]->doc == c->doc)
			s += sc_score(c->kids[i]);
	return s;
}

/* Leapfrog intersection of kids[from..nkids). */
static uint32_t and_advance_kids(struct sc *c, size_t from, uint32_t target)
{
	uint32_t d = target;
	for (;;) {
		int agree = 1;
		for (size_t i = from; i < c->nkids; i++) {
			struct sc *k = c->kids[i];
			uint32_t kd = (k->started && k->doc >= d) ? k->doc
				      : k->kind == SC_TERM ? term_advance(k, d) /* phrases: inlined */
							   : sc_advance(k, d);
			if (kd == SEG_END)
				return SEG_END;
			if (kd > d) {
				d = kd;
				agree = 0;
				break;
			}
		}
		if (agree)
			return d;
	}
}

static double and_score(struct sc *c)
{
	double s = 0;
	for (size_t i = 0; i < c->nkids; i++)
		s += sc_score(c->kids[i]);
	return s;
}

/* Room for n values in scratch buffer i, or NULL when it cannot grow. */
static uint32_t *scratch(const struct sc *c, int i, size_t n)
{
	struct sc_scratch *s = c->env->scratch;
	if (s->cap[i] < n) {
		uint32_t *v = realloc(s->v[i], sizeof *v * n);
		if (v == NULL) {
			s->oom = 1;
			return NULL;
		}
		s->v[i] = v;
		s->cap[i] = n;
	}
	return s->v[i];
}

/* Positions of term scorer k's current posting, in *buf (MAXPOS values)
 * or, when it has more, in scratch buffer i (then *buf points there):
 * their count, or -1 (damaged, or no memory). */
#define MAXPOS 1024
static int positions(const struct sc *c, const struct sc *k, uint32_t **buf, int i)
{
	int n = seg_postings_positions(k->pc, *buf, MAXPOS);
	if (n > MAXPOS) {
		uint32_t *big = scratch(c, i, (size_t)n);
		if (big == NULL)
			return -1;
		*buf = big;
		n = seg_postings_positions(k->pc, big, (uint32_t)n);
	}
	return n;
}

/* Phrase frequency of the current document: start positions p such that
 * kid i has a position p + relpos[i]. */
static uint32_t phrase_freq(struct sc *c)
{
	uint32_t b0[MAXPOS], o0[MAXPOS], *base = b0, *other = o0;
	int nb = positions(c, c->kids[0], &base, SCR_BASE);
	if (nb <= 0)
		return 0;
	uint32_t n = 0;
	for (int j = 0; j < nb; j++)
		base[n++] = base[j] >= c->relpos[0] ? base[j] - c->relpos[0] : UINT32_MAX;
	for (size_t i = 1; i < c->nkids && n > 0; i++) {
		int no = positions(c, c->kids[i], &other, SCR_OTHER);
		if (no <= 0)
			return 0;
		uint32_t m = 0;
		int q = 0;
		for (uint32_t j = 0; j < n; j++) {
			if (base[j] == UINT32_MAX)
				continue;
			uint64_t want = (uint64_t)base[j] + c->relpos[i];
			while (q < no && other[q] < want)
				q++;
			if (q < no && other[q] == want)
				base[m++] = base[j];
		}
		n = m;
	}
	return n;
}

/* The first document from target on where every kid matches and freq
 * finds the kids' positions as it wants them (phrase_freq, near_check);
 * inlined with each, so that the call is direct. */
static inline uint32_t positional_advance(struct sc *c, uint32_t target,
					  uint32_t (*freq)(struct sc *))
{
	uint32_t d = target;
	for (;;) {
		d = and_advance_kids(c, 0, d);
		if (d == SEG_END)
			return c->doc = SEG_END;
		c->doc = d;
		if ((c->freq = freq(c)) > 0)
			return d;
		d++;
	}
}

static uint32_t phrase_advance(struct sc *c, uint32_t target)
{
	return positional_advance(c, target, phrase_freq);
}

static double phrase_score(struct sc *c)
{
	double len = seg_doc_len(c->s, c->doc, c->field);
	return c->w * sc_tfpart(c->env, c->field, c->freq, len);
}

size_t sc_spans(struct sc *c, uint32_t *start, uint32_t *end, size_t cap)
{
	size_t n = 0;
	if (c->kind == SC_TERM) {
		int np = seg_postings_positions(c->pc, start, (uint32_t)cap);
		if (np < 0)
			return 0;
		n = (size_t)np;
		memcpy(end, start, (n < cap ? n : cap) * sizeof *start);
	} else if (c->kind == SC_OR) {
		for (size_t i = 0; i < c->nkids; i++)
			if (c->kids[i]->doc == c->doc)
				n += sc_spans(c->kids[i], start + (n < cap ? n : cap),
					      end + (n < cap ? n : cap), n < cap ? cap - n : 0);
	} else if (c->kind == SC_PHRASE) {
		/* the starts where the whole phrase matches */
		uint32_t b0[MAXPOS], o0[MAXPOS], *base = b0, *other = o0;
		int nb = positions(c, c->kids[0], &base, SCR_BASE);
		for (int j = 0; j < nb; j++) {
			uint32_t p = base[j] - c->relpos[0];
			int ok = 1;
			for (size_t i = 1; i < c->nkids && ok; i++) {
				int no = positions(c, c->kids[i], &other, SCR_OTHER);
				ok = 0;
				for (int q = 0; q < no; q++)
					if (other[q] == p + c->relpos[i])
						ok = 1;
			}
			if (ok) {
				if (n < cap) {
					start[n] = p;
					end[n] = p + c->span;
				}
				n++;
			}
		}
	}
	return n;
}

/* The spans of kid k in *s / *e (cap values each) or, when it has more,
 * in scratch buffers is and ie: their count, 0 when there is no room. */
static size_t spans_of(struct sc *c, struct sc *k, uint32_t **s, uint32_t **e, size_t cap,
		       int is, int ie)
{
	size_t n = sc_spans(k, *s, *e, cap);
	if (n > cap) {
		uint32_t *bs = scratch(c, is, n), *be = scratch(c, ie, n);
		if (bs == NULL || be == NULL)
			return 0;
		*s = bs;
		*e = be;
		n = sc_spans(k, bs, be, n);
	}
	return n;
}

/* NEAR/dist: every consecutive pair of kids has spans at most dist
 * positions apart, that is with fewer than dist words between them
 * (docs/QUERY.md: `"a b"[tiab:~2]`, at most 2 words between, is
 * `a NEAR/3 b`). */
static uint32_t near_check(struct sc *c)
{
	enum { CAP = 256 };
	uint32_t as0[CAP], ae0[CAP], bs0[CAP], be0[CAP];
	uint32_t hits = 0;
	for (size_t i = 0; i + 1 < c->nkids; i++) {
		uint32_t *as = as0, *ae = ae0, *bs = bs0, *be = be0;
		size_t na = spans_of(c, c->kids[i], &as, &ae, CAP, SCR_AS, SCR_AE);
		size_t nb = spans_of(c, c->kids[i + 1], &bs, &be, CAP, SCR_BS, SCR_BE);
		uint32_t pair = 0;
		for (size_t x = 0; x < na; x++)
			for (size_t y = 0; y < nb; y++) {
				int64_t gap = bs[y] > ae[x] ? (int64_t)bs[y] - ae[x] - 1
							     : (int64_t)as[x] - be[y] - 1;
				if (gap < (int64_t)c->dist && !(bs[y] <= ae[x] && as[x] <= be[y]))
					pair++;
			}
		if (pair == 0)
			return 0;
		hits += pair;
	}
	return hits;
}

static uint32_t near_advance(struct sc *c, uint32_t target)
{
	return positional_advance(c, target, near_check);
}

uint32_t sc_advance(struct sc *c, uint32_t target)
{
	if (c->started && c->doc == SEG_END)
		return SEG_END;
	if (c->kind != SC_TERM)
		c->started = 1;
	switch (c->kind) {
	case SC_TERM:
		return term_advance(c, target);
	case SC_OR:
		return or_advance(c, target);
	case SC_AND:
		return c->doc = and_advance_kids(c, 0, target);
	case SC_REQOPT: {
		uint32_t d = sc_advance(c->kids[0], target);
		c->doc = d;
		if (d != SEG_END)
			for (size_t i = 1; i < c->nkids; i++) {
				struct sc *k = c->kids[i];
				if (!k->started || k->doc < d)
					sc_advance(k, d);
			}
		return d;
	}
	case SC_EXCL: {
		uint32_t d = sc_advance(c->kids[0], target);
		while (d != SEG_END) {
			struct sc *n = c->kids[1];
			uint32_t nd = (n->started && n->doc >= d) ? n->doc : sc_advance(n, d);
			if (nd != d)
				break;
			d = sc_advance(c->kids[0], d + 1);
		}
		return c->doc = d;
	}
	case SC_FILTER:
		return c->doc = and_advance_kids(c, 0, target);
	case SC_PHRASE:
		return phrase_advance(c, target);
	case SC_NEAR:
		return near_advance(c, target);
	case SC_DOCS:
		while (c->di < c->ndocs && c->docs[c->di] < target)
			c->di++;
		return c->doc = c->di < c->ndocs ? c->docs[c->di] : SEG_END;
	case SC_YEAR: {
		uint32_t d = target;
		while (d < c->s->ndocs) {
			uint16_t y = seg_doc_year(c->s, d);
			if (y >= c->ylo && y <= c->yhi)
				break;
			d++;
		}
		return c->doc = d < c->s->ndocs ? d : SEG_END;
	}
	}
	return SEG_END;
}

double sc_score(struct sc *c)
{
	switch (c->kind) {
	case SC_TERM:
		return term_score(c);
	case SC_OR:
		return or_score(c);
	case SC_AND:
		return and_score(c);
	case SC_REQOPT:
		return or_score(c);
	case SC_EXCL:
	case SC_FILTER:
		return sc_score(c->kids[0]);
	case SC_PHRASE:
		return phrase_score(c);
	case SC_NEAR:
		return and_score(c);
	default:
		return 0;
	}
}

double sc_block_ub(struct sc *c, uint32_t target, uint32_t *upto)
{
	if (c->kind == SC_TERM) {
		if (target >= c->bub_lo && target <= c->bub_hi) {
			*upto = c->bub_hi;
			return c->bub;
		}
		uint32_t last;
		struct seg_corner cn[2];
		if (seg_postings_block_max(c->pc, target, &last, cn) == SEG_END) {
			*upto = SEG_END;
			c->bub_lo = target;
			c->bub_hi = SEG_END;
			c->bub = 0;
			return 0;
		}
		*upto = last;
		c->bub = sc_corner_bound(c->env, c->field, c->w, cn);
		c->bub_lo = target;
		c->bub_hi = last;
		return c->bub;
	}
	*upto = SEG_END;
	return c->ub;
}
