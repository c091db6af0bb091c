/*
 * test_positions.c - the positions of posting blocks (FORMAT.md §5.3) at
 * their edges, written by the segment writer and read back by posting
 * cursors: a block's few gaps as varints or its gaps Rice-coded (on both
 * sides of SEG_POS_RICE_MIN), a frequency of 20000, positions around
 * 65535 and up to 2^32 - 1, lists of 1, 128, 129 and 400 postings (one
 * block, a full block, a last block of one posting, several blocks and a
 * partial last one), positions read for every posting, for some after
 * skips, twice, and into short arrays.  Then single bytes of the .spos
 * file are damaged where no valid encoding could hold them, and the
 * cursor must report the damage (and --verify's seg_verify too), never
 * follow it; and a file of format version 2 is refused with the message
 * saying to index the XML again, one of version 6 read unless it claims
 * facet keys.  Seed: argv[1] (printed).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "bitpack.h"
#include "check.h"
#include "fields.h"
#include "seg.h"
#include "segwrite.h"
#include "stored.h"
#include "testutil.h"

#define NDOCS 400
#define NTERMS 12
#define SEG "seg-000001"

static uint64_t rng_state;
static uint64_t rnd(void)
{
	return splitmix64(&rng_state);
}

/* One term: its postings and positions as written. */
struct rterm {
	char key[16];
	uint32_t df;
	uint32_t *docs, *tfs, *pos; /* pos: sum(tfs) entries */
	uint64_t npos;
};

static struct rterm terms[NTERMS];

/* A posting list of df postings over documents spread across the segment,
 * with frequency tf(i) and positions from pos_of(i, j, &last). */
static void make_term(struct rterm *t, const char *name, uint32_t df, uint32_t (*tf)(uint32_t),
		      uint32_t (*pos_of)(uint32_t, uint32_t, uint32_t))
{
	t->key[0] = (char)F_ABSTRACT;
	snprintf(t->key + 1, sizeof t->key - 1, "%s", name);
	t->df = df;
	t->docs = malloc(sizeof *t->docs * df);
	t->tfs = malloc(sizeof *t->tfs * df);
	/* increasing documents: df distinct ones out of NDOCS */
	uint32_t d = 0;
	for (uint32_t i = 0; i < df; i++) {
		uint32_t room = NDOCS - d - (df - i); /* documents that may still be passed over */
		d += room ? (uint32_t)(rnd() % (room / (df - i) + 1)) : 0;
		t->docs[i] = d++;
		t->tfs[i] = tf(i);
		t->npos += t->tfs[i];
	}
	t->pos = malloc(sizeof *t->pos * (size_t)t->npos);
	uint64_t k = 0;
	for (uint32_t i = 0; i < df; i++) {
		uint32_t last = 0;
		for (uint32_t j = 0; j < t->tfs[i]; j++) {
			last = pos_of(i, j, last);
			t->pos[k++] = last;
		}
	}
}

static uint32_t tf_one(uint32_t i) { (void)i; return 1; }
static uint32_t tf_seven(uint32_t i) { (void)i; return 7; }
static uint32_t tf_eight(uint32_t i) { (void)i; return 8; }
static uint32_t tf_huge(uint32_t i) { (void)i; return 20000; }
static uint32_t tf_small(uint32_t i) { (void)i; return 1 + (uint32_t)(rnd() % 3); }
/* the last posting of a 129-posting list: one gap, or nine */
static uint32_t tf_tail1(uint32_t i) { return i == 128 ? 1 : 1 + (uint32_t)(rnd() % 2); }
static uint32_t tf_tail9(uint32_t i) { return i == 128 ? 9 : 1; }
/* mostly 1, like real text, now and then tens or thousands */
static uint32_t tf_mixed(uint32_t i)
{
	(void)i;
	uint64_t r = rnd() % 100;
	return r < 90 ? 1 : r < 98 ? 2 + (uint32_t)(rnd() % 40) : 1000 + (uint32_t)(rnd() % 3000);
}

