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

static inline uint64_t load_le64(const uint8_t *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	/* little-endian load: the packing is byte order independent */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

/* Eight values of B bits take exactly B bytes.  With B a constant, each
 * value's byte offset and shift are constants too: a load, a shift, a
 * mask and a store, against about twice that for the generic loop, which
 * decoding every posting block pays (a third of a query's instructions
 * went to unpacking at 10^6 citations).  The loads are the generic loop's,
 * so no byte past its reach is read. */
#define UNPACK_GROUPS(B)                                                               \
	static void unpack_groups_##B(const uint8_t *in, size_t groups, uint32_t *out)  \
	{                                                                              \
		const uint64_t mask = (B) >= 32 ? 0xffffffffu : ((uint64_t)1 << (B)) - 1; \
		for (size_t g = 0; g < groups; g++, in += (B), out += 8) {              \
			_Pragma("GCC unroll 8") for (unsigned j = 0; j < 8; j++)             \
				out[j] = (uint32_t)((load_le64(in + ((j * (B)) >> 3)) >>     \
						     ((j * (B)) & 7)) & mask);             \
		}                                                                      \
	}
UNPACK_GROUPS(1)
UNPACK_GROUPS(2)
UNPACK_GROUPS(3)
UNPACK_GROUPS(4)
UNPACK_GROUPS(5)
UNPACK_GROUPS(6)
UNPACK_GROUPS(7)
UNPACK_GROUPS(8)
UNPACK_GROUPS(9)
UNPACK_GROUPS(10)
UNPACK_GROUPS(11)
UNPACK_GROUPS(12)
UNPACK_GROUPS(13)
UNPACK_GROUPS(14)
UNPACK_GROUPS(15)
UNPACK_GROUPS(16)
UNPACK_GROUPS(17)
UNPACK_GROUPS(18)
UNPACK_GROUPS(19)
UNPACK_GROUPS(20)
UNPACK_GROUPS(21)
UNPACK_GROUPS(22)
UNPACK_GROUPS(23)
UNPACK_GROUPS(24)
UNPACK_GROUPS(25)
UNPACK_GROUPS(26)
UNPACK_GROUPS(27)
UNPACK_GROUPS(28)
UNPACK_GROUPS(29)
UNPACK_GROUPS(30)
UNPACK_GROUPS(31)
UNPACK_GROUPS(32)

static void (*const unpack_groups[33])(const uint8_t *, size_t, uint32_t *) = {
	NULL,		   unpack_groups_1,  unpack_groups_2,  unpack_groups_3,  unpack_groups_4,
	unpack_groups_5,  unpack_groups_6,  unpack_groups_7,  unpack_groups_8,  unpack_groups_9,
	unpack_groups_10, unpack_groups_11, unpack_groups_12, unpack_groups_13, unpack_groups_14,
	unpack_groups_15, unpack_groups_16, unpack_groups_17, unpack_groups_18, unpack_groups_19,
	unpack_groups_20, unpack_groups_21, unpack_groups_22, unpack_groups_23, unpack_groups_24,
	unpack_groups_25, unpack_groups_26, unpack_groups_27, unpack_groups_28, unpack_groups_29,
	unpack_groups_30, unpack_groups_31, unpack_groups_32};

void bp_unpack(const uint8_t *in, size_t n, unsigned b, uint32_t *out)
{
	if (b == 0) {
		memset(out, 0, n * sizeof *out);
		return;
	}
	size_t groups = n / 8, i = groups * 8;
	if (groups)
		unpack_groups[b](in, groups, out);
	const uint64_t mask = b >= 32 ? 0xffffffffu : ((uint64_t)1 << b) - 1;
	for (size_t bit = i * b; i < n; i++, bit += b)
		out[i] = (uint32_t)((load_le64(in + (bit >> 3)) >> (bit & 7)) & mask);
}

/* rice_param's costs in bits before rounding, each computed once. */
struct rice_cost {
	const uint32_t *v;
	size_t n;
	uint64_t sum;
	uint64_t f[33];
	uint8_t have[33];
};

/* n * k + n + the sum of the quotients v[i] >> k. */
static uint64_t rice_bits(struct rice_cost *c, unsigned k)
{
	if (!c->have[k]) {
		uint64_t q = c->sum;
		if (k) {
			q = 0;
			for (size_t i = 0; i < c->n; i++)
				q += (uint64_t)c->v[i] >> k;
		}
		c->f[k] = (uint64_t)c->n * k + c->n + q;
		c->have[k] = 1;
	}
	return c->f[k];
}

unsigned rice_param(const uint32_t *v, size_t n)
{
	/* In bits, before rounding to bytes, k costs f(k) = n * k + n + S(k),
	 * S(k) being the sum of the quotients.  f is convex: f(k + 1) - f(k)
	 * = n - sum(ceil((v >> k) / 2)), which never decreases as k grows.
	 * Rounding the two strings to bytes adds at most 14 bits, so only a k
	 * with f(k) <= min f + 14 can cost the fewest bytes, and those k
	 * form an interval around f's minimum.  Walking to the minimum from
	 * the mean's width, then across that interval, takes about four
	 * passes over v where trying every k up to the largest width took
	 * ten (for the positions of an abstract), with the same answer. */
	struct rice_cost c = {.v = v, .n = n};
	uint32_t max = 0;
	for (size_t i = 0; i < n; i++) {
		max |= v[i];
		c.sum += v[i];
	}
	unsigned mb = max ? 32u - (unsigned)__builtin_clz(max) : 0u;
	if (n == 0)
		return mb;
	uint64_t mean = c.sum / n;
	unsigned k = 0;
	while (k < mb && (mean >> (k + 1)) != 0)
		k++;
	while (k < mb && rice_bits(&c, k + 1) < rice_bits(&c, k))
		k++;
	while (k > 0 && rice_bits(&c, k - 1) < rice_bits(&c, k))
		k--;
	uint64_t fmin = rice_bits(&c, k);
	unsigned lo = k, hi = k;
	while (lo > 0 && rice_bits(&c, lo - 1) <= fmin + 14)
		lo--;
	while (hi < mb && rice_bits(&c, hi + 1) <= fmin + 14)
		hi++;
	unsigned best_k = hi;
	uint64_t best = UINT64_MAX;
	for (unsigned j = lo; j <= hi; j++) {
		uint64_t low = (uint64_t)n * j;
		uint64_t bytes = (low + 7) / 8 + (rice_bits(&c, j) - low + 7) / 8;
		/* on a tie the larger k: fewer unary bits to scan */
		if (bytes <= best) {
			best = bytes;
			best_k = j;
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
