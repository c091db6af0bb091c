/*
 * mergefacet.c - facet keys made from stored records during a merge (see
 * mergefacet.h).  A table of the values met, keyed by key-space byte and
 * value as in segfacet.c; each value's postings grow in slices of an
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

#define SLICE_MIN 16
#define SLICE_MAX 8192

/* A piece of a key's postings; every slice but a key's last is full. */
struct slice {
	struct slice *next;
	uint32_t size;
	uint8_t data[];
};

struct mkey {
	size_t off;                 /* key bytes in f->bytes */
	uint32_t len;
	uint32_t df, lastdoc;       /* postings so far, the last one's document */
	uint32_t room;              /* unused bytes at the end of last */
	struct slice *first, *last; /* NULL until the first posting */
};

/* A value of the document being added: its key and position. */
struct pend {
	uint32_t key, pos;
};

struct mfacet {
	struct mkey *k;
	size_t n, cap;
	uint32_t *slot; /* index + 1 into k, 0 empty; a power of two, over 2n */
	size_t nslots;
	struct fmt_buf bytes;
	struct arena slices;
	struct pend *pend;
	size_t npend, pendcap;
	/* value()'s state: the key space and the next position in it */
	unsigned fk;
	uint32_t pos;
	int sorted;
};

mfacet *mfacet_new(void)
{
	mfacet *f = calloc(1, sizeof *f);
	if (f) {
		fmt_buf_init(&f->bytes);
		arena_init(&f->slices);
	}
	return f;
}

void mfacet_free(mfacet *f)
{
	if (f == NULL)
		return;
	free(f->k);
	free(f->slot);
	free(f->pend);
	fmt_buf_free(&f->bytes);
	arena_free(&f->slices);
	free(f);
}

static int grow_table(mfacet *f)
{
	size_t ns = f->nslots ? f->nslots * 2 : 1024;
	uint32_t *t = calloc(ns, sizeof *t);
	if (t == NULL)
		return ERR_NOMEM;
	for (size_t i = 0; i < f->n; i++) {
		size_t h = fmt_hash(f->bytes.p + f->k[i].off, f->k[i].len) & (ns - 1);
		while (t[h])
			h = (h + 1) & (ns - 1);
		t[h] = (uint32_t)i + 1;
	}
	free(f->slot);
	f->slot = t;
	f->nslots = ns;
	return 0;
}

/* The index of key k[0..n), added when new; -1 when out of memory. */
static long find(mfacet *f, const uint8_t *k, size_t n)
{
	if ((f->n + 1) * 2 > f->nslots && grow_table(f))
		return -1;
	size_t h = fmt_hash(k, n) & (f->nslots - 1);
	for (; f->slot[h]; h = (h + 1) & (f->nslots - 1)) {
		const struct mkey *m = &f->k[f->slot[h] - 1];
		if (m->len == n && memcmp(f->bytes.p + m->off, k, n) == 0)
			return (long)(f->slot[h] - 1);
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 256;
		struct mkey *nk = realloc(f->k, sizeof *nk * cap);
		if (nk == NULL)
			return -1;
		f->k = nk;
		f->cap = cap;
	}
	size_t off = f->bytes.len;
	fmt_buf_put(&f->bytes, k, n);
	if (f->bytes.rc)
		return -1;
	f->k[f->n] = (struct mkey){.off = off, .len = (uint32_t)n};
	f->slot[h] = (uint32_t)++f->n;
	return (long)(f->n - 1);
}

/* st_facet_values' callback: one value of key space f->fk. */
static int value(void *ctx, const char *s, size_t n)
{
	mfacet *f = ctx;
	uint32_t pos = f->pos++; /* counted whether kept or not, as invert.c's queue_facet */
	uint8_t k[SEG_MAX_KEY];
	if (n + 1 > SEG_MAX_KEY) /* not with values cut to ST_FACET_MAX; as invert.c's queue */
		return 0;
	k[0] = (uint8_t)f->fk;
	memcpy(k + 1, s, n);
	long id = find(f, k, n + 1);
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
	assert(!f->sorted);
	struct st_record r;
	uint32_t *refs = NULL;
	int rc = st_decode(rec, n, &r, &refs);
	free(refs);
	if (rc)
		return rc;
	/* the three key spaces as invert.c's add_facets takes them */
	static const unsigned fks[] = {FK_JOURNAL, FK_MESH, FK_PUBTYPE};
	f->npend = 0;
	for (size_t i = 0; i < sizeof fks / sizeof *fks && !rc; i++) {
		f->fk = fks[i];
		f->pos = 0;
		rc = st_facet_values(fks[i], r.s[ST_JOURNAL], r.s[ST_JOURNAL_ISO],
				     r.s[fks[i] == FK_MESH ? ST_MESH : ST_PUBTYPES], value, f);
	}
	if (rc)
		return rc;
	/* a value listed twice is one posting of frequency 2 */
	if (f->npend > 1)
		qsort(f->pend, f->npend, sizeof *f->pend, cmp_pend);
	for (size_t i = 0, j; i < f->npend && !rc; i = j) {
		for (j = i + 1; j < f->npend && f->pend[j].key == f->pend[i].key; j++)
			;
		struct mkey *m = &f->k[f->pend[i].key];
		assert(m->df == 0 || doc > m->lastdoc);
		rc = add_posting(f, m, doc, f->pend + i, j - i);
	}
	return rc;
}

static int cmp_key(const void *a, const void *b, void *ctx)
{
	const uint8_t *bytes = ctx;
	const struct mkey *x = a, *y = b;
	return seg_key_cmp(bytes + x->off, x->len, bytes + y->off, y->len);
}

void mfacet_sort(mfacet *f)
{
	if (f->n > 1)
		qsort_r(f->k, f->n, sizeof *f->k, cmp_key, f->bytes.p);
	/* the table's indexes no longer hold, and nothing looks up again */
	free(f->slot);
	f->slot = NULL;
	f->nslots = 0;
	free(f->pend);
	f->pend = NULL;
	f->npend = f->pendcap = 0;
	f->sorted = 1;
}

size_t mfacet_nkeys(const mfacet *f)
{
	return f->n;
}

const uint8_t *mfacet_key(const mfacet *f, size_t k, size_t *len)
{
	assert(f->sorted && k < f->n);
	*len = f->k[k].len;
	return f->bytes.p + f->k[k].off;
}

size_t mfacet_seek(const mfacet *f, const uint8_t *key, size_t n)
{
	assert(f->sorted);
	size_t lo = 0, hi = f->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mkey *m = &f->k[mid];
		if (seg_key_cmp(f->bytes.p + m->off, m->len, key, n) < 0)
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
	assert(f->sorted && k < f->n);
	const struct mkey *m = &f->k[k];
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
