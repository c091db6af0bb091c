/*
 * pblock.c - posting blocks (see pblock.h; FORMAT.md §5.1).
 *
 * Why exceptions: document gaps of a term are roughly geometric, so the
 * largest of 128 is about five times their mean, and one width for all
 * of them spends two bits a gap on a handful of values.  Why sparse
 * frequencies: in titles and abstracts 80-95% of the frequencies are 1,
 * and one posting with a frequency of 2 otherwise costs every posting of
 * its block a bit.  Measured on the 10^5-citation synthetic index, the
 * blocks took 21.6 MB coded with plain widths and 19.0 MB coded so.
 */
#include "pblock.h"

#include "bitpack.h"
#include "fmt.h"

#define PB_EXCEPT 0x40u /* first byte: gap exceptions follow */
#define PB_SPARSE 0x80u /* first byte: frequencies > 1 are listed */
#define PB_WIDTH 0x3fu

static unsigned bitlen(uint32_t v)
{
	return v ? 32u - (unsigned)__builtin_clz(v) : 0u;
}

/* The width b for the gaps that takes the fewest bytes, exceptions
 * included; *ne and *wx are their count and the width of their high
 * parts.  From the widest down, so that a tie keeps fewer exceptions. */
static unsigned gap_width(const uint32_t *gaps, uint32_t n, unsigned *ne, unsigned *wx)
{
	uint32_t count[33] = {0};
	unsigned top = 0;
	for (uint32_t i = 0; i < n; i++) {
		unsigned l = bitlen(gaps[i]);
		count[l]++;
		if (l > top)
			top = l;
	}
	unsigned best = top, above = 0;
	size_t best_bytes = bp_bytes(n, top);
	*ne = 0;
	*wx = 0;
	for (unsigned b = top; b-- > 0;) {
		above += count[b + 1];
		size_t bytes = bp_bytes(n, b) + 2 + bp_bytes(above, 7) + bp_bytes(above, top - b);
		if (bytes < best_bytes) {
			best_bytes = bytes;
			best = b;
			*ne = above;
			*wx = top - b;
		}
	}
	return best;
}

/* A block of one posting, which is all most terms have (69% of the real
 * files' terms occur once): varints, with no widths to pay for. */
static size_t encode_one(uint32_t gap, uint32_t tf, uint8_t *out)
{
	size_t o = fmt_put_varint(out, (uint64_t)gap << 1 | (tf > 1));
	if (tf > 1)
		o += fmt_put_varint(out + o, tf - 2);
	return o;
}

static size_t decode_one(const uint8_t *p, const uint8_t *end, uint32_t *gap, uint32_t *tf)
{
	uint64_t v, t = 0;
	size_t o = fmt_get_varint(p, end, &v);
	if (o == 0 || v >> 33)
		return 0;
	if (v & 1) {
		size_t k = fmt_get_varint(p + o, end, &t);
		if (k == 0 || t > UINT32_MAX - 2)
			return 0;
		o += k;
	}
	*gap = (uint32_t)(v >> 1);
	*tf = v & 1 ? (uint32_t)t + 2 : 1;
	return o;
}

size_t pb_encode(const uint32_t *gaps, const uint32_t *tfs, uint32_t n, uint8_t *out)
{
	if (n == 1)
		return encode_one(gaps[0], tfs[0], out);
	uint32_t lo[PB_MAX_N], idx[PB_MAX_N], val[PB_MAX_N];
	unsigned ne, wx, b = gap_width(gaps, n, &ne, &wx);

	/* frequencies: packed tf - 1, or the postings above 1 and tf - 2 */
	uint32_t tmax = 0, nt = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (tfs[i] > tmax)
			tmax = tfs[i];
		nt += tfs[i] > 1;
	}
	unsigned wd = bitlen(tmax - 1), ws = nt ? bitlen(tmax - 2) : 0;
	int sparse = nt > 0 && 1 + bp_bytes(nt, 7) + bp_bytes(nt, ws) < bp_bytes(n, wd);

	size_t o = 2;
	out[0] = (uint8_t)(b | (ne ? PB_EXCEPT : 0) | (sparse ? PB_SPARSE : 0));
	out[1] = (uint8_t)(sparse ? ws : wd);
	if (ne) {
		out[o++] = (uint8_t)ne;
		out[o++] = (uint8_t)wx;
	}
	if (sparse)
		out[o++] = (uint8_t)nt;

	uint32_t mask = b >= 32 ? UINT32_MAX : ((uint32_t)1 << b) - 1;
	for (uint32_t i = 0, j = 0; i < n; i++) {
		lo[i] = gaps[i] & mask;
		if (ne && bitlen(gaps[i]) > b) {
			idx[j] = i;
			val[j++] = gaps[i] >> b;
		}
	}
	bp_pack(lo, n, b, out + o);
	o += bp_bytes(n, b);
	if (ne) {
		bp_pack(idx, ne, 7, out + o);
		o += bp_bytes(ne, 7);
		bp_pack(val, ne, wx, out + o);
		o += bp_bytes(ne, wx);
	}
	if (sparse) {
		for (uint32_t i = 0, j = 0; i < n; i++)
			if (tfs[i] > 1) {
				idx[j] = i;
				val[j++] = tfs[i] - 2;
			}
		bp_pack(idx, nt, 7, out + o);
		o += bp_bytes(nt, 7);
		bp_pack(val, nt, ws, out + o);
		o += bp_bytes(nt, ws);
	} else {
		for (uint32_t i = 0; i < n; i++)
			val[i] = tfs[i] - 1;
		bp_pack(val, n, wd, out + o);
		o += bp_bytes(n, wd);
	}
	return o;
}

