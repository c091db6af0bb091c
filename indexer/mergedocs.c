/*
 * mergedocs.c - the documents of a merge (see mergedocs.h).  The output
 * table is never held: its columns are read from the inputs' (bit-packed,
 * mapped) columns a chunk at a time, and its (pmid, doc) order is the
 * inputs' own orders merged k ways.  Only an input that lost documents
 * costs memory: its live bitmap, ranked (struct mlive).
 */
#include "mergedocs.h"

#include <stdlib.h>
#include <string.h>

/* The position of the k-th (from 0) set bit of word, which has more than
 * k: the byte holding it from the bytes' running counts, then bit by bit
 * within that byte (at most 7 steps, where 63 were). */
static uint32_t select_in_word(uint64_t word, uint32_t k)
{
	uint64_t x = word - ((word >> 1) & 0x5555555555555555u);
	x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fu; /* each byte's count */
	uint64_t run = x * 0x0101010101010101u;    /* byte i: bytes 0..i */
	unsigned byte = 0;
	while (((run >> (8 * byte)) & 0xff) <= k)
		byte++;
	if (byte > 0)
		k -= (uint32_t)((run >> (8 * (byte - 1))) & 0xff);
	uint32_t b = (uint32_t)(word >> (8 * byte)) & 0xff;
	while (k--)
		b &= b - 1;
	return 8 * byte + (uint32_t)__builtin_ctz(b);
}

int mlive_index(struct mlive *l)
{
	uint32_t nlive = 0;
	for (uint32_t w = 0; w < l->nwords; w++)
		nlive += mdocs_popcount(l->bits[w]);
	l->rank = malloc(sizeof *l->rank * (l->nwords ? l->nwords : 1));
	l->sel = malloc(sizeof *l->sel * (nlive / 64 + 1));
	if (!l->rank || !l->sel)
		return ERR_NOMEM;
	uint32_t r = 0;
	for (uint32_t w = 0; w < l->nwords; w++) {
		l->rank[w] = r;
		for (uint64_t word = l->bits[w]; word; word &= word - 1, r++)
			if (r % 64 == 0)
				l->sel[r / 64] = w * 64 + (uint32_t)__builtin_ctzll(word);
	}
	return 0;
}

void mlive_free(struct mlive *l)
{
	free(l->bits);
	free(l->rank);
	free(l->sel);
	memset(l, 0, sizeof *l);
}

/* The k-th (from 0) live document of l: from the place of the last
 * 64th before it, word by word (a search of the rank samples was a fifth
 * of a merge with deletions: the block maxima ask this of every posting). */
uint32_t mlive_select(const struct mlive *l, uint32_t k)
{
	uint32_t p = l->sel[k >> 6], w = p >> 6;
	uint64_t word = l->bits[w] & (~(uint64_t)0 << (p & 63));
	for (k &= 63;; word = l->bits[++w]) {
		uint32_t c = mdocs_popcount(word);
		if (k < c)
			return w * 64 + select_in_word(word, k);
		k -= c;
	}
}

uint32_t mlive_next(const struct mlive *l, uint32_t d)
{
	uint32_t w = d >> 6;
	uint64_t word = l->bits[w] & (~(uint64_t)0 << (d & 63));
	while (word == 0)
		word = l->bits[++w];
	return w * 64 + (uint32_t)__builtin_ctzll(word);
}

/* The input holding output document d, and d's number there. */
static size_t locate(const struct mdocs *m, uint32_t d, uint32_t *in)
{
	size_t lo = 0, hi = m->n; /* the last input with first <= d */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->first[mid] <= d)
			lo = mid;
		else
			hi = mid;
	}
	/* (an input with no live document shares its first with the next:
	 * the search ends past it, on the last input whose first is <= d) */
	uint32_t k = d - m->first[lo];
	*in = m->lv[lo].bits ? mlive_select(&m->lv[lo], k) : k;
	return lo;
}

static uint32_t value(const struct seg *s, unsigned k, uint32_t d)
{
	if (k == 0)
		return seg_doc_pmid(s, d);
	if (k == 1)
		return seg_doc_year(s, d);
	return seg_doc_len(s, d, k - 2);
}

/* Releases the inputs' document tables' pages every RELEASE_DOCS
 * documents of a pass over them (d0: where the pass is): read over the
 * whole output, they would stay mapped into the process, a few bytes a
 * document.  Those still in use come back from the page cache. */
#define RELEASE_DOCS ((uint32_t)1 << 16)
static void release_every(const struct mdocs *m, uint32_t d0)
{
	if (d0 % RELEASE_DOCS == 0)
		for (size_t i = 0; i < m->n; i++)
			seg_map_release(&m->segs[i]->f[SEGF_DOC], 1);
}

static void column(void *ctx, unsigned k, uint32_t d0, uint32_t n, uint32_t *out)
{
	const struct mdocs *m = ctx;
	if (n == 0)
		return;
	uint32_t in;
	size_t i = locate(m, d0, &in);
	uint32_t x = in; /* d's number in input i */
	release_every(m, d0);
	for (uint32_t j = 0; j < n; j++) {
		uint32_t d = d0 + j;
		if (d >= m->first[i + 1]) { /* the next input with a live document */
			while (d >= m->first[i + 1])
				i++;
			x = m->lv[i].bits ? mlive_next(&m->lv[i], 0) : 0;
		} else if (j > 0) {
			x = m->lv[i].bits ? mlive_next(&m->lv[i], x + 1) : x + 1;
		}
		out[j] = value(m->segs[i], k, x);
	}
}