static uint32_t pos_zero(uint32_t i, uint32_t j, uint32_t last) { (void)i; return j ? last + 1 : 0; }
static uint32_t pos_field(uint32_t i, uint32_t j, uint32_t last)
{
	(void)i;
	return (j ? last + 1 : 0) + (uint32_t)(rnd() % 300);
}
/* around 65535, the saturation of field lengths (not of positions) */
static uint32_t pos_65535(uint32_t i, uint32_t j, uint32_t last)
{
	(void)i;
	return j ? last + 1 + (uint32_t)(rnd() % 3) : 65528 + (uint32_t)(rnd() % 6);
}
/* up to 2^32 - 1: the last gap of a posting spans almost 32 bits */
static uint32_t pos_top(uint32_t i, uint32_t j, uint32_t last)
{
	(void)i;
	if (j == 0)
		return (uint32_t)(rnd() % 4);
	if (j == 7)
		return UINT32_MAX;
	return last + 1 + (uint32_t)(rnd() % 70000);
}
static uint32_t pos_max(uint32_t i, uint32_t j, uint32_t last)
{
	(void)i, (void)j, (void)last;
	return UINT32_MAX; /* tf 1: one gap of 2^32 - 1, k = 32 */
}
static uint32_t pos_wide(uint32_t i, uint32_t j, uint32_t last)
{
	(void)i;
	return (j ? last + 1 : 0) + (uint32_t)(rnd() >> (46 + rnd() % 18));
}

static void make_terms(void)
{
	/* keys in increasing order (the writer's contract) */
	make_term(&terms[0], "a01", 1, tf_one, pos_zero);       /* one varint: 0 */
	make_term(&terms[1], "a02", 1, tf_seven, pos_65535);    /* 7 gaps: varints */
	make_term(&terms[2], "a03", 1, tf_eight, pos_top);      /* 8 gaps: Rice, to 2^32 - 1 */
	make_term(&terms[3], "a04", 1, tf_huge, pos_zero);      /* 20000 gaps of 1 */
	make_term(&terms[4], "a05", 128, tf_small, pos_field);  /* one full block, no skips */
	make_term(&terms[5], "a06", 129, tf_tail1, pos_field);  /* last block: one varint */
	make_term(&terms[6], "a07", 129, tf_tail9, pos_65535);  /* last block: Rice */
	make_term(&terms[7], "a08", 400, tf_mixed, pos_wide);   /* 4 blocks, huge tfs */
	make_term(&terms[8], "a09", 300, tf_one, pos_max);      /* every gap 2^32 - 1 */
	make_term(&terms[9], "a10", 300, tf_one, pos_zero);     /* every gap 0: k = 0 */
	make_term(&terms[10], "a11", 7, tf_one, pos_field);     /* 7 postings, 7 gaps */
	make_term(&terms[11], "a12", 8, tf_one, pos_field);     /* 8 postings, 8 gaps */
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
		lens[F_ABSTRACT] = (uint16_t)(d % 7 == 0 ? 65535 : 1 + d); /* saturated now and then */
		if (test_add_doc(w, &rec, 1000 + d, 2000, "positions", lens)) {
			fmt_buf_free(&rec);
			return -1;
		}
	}
	fmt_buf_free(&rec);
	for (int i = 0; i < NTERMS; i++) {
		struct rterm *t = &terms[i];
		if (sw_add_term(w, (const uint8_t *)t->key, strlen(t->key), t->df, t->docs, t->tfs,
				t->pos)) {
			printf("# %s\n", sw_error(w)->msg);
			sw_abort(w);
			return -1;
		}
	}
	return test_sw_finish(w) ? -1 : 0;
}

static int lookup(const struct seg *s, const struct rterm *t, struct seg_term *st)
{
	struct err e;
	err_clear(&e);
	return seg_lookup(s, (const uint8_t *)t->key, strlen(t->key), st, &e);
}

/* A cursor on t's list: 0, or 1 when the term is missing or will not open. */
static int open_cursor(const struct seg *s, const struct rterm *t, struct seg_postings *pc)
{
	struct seg_term st;
	struct err e;
	err_clear(&e);
	return lookup(s, t, &st) != 1 || seg_postings_open(pc, s, &st, &e) != 0;
}

/* Index in t->pos of posting i's first position. */
static uint64_t first_pos(const struct rterm *t, uint32_t i)
{
	uint64_t k = 0;
	for (uint32_t j = 0; j < i; j++)
		k += t->tfs[j];
	return k;
}

