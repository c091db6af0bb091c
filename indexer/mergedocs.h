/*
 * mergedocs.h - the documents of a merge: how the inputs' live documents
 * are renumbered into the output, and the output's document table read
 * from the inputs as the segment writer asks for it (struct sw_docsrc),
 * so that neither takes memory for the documents of inputs that lost none.
 */
#ifndef MERGEDOCS_H
#define MERGEDOCS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "seg.h"
#include "segwrite.h"

struct mdocs {
	struct seg *const *segs;
	size_t n;
	uint32_t *first;  /* n + 1: the output id of input i's first live
			   * document; first[n] is the output's count */
	uint32_t **remap; /* for an input with deaths: its document -> the
			   * output's (SEG_END: dead); NULL for the others */
	uint32_t **live;  /* for an input with deaths: its k-th live document */
	/* the (pmid, doc) order walk: one cursor per input, a heap of inputs */
	uint32_t *rank;
	size_t *heap, nheap;
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

/* The output id of document d of input i, or SEG_END when it is dead. */
static inline uint32_t mdocs_out(const struct mdocs *m, size_t i, uint32_t d)
{
	return m->remap[i] ? m->remap[i][d] : m->first[i] + d;
}

/* Live documents of input i. */
static inline uint32_t mdocs_live(const struct mdocs *m, size_t i)
{
	return m->first[i + 1] - m->first[i];
}

#endif
