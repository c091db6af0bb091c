/*
 * test_facet.c - facet counts (sarc_facet, --facet journal|mesh|pt)
 * against counts made here from the stored records of every match.
 *
 * The engine counts a segment's matches from its facet keys (FORMAT.md
 * §4.1) or from their stored records, whichever reads less; segments
 * written without facet keys (as before they existed) only from the
 * records.  Both ways, and the automatic choice, must give what this
 * file computes on its own from sarc_search and sarc_doc_get: for each
 * value, the matching documents that carry it (once however often it is
 * listed), sorted by count then value.  Indexes: the demo corpus in one
 * segment; with a second run that replaces and deletes; a mixed index
 * whose first segment has no facet keys and format version 6 (as earlier
 * versions wrote them), before and after --merge, one whose second
 * segment is so, and one of such a segment alone; and the real files of
 * ../shared/corpus in several segments, when present, and in as many
 * again without facet keys, merged.  A merge makes the keys an input lacks from its stored records:
 * the merged segment has facet keys, and they are those of the same
 * documents indexed with them all along, key by key, posting by posting
 * (document, frequency, positions).  Every index passes --verify's
 * comparison of keys and records, and segments written by hand where a
 * key and its record disagree (another value, a key missing, a key too
 * many) fail it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "build.h"
#include "check.h"
#include "engine.h"
#include "fields.h"
#include "inputs.h"
#include "ix.h"
#include "sarc.h"
#include "seg.h"
#include "testutil.h"

#define DEMO "corpus/demo/sarcoma-demo.xml"

/* ---- the reference ---- */

struct val {
	char *s;
	uint64_t count;
	uint64_t last; /* the last document that counted it + 1 */
};

struct ref {
	struct val *v;
	size_t n, cap;
};

static void ref_add(struct ref *r, const char *s, size_t n, uint64_t doc)
{
	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '*'))
		n--;
	if (n > 200) /* cut before a UTF-8 continuation byte */
		for (n = 200; n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80; n--)
			;
	if (n == 0)
		return;
	for (size_t i = 0; i < r->n; i++)
		if (strlen(r->v[i].s) == n && memcmp(r->v[i].s, s, n) == 0) {
			if (r->v[i].last != doc + 1)
				r->v[i].count++;
			r->v[i].last = doc + 1;
			return;
		}
	if (r->n == r->cap)
		r->v = realloc(r->v, sizeof *r->v * (r->cap = r->cap ? 2 * r->cap : 64));
	r->v[r->n++] = (struct val){strndup(s, n), 1, doc + 1};
}

static int cmp_val(const void *a, const void *b)
{
	const struct val *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->s, y->s);
}

/* kind: 1 journal, 2 mesh, 3 pt */
static void reference(sarc_index *ix, sarc_query *q, int kind, struct ref *r)
{
	struct sarc_search_opts o;
	struct sarc_hit *h = NULL;
	size_t nh = 0;
	char err[512];
	sarc_search_opts_default(&o);
	o.k = (size_t)-1;
	o.exhaustive = 1;
	CHECKF(sarc_search(ix, q, &o, &h, &nh, err, sizeof err) == 0, "search: %s", err);
	for (size_t i = 0; i < nh; i++) {
		struct sarc_doc d;
		if (sarc_doc_get(ix, &h[i], &d, err, sizeof err) != 0) {
			CHECKF(0, "record of %u: %s", h[i].pmid, err);
			continue;
		}
		if (kind == 1) {
			const char *j = d.journal_iso[0] ? d.journal_iso : d.journal;
			ref_add(r, j, strlen(j), i);
		} else {
			const char *s = kind == 2 ? d.mesh : d.pubtypes;
			while (*s) {
				const char *nl = strchr(s, '\n');
				size_t n = nl ? (size_t)(nl - s) : strlen(s), m = n;
				const char *slash = kind == 2 ? memchr(s, '/', n) : NULL;
				if (slash)
					m = (size_t)(slash - s);
				ref_add(r, s, m, i);
				s += n + (nl != NULL);
			}
		}
		sarc_doc_free(&d);
	}
	free(h);
	if (r->n > 1)
		qsort(r->v, r->n, sizeof *r->v, cmp_val);
}