static uint32_t outbuf[20000 + 8];

/* Every posting in order, positions read twice (the second time into a
 * short array).  Returns the mismatches. */
static int read_all(const struct seg *s, const struct rterm *t)
{
	struct seg_postings pc;
	if (open_cursor(s, t, &pc))
		return 1;
	int bad = 0;
	uint32_t i = 0;
	uint64_t k = 0;
	for (uint32_t d = pc.doc; d != SEG_END; d = seg_postings_next(&pc), i++) {
		if (i >= t->df || d != t->docs[i] || seg_postings_tf(&pc) != t->tfs[i])
			return bad + 1;
		int n = seg_postings_positions(&pc, outbuf, 20000 + 8);
		if (n != (int)t->tfs[i] || memcmp(outbuf, t->pos + k, sizeof *outbuf * (size_t)n) != 0)
			bad++;
		/* again, keeping only the first two: the count is still tf */
		outbuf[2] = 0xdeadbeef;
		n = seg_postings_positions(&pc, outbuf, 2);
		if (n != (int)t->tfs[i] || outbuf[0] != t->pos[k] ||
		    (t->tfs[i] > 1 && outbuf[1] != t->pos[k + 1]) || outbuf[2] != 0xdeadbeef)
			bad++;
		k += t->tfs[i];
	}
	return bad + (i != t->df) + (pc.corrupt != 0);
}

/* Positions of a random few postings only, reached by advance (skipping
 * blocks, and postings within a block whose positions are never read). */
static int read_some(const struct seg *s, const struct rterm *t)
{
	struct seg_postings pc;
	if (open_cursor(s, t, &pc))
		return 1;
	int bad = 0;
	uint32_t i = 0;
	while (i < t->df) {
		uint32_t d = seg_postings_advance(&pc, t->docs[i]);
		if (d != t->docs[i])
			return bad + 1;
		if (rnd() % 3 == 0) {
			int n = seg_postings_positions(&pc, outbuf, 20000 + 8);
			uint64_t k = first_pos(t, i);
			if (n != (int)t->tfs[i] ||
			    memcmp(outbuf, t->pos + k, sizeof *outbuf * (size_t)n) != 0)
				bad++;
		}
		i += 1 + (uint32_t)(rnd() % (rnd() % 2 ? 3 : 150));
	}
	return bad + (pc.corrupt != 0);
}

/* Reads every posting's positions; 1 if the cursor reported damage
 * (positions -1 with corrupt set, or a damaged block), 0 if all decoded. */
static int damage_reported(const struct seg *s, const struct rterm *t)
{
	struct seg_postings pc;
	if (open_cursor(s, t, &pc))
		return 1;
	for (uint32_t d = pc.doc; d != SEG_END; d = seg_postings_next(&pc))
		if (seg_postings_positions(&pc, outbuf, 20000 + 8) < 0)
			return pc.corrupt == 2;
	return pc.corrupt != 0;
}

static int put_byte(const char *path, uint64_t off, uint8_t v)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	int rc = pwrite(fd, &v, 1, (off_t)off) == 1 ? 0 : -1;
	close(fd);
	return rc;
}

/* Rice-coded block b of term t (T >= SEG_POS_RICE_MIN): in the .spos
 * body, where it starts, where its unary string starts, and where it ends. */
struct blk {
	uint64_t start, hi, end;
	uint64_t npos;
	unsigned k;
};

/* Value of column col of the skip table at list for block b (§5.1). */
static uint32_t skip_value(const uint8_t *list, uint32_t nb, unsigned col, uint32_t b)
{
	size_t at = SEG_SKIP_COLS;
	for (unsigned k = 0; k < col; k++)
		at += bp_bytes(nb, list[k]);
	return bp_get(list + at, b, list[col]);
}