/* A block's documents, increasing: each located afresh, unless it follows
 * the one before closely in the same input, then stepped to (a select for
 * every posting was a fifth of a merge with deletions). */
static void lens(void *ctx, const uint32_t *docs, uint32_t n, unsigned f, uint16_t *out)
{
	enum { STEP_MAX = 16 };
	const struct mdocs *m = ctx;
	size_t i = 0;
	uint32_t x = 0;
	for (uint32_t j = 0; j < n; j++) {
		uint32_t d = docs[j];
		if (j == 0 || d >= m->first[i + 1] || d - docs[j - 1] > STEP_MAX)
			i = locate(m, d, &x);
		else if (m->lv[i].bits == NULL)
			x += d - docs[j - 1];
		else
			for (uint32_t g = d - docs[j - 1]; g > 0; g--)
				x = mlive_next(&m->lv[i], x + 1);
		out[j] = seg_doc_len(m->segs[i], x, f);
	}
}

/* Input i's current document in its (pmid, doc) order, skipping the dead;
 * 0 when it has none left. */
static int head(const struct mdocs *m, size_t i, uint32_t *doc)
{
	const struct seg *s = m->segs[i];
	for (; m->rank[i] < s->ndocs; m->rank[i]++) {
		uint32_t d = seg_doc_by_rank(s, m->rank[i]);
		if (d < s->ndocs && mdocs_out(m, i, d) != SEG_END) {
			*doc = d;
			return 1;
		}
	}
	return 0;
}

/* Input a's head comes before input b's: by PMID, then by input, whose
 * output numbers follow one another. */
static int before(const struct mdocs *m, size_t a, size_t b)
{
	const struct seg *sa = m->segs[a], *sb = m->segs[b];
	uint32_t pa = seg_doc_pmid(sa, seg_doc_by_rank(sa, m->rank[a]));
	uint32_t pb = seg_doc_pmid(sb, seg_doc_by_rank(sb, m->rank[b]));
	return pa != pb ? pa < pb : a < b;
}

static void sift(struct mdocs *m, size_t at)
{
	for (;;) {
		size_t best = at, l = 2 * at + 1, r = l + 1;
		if (l < m->nheap && before(m, m->heap[l], m->heap[best]))
			best = l;
		if (r < m->nheap && before(m, m->heap[r], m->heap[best]))
			best = r;
		if (best == at)
			return;
		size_t t = m->heap[at];
		m->heap[at] = m->heap[best];
		m->heap[best] = t;
		at = best;
	}
}

static int order(void *ctx, int start, uint32_t *out, uint32_t n)
{
	struct mdocs *m = ctx;
	uint32_t d;
	if (start)
		m->done = 0;
	release_every(m, m->done);
	m->done += n;
	if (start) {
		m->nheap = 0;
		for (size_t i = 0; i < m->n; i++) {
			m->rank[i] = 0;
			if (head(m, i, &d))
				m->heap[m->nheap++] = i;
		}
		for (size_t i = m->nheap; i-- > 0;)
			sift(m, i);
	}
	for (uint32_t j = 0; j < n; j++) {
		if (m->nheap == 0)
			return ERR_CORRUPT; /* fewer live documents than counted */
		size_t i = m->heap[0];
		head(m, i, &d);
		out[j] = mdocs_out(m, i, d);
		m->rank[i]++;
		if (!head(m, i, &d))
			m->heap[0] = m->heap[--m->nheap];
		sift(m, 0);
	}
	return 0;
}

int mdocs_init(struct mdocs *m, struct seg *const *segs, const uint8_t *const *dead, size_t n,
	       struct err *e)
{
	memset(m, 0, sizeof *m);
	m->segs = segs;
	m->n = n;
	m->first = calloc(n + 1, sizeof *m->first);
	m->lv = calloc(n ? n : 1, sizeof *m->lv);
	m->rank = calloc(n ? n : 1, sizeof *m->rank);
	m->heap = calloc(n ? n : 1, sizeof *m->heap);
	if (!m->first || !m->lv || !m->rank || !m->heap)
		goto nomem;
	uint64_t next = 0;
	for (size_t i = 0; i < n; i++) {
		m->first[i] = (uint32_t)next;
		uint32_t nd = segs[i]->ndocs, ndead = 0;
		for (uint32_t d = 0; d < nd; d++)
			ndead += mdocs_dead(segs, dead, i, d);
		if (ndead > 0) {
			struct mlive *l = &m->lv[i];
			l->nwords = (nd + 63) / 64;
			if ((l->bits = calloc(l->nwords, sizeof *l->bits)) == NULL)
				goto nomem;
			for (uint32_t d = 0; d < nd; d++)
				if (!mdocs_dead(segs, dead, i, d))
					l->bits[d >> 6] |= (uint64_t)1 << (d & 63);
			if (mlive_index(l))
				goto nomem;
		}
		next += nd - ndead;
		if (next > SEG_MAX_DOCS)
			return err_set(e, ERR_LIMIT, "too many documents for one segment");
	}
	m->first[n] = (uint32_t)next;
	m->src = (struct sw_docsrc){.ctx = m, .column = column, .lens = lens, .order = order};
	return 0;
nomem:
	return err_set(e, ERR_NOMEM, "out of memory");
}

void mdocs_free(struct mdocs *m)
{
	for (size_t i = 0; m->lv && i < m->n; i++)
		mlive_free(&m->lv[i]);
	free(m->first);
	free(m->lv);
	free(m->rank);
	free(m->heap);
	memset(m, 0, sizeof *m);
}
