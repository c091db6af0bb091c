/*
 * segfacet.h - --verify's check that a segment's facet keys (FORMAT.md
 * §4.1) count what its stored records hold: for each value, the
 * documents its key lists (df) and the documents whose record gives it.
 * Facet counts read from the keys would otherwise be wrong silently,
 * where every CRC still matches.
 */
#ifndef SEGFACET_H
#define SEGFACET_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct segfacet segfacet;

segfacet *segfacet_new(void);
void segfacet_free(segfacet *f);

/* A document's share of a fingerprint of a set of documents: the sum
 * (mod 2^64) of the shares of its documents.  Equal counts with equal
 * fingerprints are the same documents (but by a chance of about 2^-64),
 * where equal counts alone may be other documents. */
static inline uint64_t segfacet_doc(uint32_t doc)
{
	uint64_t x = doc + 0x9E3779B97F4A7C15ull; /* splitmix64 */
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

/* A facet key of the dictionary, its df and the fingerprint of the
 * documents it lists (the sum of their segfacet_doc).  0 or ERR_NOMEM. */
int segfacet_key(segfacet *f, const uint8_t *key, size_t n, uint32_t df, uint64_t docs);

/* Document doc's unpacked stored record rec[0..n) (§7.1).  0, ERR_NOMEM
 * or ERR_CORRUPT (the record does not decode). */
int segfacet_record(segfacet *f, uint32_t doc, const uint8_t *rec, size_t n);

/* 0 when every value counts the same documents both ways (as many, with
 * the same fingerprint); else ERR_CORRUPT with e naming segment name and
 * the first value that differs. */
int segfacet_check(const segfacet *f, const char *name, struct err *e);

#endif