static int rice_block(const struct seg *s, const struct rterm *t, uint32_t b, struct blk *out)
{
	struct seg_term st;
	if (lookup(s, t, &st) != 1)
		return -1;
	uint32_t nb = (t->df + SEG_BLOCK - 1) / SEG_BLOCK;
	const uint8_t *list = s->f[SEGF_POST].body + st.post_off;
	uint64_t start = 0, end = st.pos_len;
	if (nb > 1) {
		start = skip_value(list, nb, SK_POS, b);
		if (b + 1 < nb)
			end = skip_value(list, nb, SK_POS, b + 1);
	}
	out->npos = 0;
	for (uint32_t i = b * SEG_BLOCK; i < t->df && i < (b + 1) * SEG_BLOCK; i++)
		out->npos += t->tfs[i];
	if (out->npos < SEG_POS_RICE_MIN)
		return -1;
	out->start = st.pos_off + start;
	out->end = st.pos_off + end;
	out->k = s->f[SEGF_POS].body[out->start];
	out->hi = out->start + 1 + bp_bytes((size_t)out->npos, out->k);
	return 0;
}

/* Sets byte off of the .spos body to v, checks that reading term t and
 * verifying the segment both report damage, and puts the byte back. */
static int check_damage(const char *dir, const char *path, const struct rterm *t, uint64_t off,
			uint8_t v, const char *what)
{
	struct seg s;
	struct err e;
	err_clear(&e);
	if (seg_open(&s, dir, SEG, "", &e)) {
		printf("# %s\n", e.msg);
		return 0;
	}
	uint8_t old = s.f[SEGF_POS].body[off];
	seg_close(&s);
	if (old == v || put_byte(path, SEG_HEADER_BYTES + off, v))
		return 0;
	int ok = 0;
	if (seg_open(&s, dir, SEG, "", &e) == 0) {
		int q = damage_reported(&s, t);
		err_clear(&e);
		int vr = seg_verify(&s, dir, &e);
		CHECKF(q, "%s: a cursor on %s decoded damaged positions", what, t->key + 1);
		CHECKF(vr == ERR_CORRUPT, "%s: seg_verify returned %d", what, vr);
		ok = q && vr == ERR_CORRUPT;
		seg_close(&s);
	}
	put_byte(path, SEG_HEADER_BYTES + off, old);
	return ok;
}

