/*
 * test_api.c - the edges of the public interface (sarc.h) as a C program
 * embedding the engine meets them, on an index of the demo corpus: what
 * sarc-query's option checks never let through (k of SIZE_MAX, an offset
 * past the end, k = 0, a hit that is no document, a field number out of
 * range), NULL or short error buffers, and how an error met by a facet is
 * reported.  Every case must answer as sarc.h says, and neither crash nor
 * touch memory it should not: tests/e2e/valgrind.sh runs this program
 * under memcheck too.
 *
 * Run from the repository root (tests/run.sh does).
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "sarc.h"
#include "testutil.h"

#define DEMO "corpus/demo/sarcoma-demo.xml"

/* The hits of a search of q with k, offset and sort; NULL on failure. */
static struct sarc_hit *search(sarc_index *ix, sarc_query *q, size_t k, size_t offset,
			       enum sarc_sort sort, size_t *n)
{
	struct sarc_search_opts o;
	struct sarc_hit *h;
	char err[256];
	sarc_search_opts_default(&o);
	o.k = k;
	o.offset = offset;
	o.sort = sort;
	if (sarc_search(ix, q, &o, &h, n, err, sizeof err) != 0) {
		printf("# search k=%zu offset=%zu: %s\n", k, offset, err);
		return NULL;
	}
	return h;
}

/* h[0 .. n) is ref[0 .. n): the same documents with the same scores. */
static int same_hits(const struct sarc_hit *h, const struct sarc_hit *ref, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (h[i].pmid != ref[i].pmid || h[i].score != ref[i].score)
			return 0;
	return 1;
}

/* Ranking parameters whose scores could overflow are refused; those at
 * the bounds sarc.h names, and a weight of -0, rank. */
