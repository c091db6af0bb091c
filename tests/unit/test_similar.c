/*
 * test_similar.c - "similar articles" (sarc_query_similar, README
 * "Literature review") against independent computations.
 *
 * For every record of the bundled demo corpus, and for records of a larger
 * synthetic corpus spread over several segments with replaced and deleted
 * documents (so N, df and average lengths count documents a search no
 * longer returns, as README "Ranking" says), with several term counts:
 *
 *  - the built query (sarc_query_describe) holds exactly the record's most
 *    distinctive terms: the words of its title, abstract and MeSH headings
 *    (joined compounds aside) ranked by tf x idf, idf from the abstract
 *    field (the title's when the abstract lacks the term), terms no other
 *    document has left out, at most the requested number, each searched in
 *    title, abstract and MeSH;
 *  - every hit's score equals a brute-force BM25 of those terms computed
 *    here from the posting lists (README's formula, field weights title 2,
 *    abstract 1, MeSH 1.5, k1 1.2, b 0.75) to 1e-9 relative, pruned and
 *    exhaustive, top 10 and every match, in the same order; the record
 *    itself is never a hit;
 *  - the same terms written as an explicit query, `title:(t1 t2 ...) OR
 *    abstract:(...) OR mesh:(...)`, re-parsed, give the same documents with
 *    the same scores (plus the record itself, which the explicit query
 *    cannot exclude);
 *  - restricting the similar query (sarc_query_restrict, as `--similar PMID
 *    QUERY` does) keeps exactly the hits that also match the filter, with
 *    unchanged scores and order; --sort date and cited return the same set;
 *  - a PMID not in the index (never indexed, or deleted) gives status 1;
 *  - citation counts (--sort cited), by lookups and by the scan of the
 *    cites: terms, equal the live records citing each PMID counted here
 *    from the stored references; --sort date and cited a page at a time
 *    give the slices of the list sorted whole.
 *
 * Run from the repository root (tests/run.sh does); without the demo corpus
 * its part is skipped with a note.  Seed: argv[1] (printed).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "build.h"
#include "check.h"
#include "engine.h"
#include "fields.h"
#include "ix.h"
#include "sarc.h"
#include "seg.h"
#include "testutil.h"

#define DEMO "corpus/demo/sarcoma-demo.xml"
#define MAXQ 1000 /* terms of one similar query */

static uint64_t rng_state;
static uint64_t rnd(void)
{
	return splitmix64(&rng_state);
}

static int close_enough(double a, double b)
{
	return fabs(a - b) <= 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b)));
}

/* ---- synthetic corpora ---- */

/* Synthetic citations: pseudo-words of letters with a skewed frequency, so
 * that posting lists span many blocks and pruning has work to do. */
#define VOCAB 400
static char vocab[VOCAB][16];

static void make_vocab(void)
{
	static const char *const syl[] = {"ba", "ko", "ri", "tu", "ma", "se", "lo", "vi", "ne",
					  "da", "gu", "pe", "zo", "fi", "ha", "ly"};
	for (int w = 0; w < VOCAB; w++) {
		int n = 2 + w % 3, x = w;
		vocab[w][0] = '\0';
		for (int i = 0; i < n; i++) {
			strcat(vocab[w], syl[x % 16]);
			x = x / 16 + i * 7 + 3;
		}
		/* a tail letter keeps the words distinct */
		size_t l = strlen(vocab[w]);
		vocab[w][l] = (char)('a' + w % 26);
		vocab[w][l + 1] = 'x';
		vocab[w][l + 2] = (char)('a' + (w / 26) % 26);
		vocab[w][l + 3] = '\0';
	}
}

static const char *word(void)
{
	double u = (double)(rnd() % 1000000) / 1e6;
	int w = (int)(pow(u, 2.2) * VOCAB);
	return vocab[w < VOCAB ? w : VOCAB - 1];
}

static void words(FILE *f, int n)
{
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? " " : "", word());
}

static void synth_record(FILE *f, uint32_t pmid)
{
	fprintf(f, "<PubmedArticle><MedlineCitation><PMID Version=\"1\">%u</PMID><Article>"
		   "<Journal><JournalIssue><PubDate><Year>%u</Year></PubDate></JournalIssue>"
		   "<Title>J</Title></Journal><ArticleTitle>",
		pmid, (unsigned)(1980 + rnd() % 45));
	words(f, 3 + (int)(rnd() % 12));
	fprintf(f, "</ArticleTitle>");
	if (rnd() % 8) {
		fprintf(f, "<Abstract><AbstractText>");
		words(f, 20 + (int)(rnd() % 180));
		fprintf(f, "</AbstractText></Abstract>");
	}
	fprintf(f, "</Article><MeshHeadingList>");
	for (int k = (int)(rnd() % 6); k > 0; k--) {
		fprintf(f, "<MeshHeading><DescriptorName UI=\"D%06d\" MajorTopicYN=\"N\">", k);
		words(f, 1 + (int)(rnd() % 2));
		fprintf(f, "</DescriptorName></MeshHeading>");
	}
	fprintf(f, "</MeshHeadingList></MedlineCitation><PubmedData><ReferenceList>");
	/* references to PMIDs in the corpus and past it, a few twice */
	for (int k = (int)(rnd() % 6); k > 0; k--)
		fprintf(f, "<Reference><ArticleIdList><ArticleId IdType=\"pubmed\">%u</ArticleId>"
			   "</ArticleIdList></Reference>",
			(unsigned)(1 + rnd() % 7000));
	fprintf(f, "</ReferenceList></PubmedData></PubmedArticle>\n");
}

