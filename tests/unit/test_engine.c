/*
 * test_engine.c - the index and the ranking against independent references.
 *
 * Random citations are written as PubMed XML and indexed by the real
 * pipeline (bld_run: parse, invert, flush several segments under a tiny
 * memory budget, merge).  A naive reference index built here from the same
 * texts (plain arrays, terms from the shared analyzer) must match every
 * decoded posting list, frequency, position and length; brute-force BM25
 * over the reference must equal the engine's scores and rankings, pruned
 * and exhaustive; Boolean, phrase, filter and deletion semantics are
 * checked against naive evaluation.  Seed: argv[1] (printed).
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

#define NDOCS 700
#define MAXTOK 120
#define VOCAB 60

static uint64_t rng_state;
static uint64_t rnd(void)
{
	return splitmix64(&rng_state);
}

/* Words the analyzer keeps whole and unchanged by stemming (no stopwords). */
static const char *const words[VOCAB] = {
	"sarcoma", "leiomyosarcoma", "liposarcoma", "imatinib", "kit", "tumor", "gist",
	"ewing", "fli", "synovial", "osteosarcoma", "doxorubicin", "trabectedin", "eribulin",
	"pazopanib", "mdm", "cdk", "desmoid", "chordoma", "angiosarcoma", "kaposi", "myxoid",
	"rhabdomyosarcoma", "pax", "fox", "survival", "margin", "radiotherapy", "surgery",
	"metastasis", "lung", "liver", "uterus", "retroperitoneum", "extremity", "grade",
	"mitotic", "necrosis", "biopsy", "mri", "ct", "pet", "ki", "cd", "ssx", "ddit",
	"fus", "ews", "dose", "cycle", "response", "relapse", "child", "adult", "cohort",
	"trial", "phase", "placebo", "hazard", "ratio"};

struct rdoc {
	uint32_t pmid;
	uint16_t year;
	int w[3][MAXTOK]; /* word ids per field: title, abstract, mesh */
	int n[3];
	int live;
};

static struct rdoc docs[NDOCS];
static const unsigned rfield[3] = {F_TITLE, F_ABSTRACT, F_MESH};

static int zipf_word(void)
{
	/* skewed: low ids far more frequent, like real vocabularies */
	double u = (double)(rnd() % 1000000) / 1e6;
	int w = (int)(pow(u, 2.5) * VOCAB);
	return w < VOCAB ? w : VOCAB - 1;
}

static void gen_docs(void)
{
	for (int i = 0; i < NDOCS; i++) {
		struct rdoc *d = &docs[i];
		d->pmid = 1000 + (uint32_t)i * 7 + (uint32_t)(rnd() % 5);
		d->year = (uint16_t)(1990 + rnd() % 35);
		d->n[0] = 2 + (int)(rnd() % 10);
		d->n[1] = (rnd() % 10 == 0) ? 0 : 5 + (int)(rnd() % 110);
		d->n[2] = (int)(rnd() % 4);
		for (int f = 0; f < 3; f++)
			for (int k = 0; k < d->n[f]; k++)
				d->w[f][k] = zipf_word();
		d->live = 1;
	}
}

static void write_text(FILE *f, const struct rdoc *d, int field)
{
	for (int k = 0; k < d->n[field]; k++)
		fprintf(f, "%s%s", k ? " " : "", words[d->w[field][k]]);
}

static void write_xml(const char *path, int from, int to, const uint32_t *dels, int ndels)
{
	FILE *f = fopen(path, "w");
	fprintf(f, "<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n");
	for (int i = from; i < to; i++) {
		const struct rdoc *d = &docs[i];
		fprintf(f, "<PubmedArticle><MedlineCitation><PMID Version=\"1\">%u</PMID><Article>"
			   "<Journal><JournalIssue><PubDate><Year>%u</Year></PubDate></JournalIssue>"
			   "<Title>J</Title></Journal><ArticleTitle>",
			d->pmid, d->year);
		write_text(f, d, 0);
		fprintf(f, "</ArticleTitle>");
		if (d->n[1]) {
			fprintf(f, "<Abstract><AbstractText>");
			write_text(f, d, 1);
			fprintf(f, "</AbstractText></Abstract>");
		}
		fprintf(f, "</Article>");
		if (d->n[2]) {
			fprintf(f, "<MeshHeadingList>");
			for (int k = 0; k < d->n[2]; k++)
				fprintf(f, "<MeshHeading><DescriptorName UI=\"D%06d\" MajorTopicYN=\"N\">%s"
					   "</DescriptorName></MeshHeading>",
					k, words[d->w[2][k]]);
			fprintf(f, "</MeshHeadingList>");
		}
		fprintf(f, "</MedlineCitation></PubmedArticle>\n");
	}
	if (ndels) {
		fprintf(f, "<DeleteCitation>");
		for (int i = 0; i < ndels; i++)
			fprintf(f, "<PMID Version=\"1\">%u</PMID>", dels[i]);
		fprintf(f, "</DeleteCitation>\n");
	}
	fprintf(f, "</PubmedArticleSet>\n");
	fclose(f);
}

