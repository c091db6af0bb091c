/*
 * test_codecs.c - round trips of the byte-level codecs every file is built
 * from (FORMAT.md §1): little-endian integers, varints (and their refusal
 * of truncated or overlong input), binary packing at every width and
 * count, Rice coding (its parameter, unary quotients and skips over
 * them), CRC-32 against its published check value, and the arena.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "bitpack.h"
#include "check.h"
#include "fmt.h"
#include "pblock.h"
#include "stored.h"

static uint64_t state = 12345;
static uint64_t rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		state = strtoull(argv[1], NULL, 10) | 1;
	printf("# seed %llu\n", (unsigned long long)state);
	uint8_t b[16];
	fmt_put_u32le(b, 0x11223344u);
	CHECK(b[0] == 0x44 && b[3] == 0x11 && fmt_get_u32le(b) == 0x11223344u);
	fmt_put_u64le(b, 0x0102030405060708ull);
	CHECK(b[0] == 8 && b[7] == 1 && fmt_get_u64le(b) == 0x0102030405060708ull);
	fmt_put_u16le(b, 0xabcd);
	CHECK(b[0] == 0xcd && fmt_get_u16le(b) == 0xabcd);

	/* varints: every length, truncation and overflow */
	int bad = 0;
	for (int i = 0; i < 20000; i++) {
		uint64_t v = rnd() >> (rnd() % 64);
		uint64_t w = 0;
		size_t n = fmt_put_varint(b, v);
		if (fmt_get_varint(b, b + n, &w) != n || w != v)
			bad++;
		if (n > 1 && fmt_get_varint(b, b + n - 1, &w) != 0)
			bad++;
	}
	CHECKF(bad == 0, "%d varint round trips failed", bad);
	memset(b, 0xff, 11);
	uint64_t w;
	CHECK(fmt_get_varint(b, b + 11, &w) == 0); /* more than 64 bits */
	b[9] = 0x02;                                /* 10th byte may hold one bit only */
	CHECK(fmt_get_varint(b, b + 10, &w) == 0);
	b[9] = 0x01;
	CHECK(fmt_get_varint(b, b + 10, &w) == 10 && w == UINT64_MAX);

	/* the sticky cursor */
	struct fmt_cur c = {b, b + 3, 0};
	fmt_cur_u32(&c);
	CHECK(c.bad && fmt_cur_u8(&c) == 0 && c.bad);

	/* binary packing: every width, many counts, values at the width's edge */
	bad = 0;
	uint32_t in[300], out[300];
	uint8_t packed[300 * 4 + 8];
	for (unsigned width = 0; width <= 32; width++)
		for (size_t n = 0; n <= 260; n += 1 + n / 7) {
			for (size_t i = 0; i < n; i++) {
				uint32_t m = width == 32 ? UINT32_MAX : (1u << width) - 1;
				in[i] = (i % 5 == 0) ? m : (uint32_t)rnd() & m;
			}
			if (n && bp_bits(in, n) != width && !(width == 0))
				bad++;
			memset(packed, 0xa5, sizeof packed);
			bp_pack(in, n, width, packed);
			bp_unpack(packed, n, width, out);
			if (n && memcmp(in, out, n * sizeof *in) != 0)
				bad++;
			/* nothing written past the packed bytes */
			if (packed[bp_bytes(n, width)] != 0xa5)
				bad++;
		}
	CHECKF(bad == 0, "%d packing round trips failed", bad);
	uint32_t zeros[7] = {0};
	CHECK(bp_bits(zeros, 7) == 0 && bp_bytes(7, 0) == 0);

	/* Rice coding (FORMAT.md §5.3): the chosen parameter is the cheapest,
	 * and low bits plus unary quotients give back every value, read one
	 * at a time or after skipping any number of quotients */
	bad = 0;
	int notbest = 0, notsame = 0, badskip = 0;
	static uint32_t rv[600], lowv[600];
	static uint8_t lo[600 * 4 + 16], un[600 * 5 + 16];
	for (int round = 0; round < 400; round++) {
		size_t n = (size_t)1 + rnd() % 600;
		if (round < 6)
			n = (size_t[]){1, 7, 8, 9, 128, 600}[round];
		int shape = round % 6;
		for (size_t i = 0; i < n; i++) {
			uint32_t x = (uint32_t)rnd();
			switch (shape) {
			case 0: x = 0; break;                          /* every quotient 0, k 0 */
			case 1: x &= 0x3ff; break;                     /* one field's positions */
			case 2: x = i % 50 == 7 ? x : x & 7; break;    /* small with outliers */
			case 3: x = UINT32_MAX - (x & 3); break;       /* at the top: k 32 */
			case 4: x = 65530 + (x & 15); break;           /* around 65535 */
			default: x >>= rnd() % 32; break;              /* every magnitude */
			}
			rv[i] = x;
		}
		unsigned k = rice_param(rv, n);
		if (k > 32) {
			bad++;
			continue;
		}
		size_t cost = bp_bytes(n, k) + rice_unary_bytes(rv, n, k);
		for (unsigned k2 = 0; k2 <= 32; k2++)
			if (bp_bytes(n, k2) + rice_unary_bytes(rv, n, k2) < cost)
				notbest++;
		/* of the cheapest up to the largest width, the largest: what
		 * the writer has always chosen, so that indexes stay the same */
		unsigned want = 0, mb = bp_bits(rv, n);
		for (unsigned k2 = 0; k2 <= mb; k2++)
			if (bp_bytes(n, k2) + rice_unary_bytes(rv, n, k2) <=
			    bp_bytes(n, want) + rice_unary_bytes(rv, n, want))
				want = k2;
		if (k != want)
			notsame++;
		/* the best k costs no more than k = 32 (no quotients): its
		 * unary string stays within 32 + 1 bits a value */
		size_t ub = rice_unary_bytes(rv, n, k);
		if (ub > bp_bytes(n, 32) + (n + 7) / 8) {
			bad++;
			continue;
		}
		uint32_t mask = k == 32 ? UINT32_MAX : ((uint32_t)1 << k) - 1;
		for (size_t i = 0; i < n; i++)
			lowv[i] = rv[i] & mask;
		memset(lo, 0, sizeof lo);
		memset(un, 0xff, sizeof un); /* past the string: must not be read as ones */
		bp_pack(lowv, n, k, lo);
		rice_unary_pack(rv, n, k, un);
		uint64_t nbits = (uint64_t)ub * 8, u = 0;
		struct bp_ones r;
		bp_ones_init(&r, un, nbits, 0);
		for (size_t i = 0; i < n; i++) {
			uint64_t one = bp_ones_next(&r);
			if (one == UINT64_MAX ||
			    ((one - u) << k | bp_get(lo, i, k)) != rv[i]) {
				bad++;
				break;
			}
			if (bp_skip_ones(un, nbits, 0, i + 1) != one + 1)
				badskip++;
			/* a reader started anywhere finds the same ones */
			struct bp_ones r2;
			bp_ones_init(&r2, un, nbits, u);
			if (bp_ones_next(&r2) != one)
				badskip++;
			u = one + 1;
		}
		/* after the last value: only fill bits, and no more ones */
		if (bp_ones_next(&r) != UINT64_MAX || (u + 7) / 8 != ub ||
		    bp_skip_ones(un, nbits, 0, n + 1) != UINT64_MAX || bp_skip_ones(un, nbits, 5, 0) != 5)
			badskip++;
	}
	CHECKF(bad == 0, "%d Rice round trips failed", bad);
	CHECKF(notbest == 0, "%d Rice parameters were not the cheapest", notbest);
	CHECKF(notsame == 0, "%d Rice parameters were not the largest of the cheapest", notsame);
	CHECKF(badskip == 0, "%d skips over unary quotients failed", badskip);
	/* posting blocks (FORMAT.md §5.1): round trips, the shortest of the
	 * encodings (found here by trying every width), never longer than
	 * plain packing, and damage refused */
	bad = 0;
	int longer = 0, notshort = 0, nexc = 0, nsparse = 0, undamaged = 0, none = 0;
	static uint8_t blk[PB_MAX_BYTES + 64];
	uint32_t g[128], t[128], g2[128], t2[128];
	for (int round = 0; round < 3000; round++) {
		uint32_t n = 1 + (uint32_t)(rnd() % 128);
		if (round < 4)
			n = (uint32_t[]){1, 2, 127, 128}[round];
		int shape = round % 5;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t x = (uint32_t)rnd(), y = (uint32_t)rnd();
			switch (shape) {
			case 0: g[i] = 0; t[i] = 1; break;
			case 1: g[i] = x % 97 ? x & 0xff : x; t[i] = y % 20 ? 1 : 2 + (y >> 8) % 5; break;
			case 2: g[i] = x >> (rnd() % 32); t[i] = 1 + (y >> (rnd() % 32)); break;
			case 3: g[i] = UINT32_MAX - (x & 1); t[i] = UINT32_MAX - (y & 1); break;
			default: g[i] = x & 0x3f; t[i] = 1 + (y & 3); break;
			}
			if (t[i] == 0)
				t[i] = 1;
		}
		memset(blk, 0xa5, sizeof blk);
		size_t len = pb_encode(g, t, n, blk);
		/* the shortest encoding, computed the slow way */
		uint32_t tm1[128], tm2[128], nt = 0, lo2[128];
		for (uint32_t i = 0; i < n; i++) {
			tm1[i] = t[i] - 1;
			if (t[i] > 1)
				tm2[nt++] = t[i] - 2;
		}
		unsigned gb = bp_bits(g, n);
		size_t best = SIZE_MAX;
		for (unsigned wd = 0; wd <= gb; wd++) {
			uint32_t ne = 0, hi[128];
			for (uint32_t i = 0; i < n; i++) {
				lo2[i] = wd < 32 ? g[i] >> wd : 0;
				if (lo2[i])
					hi[ne++] = lo2[i];
			}
			size_t cost = 2 + bp_bytes(n, wd) +
				      (ne ? 2 + bp_bytes(ne, 7) + bp_bytes(ne, bp_bits(hi, ne)) : 0);
			if (cost < best)
				best = cost;
		}
		size_t dense = bp_bytes(n, bp_bits(tm1, n));
		size_t sparse = nt ? 1 + bp_bytes(nt, 7) + bp_bytes(nt, bp_bits(tm2, nt)) : SIZE_MAX;
		best += dense < sparse ? dense : sparse;
		if (n == 1) {
			/* one posting: varint gap * 2 + (tf > 1), then tf - 2 */
			uint8_t vb[10];
			best = fmt_put_varint(vb, (uint64_t)g[0] << 1 | (t[0] > 1)) +
			       (t[0] > 1 ? fmt_put_varint(vb, t[0] - 2) : 0);
			none++;
		}
		if (len != best)
			notshort++;
		if (len > 2 + bp_bytes(n, gb) + bp_bytes(n, bp_bits(tm1, n)))
			longer++;
		if (blk[len] != 0xa5 || len > PB_MAX_BYTES) {
			bad++;
			continue;
		}
		nexc += n > 1 && (blk[0] & 0x40) != 0;
		nsparse += n > 1 && (blk[0] & 0x80) != 0;
		memset(blk + len, 0, 64); /* the padding a file has */
		uint64_t tfsum = 0, want = 0;
		for (uint32_t i = 0; i < n; i++)
			want += t[i];
		if (pb_decode_sum(blk, blk + len, n, g2, t2, &tfsum) != len ||
		    memcmp(g, g2, n * sizeof *g) != 0 || memcmp(t, t2, n * sizeof *t) != 0 ||
		    tfsum != want)
			bad++;
		/* cut short (a wrong count may still decode: readers check the
		 * block's end and last document against the skip table) */
		if (pb_decode(blk, blk + len - 1, n, g2, t2) != 0)
			undamaged++;
	}
	CHECKF(bad == 0, "%d posting block round trips failed", bad);
	CHECKF(notshort == 0, "%d posting blocks not coded in the fewest bytes", notshort);
	CHECKF(longer == 0, "%d posting blocks longer than plain packing", longer);
	CHECKF(nexc > 100 && nsparse > 100 && none > 10,
	       "exceptions in %d blocks, sparse frequencies in %d, %d of one posting", nexc, nsparse,
	       none);
	CHECKF(undamaged == 0, "%d short blocks decoded", undamaged);
	/* hand-made damage: widths over 32, exceptions that overflow 32 bits,
	 * indices out of order */
	memset(blk, 0, sizeof blk);
	blk[0] = 33;
	CHECK(pb_decode(blk, blk + 40, 4, g2, t2) == 0);
	blk[0] = 0;
	blk[1] = 33;
	CHECK(pb_decode(blk, blk + 40, 4, g2, t2) == 0);
	blk[0] = 0x40 | 30; /* 30 bits, then high parts of 3 bits: 33 */
	blk[1] = 0;
	blk[2] = 1;
	blk[3] = 3;
	CHECK(pb_decode(blk, blk + 40, 4, g2, t2) == 0);
	blk[3] = 2; /* 32 bits: fits */
	CHECK(pb_decode(blk, blk + 40, 4, g2, t2) == 4 + bp_bytes(4, 30) + 1 + 1);
	for (uint32_t i = 0; i < 64; i++)
		g[i] = i % 3, t[i] = i == 5 || i == 9 ? 2 : 1;
	size_t blen = pb_encode(g, t, 64, blk);
	CHECK((blk[0] & 0x80) && pb_decode(blk, blk + blen, 64, g2, t2) == blen && t2[9] == 2);
	/* one posting: a gap over 32 bits, a frequency cut off, one too large */
	uint8_t single[16];
	size_t ol = fmt_put_varint(single, (uint64_t)1 << 33);
	CHECK(pb_decode(single, single + ol, 1, g2, t2) == 0);
	ol = fmt_put_varint(single, 7 << 1 | 1);
	CHECK(pb_decode(single, single + ol, 1, g2, t2) == 0);
	ol += fmt_put_varint(single + ol, UINT32_MAX - 1);
	CHECK(pb_decode(single, single + ol, 1, g2, t2) == 0);
	ol = fmt_put_varint(single, 7 << 1 | 1);
	ol += fmt_put_varint(single + ol, 3);
	CHECK(pb_decode(single, single + ol, 1, g2, t2) == ol && g2[0] == 7 && t2[0] == 5);
	/* the two indices (5, 9), 7 bits each, end the block (their values
	 * take 0 bits): make them (9, 9) */
	uint32_t two[2] = {9, 9};
	bp_pack(two, 2, 7, blk + blen - bp_bytes(2, 7));
	CHECK(pb_decode(blk, blk + blen, 64, g2, t2) == 0);

	/* a one bit past nbits is not seen, whatever the alignment */
	memset(un, 0, 32);
	un[9] = 0x10; /* bit 76 */
	struct bp_ones ones;
	bp_ones_init(&ones, un, 76, 0);
	CHECK(bp_ones_next(&ones) == UINT64_MAX);
	bp_ones_init(&ones, un, 77, 3);
	CHECK(bp_ones_next(&ones) == 76 && bp_ones_next(&ones) == UINT64_MAX);
	bp_ones_init(&ones, un, 77, 76);
	CHECK(bp_ones_next(&ones) == 76);
	bp_ones_init(&ones, un, 77, 77);
	CHECK(bp_ones_next(&ones) == UINT64_MAX);
	CHECK(bp_skip_ones(un, 76, 1, 1) == UINT64_MAX && bp_skip_ones(un, 80, 1, 1) == 77);

	/* CRC-32 check value of "123456789" (ISO-HDLC) */
	CHECK(fmt_crc32(0, "123456789", 9) == 0xcbf43926u);
	CHECK(fmt_crc32(fmt_crc32(0, "1234", 4), "56789", 5) == 0xcbf43926u);

	/* growable buffer */
	struct fmt_buf fb;
	fmt_buf_init(&fb);
	for (int i = 0; i < 100000; i++)
		fmt_buf_varint(&fb, (uint64_t)i * 977);
	struct fmt_cur rc = {fb.p, fb.p + fb.len, 0};
	bad = 0;
	for (int i = 0; i < 100000; i++)
		if (fmt_cur_varint(&rc) != (uint64_t)i * 977)
			bad++;
	CHECK(bad == 0 && !rc.bad && rc.p == rc.end && fb.rc == 0);
	fmt_buf_free(&fb);

	/* arena: alignment, reuse after reset, large requests */
	struct arena a;
	arena_init(&a);
	bad = 0;
	for (int i = 0; i < 10000; i++) {
		size_t n = 1 + rnd() % 300;
		char *p = arena_alloc(&a, n);
		if (p == NULL || ((uintptr_t)p % _Alignof(max_align_t)) != 0)
			bad++;
		else
			memset(p, i, n);
	}
	CHECK(bad == 0);
	CHECK(arena_alloc(&a, (size_t)1 << 22) != NULL);
	arena_reset(&a);
	CHECK(a.used_bytes == 0 && arena_strndup(&a, "abc", 2) && a.used_bytes > 0);
	arena_free(&a);

	/* word substitution: records of words from a small list (so that
	 * most recur), mixed case, and bytes that must be escaped */
	static const char *const words[] = {"the", "of", "sarcoma", "Sarcoma", "cells",
					    "patients", "a", "xyzzy", "Humans", "Male",
					    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
	static const uint8_t odd[] = {0x00, 0x01, 0x0B, 0x1F, 0xC0, 0xF5, 0xFE, 0xFF, 0xC3, '\n', ' ', ';'};
	struct fmt_buf sample, recs, v, pk, back;
	fmt_buf_init(&sample);
	fmt_buf_init(&recs);
	fmt_buf_init(&v);
	fmt_buf_init(&pk);
	fmt_buf_init(&back);
	size_t nrec = 300;
	for (size_t r = 0; r < nrec; r++) {
		char str[ST_NSTR][400];
		struct st_record sr;
		memset(&sr, 0, sizeof sr);
		sr.pmid = (uint32_t)rnd();
		sr.version = 1;
		sr.year = (uint16_t)(1950 + r % 70);
		for (int f = 0; f < ST_NSTR; f++) {
			size_t n = 0, want = rnd() % 300;
			while (n < want) {
				if (rnd() % 4 == 0) {
					str[f][n++] = (char)odd[rnd() % sizeof odd];
				} else {
					const char *wd = words[rnd() % (sizeof words / sizeof *words)];
					size_t k = strlen(wd);
					if (n + k + 1 >= sizeof str[f])
						break;
					memcpy(str[f] + n, wd, k);
					n += k;
					str[f][n++] = rnd() % 2 ? ' ' : '-';
				}
			}
			str[f][n] = 0;
			sr.s[f] = str[f];
			sr.len[f] = n;
			if (n == 0)
				sr.s[f] = "";
		}
		uint32_t refs[3] = {(uint32_t)rnd(), 0xFFFFFFFFu, 1};
		sr.refs = refs;
		sr.nrefs = r % 4;
		struct fmt_buf one;
		fmt_buf_init(&one);
		st_encode(&one, &sr);
		fmt_buf_str(&recs, (const char *)one.p, one.len);
		if (r < nrec / 2)
			fmt_buf_str(&sample, (const char *)one.p, one.len);
		fmt_buf_free(&one);
	}
	st_vocab *voc = NULL;
	CHECK(st_vocab_build(sample.p, sample.len, &v) == 0);
	CHECK(st_vocab_load(v.p, v.len, &voc) == 0 && voc && st_vocab_check(voc) == 0 &&
	      st_vocab_index(voc) == 0);
	/* "of" and "a" are too short, the 69-letter run too long */
	CHECK(voc && st_vocab_words(voc) == 8);
	int same = 0;
	size_t total = 0, total_packed = 0;
	for (const uint8_t *p = recs.p, *end = recs.p + recs.len; voc && p < end;) {
		uint64_t n = 0;
		p += fmt_get_varint(p, end, &n);
		pk.len = back.len = 0;
		int rc1 = st_pack(voc, p, (size_t)n, &pk);
		int rc2 = st_unpack(voc, pk.p, pk.len, &back);
		same += rc1 == 0 && rc2 == 0 && back.len == n && memcmp(back.p, p, (size_t)n) == 0;
		total += (size_t)n;
		total_packed += pk.len;
		p += n;
	}
	CHECKF(same == (int)nrec, "%d of %zu records round-trip", same, nrec);
	CHECKF(total_packed < total * 9 / 10, "packed %zu of %zu bytes", total_packed, total);
	/* damage: a code past the vocabulary, a lead byte or escape with
	 * nothing after it, a record that does not parse */
	if (voc) {
		static const uint8_t hdr[] = {1, 1, 1, 1}; /* pmid, version, year, S = 1 */
		const uint8_t bodies[][4] = {{2, 0x02, 0x00, 0}, {1, 0x01, 0, 0}, {1, 0xFF, 0, 0},
					     {2, 0x1F, 0x00, 0}};
		for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
			uint8_t rec[16];
			memcpy(rec, hdr, 4);
			size_t n = 4 + 1 + bodies[i][0];
			memcpy(rec + 4, bodies[i], (size_t)bodies[i][0] + 1);
			rec[n++] = 0; /* the string's 0 byte */
			rec[n++] = 0; /* no references */
			back.len = 0;
			CHECKF(st_unpack(voc, rec, n, &back) == ERR_CORRUPT, "damaged case %zu", i);
		}
		back.len = 0;
		CHECK(st_unpack(voc, hdr, 4, &back) == ERR_CORRUPT);
	}
	st_vocab_free(voc);
	/* a vocabulary out of order, with a non-letter, or too short a word */
	static const struct {
		uint8_t n, b[12];
	} badv[] = {
		{11, {2, 0, 3, 'a', 'b', 'c', 0, 3, 'a', 'b', 'b'}}, /* abc then abb */
		{9, {2, 0, 3, 'a', 'b', 'c', 3, 0}},                 /* abc twice */
		{6, {1, 0, 3, 'a', '1', 'c'}},                       /* not a letter */
		{5, {1, 0, 2, 'a', 'b'}},                            /* too short */
		{6, {1, 1, 3, 'a', 'b', 'c'}},                       /* shares with nothing */
		{7, {1, 0, 3, 'a', 'b', 'c', 0}},                    /* bytes left over */
	};
	for (size_t i = 0; i < sizeof badv / sizeof *badv; i++) {
		voc = NULL;
		/* what a reader need not check, --verify does */
		int lrc = st_vocab_load(badv[i].b, badv[i].n, &voc);
		CHECKF((lrc == ERR_CORRUPT && voc == NULL) || (lrc == 0 && st_vocab_check(voc) == ERR_CORRUPT),
		       "bad vocabulary %zu", i);
		st_vocab_free(voc);
	}
	static const uint8_t okv[] = {2, 0, 3, 'a', 'b', 'c', 2, 1, 'd'}; /* abc, abd */
	CHECK(st_vocab_load(okv, sizeof okv, &voc) == 0 && st_vocab_words(voc) == 2 &&
	      st_vocab_check(voc) == 0);
	st_vocab_free(voc);
	fmt_buf_free(&sample);
	fmt_buf_free(&recs);
	fmt_buf_free(&v);
	fmt_buf_free(&pk);
	fmt_buf_free(&back);
	return check_done("codecs");
}
