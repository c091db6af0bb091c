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

/* A facet key of the dictionary and its df.  0 or ERR_NOMEM. */
int segfacet_key(segfacet *f, const uint8_t *key, size_t n, uint32_t df);

/* Document doc's unpacked stored record rec[0..n) (§7.1).  0, ERR_NOMEM
 * or ERR_CORRUPT (the record does not decode). */
int segfacet_record(segfacet *f, uint32_t doc, const uint8_t *rec, size_t n);

/* 0 when every value counts as many documents both ways; else
 * ERR_CORRUPT with e naming segment name and the first value that
 * differs. */
int segfacet_check(const segfacet *f, const char *name, struct err *e);

#endif
