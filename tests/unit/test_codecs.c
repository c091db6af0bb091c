/*
 * test_codecs.c - round trips of the byte-level codecs every file is built
 * from (FORMAT.md §1): little-endian integers, varints (and their refusal
 * of truncated or overlong input), binary packing at every width and
 * count, CRC-32 against its published check value, and the arena.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "bitpack.h"
#include "check.h"
#include "fmt.h"

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
	return check_done("codecs");
}
