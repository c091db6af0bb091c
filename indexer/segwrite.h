/*
 * segwrite.h - writes one immutable segment (FORMAT.md §2-§7): documents
 * first, in document-id order, then terms in key order.  Used both to flush
 * the in-memory inverter and to merge segments.
 */
#ifndef SEGWRITE_H
#define SEGWRITE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "fields.h"
#include "fmt.h"
#include "seg.h"

typedef struct sw_writer sw_writer;

/* Creates the files dir/name.{sdoc,sdic,spst,spos,ssto}.  NULL on failure. */
sw_writer *sw_open(const char *dir, const char *name, uint32_t an_version, uint32_t flags,
		   struct err *e);

/* A vocabulary for stored records (FORMAT.md §7.2), serialized, with the
 * number of records it was chosen from and its flags (SEG_VOCAB_FULL). */
struct sw_vocab {
	struct fmt_buf ser;
	uint32_t sample, flags;
};

/* Packs this segment's records with v instead of a vocabulary chosen from
 * its own first records.  Segments that share a vocabulary can be merged
 * by copying their compressed blocks (sw_add_stored_block).  Call before
 * the first document. */
int sw_use_vocab(sw_writer *w, const struct sw_vocab *v);

/* A vocabulary that the segments of one indexing run share: the first
 * writer to choose one from a full sample publishes it here and the
 * others, those writing at the same time included, adopt it.  Initialize
 * mu; v may start with the index's vocabulary. */
struct sw_vocab_slot {
	pthread_mutex_t mu;
	struct sw_vocab v;
};

/* Makes w take its vocabulary from slot (see above).  Call before the
 * first document; slot must outlive w. */
int sw_share_vocab(sw_writer *w, struct sw_vocab_slot *slot);

/* Where a writer reads its documents' table from when they are not held
 * in memory (sw_use_docsrc): the inputs of a merge.  A merge's output can
 * hold every citation of the index, and rows in memory cost 26 bytes a
 * document, with 21 more to write them out: 2 GB for the PubMed baseline,
 * twice the default --memory. */
struct sw_docsrc {
	void *ctx;
	/* Column k (0 PMIDs, 1 years, 2 + f lengths of field f) of documents
	 * d0 .. d0 + n - 1, into out; called with d0 = 0, then following on. */
	void (*column)(void *ctx, unsigned k, uint32_t d0, uint32_t n, uint32_t *out);
	/* The lengths in field f of documents docs[0..n), increasing, into
	 * out; from any thread. */
	void (*lens)(void *ctx, const uint32_t *docs, uint32_t n, unsigned f, uint16_t *out);
	/* The next n documents in (pmid, doc) order, from the first (start
	 * 1) or following on (start 0); 0, or nonzero when there are fewer
	 * than the writer's documents (damaged inputs). */
	int (*order)(void *ctx, int start, uint32_t *out, uint32_t n);
};

/* Makes w read its documents' PMIDs, years and lengths from src, which
 * must outlive w, instead of keeping those sw_add_doc() gives.  Call
 * before the first document. */
void sw_use_docsrc(sw_writer *w, const struct sw_docsrc *src);

/* Appends the next document (its id is the number of documents added
 * before it).  stored[0..n) is the encoded stored record (stored.h), or
 * NULL when the record came in a block added by sw_add_stored_block. */
int sw_add_doc(sw_writer *w, uint32_t pmid, uint16_t year, const uint16_t lens[F_NFIELDS],
	       const uint8_t *stored, size_t n);

/* Appends a compressed block of another segment's stored records as it is
 * (its vocabulary must be this writer's: sw_use_vocab).  Its k->count
 * documents must be the next ones added, each with a NULL record. */
int sw_add_stored_block(sw_writer *w, const struct seg_stored_blk *k);

/* Appends a term (keys strictly increasing): df postings with increasing
 * document ids, their frequencies, and sum(tfs) positions (each document's
 * positions in increasing order). */
int sw_add_term(sw_writer *w, const uint8_t *key, size_t keylen, uint32_t df,
		const uint32_t *docs, const uint32_t *tfs, const uint32_t *pos);

/* The same a posting at a time, for a caller that does not hold the whole
 * list (a merge: one term can have a posting in every document).  A term
 * ended with no posting is left out.  The writer holds the list's
 * postings encoded (about a byte each) and one block's positions. */
int sw_term_begin(sw_writer *w, const uint8_t *key, size_t keylen);
int sw_term_add(sw_writer *w, uint32_t doc, uint32_t tf, const uint32_t *pos);
int sw_term_end(sw_writer *w);

/* A part writer: takes sw_add_term for a range of keys, on another
 * thread, while w (which must have all its documents by then and add no
 * more) takes the range before it.  Its postings and positions go to
 * temporary files beside the segment; sw_append_part then appends them
 * and their dictionary entries to w, after w's own terms, and frees p.
 * Parts are appended in key order.  NULL on failure (e filled). */
sw_writer *sw_open_part(sw_writer *w, unsigned part, struct err *e);
int sw_append_part(sw_writer *w, sw_writer *p);

/* Writes the remaining parts, the headers, and fsyncs every file.  Frees w
 * in every case; on failure the files are removed and e is filled. */
int sw_finish(sw_writer *w, uint64_t *bytes_out, struct err *e);

/* Removes the files and frees w. */
void sw_abort(sw_writer *w);

/* For tests: lowers the largest value of the format's u32 offsets (a
 * dictionary body, one term's postings or positions; UINT32_MAX), so that
 * the refusals past them are reached without writing 4 GiB. */
void sw_test_limit(sw_writer *w, uint64_t max);

/* For tests: n zero bytes at the end of the body of file (SEGF_*) so far,
 * left as a hole that the file system need not store, so that what is
 * written next lies n bytes further on: a test reaches offsets past 4 GiB
 * without writing 4 GiB.  Returns 0 or the error code (sw_error). */
int sw_test_gap(sw_writer *w, unsigned file, uint64_t n);

/* The error a failed call recorded. */
const struct err *sw_error(const sw_writer *w);

/* Writes the deletion file dir/name (FORMAT.md §6): bitmap of ndocs bits,
 * a set bit marking a deleted document; fsyncs it. */
int sw_write_del(const char *dir, const char *name, uint32_t ndocs, const uint8_t *bits,
		 uint32_t an_version, uint32_t flags, struct err *e);
#endif