int main(int argc, char **argv)
{
	rng_state = argc > 1 ? strtoull(argv[1], NULL, 10) : 20261127;
	printf("# seed %llu\n", (unsigned long long)rng_state);
	char tmp[] = "/tmp/sarc-test-pos-XXXXXX";
	if (mkdtemp(tmp) == NULL)
		return 1;
	make_terms();
	CHECK(write_segment(tmp) == 0);

	struct seg s;
	struct err e;
	err_clear(&e);
	int rc = seg_open(&s, tmp, SEG, "", &e);
	CHECKF(rc == 0, "%s", e.msg);
	if (rc)
		return check_done("positions");
	for (int i = 0; i < NTERMS; i++) {
		int bad = read_all(&s, &terms[i]);
		CHECKF(bad == 0, "%s: %d postings read back wrong in order", terms[i].key + 1, bad);
		for (int r = 0; r < 5; r++) {
			bad = read_some(&s, &terms[i]);
			CHECKF(bad == 0, "%s: %d postings read back wrong after skips", terms[i].key + 1,
			       bad);
		}
	}
	err_clear(&e);
	CHECKF(seg_verify(&s, tmp, &e) == 0, "%s", e.msg);
	/* which coding each block got: the edges of SEG_POS_RICE_MIN */
	struct blk b;
	CHECK(rice_block(&s, &terms[1], 0, &b) < 0);               /* 7 gaps */
	CHECK(rice_block(&s, &terms[2], 0, &b) == 0);              /* 8 gaps */
	/* 20000 gaps of 1: k = 0 and k = 1 cost the same, the larger wins */
	CHECK(rice_block(&s, &terms[3], 0, &b) == 0 && b.k == 1);
	CHECK(rice_block(&s, &terms[9], 2, &b) == 0 && b.k == 0);  /* every gap 0: no low bits */
	CHECK(rice_block(&s, &terms[5], 1, &b) < 0);               /* last block: 1 gap */
	CHECK(rice_block(&s, &terms[6], 1, &b) == 0);              /* last block: 9 gaps */
	CHECK(rice_block(&s, &terms[8], 2, &b) == 0 && b.k == 32); /* gaps of 2^32 - 1 */
	CHECK(rice_block(&s, &terms[10], 0, &b) < 0 && rice_block(&s, &terms[11], 0, &b) == 0);
	seg_close(&s);

	/* damage that no encoding could produce must be reported */
	char path[600];
	snprintf(path, sizeof path, "%s/%s.spos", tmp, SEG);
	const int rice_terms[] = {2, 3, 6, 7, 8, 11};
	for (size_t r = 0; r < sizeof rice_terms / sizeof *rice_terms; r++) {
		const struct rterm *t = &terms[rice_terms[r]];
		uint32_t nb = (t->df + SEG_BLOCK - 1) / SEG_BLOCK;
		for (uint32_t bi = 0; bi < nb; bi++) {
			if (seg_open(&s, tmp, SEG, "", &e))
				break;
			int have = rice_block(&s, t, bi, &b) == 0;
			/* the unary string's last byte not all ones, for a one bit
			 * more: a fill bit, or one more quotient than gaps */
			uint64_t at = have ? b.end : 0;
			while (at > b.hi && s.f[SEGF_POS].body[at - 1] == 0xff)
				at--;
			uint8_t v = at > b.hi ? s.f[SEGF_POS].body[at - 1] : 0;
			seg_close(&s);
			if (!have)
				continue;
			char what[64];
			snprintf(what, sizeof what, "%s block %u: k = 33", t->key + 1, bi);
			check_damage(tmp, path, t, b.start, 33, what);
			/* the last one bit gone: the last quotient runs off the block */
			snprintf(what, sizeof what, "%s block %u: last byte 0", t->key + 1, bi);
			check_damage(tmp, path, t, b.end - 1, 0, what);
			snprintf(what, sizeof what, "%s block %u: a one bit more", t->key + 1, bi);
			if (at > b.hi)
				check_damage(tmp, path, t, at - 1, (uint8_t)(v | (~v & (v + 1))), what);
		}
	}
	/* the varint block of a02 (7 gaps): its last byte made a continuation */
	if (seg_open(&s, tmp, SEG, "", &e) == 0) {
		struct seg_term st;
		int found = lookup(&s, &terms[1], &st) == 1;
		uint8_t last = found ? s.f[SEGF_POS].body[st.pos_off + st.pos_len - 1] : 0;
		seg_close(&s);
		if (found)
			check_damage(tmp, path, &terms[1], st.pos_off + st.pos_len - 1,
				     (uint8_t)(last | 0x80), "a02: varint runs off the block");
	}

	/* an index of format version 2 is refused, saying what to do */
	uint8_t hdr[SEG_HEADER_BYTES + 64] = {0};
	struct seg_header h = {.kind = "SPOS", .version = 2, .an_version = AN_VERSION};
	struct seg_header got;
	seg_header_encode(hdr, &h);
	err_clear(&e);
	rc = seg_header_decode(hdr, sizeof hdr, SEG_KIND_POS, "x.spos", &got, &e);
	char want[96];
	snprintf(want, sizeof want,
		 "index format version 2, this sarc reads version %d (index the XML again)",
		 SARC_FORMAT_VERSION);
	CHECKF(rc == ERR_FORMAT_VERSION && strstr(e.msg, want) != NULL, "%d %s", rc, e.msg);
	/* version 6 is read (it differs only in having no facet keys), but
	 * a file of version 6 that claims facet keys is damage */
	h.version = 6;
	seg_header_encode(hdr, &h);
	err_clear(&e);
	CHECKF(seg_header_decode(hdr, sizeof hdr, SEG_KIND_POS, "x.spos", &got, &e) == 0, "%s", e.msg);
	h.flags = SEG_FLAG_FACETS;
	seg_header_encode(hdr, &h);
	err_clear(&e);
	rc = seg_header_decode(hdr, sizeof hdr, SEG_KIND_POS, "x.spos", &got, &e);
	CHECKF(rc == ERR_CORRUPT && strstr(e.msg, "facet keys") != NULL, "%d %s", rc, e.msg);

	for (int i = 0; i < NTERMS; i++) {
		free(terms[i].docs);
		free(terms[i].tfs);
		free(terms[i].pos);
	}
	test_rmdir(tmp);
	return check_done("positions");
}
