/*
 * test_corners.c - seg_postings_corners, which gives a term's bound from
 * the corners of its blocks that no other dominates (FORMAT.md §5.2),
 * against the blocks read one by one with seg_postings_block_max: every
 * block corner is dominated by a corner it returns, every corner it
 * returns is some block's, none of them dominates another, and it
 * declines (returns 0) exactly when a tf is past SEG_CORNER_TFS or the
 * corners would not fit.  Lists of one block, of 128 blocks and of more
 * (its columns are read 128 blocks at a time), with the largest corners
 * early, late or spread.  Seed: argv[1] (printed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "check.h"
#include "fields.h"
#include "seg.h"
#include "segwrite.h"
#include "stored.h"
#include "testutil.h"

#define NDOCS 20000
#define SEG "seg-000001"

static uint64_t rng_state;
static uint64_t rnd(void)
{
	return splitmix64(&rng_state);
}

enum { T_ONE, T_SMALL, T_LATE, T_EARLY, T_ALLTF, T_BIGTF, T_FULL128, T_RARE, NT };
static const char *const names[NT] = {"one",  "small", "late", "early",
				      "alltf", "bigtf", "full", "rare"};
static uint32_t *docs[NT], *tfs[NT], *pos[NT], df[NT];
static uint16_t doclen[NDOCS];

/* Frequency of the i-th of n postings of term t, in document d. */
static uint32_t tf_of(int t, uint32_t i, uint32_t n, uint32_t d)
{
	switch (t) {
	case T_LATE: /* the largest tfs in the last blocks only */
		return i >= n - 200 ? 1 + (uint32_t)(rnd() % 200) : 1 + (uint32_t)(rnd() % 3);
	case T_EARLY:
		return i < 300 ? 1 + (uint32_t)(rnd() % 200) : 1 + (uint32_t)(rnd() % 3);
	case T_ALLTF: /* longer documents, more occurrences: no block's
		       * corners dominate another's, a frontier of many corners */
		return 1 + doclen[d] / 10u;
	case T_BIGTF: /* one tf past SEG_CORNER_TFS, in the middle */
		return i == n / 2 ? 300 : 1 + (uint32_t)(rnd() % 5);
	default:
		return 1 + (uint32_t)(rnd() % 4 == 0 ? rnd() % 6 : 0);
	}
}

static void make_term(int t, uint32_t n, uint32_t step)
{
	df[t] = n;
	docs[t] = malloc(sizeof *docs[t] * n);
	tfs[t] = malloc(sizeof *tfs[t] * n);
	uint64_t np = 0;
	for (uint32_t i = 0; i < n; i++) {
		docs[t][i] = i * step;
		tfs[t][i] = tf_of(t, i, n, docs[t][i]);
		np += tfs[t][i];
	}
	pos[t] = malloc(sizeof *pos[t] * np);
	np = 0;
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = 0; j < tfs[t][i]; j++)
			pos[t][np++] = j;
}

static int write_segment(const char *dir)
{
	sw_writer *w = test_sw_open(dir, SEG);
	if (w == NULL)
		return -1;
	struct fmt_buf rec;
	fmt_buf_init(&rec);
	for (uint32_t d = 0; d < NDOCS; d++) {
		uint16_t lens[F_NFIELDS] = {0};
		/* lengths of every size, so that corners differ in both */
		lens[F_ABSTRACT] = doclen[d];
		if (test_add_doc(w, &rec, 1 + d, 2000, "corners", lens)) {
			fmt_buf_free(&rec);
			return -1;
		}
	}
	fmt_buf_free(&rec);
	/* keys in order: the field byte, then the names sorted */
	int order[NT];
	for (int t = 0; t < NT; t++)
		order[t] = t;
	for (int a = 0; a < NT; a++)
		for (int b = a + 1; b < NT; b++)
			if (strcmp(names[order[b]], names[order[a]]) < 0) {
				int x = order[a];
				order[a] = order[b];
				order[b] = x;
			}
	for (int k = 0; k < NT; k++) {
		int t = order[k];
		uint8_t key[16];
		key[0] = F_ABSTRACT;
		size_t n = strlen(names[t]);
		memcpy(key + 1, names[t], n);
		if (sw_add_term(w, key, n + 1, df[t], docs[t], tfs[t], pos[t])) {
			printf("# %s\n", sw_error(w)->msg);
			sw_abort(w);
			return -1;
		}
	}
	return test_sw_finish(w) ? -1 : 0;
}

static int dominates(struct seg_corner a, struct seg_corner b)
{
	return a.tf >= b.tf && a.len <= b.len;
}

