/*
 * stblock.h - the layout of a stored block once inflated (FORMAT.md §7.3):
 * its packed records (§7.2) laid out by column rather than one after
 * another, so that deflate finds each field's repetitions (MeSH headings,
 * journals, author names, publication types) within its window.
 * The writer turns rows into columns; readers take records back out,
 * one after another or the one they want, from a block inflated only as
 * far as needed.
 */
#ifndef STBLOCK_H
#define STBLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "fmt.h"

#define ST_BLOCK_MAX 48     /* most records in one block (SEG_STORED_BLOCK) */
#define ST_STRINGS_MAX 64   /* most strings in one record a reader accepts */

/* Appends to out the columns of the count records in rows[0..n): each
 * record as varint length, packed record (§7.2), u32 CRC-32.  Returns 0,
 * ERR_NOMEM or ERR_CORRUPT (a record that does not parse, count out of
 * range). */
int st_block_columns(const uint8_t *rows, size_t n, uint32_t count, struct fmt_buf *out);

/* A reader of one block's records in order. */
struct st_block {
	const uint8_t *end;         /* of the bytes inflated so far */
	uint32_t count, next;       /* records in the block; the next one out */
	uint32_t ncols;             /* string columns: the largest S of the block */
	int complete;               /* the block is all there */
	const uint8_t *crc, *head, *tail; /* the CRCs; the next head and tail */
	const uint8_t *heads_end, *tails_end;
	const uint8_t *col[ST_STRINGS_MAX]; /* each column's next entry */
	const uint8_t *col_end[ST_STRINGS_MAX]; /* where each column ends (the
						 * last: NULL until known) */
	uint8_t nstr[ST_BLOCK_MAX];
};

/* Results besides 0, ERR_NOMEM and ERR_CORRUPT. */
#define ST_BLOCK_MORE 1 /* the record lies beyond the bytes inflated so far */

/* Starts reading the count records of the block whose first n bytes
 * (all of them when complete) are p[0..n).  Returns 0, ST_BLOCK_MORE
 * (only when !complete) or ERR_CORRUPT (which includes a CRC of the heads
 * and tails that does not match). */
int st_block_open(struct st_block *b, const uint8_t *p, size_t n, uint32_t count, int complete);

/* What the head and tail of a record say (§7.1), without its strings. */
struct st_meta {
	uint64_t pmid, version, year;
	const uint8_t *tail; /* varint nrefs, the references */
	size_t tail_len;
};

/* Reads record j's head and tail in the block whose first n bytes are
 * p[0..n), checked against the CRC of the heads and tails: it needs only
 * the start of the block.  Returns 0, ST_BLOCK_MORE (only when !complete)
 * or ERR_CORRUPT. */
int st_block_meta(const uint8_t *p, size_t n, uint32_t count, uint32_t j, int complete,
		  struct st_meta *m);

/* Appends the next packed record (§7.2) to out (NULL: skips it) and sets
 * *crc to the CRC-32 of the record unpacked.  Returns 0, ST_BLOCK_MORE,
 * ERR_NOMEM or ERR_CORRUPT; after ST_BLOCK_MORE the reader is unchanged. */
int st_block_next(struct st_block *b, struct fmt_buf *out, uint32_t *crc);

/* After the last record of a complete block: 0 when the records used the
 * block's bytes exactly, else ERR_CORRUPT. */
int st_block_done(const struct st_block *b);

#endif
