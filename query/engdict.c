/*
 * engdict.c - what the dictionaries of all the segments say of a key:
 * its document frequency over the index, each segment's entry, the words
 * a prefix matches.  Scoring needs each term's df over every segment, so
 * the scorers of one segment would look a term up in all of them; the
 * answers are remembered with the query (struct dfc, struct pexp), which
 * the scorer trees of every segment, and every run of the query, share.
 */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"

/* Prefix queries expand to at most this many terms per field. */
#define PREFIX_CAP 1024

/* Document frequency of key summed over segments. */
uint64_t eng_df(sarc_index *ix, const uint8_t *key, size_t n)
{
	uint64_t df = 0;
	struct seg_term t;
	struct err e;
	err_clear(&e);
	for (size_t i = 0; i < ix->x.nsegs; i++)
		if (seg_lookup(&ix->x.segs[i], key, n, &t, &e) == 1)
			df += t.df;
	/* a damaged dictionary must not read as "no such term" */
	eng_damage(ix, &e);
	return df;
}

size_t eng_key(uint8_t *key, unsigned field, const char *t, size_t n)
{
	if (n + 1 > SEG_MAX_KEY)
		n = SEG_MAX_KEY - 1;
	key[0] = (uint8_t)field;
	memcpy(key + 1, t, n);
	return n + 1;
}

/* The slot of key: its own, or the empty one where it would go. */
static struct dfc_slot *dfc_find(const struct dfc *c, const uint8_t *key, size_t n, uint32_t h)
{
	for (size_t i = h & c->mask;; i = (i + 1) & c->mask) {
		struct dfc_slot *s = &c->slot[i];
		if (s->key == NULL || (s->hash == h && s->len == n && memcmp(s->key, key, n) == 0))
			return s;
	}
}

/* Remembers key's df and the entries segs[0 .. nsegs) of the segments
 * that hold it; a failure only costs the lookups again. */
static void dfc_put(sarc_query *q, const uint8_t *key, size_t n, uint32_t h, uint64_t df,
		    const struct dfc_seg *segs, size_t nsegs)
{
	struct dfc *c = &q->dfc;
	if ((c->n + 1) * 2 > c->mask + 1 || c->slot == NULL) {
		size_t cap = c->slot ? (c->mask + 1) * 2 : 64;
		struct dfc_slot *ns = calloc(cap, sizeof *ns), *old = c->slot;
		if (ns == NULL)
			return;
		size_t oldcap = c->slot ? c->mask + 1 : 0;
		c->slot = ns;
		c->mask = cap - 1;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].key)
				*dfc_find(c, old[i].key, old[i].len, old[i].hash) = old[i];
		free(old);
	}
	uint8_t *k = arena_alloc(&q->a, n);
	struct dfc_seg *g = arena_alloc(&q->a, sizeof *g * (nsegs ? nsegs : 1));
	if (k == NULL || g == NULL)
		return;
	memcpy(k, key, n);
	memcpy(g, segs, sizeof *g * nsegs);
	*dfc_find(c, key, n, h) = (struct dfc_slot){
		.key = k, .len = (uint32_t)n, .hash = h, .df = df, .segs = g, .nsegs = (uint32_t)nsegs};
	c->n++;
}

uint64_t eng_key_lookup(sarc_index *ix, sarc_query *q, const uint8_t *key, size_t n,
			size_t segno, struct seg_term *t, int *found, struct err *segerr)
{
	size_t nsegs = ix->x.nsegs;
	uint32_t h = fmt_hash(key, n);
	const struct dfc_slot *c = q->dfc.slot ? dfc_find(&q->dfc, key, n, h) : NULL;
	*found = 0;
	if (c && c->key) {
		/* binary search of the segments that hold the key */
		size_t lo = 0, hi = segno < nsegs ? c->nsegs : 0;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (c->segs[mid].seg < segno)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (segno < nsegs && lo < c->nsegs && c->segs[lo].seg == segno) {
			const struct dfc_seg *g = &c->segs[lo];
			memcpy(t->key, key, n);
			t->keylen = n;
			t->df = g->df;
			t->post_off = g->post_off;
			t->post_len = g->post_len;
			t->pos_off = g->pos_off;
			t->pos_len = g->pos_len;
			*found = 1;
		}
		return c->df;
	}
	struct dfc_seg one[16], *g = one;
	if (nsegs > sizeof one / sizeof *one)
		g = malloc(sizeof *g * nsegs); /* NULL: the df is summed, nothing kept */
	struct seg_term other;
	struct err e;
	uint64_t df = 0;
	size_t ng = 0; /* entries in g: the segments that hold the key */
	err_clear(&e);
	for (size_t i = 0; i < nsegs; i++) {
		struct seg_term *dst = i == segno ? t : &other;
		int rc = seg_lookup(&ix->x.segs[i], key, n, dst, &e);
		if (rc == 1) {
			df += dst->df;
			*found |= i == segno;
		} else if (rc < 0 && i == segno) {
			err_set(segerr, e.code, "%s", e.msg);
		}
		if (g && rc == 1)
			g[ng++] = (struct dfc_seg){dst->df, (uint32_t)i, dst->post_off, dst->post_len,
						   dst->pos_off, dst->pos_len};
	}
	/* a damaged dictionary must not read as "no such term" */
	eng_damage(ix, &e);
	if (e.code == 0 && g)
		dfc_put(q, key, n, h, df, g, ng);
	if (g != one)
		free(g);
	return df;
}

