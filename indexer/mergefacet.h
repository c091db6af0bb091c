/*
 * mergefacet.h - the facet keys (FORMAT.md §4.1) of a merge's inputs that
 * have none (segments of format version 6, written before facet keys
 * existed), made from their stored records during the merge as the
 * inverter makes them when indexing: the same keys, frequencies and
 * positions, so that a merged segment always has facet keys and they are
 * the bytes a fresh build of its documents would write.
 *
 * The postings are held in memory until the merge writes the facet keys,
 * which sort after every other key: varint-coded gaps in slices of an
 * arena, about 2.3 bytes a value of a record (its journal, each MeSH
 * heading, each publication type): 18 MB for the 7.8 million values of
 * the 10^6 synthetic citations of the benchmark (PubMed's have about 15
 * values each, which would make 35 MB), plus about 60 bytes a distinct
 * value (tens of thousands of journals and headings at most).  Only the
 * live documents of inputs without keys count, and only the merge that
 * first meets such a segment pays it: the segment it writes has keys.
 * The merge's peak memory was 33 MB higher (84 MB where 51, -j 1).
 * Time: every stored block of those inputs is inflated and its records
 * unpacked whole, a block copied compressed too: 15 to 20 s more for the
 * merge of 10^6 citations (34 to 39 s where 19), nearly all of it there
 * (perf: the facet values and their postings take 3% of the merge).
 */
#ifndef MERGEFACET_H
#define MERGEFACET_H

#include <stddef.h>
#include <stdint.h>

#include "fmt.h"

typedef struct mfacet mfacet;

/* What the keys may cost a document, counted against --memory: about
 * twice the synthetic citations' 18 bytes, as PubMed's have about twice
 * their values.  A merge makes the keys only when the live documents of
 * its inputs without keys fit in half the budget (13 million citations at
 * the default 1 GiB), as merges hold their other buffers within it; a
 * larger index of format 6 keeps counting facets from its records until
 * it is indexed again (or merged under a larger --memory). */
#define MFACET_DOC_BYTES 48
static inline int mfacet_fits(uint64_t docs, size_t memory)
{
	return docs <= memory / 2 / MFACET_DOC_BYTES;
}

/* An empty set of facet keys, or NULL when out of memory. */
mfacet *mfacet_new(void);
void mfacet_free(mfacet *f);

/* Adds the facet values of output document doc, whose unpacked stored
 * record (§7.1) is rec[0..n).  Documents come in increasing order.
 * Returns 0, ERR_NOMEM, or ERR_CORRUPT when the record does not decode. */
int mfacet_add(mfacet *f, uint32_t doc, const uint8_t *rec, size_t n);

/* Puts the keys in key order (§4), after the last mfacet_add: from then
 * on f is read, never written, and any number of threads may read it.
 * 0 or ERR_NOMEM. */
int mfacet_sort(mfacet *f);

/* Keys, in key order, after mfacet_sort. */
size_t mfacet_nkeys(const mfacet *f);
/* Key k's bytes (the key-space byte, then the value), *len of them;
 * valid until mfacet_free. */
const uint8_t *mfacet_key(const mfacet *f, size_t k, size_t *len);
/* The first key >= key[0..n), or mfacet_nkeys when none is. */
size_t mfacet_seek(const mfacet *f, const uint8_t *key, size_t n);

/* A reader of one key's postings, in increasing document order. */
struct mfacet_list {
	const uint8_t *p, *end; /* the postings after the current one */
	uint32_t left;          /* postings after the current one */
	uint32_t doc, tf;       /* the current posting; doc is SEG_END past the last */
	const uint8_t *pos;     /* its positions, coded */
};

/* Opens key k's postings at the first: buf (the caller's, reused from key
 * to key) holds them, so it must outlive l.  Returns 0 or ERR_NOMEM. */
int mfacet_open(const mfacet *f, size_t k, struct fmt_buf *buf, struct mfacet_list *l);
/* Writes the current posting's l->tf positions to pos (room for l->tf)
 * and moves to the next posting. */
void mfacet_next(struct mfacet_list *l, uint32_t *pos);

#endif
