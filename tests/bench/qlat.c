/*
 * qlat.c - per-query latency of the sarc engine, in one process, for
 * `make bench` (tests/bench/run.sh).  Opens the index once, reads queries
 * as "QID<TAB>QUERY" lines (or bare QUERY lines) from standard input, and
 * runs each one pruned (the default) and --exhaustive: parse + top-k
 * search, timed with CLOCK_MONOTONIC.  One warm-up pass faults the index
 * in; then REPEAT timed passes, interleaving pruned and exhaustive so that
 * machine noise hits both alike.  Prints JSON Lines on standard output:
 *
 *   {"engine":"sarc","task":"q","qid":"q01","us":12.3,"nhits":10,"top":[..]}
 *   {"engine":"sarc","task":"q_exh","qid":"q01","us":45.6,...,"same":true}
 *   {"engine":"sarc","task":"q_pass","us":...}    (pruned, whole pass)
 *   {"engine":"sarc","task":"q_exh_pass","us":...}
 *
 * "us" of a query is the median of its REPEAT timings; "same" says whether
 * the pruned top-k equals the exhaustive one (PMIDs and order).
 *
 * --only pruned|exhaustive times one mode alone (for profiling); the
 * warm-up pass still runs both.  --cpu times with the thread's CPU clock
 * instead: on a busy machine it leaves out the time spent descheduled.
 *
 * usage: qlat -i INDEX [-k 10] [-r REPEAT] [--engine NAME] [--only MODE] [--cpu]
 *             < queries.tsv
 * Build: see tests/bench/run.sh (links the query sources but main.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sarc.h"

#define MAXQ 4096
#define MAXREP 101

struct q {
	char *qid, *text;
	double t_pruned[MAXREP], t_exh[MAXREP];
	uint32_t top[64];
	size_t ntop;
	int same, bad;
	char err[256];
};

static double now_us(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* JSON string body: the queries are ours, but quote and escape anyway. */
static void put_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* Parses and runs one query; on success fills hits (malloc'd). */
static int run_one(sarc_index *ix, const char *text, int exhaustive, size_t k,
		   struct sarc_hit **hits, size_t *nhits, char *err, size_t errcap)
{
	struct sarc_query_opts qo;
	struct sarc_search_opts so;
	sarc_query *q = NULL;
	memset(&qo, 0, sizeof qo);
	sarc_search_opts_default(&so);
	so.k = k;
	so.exhaustive = exhaustive;
	int rc = sarc_query_parse(ix, text, &qo, &q, err, errcap);
	if (rc == 0)
		rc = sarc_search(ix, q, &so, hits, nhits, err, errcap);
	sarc_query_free(q);
	return rc;
}

int main(int argc, char **argv)
{
	const char *index = NULL, *engine = "sarc";
	size_t k = 10;
	int repeat = 5;
	int mode_lo = 0, mode_hi = 1; /* 0 pruned, 1 exhaustive */
	clockid_t clk = CLOCK_MONOTONIC;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-i") && i + 1 < argc)
			index = argv[++i];
		else if (!strcmp(argv[i], "-k") && i + 1 < argc)
			k = (size_t)atoi(argv[++i]);
		else if (!strcmp(argv[i], "-r") && i + 1 < argc)
			repeat = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--engine") && i + 1 < argc)
			engine = argv[++i];
		else if (!strcmp(argv[i], "--cpu"))
			clk = CLOCK_THREAD_CPUTIME_ID;
		else if (!strcmp(argv[i], "--only") && i + 1 < argc && !strcmp(argv[i + 1], "pruned"))
			mode_hi = 0, i++;
		else if (!strcmp(argv[i], "--only") && i + 1 < argc &&
			 !strcmp(argv[i + 1], "exhaustive"))
			mode_lo = 1, i++;
		else {
			fprintf(stderr, "usage: qlat -i INDEX [-k N] [-r REPEAT] [--engine NAME] "
					"[--only pruned|exhaustive] [--cpu] < queries\n");
			return 2;
		}
	}
	if (index == NULL || k < 1 || k > 64 || repeat < 1 || repeat > MAXREP) {
		fprintf(stderr, "qlat: need -i INDEX, 1 <= k <= 64, 1 <= repeat <= %d\n", MAXREP);
		return 2;
	}

	static struct q qs[MAXQ];
	size_t nq = 0;
	char line[4096];
	while (nq < MAXQ && fgets(line, sizeof line, stdin)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		char *tab = strchr(line, '\t');
		char id[32];
		snprintf(id, sizeof id, "%zu", nq + 1);
		if (tab) {
			*tab = '\0';
			qs[nq].qid = strdup(line);
			qs[nq].text = strdup(tab + 1);
		} else {
			qs[nq].qid = strdup(id);
			qs[nq].text = strdup(line);
		}
		if (!qs[nq].qid || !qs[nq].text) {
			fprintf(stderr, "qlat: out of memory\n");
			return 2;
		}
		nq++;
	}

	char err[256];
	sarc_index *ix = NULL;
	if (sarc_open(index, &ix, err, sizeof err) != 0) {
		fprintf(stderr, "qlat: %s\n", err);
		return 2;
	}

	/* Warm-up pass: fault the index in, record the exhaustive top-k as
	 * the reference and check the pruned one against it. */
	for (size_t i = 0; i < nq; i++) {
		struct sarc_hit *he = NULL, *hp = NULL;
		size_t ne = 0, np = 0;
		if (run_one(ix, qs[i].text, 1, k, &he, &ne, qs[i].err, sizeof qs[i].err) != 0 ||
		    run_one(ix, qs[i].text, 0, k, &hp, &np, qs[i].err, sizeof qs[i].err) != 0) {
			qs[i].bad = 1;
		} else {
			qs[i].ntop = ne;
			for (size_t j = 0; j < ne; j++)
				qs[i].top[j] = he[j].pmid;
			qs[i].same = ne == np;
			for (size_t j = 0; qs[i].same && j < ne; j++)
				qs[i].same = he[j].pmid == hp[j].pmid;
		}
		free(he);
		free(hp);
	}

	double pass_p[MAXREP], pass_e[MAXREP];
	for (int r = 0; r < repeat; r++) {
		pass_p[r] = pass_e[r] = 0;
		for (size_t i = 0; i < nq; i++) {
			if (qs[i].bad)
				continue;
			for (int exh = mode_lo; exh <= mode_hi; exh++) {
				struct sarc_hit *h = NULL;
				size_t n = 0;
				double t0 = now_us(clk);
				int rc = run_one(ix, qs[i].text, exh, k, &h, &n, err, sizeof err);
				double dt = now_us(clk) - t0;
				free(h);
				if (rc != 0) {
					qs[i].bad = 1;
					snprintf(qs[i].err, sizeof qs[i].err, "%s", err);
				}
				if (exh) {
					qs[i].t_exh[r] = dt;
					pass_e[r] += dt;
				} else {
					qs[i].t_pruned[r] = dt;
					pass_p[r] += dt;
				}
			}
		}
	}

	for (size_t i = 0; i < nq; i++) {
		if (qs[i].bad) {
			printf("{\"engine\":\"%s\",\"task\":\"q_error\",\"qid\":", engine);
			put_json_str(qs[i].qid);
			printf(",\"error\":");
			put_json_str(qs[i].err);
			printf("}\n");
			continue;
		}
		for (int exh = 0; exh <= 1; exh++) {
			printf("{\"engine\":\"%s\",\"task\":\"%s\",\"qid\":", engine, exh ? "q_exh" : "q");
			put_json_str(qs[i].qid);
			printf(",\"us\":%.3f,\"nhits\":%zu,\"same\":%s,\"top\":[",
			       median(exh ? qs[i].t_exh : qs[i].t_pruned, (size_t)repeat), qs[i].ntop,
			       qs[i].same ? "true" : "false");
			for (size_t j = 0; j < qs[i].ntop; j++)
				printf("%s%u", j ? "," : "", qs[i].top[j]);
			printf("]}\n");
		}
	}
	for (int r = 0; r < repeat; r++) {
		printf("{\"engine\":\"%s\",\"task\":\"q_pass\",\"us\":%.3f,\"queries\":%zu}\n", engine,
		       pass_p[r], nq);
		printf("{\"engine\":\"%s\",\"task\":\"q_exh_pass\",\"us\":%.3f,\"queries\":%zu}\n",
		       engine, pass_e[r], nq);
	}
	sarc_close(ix);
	for (size_t i = 0; i < nq; i++) {
		free(qs[i].qid);
		free(qs[i].text);
	}
	return 0;
}
