/*
 * engbuild.c - the scorer tree of one segment for a parsed query (and the
 * queries that restrict it): a term scorer for each (word, field) the
 * segment holds, weighted by the field and by the word's idf over the
 * whole index (engdict.c), grouped as the query groups them.  A part that
 * matches nothing in the segment is left out (or, when required, leaves
 * the tree empty), so that the runs see only lists that exist.
 */
#include "engrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct build_ctx {
	sarc_index *ix;
	sarc_query *q;
	const struct seg *s;
	size_t segno;
	struct sc_env *env;
	struct arena *a;
	struct err e;
};

static struct sc *new_sc(struct build_ctx *b, enum sc_kind k)
{
	struct sc *c = arena_alloc(b->a, sizeof *c);
	if (c) {
		memset(c, 0, sizeof *c);
		c->kind = k;
		c->s = b->s;
		c->env = b->env;
		c->bub_lo = 1;
		c->bub_hi = 0;
	}
	return c;
}

static struct sc *new_group(struct build_ctx *b, enum sc_kind k, struct sc **kids, size_t n)
{
	struct sc *c = new_sc(b, k);
	if (c == NULL)
		return NULL;
	c->kids = arena_alloc(b->a, sizeof *kids * (n ? n : 1));
	if (c->kids == NULL)
		return NULL;
	memcpy(c->kids, kids, sizeof *kids * n);
	c->nkids = n;
	double ub = 0;
	for (size_t i = 0; i < n; i++) {
		if (k == SC_EXCL || k == SC_FILTER) {
			ub = kids[0]->ub;
			break;
		}
		ub += kids[i]->ub;
	}
	c->ub = ub;
	return c;
}

/* The largest bound of the blocks of pc, a cursor just opened, in field f
 * with weight w.  One of the corners no other corner dominates gives it,
 * up to rounding (BM25 grows with tf and shrinks with length; the bound's
 * pad covers an ulp), unless seg_postings_corners declines (too many
 * corners, or a tf past its table): then each block is asked. */
static double list_bound(struct build_ctx *b, struct seg_postings *pc, unsigned f, double w)
{
	double ub = 0;
	struct seg_corner fr[32], cn[2];
	size_t nfr = seg_postings_corners(pc, fr, sizeof fr / sizeof *fr);
	for (size_t i = 0; i < nfr; i++) {
		cn[0] = cn[1] = fr[i];
		double u = sc_corner_bound(b->env, f, w, cn);
		if (u > ub)
			ub = u;
	}
	uint32_t target = 0, last;
	while (nfr == 0 && seg_postings_block_max(pc, target, &last, cn) != SEG_END) {
		double u = sc_corner_bound(b->env, f, w, cn);
		if (u > ub)
			ub = u;
		if (last == SEG_END - 1)
			break;
		target = last + 1;
	}
	return ub;
}

