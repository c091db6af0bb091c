/*
 * engine.c - the query engine behind sarc.h: opening an index, turning a
 * parsed query into scorers per segment, and ranking.
 *
 * Statistics are global: N, document frequencies and average field lengths
 * are summed over all segments (documents deleted or replaced since the
 * last merge still count, as in Lucene, until a merge drops them), so a
 * document scores the same whichever segment holds it.
 *
 * Ranking keeps the best k in a heap ordered by (score, then lower PMID).
 * A ranked disjunction uses MaxScore (Turtle & Flood 1995) with block-max
 * bounds (Ding & Suel 2011): kids are sorted by their upper bounds, those
 * whose bounds together cannot beat the heap's threshold stop generating
 * candidates, and a candidate is dropped as soon as its partial score plus
 * the remaining block bounds falls below the threshold.  Every surviving
 * candidate is scored in full, summing the kids in query order, so scores
 * are bit-identical to exhaustive evaluation and the ranked list is the same.
 * It does this a window of documents at a time and list by list
 * (run_window): terms from their postings, phrases and groups among the
 * kids a document at a time, year ranges, exclusions and other conditions
 * that add no score checked on the candidates.  A conjunction of word
 * groups (--all, +required words) is ranked the same way, as the
 * disjunction of its groups' lists (run_conj).  Other ranked queries
 * (nested conjunctions) score every match (run_all).
 */
#include "engine.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stored.h"

/* sarc.h repeats these numbers for programs, which see neither err.h nor
 * fields.h: they must stay the same. */
#define SAME(a, b) ((int)(a) == (int)(b))
_Static_assert(SAME(SARC_ERR_NOMEM, ERR_NOMEM) && SAME(SARC_ERR_CORRUPT, ERR_CORRUPT) &&
		       SAME(SARC_ERR_VERSION, ERR_FORMAT_VERSION) && SAME(SARC_ERR_PARSE, ERR_PARSE) &&
		       SAME(SARC_ERR_USAGE, ERR_USAGE) && SAME(SARC_ERR_LIMIT, ERR_LIMIT) &&
		       SAME(SARC_ERR_NOTFOUND, ERR_NOTFOUND),
	       "sarc.h's error codes are err.h's");
_Static_assert(SAME(SARC_FIELD_TITLE, F_TITLE) && SAME(SARC_FIELD_ABSTRACT, F_ABSTRACT) &&
		       SAME(SARC_FIELD_MESH, F_MESH) && SAME(SARC_FIELD_MAJR, F_MAJR) &&
		       SAME(SARC_FIELD_KEYWORD, F_KEYWORD) && SAME(SARC_FIELD_AUTHOR, F_AUTHOR) &&
		       SAME(SARC_FIELD_JOURNAL, F_JOURNAL) && SAME(SARC_FIELD_PUBTYPE, F_PUBTYPE) &&
		       SAME(SARC_FIELD_LANG, F_LANG) && SAME(SARC_FIELD_CITES, F_CITES) &&
		       SAME(SARC_NFIELDS, F_NFIELDS),
	       "sarc.h's field numbers are fields.h's");
#undef SAME

const char *sarc_field_name(int f)
{
	return f >= 0 ? field_name((unsigned)f) : "?";
}

void sarc_params_default(struct sarc_params *p)
{
	p->k1 = 1.2;
	p->b = 0.75;
	/* A title word says more about a citation than an abstract word;
	 * MeSH and keywords are curated.  Fields searched only when named
	 * (author, journal, ...) weigh 1. */
	for (int f = 0; f < SARC_NFIELDS; f++)
		p->weight[f] = 1.0;
	p->weight[F_TITLE] = 2.0;
	p->weight[F_MESH] = 1.5;
	p->weight[F_MAJR] = 1.5;
	p->weight[F_KEYWORD] = 1.5;
	p->weight[F_CITES] = 0.0; /* cites: is a filter */
}

void sarc_search_opts_default(struct sarc_search_opts *o)
{
	memset(o, 0, sizeof *o);
	o->k = 10;
	sarc_params_default(&o->params);
}

