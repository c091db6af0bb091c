/*
 * test_limits.c - the segment writer's refusals past the format's u32
 * offsets (FORMAT.md §4: the dictionary's block index; §5.1: a term's skip
 * entries): a dictionary body, or one term's postings or positions, over
 * 4 GiB.  Writing 4 GiB is out of a unit test's reach, so the limit is
 * lowered (sw_test_limit) and the same segments are written with and
 * without it: with it, the writer refuses with ERR_LIMIT and a message
 * naming what is too large, and sw_abort leaves no file behind; without
 * it, the segment writes, opens and verifies, so the limit alone is what
 * failed.
 */
#include <dirent.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "check.h"
#include "seg.h"
#include "segwrite.h"
#include "stored.h"
#include "testutil.h"

#define SEG "seg-000001"
#define NDOCS 3000
#define NTERMS 2000
#define LIMIT 4096

/* Files in dir whose names start with "seg-". */
static int seg_files(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	if (d == NULL)
		return -1;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		n += strncmp(e->d_name, "seg-", 4) == 0;
	closedir(d);
	return n;
}

/* Writes NDOCS documents and then either NTERMS terms of one posting each
 * (a large dictionary) or one term in every document with a few positions
 * (large lists), under limit (0: none).  Returns the writer's error code:
 * 0 when the segment was written. */
static int write_seg(const char *dir, int many_terms, uint64_t limit, char *msg, size_t cap)
{
	msg[0] = '\0';
	sw_writer *w = test_sw_open(dir, SEG);
	if (w == NULL)
		return -100;
	if (limit)
		sw_test_limit(w, limit);
	struct fmt_buf rec;
	fmt_buf_init(&rec);
	uint16_t lens[F_NFIELDS] = {0};
	lens[F_TITLE] = 40;
	for (uint32_t d = 0; d < NDOCS; d++)
		if (test_add_doc(w, &rec, 1000 + d, 2020, "", lens)) {
			fmt_buf_free(&rec);
			return -101;
		}
	fmt_buf_free(&rec);
	static uint32_t docs[NDOCS], tfs[NDOCS], pos[NDOCS * 3];
	int rc = 0;
	if (many_terms) {
		for (uint32_t t = 0; t < NTERMS && rc == 0; t++) {
			char key[32];
			int n = snprintf(key, sizeof key, "%cterm%06u", F_TITLE, t);
			docs[0] = t % NDOCS;
			tfs[0] = 1;
			pos[0] = t % 40;
			rc = sw_add_term(w, (const uint8_t *)key, (size_t)n, 1, docs, tfs, pos);
		}
	} else {
		for (uint32_t d = 0; d < NDOCS; d++) {
			docs[d] = d;
			tfs[d] = 3;
			for (uint32_t k = 0; k < 3; k++)
				pos[d * 3 + k] = k * 5 + d % 7;
		}
		rc = sw_add_term(w, (const uint8_t *)"\001sarcoma", 8, NDOCS, docs, tfs, pos);
	}
	if (rc) {
		snprintf(msg, cap, "%s", sw_error(w)->msg);
		rc = sw_error(w)->code;
		sw_abort(w);
		return rc;
	}
	struct err e;
	err_clear(&e);
	if ((rc = sw_finish(w, NULL, &e)) != 0)
		snprintf(msg, cap, "%s", e.msg);
	return rc ? e.code : 0;
}

/* The segment in dir opens and passes --verify's checks. */
static int seg_ok(const char *dir)
{
	struct seg s;
	struct err e;
	err_clear(&e);
	if (seg_open(&s, dir, SEG, "", &e)) {
		printf("# %s\n", e.msg);
		return 0;
	}
	int rc = seg_verify(&s, dir, &e);
	if (rc)
		printf("# %s\n", e.msg);
	seg_close(&s);
	return rc == 0;
}

static void check_case(const char *tmp, int many_terms, const char *what, const char *says)
{
	char dir[600], msg[sizeof ((struct err *)0)->msg];
	snprintf(dir, sizeof dir, "%s/%s-free", tmp, many_terms ? "dict" : "lists");
	mkdir(dir, 0755);
	int rc = write_seg(dir, many_terms, 0, msg, sizeof msg);
	CHECKF(rc == 0 && seg_ok(dir), "%s without a limit: %d %s", what, rc, msg);

	snprintf(dir, sizeof dir, "%s/%s-limited", tmp, many_terms ? "dict" : "lists");
	mkdir(dir, 0755);
	rc = write_seg(dir, many_terms, LIMIT, msg, sizeof msg);
	CHECKF(rc == ERR_LIMIT && strstr(msg, says) != NULL, "%s over %d bytes: %d '%s'", what,
	       LIMIT, rc, msg);
	CHECKF(seg_files(dir) == 0, "%s: %d segment files left behind", what, seg_files(dir));
}

int main(void)
{
	char tmp[] = "/tmp/sarc-test-limits-XXXXXX";
	if (mkdtemp(tmp) == NULL)
		return 1;
	check_case(tmp, 1, "a dictionary", "dictionary over 4 GiB");
	check_case(tmp, 0, "one term's lists", "postings or positions over 4 GiB");
	test_rmdir(tmp);
	return check_done("limits");
}
