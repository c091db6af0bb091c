/*
 * bitpack.c - binary packing (see bitpack.h).
 */
#include "bitpack.h"

#include <string.h>

unsigned bp_bits(const uint32_t *v, size_t n)
{
	uint32_t m = 0;
	for (size_t i = 0; i < n; i++)
		m |= v[i];
	unsigned b = 0;
	while (b < 32 && (m >> b) != 0)
		b++;
	return b;
}

void bp_pack(const uint32_t *v, size_t n, unsigned b, uint8_t *out)
{
	uint64_t acc = 0;
	unsigned have = 0;
	size_t o = 0;
	if (b == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		acc |= (uint64_t)v[i] << have;
		have += b;
		while (have >= 8) {
			out[o++] = (uint8_t)acc;
			acc >>= 8;
			have -= 8;
		}
	}
	if (have > 0)
		out[o++] = (uint8_t)acc;
}

void bp_unpack(const uint8_t *in, size_t n, unsigned b, uint32_t *out)
{
	if (b == 0) {
		memset(out, 0, n * sizeof *out);
		return;
	}
	const uint64_t mask = b >= 32 ? 0xffffffffu : ((uint64_t)1 << b) - 1;
	size_t bit = 0;
	for (size_t i = 0; i < n; i++, bit += b) {
		uint64_t w;
		memcpy(&w, in + (bit >> 3), 8);
		/* little-endian load: the packing is byte order independent */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w = __builtin_bswap64(w);
#endif
		out[i] = (uint32_t)((w >> (bit & 7)) & mask);
	}
}

unsigned rice_param(const uint32_t *v, size_t n)
{
	unsigned mb = bp_bits(v, n), best_k = mb;
	uint64_t best = UINT64_MAX;
	/* Above mb every quotient is 0 and only the low bits grow.  The cost
	 * is convex in k, but the rounding to bytes is not, and this runs
	 * once per block of positions: try them all. */
	for (unsigned k = 0; k <= mb; k++) {
		uint64_t q = 0;
		for (size_t i = 0; i < n; i++)
			q += (uint64_t)v[i] >> k;
		uint64_t bytes = ((uint64_t)n * k + 7) / 8 + ((uint64_t)n + q + 7) / 8;
		/* on a tie the larger k: fewer unary bits to scan */
		if (bytes <= best) {
			best = bytes;
			best_k = k;
		}
	}
	return best_k;
}

size_t rice_unary_bytes(const uint32_t *v, size_t n, unsigned k)
{
	uint64_t bits = n;
	for (size_t i = 0; i < n; i++)
		bits += (uint64_t)v[i] >> k;
	return (size_t)((bits + 7) / 8);
}

void rice_unary_pack(const uint32_t *v, size_t n, unsigned k, uint8_t *out)
{
	memset(out, 0, rice_unary_bytes(v, n, k));
	uint64_t bit = 0;
	for (size_t i = 0; i < n; i++) {
		bit += (uint64_t)v[i] >> k;
		out[bit >> 3] |= (uint8_t)(1u << (bit & 7));
		bit++;
	}
}

/* Byte i of the result: the bits set in bytes 0..i of w (a running
 * population count).  Not __builtin_popcountll: without -mpopcnt (the
 * default x86-64 target) that is a call into libgcc, 4% of a phrase
 * query's profile on the synthetic index. */
static inline uint64_t byte_counts(uint64_t w)
{
	w -= (w >> 1) & 0x5555555555555555ull;
	w = (w & 0x3333333333333333ull) + ((w >> 2) & 0x3333333333333333ull);
	w = (w + (w >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return w * 0x0101010101010101ull;
}

uint64_t bp_skip_ones(const uint8_t *p, uint64_t nbits, uint64_t u, uint64_t count)
{
	if (count == 0)
		return u;
	while (u < nbits) {
		unsigned a;
		uint64_t w = bp_bits_at(p, nbits, u, &a);
		uint64_t sums = byte_counts(w);
		unsigned k = (unsigned)(sums >> 56);
		if (k < count) {
			count -= k;
			u += a;
			continue;
		}
		/* The count-th one is in the first byte whose running count
		 * reaches it: at most 7 ones to clear there, where the word may
		 * hold dozens (quotients are mostly 0 or 1). */
		unsigned byte = 0, before = 0;
		while ((unsigned)(sums >> (8 * byte) & 0xff) < count)
			before = (unsigned)(sums >> (8 * byte++) & 0xff);
		unsigned x = (unsigned)(w >> (8 * byte) & 0xff);
		for (count -= before; count > 1; count--)
			x &= x - 1;
		return u + 8 * byte + (unsigned)__builtin_ctz(x) + 1;
	}
	return UINT64_MAX;
}