/* ---- the reference: terms of each word as the analyzer spells them ---- */

static char term_of[VOCAB][AN_MAX_TERM_BYTES + 1];

static int first_term(void *ctx, const struct an_term *t)
{
	char *out = ctx;
	if (out[0] == '\0') {
		memcpy(out, t->text, t->len);
		out[t->len] = '\0';
	}
	return 0;
}

static void analyze_vocab(an_analyzer *an)
{
	for (int w = 0; w < VOCAB; w++) {
		uint32_t pos = 0;
		term_of[w][0] = '\0';
		an_run(an, words[w], strlen(words[w]), &pos, NULL, first_term, term_of[w]);
	}
}

/* Field length and term frequency as the index defines them (FORMAT.md §3):
 * mesh headings each count their words; positions restart per field. */
static int rtf(const struct rdoc *d, int f, int w)
{
	int n = 0;
	for (int k = 0; k < d->n[f]; k++)
		n += d->w[f][k] == w;
	return n;
}

static double weight_of(unsigned f)
{
	struct sarc_params p;
	sarc_params_default(&p);
	return p.weight[f];
}

static double N_all; /* documents indexed, deleted ones included until merged */
static int count_dead = 1; /* statistics still count deleted documents */

/* Brute-force BM25 of word set ws over the live reference documents. */
static double bm25(const struct rdoc *d, const int *ws, int nw, int *matched_all)
{
	double s = 0;
	int all = 1;
	for (int q = 0; q < nw; q++) {
		int any = 0;
		for (int fi = 0; fi < 3; fi++) {
			unsigned f = rfield[fi];
			int tf = rtf(d, fi, ws[q]);
			if (tf == 0)
				continue;
			any = 1;
			/* df and avglen over every indexed document */
			double df = 0, sumlen = 0;
			for (int i = 0; i < NDOCS; i++) {
				if (!count_dead && !docs[i].live)
					continue;
				df += rtf(&docs[i], fi, ws[q]) > 0;
				sumlen += docs[i].n[fi];
			}
			double avg = sumlen / N_all;
			double idf = log(1 + (N_all - df + 0.5) / (df + 0.5));
			double norm = 1 - 0.75 + 0.75 * d->n[fi] / avg;
			s += weight_of(f) * idf * tf * 2.2 / (tf + 1.2 * norm);
		}
		all &= any;
	}
	*matched_all = all;
	return s;
}

static size_t brute(const int *ws, int nw, int conj, struct scored *out)
{
	size_t n = 0;
	for (int i = 0; i < NDOCS; i++) {
		if (!docs[i].live)
			continue;
		int all;
		double s = bm25(&docs[i], ws, nw, &all);
		int any = 0;
		for (int q = 0; q < nw; q++)
			for (int fi = 0; fi < 3; fi++)
				any |= rtf(&docs[i], fi, ws[q]) > 0;
		if (conj ? all : any)
			out[n++] = (struct scored){docs[i].pmid, s};
	}
	qsort(out, n, sizeof *out, cmp_scored);
	return n;
}

static int close_enough(double a, double b)
{
	return fabs(a - b) <= 1e-9 * fmax(1.0, fabs(b));
}

/* ---- checks ---- */

