/*
 * merge.h - merges segments into one, dropping deleted documents; used by
 * the end of every indexing run, by the automatic merge policy and by
 * `sarc-index --merge`.
 */
#ifndef MERGE_H
#define MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "seg.h"

struct merge_out {
	uint32_t ndocs;          /* documents written */
	uint64_t bytes;          /* the new segment's size */
	uint64_t blocks_copied;  /* stored blocks copied compressed */
	uint64_t blocks_packed;  /* stored blocks written from records packed again */
};

/* Writes segment dir/outname holding the live documents of segs[0..n) in
 * order.  A document is dropped when its segment's deletion file marks it
 * or, when dead[i] is not NULL, when bit d of dead[i] is set.  The terms
 * are merged in up to `threads` key ranges at once, fewer when `memory`
 * (bytes, the --memory budget) would not hold them. */
int merge_segments(const char *dir, struct seg *const *segs, const uint8_t *const *dead,
		   size_t n, const char *outname, uint32_t flags, unsigned threads,
		   size_t memory, struct merge_out *out, struct err *e);

#endif
