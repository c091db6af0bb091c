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

/* Writes segment dir/outname holding the live documents of segs[0..n) in
 * order.  A document is dropped when its segment's deletion file marks it
 * or, when dead[i] is not NULL, when bit d of dead[i] is set.  *ndocs
 * receives the number of documents written. */
int merge_segments(const char *dir, struct seg *const *segs, const uint8_t *const *dead,
		   size_t n, const char *outname, uint32_t flags, uint32_t *ndocs,
		   uint64_t *bytes, struct err *e);

#endif