void eng_err(char *err, size_t cap, const char *fmt, ...)
{
	if (err == NULL || cap == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

int sarc_open(const char *dir, sarc_index **out, char *err, size_t errcap)
{
	struct err e;
	err_clear(&e);
	sarc_index *ix = calloc(1, sizeof *ix);
	if (ix == NULL) {
		eng_err(err, errcap, "out of memory");
		return ERR_NOMEM;
	}
	seg_stored_cur_init(&ix->stored);
	int rc = ix_open(&ix->x, dir, &e);
	if (rc) {
		eng_err(err, errcap, "%s", e.msg);
		free(ix);
		return rc;
	}
	if (ix->x.mf.an_version != AN_VERSION) {
		eng_err(err, errcap, "index '%s' uses analyzer version %u, this sarc has %u: rebuild it",
			dir, ix->x.mf.an_version, AN_VERSION);
		ix_close(&ix->x);
		free(ix);
		return ERR_FORMAT_VERSION;
	}
	struct an_settings as = {.stem = (ix->x.mf.flags & MF_FLAG_STEM) != 0,
				 .stopwords = ix->x.mf.stopwords};
	if ((ix->an = an_new(&as, &e)) == NULL) {
		eng_err(err, errcap, "%s", e.msg);
		ix_close(&ix->x);
		free(ix);
		return ERR_NOMEM;
	}
	uint64_t sum[F_NFIELDS] = {0};
	for (size_t i = 0; i < ix->x.nsegs; i++) {
		const struct seg *s = &ix->x.segs[i];
		ix->N += s->ndocs;
		ix->live += s->ndocs - s->ndeleted;
		for (int f = 0; f < F_NFIELDS; f++)
			sum[f] += s->field_len_sum[f];
	}
	for (int f = 0; f < F_NFIELDS; f++)
		ix->avglen[f] = ix->N ? (double)sum[f] / (double)ix->N : 0;
	*out = ix;
	return 0;
}

void sarc_close(sarc_index *ix)
{
	if (ix == NULL)
		return;
	an_free(ix->an);
	seg_stored_cur_free(&ix->stored);
	ix_close(&ix->x);
	free(ix);
}

uint64_t sarc_ndocs(const sarc_index *ix)
{
	return ix->live;
}

/* ---- queries ---- */

int sarc_query_parse(sarc_index *ix, const char *text, const struct sarc_query_opts *o,
		     sarc_query **out, char *err, size_t errcap)
{
	struct err e;
	err_clear(&e);
	sarc_query *q = calloc(1, sizeof *q);
	if (q == NULL) {
		eng_err(err, errcap, "out of memory");
		return ERR_NOMEM;
	}
	arena_init(&q->a);
	q->ix = ix;
	struct q_options qo = {.syntax = o && o->syntax == SARC_SYNTAX_PUBMED ? Q_SYNTAX_PUBMED
									 : Q_SYNTAX_DEFAULT,
			       .all = o ? o->all : 0,
			       .default_fields = FIELDS_DEFAULT};
	int rc = q_parse(text, strlen(text), &qo, ix->an, &q->a, &q->root, &e);
	if (rc) {
		eng_err(err, errcap, "%s", e.msg);
		sarc_query_free(q);
		return rc;
	}
	*out = q;
	return 0;
}

int sarc_query_restrict(sarc_query *q, sarc_query *filter)
{
	if (filter->ix != q->ix)
		return ERR_USAGE;
	/* a second restriction narrows the first: keep both */
	if (q->filter)
		return sarc_query_restrict(q->filter, filter);
	q->filter = filter;
	return 0;
}

const char *sarc_query_note(const sarc_query *q)
{
	for (; q; q = q->filter)
		if (q->note[0])
			return q->note;
	return NULL;
}

const char *sarc_query_describe(sarc_query *q)
{
	q_dump(q->root, q->desc, sizeof q->desc);
	if (q->filter) {
		size_t n = strlen(q->desc);
		snprintf(q->desc + n, sizeof q->desc - n, " (filter ");
		n = strlen(q->desc);
		q_dump(q->filter->root, q->desc + n, sizeof q->desc - n);
		n = strlen(q->desc);
		snprintf(q->desc + n, sizeof q->desc - n, ")");
	}
	return q->desc;
}

void sarc_query_free(sarc_query *q)
{
	if (q == NULL)
		return;
	sarc_query_free(q->filter);
	free(q->dfc.slot);
	arena_free(&q->a);
	free(q);
}

/* ---- global statistics ---- */

void eng_damage(sarc_index *ix, const struct err *e)
{
	if (ix->damage.code == 0 && e->code != 0)
		ix->damage = *e;
}

/* ---- building scorers for one segment ---- */

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
	/* the list's bound: the largest block bound */
	double ub = 0;
	uint32_t target = 0, last;
	struct seg_corner cn[2];
	while (seg_postings_block_max(pc, target, &last, cn) != SEG_END) {
		double u = sc_corner_bound(b->env, c->field, w, cn);
		if (u > ub)
			ub = u;
		if (last == SEG_END - 1)
			break;
		target = last + 1;
	}
	c->ub = ub;
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
		double ub = 0;
		uint32_t target = 0, last;
		struct seg_corner cn[2];
		while (seg_postings_block_max(kids[0]->pc, target, &last, cn) != SEG_END) {
			double u = sc_corner_bound(b->env, f, c->w, cn);
			if (u > ub)
				ub = u;
			if (last == SEG_END - 1)
				break;
			target = last + 1;
		}
		c->ub = ub;
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

/* ---- top-k ---- */

static int better(const struct sarc_hit *a, const struct sarc_hit *b)
{
	if (a->score != b->score)
		return a->score > b->score;
	return a->pmid < b->pmid;
}

/* Min-heap of the k best hits: the worst at heap[0]. */
struct heap {
	struct sarc_hit *h;
	size_t n, k;
};

static void heap_down(struct heap *hp, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < hp->n && better(&hp->h[m], &hp->h[l]))
			m = l;
		if (r < hp->n && better(&hp->h[m], &hp->h[r]))
			m = r;
		if (m == i)
			return;
		struct sarc_hit t = hp->h[i];
		hp->h[i] = hp->h[m];
		hp->h[m] = t;
		i = m;
	}
}

static void heap_push(struct heap *hp, const struct sarc_hit *x)
{
	if (hp->k == 0)
		return;
	if (hp->n < hp->k) {
		size_t i = hp->n++;
		hp->h[i] = *x;
		while (i > 0) {
			size_t p = (i - 1) / 2;
			if (!better(&hp->h[p], &hp->h[i]))
				break;
			struct sarc_hit t = hp->h[i];
			hp->h[i] = hp->h[p];
			hp->h[p] = t;
			i = p;
		}
		return;
	}
	if (better(x, &hp->h[0])) {
		hp->h[0] = *x;
		heap_down(hp, 0);
	}
}

/* Candidates scoring below this cannot enter (ties may: strict compare).
 * A heap of none (k = 0) has no worst hit to read: nothing enters it. */
static double threshold(const struct heap *hp)
{
	if (hp->k == 0)
		return INFINITY;
	return hp->n < hp->k ? -INFINITY : hp->h[0].score;
}

static int cmp_hits(const void *a, const void *b)
{
	const struct sarc_hit *x = a, *y = b;
	return better(x, y) ? -1 : better(y, x) ? 1 : 0;
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
	/* or, where run_bits has a segment's matches as a bitmap, all at once:
	 * the bitmap (live matches only) becomes the callee's */
	void (*visit_bits)(struct run *r, size_t segno, uint64_t *bits, uint64_t n);
	void *ctx;
	struct err e;
};

static void offer(struct run *r, size_t segno, uint32_t doc, double score)
{
	const struct seg *s = &r->ix->x.segs[segno];
	/* a visitor reads what it needs itself: a count reads nothing */
	if (r->q->has_exclude && seg_doc_pmid(s, doc) == r->q->exclude_pmid)
		return;
	if (r->visit) {
		r->visit(r, segno, doc, score);
		return;
	}
	struct sarc_hit h = {.pmid = seg_doc_pmid(s, doc),
			     .year = seg_doc_year(s, doc),
			     .score = score,
			     .seg = (uint32_t)segno,
			     .doc = doc};
	heap_push(&r->hp, &h);
}

/* Collects every match of root in one segment. */
static void run_all(struct run *r, size_t segno, struct sc *root)
{
	const struct seg *s = &r->ix->x.segs[segno];
	for (uint32_t d = sc_advance(root, 0); d != SEG_END; d = sc_advance(root, d + 1)) {
		if (seg_deleted(s, d))
			continue;
		/* scoring was more than half of a count's time */
		offer(r, segno, d, r->no_score ? 0.0 : sc_score(root));
	}
}

struct kid_rank {
	int drive; /* a driver (see run_window): after the others */
	double ub;
	size_t j;  /* the kid's place in the query */
};

static int cmp_rank(const void *a, const void *b)
{
	const struct kid_rank *x = a, *y = b;
	if (x->drive != y->drive)
		return x->drive < y->drive ? -1 : 1;
	if (x->ub != y->ub)
		return x->ub < y->ub ? -1 : 1;
	return x->j < y->j ? -1 : x->j > y->j;
}

/* One order of the kids of a disjunction for MaxScore: k = the kids by
 * increasing bound (ties in query order), the query kids j with drive[j]
 * set (unless drive is NULL) last; cum[i] = the sum of the bounds of
 * k[0 .. i]; ord[j] = the place in k of the query's kid j, qof its
 * inverse.  Sorting places rather than pointers gives ord without a
 * search, which was quadratic in the kids (a prefix brings thousands). */
struct kid_order {
	struct sc **k;
	double *cum;
	size_t *ord, *qof;
};

