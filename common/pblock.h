/*
 * pblock.h - one block of a posting list (FORMAT.md §5.1): up to 128
 * document gaps and frequencies.  Gaps are packed with a width most of
 * them fit, the few that do not patched from a list of exceptions
 * (patched frame of reference); frequencies are packed, or, when most of
 * them are 1, listed only where they are not; a block of one posting is
 * two varints at most.  The writer and every reader must agree on this
 * byte for byte, hence one file for both.
 */
#ifndef PBLOCK_H
#define PBLOCK_H

#include <stddef.h>
#include <stdint.h>

#define PB_MAX_N 128
/* The most bytes pb_encode writes for a block (every value 32 bits wide,
 * every one an exception: never chosen, but the bound is simple). */
#define PB_MAX_BYTES (5 + 4 * PB_MAX_N + 2 * (PB_MAX_N * 7 / 8 + 4 * PB_MAX_N))

/* Codes n (1..128) gaps and frequencies (each >= 1) into out, which has
 * PB_MAX_BYTES of room; returns the bytes written.  Of the encodings the
 * format allows it writes the shortest, and without exceptions on a tie. */
size_t pb_encode(const uint32_t *gaps, const uint32_t *tfs, uint32_t n, uint8_t *out);

/* Decodes a block of n postings from [p, end) into gaps and tfs (each
 * with room for 128; frequencies come out >= 1).  Reads up to 8 bytes
 * past what it uses (FORMAT.md §2 padding).  Returns the bytes the block
 * takes, or 0 if it does not fit before end or is not well formed. */
size_t pb_decode(const uint8_t *p, const uint8_t *end, uint32_t n, uint32_t *gaps,
		 uint32_t *tfs);

/* As pb_decode, also setting *tfsum to the sum of the frequencies (a
 * block's positions), summed where the frequencies are made: only the
 * exceptions when most are 1. */
size_t pb_decode_sum(const uint8_t *p, const uint8_t *end, uint32_t n, uint32_t *gaps,
		     uint32_t *tfs, uint64_t *tfsum);

#endif
