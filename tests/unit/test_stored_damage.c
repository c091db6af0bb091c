/*
 * test_stored_damage.c - a stored block (FORMAT.md §7) damaged near its
 * end still gives the records before the damage, each checked by its own
 * CRC, as it did when records were inflated only as far as needed: the
 * reader inflates a block whole first (libdeflate, Adler-32 checked) and,
 * when that fails, inflates it again as far as the record wanted.  Two
 * damages to the demo index's first stored block: its Adler-32 (every
 * record intact) and a byte of the deflate data near the end (the last
 * records lost, the first ones intact).  --verify's checks must report
 * both, and no record may come back different from the undamaged one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fmt.h"
#include "sarc.h"
#include "seg.h"
#include "testutil.h"

#define DEMO "corpus/demo/sarcoma-demo.xml"
#define MAXREC 64

struct rec {
	uint32_t pmid;
	char *title;
};

/* The PMIDs and titles of block 0's records, and where its compressed
 * bytes end in the .ssto file.  0 or -1. */
static int read_block0(const char *dir, struct rec *r, size_t *nr, long *end)
{
	struct seg s;
	struct err e;
	err_clear(&e);
	if (seg_open(&s, dir, "seg-000001", "", &e)) {
		printf("# %s\n", e.msg);
		return -1;
	}
	struct seg_stored_blk k;
	int rc = seg_stored_entry(&s, 0, &k, &e);
	if (rc == 0) {
		const struct seg_map *m = &s.f[SEGF_STORED];
		*end = (long)(k.comp - m->base) + (long)k.clen;
		*nr = k.count < MAXREC ? k.count : MAXREC;
		for (size_t i = 0; i < *nr; i++)
			r[i].pmid = seg_doc_pmid(&s, k.first + (uint32_t)i);
	}
	seg_close(&s);
	if (rc)
		return -1;
	sarc_index *ix;
	char err[256];
	if (sarc_open(dir, &ix, err, sizeof err)) {
		printf("# %s\n", err);
		return -1;
	}
	for (size_t i = 0; i < *nr; i++) {
		struct sarc_doc d;
		r[i].title = NULL;
		if (sarc_doc_by_pmid(ix, r[i].pmid, &d, NULL, err, sizeof err) == 0)
			r[i].title = strdup(d.title ? d.title : "");
		sarc_doc_free(&d);
	}
	sarc_close(ix);
	return 0;
}

/* XORs byte at of dir's .ssto with x and puts the body CRC right, so that
 * only the block's own checks can tell. */
static int damage(const char *dir, long at, uint8_t x)
{
	char path[700];
	snprintf(path, sizeof path, "%s/seg-000001.ssto", dir);
	FILE *f = fopen(path, "r+b");
	if (f == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	uint8_t *b = malloc((size_t)size);
	rewind(f);
	if (b == NULL || fread(b, 1, (size_t)size, f) != (size_t)size || at >= size) {
		free(b);
		fclose(f);
		return -1;
	}
	b[at] ^= x;
	uint64_t len = fmt_get_u64le(b + 24);
	fmt_put_u32le(b + 20, fmt_crc32(0, b + SEG_HEADER_BYTES, (size_t)len));
	rewind(f);
	int rc = fwrite(b, 1, (size_t)size, f) == (size_t)size ? 0 : -1;
	free(b);
	return fclose(f) || rc ? -1 : 0;
}

/* After damage: how many records of block 0 read back as before (*same),
 * how many fail (*failed); none may differ.  And --verify's checks fail. */
static void check_damaged(const char *dir, const struct rec *r, size_t nr, const char *what,
			  size_t *same, size_t *failed)
{
	*same = *failed = 0;
	sarc_index *ix;
	char err[256];
	if (sarc_open(dir, &ix, err, sizeof err)) {
		CHECKF(0, "%s: %s", what, err);
		return;
	}
	size_t differ = 0;
	for (size_t i = 0; i < nr; i++) {
		struct sarc_doc d;
		int rc = sarc_doc_by_pmid(ix, r[i].pmid, &d, NULL, err, sizeof err);
		if (rc == 0 && strcmp(d.title ? d.title : "", r[i].title) == 0)
			(*same)++;
		else if (rc == 0)
			differ++;
		else
			(*failed)++;
		sarc_doc_free(&d);
	}
	sarc_close(ix);
	CHECKF(differ == 0, "%s: %zu records read back different", what, differ);
	struct seg s;
	struct err e;
	err_clear(&e);
	if (seg_open(&s, dir, "seg-000001", "", &e) == 0) {
		CHECKF(seg_verify(&s, dir, &e) == ERR_CORRUPT, "%s: --verify passes", what);
		seg_close(&s);
	}
}

int main(void)
{
	if (access(DEMO, R_OK) != 0) {
		printf("ok stored_damage # skip no %s (run from the repository root)\n", DEMO);
		return 0;
	}
	char tmp[] = "/tmp/sarc-test-stored-damage-XXXXXX";
	if (mkdtemp(tmp) == NULL)
		return 1;
	char dir[2][600];
	const char *files[] = {DEMO};
	struct rec r[MAXREC];
	size_t nr = 0;
	long end = 0;
	for (int i = 0; i < 2; i++) {
		snprintf(dir[i], sizeof dir[i], "%s/i%d", tmp, i);
		CHECK(test_build(dir[i], files, 1, 1, 1 << 24, 0, 0) == 0);
	}
	CHECK(read_block0(dir[0], r, &nr, &end) == 0);
	CHECKF(nr > 8, "block 0 holds %zu records", nr);
	for (size_t i = 0; i < nr; i++)
		CHECKF(r[i].title != NULL, "record %zu unreadable undamaged", i);

	/* the Adler-32 (the stream's last 4 bytes): every record intact */
	size_t same, failed;
	CHECK(damage(dir[0], end - 1, 0x01) == 0);
	check_damaged(dir[0], r, nr, "Adler-32", &same, &failed);
	CHECKF(same == nr, "Adler-32 damaged: %zu of %zu records read back", same, nr);

	/* deflate data near the end (in the last abstract, §7.3): the first
	 * records, whose columns come before it, read back */
	CHECK(damage(dir[1], end - 12, 0x55) == 0);
	check_damaged(dir[1], r, nr, "deflate data", &same, &failed);
	CHECKF(same >= nr / 2, "deflate data damaged near the end: %zu of %zu records read back",
	       same, nr);

	for (size_t i = 0; i < nr; i++)
		free(r[i].title);
	test_rmdir(tmp);
	return check_done("stored_damage");
}