static void check_postings(const char *dir)
{
	struct ix x;
	struct err e;
	err_clear(&e);
	CHECKF(ix_open(&x, dir, &e) == 0, "%s", e.msg);
	CHECK(x.nsegs == 1);
	if (x.nsegs != 1)
		return;
	struct seg *s = &x.segs[0];
	CHECKF(seg_verify(s, dir, &e) == 0, "%s", e.msg);
	/* documents (in any order: threads decide it), with their lengths */
	int *ref = malloc(sizeof *ref * (s->ndocs + 1));
	int bad_len = 0, bad_post = 0, live = 0;
	for (int i = 0; i < NDOCS; i++)
		live += docs[i].live;
	for (uint32_t d = 0; d < s->ndocs; d++) {
		ref[d] = -1;
		for (int i = 0; i < NDOCS; i++)
			if (docs[i].live && docs[i].pmid == seg_doc_pmid(s, d))
				ref[d] = i;
		if (ref[d] < 0) {
			bad_len++;
			continue;
		}
		const struct rdoc *r = &docs[ref[d]];
		if (seg_doc_year(s, d) != r->year)
			bad_len++;
		/* the PMID lookup finds the document, and only it */
		size_t first;
		if (seg_pmid_ranks(s, r->pmid, &first) != 1 || seg_doc_by_rank(s, first) != d)
			bad_len++;
		for (int fi = 0; fi < 3; fi++)
			if (seg_doc_len(s, d, rfield[fi]) != r->n[fi])
				bad_len++;
	}
	CHECKF((int)s->ndocs == live && bad_len == 0, "%s: %d document rows differ (%u documents, want %d)",
	       dir, bad_len, s->ndocs, live);
	if (bad_len) {
		free(ref);
		ix_close(&x);
		return;
	}
	/* every (field, word): documents, frequencies, positions */
	for (int fi = 0; fi < 3; fi++)
		for (int w = 0; w < VOCAB; w++) {
			uint8_t key[SEG_MAX_KEY];
			key[0] = (uint8_t)rfield[fi];
			size_t kl = strlen(term_of[w]);
			memcpy(key + 1, term_of[w], kl);
			struct seg_term t;
			int found = seg_lookup(s, key, kl + 1, &t, &e);
			struct seg_postings pc;
			uint32_t expect_df = 0;
			if (found == 1 && seg_postings_open(&pc, s, &t, &e) != 0)
				found = -1;
			for (uint32_t doc = 0; doc < s->ndocs; doc++) {
				const struct rdoc *r = &docs[ref[doc]];
				int tf = rtf(r, fi, w);
				if (tf == 0)
					continue;
				expect_df++;
				if (found != 1 || pc.doc != doc || (int)seg_postings_tf(&pc) != tf) {
					bad_post++;
					continue;
				}
				uint32_t pos[MAXTOK];
				int np = seg_postings_positions(&pc, pos, MAXTOK), k = 0;
				/* mesh values are 8 positions apart plus their words */
				uint32_t expect = 0;
				for (int j = 0; j < r->n[fi]; j++) {
					if (r->w[fi][j] == w) {
						if (k >= np || pos[k] != expect)
							bad_post++;
						k++;
					}
					expect += fi == 2 ? 9 : 1;
				}
				seg_postings_next(&pc);
			}
			if (expect_df > 0) {
				if (found != 1 || t.df != expect_df || pc.doc != SEG_END)
					bad_post++;
			} else if (found == 1) {
				bad_post++;
			}
		}
	free(ref);
	CHECKF(bad_post == 0, "%d posting differences", bad_post);
	ix_close(&x);
}

static void check_ranking(const char *dir, int nqueries, int conj)
{
	sarc_index *ix;
	char err[1024];
	CHECKF(sarc_open(dir, &ix, err, sizeof err) == 0, "%s", err);
	struct scored *ref = malloc(sizeof *ref * NDOCS);
	int bad = 0, badex = 0, badcount = 0;
	for (int qi = 0; qi < nqueries; qi++) {
		/* every fifth query pasted-text long: over 64 (word, field)
		 * lists, which the pruned path logs rather than masks */
		int nw = qi % 5 == 4 ? 20 + (int)(rnd() % 30) : 1 + (int)(rnd() % 4), ws[50];
		char qtext[1024] = "";
		for (int k = 0; k < nw; k++) {
			ws[k] = (int)(rnd() % VOCAB);
			strcat(qtext, words[ws[k]]);
			strcat(qtext, " ");
		}
		size_t nref = brute(ws, nw, conj, ref);
		struct sarc_query_opts qo = {.all = conj};
		sarc_query *q;
		if (sarc_query_parse(ix, qtext, &qo, &q, err, sizeof err) != 0) {
			CHECKF(0, "parse '%s': %s", qtext, err);
			continue;
		}
		for (int ex = 0; ex < 2; ex++) {
			struct sarc_search_opts o;
			sarc_search_opts_default(&o);
			o.k = 1 + rnd() % 20;
			o.exhaustive = ex;
			struct sarc_hit *h;
			size_t nh;
			if (sarc_search(ix, q, &o, &h, &nh, err, sizeof err) != 0) {
				CHECKF(0, "search: %s", err);
				continue;
			}
			size_t want = nref < o.k ? nref : o.k;
			int ok = nh == want;
			for (size_t i = 0; ok && i < nh; i++)
				ok = h[i].pmid == ref[i].pmid && close_enough(h[i].score, ref[i].score);
			if (!ok) {
				if (ex)
					badex++;
				else
					bad++;
				if (bad + badex <= 3) {
					printf("# query '%s' k=%zu %s: got %zu hits, want %zu\n", qtext, o.k,
					       ex ? "exhaustive" : "pruned", nh, want);
					for (size_t i = 0; i < nh || i < want; i++)
						printf("#  %zu: got %u %.9f want %u %.9f\n", i,
						       i < nh ? h[i].pmid : 0, i < nh ? h[i].score : 0,
						       i < want ? ref[i].pmid : 0, i < want ? ref[i].score : 0);
				}
			}
			free(h);
		}
		uint64_t cnt;
		if (sarc_count(ix, q, &cnt, err, sizeof err) != 0 || cnt != nref)
			badcount++;
		sarc_query_free(q);
	}
	CHECKF(bad == 0, "%d of %d %s queries ranked differently from brute force (pruned)", bad,
	       nqueries, conj ? "AND" : "OR");
	CHECKF(badex == 0, "%d of %d %s queries ranked differently (exhaustive)", badex, nqueries,
	       conj ? "AND" : "OR");
	CHECKF(badcount == 0, "%d counts differ", badcount);
	free(ref);
	sarc_close(ix);
}

