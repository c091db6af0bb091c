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