static int order_kids(struct sc *root, const uint8_t *drive, struct kid_order *o)
{
	size_t n = root->nkids, m = n ? n : 1;
	o->k = malloc(sizeof *o->k * m);
	o->cum = malloc(sizeof *o->cum * m);
	o->ord = malloc(sizeof *o->ord * m);
	o->qof = malloc(sizeof *o->qof * m);
	struct kid_rank *rk = malloc(sizeof *rk * m);
	if (!o->k || !o->cum || !o->ord || !o->qof || !rk) {
		free(rk);
		return -1;
	}
	for (size_t j = 0; j < n; j++)
		rk[j] = (struct kid_rank){drive && drive[j], root->kids[j]->ub, j};
	qsort(rk, n, sizeof *rk, cmp_rank);
	double acc = 0;
	for (size_t i = 0; i < n; i++) {
		o->k[i] = root->kids[rk[i].j];
		o->ord[rk[i].j] = i;
		o->qof[i] = rk[i].j;
		acc += o->k[i]->ub;
		o->cum[i] = acc;
	}
	free(rk);
	return 0;
}

static void order_free(struct kid_order *o)
{
	free(o->k);
	free(o->cum);
	free(o->ord);
	free(o->qof);
}

/* About how many documents c matches, at most: what reading them costs. */
static uint64_t est_docs(const struct sc *c, unsigned depth)
{
	uint64_t n = c->s->ndocs;
	if (depth > 4 * Q_MAX_DEPTH + 64)
		return n;
	switch (c->kind) {
	case SC_TERM:
		return c->pc->df;
	case SC_OR: {
		uint64_t sum = 0;
		for (size_t i = 0; i < c->nkids; i++)
			sum += est_docs(c->kids[i], depth + 1);
		return sum < n ? sum : n;
	}
	case SC_AND:
	case SC_PHRASE:
	case SC_NEAR:
		for (size_t i = 0; i < c->nkids; i++) {
			uint64_t m = est_docs(c->kids[i], depth + 1);
			if (m < n)
				n = m;
		}
		return n;
	case SC_REQOPT:
	case SC_EXCL:
	case SC_FILTER:
		return est_docs(c->kids[0], depth + 1);
	case SC_DOCS:
		return c->ndocs;
	default:
		return n;
	}
}

/* ---- unscored runs (counts, facets) by bitmap ---- */

static void count_visit(struct run *r, size_t segno, uint32_t doc, double score);
static int bits_pay(const struct sc *c, uint32_t nd);
static int both_bits(struct sc *c, uint64_t *bits, uint32_t nd, unsigned depth, unsigned held);

/* Sets in bits (one per document of the segment, nd of them) the
 * documents of the rest of term cursor p, a block at a time.  A document
 * past the segment's end marks the cursor damaged. */
static void term_bits(struct seg_postings *p, uint64_t *bits, uint32_t nd)
{
	for (int more = p->doc != SEG_END; more; more = seg_postings_next_block(p)) {
		/* a block's documents increase (decode_block): its last bounds
		 * them all, and the loop has no branch but its own */
		if (p->n == 0 || p->docs[p->n - 1] >= nd) {
			p->corrupt = 1;
			return;
		}
#pragma GCC unroll 8
		for (uint32_t i = p->i; i < p->n; i++)
			bits[p->docs[i] >> 6] |= (uint64_t)1 << (p->docs[i] & 63);
	}
}

/* Conjunctions nested deeper hold this many bitmaps at once at most (two
 * per level, each a bit per document of the segment); deeper ones are
 * walked. */
#define BITS_HELD_MAX 8

/* Sets in bits the documents c matches (c not yet advanced).  A union
 * reads its lists whole, each on its own, where the cursor of a
 * disjunction would merge them posting by posting through a heap; any
 * other scorer is walked as run_all walks it.  held: bitmaps held by the
 * callers. */
static void match_bits(struct sc *c, uint64_t *bits, uint32_t nd, unsigned depth, unsigned held)
{
	if (c->kind == SC_TERM) {
		term_bits(c->pc, bits, nd);
		c->doc = SEG_END;
		return;
	}
	if ((c->kind == SC_OR || c->kind == SC_REQOPT) && depth < 4 * Q_MAX_DEPTH + 64) {
		/* the optional kids of SC_REQOPT add score, not matches */
		size_t n = c->kind == SC_OR ? c->nkids : 1;
		for (size_t i = 0; i < n; i++)
			match_bits(c->kids[i], bits, nd, depth + 1, held);
		c->doc = SEG_END;
		return;
	}
	if ((c->kind == SC_AND || c->kind == SC_EXCL || c->kind == SC_FILTER) &&
	    depth < 4 * Q_MAX_DEPTH + 64 && held + 2 <= BITS_HELD_MAX && bits_pay(c, nd) &&
	    both_bits(c, bits, nd, depth, held))
		return;
	for (uint32_t d = sc_advance(c, 0); d != SEG_END && d < nd; d = sc_advance(c, d + 1))
		bits[d >> 6] |= (uint64_t)1 << (d & 63);
}

/* Whether the kids of conjunction c that must each be read whole (all of
 * SC_AND's and SC_FILTER's, the first of SC_EXCL's: the excluded one only
 * takes documents out) match enough documents that reading them whole
 * costs no more than stepping through them from the rarest. */
static int bits_pay(const struct sc *c, uint32_t nd)
{
	size_t n = c->kind == SC_EXCL ? 1 : c->nkids;
	for (size_t i = 0; i < n; i++)
		if (est_docs(c->kids[i], 0) < nd / 64)
			return 0;
	return 1;
}

/* Sets in bits the documents conjunction c matches, from a bitmap of
 * each kid's.  0 (and nothing done) when the two bitmaps could not be
 * allocated. */
static int both_bits(struct sc *c, uint64_t *bits, uint32_t nd, unsigned depth, unsigned held)
{
	size_t nw = ((size_t)nd + 63) / 64;
	uint64_t *t = calloc(nw ? nw : 1, sizeof *t), *u = malloc(sizeof *u * (nw ? nw : 1));
	if (t == NULL || u == NULL) {
		free(t);
		free(u);
		return 0;
	}
	match_bits(c->kids[0], t, nd, depth + 1, held + 2);
	for (size_t k = 1; k < (c->kind == SC_EXCL ? 2 : c->nkids); k++) {
		memset(u, 0, sizeof *u * nw);
		match_bits(c->kids[k], u, nd, depth + 1, held + 2);
		if (c->kind == SC_EXCL)
			for (size_t i = 0; i < nw; i++)
				t[i] &= ~u[i];
		else
			for (size_t i = 0; i < nw; i++)
				t[i] &= u[i];
	}
	for (size_t i = 0; i < nw; i++)
		bits[i] |= t[i];
	free(t);
	free(u);
	c->doc = SEG_END;
	return 1;
}