static int write_synth(const char *path, uint32_t from, uint32_t to, const uint32_t *dels,
		       size_t ndels)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n");
	for (uint32_t p = from; p < to; p++)
		synth_record(f, p);
	if (ndels) {
		fprintf(f, "<DeleteCitation>");
		for (size_t i = 0; i < ndels; i++)
			fprintf(f, "<PMID Version=\"1\">%u</PMID>", dels[i]);
		fprintf(f, "</DeleteCitation>\n");
	}
	fprintf(f, "</PubmedArticleSet>\n");
	return fclose(f);
}

/* ---- the terms of a built query, from its description ---- */

#define MAXSURF 256
struct terms {
	char t[MAXQ][AN_MAX_TERM_BYTES + 1];
	/* expected_terms: a word of the record that analyzes to the term
	 * (analyze.h: text[start..end) alone gives it), lower-cased so that
	 * an "OR" of the text is not read as an operator */
	char surface[MAXQ][MAXSURF];
	size_t n;
};

/* Every quoted term of a sarc_query_describe string, in order (qparse.h:
 * '"' and '\\' escaped with '\\', other bytes below 0x20 as \xHH). */
static size_t describe_terms(const char *s, struct terms *out)
{
	out->n = 0;
	for (const char *p = s; *p; p++) {
		if (*p != '"')
			continue;
		char buf[4 * AN_MAX_TERM_BYTES + 1];
		size_t n = 0;
		for (p++; *p && *p != '"' && n < sizeof buf - 1; p++) {
			if (*p == '\\' && p[1] == 'x' && p[2] && p[3]) {
				char hex[3] = {p[2], p[3], 0};
				buf[n++] = (char)strtol(hex, NULL, 16);
				p += 3;
			} else if (*p == '\\' && p[1]) {
				buf[n++] = *++p;
			} else {
				buf[n++] = *p;
			}
		}
		buf[n] = '\0';
		if (out->n < MAXQ && n <= AN_MAX_TERM_BYTES)
			memcpy(out->t[out->n++], buf, n + 1);
		if (*p == '\0')
			break;
	}
	return out->n;
}

/* ---- global statistics and brute-force BM25, straight from postings ---- */

static const unsigned qfields[3] = {F_TITLE, F_ABSTRACT, F_MESH};
static const double qweight[3] = {2.0, 1.0, 1.5}; /* README "Ranking" */

static double idf_of(double N, double df)
{
	return log(1.0 + (N - df + 0.5) / (df + 0.5));
}

static uint64_t df_of(const struct ix *x, unsigned f, const char *t)
{
	uint8_t key[SEG_MAX_KEY];
	size_t n = strlen(t);
	struct seg_term st;
	struct err e;
	uint64_t df = 0;
	err_clear(&e);
	key[0] = (uint8_t)f;
	memcpy(key + 1, t, n);
	for (size_t i = 0; i < x->nsegs; i++)
		if (seg_lookup(&x->segs[i], key, n + 1, &st, &e) == 1)
			df += st.df;
	return df;
}

static double N_of(const struct ix *x)
{
	double N = 0;
	for (size_t i = 0; i < x->nsegs; i++)
		N += x->segs[i].ndocs;
	return N;
}


/* Every live document matching any of the terms in title, abstract or
 * MeSH, except PMID self, with its BM25 score, best first. */
static size_t brute(const struct ix *x, const struct terms *q, uint32_t self,
		    struct scored **out)
{
	double N = N_of(x), avg[3];
	for (int fi = 0; fi < 3; fi++) {
		double sum = 0;
		for (size_t i = 0; i < x->nsegs; i++)
			sum += (double)x->segs[i].field_len_sum[qfields[fi]];
		avg[fi] = sum / N;
	}
	size_t total = 0, n = 0;
	for (size_t i = 0; i < x->nsegs; i++)
		total += x->segs[i].ndocs;
	struct scored *v = calloc(total + 1, sizeof *v);
	char *hit = calloc(total + 1, 1);
	size_t base = 0;
	struct err e;
	err_clear(&e);
	for (size_t i = 0; i < x->nsegs; i++) {
		const struct seg *s = &x->segs[i];
		for (size_t k = 0; k < q->n; k++)
			for (int fi = 0; fi < 3; fi++) {
				unsigned f = qfields[fi];
				double df = (double)df_of(x, f, q->t[k]);
				if (df == 0)
					continue;
				double w = qweight[fi] * idf_of(N, df);
				uint8_t key[SEG_MAX_KEY];
				size_t kl = strlen(q->t[k]);
				struct seg_term st;
				struct seg_postings pc;
				key[0] = (uint8_t)f;
				memcpy(key + 1, q->t[k], kl);
				if (seg_lookup(s, key, kl + 1, &st, &e) != 1 ||
				    seg_postings_open(&pc, s, &st, &e) != 0)
					continue;
				for (uint32_t d = pc.doc; d != SEG_END; d = seg_postings_next(&pc)) {
					if (seg_deleted(s, d))
						continue;
					double tf = seg_postings_tf(&pc);
					double len = seg_doc_len(s, d, f);
					double norm = 1 - 0.75 + 0.75 * len / avg[fi];
					v[base + d].score += w * tf * 2.2 / (tf + 1.2 * norm);
					hit[base + d] = 1;
				}
			}
		for (uint32_t d = 0; d < s->ndocs; d++)
			if (hit[base + d]) {
				uint32_t pm = seg_doc_pmid(s, d);
				if (pm != self)
					v[n++] = (struct scored){pm, v[base + d].score};
			}
		base += s->ndocs;
	}
	free(hit);
	qsort(v, n, sizeof *v, cmp_scored);
	*out = v;
	return n;
}

