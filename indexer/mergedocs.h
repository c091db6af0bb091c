/*
 * mergedocs.h - the documents of a merge: how the inputs' live documents
 * are renumbered into the output, and the output's document table read
 * from the inputs as the segment writer asks for it (struct sw_docsrc),
 * so that neither takes memory that grows with the documents beyond a bit
 * each for the inputs that lost some.
 */
#ifndef MERGEDOCS_H
#define MERGEDOCS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "seg.h"
#include "segwrite.h"

/* The live documents of an input with deaths, as a bitmap with the count
 * of live documents before each of its words and the place of every 64th
 * live document: a document's new number is a rank, and the k-th live
 * document a select, for about 2 bits a document where arrays both ways
 * took 8 bytes. */
struct mlive {
	uint64_t *bits; /* NULL: the input lost nothing */
	uint32_t *rank; /* live documents before word j */
	uint32_t *sel;  /* the (64 * j)-th live document */
	uint32_t nwords;
};

/* Builds rank and sel from bits (nwords words, at least one bit set). */
int mlive_index(struct mlive *l);
void mlive_free(struct mlive *l);
/* The k-th (from 0) live document; there must be more than k. */
uint32_t mlive_select(const struct mlive *l, uint32_t k);
/* The first live document at or after d; there must be one. */
uint32_t mlive_next(const struct mlive *l, uint32_t d);

struct mdocs {
	struct seg *const *segs;
	size_t n;
	uint32_t *first;  /* n + 1: the output id of input i's first live
			   * document; first[n] is the output's count */
	struct mlive *lv; /* per input: its live documents when it has deaths */
	/* the (pmid, doc) order walk: one cursor per input, a heap of inputs */
	uint32_t *rank;
	size_t *heap, nheap;
	uint32_t done; /* documents the walk has given */
	struct sw_docsrc src;
};

/* Document d of input i is deleted, before or by this merge (dead[i], a
 * bitmap, may be NULL, as may dead). */
static inline int mdocs_dead(struct seg *const *segs, const uint8_t *const *dead, size_t i,
			     uint32_t d)
{
	return seg_deleted(segs[i], d) || (dead && dead[i] && (dead[i][d >> 3] >> (d & 7) & 1));
}

/* Numbers the live documents of segs[0..n) one input after another. */
int mdocs_init(struct mdocs *m, struct seg *const *segs, const uint8_t *const *dead, size_t n,
	       struct err *e);
void mdocs_free(struct mdocs *m);

/* Bits set in x.  Not __builtin_popcountll: without -mpopcnt, which a
 * binary for any x86-64 cannot assume, that is a call into libgcc, and it
 * was a tenth of a merge with deletions. */
static inline uint32_t mdocs_popcount(uint64_t x)
{
	x -= (x >> 1) & 0x5555555555555555u;
	x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fu;
	return (uint32_t)((x * 0x0101010101010101u) >> 56);
}

/* Live documents before d; *live says whether d is one. */
static inline uint32_t mlive_rank(const struct mlive *l, uint32_t d, int *live)
{
	uint32_t w = d >> 6;
	uint64_t word = l->bits[w];
	*live = (int)(word >> (d & 63) & 1);
	return l->rank[w] + mdocs_popcount(word & (((uint64_t)1 << (d & 63)) - 1));
}

/* The output id of document d of input i, or SEG_END when it is dead. */
static inline uint32_t mdocs_out(const struct mdocs *m, size_t i, uint32_t d)
{
	const struct mlive *l = &m->lv[i];
	if (l->bits == NULL)
		return m->first[i] + d;
	int live;
	uint32_t r = mlive_rank(l, d, &live);
	return live ? m->first[i] + r : SEG_END;
}

/* Live documents of input i. */
static inline uint32_t mdocs_live(const struct mdocs *m, size_t i)
{
	return m->first[i + 1] - m->first[i];
}

#endif