static void ref_free(struct ref *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].s);
	free(r->v);
}

/* ---- the comparison ---- */

struct tally {
	size_t queries, values, counted;
};

static void check_query(sarc_index *ix, const char *text, const char *what, struct tally *t)
{
	static const char *const kinds[] = {NULL, "journal", "mesh", "pt"};
	static const int hows[] = {ENG_FACET_AUTO, ENG_FACET_KEYS, ENG_FACET_STORED};
	static const char *const hown[] = {"auto", "keys", "stored"};
	sarc_query *q = NULL;
	char err[512];
	if (sarc_query_parse(ix, text, NULL, &q, err, sizeof err) != 0) {
		CHECKF(0, "%s: '%s': %s", what, text, err);
		return;
	}
	uint64_t nmatch = 0;
	CHECK(sarc_count(ix, q, &nmatch, err, sizeof err) == 0);
	t->queries++;
	for (int k = 1; k <= 3; k++) {
		struct ref r = {0};
		reference(ix, q, k, &r);
		t->values += r.n;
		for (size_t i = 0; i < r.n; i++)
			t->counted += r.v[i].count;
		for (int w = 0; w < 3; w++) {
			struct sarc_facet *f = NULL;
			size_t n = 0;
			uint64_t nd = 0;
			int rc = eng_facet(ix, q, kinds[k], hows[w], &f, &n, &nd, err, sizeof err);
			size_t bad = rc != 0 || n != r.n || nd != nmatch, at = 0;
			for (size_t i = 0; !rc && i < n && i < r.n; i++)
				if (strcmp(f[i].value, r.v[i].s) != 0 || f[i].count != r.v[i].count) {
					if (bad++ == 0)
						at = i;
				}
			CHECKF(bad == 0,
			       "%s: '%s' --facet %s (%s): %zu of %zu values differ, first %zu: %s %llu, "
			       "want %s %llu (%s)",
			       what, text, kinds[k], hown[w], bad, r.n, at,
			       !rc && at < n ? f[at].value : "-",
			       !rc && at < n ? (unsigned long long)f[at].count : 0ULL,
			       at < r.n ? r.v[at].s : "-", at < r.n ? (unsigned long long)r.v[at].count : 0ULL,
			       rc ? err : "");
			if (!rc)
				sarc_facets_free(f, n);
		}
		ref_free(&r);
	}
	sarc_query_free(q);
}

static const char *const queries[] = {
	"sarcoma", "year:1900..2100", "leiomyosarcoma OR liposarcoma", "review[pt]",
	"tumor -sarcoma", "mesh:humans", "\"soft tissue\"", "cancer*",
};

/* Facet keys in each segment (1), in none (0), or in some (-1). */
static int facet_segments(const char *dir)
{
	struct ix x;
	struct err e;
	err_clear(&e);
	if (ix_open(&x, dir, &e) != 0) {
		CHECKF(0, "%s: %s", dir, e.msg);
		return -2;
	}
	size_t with = 0;
	for (size_t i = 0; i < x.nsegs; i++)
		with += (x.segs[i].flags & SEG_FLAG_FACETS) != 0;
	int r = with == x.nsegs ? 1 : with == 0 ? 0 : -1;
	for (size_t i = 0; i < x.nsegs && r != -2; i++)
		if (seg_verify(&x.segs[i], dir, &e) != 0) {
			CHECKF(0, "%s: %s", dir, e.msg);
			r = -2;
		}
	ix_close(&x);
	return r;
}

static void check_index(const char *dir, const char *what, int want_keys)
{
	CHECKF(facet_segments(dir) == want_keys, "%s: facet keys in %s segments", what,
	       want_keys == 1 ? "not all" : want_keys == 0 ? "some" : "all or none of the");
	sarc_index *ix = NULL;
	char err[512];
	if (sarc_open(dir, &ix, err, sizeof err) != 0) {
		CHECKF(0, "%s: %s", what, err);
		return;
	}
	struct tally t = {0};
	for (size_t i = 0; i < sizeof queries / sizeof *queries; i++)
		check_query(ix, queries[i], what, &t);
	/* not vacuous: values with counts above one, of every kind */
	CHECKF(t.values >= 30 && t.counted > t.values, "%s: %zu values, %zu counted", what,
	       t.values, t.counted);
	printf("# %s: %zu queries, %zu values, %zu documents counted, as computed here\n", what,
	       t.queries, t.values, t.counted);
	sarc_close(ix);
}

