/*
 * mergedocs.c - the documents of a merge (see mergedocs.h).  The output
 * table is never held: its columns are read from the inputs' (bit-packed,
 * mapped) columns a chunk at a time, and its (pmid, doc) order is the
 * inputs' own orders merged k ways.  Only an input that lost documents
 * costs memory, 8 bytes a document, for the two directions of its
 * renumbering.
 */
#include "mergedocs.h"

#include <stdlib.h>
#include <string.h>

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
	*in = m->live[lo] ? m->live[lo][k] : k;
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

static void column(void *ctx, unsigned k, uint32_t d0, uint32_t n, uint32_t *out)
{
	const struct mdocs *m = ctx;
	if (n == 0)
		return;
	uint32_t in;
	size_t i = locate(m, d0, &in);
	if (d0 == 0) /* a new column: the pages of the last one are done with */
		for (size_t k2 = 0; k2 < m->n; k2++)
			seg_map_release(&m->segs[k2]->f[SEGF_DOC], 1);
	for (uint32_t j = 0; j < n; j++) {
		uint32_t d = d0 + j;
		while (d >= m->first[i + 1])
			i++;
		uint32_t x = d - m->first[i];
		out[j] = value(m->segs[i], k, m->live[i] ? m->live[i][x] : x);
	}
}

static uint16_t len(void *ctx, uint32_t d, unsigned f)
{
	const struct mdocs *m = ctx;
	uint32_t in;
	size_t i = locate(m, d, &in);
	return seg_doc_len(m->segs[i], in, f);
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
	m->remap = calloc(n ? n : 1, sizeof *m->remap);
	m->live = calloc(n ? n : 1, sizeof *m->live);
	m->rank = calloc(n ? n : 1, sizeof *m->rank);
	m->heap = calloc(n ? n : 1, sizeof *m->heap);
	if (!m->first || !m->remap || !m->live || !m->rank || !m->heap)
		goto nomem;
	uint64_t next = 0;
	for (size_t i = 0; i < n; i++) {
		m->first[i] = (uint32_t)next;
		uint32_t nd = segs[i]->ndocs, ndead = 0;
		for (uint32_t d = 0; d < nd; d++)
			ndead += mdocs_dead(segs, dead, i, d);
		if (ndead > 0) {
			m->remap[i] = malloc(sizeof **m->remap * (nd + 1));
			m->live[i] = malloc(sizeof **m->live * (nd - ndead + 1));
			if (!m->remap[i] || !m->live[i])
				goto nomem;
			uint32_t k = 0;
			for (uint32_t d = 0; d < nd; d++) {
				if (mdocs_dead(segs, dead, i, d)) {
					m->remap[i][d] = SEG_END;
				} else {
					m->remap[i][d] = (uint32_t)next + k;
					m->live[i][k++] = d;
				}
			}
		}
		next += nd - ndead;
		if (next >= SEG_END)
			return err_set(e, ERR_LIMIT, "too many documents for one segment");
	}
	m->first[n] = (uint32_t)next;
	m->src = (struct sw_docsrc){.ctx = m, .column = column, .len = len, .order = order};
	return 0;
nomem:
	return err_set(e, ERR_NOMEM, "out of memory");
}

void mdocs_free(struct mdocs *m)
{
	for (size_t i = 0; i < m->n; i++) {
		if (m->remap)
			free(m->remap[i]);
		if (m->live)
			free(m->live[i]);
	}
	free(m->first);
	free(m->remap);
	free(m->live);
	free(m->rank);
	free(m->heap);
	memset(m, 0, sizeof *m);
}
