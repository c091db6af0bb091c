/*
 * mergefacet.c - facet keys made from stored records during a merge (see
 * mergefacet.h).  A table of the values met (strtab.h), keyed by key-space
 * byte and value as in segfacet.c; each value's postings grow in slices of an
 * arena (doubling up to SLICE_MAX, as the inverter's do), so that a rare
 * value wastes little and no list is ever copied to grow.
 */
#include "mergefacet.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "err.h"
#include "fields.h"
#include "seg.h"
#include "stored.h"
#include "strtab.h"

#define SLICE_MIN 16
#define SLICE_MAX 8192

/* A piece of a key's postings; every slice but a key's last is full. */
struct slice {
	struct slice *next;
	uint32_t size;
	uint8_t data[];
};

struct mkey {
	uint32_t df, lastdoc;       /* postings so far, the last one's document */
	uint32_t room;              /* unused bytes at the end of last */
	struct slice *first, *last; /* NULL until the first posting */
};

/* A value of the document being added: its key and position. */
struct pend {
	uint32_t key, pos;
};

struct mfacet {
	struct strtab keys; /* key-space byte, value; a struct mkey each */
	uint32_t *order;    /* the key numbers in key order, after mfacet_sort */
	struct arena slices;
	struct pend *pend;
	size_t npend, pendcap;
};

mfacet *mfacet_new(void)
{
	mfacet *f = calloc(1, sizeof *f);
	if (f) {
		strtab_init(&f->keys, sizeof(struct mkey));
		arena_init(&f->slices);
	}
	return f;
}

void mfacet_free(mfacet *f)
{
	if (f == NULL)
		return;
	strtab_free(&f->keys);
	free(f->order);
	free(f->pend);
	arena_free(&f->slices);
	free(f);
}

/* st_facet_values' callback: one value of key space f->fk. */
static int value(void *ctx, unsigned fk, const char *s, size_t n, uint32_t pos)
{
	mfacet *f = ctx;
	uint8_t k[SEG_MAX_KEY];
	if (n + 1 > SEG_MAX_KEY) /* not with values cut to ST_FACET_MAX; as invert.c's queue */
		return 0;
	k[0] = (uint8_t)fk;
	memcpy(k + 1, s, n);
	long id = strtab_add(&f->keys, k, n + 1);
	if (id < 0)
		return ERR_NOMEM;
	if (f->npend == f->pendcap) {
		size_t cap = f->pendcap ? f->pendcap * 2 : 64;
		struct pend *np = realloc(f->pend, sizeof *np * cap);
		if (np == NULL)
			return ERR_NOMEM;
		f->pend = np;
		f->pendcap = cap;
	}
	f->pend[f->npend++] = (struct pend){(uint32_t)id, pos};
	return 0;
}