uint64_t eng_df_query(sarc_index *ix, sarc_query *q, const uint8_t *key, size_t n)
{
	int found;
	return eng_key_lookup(ix, q, key, n, SIZE_MAX, NULL, &found, NULL);
}

/* A dictionary term a prefix matched, with its document frequency
 * summed over the segments. */
struct pmatch {
	uint8_t *key;
	size_t len;
	uint64_t df;
};

static int pmatch_by_key(const void *x, const void *y)
{
	const struct pmatch *a = x, *b = y;
	return seg_key_cmp(a->key, a->len, b->key, b->len);
}

static int pmatch_by_df(const void *x, const void *y)
{
	const struct pmatch *a = x, *b = y;
	if (a->df != b->df)
		return a->df < b->df ? 1 : -1;
	return seg_key_cmp(a->key, a->len, b->key, b->len);
}

/* Expands a prefix over the whole index (all segments) for field f into
 * *keys / *lens (*nkeys of them).  Past PREFIX_CAP distinct terms it keeps
 * the PREFIX_CAP most frequent (a rare misspelling matters least, and the
 * first ones in byte order would drop whole words) and sets *more to how
 * many it matched in all.  Keys and arrays are a's. */
static int expand_prefix(sarc_index *ix, unsigned f, const char *p, size_t n, struct arena *a,
			 uint8_t ***keys, size_t **lens, size_t *nkeys, size_t *more)
{
	uint8_t from[SEG_MAX_KEY];
	size_t fl = eng_key(from, f, p, n);
	size_t cap = 64, cnt = 0;
	struct pmatch *m = malloc(sizeof *m * cap);
	*more = 0;
	if (m == NULL)
		return ERR_NOMEM;
	struct err e;
	err_clear(&e);
	for (size_t i = 0; i < ix->x.nsegs; i++) {
		struct seg_dict_iter it;
		if (seg_dict_seek(&it, &ix->x.segs[i], from, fl, &e))
			continue;
		while (seg_dict_next(&it, &e) == 1) {
			if (it.t.keylen < fl || memcmp(it.t.key, from, fl) != 0)
				break;
			if (cnt == cap) {
				struct pmatch *nm = realloc(m, sizeof *m * cap * 2);
				if (nm == NULL) {
					free(m);
					return ERR_NOMEM;
				}
				m = nm;
				cap *= 2;
			}
			if ((m[cnt].key = arena_alloc(a, it.t.keylen)) == NULL) {
				free(m);
				return ERR_NOMEM;
			}
			memcpy(m[cnt].key, it.t.key, it.t.keylen);
			m[cnt].len = it.t.keylen;
			m[cnt++].df = it.t.df;
		}
	}
	eng_damage(ix, &e); /* a damaged dictionary is not a shorter expansion */
	/* one entry per term, its df summed over the segments */
	qsort(m, cnt, sizeof *m, pmatch_by_key);
	size_t u = 0;
	for (size_t i = 0; i < cnt; i++) {
		if (u > 0 && m[u - 1].len == m[i].len && memcmp(m[u - 1].key, m[i].key, m[i].len) == 0)
			m[u - 1].df += m[i].df;
		else
			m[u++] = m[i];
	}
	if (u > PREFIX_CAP) {
		*more = u;
		qsort(m, u, sizeof *m, pmatch_by_df);
		u = PREFIX_CAP;
	}
	uint8_t **k = arena_alloc(a, sizeof *k * (u ? u : 1));
	size_t *l = arena_alloc(a, sizeof *l * (u ? u : 1));
	if (!k || !l) {
		free(m);
		return ERR_NOMEM;
	}
	for (size_t i = 0; i < u; i++) {
		k[i] = m[i].key;
		l[i] = m[i].len;
	}
	free(m);
	*keys = k;
	*lens = l;
	*nkeys = u;
	return 0;
}

const struct pexp *eng_prefix_expansion(sarc_index *ix, sarc_query *sq, const struct q_node *q,
					unsigned f)
{
	struct pexp *x;
	for (x = sq->pexp; x; x = x->next)
		if (x->q == q && x->f == f)
			return x;
	size_t more;
	if ((x = arena_alloc(&sq->a, sizeof *x)) == NULL ||
	    expand_prefix(ix, f, q->terms[0].text, q->terms[0].len, &sq->a, &x->keys, &x->lens,
			  &x->n, &more))
		return NULL;
	x->q = q;
	x->f = f;
	x->next = sq->pexp;
	sq->pexp = x;
	if (more && sq->note[0] == '\0')
		snprintf(sq->note, sizeof sq->note,
			 "'%.*s*' matches %zu words in %s: the %d most frequent are searched",
			 (int)q->terms[0].len, q->terms[0].text, more, field_name(f), PREFIX_CAP);
	return x;
}