static void check_params(sarc_index *ix, sarc_query *q)
{
	static const struct {
		double k1, b, w;
		int ok;
	} cases[] = {
		{1.2, 0.75, 1e308, 0}, {1.2, 0.75, -1e308, 0}, {1.2, 0.75, NAN, 0},
		{1.2, 0.75, INFINITY, 0}, {1001, 0.75, 1, 0}, {-1, 0.75, 1, 0},
		{1.2, 1.5, 1, 0}, {NAN, 0.75, 1, 0},
		{1.2, 0.75, 1000, 1}, {1.2, 0.75, -1000, 1}, {1000, 1, -0.0, 1}, {0, 0, 2, 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct sarc_search_opts o;
		struct sarc_hit *h = NULL;
		size_t n = 0;
		char err[256] = "";
		sarc_search_opts_default(&o);
		o.params.k1 = cases[i].k1;
		o.params.b = cases[i].b;
		o.params.weight[SARC_FIELD_TITLE] = cases[i].w;
		int rc = sarc_search(ix, q, &o, &h, &n, err, sizeof err);
		if (cases[i].ok)
			CHECKF(rc == 0 && n > 0, "params case %zu: %d %s", i, rc, err);
		else
			CHECKF(rc == SARC_ERR_USAGE && h == NULL && n == 0 &&
				       strstr(err, "out of range") != NULL,
			       "params case %zu accepted (%d)", i, rc);
		free(h);
	}
}

/* k and offset at and past their ends, against the whole ranked list. */
static void check_k_offset(sarc_index *ix, sarc_query *q, uint64_t count)
{
	size_t nref, n;
	struct sarc_hit *ref = search(ix, q, (size_t)count, 0, SARC_SORT_RELEVANCE, &nref);
	CHECK(ref != NULL && nref == count && count > 10);
	if (ref == NULL || nref != count || count <= 10)
		return;

	/* k = 0 asks for nothing; the pruning threshold of an empty top-0
	 * list was read from a heap slot never written (valgrind) */
	struct sarc_hit *h = search(ix, q, 0, 0, SARC_SORT_RELEVANCE, &n);
	CHECK(h != NULL && n == 0);
	free(h);

	/* k = SIZE_MAX: every hit (k + offset wrapped, or sized the heap:
	 * out of memory, no hit, or a heap 32 bytes long for 2^59 hits) */
	size_t ks[] = {SIZE_MAX, SIZE_MAX / 2, (size_t)1 << 59, (size_t)1 << 40};
	for (size_t i = 0; i < sizeof ks / sizeof *ks; i++) {
		h = search(ix, q, ks[i], 0, SARC_SORT_RELEVANCE, &n);
		CHECKF(h != NULL && n == count && same_hits(h, ref, n), "k=%zu: %zu hits of %zu",
		       ks[i], h ? n : 0, nref);
		free(h);
		h = search(ix, q, ks[i], 1, SARC_SORT_RELEVANCE, &n);
		CHECKF(h != NULL && n == count - 1 && same_hits(h, ref + 1, n),
		       "k=%zu offset 1: %zu hits of %zu", ks[i], h ? n : 0, nref - 1);
		free(h);
		h = search(ix, q, ks[i], 3, SARC_SORT_DATE, &n);
		CHECKF(h != NULL && n == count - 3, "k=%zu offset 3 by date: %zu hits", ks[i],
		       h ? n : 0);
		free(h);
	}
	h = search(ix, q, 5, SIZE_MAX, SARC_SORT_RELEVANCE, &n);
	CHECK(h != NULL && n == 0);
	free(h);

	/* a page past the end is empty, not an error */
	h = search(ix, q, 10, (size_t)count, SARC_SORT_RELEVANCE, &n);
	CHECK(h != NULL && n == 0);
	free(h);
	h = search(ix, q, 10, (size_t)count + 5, SARC_SORT_DATE, &n);
	CHECK(n == 0);
	free(h);
	h = search(ix, q, 10, (size_t)count - 4, SARC_SORT_RELEVANCE, &n);
	CHECK(h != NULL && n == 4 && same_hits(h, ref + count - 4, 4));
	free(h);
	free(ref);
}

/* A hit that names no document: an error, and d safe to free. */
static void check_bad_hit(sarc_index *ix, sarc_query *q)
{
	struct sarc_hit bad[2];
	memset(bad, 0, sizeof bad);
	bad[0].seg = 7;                  /* no such segment */
	bad[1].doc = UINT32_MAX;         /* no such document */
	for (int i = 0; i < 2; i++) {
		struct sarc_doc d;
		char err[256] = "";
		memset(&d, 0xab, sizeof d); /* as on a stack that was used */
		CHECK(sarc_doc_get(ix, &bad[i], &d, err, sizeof err) == SARC_ERR_NOTFOUND);
		CHECKF(d.priv_ == NULL && d.title == NULL, "hit %d: d left as it was", i);
		if (d.priv_ == NULL)
			sarc_doc_free(&d);
		CHECK(strcmp(err, "no such document") == 0);

		struct sarc_search_opts o;
		char *text = NULL;
		sarc_search_opts_default(&o);
		CHECK(sarc_explain(ix, q, &bad[i], &o, &text) == SARC_ERR_NOTFOUND && text == NULL);
	}
}

/* Highlights: a field number sarc.h does not define is refused. */
static void check_highlight(sarc_index *ix, sarc_query *q)
{
	static const char text[] = "Uterine sarcoma: a review";
	struct sarc_span *sp = NULL;
	size_t n = 0;
	CHECK(sarc_highlight(ix, q, SARC_FIELD_TITLE, text, strlen(text), &sp, &n) == 0);
	CHECK(n == 1 && sp != NULL && sp[0].start == 8 && sp[0].end == 15);
	free(sp);
	int fields[] = {-1, SARC_NFIELDS, 40, 1 << 20};
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
		sp = NULL;
		CHECKF(sarc_highlight(ix, q, fields[i], text, strlen(text), &sp, &n) == SARC_ERR_USAGE,
		       "field %d", fields[i]);
		CHECK(sp == NULL);
	}
	CHECK(strcmp(sarc_field_name(SARC_NFIELDS), "?") == 0);
	CHECK(strcmp(sarc_field_name(-1), "?") == 0);
}