/* A term scorer on this segment's entry t with weight w. */
static struct sc *term_open(struct build_ctx *b, const struct seg_term *t, double w)
{
	struct sc *c = new_sc(b, SC_TERM);
	struct seg_postings *pc = arena_alloc(b->a, sizeof *pc);
	if (c == NULL || pc == NULL) {
		err_set(&b->e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (seg_postings_open(pc, b->s, t, &b->e) != 0)
		return NULL;
	c->pc = pc;
	c->field = t->key[0];
	c->w = w;
	sc_term_constants(c);
	/* a phrase's terms weigh 0: the phrase has the bound */
	c->ub = w > 0 ? list_bound(b, pc, c->field, w) : 0;
	return c;
}

/* A term scorer for key in this segment with weight w; NULL (and no error)
 * when the segment lacks the term. */
static struct sc *term_sc(struct build_ctx *b, const uint8_t *key, size_t n, double w)
{
	struct seg_term t;
	if (seg_lookup(b->s, key, n, &t, &b->e) <= 0)
		return NULL;
	return term_open(b, &t, w);
}

/* eng_key_lookup() for the segment being built. */
static uint64_t term_lookup(struct build_ctx *b, const uint8_t *key, size_t n,
			    struct seg_term *t, int *found)
{
	return eng_key_lookup(b->ix, b->q, key, n, b->segno, t, found, &b->e);
}

/* A term scorer for key weighted by field f and the term's idf; NULL when
 * this segment lacks the term. */
static struct sc *weighted_term_sc(struct build_ctx *b, unsigned f, const uint8_t *key,
				   size_t n)
{
	struct seg_term t;
	int found;
	double df = (double)term_lookup(b, key, n, &t, &found);
	if (df == 0 || !found)
		return NULL;
	return term_open(b, &t, b->env->weight[f] * sc_idf(b->env->N, df));
}

struct kids {
	struct sc **v;
	size_t n, cap;
};

static int kids_push(struct kids *k, struct sc *c)
{
	if (c == NULL)
		return 0;
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 8;
		struct sc **v = realloc(k->v, sizeof *v * cap);
		if (v == NULL)
			return ERR_NOMEM;
		k->v = v;
		k->cap = cap;
	}
	k->v[k->n++] = c;
	return 0;
}

static struct sc *finish_or(struct build_ctx *b, struct kids *k)
{
	struct sc *r = NULL;
	if (k->n == 1)
		r = k->v[0];
	else if (k->n > 1)
		r = new_group(b, SC_OR, k->v, k->n);
	free(k->v);
	return r;
}

static struct sc *build(struct build_ctx *b, const struct q_node *q);

/* The documents of the index with a given PMID list, in this segment. */
static struct sc *docs_sc(struct build_ctx *b, const uint32_t *pmids, size_t n)
{
	size_t cap = n + 1, nd = 0;
	uint32_t *docs = arena_alloc(b->a, sizeof *docs * cap);
	if (docs == NULL) {
		err_set(&b->e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		/* the deleted copies of a PMID (as many as it had
		 * replacements) would be dropped by the scoring anyway */
		size_t first, k = seg_pmid_ranks(b->s, pmids[i], &first);
		for (size_t j = first; j < first + k; j++) {
			uint32_t d = seg_doc_by_rank(b->s, j);
			if (seg_deleted(b->s, d))
				continue;
			if (nd == cap) {
				uint32_t *more = arena_alloc(b->a, sizeof *docs * cap * 2);
				if (more == NULL) {
					err_set(&b->e, ERR_NOMEM, "out of memory");
					return NULL;
				}
				memcpy(more, docs, sizeof *docs * nd);
				docs = more;
				cap *= 2;
			}
			docs[nd++] = d;
		}
	}
	/* sort ascending (small lists) */
	for (size_t i = 1; i < nd; i++)
		for (size_t j = i; j > 0 && docs[j - 1] > docs[j]; j--) {
			uint32_t t = docs[j];
			docs[j] = docs[j - 1];
			docs[j - 1] = t;
		}
	if (nd == 0)
		return NULL;
	struct sc *c = new_sc(b, SC_DOCS);
	if (c) {
		c->docs = docs;
		c->ndocs = nd;
	}
	return c;
}

/* Leaf for one field of a Q_TERMS / Q_PHRASE / Q_PREFIX node. */
static struct sc *leaf_field(struct build_ctx *b, const struct q_node *q, unsigned f)
{
	uint8_t key[SEG_MAX_KEY];
	if (q->type == Q_TERMS) {
		struct kids k = {0};
		for (size_t i = 0; i < q->nterms; i++) {
			size_t n = eng_key(key, f, q->terms[i].text, q->terms[i].len);
			if (kids_push(&k, weighted_term_sc(b, f, key, n)))
				err_set(&b->e, ERR_NOMEM, "out of memory");
		}
		return finish_or(b, &k);
	}
	if (q->type == Q_PHRASE) {
		struct sc **kids = arena_alloc(b->a, sizeof *kids * q->nterms);
		uint32_t *rel = arena_alloc(b->a, sizeof *rel * q->nterms);
		double idf = 0;
		if (!kids || !rel)
			return NULL;
		for (size_t i = 0; i < q->nterms; i++) {
			size_t n = eng_key(key, f, q->terms[i].text, q->terms[i].len);
			struct seg_term t;
			int found;
			double df = (double)term_lookup(b, key, n, &t, &found);
			if (df == 0 || !found)
				return NULL;
			idf += sc_idf(b->env->N, df);
			if ((kids[i] = term_open(b, &t, 0)) == NULL)
				return NULL;
			rel[i] = q->terms[i].relpos;
		}
		struct sc *c = new_group(b, SC_PHRASE, kids, q->nterms);
		if (c == NULL)
			return NULL;
		c->relpos = rel;
		c->span = rel[q->nterms - 1];
		c->field = f;
		c->w = b->env->weight[f] * idf;
		/* phrase frequency <= the first term's frequency */
		c->ub = list_bound(b, kids[0]->pc, f, c->w);
		return c;
	}
	/* Q_PREFIX */
	const struct pexp *x = q->nterms < 1 ? NULL : eng_prefix_expansion(b->ix, b->q, q, f);
	if (x == NULL) {
		err_set(&b->e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	struct kids k = {0};
	for (size_t i = 0; i < x->n; i++) {
		if (kids_push(&k, weighted_term_sc(b, f, x->keys[i], x->lens[i])))
			err_set(&b->e, ERR_NOMEM, "out of memory");
	}
	/* the prefix's own stem, when it does not start with the prefix
	 * (qparse.h) */
	for (size_t i = 1; i < q->nterms; i++) {
		size_t n = eng_key(key, f, q->terms[i].text, q->terms[i].len);
		if (kids_push(&k, weighted_term_sc(b, f, key, n)))
			err_set(&b->e, ERR_NOMEM, "out of memory");
	}
	return finish_or(b, &k);
}

static struct sc *leaf(struct build_ctx *b, const struct q_node *q)
{
	struct kids k = {0};
	for (unsigned f = 0; f < F_NFIELDS; f++)
		if (q->fields & FIELD_BIT(f))
			if (kids_push(&k, leaf_field(b, q, f)))
				err_set(&b->e, ERR_NOMEM, "out of memory");
	return finish_or(b, &k);
}

/* NEAR: per field, every kid (a word or a phrase) in that field. */
static struct sc *near(struct build_ctx *b, const struct q_node *q)
{
	struct kids byfield = {0};
	for (unsigned f = 0; f < F_NFIELDS; f++) {
		int any = 0;
		for (size_t i = 0; i < q->nkids; i++)
			any |= (q->kids[i]->fields & FIELD_BIT(f)) != 0;
		if (!any)
			continue;
		struct sc **kids = arena_alloc(b->a, sizeof *kids * q->nkids);
		size_t i;
		for (i = 0; kids && i < q->nkids; i++) {
			const struct q_node *k = q->kids[i];
			if ((k->type != Q_TERMS && k->type != Q_PHRASE && k->type != Q_PREFIX) ||
			    !(k->fields & FIELD_BIT(f)))
				break;
			if ((kids[i] = leaf_field(b, k, f)) == NULL)
				break;
		}
		if (!kids || i < q->nkids)
			continue;
		struct sc *c = new_group(b, SC_NEAR, kids, q->nkids);
		if (c)
			c->dist = q->dist;
		if (kids_push(&byfield, c))
			err_set(&b->e, ERR_NOMEM, "out of memory");
	}
	return finish_or(b, &byfield);
}

/* Documents cited by a record: its stored reference list. */
static struct sc *citedby(struct build_ctx *b, uint32_t pmid)
{
	uint32_t *refs;
	size_t n;
	if (sarc_refs_by_pmid(b->ix, pmid, &refs, &n, NULL, 0) != 0)
		return NULL;
	struct sc *c = docs_sc(b, refs, n);
	free(refs);
	return c;
}

static struct sc *boolean_or(struct build_ctx *b, const struct q_node *q)
{
	struct kids req = {0}, opt = {0}, neg = {0};
	for (size_t i = 0; i < q->nkids; i++) {
		const struct q_node *k = q->kids[i];
		struct sc *c = build(b, k);
		if (b->e.code)
			break;
		if (k->prohibited) {
			if (kids_push(&neg, c))
				err_set(&b->e, ERR_NOMEM, "out of memory");
		} else if (k->required) {
			if (c == NULL) {
				/* a required part matches nothing here */
				free(req.v);
				free(opt.v);
				free(neg.v);
				return NULL;
			}
			if (kids_push(&req, c))
				err_set(&b->e, ERR_NOMEM, "out of memory");
		} else if (kids_push(&opt, c)) {
			err_set(&b->e, ERR_NOMEM, "out of memory");
		}
	}
	struct sc *pos;
	size_t nreq = req.n;
	if (nreq > 0) {
		struct sc *r = nreq == 1 ? req.v[0] : new_group(b, SC_AND, req.v, nreq);
		free(req.v);
		if (opt.n > 0) {
			struct kids all = {0};
			kids_push(&all, r);
			for (size_t i = 0; i < opt.n; i++)
				kids_push(&all, opt.v[i]);
			pos = new_group(b, SC_REQOPT, all.v, all.n);
			free(all.v);
		} else {
			pos = r;
		}
		free(opt.v);
	} else {
		free(req.v);
		/* qparse leaves no group of exclusions alone: where none of
		 * the others matches in this segment, the group matches
		 * nothing here (it once matched every document but the
		 * excluded ones) */
		pos = finish_or(b, &opt);
	}
	if (pos && neg.n > 0) {
		struct sc *n = neg.n == 1 ? neg.v[0] : new_group(b, SC_OR, neg.v, neg.n);
		struct sc *two[2] = {pos, n};
		pos = new_group(b, SC_EXCL, two, 2);
	}
	free(neg.v);
	return pos;
}

static struct sc *build(struct build_ctx *b, const struct q_node *q)
{
	if (b->e.code)
		return NULL;
	switch (q->type) {
	case Q_TERMS:
	case Q_PHRASE:
	case Q_PREFIX:
		return leaf(b, q);
	case Q_OR:
		return boolean_or(b, q);
	case Q_AND: {
		/* A prohibited child (`--all 'a b -c'`, `cites:1 -citedby:2`)
		 * excludes what it matches (qparse.h): it is not one more
		 * conjunct, and where it matches nothing it excludes nothing.
		 * qparse guarantees at least one child that is not prohibited. */
		struct kids k = {0}, neg = {0};
		for (size_t i = 0; i < q->nkids; i++) {
			struct sc *c = build(b, q->kids[i]);
			if (q->kids[i]->prohibited) {
				if (kids_push(&neg, c))
					err_set(&b->e, ERR_NOMEM, "out of memory");
				continue;
			}
			if (c == NULL) {
				free(k.v);
				free(neg.v);
				return NULL;
			}
			kids_push(&k, c);
		}
		struct sc *r = k.n == 1 ? k.v[0] : k.n > 1 ? new_group(b, SC_AND, k.v, k.n) : NULL;
		free(k.v);
		if (r && neg.n > 0) {
			struct sc *n = neg.n == 1 ? neg.v[0] : new_group(b, SC_OR, neg.v, neg.n);
			struct sc *two[2] = {r, n};
			r = n ? new_group(b, SC_EXCL, two, 2) : NULL;
		}
		free(neg.v);
		return r;
	}
	case Q_NOT: {
		if (q->nkids < 2)
			return NULL;
		struct sc *p = build(b, q->kids[0]);
		struct sc *n = build(b, q->kids[1]);
		if (p == NULL || n == NULL)
			return p;
		struct sc *two[2] = {p, n};
		return new_group(b, SC_EXCL, two, 2);
	}
	case Q_NEAR:
		return near(b, q);
	case Q_YEAR: {
		struct sc *c = new_sc(b, SC_YEAR);
		if (c) {
			/* year 0 is "unknown" (FORMAT.md §3): never in a
			 * range, even one open below (year:..2010) */
			c->ylo = (uint16_t)(q->lo > 65535 ? 65535 : q->lo < 1 ? 1 : q->lo);
			c->yhi = (uint16_t)(q->hi > 65535 ? 65535 : q->hi);
		}
		return c;
	}
	case Q_PMID: {
		uint32_t p = q->lo;
		return docs_sc(b, &p, 1);
	}
	case Q_CITES: {
		uint8_t key[32];
		char num[16];
		int n = snprintf(num, sizeof num, "%u", q->lo);
		size_t kl = eng_key(key, F_CITES, num, (size_t)n);
		return term_sc(b, key, kl, 0);
	}
	case Q_CITEDBY:
		return citedby(b, q->lo);
	}
	return NULL;
}

struct sc *eng_build_segment(struct run *r, size_t segno, struct arena *a)
{
	struct build_ctx b = {.ix = r->ix, .q = r->q, .s = &r->ix->x.segs[segno],
			      .segno = segno, .env = &r->env, .a = a};
	err_clear(&b.e);
	struct sc *root = build(&b, r->q->root);
	for (const sarc_query *fq = r->q->filter; root && fq; fq = fq->filter) {
		struct sc *f = build(&b, fq->root);
		if (f == NULL) {
			root = NULL;
		} else {
			struct sc *two[2] = {root, f};
			root = new_group(&b, SC_FILTER, two, 2);
		}
	}
	if (b.e.code)
		r->e = b.e;
	return root;
}