/* Rewrites the format version of every file of dir whose name starts
 * with prefix (FORMAT.md §2: the header is outside the CRCs): an index, or
 * a segment, as a sarc reading version 6 wrote it, which had no facet
 * keys. */
static void set_version(const char *dir, const char *prefix, uint32_t version)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	int n = 0;
	while (dp && (de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "LOCK") == 0 ||
		    strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		char path[1200];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		FILE *f = fopen(path, "r+b");
		uint8_t v[4] = {(uint8_t)version, (uint8_t)(version >> 8), (uint8_t)(version >> 16),
				(uint8_t)(version >> 24)};
		CHECKF(f && fseek(f, 8, SEEK_SET) == 0 && fwrite(v, 1, 4, f) == 4, "%s", path);
		if (f)
			CHECK(fclose(f) == 0);
		n++;
	}
	if (dp)
		closedir(dp);
	CHECKF(n >= 5, "%s %s*: %d files", dir, prefix, n);
}

/* The facet keys of dir, which has one segment, as text in out: a line a
 * key, its key-space byte in decimal and its value, then each posting's
 * document, frequency and positions.  Returns the number of keys. */
static size_t facet_dump(const char *dir, struct fmt_buf *out)
{
	struct ix x;
	struct err e;
	size_t nkeys = 0;
	err_clear(&e);
	out->len = 0;
	if (ix_open(&x, dir, &e) != 0) {
		CHECKF(0, "%s: %s", dir, e.msg);
		return 0;
	}
	CHECKF(x.nsegs == 1, "%s: %zu segments", dir, x.nsegs);
	struct seg *s = &x.segs[0];
	struct seg_dict_iter it;
	const uint8_t from = F_NFIELDS;
	int more = seg_dict_seek(&it, s, &from, 1, &e), badtf = 0;
	while (more == 0 && (more = seg_dict_next(&it, &e)) == 1) {
		char line[600];
		struct seg_postings pc;
		snprintf(line, sizeof line, "%u %.*s:", it.t.key[0], (int)it.t.keylen - 1,
			 (const char *)it.t.key + 1);
		fmt_buf_put(out, line, strlen(line));
		nkeys++;
		if ((more = seg_postings_open(&pc, s, &it.t, &e)) != 0)
			break;
		for (uint32_t d = pc.doc; d != SEG_END; d = seg_postings_next(&pc)) {
			uint32_t pos[256];
			int tf = seg_postings_positions(&pc, pos, 256);
			badtf += tf <= 0 || (uint32_t)tf != seg_postings_tf(&pc);
			snprintf(line, sizeof line, " %u/%d", d, tf);
			fmt_buf_put(out, line, strlen(line));
			for (int j = 0; j < tf; j++) {
				snprintf(line, sizeof line, "%c%u", j ? ',' : '@', pos[j]);
				fmt_buf_put(out, line, strlen(line));
			}
		}
		badtf += pc.corrupt;
		fmt_buf_u8(out, '\n');
		more = 0;
	}
	CHECKF(more == 0 && out->rc == 0 && badtf == 0, "%s: %d %s, %d postings damaged", dir,
	       more, e.msg, badtf);
	ix_close(&x);
	return nkeys;
}

/* dir's facet keys are those of want's, the same documents indexed with
 * facet keys from the start. */
static void check_same_keys(const char *dir, const char *want, const char *what)
{
	struct fmt_buf a, b;
	fmt_buf_init(&a);
	fmt_buf_init(&b);
	size_t na = facet_dump(dir, &a), nb = facet_dump(want, &b);
	fmt_buf_u8(&a, 0);
	fmt_buf_u8(&b, 0);
	size_t at = 0;
	while (at < a.len && at < b.len && a.p[at] == b.p[at])
		at++;
	while (at < a.len && at > 0 && a.p[at - 1] != '\n') /* the line that differs */
		at--;
	const char *la = at < a.len ? (const char *)a.p + at : "-";
	const char *lb = at < b.len ? (const char *)b.p + at : "-";
	int ca = (int)strcspn(la, "\n"), cb = (int)strcspn(lb, "\n");
	CHECKF(na >= 30 && na == nb && at == a.len && a.len == b.len,
	       "%s: %zu facet keys, %zu in a build with them; first differing line:\n#   %.*s\n"
	       "# want\n#   %.*s",
	       what, na, nb, ca < 300 ? ca : 300, la, cb < 300 ? cb : 300, lb);
	printf("# %s: %zu facet keys as a build with them all along\n", what, na);
	fmt_buf_free(&a);
	fmt_buf_free(&b);
}

