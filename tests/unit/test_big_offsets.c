/*
 * test_big_offsets.c - segments of the whole PubMed baseline's size, whose
 * files pass 4 GiB: every offset into them is a u64 on disk and in the
 * code, which this checks where it matters.  The writer leaves a hole of
 * 4.25 GiB (sw_test_gap) before the postings, the positions and most
 * stored blocks, so that they lie past 2^32 while the file system stores
 * only a few hundred kilobytes; then
 *   - the format's real u32 limits (FORMAT.md §4, §5.1), not lowered as in
 *     test_limits: a dictionary body or one term's positions past 4 GiB is
 *     refused with ERR_LIMIT;
 *   - the segment reads back: lists of many blocks and of one posting,
 *     positions, skipping, stored records and references on both sides of
 *     the hole, the engine's count, search and records through a manifest;
 *   - a merge of two such segments reads them and verifies;
 *   - a part written beside a writer whose lists already pass 4 GiB is
 *     appended with its offsets moved on (merges write key ranges so).
 * Skipped where the file system does not keep holes.  --verify over the
 * big segment itself is left out: checking 13 GB of zeros takes a minute.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "manifest.h"
#include "merge.h"
#include "sarc.h"
#include "seg.h"
#include "segwrite.h"
#include "testutil.h"

#define GAP (((uint64_t)1 << 32) + ((uint64_t)256 << 20))
#define NDOCS 5000
/* FORMAT.md §7.2: the stored vocabulary is chosen from the first 4096
 * records, which are written with it; the stored gap goes after them */
#define SAMPLE_DOCS 4096
#define SEG "seg-000001"

static uint32_t docs[NDOCS], tfs[NDOCS], pos[NDOCS * 3];

/* The title key of word w (fields.h: a field byte, then the word) in
 * k[SEG_MAX_KEY]; returns its length. */
static size_t title_key(uint8_t *k, const char *w)
{
	size_t n = strlen(w);
	k[0] = F_TITLE;
	memcpy(k + 1, w, n);
	return n + 1;
}