/* A query belongs to the handle it was made with (sarc.h): another handle
 * of the same index refuses it in every call, and takes it back when the
 * query is its own.  Its cached dictionary entries (struct dfc) would
 * otherwise be read as the other handle's. */
static void check_other_handle(const char *dir, sarc_index *ix, sarc_query *q, uint64_t count)
{
	sarc_index *ix2;
	sarc_query *q2, *f;
	char err[256];
	if (sarc_open(dir, &ix2, err, sizeof err) != 0) {
		CHECKF(0, "%s", err);
		return;
	}
	uint64_t n = 0;
	struct sarc_search_opts o;
	sarc_search_opts_default(&o);
	struct sarc_hit *hits = NULL;
	size_t nhits = 0;
	err[0] = '\0';
	CHECK(sarc_count(ix2, q, &n, err, sizeof err) == SARC_ERR_USAGE);
	CHECKF(strstr(err, "another index handle") != NULL, "'%s'", err);
	CHECK(sarc_search(ix2, q, &o, &hits, &nhits, err, sizeof err) == SARC_ERR_USAGE &&
	      hits == NULL);
	struct sarc_facet *fv = NULL;
	size_t nf = 0;
	CHECK(sarc_facet(ix2, q, "year", &fv, &nf, NULL, err, sizeof err) == SARC_ERR_USAGE);
	struct sarc_span *sp = NULL;
	CHECK(sarc_highlight(ix2, q, SARC_FIELD_TITLE, "sarcoma", 7, &sp, &nf) == SARC_ERR_USAGE);
	struct sarc_hit h = {.pmid = 0, .seg = 0, .doc = 0};
	char *text = NULL;
	CHECK(sarc_explain(ix2, q, &h, &o, &text) == SARC_ERR_USAGE && text == NULL);
	/* a filter from another handle is refused, and stays the caller's */
	CHECK(sarc_query_parse(ix2, "sarcoma", NULL, &f, err, sizeof err) == 0);
	CHECK(sarc_query_restrict(q, f) == SARC_ERR_USAGE);
	sarc_query_free(f);
	/* the same query text, parsed with ix2, counts as q with ix */
	CHECK(sarc_query_parse(ix2, "sarcoma", NULL, &q2, err, sizeof err) == 0);
	CHECK(sarc_count(ix2, q2, &n, err, sizeof err) == 0 && n == count);
	CHECK(sarc_count(ix, q, &n, err, sizeof err) == 0 && n == count);
	sarc_query_free(q2);
	sarc_close(ix2);
}

/* NULL err, errcap 0 and 1: the return code alone, no write past them. */
static void check_err_buffers(sarc_index *ix)
{
	sarc_index *none = NULL;
	sarc_query *q = NULL;
	char err[4] = "xyz";
	CHECK(sarc_open("/nonexistent/sarc.idx", &none, NULL, 0) != 0 && none == NULL);
	CHECK(sarc_open("/nonexistent/sarc.idx", &none, err, 0) != 0 && strcmp(err, "xyz") == 0);
	CHECK(sarc_open("/nonexistent/sarc.idx", &none, err, 1) != 0 && err[0] == '\0');
	CHECK(sarc_query_parse(ix, "\"unbalanced", NULL, &q, NULL, 0) == SARC_ERR_PARSE);
	CHECK(q == NULL);
	CHECK(sarc_query_parse(ix, "\"unbalanced", NULL, &q, err, sizeof err) == SARC_ERR_PARSE);
	CHECK(strcmp(err, "que") == 0); /* "query: position 1: ...", cut */
	struct sarc_facet *f = NULL;
	size_t nf = 0;
	CHECK(sarc_query_parse(ix, "sarcoma", NULL, &q, NULL, 0) == 0);
	CHECK(sarc_facet(ix, q, "colour", &f, &nf, NULL, NULL, 0) == SARC_ERR_USAGE && f == NULL);
	sarc_query_free(q);
}

