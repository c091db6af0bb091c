/*
 * invert.h - the in-memory inverter: turns citations into per-(field, term)
 * posting lists with positions, and flushes them as one sorted segment
 * when the caller decides the memory budget is reached.
 */
#ifndef INVERT_H
#define INVERT_H

#include <stddef.h>
#include <stdint.h>

#include "analyze.h"
#include "err.h"
#include "pubmed.h"
#include "segwrite.h"

typedef struct inv inv;

/* Per document of a flushed segment: what replacement resolution needs. */
struct inv_docinfo {
	uint32_t pmid;
	uint64_t seq; /* (file number << 32) | record number: later wins */
};

/* Creates an inverter with its own analyzer (one per thread). */
inv *inv_new(const struct an_settings *an, struct err *e);
void inv_free(inv *v);

/* Adds one citation as the next document. */
int inv_add(inv *v, const struct pm_record *r, uint64_t seq, struct err *e);

/* Bytes of memory the buffered documents hold (for the --memory budget). */
size_t inv_bytes(const inv *v);
uint32_t inv_ndocs(const inv *v);
/* Postings buffered (for statistics). */
uint64_t inv_npostings(const inv *v);

/* Writes the buffered documents as segment dir/name and empties the
 * inverter.  The stored records are packed with the vocabulary the run
 * shares in slot (segwrite.h) when slot is not NULL.  *info receives a
 * malloc'd array of inv_ndocs() entries (free it); *bytes the segment's
 * size on disk. */
int inv_flush(inv *v, const char *dir, const char *name, uint32_t flags,
	      struct sw_vocab_slot *slot, struct inv_docinfo **info, uint64_t *bytes,
	      struct err *e);

#endif