/* Whether files in dir keep a hole of 1 GiB without storing it. */
static int holes_kept(const char *dir)
{
	char path[600];
	snprintf(path, sizeof path, "%s/hole", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	struct stat st;
	int ok = fd >= 0 && pwrite(fd, "x", 1, (off_t)1 << 30) == 1 && fstat(fd, &st) == 0 &&
		 (uint64_t)st.st_blocks * 512 < ((uint64_t)1 << 20);
	if (fd >= 0)
		close(fd);
	unlink(path);
	return ok;
}

static int gap(sw_writer *w, unsigned file)
{
	int rc = sw_test_gap(w, file, GAP);
	if (rc)
		printf("# %s\n", sw_error(w)->msg);
	return rc;
}

/* NDOCS documents, PMIDs 40000000 on, each titled with its number and
 * citing the next PMID and 41999999; stored_gap: the stored gap after the
 * sample.  Returns 0, or nonzero after aborting w. */
static int add_docs(sw_writer *w, int stored_gap)
{
	struct fmt_buf rec;
	fmt_buf_init(&rec);
	uint16_t lens[F_NFIELDS] = {0};
	lens[F_TITLE] = 6;
	lens[F_CITES] = 2;
	int rc = 0;
	for (uint32_t d = 0; d < NDOCS && rc == 0; d++) {
		struct st_record r;
		char title[64];
		uint32_t refs[2] = {40000000 + d + 1, 41999999};
		memset(&r, 0, sizeof r);
		for (int s = 0; s < ST_NSTR; s++)
			r.s[s] = "";
		snprintf(title, sizeof title, "alpha beta gamma document number %u", d);
		r.pmid = 40000000 + d;
		r.year = (uint16_t)(2000 + d % 20);
		r.s[ST_TITLE] = title;
		r.len[ST_TITLE] = strlen(title);
		r.refs = refs;
		r.nrefs = 2;
		rec.len = 0;
		st_encode(&rec, &r);
		if ((rc = sw_add_doc(w, r.pmid, r.year, lens, rec.p, rec.len)) != 0)
			printf("# %s\n", sw_error(w)->msg);
		else if (stored_gap && d + 1 == SAMPLE_DOCS)
			rc = gap(w, SEGF_STORED);
	}
	fmt_buf_free(&rec);
	if (rc)
		sw_abort(w);
	return rc;
}

/* "alpha" in every document, tf 1 to 3 at 0, 10, 20; "beta", "document"
 * and "gamma" once in each; then 200 terms of one posting, "zz00000" on,
 * in document 7 × their number at 5. */
static int add_terms(sw_writer *w)
{
	static const char *const words[] = {"alpha", "beta", "document", "gamma"};
	uint8_t key[SEG_MAX_KEY];
	for (unsigned t = 0; t < 4; t++) {
		size_t np = 0;
		for (uint32_t d = 0; d < NDOCS; d++) {
			docs[d] = d;
			tfs[d] = t == 0 ? 1 + d % 3 : 1;
			for (uint32_t k = 0; k < tfs[d]; k++)
				pos[np++] = t == 0 ? k * 10 : t;
		}
		if (sw_add_term(w, key, title_key(key, words[t]), NDOCS, docs, tfs, pos))
			return 1;
	}
	for (uint32_t i = 0; i < 200; i++) {
		char word[16];
		snprintf(word, sizeof word, "zz%05u", i);
		docs[0] = i * 7;
		tfs[0] = 1;
		pos[0] = 5;
		if (sw_add_term(w, key, title_key(key, word), 1, docs, tfs, pos))
			return 1;
	}
	return 0;
}

/* The real u32 limits: a dictionary body past 4 GiB, one term's positions
 * past 4 GiB. */
static void check_limits(const char *tmp)
{
	char dir[600], msg[sizeof ((struct err *)0)->msg] = "";
	struct err e;
	snprintf(dir, sizeof dir, "%s/dict", tmp);
	mkdir(dir, 0755);
	sw_writer *w = test_sw_open(dir, SEG);
	if (w == NULL || add_docs(w, 0) || sw_test_gap(w, SEGF_DICT, (uint64_t)UINT32_MAX + 1)) {
		CHECKF(0, "setting up the dictionary case");
		return;
	}
	docs[0] = 1;
	tfs[0] = 1;
	pos[0] = 0;
	uint8_t key[SEG_MAX_KEY];
	int rc = sw_add_term(w, key, title_key(key, "zeta"), 1, docs, tfs, pos);
	if (rc == 0) {
		err_clear(&e);
		rc = sw_finish(w, NULL, &e);
		snprintf(msg, sizeof msg, "%s", e.msg);
	} else {
		snprintf(msg, sizeof msg, "%s", sw_error(w)->msg);
		sw_abort(w);
	}
	CHECKF(rc == ERR_LIMIT && strstr(msg, "dictionary over 4 GiB"), "dictionary: %d '%s'", rc, msg);

	snprintf(dir, sizeof dir, "%s/lists", tmp);
	mkdir(dir, 0755);
	if ((w = test_sw_open(dir, SEG)) == NULL || add_docs(w, 0)) {
		CHECKF(0, "setting up the positions case");
		return;
	}
	rc = sw_term_begin(w, key, title_key(key, "alpha"));
	for (uint32_t d = 0; d < 300 && rc == 0; d++) {
		uint32_t p = 0;
		rc = sw_term_add(w, d, 1, &p);
		/* the first block's positions are out after its 128th document */
		if (rc == 0 && d == 128)
			rc = sw_test_gap(w, SEGF_POS, (uint64_t)UINT32_MAX + 1);
	}
	if (rc == 0)
		rc = sw_term_end(w);
	snprintf(msg, sizeof msg, "%s", sw_error(w)->msg);
	CHECKF(rc == ERR_LIMIT && strstr(msg, "over 4 GiB"), "positions: %d '%s'", rc, msg);
	sw_abort(w);
}

/* The big segment dir/SEG read back. */
static void check_reads(const char *dir)
{
	struct seg s;
	struct err e;
	err_clear(&e);
	if (seg_open(&s, dir, SEG, "", &e)) {
		CHECKF(0, "open: %s", e.msg);
		return;
	}
	struct seg_term t;
	struct seg_postings c;
	uint32_t p[8], n = 0, bad = 0;
	uint8_t key[SEG_MAX_KEY];
	int rc = seg_lookup(&s, key, title_key(key, "alpha"), &t, &e);
	CHECKF(rc == 1 && t.post_off > UINT32_MAX && t.pos_off > UINT32_MAX,
	       "alpha: %d at %llu, %llu", rc, (unsigned long long)t.post_off,
	       (unsigned long long)t.pos_off);
	if (rc == 1 && seg_postings_open(&c, &s, &t, &e) == 0) {
		for (uint32_t d = c.doc; d != SEG_END; d = seg_postings_next(&c), n++) {
			int np = seg_postings_positions(&c, p, 8);
			if (d != n || seg_postings_tf(&c) != 1 + d % 3 || np != (int)(1 + d % 3) ||
			    p[np - 1] != (uint32_t)(np - 1) * 10)
				bad++;
		}
		CHECKF(n == NDOCS && bad == 0 && !c.corrupt, "alpha: %u postings, %u wrong", n, bad);
	}
	if (rc == 1 && seg_postings_open(&c, &s, &t, &e) == 0)
		CHECK(seg_postings_advance(&c, 4321) == 4321 && seg_postings_tf(&c) == 1 + 4321 % 3);
	rc = seg_lookup(&s, key, title_key(key, "zz00150"), &t, &e);
	CHECKF(rc == 1 && t.post_off > UINT32_MAX, "zz00150: %d", rc);
	if (rc == 1 && seg_postings_open(&c, &s, &t, &e) == 0)
		CHECK(c.doc == 150 * 7 && seg_postings_positions(&c, p, 8) == 1 && p[0] == 5);

	static const uint32_t probe[] = {0, 47, SAMPLE_DOCS - 1, SAMPLE_DOCS, SAMPLE_DOCS + 4,
					 NDOCS - 1};
	for (size_t i = 0; i < sizeof probe / sizeof *probe; i++) {
		uint8_t *r = NULL;
		size_t rn = 0;
		uint32_t *refs = NULL;
		size_t nrefs = 0;
		struct st_record sr;
		rc = seg_stored_get(&s, probe[i], &r, &rn, &e);
		int ok = rc == 0 && st_decode(r, rn, &sr, &refs) == 0 && sr.pmid == 40000000 + probe[i];
		CHECKF(ok, "record %u: %d %s", probe[i], rc, e.msg);
		free(refs);
		free(r);
		refs = NULL;
		rc = seg_stored_refs(&s, probe[i], &refs, &nrefs, &e);
		CHECKF(rc == 0 && nrefs == 2 && refs[0] == 40000000 + probe[i] + 1 && refs[1] == 41999999,
		       "references of %u: %d %s", probe[i], rc, e.msg);
		free(refs);
	}
	struct seg_stored_blk k;
	rc = seg_stored_entry(&s, s.nstoredblocks - 1, &k, &e);
	CHECKF(rc == 0 && (uint64_t)(k.comp - s.f[SEGF_STORED].body) > UINT32_MAX,
	       "the last stored block lies before 4 GiB");
	seg_close(&s);
}

/* The engine over the big segment, through a manifest naming it. */
static void check_engine(const char *dir)
{
	struct manifest m;
	struct mf_seg ms = {.name = SEG, .ndocs = NDOCS};
	struct err unsynced, e;
	memset(&m, 0, sizeof m);
	m.generation = 1;
	m.next_id = 2;
	m.an_version = AN_VERSION;
	m.stopwords = (char *)"";
	m.segs = &ms;
	m.nsegs = 1;
	err_clear(&e);
	err_clear(&unsynced);
	if (mf_write(dir, &m, &unsynced, &e)) {
		CHECKF(0, "manifest: %s", e.msg);
		return;
	}
	sarc_index *ix;
	char msg[512];
	if (sarc_open(dir, &ix, msg, sizeof msg)) {
		CHECKF(0, "sarc_open: %s", msg);
		return;
	}
	static const struct {
		const char *q;
		uint64_t count;
		uint32_t first; /* the best hit's PMID */
	} cases[] = {
		{"alpha", NDOCS, 40000002},           /* tf 3 in every third, the lowest PMID */
		{"\"alpha beta\"", NDOCS, 40000000}, /* at 0 and 1 in each: ties */
		{"\"beta gamma\"", 0, 0},             /* at 1 and 3 */
		{"title:zz00150", 1, 40000000 + 1050},
		{"alpha NEAR/2 document", NDOCS, 0},  /* 0 and 2 */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		sarc_query *q;
		uint64_t count = 0;
		struct sarc_search_opts o;
		struct sarc_hit *h = NULL;
		size_t nh = 0;
		if (sarc_query_parse(ix, cases[i].q, NULL, &q, msg, sizeof msg)) {
			CHECKF(0, "%s: %s", cases[i].q, msg);
			continue;
		}
		int rc = sarc_count(ix, q, &count, msg, sizeof msg);
		sarc_search_opts_default(&o);
		o.k = 5;
		int rc2 = sarc_search(ix, q, &o, &h, &nh, msg, sizeof msg);
		CHECKF(rc == 0 && rc2 == 0 && count == cases[i].count &&
			       (cases[i].first == 0 || (nh > 0 && h[0].pmid == cases[i].first)),
		       "%s: %d %d, %llu matches, best %u", cases[i].q, rc, rc2,
		       (unsigned long long)count, nh ? h[0].pmid : 0);
		if (rc2 == 0 && nh) {
			struct sarc_doc doc;
			rc = sarc_doc_get(ix, &h[0], &doc, msg, sizeof msg);
			CHECKF(rc == 0 && doc.pmid == h[0].pmid, "%s: record: %s", cases[i].q, msg);
			if (rc == 0)
				sarc_doc_free(&doc);
		}
		free(h);
		sarc_query_free(q);
	}
	sarc_close(ix);
}

/* A merge of the big segment with itself: it reads offsets past 4 GiB,
 * copies stored blocks from beyond the hole, and its output verifies. */
static void check_merge(const char *dir)
{
	struct seg in[2];
	struct seg *segs[2] = {&in[0], &in[1]};
	struct merge_out mo;
	struct err e;
	err_clear(&e);
	if (seg_open(&in[0], dir, SEG, "", &e) || seg_open(&in[1], dir, SEG, "", &e)) {
		CHECKF(0, "open: %s", e.msg);
		return;
	}
	int rc = merge_segments(dir, segs, NULL, 2, "seg-000009", 0, 2, (size_t)1 << 30, &mo, &e);
	CHECKF(rc == 0 && mo.ndocs == 2 * NDOCS && mo.blocks_copied > 0, "merge: %d %s", rc, e.msg);
	seg_close(&in[0]);
	seg_close(&in[1]);
	struct seg o;
	struct seg_term t;
	if (rc == 0 && seg_open(&o, dir, "seg-000009", "", &e) == 0) {
		rc = seg_verify(&o, dir, &e);
		CHECKF(rc == 0, "the merged segment: %s", e.msg);
		uint8_t key[SEG_MAX_KEY];
		rc = seg_lookup(&o, key, title_key(key, "alpha"), &t, &e);
		CHECKF(rc == 1 && t.df == 2 * NDOCS, "merged alpha: %d, df %u", rc, t.df);
		seg_close(&o);
	}
}

/* A part appended to a writer whose lists already pass 4 GiB. */
static void check_part(const char *tmp)
{
	char dir[600];
	struct err e;
	err_clear(&e);
	snprintf(dir, sizeof dir, "%s/parts", tmp);
	mkdir(dir, 0755);
	sw_writer *w = test_sw_open(dir, SEG), *part;
	if (w == NULL || add_docs(w, 0)) {
		CHECKF(0, "setting up the parts");
		return;
	}
	if ((part = sw_open_part(w, 1, &e)) == NULL) {
		sw_abort(w);
		CHECKF(0, "part: %s", e.msg);
		return;
	}
	for (uint32_t d = 0; d < NDOCS; d++) {
		docs[d] = d;
		tfs[d] = 1;
		pos[d] = 3;
	}
	uint8_t key[SEG_MAX_KEY];
	int rc = gap(w, SEGF_POST) || gap(w, SEGF_POS) ||
		 sw_add_term(w, key, title_key(key, "aaa"), NDOCS, docs, tfs, pos) ||
		 sw_add_term(part, key, title_key(key, "bbb"), NDOCS, docs, tfs, pos) ||
		 sw_add_term(part, key, title_key(key, "ccc"), 1, docs, tfs, pos);
	rc = rc ? 1 : sw_append_part(w, part);
	rc = rc ? (sw_abort(w), 1) : sw_finish(w, NULL, &e);
	CHECKF(rc == 0, "parts: %d %s", rc, e.msg);
	struct seg o;
	if (rc || seg_open(&o, dir, SEG, "", &e))
		return;
	static const char *const words[] = {"aaa", "bbb", "ccc"};
	for (int i = 0; i < 3; i++) {
		struct seg_term t;
		struct seg_postings c;
		uint32_t n = 0, p[4];
		rc = seg_lookup(&o, key, title_key(key, words[i]), &t, &e);
		if (rc == 1 && seg_postings_open(&c, &o, &t, &e) == 0)
			for (uint32_t d = c.doc; d != SEG_END; d = seg_postings_next(&c))
				n += seg_postings_positions(&c, p, 4) == 1 && p[0] == 3;
		CHECKF(rc == 1 && t.post_off > UINT32_MAX && n == t.df, "%s: %d, %u of %u", words[i],
		       rc, n, t.df);
	}
	seg_close(&o);
}

int main(void)
{
	char tmp[] = "/tmp/sarc-test-big-XXXXXX", dir[600];
	if (mkdtemp(tmp) == NULL)
		return 1;
	if (!holes_kept(tmp)) {
		printf("ok big_offsets # skip %s does not keep holes in files\n", tmp);
		test_rmdir(tmp);
		return 0;
	}
	check_limits(tmp);
	snprintf(dir, sizeof dir, "%s/big", tmp);
	mkdir(dir, 0755);
	sw_writer *w = test_sw_open(dir, SEG);
	struct err e;
	err_clear(&e);
	int rc = w == NULL || gap(w, SEGF_POST) || gap(w, SEGF_POS) || add_docs(w, 1);
	if (rc == 0 && add_terms(w)) {
		printf("# %s\n", sw_error(w)->msg);
		sw_abort(w);
		rc = 1;
	}
	CHECKF(rc == 0 && sw_finish(w, NULL, &e) == 0, "writing the big segment: %s", e.msg);
	if (check_failed_ == 0) {
		check_reads(dir);
		check_engine(dir);
		check_merge(dir);
	}
	check_part(tmp);
	test_rmdir(tmp);
	return check_done("big_offsets");
}
