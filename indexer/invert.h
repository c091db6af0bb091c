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

/* The sequence numbers ((file number << 32) | record number: later wins)
 * of a flushed segment's documents, which replacement resolution needs, as
 * runs: document d, with run[i].doc <= d < run[i + 1].doc, has
 * run[i].seq + (d - run[i].doc).  A worker numbers a file's records one
 * after another, so a segment holds about one run per file it read rather
 * than 16 bytes per citation, which at PubMed scale was the one part of a
 * run's memory that grew with the corpus. */
struct inv_seqrun {
	uint32_t doc;
	uint64_t seq;
};
struct inv_seqs {
	struct inv_seqrun *run;
	uint32_t n;
};

/* The sequence number of document d of a segment with these runs. */
uint64_t inv_seq_of(const struct inv_seqs *s, uint32_t d);

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
 * shares in slot (segwrite.h) when slot is not NULL.  *seqs receives the
 * documents' sequence numbers (free seqs->run); *bytes the segment's size
 * on disk.  After a failure the inverter can only be freed. */
int inv_flush(inv *v, const char *dir, const char *name, uint32_t flags,
	      struct sw_vocab_slot *slot, struct inv_seqs *seqs, uint64_t *bytes,
	      struct err *e);

#endif