/* The live-document word i of segment s: bit j set when document
 * 64 i + j is not deleted (the deletion bitmap is bytes, bit 0 first). */
static uint64_t live_word(const struct seg *s, size_t i)
{
	if (!s->delbits)
		return ~(uint64_t)0;
	uint64_t w = 0;
	size_t nb = ((size_t)s->ndocs + 7) / 8, at = i * 8;
	for (size_t k = 0; k < 8 && at + k < nb; k++)
		w |= (uint64_t)s->delbits[at + k] << (8 * k);
	return ~w;
}

/* Every match of root in one segment, without scores, for a visitor:
 * what run_all() does, in the same order.  A match bitmap pays a pass over
 * the segment's documents, so it is for queries that match a good part
 * of them (sarc-query's count of `patients` at 10^6 citations: the heap
 * of a disjunction of seven lists took most of the time); the others are
 * walked. */
static void run_bits(struct run *r, size_t segno, struct sc *root)
{
	const struct seg *s = &r->ix->x.segs[segno];
	uint32_t nd = s->ndocs;
	size_t nw = ((size_t)nd + 63) / 64;
	uint64_t *bits = est_docs(root, 0) < nd / 64 ? NULL : calloc(nw ? nw : 1, sizeof *bits);
	if (bits == NULL) { /* few matches, or no memory: walked */
		run_all(r, segno, root);
		return;
	}
	match_bits(root, bits, nd, 0, 1);
	/* an excluded PMID is found by reading each match's PMID (offer) */
	int whole = !r->q->has_exclude;
	int count = r->visit == count_visit && whole;
	uint64_t n = 0;
	if (r->visit_bits && whole) {
		for (size_t i = 0; i < nw; i++) {
			bits[i] &= live_word(s, i);
			n += (uint64_t)__builtin_popcountll(bits[i]);
		}
		r->visit_bits(r, segno, bits, n);
		return;
	}
	for (size_t i = 0; i < nw; i++) {
		uint64_t w = bits[i] & live_word(s, i);
		if (count) {
			n += (uint64_t)__builtin_popcountll(w);
			continue;
		}
		for (; w; w &= w - 1)
			offer(r, segno, (uint32_t)(i * 64 + (unsigned)__builtin_ctzll(w)), 0.0);
	}
	if (count)
		*(uint64_t *)r->ctx += n;
	free(bits);
}

/* The first document of the essential kids k[ne .. n). */
static uint32_t min_doc(struct sc *const *k, size_t ne, size_t n)
{
	uint32_t d = SEG_END;
	for (size_t i = ne; i < n; i++)
		if (k[i]->doc < d)
			d = k[i]->doc;
	return d;
}

/* ---- windowed MaxScore for disjunctions ---- */

/* Documents scored together by run_window.  A window is filled list by
 * list rather than document by document (as Lucene's BooleanScorer and
 * MaxScoreBulkScorer do): a few instructions per posting instead of a pass
 * over every cursor per candidate. */
#define WIN_BITS 11
#define WIN (1u << WIN_BITS)
#define WIN_WORDS (WIN / 64)
#define WIN_MASKKIDS 64 /* a matched-kids mask per document is one uint64_t */

/* A match read into a window that logs them (see struct win). */
struct win_hit {
	uint32_t off; /* its document minus the window's base */
	uint32_t kid; /* sorted kid number; the query's place once gathered */
	union {
		uint32_t tf;  /* a term's frequency */
		double score; /* any other kid's score (a phrase, a group) */
	} v;
};

struct win {
	uint32_t base;            /* the window holds documents [base, base + WIN) */
	double acc[WIN];          /* quick partial scores of the kids read so far */
	uint64_t seen[WIN_WORDS]; /* documents some essential kid matched */
	uint64_t live[WIN_WORDS]; /* candidates still able to enter the top k */
	/* Up to WIN_MASKKIDS kids, which (sorted) kids matched each document
	 * and their frequencies, valid where the mask says: */
	uint64_t mask[WIN];
	uint32_t *tf;             /* tf[kid * WIN + doc - base]; NULL for more kids */
	/* More kids (a prefix, a pasted abstract), or kids other than terms
	 * (phrases, groups): a table per kid would take WIN words a kid, so
	 * the matches read are logged instead, and the survivors' gathered by
	 * document at the end of the window. */
	struct win_hit *hits, *byoff;
	size_t nhits, cap;
	uint32_t at[WIN + 1];     /* byoff[at[off] .. at[off + 1]): the document's */
	int oom;
};

static int win_grow(struct win *w)
{
	size_t cap = w->cap ? 2 * w->cap : 4096;
	struct win_hit *h = realloc(w->hits, sizeof *h * cap);
	if (h)
		w->hits = h;
	struct win_hit *b = h ? realloc(w->byoff, sizeof *b * cap) : NULL;
	if (b == NULL) {
		w->oom = 1;
		return 0;
	}
	w->byoff = b;
	w->cap = cap;
	return 1;
}

/* Adds the current posting of kid c (number kid) at offset off. */
static inline void win_put(struct win *w, const struct sc *c, size_t kid, uint32_t off,
			   uint32_t tf)
{
	double len = seg_doc_len(c->s, w->base + off, c->field);
	w->acc[off] += c->fa * tf / (tf + c->fb + c->fc * len);
	if (w->tf) {
		w->mask[off] |= (uint64_t)1 << kid;
		w->tf[kid * WIN + off] = tf;
	} else if (w->nhits < w->cap || win_grow(w)) {
		w->hits[w->nhits++] = (struct win_hit){off, (uint32_t)kid, {.tf = tf}};
	}
}

/* Whether a match at offset off goes into w: with live (a non-essential
 * kid), only on a live document; else always, clearing the document's
 * sums when no kid has matched it yet in this window. */
static inline int win_take(struct win *w, uint32_t off, const uint64_t *live)
{
	uint64_t *sw = &w->seen[off >> 6], sb = (uint64_t)1 << (off & 63);
	if (live)
		return (live[off >> 6] & sb) != 0;
	if (!(*sw & sb)) {
		*sw |= sb;
		w->acc[off] = 0;
		w->mask[off] = 0;
	}
	return 1;
}

/* Adds the current match of kid c, not a term, at offset off. */
static void win_put_other(struct win *w, struct sc *c, size_t kid, uint32_t off)
{
	double sc = sc_score(c);
	w->acc[off] += sc;
	if (w->nhits < w->cap || win_grow(w)) {
		w->hits[w->nhits] = (struct win_hit){off, (uint32_t)kid, {.tf = 0}};
		w->hits[w->nhits++].v.score = sc;
	}
}

/* c on its first document >= target (c's own if it is there already:
 * a composite may not expect to be asked for an earlier one). */
static uint32_t kid_at(struct sc *c, uint32_t target)
{
	return c->started && c->doc >= target ? c->doc : sc_advance(c, target);
}