static int cmp_pend(const void *a, const void *b)
{
	const struct pend *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Appends p[0..n) to key m's slices. */
static int append(mfacet *f, struct mkey *m, const uint8_t *p, size_t n)
{
	while (n > 0) {
		if (m->room == 0) {
			uint32_t size = m->last == NULL           ? SLICE_MIN
					: m->last->size >= SLICE_MAX ? SLICE_MAX
								     : m->last->size * 2;
			struct slice *s = arena_alloc(&f->slices, sizeof *s + size);
			if (s == NULL)
				return ERR_NOMEM;
			s->next = NULL;
			s->size = size;
			if (m->last)
				m->last->next = s;
			else
				m->first = s;
			m->last = s;
			m->room = size;
		}
		size_t k = n < m->room ? n : m->room;
		memcpy(m->last->data + (m->last->size - m->room), p, k);
		m->room -= (uint32_t)k;
		p += k;
		n -= k;
	}
	return 0;
}

/* Appends one posting of key m: document doc, its values' positions
 * v[0..tf).pos.  Coded as varint (gap << 1 | tf = 1), the gap from the
 * key's previous document (from 0 for the first), then varint tf unless
 * it is 1, then each position's gap from the previous (Lucy's trick:
 * nearly every posting has tf 1; 2.3 bytes a value of 10^6 synthetic
 * citations, where a varint tf made it 3.2). */
static int add_posting(mfacet *f, struct mkey *m, uint32_t doc, const struct pend *v, size_t tf)
{
	uint8_t buf[32];
	size_t n = fmt_put_varint(buf, (uint64_t)(m->df ? doc - m->lastdoc : doc) << 1 | (tf == 1));
	if (tf != 1)
		n += fmt_put_varint(buf + n, tf);
	uint32_t last = 0;
	for (size_t j = 0; j < tf; j++) {
		if (n > sizeof buf - 10) {
			if (append(f, m, buf, n))
				return ERR_NOMEM;
			n = 0;
		}
		n += fmt_put_varint(buf + n, v[j].pos - last);
		last = v[j].pos;
	}
	if (append(f, m, buf, n))
		return ERR_NOMEM;
	m->df++;
	m->lastdoc = doc;
	return 0;
}

int mfacet_add(mfacet *f, uint32_t doc, const uint8_t *rec, size_t n)
{
	assert(f->order == NULL);
	/* the values and places invert.c's add_facets takes */
	f->npend = 0;
	int rc = st_encoded_facets(rec, n, value, f);
	if (rc)
		return rc;
	/* a value listed twice is one posting of frequency 2 */
	if (f->npend > 1)
		qsort(f->pend, f->npend, sizeof *f->pend, cmp_pend);
	for (size_t i = 0, j; i < f->npend && !rc; i = j) {
		for (j = i + 1; j < f->npend && f->pend[j].key == f->pend[i].key; j++)
			;
		struct mkey *m = strtab_val(&f->keys, f->pend[i].key);
		assert(m->df == 0 || doc > m->lastdoc);
		rc = add_posting(f, m, doc, f->pend + i, j - i);
	}
	return rc;
}

static int cmp_key(const void *a, const void *b, void *ctx)
{
	const struct strtab *t = ctx;
	size_t xn, yn;
	const uint8_t *x = strtab_str(t, *(const uint32_t *)a, &xn);
	const uint8_t *y = strtab_str(t, *(const uint32_t *)b, &yn);
	return seg_key_cmp(x, xn, y, yn);
}

int mfacet_sort(mfacet *f)
{
	assert(f->order == NULL);
	if ((f->order = malloc(sizeof *f->order * (f->keys.n ? f->keys.n : 1))) == NULL)
		return ERR_NOMEM;
	for (size_t i = 0; i < f->keys.n; i++)
		f->order[i] = (uint32_t)i;
	if (f->keys.n > 1)
		qsort_r(f->order, f->keys.n, sizeof *f->order, cmp_key, &f->keys);
	free(f->pend);
	f->pend = NULL;
	f->npend = f->pendcap = 0;
	return 0;
}

size_t mfacet_nkeys(const mfacet *f)
{
	return f->keys.n;
}

const uint8_t *mfacet_key(const mfacet *f, size_t k, size_t *len)
{
	assert(f->order && k < f->keys.n);
	return strtab_str(&f->keys, f->order[k], len);
}

size_t mfacet_seek(const mfacet *f, const uint8_t *key, size_t n)
{
	assert(f->order);
	size_t lo = 0, hi = f->keys.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, len;
		const uint8_t *k = strtab_str(&f->keys, f->order[mid], &len);
		if (seg_key_cmp(k, len, key, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Reads the posting at l->p into l->doc, l->tf and l->pos (doc is the
 * previous document, for the gap). */
static void read_posting(struct mfacet_list *l, uint32_t doc)
{
	uint64_t gap = 0, tf = 0, g = 0;
	if (l->left == 0) {
		l->doc = SEG_END;
		l->tf = 0;
		return;
	}
	l->left--;
	l->p += fmt_get_varint(l->p, l->end, &gap);
	if (gap & 1)
		tf = 1;
	else
		l->p += fmt_get_varint(l->p, l->end, &tf);
	l->doc = doc + (uint32_t)(gap >> 1);
	l->tf = (uint32_t)tf;
	l->pos = l->p;
	for (uint64_t j = 0; j < tf; j++)
		l->p += fmt_get_varint(l->p, l->end, &g);
}

int mfacet_open(const mfacet *f, size_t k, struct fmt_buf *buf, struct mfacet_list *l)
{
	assert(f->order && k < f->keys.n);
	const struct mkey *m = strtab_val(&f->keys, f->order[k]);
	buf->len = 0;
	for (const struct slice *s = m->first; s; s = s->next)
		fmt_buf_put(buf, s->data, s == m->last ? s->size - m->room : s->size);
	if (buf->rc)
		return ERR_NOMEM;
	l->p = buf->p;
	l->end = buf->p + buf->len;
	l->left = m->df;
	read_posting(l, 0);
	return 0;
}

void mfacet_next(struct mfacet_list *l, uint32_t *pos)
{
	const uint8_t *p = l->pos;
	uint32_t last = 0;
	for (uint32_t j = 0; j < l->tf; j++) {
		uint64_t g = 0;
		p += fmt_get_varint(p, l->end, &g);
		last += (uint32_t)g;
		pos[j] = last;
	}
	read_posting(l, l->doc);
}