/* 1 when qtext does not count expect matches (said on stdout), else 0; a
 * query that does not parse fails a check. */
static int count_differs(sarc_index *ix, const char *qtext, uint64_t expect)
{
	char err[1024];
	sarc_query *q;
	uint64_t cnt = 0;
	if (sarc_query_parse(ix, qtext, NULL, &q, err, sizeof err) != 0) {
		CHECKF(0, "parse '%s': %s", qtext, err);
		return 0;
	}
	sarc_count(ix, q, &cnt, err, sizeof err);
	int bad = cnt != expect;
	if (bad)
		printf("# %s: %llu matches, want %llu (%s)\n", qtext, (unsigned long long)cnt,
		       (unsigned long long)expect, sarc_query_describe(q));
	sarc_query_free(q);
	return bad;
}

/* Phrases: two adjacent words of a document's abstract. */
static void check_phrases(const char *dir)
{
	sarc_index *ix;
	char err[1024];
	CHECKF(sarc_open(dir, &ix, err, sizeof err) == 0, "%s", err);
	int bad = 0;
	for (int qi = 0; qi < 40; qi++) {
		const struct rdoc *src = &docs[rnd() % NDOCS];
		if (src->n[1] < 2)
			continue;
		int at = (int)(rnd() % (unsigned)(src->n[1] - 1));
		int a = src->w[1][at], b = src->w[1][at + 1];
		char qtext[128];
		snprintf(qtext, sizeof qtext, "abstract:\"%s %s\"", words[a], words[b]);
		uint64_t expect = 0;
		for (int i = 0; i < NDOCS; i++) {
			if (!docs[i].live)
				continue;
			int m = 0;
			for (int k = 0; k + 1 < docs[i].n[1] && !m; k++)
				m = docs[i].w[1][k] == a && docs[i].w[1][k + 1] == b;
			expect += m;
		}
		bad += count_differs(ix, qtext, expect);
	}
	CHECKF(bad == 0, "%d phrase counts differ", bad);
	sarc_close(ix);
}

/* Boolean chains nested 2 to 9 deep, ((a AND b) NOT c) OR d ..., against
 * naive evaluation: counts by match bitmap hold two bitmaps per nested
 * conjunction up to a limit, and walk the deeper ones. */
static void check_nested(const char *dir)
{
	sarc_index *ix;
	char err[1024];
	CHECKF(sarc_open(dir, &ix, err, sizeof err) == 0, "%s", err);
	static const char *const ops[] = {"AND", "OR", "NOT"};
	int bad = 0;
	static uint8_t m[NDOCS];
	for (int qi = 0; qi < 40; qi++) {
		int depth = 2 + (int)(rnd() % 8);
		char qtext[1024];
		int w = (int)(rnd() % 12); /* frequent words: dense enough for bitmaps */
		snprintf(qtext, sizeof qtext, "%s", words[w]);
		for (int i = 0; i < NDOCS; i++) {
			m[i] = 0;
			for (int fi = 0; fi < 3; fi++)
				m[i] |= rtf(&docs[i], fi, w) > 0;
		}
		for (int j = 1; j < depth; j++) {
			int op = (int)(rnd() % 3);
			w = (int)(rnd() % 12);
			char inner[1024];
			snprintf(inner, sizeof inner, "%s", qtext);
			snprintf(qtext, sizeof qtext, "(%.900s %s %s)", inner, ops[op], words[w]);
			for (int i = 0; i < NDOCS; i++) {
				int h = 0;
				for (int fi = 0; fi < 3; fi++)
					h |= rtf(&docs[i], fi, w) > 0;
				m[i] = op == 0 ? m[i] && h : op == 1 ? m[i] || h : m[i] && !h;
			}
		}
		uint64_t expect = 0;
		for (int i = 0; i < NDOCS; i++)
			expect += docs[i].live && m[i];
		bad += count_differs(ix, qtext, expect);
	}
	CHECKF(bad == 0, "%d nested Boolean counts differ", bad);
	sarc_close(ix);
}