/* win_read() for a kid that is not a term: a document at a time. */
static void win_read_other(struct win *w, struct sc *c, size_t kid, uint32_t upto,
			   const uint64_t *live)
{
	for (uint32_t d = kid_at(c, w->base); d < upto; d = sc_advance(c, d + 1)) {
		uint32_t off = d - w->base;
		if (win_take(w, off, live))
			win_put_other(w, c, kid, off);
	}
}

/* Reads the postings of c with documents < upto into w: every one when
 * live is NULL (an essential kid), else only those of live documents. */
static void win_read(struct win *w, struct sc *c, size_t kid, uint32_t upto,
		     const uint64_t *live)
{
	if (c->kind != SC_TERM) {
		win_read_other(w, c, kid, upto, live);
		return;
	}
	struct seg_postings *pc = c->pc;
	seg_postings_advance(pc, w->base);
	while (pc->doc < upto) {
		uint32_t i = pc->i, n = pc->n;
		for (; i < n && pc->docs[i] < upto; i++) {
			uint32_t off = pc->docs[i] - w->base;
			if (win_take(w, off, live))
				win_put(w, c, kid, off, pc->tfs[i]);
		}
		if (i < n) {
			pc->i = i;
			pc->doc = pc->docs[i];
			break;
		}
		seg_postings_next_block(pc);
	}
	c->doc = pc->doc;
}

/* Looks c up on each live document of w, skipping between them. */
static void win_probe(struct win *w, struct sc *c, size_t kid)
{
	if (c->kind != SC_TERM) {
		for (uint32_t wi = 0; wi < WIN_WORDS && c->doc != SEG_END; wi++)
			for (uint64_t bits = w->live[wi]; bits; bits &= bits - 1) {
				uint32_t off = wi * 64 + (uint32_t)__builtin_ctzll(bits);
				if (kid_at(c, w->base + off) == w->base + off)
					win_put_other(w, c, kid, off);
			}
		return;
	}
	struct seg_postings *pc = c->pc;
	for (uint32_t wi = 0; wi < WIN_WORDS && pc->doc != SEG_END; wi++)
		for (uint64_t bits = w->live[wi]; bits; bits &= bits - 1) {
			uint32_t off = wi * 64 + (uint32_t)__builtin_ctzll(bits);
			uint32_t d = w->base + off;
			if (seg_postings_advance(pc, d) == d)
				win_put(w, c, kid, off, pc->tfs[pc->i]);
		}
	c->doc = pc->doc;
}

/* The largest block bound of c over documents [lo, hi]. */
static double range_ub(struct sc *c, uint32_t lo, uint32_t hi)
{
	double ub = 0;
	for (uint32_t d = lo;;) {
		uint32_t upto;
		double u = sc_block_ub(c, d, &upto);
		if (u > ub)
			ub = u;
		if (upto >= hi)
			return ub;
		d = upto + 1;
	}
}

/* Keeps the live documents whose quick score plus bound can reach theta
 * (rounding of partial sums allowed for, so that a tie is never dropped);
 * returns how many remain. */
static size_t win_prune(struct win *w, double bound, double theta)
{
	double slack = isfinite(theta) ? fabs(theta) * 1e-9 : 0;
	double need = theta - bound - slack;
	size_t n = 0;
	for (uint32_t wi = 0; wi < WIN_WORDS; wi++) {
		uint64_t keep = 0;
		for (uint64_t bits = w->live[wi]; bits; bits &= bits - 1) {
			unsigned b = (unsigned)__builtin_ctzll(bits);
			int ok = !(w->acc[wi * 64 + b] < need);
			keep |= (uint64_t)ok << b;
			n += (size_t)ok;
		}
		w->live[wi] = keep;
	}
	return n;
}

/* Sorts the logged postings of the live documents by document into byoff,
 * at[] delimiting each document's, with kid numbers turned into places in
 * the query (qof[i]: the place of sorted kid i). */
static void win_gather(struct win *w, const size_t *qof)
{
	memset(w->at, 0, sizeof w->at);
	for (size_t h = 0; h < w->nhits; h++) {
		uint32_t off = w->hits[h].off;
		w->at[off] += (uint32_t)(w->live[off >> 6] >> (off & 63) & 1);
	}
	for (uint32_t i = 1; i < WIN; i++)
		w->at[i] += w->at[i - 1];
	w->at[WIN] = w->at[WIN - 1];
	/* at[off] is now the end of the document's run; filling backwards
	 * leaves it at the start */
	for (size_t h = w->nhits; h-- > 0;) {
		struct win_hit e = w->hits[h];
		if (w->live[e.off >> 6] >> (e.off & 63) & 1) {
			e.kid = (uint32_t)qof[e.kid];
			w->byoff[--w->at[e.off]] = e;
		}
	}
}

/* The exact score of document base + off: its kids' scores added in
 * query order, as or_score adds them, so that it is the exhaustive
 * path's score to the bit.  ord: the sorted number of each query kid.
 * grp (NULL: one group) numbers the group of each query kid when root
 * stands for a conjunction of groups: each group's kids are added up
 * first, and the groups' sums then, as and_score adds or_scores.
 * *groups: the groups (bits, groups numbered mod 64) with a kid on the
 * document. */