/* ---- the expected terms: tf x idf over the stored record ---- */

struct cand {
	char t[AN_MAX_TERM_BYTES + 1];
	char surface[MAXSURF];
	double tf, w;
};
struct cands {
	struct cand *v;
	size_t n, cap;
	const char *text; /* the text being analyzed */
};

static int cand_emit(void *ctx, const struct an_term *t)
{
	struct cands *c = ctx;
	if (t->kind == AN_JOINED)
		return 0;
	for (size_t i = 0; i < c->n; i++)
		if (strlen(c->v[i].t) == t->len && memcmp(c->v[i].t, t->text, t->len) == 0) {
			c->v[i].tf++;
			return 0;
		}
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		c->v = realloc(c->v, sizeof *c->v * c->cap);
	}
	memcpy(c->v[c->n].t, t->text, t->len);
	c->v[c->n].t[t->len] = '\0';
	size_t sl = t->end - t->start < MAXSURF ? t->end - t->start : 0;
	for (size_t i = 0; i < sl; i++) {
		char ch = c->text[t->start + i];
		c->v[c->n].surface[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	c->v[c->n].surface[sl] = '\0';
	c->v[c->n].tf = 1;
	c->n++;
	return 0;
}

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->w != y->w)
		return x->w > y->w ? -1 : 1;
	return strcmp(x->t, y->t);
}

static void expected_terms(sarc_index *ix, an_analyzer *an, const struct ix *x, uint32_t pmid,
			   size_t nterms, struct terms *out)
{
	struct sarc_doc d;
	struct cands c = {0};
	char err[256];
	out->n = 0;
	if (sarc_doc_by_pmid(ix, pmid, &d, NULL, err, sizeof err) != 0)
		return;
	const char *texts[3] = {d.title, d.abstract, d.mesh};
	for (int i = 0; i < 3; i++) {
		uint32_t pos = 0;
		c.text = texts[i];
		an_run(an, texts[i], strlen(texts[i]), &pos, NULL, cand_emit, &c);
	}
	double N = N_of(x);
	for (size_t i = 0; i < c.n; i++) {
		double df = (double)df_of(x, F_ABSTRACT, c.v[i].t);
		if (df == 0)
			df = (double)df_of(x, F_TITLE, c.v[i].t);
		c.v[i].w = df <= 1 ? 0 : c.v[i].tf * idf_of(N, df);
	}
	qsort(c.v, c.n, sizeof *c.v, cmp_cand);
	for (size_t i = 0; i < c.n && out->n < nterms && c.v[i].w > 0; i++) {
		strcpy(out->t[out->n], c.v[i].t);
		strcpy(out->surface[out->n++], c.v[i].surface);
	}
	free(c.v);
	sarc_doc_free(&d);
}

/* ---- running queries ---- */

static size_t run(sarc_index *ix, sarc_query *q, size_t k, int exhaustive, enum sarc_sort sort,
		  struct sarc_hit **hits)
{
	struct sarc_search_opts o;
	size_t n = 0;
	char err[512];
	sarc_search_opts_default(&o);
	o.k = k;
	o.exhaustive = exhaustive;
	o.sort = sort;
	if (sarc_search(ix, q, &o, hits, &n, err, sizeof err) != 0) {
		printf("# search: %s\n", err);
		*hits = NULL;
		return 0;
	}
	return n;
}