/* Boolean operators and filters against naive evaluation. */
static void check_boolean(const char *dir)
{
	sarc_index *ix;
	char err[1024];
	CHECKF(sarc_open(dir, &ix, err, sizeof err) == 0, "%s", err);
	int bad = 0;
	for (int qi = 0; qi < 60; qi++) {
		int a = (int)(rnd() % VOCAB), b = (int)(rnd() % VOCAB);
		int op = (int)(rnd() % 5);
		unsigned lo = 1990 + (unsigned)(rnd() % 35), hi = lo + (unsigned)(rnd() % 10);
		char qtext[256];
		switch (op) {
		case 0: snprintf(qtext, sizeof qtext, "%s AND %s", words[a], words[b]); break;
		case 1: snprintf(qtext, sizeof qtext, "%s NOT %s", words[a], words[b]); break;
		case 2: snprintf(qtext, sizeof qtext, "+%s -%s", words[a], words[b]); break;
		/* an optional word adds score, not matches */
		case 4: snprintf(qtext, sizeof qtext, "+%s %s", words[a], words[b]); break;
		default: snprintf(qtext, sizeof qtext, "%s year:%u..%u", words[a], lo, hi); break;
		}
		uint64_t expect = 0;
		for (int i = 0; i < NDOCS; i++) {
			if (!docs[i].live)
				continue;
			int ha = 0, hb = 0;
			for (int fi = 0; fi < 3; fi++) {
				ha |= rtf(&docs[i], fi, a) > 0;
				hb |= rtf(&docs[i], fi, b) > 0;
			}
			int inyear = docs[i].year >= lo && docs[i].year <= hi;
			int m = op == 0 ? ha && hb : op == 3 ? (ha && inyear) : op == 4 ? ha : ha && !hb;
			expect += m;
		}
		bad += count_differs(ix, qtext, expect);
	}
	CHECKF(bad == 0, "%d Boolean counts differ", bad);
	sarc_close(ix);
}

/* Pruned and exhaustive rankings agree to the bit on a segment of many
 * thousand documents, some deleted: the pruned path works through the
 * documents a window of a few thousand at a time, so a corpus this size
 * has it move kids between essential and not, and carry cursors, across
 * windows, with few lists and with many, with phrases and groups among
 * them, within a year range or excluding a word.  Short citations keep the
 * build quick. */
#define WDOCS 7000
/* Whether q ranks the same pruned and exhaustively: the same k best hits,
 * scores equal to the bit, no document twice (a window is never visited
 * twice).  p: the ranking parameters, NULL for the defaults; *nhits: the
 * exhaustive run's hits. */
static int pruned_as_exhaustive(sarc_index *ix, sarc_query *q, size_t k,
				const struct sarc_params *p, size_t *nhits)
{
	char err[1024];
	struct sarc_hit *h[2] = {NULL, NULL};
	size_t nh[2] = {0, 0};
	int ok = 1;
	for (int ex = 0; ex < 2; ex++) {
		struct sarc_search_opts o;
		sarc_search_opts_default(&o);
		if (p)
			o.params = *p;
		o.k = k;
		o.exhaustive = ex;
		if (sarc_search(ix, q, &o, &h[ex], &nh[ex], err, sizeof err) != 0) {
			CHECKF(0, "search: %s", err);
			ok = 0;
			h[ex] = NULL;
			nh[ex] = 0;
		}
	}
	ok = ok && nh[0] == nh[1];
	for (size_t i = 0; ok && i < nh[0]; i++)
		ok = h[0][i].pmid == h[1][i].pmid &&
		     memcmp(&h[0][i].score, &h[1][i].score, sizeof h[0][i].score) == 0;
	for (size_t i = 0; ok && i < nh[0]; i++)
		for (size_t j = 0; ok && j < i; j++)
			ok = h[0][i].pmid != h[0][j].pmid;
	*nhits = nh[1];
	free(h[0]);
	free(h[1]);
	return ok;
}

