/*
 * test_fuzz_replay.c - replays every fuzz seed (tests/fuzz/corpus/<target>/)
 * and every regression input (tests/fuzz/regressions/<target>/) through the
 * fuzz targets of tests/fuzz/, without clang or libFuzzer, so that `make
 * check` (plain and under ASan + UBSan) keeps every input that ever found a
 * bug from finding it again.
 *
 * Each target is included here with its entry point renamed (fuzz.h); a
 * crash, a sanitizer report or a broken invariant (FUZZ_FAIL aborts) fails
 * this program, and the "# replay" line printed before each input names it.
 * Run from the repository root (tests/run.sh does), or give the root as
 * argv[1].
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"

#define FUZZ_ENTRY fuzz_pubmed_one
#include "../fuzz/fuzz_pubmed.c"
#undef FUZZ_ENTRY
#define FUZZ_ENTRY fuzz_analyze_one
#include "../fuzz/fuzz_analyze.c"
#undef FUZZ_ENTRY
#define FUZZ_ENTRY fuzz_qparse_one
#include "../fuzz/fuzz_qparse.c"
#undef FUZZ_ENTRY
#define FUZZ_ENTRY fuzz_index_one
#include "../fuzz/fuzz_index.c"
#undef FUZZ_ENTRY

struct target {
	const char *name;
	int (*one)(const uint8_t *data, size_t size);
};

static const struct target targets[] = {
	{"pubmed", fuzz_pubmed_one},
	{"analyze", fuzz_analyze_one},
	{"qparse", fuzz_qparse_one},
	{"index", fuzz_index_one},
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 4096, len = 0;
	uint8_t *p = malloc(cap);
	while (p) {
		size_t k = fread(p + len, 1, cap - len, f);
		len += k;
		if (len < cap)
			break;
		uint8_t *q = realloc(p, cap * 2);
		if (q == NULL) {
			free(p);
			p = NULL;
			break;
		}
		p = q;
		cap *= 2;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(p);
		return NULL;
	}
	*n = len;
	return p;
}

/* Replays every regular file of dir through t; returns the number replayed,
 * or -1 if dir cannot be read. */
static long replay_dir(const struct target *t, const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return -1;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **v = realloc(names, sizeof *v * cap);
			if (v == NULL)
				break;
			names = v;
		}
		if ((names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, cmp_str);
	long done = 0;
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		free(names[i]);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		size_t len = 0;
		uint8_t *data = slurp(path, &len);
		CHECKF(data != NULL, "cannot read %s", path);
		if (data == NULL)
			continue;
		printf("# replay %s %s\n", t->name, path);
		fflush(stdout);
		t->one(data, len);
		free(data);
		done++;
	}
	free(names);
	return done;
}

int main(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : ".";
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", root, targets[i].name);
		long seeds = replay_dir(&targets[i], dir);
		CHECKF(seeds > 0, "no seeds replayed from %s (run from the repository root)", dir);
		snprintf(dir, sizeof dir, "%s/tests/fuzz/regressions/%s", root, targets[i].name);
		long regs = replay_dir(&targets[i], dir);
		CHECKF(regs >= 0, "cannot read %s", dir);
		printf("# %s: %ld seeds, %ld regression inputs replayed\n", targets[i].name, seeds,
		       regs);
	}
	return check_done("fuzz_replay");
}
