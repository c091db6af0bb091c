/*
 * engbits.c - unscored runs (counts, facets) by bitmap: the matches of a
 * segment set as bits, each list read whole on its own, instead of walked
 * a document at a time through the cursors, when the query matches enough
 * of the segment for that to pay.  eng_est_docs, the estimate that
 * decides it, is also what the rankers weigh lists by (engwindow.c,
 * engconj.c).
 */
#include "engrun.h"

#include <stdlib.h>
#include <string.h>

uint64_t eng_est_docs(const struct sc *c, unsigned depth)
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
			sum += eng_est_docs(c->kids[i], depth + 1);
		return sum < n ? sum : n;
	}
	case SC_AND:
	case SC_PHRASE:
	case SC_NEAR:
		for (size_t i = 0; i < c->nkids; i++) {
			uint64_t m = eng_est_docs(c->kids[i], depth + 1);
			if (m < n)
				n = m;
		}
		return n;
	case SC_REQOPT:
	case SC_EXCL:
	case SC_FILTER:
		return eng_est_docs(c->kids[0], depth + 1);
	case SC_DOCS:
		return c->ndocs;
	default:
		return n;
	}
}

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
 * other scorer is walked as eng_run_all walks it.  held: bitmaps held by
 * the callers. */
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
		if (eng_est_docs(c->kids[i], 0) < nd / 64)
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
 * what eng_run_all() does, in the same order.  A match bitmap pays a pass
 * over the segment's documents, so it is for queries that match a good
 * part of them (sarc-query's count of `patients` at 10^6 citations: the
 * heap of a disjunction of seven lists took most of the time); the others
 * are walked. */
void eng_run_bits(struct run *r, size_t segno, struct sc *root)
{
	const struct seg *s = &r->ix->x.segs[segno];
	uint32_t nd = s->ndocs;
	size_t nw = ((size_t)nd + 63) / 64;
	uint64_t *bits = eng_est_docs(root, 0) < nd / 64 ? NULL : calloc(nw ? nw : 1, sizeof *bits);
	if (bits == NULL) { /* few matches, or no memory: walked */
		eng_run_all(r, segno, root);
		return;
	}
	match_bits(root, bits, nd, 0, 1);
	/* an excluded PMID is found by reading each match's PMID (eng_offer) */
	int whole = !r->q->has_exclude;
	int count = r->visit == eng_count_visit && whole;
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
			eng_offer(r, segno, (uint32_t)(i * 64 + (unsigned)__builtin_ctzll(w)), 0.0);
	}
	if (count)
		*(uint64_t *)r->ctx += n;
	free(bits);
}