static void check_windows(const char *tmp)
{
	char xml[512], xdel[512], dir[512];
	snprintf(xml, sizeof xml, "%s/w.xml", tmp);
	snprintf(xdel, sizeof xdel, "%s/wdel.xml", tmp);
	snprintf(dir, sizeof dir, "%s/widx", tmp);
	FILE *f = fopen(xml, "w");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	fprintf(f, "<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n");
	for (int i = 0; i < WDOCS; i++) {
		fprintf(f, "<PubmedArticle><MedlineCitation><PMID Version=\"1\">%d</PMID><Article>"
			   "<Journal><JournalIssue><PubDate><Year>%d</Year></PubDate></JournalIssue>"
			   "<Title>J</Title></Journal><ArticleTitle>",
			500000 + i, 1990 + (int)(rnd() % 30));
		for (int k = 0, n = 1 + (int)(rnd() % 5); k < n; k++)
			fprintf(f, "%s%s", k ? " " : "", words[zipf_word()]);
		/* words that angi* finds beside angiosarcoma: a prefix's terms
		 * matching twice in two fields are summed in an order that
		 * matters to the last bit */
		fprintf(f, "%s%s", rnd() % 3 ? "" : " angiogenesis", rnd() % 3 ? "" : " angiography");
		fprintf(f, "</ArticleTitle><Abstract><AbstractText>");
		for (int k = 0, n = (int)(rnd() % 25); k < n; k++)
			fprintf(f, "%s%s", k ? " " : "", words[zipf_word()]);
		fprintf(f, "%s%s", rnd() % 3 ? "" : " angiogenesis", rnd() % 3 ? "" : " angiography");
		fprintf(f, "</AbstractText></Abstract></Article><MeshHeadingList>");
		for (int k = 0, n = (int)(rnd() % 3); k < n; k++)
			fprintf(f, "<MeshHeading><DescriptorName UI=\"D%06d\" MajorTopicYN=\"N\">%s"
				   "</DescriptorName></MeshHeading>",
				k, words[zipf_word()]);
		fprintf(f, "</MeshHeadingList></MedlineCitation></PubmedArticle>\n");
	}
	fprintf(f, "</PubmedArticleSet>\n");
	fclose(f);
	const char *w[] = {xml};
	CHECK(test_build(dir, w, 1, 1, 1 << 22, 0, 0) == 0);
	if ((f = fopen(xdel, "w")) == NULL)
		return;
	fprintf(f, "<?xml version=\"1.0\"?>\n<PubmedArticleSet><DeleteCitation>");
	for (int i = 0; i < 100; i++)
		fprintf(f, "<PMID Version=\"1\">%d</PMID>", 500000 + (int)(rnd() % WDOCS));
	fprintf(f, "</DeleteCitation></PubmedArticleSet>\n");
	fclose(f);
	const char *d[] = {xdel};
	CHECK(test_build(dir, d, 1, 1, 1 << 22, 1, 0) == 0);

	sarc_index *ix;
	char err[1024];
	CHECKF(sarc_open(dir, &ix, err, sizeof err) == 0, "%s", err);
	int bad = 0, full = 0, nq = 150;
	for (int qi = 0; qi < nq; qi++) {
		char qtext[1200] = "";
		/* some long enough for more than 64 (word, field) lists */
		for (int k = 0, n = qi % 4 == 3 ? 20 + (int)(rnd() % 40) : 1 + (int)(rnd() % 8);
		     k < n; k++) {
			/* rare words too, so that bounds differ widely */
			strcat(qtext, words[rnd() % 2 ? zipf_word() : (int)(rnd() % VOCAB)]);
			strcat(qtext, " ");
		}
		/* kids that are not terms: read a document at a time */
		const char *a = words[zipf_word()], *b = words[zipf_word()];
		char extra[128] = "";
		if (qi % 3 == 1)
			snprintf(extra, sizeof extra, "\"%s %s\"", a, b);
		else if (qi % 5 == 2)
			snprintf(extra, sizeof extra, "(%s AND %s)", a, b);
		else if (qi % 7 == 3)
			snprintf(extra, sizeof extra, "%s NEAR/4 %s", a, b);
		strcat(qtext, extra);
		/* conditions around the disjunction, which add no score */
		if (qi % 4 == 1)
			strcat(qtext, " year:2000..2012");
		if (qi % 6 == 5) {
			strcat(qtext, " -");
			strcat(qtext, words[zipf_word()]);
		}
		sarc_query *q;
		if (sarc_query_parse(ix, qtext, NULL, &q, err, sizeof err) != 0) {
			CHECKF(0, "parse '%s': %s", qtext, err);
			continue;
		}
		size_t k = 1 + rnd() % 40, nh;
		if (!pruned_as_exhaustive(ix, q, k, NULL, &nh) && ++bad <= 3)
			printf("# query '%s' k=%zu: pruned and exhaustive differ\n", qtext, k);
		full += nh == k;
		sarc_query_free(q);
	}
	CHECKF(bad == 0, "%d of %d queries ranked differently pruned and exhaustive", bad, nq);
	/* pruning starts once k hits are in: most queries must get there */
	CHECKF(full >= nq * 3 / 4, "only %d of %d queries had k matches", full, nq);

	/* Conjunctions (--all, +required words) are ranked as the disjunction
	 * of their word groups' lists, each document's groups summed one by
	 * one: the same hits with the same scores, to the bit, as exhaustive
	 * evaluation.  Groups of several fields, prefixes (nested groups,
	 * flattened), phrases and NEAR as groups, nested ANDs (which take the
	 * exhaustive path), conditions, and optional words beside required
	 * ones, over 64 lists in some. */
	int cbad = 0, chits = 0, ncq = 200;
	for (int qi = 0; qi < ncq; qi++) {
		char qtext[1200] = "";
		int all = qi % 2 == 0, nw = all ? 2 + (int)(rnd() % 2)
					       : qi % 4 == 3 ? 20 + (int)(rnd() % 30) : 2 + (int)(rnd() % 5);
		for (int k = 0; k < nw; k++) {
			if (!all && k < 2)
				strcat(qtext, "+");
			const char *wd = words[k < 3 ? zipf_word() : (int)(rnd() % VOCAB)];
			if (k == 0 && qi % 5 == 1)
				strcat(qtext, "angi*"); /* a prefix: groups in a group */
			else
				strcat(qtext, wd);
			strcat(qtext, " ");
		}
		const char *a = words[zipf_word()], *b = words[zipf_word()];
		char extra[128] = "";
		if (qi % 3 == 1)
			snprintf(extra, sizeof extra, "%s\"%s %s\"", all ? "" : "+", a, b);
		else if (qi % 7 == 2)
			snprintf(extra, sizeof extra, "%s NEAR/4 %s", a, b);
		else if (qi % 11 == 5)
			snprintf(extra, sizeof extra, "+(%s AND %s)", a, b);
		strcat(qtext, extra);
		if (qi % 4 == 1)
			strcat(qtext, " year:1995..2015");
		if (qi % 6 == 5) {
			strcat(qtext, " -");
			strcat(qtext, words[zipf_word()]);
		}
		struct sarc_query_opts qo = {.all = all};
		sarc_query *q;
		if (sarc_query_parse(ix, qtext, &qo, &q, err, sizeof err) != 0) {
			CHECKF(0, "parse '%s': %s", qtext, err);
			continue;
		}
		size_t k = 1 + rnd() % 40, nh;
		if (!pruned_as_exhaustive(ix, q, k, NULL, &nh) && ++cbad <= 3)
			printf("# query '%s'%s k=%zu: pruned and exhaustive differ\n", qtext,
			       all ? " (all)" : "", k);
		chits += nh > 0;
		sarc_query_free(q);
	}
	CHECKF(cbad == 0, "%d of %d conjunctions ranked differently pruned and exhaustive", cbad,
	       ncq);
	CHECKF(chits >= ncq / 2, "only %d of %d conjunctions matched anything", chits, ncq);

	/* A lone term under a condition, with a weight of -0 (sarc_params
	 * allows it): the window adds it to 0, so the exhaustive run must too,
	 * or it scores -0 where the pruned one scores 0. */
	const char *lone[] = {"title:%s -%s", "title:%s year:1990..2030", "title:%s NOT %s"};
	int lbad = 0;
	for (int qi = 0; qi < 3; qi++) {
		char qtext[200];
		snprintf(qtext, sizeof qtext, lone[qi], words[0], words[1]);
		struct sarc_query_opts qo = {qi == 2 ? SARC_SYNTAX_PUBMED : SARC_SYNTAX_DEFAULT, 0};
		sarc_query *q;
		if (sarc_query_parse(ix, qtext, &qo, &q, err, sizeof err) != 0) {
			CHECKF(0, "parse '%s': %s", qtext, err);
			continue;
		}
		struct sarc_params p;
		sarc_params_default(&p);
		for (int fi = 0; fi < SARC_NFIELDS; fi++)
			p.weight[fi] = -0.0;
		size_t nh;
		if ((!pruned_as_exhaustive(ix, q, 5, &p, &nh) || nh == 0) && ++lbad <= 3)
			printf("# query '%s', weights -0: pruned and exhaustive differ\n", qtext);
		sarc_query_free(q);
	}
	CHECKF(lbad == 0, "%d of 3 lone-term queries scored differently pruned and exhaustive",
	       lbad);

	/* Required words that score nothing (a field weight of 0 or -0: such
	 * a word is a condition) beside optional words: a document meeting
	 * the conditions is a match, scored 0, whether or not an optional
	 * word is on it.  No list of the optional words brings those
	 * documents, so such a query is not ranked as a disjunction of them:
	 * the pruned run once returned only the documents with an optional
	 * word. */
	const char *zq[] = {"+mesh:%s %s", "+mesh:%s +mesh:%s title:%s %s"};
	int zbad = 0, zn = 0;
	for (int qi = 0; qi < 4; qi++) {
		char qtext[300];
		snprintf(qtext, sizeof qtext, zq[qi % 2], words[0], qi % 2 ? words[1] : words[VOCAB - 1],
			 words[VOCAB - 2], words[VOCAB - 3]);
		sarc_query *q;
		if (sarc_query_parse(ix, qtext, NULL, &q, err, sizeof err) != 0) {
			CHECKF(0, "parse '%s': %s", qtext, err);
			continue;
		}
		struct sarc_params p;
		sarc_params_default(&p);
		p.weight[SARC_FIELD_MESH] = qi < 2 ? 0.0 : -0.0;
		size_t nh;
		if (!pruned_as_exhaustive(ix, q, 200, &p, &nh) && ++zbad <= 3)
			printf("# query '%s', MeSH weight %s0: pruned and exhaustive differ\n", qtext,
			       qi < 2 ? "" : "-");
		zn += nh >= 20;
		sarc_query_free(q);
	}
	CHECKF(zbad == 0, "%d of 4 queries with unscored required words ranked differently", zbad);
	CHECKF(zn == 4, "only %d of 4 queries with unscored required words had 20 matches", zn);
	sarc_close(ix);
}