static double win_score(struct win *w, const struct sc *root, const size_t *ord,
			const uint32_t *grp, uint32_t off, uint64_t *groups)
{
	uint32_t d = w->base + off;
	double total = 0, sc = 0;
	uint32_t g = grp ? grp[0] : 0;
	uint64_t seen = 0;
	if (w->tf) {
		for (size_t j = 0; j < root->nkids; j++) {
			if (grp && grp[j] != g) {
				total += sc;
				sc = 0;
				g = grp[j];
			}
			if (w->mask[off] >> ord[j] & 1) {
				sc += sc_term_score_tf(root->kids[j], d, w->tf[ord[j] * WIN + off]);
				seen |= (uint64_t)1 << (g & 63);
			}
		}
		*groups = seen;
		return grp ? total + sc : sc;
	}
	struct win_hit *v = w->byoff + w->at[off];
	uint32_t n = w->at[off + 1] - w->at[off];
	for (uint32_t i = 1; i < n; i++) /* runs are short: insertion sort */
		for (uint32_t j = i; j > 0 && v[j - 1].kid > v[j].kid; j--) {
			struct win_hit t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (uint32_t i = 0; i < n; i++) {
		if (grp && grp[v[i].kid] != g) {
			total += sc;
			sc = 0;
			g = grp[v[i].kid];
		}
		const struct sc *c = root->kids[v[i].kid];
		sc += c->kind == SC_TERM ? sc_term_score_tf(c, d, v[i].v.tf) : v[i].v.score;
		seen |= (uint64_t)1 << (g & 63);
	}
	*groups = seen;
	return grp ? total + sc : sc;
}

/* A condition that a ranked disjunction's matches must meet, or must not,
 * and that adds nothing to their scores: a year range, pmid:, cites:, an
 * exclusion, the query that restricts --similar. */
#define WIN_MAXCONDS 8
struct win_cond {
	struct sc *c;
	int must; /* 1: a match must match c too; 0: it must not */
};

/* Drops from w's live documents those that fail a condition. */
static void win_conds(struct win *w, const struct win_cond *cond, size_t ncond)
{
	for (size_t i = 0; i < ncond; i++) {
		struct sc *c = cond[i].c;
		for (uint32_t wi = 0; wi < WIN_WORDS; wi++)
			for (uint64_t bits = w->live[wi]; bits; bits &= bits - 1) {
				unsigned b = (unsigned)__builtin_ctzll(bits);
				uint32_t d = w->base + wi * 64 + b;
				if ((kid_at(c, d) == d) != cond[i].must)
					w->live[wi] &= ~((uint64_t)1 << b);
			}
	}
}

/* MaxScore (Turtle & Flood 1995) over a disjunction, WIN documents at a
 * time.  Kids sorted by bound; those whose bounds together
 * stay below the threshold are non-essential.  The essential kids fill
 * the window; then each non-essential kid, largest bound first, is read
 * for the candidates that the bounds of the kids not yet read (block
 * maxima over the window) still keep alive: probed one by one when few
 * remain, merged in one pass over its window of postings otherwise.
 * Survivors are scored exactly, kids in query order, from the frequencies
 * kept.  The partition changes only between windows, so a kid never
 * counts both as essential and as non-essential on one document.  For a
 * conjunction (run_conj) the kids of one required group may be the
 * essential ones instead (drive), every match being one of theirs. */
static void run_window(struct run *r, size_t segno, struct sc *root,
		       const struct win_cond *cond, size_t ncond, const uint32_t *grp,
		       uint64_t need, const uint8_t *drive)
{
	const struct seg *s = &r->ix->x.segs[segno];
	size_t n = root->nkids;
	int masked = n <= WIN_MASKKIDS;
	for (size_t i = 0; i < n; i++)
		masked &= root->kids[i]->kind == SC_TERM;
	struct kid_order byub = {0}, bydrive = {0};
	double *pre = malloc(sizeof *pre * (n ? n : 1));
	uint64_t *esuf = NULL;
	struct win *w = calloc(1, sizeof *w);
	uint32_t *tf = masked ? malloc(sizeof *tf * WIN * n) : NULL;
	if (!pre || !w || (masked && !tf) || order_kids(root, NULL, &byub) != 0 ||
	    (drive && order_kids(root, drive, &bydrive) != 0) ||
	    (drive && (esuf = malloc(sizeof *esuf * (n + 1))) == NULL)) {
		err_set(&r->e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t j = 0; j < n; j++)
		sc_advance(root->kids[j], 0);
	w->tf = tf;
	/* With drivers, their kids alone are read whole (the driving kids:
	 * every match is one of theirs) until the kids that MaxScore's bounds
	 * would read whole promise fewer documents; from then on, MaxScore
	 * alone.  esuf[i]: the documents of kids i.. in bound order. */
	struct kid_order *o = drive ? &bydrive : &byub;
	uint64_t edrive = 0;
	size_t ne = 0, une = 0; /* kids [0, ne) of o (une of byub) are non-essential */
	if (drive) {
		esuf[n] = 0;
		for (size_t i = n; i-- > 0;)
			esuf[i] = esuf[i + 1] + est_docs(byub.k[i], 0);
		for (size_t j = 0; j < n; j++) {
			if (drive[j])
				edrive += est_docs(root->kids[j], 0);
			else
				ne++;
		}
	}
	struct sc **k = o->k;
	const double *cum = o->cum;
	const size_t *ord = o->ord, *qof = o->qof;
	double theta = threshold(&r->hp);
	uint32_t done = 0;
	for (;;) {
		if (o == &bydrive) {
			while (une < n && byub.cum[une] < theta)
				une++;
			if (une >= n || esuf[une] < edrive) {
				o = &byub;
				k = o->k;
				cum = o->cum;
				ord = o->ord;
				qof = o->qof;
				ne = une;
			}
		}
		while (ne < n && cum[ne] < theta)
			ne++;
		if (ne >= n)
			break;
		/* a kid that turned essential when the order changed may still
		 * be on a document of a window done: never go back there */
		uint32_t base = min_doc(k, ne, n);
		if (base < done)
			base = done;
		if (base >= s->ndocs)
			break;
		uint32_t upto = s->ndocs - base > WIN ? base + WIN : s->ndocs;
		done = upto;
		w->base = base;
		w->nhits = 0;
		memset(w->seen, 0, sizeof w->seen);
		for (size_t i = ne; i < n; i++)
			if (k[i]->doc < upto)
				win_read(w, k[i], i, upto, NULL);
		for (uint32_t wi = 0; wi < WIN_WORDS; wi++) {
			w->live[wi] = w->seen[wi];
			if (s->delbits)
				for (uint64_t bits = w->seen[wi]; bits; bits &= bits - 1) {
					unsigned b = (unsigned)__builtin_ctzll(bits);
					if (seg_deleted(s, base + wi * 64 + b))
						w->live[wi] &= ~((uint64_t)1 << b);
				}
		}
		win_conds(w, cond, ncond);
		double sum = 0;
		for (size_t i = 0; i < ne; i++)
			pre[i] = sum += range_ub(k[i], base, upto - 1);
		for (size_t i = ne; i-- > 0;) {
			size_t nlive = win_prune(w, pre[i], theta);
			if (nlive == 0)
				break;
			struct sc *c = k[i];
			/* a probe costs a skip and often a block; merging costs
			 * about the kid's postings in the window */
			uint64_t inwin = c->kind == SC_TERM
				? (uint64_t)c->pc->df * (upto - base) / s->ndocs : UINT64_MAX;
			if (4 * (uint64_t)nlive < inwin)
				win_probe(w, c, i);
			else
				win_read(w, c, i, upto, w->live);
		}
		if (w->oom) {
			err_set(&r->e, ERR_NOMEM, "out of memory");
			goto out;
		}
		if (!masked)
			win_gather(w, qof);
		for (uint32_t wi = 0; wi < WIN_WORDS; wi++) {
			for (uint64_t bits = w->live[wi]; bits; bits &= bits - 1) {
				uint32_t off = wi * 64 + (uint32_t)__builtin_ctzll(bits);
				double slack = isfinite(theta) ? fabs(theta) * 1e-9 : 0;
				if (w->acc[off] + slack < theta)
					continue;
				uint64_t groups;
				double score = win_score(w, root, ord, grp, off, &groups);
				if ((groups & need) != need)
					continue; /* a required group does not match */
				offer(r, segno, base + off, score);
				double t = threshold(&r->hp);
				if (t > theta)
					theta = t;
			}
		}
	}
out:
	if (w) {
		free(w->hits);
		free(w->byoff);
	}
	order_free(&byub);
	order_free(&bydrive);
	free(esuf);
	free(pre);
	free(w);
	free(tf);
}

/* A kid of a conjunction that only restricts it: it scores nothing. */
static int restricts_only(const struct sc *c)
{
	return c->kind == SC_YEAR || c->kind == SC_DOCS || (c->kind == SC_TERM && c->w == 0);
}

/* The disjunction (or lone term) that ranks the matches of *rootp, with
 * the conditions around it in cond[0 .. *ncond): root's score is its score
 * to the bit (an exclusion or filter scores its first kid; a conjunction
 * adds zeros to it).  Returns where the tree holds it (rootp itself or a
 * slot of its parent's kids), so that the caller may replace it there;
 * NULL when root is of another shape (a conjunction of scored parts,
 * required words). */
static struct sc **ranked_core(struct sc **rootp, struct win_cond *cond, size_t *ncond)
{
	*ncond = 0;
	for (;;) {
		struct sc *root = *rootp;
		if (root->kind == SC_FILTER || root->kind == SC_EXCL) {
			if (*ncond == WIN_MAXCONDS)
				return NULL;
			cond[(*ncond)++] = (struct win_cond){root->kids[1], root->kind == SC_FILTER};
			rootp = &root->kids[0];
		} else if (root->kind == SC_AND) {
			struct sc **core = NULL;
			for (size_t i = 0; i < root->nkids; i++) {
				struct sc *k = root->kids[i];
				if (!restricts_only(k) && core)
					return NULL;
				if (!restricts_only(k))
					core = &root->kids[i];
				else if (*ncond == WIN_MAXCONDS)
					return NULL;
				else
					cond[(*ncond)++] = (struct win_cond){k, 1};
			}
			if (core == NULL)
				return NULL;
			rootp = core;
		} else {
			return root->kind == SC_OR || root->kind == SC_TERM ? rootp : NULL;
		}
	}
}

/* Builds the scorer tree of q (and its filter) for one segment. */
static struct sc *build_segment(struct run *r, size_t segno, struct arena *a)
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

/* Flattens nested disjunctions so MaxScore sees every term. */
static void flatten_or(struct sc *root, struct arena *a)
{
	size_t n = 0;
	for (size_t i = 0; i < root->nkids; i++)
		n += root->kids[i]->kind == SC_OR ? root->kids[i]->nkids : 1;
	if (n == root->nkids)
		return;
	struct sc **v = arena_alloc(a, sizeof *v * n);
	if (v == NULL)
		return;
	size_t j = 0;
	for (size_t i = 0; i < root->nkids; i++) {
		struct sc *c = root->kids[i];
		if (c->kind == SC_OR)
			for (size_t q = 0; q < c->nkids; q++)
				v[j++] = c->kids[q];
		else
			v[j++] = c;
	}
	root->kids = v;
	root->nkids = n;
	flatten_or(root, a); /* until no kid is a disjunction */
}

/* ---- conjunctions ranked by MaxScore ----
 *
 * A conjunction of word groups (--all, +required words: each word an
 * SC_OR of its fields, or one term, phrase or NEAR), with optional groups
 * after the required ones (SC_REQOPT), scores a match as the sum of its
 * groups' sums.  run_window ranks it as the disjunction of every group's
 * kids, pruned as a disjunction is, and adds a document's groups' sums as
 * and_score adds them (win_score's grp), so that scores stay
 * bit-identical.  A document that survives pruning has had every kid
 * read, so which groups it matches is known when it is scored: one
 * lacking a required group is dropped there. */
#define CONJ_MAXGROUPS 64

struct conj {
	struct sc *g[CONJ_MAXGROUPS]; /* the scored groups, in query order */
	uint64_t need;                /* the required ones (bits) */
	size_t ng;
	struct win_cond cond[WIN_MAXCONDS]; /* exclusions, filters, years */
	size_t ncond;
};

static int conj_add(struct conj *cj, struct sc *c, int req)
{
	if (restricts_only(c)) {
		/* scores 0: a required one is a condition, an optional one
		 * nothing */
		if (req) {
			if (cj->ncond == WIN_MAXCONDS)
				return -1;
			cj->cond[cj->ncond++] = (struct win_cond){c, 1};
		}
		return 0;
	}
	switch (c->kind) {
	case SC_AND:
	case SC_REQOPT:
	case SC_EXCL:
	case SC_FILTER:
		return -1; /* nested: its sum is not one group's */
	default:
		if (cj->ng == CONJ_MAXGROUPS)
			return -1;
		if (req)
			cj->need |= (uint64_t)1 << cj->ng;
		cj->g[cj->ng++] = c;
		return 0;
	}
}

/* Lists the groups and conditions of root when it is such a conjunction
 * (exclusions and filters around it become conditions): 0, or -1 when
 * root is of another shape. */
static int conj_parse(struct sc *root, struct conj *cj)
{
	cj->ng = cj->ncond = 0;
	cj->need = 0;
	while (root->kind == SC_FILTER || root->kind == SC_EXCL) {
		if (cj->ncond == WIN_MAXCONDS)
			return -1;
		cj->cond[cj->ncond++] = (struct win_cond){root->kids[1], root->kind == SC_FILTER};
		root = root->kids[0];
	}
	size_t first = 0;
	if (root->kind == SC_REQOPT) {
		struct sc *req = root->kids[0];
		if (req->kind == SC_AND) {
			for (size_t i = 0; i < req->nkids; i++)
				if (conj_add(cj, req->kids[i], 1))
					return -1;
		} else if (conj_add(cj, req, 1)) {
			return -1;
		}
		first = 1;
	} else if (root->kind != SC_AND) {
		return -1;
	}
	for (size_t i = first; i < root->nkids; i++)
		if (conj_add(cj, root->kids[i], root->kind == SC_AND))
			return -1;
	/* No required group (only conditions required, optional groups
	 * beside them): a document meeting the conditions matches, with a
	 * score of 0, whether or not an optional group matches it, and no
	 * list of the window would bring it. */
	return cj->ng > 0 && cj->need != 0 ? 0 : -1;
}

/* Ranks a conjunction parsed into cj (its groups flattened) with
 * run_window, its rarest required group driving: every match is one of
 * that group's, so its kids alone need to be read whole, and the others
 * only for the documents they find (a phrase of 13 matches beside a word
 * in 40% of the documents reads 13 documents of the word, not all).
 * Returns 0, or -1 out of memory. */
static int run_conj(struct run *r, size_t segno, struct arena *a, const struct conj *cj)
{
	size_t n = 0;
	for (size_t i = 0; i < cj->ng; i++)
		n += cj->g[i]->kind == SC_OR ? cj->g[i]->nkids : 1;
	struct sc *flat = arena_alloc(a, sizeof *flat);
	struct sc **kids = arena_alloc(a, sizeof *kids * (n ? n : 1));
	uint32_t *grp = arena_alloc(a, sizeof *grp * (n ? n : 1));
	if (!flat || !kids || !grp)
		return -1;
	memset(flat, 0, sizeof *flat);
	size_t j = 0;
	for (size_t i = 0; i < cj->ng; i++) {
		struct sc *g = cj->g[i];
		size_t m = g->kind == SC_OR ? g->nkids : 1;
		for (size_t q = 0; q < m; q++) {
			kids[j] = g->kind == SC_OR ? g->kids[q] : g;
			grp[j] = (uint32_t)i;
			flat->ub += kids[j]->ub;
			j++;
		}
	}
	flat->kind = SC_OR;
	flat->kids = kids;
	flat->nkids = n;
	flat->s = cj->g[0]->s;
	flat->env = cj->g[0]->env;
	uint8_t *drive = NULL;
	if (cj->need) {
		size_t best = 0;
		uint64_t least = UINT64_MAX;
		for (size_t i = 0; i < cj->ng; i++)
			if (cj->need >> i & 1) {
				uint64_t m = est_docs(cj->g[i], 0);
				if (m < least) {
					least = m;
					best = i;
				}
			}
		if ((drive = arena_alloc(a, n ? n : 1)) == NULL)
			return -1;
		for (size_t q = 0; q < n; q++)
			drive[q] = grp[q] == best;
	}
	run_window(r, segno, flat, cj->cond, cj->ncond, grp, cj->need, drive);
	return 0;
}

/* The first term cursor under c that met damaged data (seg_postings.corrupt):
 * it ended early, so the matches of this segment are incomplete. */
static const struct seg_postings *damaged_cursor(const struct sc *c, unsigned depth)
{
	if (c == NULL || depth > 4 * Q_MAX_DEPTH + 64)
		return NULL;
	if (c->kind == SC_TERM)
		return c->pc && c->pc->corrupt ? c->pc : NULL;
	for (size_t i = 0; i < c->nkids; i++) {
		const struct seg_postings *pc = damaged_cursor(c->kids[i], depth + 1);
		if (pc)
			return pc;
	}
	return NULL;
}

int eng_run(struct run *r)
{
	int rc = 0;
	struct sc_scratch scratch;
	/* another handle's query would read its cached dictionary entries
	 * (struct dfc) as this one's */
	for (const sarc_query *f = r->q; f; f = f->filter)
		if (f->ix != r->ix)
			return err_set(&r->e, ERR_USAGE, "the query was made with another index handle");
	if (r->ix->damage.code) {
		r->e = r->ix->damage;
		return r->e.code;
	}
	memset(&scratch, 0, sizeof scratch);
	r->env.scratch = &scratch;
	r->env.unscored = r->no_score;
	for (size_t i = 0; i < r->ix->x.nsegs && !rc; i++) {
		struct arena a;
		arena_init(&a);
		struct sc *root = build_segment(r, i, &a);
		if (r->e.code) {
			rc = r->e.code;
		} else if (root) {
			struct win_cond cond[WIN_MAXCONDS];
			size_t ncond;
			struct sc **slot = ranked_core(&root, cond, &ncond);
			struct sc *core = slot ? *slot : NULL;
			if (core && core->kind == SC_TERM) {
				/* a lone term: wrap it so MaxScore applies, in the
				 * tree too, so that exhaustive runs add it to 0 as
				 * well (which turns a -0 into 0: a weight of -0) */
				struct sc *one = arena_alloc(&a, sizeof *one);
				struct sc **kid = arena_alloc(&a, sizeof *kid);
				if (one && kid) {
					memset(one, 0, sizeof *one);
					one->kind = SC_OR;
					kid[0] = core;
					one->kids = kid;
					one->nkids = 1;
					one->ub = core->ub;
					one->s = core->s;
					one->env = core->env;
					*slot = one;
					core = one;
				} else {
					core = NULL;
				}
			}
			/* in place, so that exhaustive runs add the same way */
			if (core)
				flatten_or(core, &a);
			struct conj cj;
			int conj = !core && conj_parse(root, &cj) == 0;
			for (size_t g = 0; conj && g < cj.ng; g++)
				if (cj.g[g]->kind == SC_OR)
					flatten_or(cj.g[g], &a);
			if (!r->exhaustive && !r->visit && core)
				run_window(r, i, core, cond, ncond, NULL, 0, NULL);
			else if (r->no_score && r->visit)
				run_bits(r, i, root);
			else if (r->exhaustive || r->visit || !conj || run_conj(r, i, &a, &cj) != 0)
				run_all(r, i, root);
			const struct seg_postings *bad = damaged_cursor(root, 0);
			if (scratch.oom && !r->e.code)
				err_set(&r->e, ERR_NOMEM, "out of memory");
			if (bad && !r->e.code)
				err_set(&r->e, ERR_CORRUPT, "%s%s: damaged posting data",
					r->ix->x.segs[i].name, bad->corrupt == 2 ? ".spos" : ".spst");
			if (r->e.code)
				rc = r->e.code;
		}
		arena_free(&a);
	}
	/* lookups without an error path of their own (document frequencies,
	 * prefixes) may have met damage while the scorers were built */
	if (!rc && r->ix->damage.code) {
		r->e = r->ix->damage;
		rc = r->e.code;
	}
	for (int i = 0; i < SCR_N; i++)
		free(scratch.v[i]);
	r->env.scratch = NULL;
	return rc;
}

void eng_env(sarc_index *ix, const struct sarc_params *p, struct sc_env *env)
{
	memset(env, 0, sizeof *env);
	env->k1 = p->k1;
	env->b = p->b;
	for (int f = 0; f < F_NFIELDS; f++) {
		env->weight[f] = p->weight[f];
		env->avglen[f] = ix->avglen[f];
	}
	env->N = (double)ix->N;
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

static void count_visit(struct run *r, size_t segno, uint32_t doc, double score)
{
	(void)segno;
	(void)doc;
	(void)score;
	(*(uint64_t *)r->ctx)++;
}

int sarc_count(sarc_index *ix, sarc_query *q, uint64_t *count, char *err, size_t errcap)
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
	*count = 0;
	r.visit = count_visit;
	r.ctx = count;
	int rc = eng_run(&r);
	if (rc)
		eng_err(err, errcap, "%s", r.e.msg);
	return rc;
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
	struct run r;
	struct sarc_search_opts o;
	struct visit_ctx v = {fn, bits_fn, ctx};
	sarc_search_opts_default(&o);
	memset(&r, 0, sizeof r);
	r.ix = ix;
	r.q = q;
	r.o = &o;
	r.exhaustive = 1;
	r.no_score = 1;
	eng_env(ix, &o.params, &r.env);
	r.visit = visit_fwd;
	r.visit_bits = bits_fn ? visit_bits_fwd : NULL;
	r.ctx = &v;
	int rc = eng_run(&r);
	if (rc)
		eng_err(err, errcap, "%s", r.e.msg);
	return rc;
}