/* Unpacks m indices (7 bits each) that must strictly increase below n. */
static int get_indices(const uint8_t *p, uint32_t m, uint32_t n, uint32_t *idx)
{
	bp_unpack(p, m, 7, idx);
	for (uint32_t j = 0; j < m; j++)
		if (idx[j] >= n || (j > 0 && idx[j] <= idx[j - 1]))
			return -1;
	return 0;
}

#define PB_ONES8 1, 1, 1, 1, 1, 1, 1, 1
#define PB_ONES32 PB_ONES8, PB_ONES8, PB_ONES8, PB_ONES8
_Static_assert(PB_MAX_N == 128, "pb_ones holds PB_MAX_N ones");
static const uint32_t pb_ones[PB_MAX_N] = {PB_ONES32, PB_ONES32, PB_ONES32, PB_ONES32};

size_t pb_decode(const uint8_t *p, const uint8_t *end, uint32_t n, uint32_t *gaps,
		 uint32_t *tfs)
{
	uint64_t sum;
	return pb_decode_sum(p, end, n, gaps, tfs, &sum);
}

size_t pb_decode_sum(const uint8_t *p, const uint8_t *end, uint32_t n, uint32_t *gaps,
		     uint32_t *tfs, uint64_t *tfsum)
{
	if (n == 1) {
		size_t o = decode_one(p, end, gaps, tfs);
		*tfsum = tfs[0];
		return o;
	}
	if (n == 0 || n > PB_MAX_N || end - p < 2)
		return 0;
	unsigned g = p[0], b = g & PB_WIDTH, w = p[1], ne = 0, wx = 0, nt = 0;
	size_t h = 2, room = (size_t)(end - p);
	if (b > 32 || w > 32)
		return 0;
	if (g & PB_EXCEPT) {
		if (room < h + 2)
			return 0;
		ne = p[h];
		wx = p[h + 1];
		h += 2;
		/* a high part shifted by b must still fit 32 bits */
		if (ne == 0 || ne > n || wx == 0 || wx > 32 - b)
			return 0;
	}
	if (g & PB_SPARSE) {
		if (room < h + 1)
			return 0;
		nt = p[h++];
		if (nt == 0 || nt > n)
			return 0;
	}
	size_t lo = bp_bytes(n, b), xi = bp_bytes(ne, 7), xh = bp_bytes(ne, wx),
	       ti = bp_bytes(nt, 7), tv = bp_bytes(nt ? nt : n, w);
	size_t total = h + lo + xi + xh + ti + tv;
	if (total > room)
		return 0;
	const uint8_t *q = p + h;
	uint32_t idx[PB_MAX_N], val[PB_MAX_N];
	bp_unpack(q, n, b, gaps);
	q += lo;
	if (ne) {
		if (get_indices(q, ne, n, idx))
			return 0;
		bp_unpack(q + xi, ne, wx, val);
		q += xi + xh;
		for (uint32_t j = 0; j < ne; j++)
			gaps[idx[j]] |= val[j] << b;
	}
	if (nt) {
		if (get_indices(q, nt, n, idx))
			return 0;
		bp_unpack(q + ti, nt, w, val);
		/* libc's memcpy stores 32 bytes at a time, the loop one value:
		 * a tenth of a query's decoding was this fill */
		memcpy(tfs, pb_ones, n * sizeof *tfs);
		/* only 32-bit values can overflow: the loops stay simple */
		uint64_t sum = n;
		for (uint32_t j = 0; j < nt; j++) {
			if (w == 32 && val[j] > UINT32_MAX - 2)
				return 0;
			tfs[idx[j]] = val[j] + 2;
			sum += (uint64_t)val[j] + 1;
		}
		*tfsum = sum; /* the exceptions' indices differ (get_indices) */
	} else {
		bp_unpack(q, n, w, tfs);
		if (w == 32)
			for (uint32_t i = 0; i < n; i++)
				if (tfs[i] == UINT32_MAX)
					return 0;
		uint64_t sum = 0;
		for (uint32_t i = 0; i < n; i++)
			sum += ++tfs[i];
		*tfsum = sum;
	}
	return total;
}
