/*
 * testutil.h - what several unit tests share besides check.h: a seeded
 * random number generator, so that a printed seed replays a run, and an
 * index build through the real pipeline (bld_run) with the knobs the tests
 * turn.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "build.h"
#include "segwrite.h"
#include "stored.h"

/* SplitMix64: the next value of the sequence *state steps through. */
static inline uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A reference hit, and the engine's documented order for hits: higher
 * score first, ties by lower PMID. */
struct scored {
	uint32_t pmid;
	double score;
};

static inline int cmp_scored(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->pmid < y->pmid ? -1 : x->pmid > y->pmid;
}

/* Removes a test's temporary directory and everything in it. */
static inline void test_rmdir(const char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
}

/* sw_open and sw_finish for tests that write a segment by hand: they
 * print the error as a "#" line (NULL, or its code). */
static inline sw_writer *test_sw_open(const char *dir, const char *name)
{
	struct err e;
	err_clear(&e);
	sw_writer *w = sw_open(dir, name, AN_VERSION, 0, &e);
	if (w == NULL)
		printf("# %s\n", e.msg);
	return w;
}

static inline int test_sw_finish(sw_writer *w)
{
	struct err e;
	err_clear(&e);
	int rc = sw_finish(w, NULL, &e);
	if (rc)
		printf("# %s\n", e.msg);
	return rc;
}

/* Adds a document to w, its stored record holding only pmid, year and
 * title (rec is scratch).  Prints the error as a "#" line, aborts w and
 * returns its code on failure. */
static inline int test_add_doc(sw_writer *w, struct fmt_buf *rec, uint32_t pmid, uint16_t year,
			       const char *title, const uint16_t lens[F_NFIELDS])
{
	struct st_record r;
	memset(&r, 0, sizeof r);
	r.pmid = pmid;
	r.year = year;
	for (int s = 0; s < ST_NSTR; s++)
		r.s[s] = "";
	r.s[ST_TITLE] = title;
	r.len[ST_TITLE] = strlen(title);
	rec->len = 0;
	st_encode(rec, &r);
	int rc = sw_add_doc(w, pmid, year, lens, rec->p, rec->len);
	if (rc) {
		printf("# %s\n", sw_error(w)->msg);
		sw_abort(w);
	}
	return rc;
}

/* test_build's more: skip bad files (--keep-going), write no facet keys */
enum { TB_KEEP_GOING = 1, TB_NO_FACETS = 2 };

/* Indexes files[0 .. n) into dir with stemming; nofinal skips the final
 * merge, merge_all compacts every segment (--merge); more: TB_*.  Prints
 * the error as a "#" line and returns its code. */
static inline int test_build_more(const char *dir, const char *const *files, size_t n,
				  int threads, size_t memory, int nofinal, int merge_all, int more)
{
	struct bld_options o;
	struct bld_stats st;
	struct err e;
	memset(&o, 0, sizeof o);
	err_clear(&e);
	o.index = dir;
	o.files = files;
	o.nfiles = n;
	o.threads = threads;
	o.memory_bytes = memory;
	o.stem = 1;
	o.final_merge = !nofinal;
	o.merge_all = merge_all;
	o.keep_going = (more & TB_KEEP_GOING) != 0;
	o.no_facets = (more & TB_NO_FACETS) != 0;
	int rc = bld_run(&o, &st, NULL, NULL, &e);
	if (rc)
		printf("# build %s: %s\n", dir, e.msg);
	return rc;
}

static inline int test_build(const char *dir, const char *const *files, size_t n, int threads,
			     size_t memory, int nofinal, int merge_all)
{
	return test_build_more(dir, files, n, threads, memory, nofinal, merge_all, 0);
}

#endif