/* A query remembers each term's entry in the segments that hold it, not
 * one entry per segment: a prefix's words, each in one of 9 segments, cost
 * the query's arena about one entry each (9 each held 40 * 9 * 1024 bytes
 * for the 1024 words searched, and 40 KB a word at 1000 segments). */
static void check_dfc_memory(const char *tmp)
{
	char dir[512], xml[512];
	snprintf(dir, sizeof dir, "%s/dfcidx", tmp);
	snprintf(xml, sizeof xml, "%s/dfc.xml", tmp);
	for (int s = 0; s < 9; s++) {
		FILE *f = fopen(xml, "w");
		CHECK(f != NULL);
		if (f == NULL)
			return;
		fprintf(f, "<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n");
		for (int i = 0; i < 150; i++)
			fprintf(f, "<PubmedArticle><MedlineCitation><PMID Version=\"1\">%d</PMID><Article>"
				   "<Journal><Title>J</Title></Journal><ArticleTitle>zzq%cw%03d"
				   "</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n",
				700000 + s * 1000 + i, 'a' + s, i);
		fprintf(f, "</PubmedArticleSet>\n");
		fclose(f);
		const char *one[] = {xml};
		CHECK(test_build(dir, one, 1, 1, 1 << 22, 1, 0) == 0);
	}
	sarc_index *ix;
	sarc_query *q;
	char err[1024];
	uint64_t n = 0;
	CHECKF(sarc_open(dir, &ix, err, sizeof err) == 0, "%s", err);
	CHECK(ix->x.nsegs == 9);
	CHECKF(sarc_query_parse(ix, "zzq*", NULL, &q, err, sizeof err) == 0, "%s", err);
	CHECKF(sarc_count(ix, q, &n, err, sizeof err) == 0 && n == 1024, "%s %llu", err,
	       (unsigned long long)n);
	size_t before = q->a.used_bytes;
	CHECKF(before < 9 * 40 * 1024, "query arena after a count: %zu bytes", before);
	/* the search finds each word's entry where the count left it */
	struct sarc_search_opts so;
	sarc_search_opts_default(&so);
	so.k = SIZE_MAX;
	struct sarc_hit *hits = NULL;
	size_t nh = 0;
	CHECKF(sarc_search(ix, q, &so, &hits, &nh, err, sizeof err) == 0 && nh == 1024, "%s %zu",
	       err, nh);
	CHECK(q->a.used_bytes == before);
	free(hits);
	sarc_query_free(q);
	sarc_close(ix);
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 20261126;
	printf("# seed %llu\n", (unsigned long long)seed);
	rng_state = seed;
	char tmp[] = "/tmp/sarc-test-engine-XXXXXX";
	if (mkdtemp(tmp) == NULL)
		return 1;
	char x1[512], x2[512], x3[512], idx[512], idx2[512];
	snprintf(x1, sizeof x1, "%s/a.xml", tmp);
	snprintf(x2, sizeof x2, "%s/b.xml", tmp);
	snprintf(x3, sizeof x3, "%s/c.xml", tmp);
	snprintf(idx, sizeof idx, "%s/idx", tmp);
	snprintf(idx2, sizeof idx2, "%s/idx2", tmp);
	gen_docs();
	struct err e;
	err_clear(&e);
	struct an_settings as = {.stem = 1};
	an_analyzer *an = an_new(&as, &e);
	CHECKF(an != NULL, "%s", e.msg);
	if (an == NULL)
		return check_done("engine");
	analyze_vocab(an);
	an_free(an);
	N_all = NDOCS;

	/* one build over two files in two threads with a tiny budget: several
	 * flushed segments, merged into one at the end of the run */
	write_xml(x1, 0, NDOCS / 2, NULL, 0);
	write_xml(x2, NDOCS / 2, NDOCS, NULL, 0);
	const char *both[] = {x1, x2};
	CHECK(test_build(idx, both, 2, 2, 1 << 20, 0, 0) == 0);
	check_postings(idx);
	check_ranking(idx, 150, 0);
	check_ranking(idx, 80, 1);
	check_phrases(idx);
	check_boolean(idx);
	check_nested(idx);

	/* incremental: the same documents added in two runs, unmerged, rank the
	 * same as one build; then --merge gives one segment with the same postings */
	const char *one[] = {x1}, *two[] = {x2};
	CHECK(test_build(idx2, one, 1, 1, 1 << 20, 1, 0) == 0);
	CHECK(test_build(idx2, two, 1, 1, 1 << 20, 1, 0) == 0);
	check_ranking(idx2, 60, 0);
	CHECK(test_build(idx2, NULL, 0, 1, 1 << 20, 0, 1) == 0);
	check_postings(idx2);

	/* deletions and replacements disappear at once; statistics keep
	 * counting them until a merge, as documented */
	uint32_t dels[20];
	for (int i = 0; i < 20; i++) {
		int k = (int)(rnd() % NDOCS);
		dels[i] = docs[k].pmid;
		docs[k].live = 0;
	}
	write_xml(x3, 0, 0, dels, 20);
	const char *three[] = {x3};
	CHECK(test_build(idx2, three, 1, 1, 1 << 20, 0, 0) == 0);
	check_ranking(idx2, 60, 0);
	check_boolean(idx2);
	check_nested(idx2);
	CHECK(test_build(idx2, NULL, 0, 1, 1 << 20, 0, 1) == 0);
	int live = 0;
	for (int i = 0; i < NDOCS; i++)
		live += docs[i].live;
	N_all = live;
	count_dead = 0;
	check_postings(idx2);
	check_ranking(idx2, 60, 0);

	check_windows(tmp);
	check_dfc_memory(tmp);

	test_rmdir(tmp);
	return check_done("engine");
}