/* Checks term t's corners; returns the problems found. */
static int check_term(const struct seg *s, int t, size_t cap, size_t *nout)
{
	uint8_t key[16];
	key[0] = F_ABSTRACT;
	size_t n = strlen(names[t]);
	memcpy(key + 1, names[t], n);
	struct seg_term st;
	struct seg_postings pc;
	struct err e;
	err_clear(&e);
	if (seg_lookup(s, key, n + 1, &st, &e) != 1 || seg_postings_open(&pc, s, &st, &e) != 0)
		return 1;
	/* every block's two corners, the reference */
	size_t nb = 0, bcap = 2 * (size_t)pc.nblocks + 2;
	struct seg_corner *bc = malloc(sizeof *bc * bcap);
	uint32_t target = 0, last, maxtf = 0;
	struct seg_corner cn[2];
	while (seg_postings_block_max(&pc, target, &last, cn) != SEG_END) {
		for (int j = 0; j < 2; j++) {
			bc[nb++] = cn[j];
			if (cn[j].tf > maxtf)
				maxtf = cn[j].tf;
		}
		if (last == SEG_END - 1)
			break;
		target = last + 1;
	}
	/* the frontier of the reference, by brute force */
	size_t nfront = 0;
	for (size_t i = 0; i < nb; i++) {
		int dom = 0;
		for (size_t j = 0; j < nb && !dom; j++)
			dom = dominates(bc[j], bc[i]) && (bc[j].tf != bc[i].tf || bc[j].len != bc[i].len);
		int dup = 0;
		for (size_t j = 0; j < i && !dup; j++)
			dup = bc[j].tf == bc[i].tf && bc[j].len == bc[i].len;
		nfront += !dom && !dup;
	}
	struct seg_corner out[300];
	size_t k = seg_postings_corners(&pc, out, cap);
	*nout = k;
	int bad = 0;
	if (maxtf >= SEG_CORNER_TFS || nfront > cap) {
		bad += k != 0; /* must decline */
		free(bc);
		return bad;
	}
	bad += k != nfront;
	for (size_t i = 0; i < k; i++) {
		int found = 0;
		for (size_t j = 0; j < nb && !found; j++)
			found = bc[j].tf == out[i].tf && bc[j].len == out[i].len;
		bad += !found;
		if (i > 0 && out[i].tf >= out[i - 1].tf)
			bad++; /* by decreasing tf */
		for (size_t j = 0; j < k; j++)
			bad += j != i && dominates(out[j], out[i]);
	}
	for (size_t i = 0; i < nb; i++) {
		int covered = 0;
		for (size_t j = 0; j < k && !covered; j++)
			covered = dominates(out[j], bc[i]);
		bad += !covered;
	}
	free(bc);
	return bad;
}

int main(int argc, char **argv)
{
	rng_state = argc > 1 ? strtoull(argv[1], NULL, 10) : 20261128;
	printf("# seed %llu\n", (unsigned long long)rng_state);
	char tmp[] = "/tmp/sarc-test-corners-XXXXXX";
	if (mkdtemp(tmp) == NULL)
		return 1;
	/* lengths of every size, rising by block (128 documents) so that
	 * T_ALLTF's blocks do not dominate each other: its frontier has a
	 * corner or two per block whatever the seed */
	for (uint32_t d = 0; d < NDOCS; d++)
		doclen[d] = (uint16_t)(300 + 14 * (d / 128) + rnd() % 14);
	make_term(T_ONE, 90, 200);         /* one block */
	make_term(T_SMALL, 1000, 20);      /* 8 blocks */
	make_term(T_LATE, NDOCS, 1);       /* 157 blocks: two chunks */
	make_term(T_EARLY, NDOCS, 1);
	make_term(T_ALLTF, 17000, 1);      /* 133 blocks */
	make_term(T_BIGTF, NDOCS, 1);
	make_term(T_FULL128, 128 * 128, 1); /* exactly one chunk */
	make_term(T_RARE, 3, 5000);
	CHECK(write_segment(tmp) == 0);
	struct seg s;
	struct err e;
	err_clear(&e);
	int rc = seg_open(&s, tmp, SEG, "", &e);
	CHECKF(rc == 0, "%s", e.msg);
	if (rc)
		return check_done("corners");
	size_t nout;
	for (int t = 0; t < NT; t++) {
		int bad = check_term(&s, t, 300, &nout);
		CHECKF(bad == 0, "%s: %d problems with its corners", names[t], bad);
		if (t != T_BIGTF)
			CHECKF(nout > 0, "%s: no corners", names[t]);
	}
	/* a frontier of many corners overflows a small array: declined */
	CHECK(check_term(&s, T_ALLTF, 300, &nout) == 0);
	CHECKF(nout > 8, "%zu corners", nout);
	size_t many = nout;
	CHECK(check_term(&s, T_ALLTF, many - 1, &nout) == 0 && nout == 0);
	CHECK(check_term(&s, T_ALLTF, many, &nout) == 0 && nout == many);
	seg_close(&s);
	test_rmdir(tmp);
	for (int t = 0; t < NT; t++) {
		free(docs[t]);
		free(tfs[t]);
		free(pos[t]);
	}
	return check_done("corners");
}
