/*
 * test_stblock.c - stored blocks by column (FORMAT.md §7.3) against the
 * records they were made from: random records (some with strings beyond
 * the 11 of §7.1, empty strings, references or none) in blocks of every
 * size from 1 to 48 come back byte for byte with their CRCs, in order and
 * one at a time; a block read from every prefix of its bytes either asks
 * for more or gives the right record; truncated, miscounted and damaged
 * blocks are refused or at worst give other bytes, never a read outside
 * the block (ASan watches).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fmt.h"
#include "stblock.h"
#include "stored.h"
#include "testutil.h"

static uint64_t seed = 7;

/* Appends to out one random packed-looking record (§7.1 framing: the
 * strings are arbitrary bytes without 0) with S strings. */
static void random_record(struct fmt_buf *out, unsigned S)
{
	fmt_buf_varint(out, splitmix64(&seed) & 0xFFFFFFFF);
	fmt_buf_varint(out, 1 + splitmix64(&seed) % 3);
	fmt_buf_varint(out, 1900 + splitmix64(&seed) % 130);
	fmt_buf_varint(out, S);
	for (unsigned s = 0; s < S; s++) {
		uint64_t r = splitmix64(&seed);
		size_t n = r % 4 == 0 ? 0 : (size_t)(r >> 8) % (s == 1 ? 3000 : 200);
		uint8_t buf[3000];
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)(1 + splitmix64(&seed) % 255);
		fmt_buf_str(out, (const char *)buf, n);
		fmt_buf_u8(out, 0);
	}
	size_t nrefs = splitmix64(&seed) % 3 == 0 ? (size_t)(splitmix64(&seed) % 40) : 0;
	fmt_buf_varint(out, nrefs);
	for (size_t i = 0; i < nrefs; i++)
		fmt_buf_varint(out, splitmix64(&seed) & 0xFFFFFFFF);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		seed = strtoull(argv[1], NULL, 10);
	printf("# seed %llu\n", (unsigned long long)seed);
	struct fmt_buf rows, cols, out;
	fmt_buf_init(&rows);
	fmt_buf_init(&cols);
	fmt_buf_init(&out);
	struct fmt_buf recs[ST_BLOCK_MAX];
	uint32_t crcs[ST_BLOCK_MAX];
	for (int i = 0; i < ST_BLOCK_MAX; i++)
		fmt_buf_init(&recs[i]);
	int blocks_ok = 0, prefixes_ok = 0, nblocks = 0;
	for (uint32_t count = 1; count <= ST_BLOCK_MAX; count++) {
		nblocks++;
		rows.len = cols.len = 0;
		for (uint32_t i = 0; i < count; i++) {
			recs[i].len = 0;
			unsigned S = splitmix64(&seed) % 5 == 0 ? ST_NSTR + 1 + splitmix64(&seed) % 3
								 : ST_NSTR;
			random_record(&recs[i], S);
			crcs[i] = (uint32_t)splitmix64(&seed);
			fmt_buf_str(&rows, (const char *)recs[i].p, recs[i].len);
			fmt_buf_u32(&rows, crcs[i]);
		}
		CHECK(st_block_columns(rows.p, rows.len, count, &cols) == 0);
		/* the same bytes, less each record's length, plus the CRC of the
		 * heads and tails */
		size_t lens = 0;
		for (uint32_t i = 0; i < count; i++) {
			uint8_t tmp[10];
			lens += fmt_put_varint(tmp, recs[i].len);
		}
		CHECKF(cols.len == rows.len - lens + 4, "%zu bytes from %zu", cols.len, rows.len);

		/* all of it, in order */
		struct st_block b;
		int ok = st_block_open(&b, cols.p, cols.len, count, 1) == 0;
		for (uint32_t i = 0; ok && i < count; i++) {
			uint32_t crc = 0;
			out.len = 0;
			ok = st_block_next(&b, &out, &crc) == 0 && crc == crcs[i] &&
			     out.len == recs[i].len && memcmp(out.p, recs[i].p, out.len) == 0;
		}
		ok = ok && st_block_done(&b) == 0;
		/* every record's head and tail alone */
		for (uint32_t i = 0; ok && i < count; i++) {
			struct st_meta m;
			const uint8_t *q = recs[i].p, *qe = recs[i].p + recs[i].len;
			uint64_t want[3], ns = 0;
			for (int k = 0; k < 3; k++)
				q += fmt_get_varint(q, qe, &want[k]);
			q += fmt_get_varint(q, qe, &ns);
			for (uint64_t k = 0; k < ns; k++) {
				uint64_t len = 0;
				q += fmt_get_varint(q, qe, &len);
				q += len + 1;
			}
			ok = st_block_meta(cols.p, cols.len, count, i, 1, &m) == 0 &&
			     m.pmid == want[0] && m.version == want[1] && m.year == want[2] &&
			     m.tail_len == (size_t)(qe - q) && memcmp(m.tail, q, m.tail_len) == 0;
		}
		uint32_t crc;
		ok = ok && st_block_next(&b, &out, &crc) == ERR_CORRUPT; /* none left */
		blocks_ok += ok;

		/* every prefix (every 97th byte for the long ones): more, or the
		 * right record; skipping to it first */
		uint32_t j = (uint32_t)(splitmix64(&seed) % count);
		size_t step = cols.len > 4000 ? 97 : 1;
		int got = 0, bad = 0;
		for (size_t have = 0; have <= cols.len; have += step) {
			int complete = have == cols.len;
			int rc = st_block_open(&b, cols.p, have, count, complete);
			for (uint32_t i = 0; i < j && rc == 0; i++)
				rc = st_block_next(&b, NULL, &crc);
			out.len = 0;
			if (rc == 0)
				rc = st_block_next(&b, &out, &crc);
			if (rc == 0) {
				got = 1;
				bad += crc != crcs[j] || out.len != recs[j].len ||
				       memcmp(out.p, recs[j].p, out.len) != 0;
			} else {
				bad += rc != ST_BLOCK_MORE || complete || got;
			}
			if (!complete && have + step > cols.len)
				have = cols.len - step; /* end on the whole block */
		}
		prefixes_ok += got && !bad;

		/* the heads and tails from every prefix: more until their CRC
		 * is in, then found, and well before the end of the block */
		struct st_meta m;
		size_t first = 0;
		for (size_t have = 0; have <= cols.len && !first; have++) {
			int rc = st_block_meta(cols.p, have, count, j, have == cols.len, &m);
			if (rc == 0)
				first = have;
			else if (rc != ST_BLOCK_MORE)
				break;
		}
		CHECKF(first > 0 && first < cols.len / 2, "block of %u: meta from %zu of %zu bytes",
		       count, first, cols.len);
		/* a byte of the heads or tails changed: their CRC says so (or
		 * they no longer parse) */
		{
			uint8_t *dam = malloc(cols.len);
			memcpy(dam, cols.p, cols.len);
			dam[4 * count + splitmix64(&seed) % (first - 4 - 4 * count)] ^= 0x10;
			int rc = st_block_meta(dam, cols.len, count, j, 1, &m);
			CHECKF(rc == ERR_CORRUPT, "damaged meta of block %u: %d", count, rc);
			rc = st_block_open(&b, dam, cols.len, count, 1);
			CHECKF(rc == ERR_CORRUPT, "damaged meta of block %u opens: %d", count, rc);
			free(dam);
		}

		/* a truncated block is damage once it claims to be complete */
		if (cols.len > 0) {
			int rc = st_block_open(&b, cols.p, cols.len - 1, count, 1);
			for (uint32_t i = 0; i < count && rc == 0; i++)
				rc = st_block_next(&b, NULL, &crc);
			CHECKF(rc == ERR_CORRUPT, "block of %u cut short: %d", count, rc);
		}
		/* a count that does not match */
		int rc = st_block_open(&b, cols.p, cols.len, count + 1, 1);
		for (uint32_t i = 0; i < count + 1 && rc == 0; i++)
			rc = st_block_next(&b, NULL, &crc);
		if (rc == 0)
			rc = st_block_done(&b);
		CHECKF(rc == ERR_CORRUPT, "block of %u read as %u records", count, count + 1);
		if (count > 1) {
			rc = st_block_open(&b, cols.p, cols.len, count - 1, 1);
			for (uint32_t i = 0; i < count - 1 && rc == 0; i++)
				rc = st_block_next(&b, NULL, &crc);
			if (rc == 0)
				rc = st_block_done(&b);
			CHECKF(rc == ERR_CORRUPT, "block of %u read as %u records", count, count - 1);
		}
		/* damaged bytes: refused or read, within the block */
		for (int t = 0; t < 50; t++) {
			uint8_t *dam = malloc(cols.len);
			memcpy(dam, cols.p, cols.len);
			dam[splitmix64(&seed) % cols.len] ^= (uint8_t)(1 + splitmix64(&seed) % 255);
			rc = st_block_open(&b, dam, cols.len, count, 1);
			for (uint32_t i = 0; i < count && rc == 0; i++) {
				out.len = 0;
				rc = st_block_next(&b, &out, &crc);
			}
			if (rc == 0)
				st_block_done(&b);
			free(dam);
		}
	}
	CHECKF(blocks_ok == nblocks, "%d of %d blocks read back", blocks_ok, nblocks);
	CHECKF(prefixes_ok == nblocks, "%d of %d blocks read from every prefix", prefixes_ok,
	       nblocks);

	/* rows that do not parse, and counts out of range */
	static const uint8_t junk[] = {3, 1, 1, 1, 0, 0, 0, 0};
	cols.len = 0;
	CHECK(st_block_columns(junk, sizeof junk, 1, &cols) == ERR_CORRUPT);
	CHECK(st_block_columns(rows.p, rows.len, 0, &cols) == ERR_CORRUPT);
	CHECK(st_block_columns(rows.p, rows.len, ST_BLOCK_MAX + 1, &cols) == ERR_CORRUPT);
	struct st_block b;
	CHECK(st_block_open(&b, rows.p, rows.len, 0, 1) == ERR_CORRUPT);

	for (int i = 0; i < ST_BLOCK_MAX; i++)
		fmt_buf_free(&recs[i]);
	fmt_buf_free(&rows);
	fmt_buf_free(&cols);
	fmt_buf_free(&out);
	return check_done("stblock");
}