/* A facet that meets a damaged stored record says so (SARC_ERR_CORRUPT and
 * the file), as a search does: it answered "cannot compute facet",
 * SARC_ERR_NOMEM.  Facets read stored records in segments without facet
 * keys (FORMAT.md §4.1), as sarc wrote them before: dir is built so. */
static void check_facet_damage(const char *dir)
{
	const char *files[] = {DEMO};
	CHECK(test_build_more(dir, files, 1, 1, 1 << 24, 1, 0, TB_NO_FACETS) == 0);
	char path[1024] = "";
	DIR *dp = opendir(dir);
	struct dirent *de;
	while (dp && (de = readdir(dp)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l > 5 && strcmp(de->d_name + l - 5, ".ssto") == 0)
			snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
	}
	if (dp)
		closedir(dp);
	CHECK(path[0] != '\0');
	/* a byte of the compressed vocabulary, the start of the body
	 * after the 32-byte header (FORMAT.md sections 2 and 7) */
	FILE *fp = fopen(path, "r+b");
	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	int c = fseek(fp, 40, SEEK_SET) == 0 ? getc(fp) : EOF;
	CHECK(c != EOF && fseek(fp, 40, SEEK_SET) == 0 && putc(c ^ 0xff, fp) != EOF);
	CHECK(fclose(fp) == 0);

	sarc_index *ix;
	sarc_query *q;
	char err[256];
	CHECKF(sarc_open(dir, &ix, err, sizeof err) == 0, "%s", err);
	CHECK(sarc_query_parse(ix, "sarcoma", NULL, &q, err, sizeof err) == 0);
	const char *kinds[] = {"journal", "mesh", "pt"};
	for (int i = 0; i < 3; i++) {
		struct sarc_facet *f = NULL;
		size_t nf = 0;
		int rc = sarc_facet(ix, q, kinds[i], &f, &nf, NULL, err, sizeof err);
		CHECKF(rc == SARC_ERR_CORRUPT && strstr(err, ".ssto") != NULL, "facet %s: %d %s",
		       kinds[i], rc, rc ? err : "");
		if (rc == 0)
			sarc_facets_free(f, nf);
	}
	sarc_query_free(q);
	sarc_close(ix);
}

int main(void)
{
	if (access(DEMO, R_OK) != 0) {
		printf("ok api # skip no %s (run from the repository root)\n", DEMO);
		return 0;
	}
	char tmp[] = "/tmp/sarc-test-api-XXXXXX";
	if (mkdtemp(tmp) == NULL)
		return 1;
	char dir[512];
	snprintf(dir, sizeof dir, "%s/idx", tmp);
	const char *files[] = {DEMO};
	CHECK(test_build(dir, files, 1, 1, 1 << 24, 0, 0) == 0);

	sarc_index *ix;
	sarc_query *q;
	uint64_t count = 0;
	char err[256];
	CHECKF(sarc_open(dir, &ix, err, sizeof err) == 0, "%s", err);
	CHECK(sarc_query_parse(ix, "sarcoma", NULL, &q, err, sizeof err) == 0);
	CHECK(sarc_count(ix, q, &count, err, sizeof err) == 0);
	check_k_offset(ix, q, count);
	check_bad_hit(ix, q);
	check_highlight(ix, q);
	check_err_buffers(ix);
	check_params(ix, q);
	check_other_handle(dir, ix, q, count);
	sarc_query_free(q);
	sarc_close(ix);
	snprintf(dir, sizeof dir, "%s/nofacets", tmp);
	check_facet_damage(dir);

	test_rmdir(tmp);
	return check_done("api");
}