/* A segment written by hand with facet keys: document i's record names
 * journal[i] (n of them), and journal key j (nkeys, in key order) value
 * key[j] lists the one document keydoc[j].  --verify (seg_verify) must
 * accept it exactly when keys and records agree, document by document:
 * the counts alike are not enough (keys swapped between two values). */
struct vcase {
	const char *journal[2];
	uint32_t n;
	const char *key[2];
	uint32_t keydoc[2];
	size_t nkeys;
	int ok;
	const char *what;
};

static void check_verify(const char *dir, const struct vcase *c)
{
	struct err e;
	err_clear(&e);
	sw_writer *w = sw_open(dir, "seg-000001", AN_VERSION, SEG_FLAG_FACETS, &e);
	CHECKF(w != NULL, "%s", e.msg);
	if (w == NULL)
		return;
	uint16_t lens[F_NFIELDS] = {0};
	int rc = 0;
	for (uint32_t i = 0; i < c->n && rc == 0; i++) {
		struct st_record r;
		struct fmt_buf rec;
		memset(&r, 0, sizeof r);
		for (int s = 0; s < ST_NSTR; s++)
			r.s[s] = "";
		r.pmid = 7 + i;
		r.year = 2020;
		r.s[ST_JOURNAL] = c->journal[i];
		fmt_buf_init(&rec);
		st_encode(&rec, &r);
		rc = sw_add_doc(w, r.pmid, r.year, lens, rec.p, rec.len);
		fmt_buf_free(&rec);
	}
	uint32_t docs[2] = {0, 1}, tfs[2] = {1, 1}, pos[2] = {0, 0};
	if (rc == 0) /* a term in every document: a segment has terms */
		rc = sw_add_term(w, (const uint8_t *)"\001x", 2, c->n, docs, tfs, pos);
	for (size_t j = 0; j < c->nkeys && rc == 0; j++) {
		uint8_t k[64];
		size_t kl = strlen(c->key[j]);
		k[0] = FK_JOURNAL;
		memcpy(k + 1, c->key[j], kl);
		rc = sw_add_term(w, k, kl + 1, 1, &c->keydoc[j], tfs, pos);
	}
	CHECKF(rc == 0, "%s: %s", c->what, sw_error(w)->msg);
	if (rc) {
		sw_abort(w);
		return;
	}
	struct seg s;
	if (sw_finish(w, NULL, &e) != 0 || seg_open(&s, dir, "seg-000001", "", &e) != 0) {
		CHECKF(0, "%s: %s", c->what, e.msg);
		return;
	}
	rc = seg_verify(&s, dir, &e);
	CHECKF(c->ok ? rc == 0 : rc == ERR_CORRUPT && strstr(e.msg, "facet key journal") != NULL,
	       "%s: %d %s", c->what, rc, rc ? e.msg : "");
	seg_close(&s);
}

static int build(const char *dir, const char *const *files, size_t n, int threads,
		 size_t memory, int merge_all, int no_facets)
{
	return test_build_more(dir, files, n, threads, memory, 1, merge_all,
			       TB_KEEP_GOING | (no_facets ? TB_NO_FACETS : 0));
}

