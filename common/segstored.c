/*
 * segstored.c - stored records (FORMAT.md §7): the vocabulary (§7.2),
 * blocks inflated whole or only as far as a record needs, and a cursor
 * that keeps the last block it inflated.  Every read is bounds-checked and
 * every record's CRC checked, so that a damaged block is an error, never a
 * crash or the wrong record.
 */
#include "seg.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <libdeflate.h>

int seg_same_vocab(const struct seg *a, const struct seg *b)
{
	return a->vocab_clen == b->vocab_clen && a->vocab_rlen == b->vocab_rlen &&
	       memcmp(a->f[SEGF_STORED].body, b->f[SEGF_STORED].body, a->vocab_clen) == 0;
}

/* Inflates a whole zlib stream of exactly rlen bytes (Adler-32 checked)
 * with libdeflate, in 61% of zlib's instructions (every stored block of
 * the 10^5 bench index: 3.10 against 1.88 billion): 0, ERR_CORRUPT or
 * ERR_NOMEM.  d: a decompressor to use, or NULL for one of its own (a
 * malloc of about 10 KB, against inflating a block of about 100 KB). */
static int zlib_whole_with(struct libdeflate_decompressor *d, const uint8_t *comp,
			   size_t clen, uint8_t *raw, size_t rlen)
{
	struct libdeflate_decompressor *own = d ? NULL : libdeflate_alloc_decompressor();
	if (d == NULL && (d = own) == NULL)
		return ERR_NOMEM;
	int rc = libdeflate_zlib_decompress(d, comp, clen, raw, rlen, NULL) == LIBDEFLATE_SUCCESS
			 ? 0
			 : ERR_CORRUPT;
	if (own)
		libdeflate_free_decompressor(own);
	return rc;
}

static int zlib_whole(const uint8_t *comp, size_t clen, uint8_t *raw, size_t rlen)
{
	return zlib_whole_with(NULL, comp, clen, raw, rlen);
}