/* hits equal want[0..nwant) in order (a near-tie may swap) and scores. */
static int same_ranking(const struct sarc_hit *h, size_t n, const struct scored *want,
			size_t nwant, const char **why)
{
	if (n != nwant) {
		*why = "count";
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (!close_enough(h[i].score, want[i].score)) {
			*why = "score";
			return 0;
		}
		if (h[i].pmid != want[i].pmid) {
			/* allowed only between documents that tie */
			int tie = 0;
			for (size_t j = 0; j < nwant && !tie; j++)
				tie = want[j].pmid == h[i].pmid && close_enough(want[j].score, want[i].score);
			if (!tie) {
				*why = "order";
				return 0;
			}
		}
	}
	return 1;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* The same set of PMIDs. */
static int same_set(const struct sarc_hit *a, size_t na, const struct sarc_hit *b, size_t nb)
{
	if (na != nb)
		return 0;
	uint32_t *x = malloc(sizeof *x * (na + 1)), *y = malloc(sizeof *y * (nb + 1));
	for (size_t i = 0; i < na; i++) {
		x[i] = a[i].pmid;
		y[i] = b[i].pmid;
	}
	qsort(x, na, sizeof *x, cmp_u32);
	qsort(y, nb, sizeof *y, cmp_u32);
	int same = memcmp(x, y, sizeof *x * na) == 0;
	free(x);
	free(y);
	return same;
}

struct tally {
	int cases, bad_terms, bad_score, bad_self, bad_explicit, explicit_checked,
		explicit_skipped, bad_restrict, bad_sort, bad_count;
};

/* Every check of one (PMID, number of terms). */
static void check_one(sarc_index *ix, an_analyzer *an, const struct ix *x, uint32_t pmid,
		      size_t nterms, const char *const *filters, size_t nfilters, int verbose,
		      struct tally *t)
{
	sarc_query *q = NULL;
	char err[512];
	static struct terms got, want, again;
	t->cases++;
	int rc = sarc_query_similar(ix, pmid, nterms, &q, err, sizeof err);
	CHECKF(rc == 0, "similar %u: status %d: %s", pmid, rc, err);
	if (rc != 0)
		return;
	const char *desc = sarc_query_describe(q);
	if (verbose)
		printf("# similar %u, %zu terms: %s\n", pmid, nterms, desc);
	describe_terms(desc, &got);
	expected_terms(ix, an, x, pmid, nterms, &want);
	int terms_ok = got.n == want.n && got.n <= nterms;
	for (size_t i = 0; terms_ok && i < got.n; i++)
		terms_ok = strcmp(got.t[i], want.t[i]) == 0;
	/* each term searched in title, abstract and MeSH, nothing else */
	if (got.n > 0 && strstr(desc, "(terms title|abstract|mesh \"") == NULL)
		terms_ok = 0;
	if (!terms_ok) {
		t->bad_terms++;
		if (t->bad_terms <= 3)
			printf("# %u (%zu terms): built %zu terms, expected %zu (%s%s): %s\n", pmid,
			       nterms, got.n, want.n, want.n ? "first " : "",
			       want.n ? want.t[0] : "", desc);
	}

	/* brute force over the built query's terms */
	struct scored *ref;
	size_t nref = brute(x, &got, pmid, &ref);
	struct sarc_hit *h;
	const char *why = "";
	for (int ex = 0; ex < 2; ex++) {
		size_t n = run(ix, q, 10, ex, SARC_SORT_RELEVANCE, &h);
		int ok = same_ranking(h, n, ref, nref < 10 ? nref : 10, &why);
		free(h);
		n = run(ix, q, nref + 5, ex, SARC_SORT_RELEVANCE, &h);
		ok = ok && same_ranking(h, n, ref, nref, &why);
		for (size_t i = 0; i < n; i++)
			if (h[i].pmid == pmid)
				t->bad_self++;
		free(h);
		if (!ok) {
			t->bad_score++;
			if (t->bad_score <= 3)
				printf("# %u (%zu terms, %s): ranking differs from brute force (%s)\n",
				       pmid, nterms, ex ? "exhaustive" : "pruned", why);
		}
	}
	uint64_t cnt = 0;
	if (sarc_count(ix, q, &cnt, err, sizeof err) != 0 || cnt != nref)
		t->bad_count++;

	/* the same terms as an explicit query, written as words of the record
	 * that analyze to them (a term itself need not: stemming is not
	 * idempotent, "adverse" -> "advers" -> "adver", and "being" -> "be", a
	 * stopword as a word) */
	if (got.n > 0 && terms_ok) {
		size_t cap = got.n * 3 * (MAXSURF + 2) + 64, len = 0;
		char *text = malloc(cap);
		static const char *const fname[3] = {"title", "abstract", "mesh"};
		for (int fi = 0; fi < 3; fi++) {
			len += (size_t)snprintf(text + len, cap - len, "%s%s:(", fi ? " OR " : "",
						fname[fi]);
			for (size_t i = 0; i < got.n; i++)
				len += (size_t)snprintf(text + len, cap - len, "%s%s", i ? " " : "",
							want.surface[i]);
			len += (size_t)snprintf(text + len, cap - len, ")");
		}
		/* equivalent only if each word, alone, is exactly its term (checked
		 * word by word: a description is cut at 4095 bytes) */
		int same = 1;
		for (size_t i = 0; same && i < got.n; i++) {
			sarc_query *wq = NULL;
			same = sarc_query_parse(ix, want.surface[i], NULL, &wq, err, sizeof err) == 0 &&
			       describe_terms(sarc_query_describe(wq), &again) == 1 &&
			       strcmp(again.t[0], got.t[i]) == 0;
			if (!same && getenv("SIMILAR_DEBUG"))
				printf("# %u: '%s' is not the term '%s' alone\n", pmid, want.surface[i],
				       got.t[i]);
			sarc_query_free(wq);
		}
		sarc_query *eq = NULL;
		if (!same) {
			t->explicit_skipped++;
		} else if (sarc_query_parse(ix, text, NULL, &eq, err, sizeof err) != 0) {
			t->explicit_skipped++;
			printf("# %u: explicit query not parsed: %s\n", pmid, err);
		} else {
			{
				t->explicit_checked++;
				for (int ex = 0; ex < 2; ex++) {
					struct sarc_hit *e;
					size_t ne = run(ix, eq, nref + 5, ex, SARC_SORT_RELEVANCE, &e);
					/* the explicit query matches the record itself too */
					size_t m = 0;
					for (size_t i = 0; i < ne; i++)
						if (e[i].pmid != pmid)
							e[m++] = e[i];
					int ok = m + 1 == ne && same_ranking(e, m, ref, nref, &why);
					free(e);
					if (!ok) {
						t->bad_explicit++;
						if (t->bad_explicit <= 3)
							printf("# %u: explicit query ranks differently (%s): %s\n",
							       pmid, why, text);
					}
				}
			}
			sarc_query_free(eq);
		}
		free(text);
	}

	/* restricted: the hits that also match the filter, same scores */
	for (size_t fi = 0; fi < nfilters; fi++) {
		sarc_query *rq = NULL, *f = NULL, *fq = NULL;
		if (sarc_query_similar(ix, pmid, nterms, &rq, err, sizeof err) != 0 ||
		    sarc_query_parse(ix, filters[fi], NULL, &f, err, sizeof err) != 0 ||
		    sarc_query_parse(ix, filters[fi], NULL, &fq, err, sizeof err) != 0 ||
		    sarc_query_restrict(rq, f) != 0) {
			t->bad_restrict++;
			printf("# %u: cannot restrict to '%s': %s\n", pmid, filters[fi], err);
			sarc_query_free(rq);
			sarc_query_free(fq);
			continue;
		}
		struct sarc_hit *m;
		size_t nm = run(ix, fq, 1000000, 1, SARC_SORT_RELEVANCE, &m);
		struct scored *keep = malloc(sizeof *keep * (nref + 1));
		size_t nk = 0;
		for (size_t i = 0; i < nref; i++)
			for (size_t j = 0; j < nm; j++)
				if (m[j].pmid == ref[i].pmid) {
					keep[nk++] = ref[i];
					break;
				}
		free(m);
		for (int ex = 0; ex < 2; ex++) {
			size_t nr = run(ix, rq, nref + 5, ex, SARC_SORT_RELEVANCE, &h);
			if (!same_ranking(h, nr, keep, nk, &why)) {
				t->bad_restrict++;
				if (t->bad_restrict <= 3)
					printf("# %u restricted to '%s' (%s): %zu hits, expected %zu (%s)\n",
					       pmid, filters[fi], ex ? "exhaustive" : "pruned", nr, nk, why);
			}
			free(h);
		}
		free(keep);
		sarc_query_free(rq);
		sarc_query_free(fq);
	}

	/* sorting reorders, never changes the set */
	struct sarc_hit *rel, *srt;
	size_t nrel = run(ix, q, nref + 5, 0, SARC_SORT_RELEVANCE, &rel);
	for (int s = 1; s <= 2; s++) {
		size_t ns = run(ix, q, nref + 5, 0, s == 1 ? SARC_SORT_DATE : SARC_SORT_CITED, &srt);
		int ok = same_set(rel, nrel, srt, ns);
		for (size_t i = 1; ok && i < ns; i++)
			ok = s == 1 ? srt[i - 1].year >= srt[i].year : srt[i - 1].cited >= srt[i].cited;
		if (!ok)
			t->bad_sort++;
		free(srt);
	}
	free(rel);
	free(ref);
	sarc_query_free(q);
}

static void report(const char *what, const struct tally *t)
{
	printf("# %s: %d cases, explicit query compared in %d (%d not equivalent after "
	       "re-analysis)\n",
	       what, t->cases, t->explicit_checked, t->explicit_skipped);
	CHECKF(t->bad_terms == 0, "%s: %d built queries differ from the record's top tf-idf terms",
	       what, t->bad_terms);
	CHECKF(t->bad_score == 0, "%s: %d rankings differ from brute-force BM25", what, t->bad_score);
	CHECKF(t->bad_self == 0, "%s: the record is its own similar article %d times", what,
	       t->bad_self);
	CHECKF(t->bad_count == 0, "%s: %d counts differ from brute force", what, t->bad_count);
	CHECKF(t->bad_explicit == 0, "%s: %d explicit queries rank differently", what,
	       t->bad_explicit);
	/* the comparison must not be vacuous */
	CHECKF(t->explicit_checked * 10 >= t->cases * 9,
	       "%s: explicit query compared in only %d of %d cases", what, t->explicit_checked,
	       t->cases);
	CHECKF(t->bad_restrict == 0, "%s: %d restricted rankings differ", what, t->bad_restrict);
	CHECKF(t->bad_sort == 0, "%s: %d sorted lists differ in set or order", what, t->bad_sort);
}

static void check_absent(sarc_index *ix, uint32_t pmid)
{
	sarc_query *q = NULL;
	char err[256];
	int rc = sarc_query_similar(ix, pmid, 25, &q, err, sizeof err);
	CHECKF(rc == 1 && q == NULL, "similar of absent PMID %u: status %d", pmid, rc);
	if (rc == 0)
		sarc_query_free(q);
}

/* ---- citation counts ---- */

struct cite {
	uint32_t cited, citing;
};

static int cmp_cite(const void *a, const void *b)
{
	const struct cite *x = a, *y = b;
	if (x->cited != y->cited)
		return x->cited < y->cited ? -1 : 1;
	return x->citing < y->citing ? -1 : x->citing > y->citing;
}

static size_t live_pmids(const struct ix *x, uint32_t **out);

/* Citation counts (--sort cited, the cited column), both ways the engine
 * computes them, against counts made here from every live record's
 * stored references: the live records that cite a PMID, each once. */
static void check_cited(sarc_index *ix, const struct ix *x, const char *what)
{
	uint32_t *pm;
	size_t np = live_pmids(x, &pm), nc = 0, cap = 1024;
	struct cite *c = malloc(sizeof *c * cap);
	char err[256];
	for (size_t i = 0; i < np; i++) {
		uint32_t *refs;
		size_t nrefs;
		int rc = sarc_refs_by_pmid(ix, pm[i], &refs, &nrefs, err, sizeof err);
		CHECKF(rc == 0, "%s: references of %u: %d %s", what, pm[i], rc, err);
		if (rc)
			continue;
		for (size_t j = 0; j < nrefs; j++) {
			if (nc == cap)
				c = realloc(c, sizeof *c * (cap *= 2));
			c[nc++] = (struct cite){refs[j], pm[i]};
		}
		free(refs);
	}
	qsort(c, nc, sizeof *c, cmp_cite);
	size_t u = 0;
	for (size_t i = 0; i < nc; i++)
		if (u == 0 || c[u - 1].cited != c[i].cited || c[u - 1].citing != c[i].citing)
			c[u++] = c[i];
	nc = u;
	/* asked: every live PMID, every cited one, and one nobody cites */
	struct sarc_hit *h = calloc(np + nc + 1, sizeof *h), *g = calloc(np + nc + 1, sizeof *g);
	uint32_t *want = calloc(np + nc + 1, sizeof *want);
	size_t nh = 0;
	for (size_t i = 0; i < np; i++)
		h[nh++].pmid = pm[i];
	size_t ncited = 0;
	for (size_t i = 0; i < nc; i++)
		if (i == 0 || c[i - 1].cited != c[i].cited) {
			h[nh++].pmid = c[i].cited;
			ncited++;
		}
	h[nh++].pmid = 4000000000u;
	for (size_t i = 0; i < nh; i++) {
		struct cite key = {h[i].pmid, 0};
		size_t lo = 0, hi = nc;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (cmp_cite(&c[mid], &key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		while (lo < nc && c[lo].cited == h[i].pmid)
			want[i]++, lo++;
	}
	static const int hows[2] = {ENG_CITED_LOOKUP, ENG_CITED_SCAN};
	for (int k = 0; k < 2; k++) {
		memcpy(g, h, sizeof *h * nh);
		int rc = eng_cited_counts(ix, g, nh, hows[k]);
		size_t bad = 0, first = 0;
		for (size_t i = 0; i < nh; i++)
			if (g[i].cited != want[i] && bad++ == 0)
				first = i;
		CHECKF(rc == 0 && bad == 0, "%s: %s: %zu of %zu citation counts wrong (PMID %u: %u, want %u)",
		       what, k ? "scan" : "lookups", bad, nh, h[first].pmid, g[first].cited, want[first]);
	}
	for (size_t i = 0; i < nh; i += 7)
		CHECKF(sarc_cited_count(ix, h[i].pmid) == want[i], "%s: sarc_cited_count(%u)", what,
		       h[i].pmid);
	CHECKF(sarc_check(ix, err, sizeof err) == 0, "%s: %s", what, err);
	/* not vacuous: many cited records, some cited several times */
	CHECKF(ncited >= 20 && nc > ncited, "%s: %zu citations of %zu PMIDs", what, nc, ncited);
	printf("# %s: citation counts of %zu PMIDs (%zu cited, %zu citations) as counted\n", what, nh,
	       ncited, nc);
	free(c);
	free(h);
	free(g);
	free(want);
	free(pm);
}

/* --sort date and cited, a page at a time: each page is the same slice
 * of the list sorted whole (few hits of many are chosen by a heap). */
static void check_sort_pages(sarc_index *ix, const char *query, const char *what)
{
	sarc_query *q = NULL;
	char err[256];
	if (sarc_query_parse(ix, query, NULL, &q, err, sizeof err) != 0) {
		CHECKF(0, "%s: %s: %s", what, query, err);
		return;
	}
	static const size_t pages[][2] = {{1, 0}, {10, 0}, {10, 7}, {3, 100}, {50, 333}, {5, 0}};
	for (int s = 0; s < 2; s++) {
		enum sarc_sort sort = s ? SARC_SORT_CITED : SARC_SORT_DATE;
		struct sarc_hit *all, *h;
		size_t n = run(ix, q, (size_t)-1, 0, sort, &all), bad = 0;
		CHECKF(n >= 1000, "%s: %zu matches of '%s'", what, n, query);
		for (size_t i = 0; i < sizeof pages / sizeof *pages; i++) {
			struct sarc_search_opts o;
			size_t nh = 0;
			sarc_search_opts_default(&o);
			o.k = pages[i][0];
			o.offset = pages[i][1];
			o.sort = sort;
			if (sarc_search(ix, q, &o, &h, &nh, err, sizeof err) != 0) {
				bad++;
				continue;
			}
			size_t want = n > o.offset ? n - o.offset : 0;
			want = want < o.k ? want : o.k;
			bad += nh != want;
			for (size_t j = 0; j < nh && j < want; j++)
				bad += h[j].pmid != all[o.offset + j].pmid || h[j].cited != all[o.offset + j].cited ||
				       h[j].year != all[o.offset + j].year;
			free(h);
		}
		CHECKF(bad == 0, "%s: --sort %s: %zu differences between pages and the whole list",
		       what, s ? "cited" : "date", bad);
		free(all);
	}
	sarc_query_free(q);
}

/* Citation counts of the largest PMIDs, both ways: 2^32 - 1 is a valid
 * PMID (pubmed.c), and the scan's table once keyed slots by PMID + 1,
 * which wrapped to "empty" for it and counted it as cited by nobody. */
static void check_cited_extremes(const char *dir, const char *xml)
{
	static const struct {
		uint32_t pmid;
		uint32_t refs[3];
	} recs[] = {
		{4294967295u, {1}},
		{4294967294u, {4294967295u}},
		{1, {4294967295u, 4294967294u, 4294967295u}},
		{2, {4294967295u}},
	};
	FILE *f = fopen(xml, "w");
	fprintf(f, "<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n");
	for (size_t i = 0; i < sizeof recs / sizeof *recs; i++) {
		fprintf(f, "<PubmedArticle><MedlineCitation><PMID Version=\"1\">%u</PMID><Article>"
			   "<Journal><Title>J</Title><JournalIssue><PubDate><Year>2020</Year></PubDate>"
			   "</JournalIssue></Journal><ArticleTitle>zebra %zu</ArticleTitle></Article>"
			   "</MedlineCitation><PubmedData><ReferenceList>",
			recs[i].pmid, i);
		for (size_t j = 0; j < 3 && recs[i].refs[j]; j++)
			fprintf(f, "<Reference><ArticleIdList><ArticleId IdType=\"pubmed\">%u</ArticleId>"
				   "</ArticleIdList></Reference>",
				recs[i].refs[j]);
		fprintf(f, "</ReferenceList></PubmedData></PubmedArticle>\n");
	}
	fprintf(f, "</PubmedArticleSet>\n");
	fclose(f);
	const char *one[] = {xml};
	CHECK(test_build(dir, one, 1, 1, 16 << 20, 0, 0) == 0);
	sarc_index *ix = NULL;
	char err[256];
	if (sarc_open(dir, &ix, err, sizeof err) != 0) {
		CHECKF(0, "extremes: %s", err);
		return;
	}
	/* a PMID twice among the hits, as the table may hold it */
	static const uint32_t ask[] = {4294967295u, 4294967294u, 1, 2, 4294967295u, 3};
	static const uint32_t want[] = {3, 1, 1, 0, 3, 0};
	enum { NASK = sizeof ask / sizeof *ask };
	static const int hows[2] = {ENG_CITED_LOOKUP, ENG_CITED_SCAN};
	for (int k = 0; k < 2; k++) {
		struct sarc_hit h[NASK];
		memset(h, 0, sizeof h);
		for (size_t i = 0; i < NASK; i++)
			h[i].pmid = ask[i];
		CHECK(eng_cited_counts(ix, h, NASK, hows[k]) == 0);
		for (size_t i = 0; i < NASK; i++)
			CHECKF(h[i].cited == want[i], "extremes: %s: PMID %u cited %u times, want %u",
			       k ? "scan" : "lookups", ask[i], h[i].cited, want[i]);
	}
	CHECKF(sarc_cited_count(ix, 4294967295u) == 3, "extremes: sarc_cited_count(2^32 - 1)");
	/* and --sort cited, which chooses the scan for so few cites: terms */
	sarc_query *q = NULL;
	if (sarc_query_parse(ix, "zebra", NULL, &q, err, sizeof err) == 0) {
		struct sarc_hit *h = NULL;
		size_t n = run(ix, q, 10, 0, SARC_SORT_CITED, &h);
		CHECKF(n == 4 && h[0].pmid == 4294967295u && h[0].cited == 3,
		       "extremes: --sort cited puts %u (cited %u) first, want 4294967295 (3)",
		       n ? h[0].pmid : 0, n ? h[0].cited : 0);
		free(h);
		sarc_query_free(q);
	} else {
		CHECKF(0, "extremes: %s", err);
	}
	sarc_close(ix);
}

static sarc_index *open_both(const char *dir, struct ix *x)
{
	sarc_index *ix = NULL;
	char err[512];
	struct err e;
	err_clear(&e);
	if (sarc_open(dir, &ix, err, sizeof err) != 0) {
		CHECKF(0, "open %s: %s", dir, err);
		return NULL;
	}
	if (ix_open(x, dir, &e) != 0) {
		CHECKF(0, "open %s: %s", dir, e.msg);
		sarc_close(ix);
		return NULL;
	}
	return ix;
}

/* Every live record of the index, by PMID. */
static size_t live_pmids(const struct ix *x, uint32_t **out)
{
	size_t n = 0, cap = 0;
	uint32_t *v = NULL;
	for (size_t i = 0; i < x->nsegs; i++)
		for (uint32_t d = 0; d < x->segs[i].ndocs; d++) {
			if (seg_deleted(&x->segs[i], d))
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 1024;
				v = realloc(v, sizeof *v * cap);
			}
			v[n++] = seg_doc_pmid(&x->segs[i], d);
		}
	qsort(v, n, sizeof *v, cmp_u32);
	*out = v;
	return n;
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 20261127;
	printf("# seed %llu\n", (unsigned long long)seed);
	rng_state = seed;
	char tmp[] = "/tmp/sarc-test-similar-XXXXXX";
	if (mkdtemp(tmp) == NULL)
		return 1;
	char path[3][600], demo[600], demo2[600], syn[600];
	for (int i = 0; i < 3; i++)
		snprintf(path[i], sizeof path[i], "%s/s%d.xml", tmp, i);
	snprintf(demo, sizeof demo, "%s/demo", tmp);
	snprintf(demo2, sizeof demo2, "%s/demo2", tmp);
	snprintf(syn, sizeof syn, "%s/syn", tmp);
	struct err e;
	err_clear(&e);
	struct an_settings as = {.stem = 1};
	an_analyzer *an = an_new(&as, &e);
	CHECKF(an != NULL, "%s", e.msg);
	if (an == NULL)
		return check_done("similar");
	make_vocab();

	/* ---- the demo corpus: every record, 25 (the CLI's default), 5 and
	 * 60 terms (a description is cut at 4095 bytes: more would not fit);
	 * then with a second, unmerged segment that replaces and
	 * deletes some of its records ---- */
	if (access(DEMO, R_OK) != 0) {
		printf("# no %s (run from the repository root): demo part skipped\n", DEMO);
	} else {
		const char *one[] = {DEMO};
		static const char *const filters[] = {"trabectedin", "year:2010..2020",
						      "sarcoma NOT review[pt]"};
		CHECK(test_build(demo, one, 1, 1, 64 << 20, 0, 0) == 0);
		struct ix x;
		sarc_index *ix = open_both(demo, &x);
		if (ix) {
			struct tally t = {0};
			uint32_t *pm;
			size_t np = live_pmids(&x, &pm);
			CHECKF(np >= 80, "demo: %zu records", np);
			for (size_t i = 0; i < np; i++) {
				/* a few printed, for whoever reads the log */
				int verbose = pm[i] == 90000014 || pm[i] == 90000026;
				check_one(ix, an, &x, pm[i], 25, filters, i % 4 == 0 ? 3 : 0, verbose, &t);
				check_one(ix, an, &x, pm[i], i % 2 ? 5 : 60, NULL, 0, 0, &t);
			}
			check_one(ix, an, &x, 90000001, 1, filters, 3, 1, &t);
			report("demo", &t);
			check_absent(ix, 12345);
			free(pm);
			ix_close(&x);
			sarc_close(ix);
		}
		/* a second run, kept as a second segment: 5 replaced, 3 deleted */
		FILE *f = fopen(path[0], "w");
		static const uint32_t repl[] = {90000014, 90000022, 90000040, 90000052, 90000065};
		static const uint32_t dels[] = {90000013, 90000023, 90000070};
		fprintf(f, "<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n");
		for (size_t i = 0; i < 5; i++)
			synth_record(f, repl[i]);
		fprintf(f, "<DeleteCitation>");
		for (size_t i = 0; i < 3; i++)
			fprintf(f, "<PMID Version=\"1\">%u</PMID>", dels[i]);
		fprintf(f, "</DeleteCitation>\n</PubmedArticleSet>\n");
		fclose(f);
		const char *second[] = {path[0]};
		CHECK(test_build(demo2, one, 1, 1, 64 << 20, 0, 0) == 0);
		CHECK(test_build(demo2, second, 1, 1, 64 << 20, 1, 0) == 0);
		ix = open_both(demo2, &x);
		if (ix) {
			CHECKF(x.nsegs == 2, "demo2: %zu segments, want 2", x.nsegs);
			struct tally t = {0};
			uint32_t *pm;
			size_t np = live_pmids(&x, &pm);
			CHECKF(np == 81 - 3, "demo2: %zu live records", np);
			for (size_t i = 0; i < np; i++)
				check_one(ix, an, &x, pm[i], 25, filters, i % 8 == 0 ? 3 : 0, 0, &t);
			report("demo, replaced and deleted", &t);
			check_cited(ix, &x, "demo, replaced and deleted");
			for (size_t i = 0; i < 3; i++)
				check_absent(ix, dels[i]);
			free(pm);
			ix_close(&x);
			sarc_close(ix);
		}
	}

	{
		char xdir[700], xxml[700];
		snprintf(xdir, sizeof xdir, "%s/extremes", tmp);
		snprintf(xxml, sizeof xxml, "%s/extremes.xml", tmp);
		check_cited_extremes(xdir, xxml);
	}

	/* ---- synthetic: 6000 citations, several segments, replacements and
	 * deletions; long posting lists so that block-max pruning skips ---- */
	CHECK(write_synth(path[0], 1, 3001, NULL, 0) == 0);
	CHECK(write_synth(path[1], 3001, 6001, NULL, 0) == 0);
	uint32_t dels[40];
	for (int i = 0; i < 40; i++)
		dels[i] = 1 + (uint32_t)(rnd() % 6000);
	/* the third file replaces 200 citations and deletes 40 (its
	 * DeleteCitation comes after its records, so it wins over them too) */
	CHECK(write_synth(path[2], 5801, 6001, dels, 40) == 0);
	const char *ab[] = {path[0], path[1]}, *c[] = {path[2]};
	CHECK(test_build(syn, ab, 2, 2, 16 << 20, 1, 0) == 0);
	CHECK(test_build(syn, c, 1, 1, 16 << 20, 1, 0) == 0);
	struct ix x;
	sarc_index *ix = open_both(syn, &x);
	if (ix) {
		CHECKF(x.nsegs >= 2, "synthetic: %zu segments, want several", x.nsegs);
		char title_filter[128];
		snprintf(title_filter, sizeof title_filter, "title:(%s OR %s)", vocab[3], vocab[40]);
		const char *const filters[] = {"year:1990..2005", title_filter};
		struct tally t = {0};
		uint32_t *pm;
		size_t np = live_pmids(&x, &pm);
		for (int i = 0; i < 45 && np > 0; i++) {
			uint32_t p = pm[rnd() % np];
			size_t n = i % 3 == 0 ? 25 : i % 3 == 1 ? 6 : 60;
			check_one(ix, an, &x, p, n, filters, i % 5 == 0 ? 2 : 0, i == 0, &t);
		}
		report("synthetic", &t);
		check_cited(ix, &x, "synthetic");
		check_sort_pages(ix, "year:1980..2030", "synthetic");
		for (int i = 0; i < 40; i++)
			check_absent(ix, dels[i]);
		check_absent(ix, 6001);
		free(pm);
		ix_close(&x);
		sarc_close(ix);
	}

	an_free(an);
	test_rmdir(tmp);
	return check_done("similar");
}
