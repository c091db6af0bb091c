/*
 * bench_analyze.c - throughput of the analyzer (common/analyze.c), the
 * indexer's hottest loop.  Reads a text file (argv[1]; one field per line,
 * as the indexer hands titles and abstracts over) or, without one,
 * generates 4 MB of pseudo-abstract text from a fixed seed, then analyzes
 * it repeatedly with stemming off and on and prints
 *
 *   analyze_nostem_MBps <value>
 *   analyze_stem_MBps <value>
 *
 * Each value is the best of several timed rounds (the least disturbed by
 * other work on a shared machine), in 10^6 input bytes per second of CPU
 * time on one thread.  Build:
 *   cc -std=c11 -D_GNU_SOURCE -O2 -Icommon common/analyze.c common/an_fold.c \
 *      common/err.c tests/bench/bench_analyze.c -lstemmer
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze.h"

#define ROUNDS 5
#define MIN_ROUND_BYTES (16u << 20) /* a round analyzes at least 16 MB */

struct sink {
	size_t nterms;
	size_t nbytes;
};

static int count_term(void *ctx, const struct an_term *t)
{
	struct sink *k = ctx;
	k->nterms++;
	k->nbytes += t->len;
	return 0;
}

/* CPU time of this thread, not wall time: on a machine shared with other
 * builds, time spent descheduled must not count against the analyzer. */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* xorshift64*: deterministic on every platform, unlike rand() */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

/* Pseudo-abstracts: English words, pseudo-words, and the notation sarcoma
 * papers use mixed in at roughly their real rate. */
static char *generate(size_t want, size_t *n)
{
	static const char *const words[] = {
		"the", "of", "and", "in", "patients", "with", "sarcoma", "was", "were", "a",
		"to", "for", "tumor", "tumors", "treatment", "survival", "cells", "expression",
		"analysis", "clinical", "soft", "tissue", "results", "study", "overall",
		"chemotherapy", "metastatic", "months", "median", "response", "rate",
		"significantly", "associated", "compared", "histological", "Ewing",
		"osteosarcoma", "liposarcoma", "leiomyosarcoma", "rhabdomyosarcoma", "synovial",
		"gastrointestinal", "stromal", "imatinib", "doxorubicin", "trabectedin",
		"eribulin", "pazopanib", "ifosfamide", "resection", "margin", "radiotherapy",
		"recurrence", "local", "progression-free", "well-differentiated", "high-grade",
		"EWS-FLI1", "SS18-SSX1", "PAX3-FOXO1", "c-KIT", "CD117", "CD99", "IL-6",
		"Ki-67", "p53", "MDM2", "5-FU", "t(11;22)(q24;q12)", "PD-L1", "TNF-α",
		"β-catenin", "Ewing's", "Sjögren", "0.05", "2.5-fold", "45%", "75 mg/m2",
		"1,000", "(n = 45)", "[95% CI, 1.2–3.4]", "P < .001", "HR = 0.62;",
		"patients’", "“high-risk”", "μg/mL", "10-20", "EWSR1::FLI1",
	};
	/* pseudo-words from syllables give the long tail of a real vocabulary,
	 * so that the stem memo misses about as often as on real text */
	static const char *const syl[] = {
		"sar", "co", "ma", "li", "po", "rhab", "do", "myo", "os", "te", "o", "gen",
		"ic", "al", "a", "tion", "ous", "ed", "ing", "s", "ly", "ther", "apy", "cyt",
		"is", "ment", "ize", "ness", "fib", "ro", "neu", "blast", "oid", "ar", "ter",
	};
	size_t nw = sizeof words / sizeof words[0], ns = sizeof syl / sizeof syl[0];
	size_t len = 0, sentence = 0;
	uint64_t seed = 0x5a5c0ffee1234567ull;
	char *buf = malloc(want + 128);
	if (!buf)
		return NULL;
	while (len < want) {
		uint64_t r = rnd(&seed);
		if (r % 4 == 0) {
			size_t nsyl = 2 + (size_t)(r >> 8) % 4;
			for (size_t k = 0; k < nsyl; k++) {
				const char *y = syl[rnd(&seed) % ns];
				memcpy(buf + len, y, strlen(y));
				len += strlen(y);
			}
		} else {
			/* Zipf-like: low indexes (function words) far more often */
			size_t i = (size_t)((r % nw) * ((r >> 32) % nw) / nw);
			const char *w = words[i];
			size_t k = strlen(w);
			memcpy(buf + len, w, k);
			len += k;
		}
		if (++sentence % 14 == 0)
			buf[len++] = '.';
		buf[len++] = sentence % 220 == 0 ? '\n' : ' ';
	}
	*n = len;
	return buf;
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long sz;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	if ((buf = malloc((size_t)sz + 1)) == NULL)
		goto out;
	if (fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
		free(buf);
		buf = NULL;
		goto out;
	}
	*n = (size_t)sz;
out:
	fclose(f);
	return buf;
}

/* One field per line, as an_run sees them in the indexer. */
static int run_once(an_analyzer *a, const char *text, size_t n, struct sink *k)
{
	size_t i = 0;
	while (i < n) {
		const char *nl = memchr(text + i, '\n', n - i);
		size_t j = nl ? (size_t)(nl - text) : n;
		uint32_t pos = 0;
		size_t nstop = 0;
		int rc = an_run(a, text + i, j - i, &pos, &nstop, count_term, k);
		if (rc)
			return rc;
		i = j + 1;
	}
	return 0;
}

static double measure(const char *text, size_t n, int stem, struct sink *k)
{
	struct an_settings st = {stem, NULL};
	struct err e;
	an_analyzer *a;
	double best = 0;
	size_t reps = MIN_ROUND_BYTES / (n ? n : 1) + 1, r, round;
	err_clear(&e);
	if ((a = an_new(&st, &e)) == NULL) {
		fprintf(stderr, "bench_analyze: %s\n", e.msg);
		exit(2);
	}
	run_once(a, text, n, k); /* warm caches and the stem memo */
	for (round = 0; round < ROUNDS; round++) {
		double t0 = now_s(), dt;
		for (r = 0; r < reps; r++)
			if (run_once(a, text, n, k) != 0) {
				fprintf(stderr, "bench_analyze: analyzer failed\n");
				exit(2);
			}
		dt = now_s() - t0;
		if (dt > 0 && (double)n * (double)reps / dt / 1e6 > best)
			best = (double)n * (double)reps / dt / 1e6;
	}
	an_free(a);
	return best;
}

int main(int argc, char **argv)
{
	size_t n = 0;
	char *text;
	struct sink k = {0, 0};
	if (argc > 2) {
		fprintf(stderr, "usage: bench_analyze [TEXT-FILE]\n");
		return 2;
	}
	text = argc == 2 ? slurp(argv[1], &n) : generate(4u << 20, &n);
	if (!text) {
		if (argc == 2)
			perror(argv[1]);
		else
			fprintf(stderr, "bench_analyze: out of memory\n");
		return 2;
	}
	double nostem = measure(text, n, 0, &k);
	double stem = measure(text, n, 1, &k);
	fprintf(stderr, "bench_analyze: %zu bytes of input, %zu terms emitted in all\n", n, k.nterms);
	printf("analyze_nostem_MBps %.1f\n", nostem);
	printf("analyze_stem_MBps %.1f\n", stem);
	free(text);
	return 0;
}
