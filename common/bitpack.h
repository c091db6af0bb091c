/*
 * bitpack.h - binary packing of small integer blocks (FORMAT.md §5.1):
 * n values of b bits each, least significant bit first.  Hand-written
 * because it packs posting blocks in half the space of Stream VByte
 * (libstreamvbyte; measured on synthetic PubMed text: 1.36 against 2.88
 * bytes per posting with frequencies), and no Debian library offers plain
 * binary packing of an arbitrary count with a C API.
 *
 * Also the unary half of Rice coding, which positions use (FORMAT.md
 * §5.3): a value's low k bits are packed as above, its quotient v >> k is
 * written in a second bit string as that many 0 bits and a 1 bit.
 */
#ifndef BITPACK_H
#define BITPACK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Bits needed for the largest of v[0..n) (0 when all are zero). */
unsigned bp_bits(const uint32_t *v, size_t n);

/* Bytes that n values of b bits occupy. */
static inline size_t bp_bytes(size_t n, unsigned b)
{
	return (n * b + 7) / 8;
}

/* Packs v[0..n) with b bits each into out (bp_bytes(n, b) bytes). */
void bp_pack(const uint32_t *v, size_t n, unsigned b, uint8_t *out);

/* Unpacks n values of b bits from in.  Reads up to 7 bytes past
 * bp_bytes(n, b): callers guarantee them (FORMAT.md §2 padding). */
void bp_unpack(const uint8_t *in, size_t n, unsigned b, uint32_t *out);

/* Value i of a pack(., b) string at in (b <= 32).  Reads up to 8 bytes
 * from byte i * b / 8 on, like bp_unpack. */
static inline uint32_t bp_get(const uint8_t *in, uint64_t i, unsigned b)
{
	uint64_t bit = i * b, w;
	memcpy(&w, in + (bit >> 3), 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return (uint32_t)((w >> (bit & 7)) & (((uint64_t)1 << b) - 1));
}

/* The Rice parameter k (0..32) that codes v[0..n) in the fewest bytes:
 * ceil(n * k / 8) of low bits plus rice_unary_bytes(v, n, k). */
unsigned rice_param(const uint32_t *v, size_t n);

/* Bytes of the unary string of v[0..n) for parameter k: n + the sum of
 * v[i] >> k bits, rounded up to whole bytes. */
size_t rice_unary_bytes(const uint32_t *v, size_t n, unsigned k);

/* Writes that string to out (rice_unary_bytes bytes): for each value,
 * v >> k zero bits and a one bit, bit j of the string being bit j mod 8
 * of byte j / 8; the last byte is filled with zero bits. */
void rice_unary_pack(const uint32_t *v, size_t n, unsigned k, uint8_t *out);

/* The bits of the nbits-bit string at p from bit u on (u < nbits), at most
 * 64 of them: *avail says how many; any past nbits are cleared. */
static inline uint64_t bp_bits_at(const uint8_t *p, uint64_t nbits, uint64_t u, unsigned *avail)
{
	uint64_t w;
	memcpy(&w, p + (u >> 3), 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	w >>= u & 7;
	unsigned a = 64 - (unsigned)(u & 7);
	if (nbits - u < a) {
		a = (unsigned)(nbits - u);
		w &= ((uint64_t)1 << a) - 1;
	}
	*avail = a;
	return w;
}

/* In the nbits-bit string at p: the index just after the count-th 1 bit
 * at or after bit u (u itself when count is 0), or UINT64_MAX if fewer
 * than count remain.  One population count per 64 bits instead of
 * decoding each quotient. */
uint64_t bp_skip_ones(const uint8_t *p, uint64_t nbits, uint64_t u, uint64_t count);

/* A reader of the 1 bits of an nbits-bit string, one after the other,
 * from a 64-bit window: a posting's quotients, and the few before it in
 * its block that a phrase query skips, mostly lie in one window.  Reads
 * up to 7 bytes past ceil(nbits / 8), as bp_unpack does. */
struct bp_ones {
	const uint8_t *p;
	uint64_t nbits;
	uint64_t base; /* bit index of the window's bit 0 */
	uint64_t w;    /* the window's bits not yet read */
	unsigned a;    /* its width */
};

static inline void bp_ones_init(struct bp_ones *r, const uint8_t *p, uint64_t nbits, uint64_t u)
{
	r->p = p;
	r->nbits = nbits;
	r->base = u;
	r->w = 0;
	r->a = 0;
	if (u < nbits)
		r->w = bp_bits_at(p, nbits, u, &r->a);
}

/* The index of the next 1 bit, or UINT64_MAX if there is none. */
static inline uint64_t bp_ones_next(struct bp_ones *r)
{
	while (r->w == 0) {
		r->base += r->a;
		if (r->base >= r->nbits)
			return UINT64_MAX;
		r->w = bp_bits_at(r->p, r->nbits, r->base, &r->a);
	}
	uint64_t one = r->base + (unsigned)__builtin_ctzll(r->w);
	r->w &= r->w - 1;
	return one;
}

#endif