int main(void)
{
	char tmp[] = "/tmp/sarc-test-facet-XXXXXX";
	if (mkdtemp(tmp) == NULL)
		return 1;
	char dir[10][600], second[600];
	for (int i = 0; i < 10; i++)
		snprintf(dir[i], sizeof dir[i], "%s/i%d", tmp, i);
	snprintf(second, sizeof second, "%s/second.xml", tmp);
	struct stat st;
	if (stat(DEMO, &st) != 0) {
		printf("# no %s (run from the repository root): demo part skipped\n", DEMO);
	} else {
		/* a second run: replaced records with other journals and
		 * headings, deletions */
		FILE *f = fopen(second, "w");
		fprintf(f, "<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n");
		static const uint32_t repl[] = {90000014, 90000022, 90000040, 90000052, 90000065};
		for (size_t i = 0; i < 5; i++)
			fprintf(f,
				"<PubmedArticle><MedlineCitation><PMID Version=\"1\">%u</PMID><Article>"
				"<Journal><Title>Sarcoma Reports %zu</Title><ISOAbbreviation>%s</ISOAbbreviation>"
				"<JournalIssue><PubDate><Year>2024</Year></PubDate></JournalIssue></Journal>"
				"<ArticleTitle>Leiomyosarcoma of the uterus, soft tissue</ArticleTitle>"
				"<PublicationTypeList><PublicationType>Review</PublicationType>"
				"<PublicationType>Review</PublicationType></PublicationTypeList></Article>"
				"<MeshHeadingList><MeshHeading><DescriptorName MajorTopicYN=\"Y\">Leiomyosarcoma"
				"</DescriptorName><QualifierName>therapy</QualifierName></MeshHeading>"
				"<MeshHeading><DescriptorName>Humans</DescriptorName></MeshHeading>"
				"</MeshHeadingList></MedlineCitation></PubmedArticle>\n",
				repl[i], i % 2, i % 2 ? "Sarcoma Rep" : "");
		fprintf(f, "<DeleteCitation><PMID Version=\"1\">90000013</PMID>"
			   "<PMID Version=\"1\">90000023</PMID></DeleteCitation>\n</PubmedArticleSet>\n");
		fclose(f);
		const char *one[] = {DEMO}, *two[] = {second};
		CHECK(build(dir[0], one, 1, 1, 64 << 20, 0, 0) == 0);
		check_index(dir[0], "demo", 1);
		CHECK(build(dir[1], one, 1, 1, 64 << 20, 0, 0) == 0);
		CHECK(build(dir[1], two, 1, 1, 64 << 20, 0, 0) == 0);
		check_index(dir[1], "demo and a second run", 1);
		CHECK(build(dir[1], NULL, 0, 1, 64 << 20, 1, 0) == 0);
		check_index(dir[1], "demo and a second run, merged", 1);
		/* an index from before facet keys, format version 6, then a
		 * run that has them */
		CHECK(build(dir[2], one, 1, 1, 64 << 20, 0, 1) == 0);
		set_version(dir[2], "", 6);
		check_index(dir[2], "demo without facet keys, version 6", 0);
		CHECK(build(dir[2], two, 1, 1, 64 << 20, 0, 0) == 0);
		check_index(dir[2], "demo without facet keys, a second run with", -1);
		/* the merge makes the keys the first segment lacks */
		CHECK(build(dir[2], NULL, 0, 1, 64 << 20, 1, 0) == 0);
		check_index(dir[2], "the mixed index merged", 1);
		check_same_keys(dir[2], dir[1], "the mixed index merged");
		/* --merge of a lone segment without keys rewrites it with */
		CHECK(build(dir[7], one, 1, 1, 64 << 20, 0, 1) == 0);
		set_version(dir[7], "", 6);
		CHECK(build(dir[7], NULL, 0, 1, 64 << 20, 1, 0) == 0);
		check_index(dir[7], "demo without facet keys, version 6, merged", 1);
		check_same_keys(dir[7], dir[0], "demo without facet keys, version 6, merged");
		/* the same, the segment without keys second: the postings made
		 * follow those read */
		CHECK(build(dir[4], one, 1, 1, 64 << 20, 0, 0) == 0);
		CHECK(build(dir[4], two, 1, 1, 64 << 20, 0, 1) == 0);
		set_version(dir[4], "seg-000002.", 6);
		check_index(dir[4], "demo, a second run without facet keys, version 6", -1);
		CHECK(build(dir[4], NULL, 0, 1, 64 << 20, 1, 0) == 0);
		check_index(dir[4], "demo, a second run without facet keys, merged", 1);
		check_same_keys(dir[4], dir[1], "demo, a second run without facet keys, merged");
		/* a budget too small to hold the keys to make (mfacet_fits:
		 * the demo's 81 citations need 7,776 bytes): the merged
		 * segment has none, the lone one is left as it is */
		CHECK(build(dir[8], one, 1, 1, 64 << 20, 0, 1) == 0);
		set_version(dir[8], "", 6);
		CHECK(build(dir[8], two, 1, 1, 64 << 20, 0, 0) == 0);
		CHECK(build(dir[8], NULL, 0, 1, 4096, 1, 0) == 0);
		check_index(dir[8], "the mixed index merged under a 4 KB budget", 0);
		CHECK(build(dir[9], one, 1, 1, 64 << 20, 0, 1) == 0);
		set_version(dir[9], "", 6);
		CHECK(build(dir[9], NULL, 0, 1, 4096, 1, 0) == 0);
		check_index(dir[9], "a lone segment without keys, --merge under a 4 KB budget", 0);
		char seg1[700];
		snprintf(seg1, sizeof seg1, "%s/seg-000001.sdoc", dir[9]);
		CHECKF(stat(seg1, &st) == 0, "%s: the lone segment was rewritten", dir[9]);
	}

	/* --verify compares the keys with the records */
	static const struct vcase vc[] = {
		{{"J Foo"}, 1, {"J Foo"}, {0}, 1, 1, "key and record agree"},
		{{"J Foo"}, 1, {NULL}, {0}, 0, 0, "no key for the record's value"},
		{{"J Foo"}, 1, {"J Bar"}, {0}, 1, 0, "a key for another value"},
		{{""}, 1, {"J Foo"}, {0}, 1, 0, "a key for a record without journal"},
		{{"J A", "J B"}, 2, {"J A", "J B"}, {0, 1}, 2, 1, "two keys, each its document"},
		{{"J A", "J B"}, 2, {"J A", "J B"}, {1, 0}, 2, 0, "two keys swapped"},
	};
	for (size_t i = 0; i < sizeof vc / sizeof *vc; i++) {
		char d[640];
		snprintf(d, sizeof d, "%s/v%zu", tmp, i);
		mkdir(d, 0755);
		check_verify(d, &vc[i]);
	}

	const char *root = "../shared/corpus";
	if (stat(root, &st) != 0) {
		printf("# %s not present: real part skipped\n", root);
	} else {
		struct inputs in = {0}, files = {0};
		struct err e;
		err_clear(&e);
		CHECK(inputs_add(&in, root, &e) == 0);
		for (size_t i = 0; i < in.n; i++)
			if (!strstr(in.v[i], "/broken/"))
				inputs_add(&files, in.v[i], &e);
		inputs_free(&in);
		/* several segments: two threads, a small budget */
		CHECK(build(dir[3], (const char *const *)files.v, files.n, 2, 2 << 20, 0, 0) == 0);
		check_index(dir[3], "real files", 1);
		/* the first half in segments without facet keys, version 6,
		 * the rest with, merged in rounds (the budget holds few
		 * inputs); and the same with keys all along (one thread: the
		 * same documents in the same order) */
		const char *const *fv = (const char *const *)files.v;
		size_t half = files.n / 2;
		CHECK(build(dir[5], fv, half, 1, 2 << 20, 0, 1) == 0);
		set_version(dir[5], "", 6);
		CHECK(build(dir[5], fv + half, files.n - half, 1, 2 << 20, 0, 0) == 0);
		CHECK(facet_segments(dir[5]) == -1);
		CHECK(build(dir[5], NULL, 0, 2, 2 << 20, 1, 0) == 0);
		check_index(dir[5], "real files, half without facet keys, merged", 1);
		CHECK(build(dir[6], fv, half, 1, 2 << 20, 0, 0) == 0);
		CHECK(build(dir[6], fv + half, files.n - half, 1, 2 << 20, 0, 0) == 0);
		CHECK(build(dir[6], NULL, 0, 2, 2 << 20, 1, 0) == 0);
		check_same_keys(dir[5], dir[6], "real files, half without facet keys, merged");
		inputs_free(&files);
	}
	test_rmdir(tmp);
	return check_done("facet");
}