int seg_stored_vocab(const struct seg *s, struct fmt_buf *out, struct err *e)
{
	const struct seg_map *m = &s->f[SEGF_STORED];
	/* ST_VOCAB_MAX words of at most ST_WORD_MAX letters, front-coded */
	if (s->vocab_rlen > 16 + ST_VOCAB_MAX * (ST_WORD_MAX + 4))
		return err_set(e, ERR_CORRUPT, "%s.ssto: stored vocabulary is damaged", s->name);
	uint8_t *raw = fmt_buf_reserve(out, s->vocab_rlen ? s->vocab_rlen : 1);
	if (raw == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	int rc = zlib_whole(m->body, s->vocab_clen, raw, s->vocab_rlen);
	if (rc == ERR_NOMEM)
		return err_set(e, rc, "out of memory");
	if (rc)
		return err_set(e, ERR_CORRUPT, "%s.ssto: stored vocabulary is damaged", s->name);
	out->len += s->vocab_rlen;
	return 0;
}

/* The vocabulary is at the start of the .ssto body (§7.2). */
int seg_load_vocab(struct seg *s, struct err *e)
{
	if (s->vocab)
		return 0;
	if (s->vocab_peer && seg_same_vocab(s, s->vocab_peer)) {
		int rc = seg_load_vocab(s->vocab_peer, e);
		s->vocab = s->vocab_peer->vocab;
		return rc;
	}
	s->vocab_peer = NULL; /* its own, freed by seg_close */
	struct fmt_buf raw;
	fmt_buf_init(&raw);
	int rc = seg_stored_vocab(s, &raw, e);
	if (rc == 0) {
		rc = st_vocab_load(raw.p, raw.len, &s->vocab);
		if (rc == ERR_NOMEM)
			err_set(e, rc, "out of memory");
		else if (rc)
			err_set(e, rc, "%s.ssto: stored vocabulary is damaged", s->name);
	}
	fmt_buf_free(&raw);
	return rc;
}

int seg_stored_unpack(struct seg *s, uint32_t b, const uint8_t *rec, size_t n, uint32_t crc,
		      struct fmt_buf *out, struct err *e)
{
	int rc = seg_load_vocab(s, e);
	if (rc)
		return rc;
	size_t at = out->len;
	rc = st_unpack(s->vocab, rec, n, out);
	if (rc == ERR_NOMEM)
		return err_set(e, rc, "out of memory");
	if (rc || fmt_crc32(0, out->p + at, out->len - at) != crc)
		return err_set(e, ERR_CORRUPT, "%s.ssto: stored block %u is damaged", s->name, b);
	return 0;
}

int seg_stored_entry(const struct seg *s, uint32_t b, struct seg_stored_blk *out,
		     struct err *e)
{
	const struct seg_map *m = &s->f[SEGF_STORED];
	if (b >= s->nstoredblocks)
		goto bad;
	const uint8_t *ix = s->stored_index + (size_t)b * SEG_STORED_ENTRY;
	uint64_t off = fmt_get_u64le(ix);
	out->clen = fmt_get_u32le(ix + 8);
	out->rlen = fmt_get_u32le(ix + 12);
	out->first = fmt_get_u32le(ix + 16);
	out->text = fmt_get_u32le(ix + 20);
	uint32_t next = b + 1 < s->nstoredblocks ? fmt_get_u32le(ix + SEG_STORED_ENTRY + 16) : s->ndocs;
	if ((b == 0 && out->first != 0) || next <= out->first || next > s->ndocs ||
	    next - out->first > SEG_STORED_BLOCK || off > m->body_len ||
	    out->clen > m->body_len - off || out->rlen > SEG_STORED_RAW_MAX)
		goto bad;
	out->count = next - out->first;
	out->comp = m->body + off;
	return 0;
bad:
	return err_set(e, ERR_CORRUPT, "%s.ssto: stored block %u is damaged", s->name, b);
}

/* The block holding doc: the last whose first document is <= doc (the
 * entry check then confirms that the block reaches doc). */
static uint32_t stored_block_of(const struct seg *s, uint32_t doc)
{
	uint32_t lo = 0, hi = s->nstoredblocks;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (fmt_get_u32le(s->stored_index + (size_t)mid * SEG_STORED_ENTRY + 16) <= doc)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

int seg_stored_open_block(const struct seg *s, uint32_t b, uint8_t **raw, struct st_block *it,
			  struct err *e)
{
	struct seg_stored_blk k;
	int rc = seg_stored_entry(s, b, &k, e);
	if (rc)
		return rc;
	uint8_t *r = realloc(*raw, k.rlen ? k.rlen : 1);
	if (r == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	*raw = r;
	/* whole blocks (merge, --verify): zlib's own check too */
	if ((rc = zlib_whole(k.comp, k.clen, r, k.rlen)) == ERR_NOMEM)
		return err_set(e, rc, "out of memory");
	if (rc || st_block_open(it, r, k.rlen, k.count, 1) != 0)
		return err_set(e, ERR_CORRUPT, "%s.ssto: stored block %u is damaged", s->name, b);
	return 0;
}

int seg_stored_next(struct seg *s, uint32_t b, struct st_block *it, struct fmt_buf *scratch,
		    struct fmt_buf *rec, struct err *e)
{
	uint32_t crc;
	scratch->len = 0;
	int rc = st_block_next(it, rec ? scratch : NULL, &crc);
	if (rc == ERR_NOMEM)
		return err_set(e, rc, "out of memory");
	if (rc)
		return err_set(e, ERR_CORRUPT, "%s.ssto: stored block %u is damaged", s->name, b);
	return rec ? seg_stored_unpack(s, b, scratch->p, scratch->len, crc, rec, e) : 0;
}

void seg_stored_cur_init(struct seg_stored_cur *c)
{
	memset(c, 0, sizeof *c);
	fmt_buf_init(&c->packed);
}

/* Lets go of the block held. */
static void cur_drop(struct seg_stored_cur *c)
{
	if (c->zlive)
		inflateEnd(&c->z);
	c->zlive = 0;
	c->s = NULL;
	c->have = 0;
}

void seg_stored_cur_free(struct seg_stored_cur *c)
{
	cur_drop(c);
	if (c->dd)
		libdeflate_free_decompressor(c->dd);
	free(c->raw);
	fmt_buf_free(&c->packed);
	seg_stored_cur_init(c);
}

/* Holds block b of s, nothing of it inflated yet, its zlib header
 * checked.  A record is read from the block inflated whole (cur_whole,
 * Adler-32 checked); a reference lookup, and a record of a block that
 * does not inflate whole, inflate raw deflate past the header (cur_stream)
 * and stop short of the stream's end: each record has its own CRC and the
 * heads and tails theirs (§7). */
static int cur_open(struct seg_stored_cur *c, const struct seg *s, uint32_t b)
{
	cur_drop(c);
	struct err ignored;
	if (seg_stored_entry(s, b, &c->k, &ignored))
		return ERR_CORRUPT;
	const uint8_t *h = c->k.comp;
	if (c->k.clen < 2 || (h[0] & 0x0F) != Z_DEFLATED || (h[1] & 0x20) != 0 ||
	    (h[0] * 256u + h[1]) % 31 != 0)
		return ERR_CORRUPT;
	uint8_t *r = realloc(c->raw, c->k.rlen ? c->k.rlen : 1);
	if (r == NULL)
		return ERR_NOMEM;
	c->raw = r;
	c->s = s;
	c->b = b;
	return 0;
}

/* Starts inflating the block held in steps (cur_until). */
static int cur_stream(struct seg_stored_cur *c)
{
	memset(&c->z, 0, sizeof c->z);
	if (inflateInit2(&c->z, -15) != Z_OK)
		return ERR_NOMEM;
	c->zlive = 1;
	c->z.next_in = (Bytef *)c->k.comp + 2;
	c->z.avail_in = c->k.clen - 2;
	return 0;
}

/* Inflates the whole block held with libdeflate (zlib_whole_with): that
 * costs less than zlib inflating the short columns and the abstracts as
 * far as the record wanted, two thirds of the block on average (a search
 * prints records of different blocks).  ERR_CORRUPT leaves nothing
 * inflated. */
static int cur_whole(struct seg_stored_cur *c)
{
	if (c->dd == NULL && (c->dd = libdeflate_alloc_decompressor()) == NULL)
		return ERR_NOMEM;
	int rc = zlib_whole_with(c->dd, c->k.comp, c->k.clen, c->raw, c->k.rlen);
	if (rc == 0)
		c->have = c->k.rlen;
	return rc;
}

/* What a reader of the block held wants of it: ST_BLOCK_MORE while the
 * bytes inflated so far do not hold it, else 0 or an error.  j: the
 * document's place in the block. */
typedef int cur_want(void *ctx, const struct seg_stored_cur *c, uint32_t j);

/* Holds the block of doc of s and inflates it step bytes at a time, from
 * where it was left, until want stops returning ST_BLOCK_MORE (step 0:
 * the whole block at once, unless some of it is inflated already);
 * returns what want returned, or ERR_CORRUPT / ERR_NOMEM (errors let go
 * of the block).  *b: the block. */
static int cur_until(struct seg_stored_cur *c, const struct seg *s, uint32_t doc, size_t step,
		     cur_want *want, void *ctx, uint32_t *b)
{
	*b = stored_block_of(s, doc);
	int rc = 0;
	if (c->s != s || c->b != *b)
		rc = cur_open(c, s, *b);
	if (rc == 0 && (doc < c->k.first || doc - c->k.first >= c->k.count))
		rc = ERR_CORRUPT;
	/* A block damaged past the record wanted still gives it, as far as
	 * its own CRC can tell: what inflating the records up to it gave
	 * before blocks were inflated whole (one bad abstract must not hide
	 * 47 others). */
	if (rc == 0 && c->have == 0 && step == 0 && cur_whole(c) == ERR_NOMEM)
		rc = ERR_NOMEM;
	if (rc == 0 && !c->zlive && c->have < c->k.rlen)
		rc = cur_stream(c);
	if (step == 0)
		step = 16384;
	while (rc == 0) {
		if ((c->have || c->k.rlen == 0) &&
		    (rc = want(ctx, c, doc - c->k.first)) != ST_BLOCK_MORE)
			break;
		if (c->have == c->k.rlen) {
			rc = ERR_CORRUPT; /* want more of a complete block */
			break;
		}
		rc = 0;
		size_t n = c->k.rlen - c->have < step ? c->k.rlen - c->have : step;
		c->z.next_out = c->raw + c->have;
		c->z.avail_out = (uInt)n;
		int zr = inflate(&c->z, Z_NO_FLUSH);
		size_t got = n - c->z.avail_out;
		c->have += got;
		if ((zr != Z_OK && zr != Z_STREAM_END) || (got == 0 && zr != Z_STREAM_END) ||
		    (zr == Z_STREAM_END && c->have != c->k.rlen))
			rc = ERR_CORRUPT;
	}
	if (rc)
		cur_drop(c); /* a damaged block is not kept for the next record */
	return rc;
}

struct want_record {
	struct fmt_buf *packed;
	uint32_t crc;
};

/* cur_until(): record j, packed, once it is all there. */
static int want_record(void *ctx, const struct seg_stored_cur *c, uint32_t j)
{
	struct want_record *w = ctx;
	struct st_block it;
	int rc = st_block_open(&it, c->raw, c->have, c->k.count, c->have == c->k.rlen);
	for (uint32_t i = 0; i < j && rc == 0; i++)
		rc = st_block_next(&it, NULL, &w->crc);
	w->packed->len = 0;
	return rc ? rc : st_block_next(&it, w->packed, &w->crc);
}

/* cur_until(): record j's head and tail. */
static int want_meta(void *ctx, const struct seg_stored_cur *c, uint32_t j)
{
	return st_block_meta(c->raw, c->have, c->k.count, j, c->have == c->k.rlen, ctx);
}

/* The error of a cur_until() that failed on block b. */
static int cur_err(const struct seg *s, uint32_t b, int rc, struct err *e)
{
	if (rc == ERR_NOMEM)
		return err_set(e, rc, "%s: out of memory", s->name);
	return err_set(e, ERR_CORRUPT, "%s.ssto: stored block %u is damaged", s->name, b);
}

int seg_stored_cur_get(struct seg_stored_cur *c, struct seg *s, uint32_t doc, uint8_t **out,
		       size_t *outlen, struct err *e)
{
	if (doc >= s->ndocs)
		return err_set(e, ERR_CORRUPT, "%s.ssto: document %u out of range", s->name, doc);
	/* The whole block (cur_whole); a block that a reference lookup began
	 * goes on from there. */
	uint32_t b;
	struct want_record w = {&c->packed, 0};
	int rc = cur_until(c, s, doc, 0, want_record, &w, &b);
	if (rc)
		return cur_err(s, b, rc, e);
	struct fmt_buf rec;
	fmt_buf_init(&rec);
	if ((rc = seg_stored_unpack(s, b, c->packed.p, c->packed.len, w.crc, &rec, e)) != 0) {
		cur_drop(c);
		fmt_buf_free(&rec);
		return rc;
	}
	*out = rec.p;
	*outlen = rec.len;
	return 0;
}

int seg_stored_get(struct seg *s, uint32_t doc, uint8_t **out, size_t *outlen, struct err *e)
{
	struct seg_stored_cur c;
	seg_stored_cur_init(&c);
	int rc = seg_stored_cur_get(&c, s, doc, out, outlen, e);
	seg_stored_cur_free(&c);
	return rc;
}

int seg_stored_refs(const struct seg *s, uint32_t doc, uint32_t **refs, size_t *nrefs,
		    struct err *e)
{
	*refs = NULL;
	*nrefs = 0;
	if (doc >= s->ndocs)
		return err_set(e, ERR_CORRUPT, "%s.ssto: document %u out of range", s->name, doc);
	/* the tails are near the start of the block: small steps */
	struct seg_stored_cur cur;
	struct st_meta m;
	uint32_t b;
	seg_stored_cur_init(&cur);
	int rc = cur_until(&cur, s, doc, 4096, want_meta, &m, &b);
	if (rc) {
		rc = cur_err(s, b, rc, e);
	} else if (m.pmid != seg_doc_pmid(s, doc) || m.year != seg_doc_year(s, doc)) {
		/* the document table repeats the PMID and year (a damaged one
		 * would give another record's references) */
		rc = err_set(e, ERR_CORRUPT,
			     "%s.sdoc: document %u says PMID %u year %u, its stored record %llu %llu",
			     s->name, doc, seg_doc_pmid(s, doc), seg_doc_year(s, doc),
			     (unsigned long long)m.pmid, (unsigned long long)m.year);
	} else {
		struct fmt_cur c = {m.tail, m.tail + m.tail_len, 0};
		uint64_t n = fmt_cur_varint(&c); /* at most the block's bytes */
		uint32_t *r = malloc(sizeof *r * (n ? (size_t)n : 1));
		if (r == NULL) {
			rc = err_set(e, ERR_NOMEM, "%s: out of memory", s->name);
		} else {
			for (uint64_t i = 0; i < n; i++)
				r[i] = (uint32_t)fmt_cur_varint(&c);
			if (c.bad) {
				free(r);
				rc = err_set(e, ERR_CORRUPT, "%s.ssto: stored block %u is damaged",
					     s->name, b);
			} else {
				*refs = r;
				*nrefs = (size_t)n;
			}
		}
	}
	seg_stored_cur_free(&cur); /* m points into its block */
	return rc;
}
