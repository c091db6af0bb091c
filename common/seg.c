/*
 * seg.c - read access to one immutable segment: headers, mappings, the
 * document table, the front-coded dictionary, posting cursors with block
 * maxima, and stored records.  FORMAT.md §2-§8 specify every byte read here;
 * every read is bounds-checked so that a damaged file is an error, never a
 * crash.
 */
#include "seg.h"

#include "bitpack.h"
#include "pblock.h"
#include "segfacet.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <libdeflate.h>


const char *const seg_file_ext[SEGF_N] = {".sdoc", ".sdic", ".spst", ".spos", ".ssto"};
const char *const seg_file_kind[SEGF_N] = {SEG_KIND_DOC, SEG_KIND_DICT, SEG_KIND_POST,
					   SEG_KIND_POS, SEG_KIND_STORED};

void seg_header_encode(uint8_t out[SEG_HEADER_BYTES], const struct seg_header *h)
{
	memcpy(out, "SARC", 4);
	memcpy(out + 4, h->kind, 4);
	fmt_put_u32le(out + 8, h->version);
	fmt_put_u32le(out + 12, h->an_version);
	fmt_put_u32le(out + 16, h->flags);
	fmt_put_u32le(out + 20, h->body_crc);
	fmt_put_u64le(out + 24, h->body_len);
}

int seg_header_decode(const uint8_t *p, size_t n, const char *kind, const char *path,
		      struct seg_header *h, struct err *e)
{
	if (n < SEG_HEADER_BYTES)
		return err_set(e, ERR_CORRUPT, "%s: file is truncated (%zu bytes)", path, n);
	if (memcmp(p, "SARC", 4) != 0 || memcmp(p + 4, kind, 4) != 0)
		return err_set(e, ERR_CORRUPT, "%s: not a sarc %s file (bad magic)", path, kind);
	memcpy(h->kind, p + 4, 4);
	h->kind[4] = '\0';
	h->version = fmt_get_u32le(p + 8);
	h->an_version = fmt_get_u32le(p + 12);
	h->flags = fmt_get_u32le(p + 16);
	h->body_crc = fmt_get_u32le(p + 20);
	h->body_len = fmt_get_u64le(p + 24);
	if (h->version < SARC_FORMAT_OLDEST || h->version > SARC_FORMAT_VERSION)
		return err_set(e, ERR_FORMAT_VERSION,
			       "%s: index format version %u, this sarc reads version %u%s", path,
			       h->version, SARC_FORMAT_VERSION,
			       h->version < SARC_FORMAT_VERSION ? " (index the XML again)" : "");
	if (h->version < 7 && (h->flags & SEG_FLAG_FACETS))
		return err_set(e, ERR_CORRUPT, "%s: facet keys in a file of format version %u", path,
			       h->version);
	if (h->body_len > n - SEG_HEADER_BYTES)
		return err_set(e, ERR_CORRUPT, "%s: file is truncated (body of %llu bytes, %zu present)",
			       path, (unsigned long long)h->body_len, n - SEG_HEADER_BYTES);
	return 0;
}

int seg_map_open(struct seg_map *m, const char *dir, const char *name, const char *kind,
		 struct err *e)
{
	char path[4096];
	int rc = 0, fd = -1;
	memset(m, 0, sizeof *m);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_errno(e, errno, "cannot open '%s'", path);
	struct stat st;
	if (fstat(fd, &st) != 0) {
		rc = err_errno(e, errno, "cannot stat '%s'", path);
		goto out;
	}
	if ((size_t)st.st_size < SEG_HEADER_BYTES) {
		rc = err_set(e, ERR_CORRUPT, "%s: file is truncated (%lld bytes)", path,
			     (long long)st.st_size);
		goto out;
	}
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		rc = err_errno(e, errno, "cannot map '%s'", path);
		goto out;
	}
	m->base = p;
	m->size = (size_t)st.st_size;
	if ((rc = seg_header_decode(m->base, m->size, kind, path, &m->h, e)) != 0) {
		seg_map_close(m);
		goto out;
	}
	/* The body is followed by SEG_TAIL_PAD zero bytes so that decoders may
	 * over-read; a file without them was cut short.  Writers add nothing
	 * after them, so any other size means a damaged body length, which a
	 * query would otherwise take at its word (header bytes are outside the
	 * CRC, and a shorter body would cut the trailer or lists short). */
	if (m->size - SEG_HEADER_BYTES - m->h.body_len < SEG_TAIL_PAD) {
		rc = err_set(e, ERR_CORRUPT, "%s: file is truncated (padding missing)", path);
		seg_map_close(m);
		goto out;
	}
	if (m->size - SEG_HEADER_BYTES - m->h.body_len != SEG_TAIL_PAD) {
		rc = err_set(e, ERR_CORRUPT, "%s: body length %llu does not match the file size %zu",
			     path, (unsigned long long)m->h.body_len, m->size);
		seg_map_close(m);
		goto out;
	}
	m->body = m->base + SEG_HEADER_BYTES;
	m->body_len = (size_t)m->h.body_len;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

void seg_map_close(struct seg_map *m)
{
	if (m->base)
		munmap((void *)m->base, m->size);
	memset(m, 0, sizeof *m);
}

void seg_map_release(const struct seg_map *m, size_t n)
{
	/* mmap returns page-aligned bases, and whole files are mapped */
	for (size_t i = 0; i < n; i++)
		if (m[i].base)
			madvise((void *)m[i].base, m[i].size, MADV_DONTNEED);
}

void seg_map_drop(const struct seg_map *m, uint64_t from, uint64_t to)
{
	long pg = sysconf(_SC_PAGESIZE);
	if (pg <= 0 || m->base == NULL)
		return;
	uintptr_t mask = (uintptr_t)pg - 1;
	uintptr_t start = from == 0 ? (uintptr_t)m->base
				    : ((uintptr_t)m->body + (uintptr_t)from + mask) & ~mask;
	uintptr_t end = ((uintptr_t)m->body + (uintptr_t)to) & ~mask;
	if (end > start)
		madvise((void *)start, end - start, MADV_DONTNEED);
}

/* ---- opening ---- */

static int open_doc(struct seg *s, struct err *e)
{
	const struct seg_map *m = &s->f[SEGF_DOC];
	struct fmt_cur c = {m->body, m->body + m->body_len, 0};
	s->ndocs = fmt_cur_u32(&c);
	if (!c.bad && s->ndocs > SEG_MAX_DOCS)
		return err_set(e, ERR_CORRUPT, "%s.sdoc: %u documents, more than a segment holds",
			       s->name, s->ndocs);
	uint32_t nf = fmt_cur_u32(&c);
	if (!c.bad && nf != F_NFIELDS)
		return err_set(e, ERR_CORRUPT, "%s.sdoc: %u fields, expected %u", s->name, nf,
			       F_NFIELDS);
	for (unsigned f = 0; f < F_NFIELDS; f++)
		s->field_len_sum[f] = fmt_cur_u64(&c);
	/* column bases and widths, then the columns (§3) */
	struct seg_col *col[3 + F_NFIELDS] = {&s->col_pmid, &s->col_year};
	for (unsigned f = 0; f < F_NFIELDS; f++)
		col[2 + f] = &s->col_len[f];
	col[2 + F_NFIELDS] = &s->col_order;
	s->col_pmid.base = fmt_cur_u32(&c);
	s->col_pmid.w = fmt_cur_u8(&c);
	s->col_year.base = fmt_cur_u16(&c);
	s->col_year.w = fmt_cur_u8(&c);
	for (unsigned f = 0; f < F_NFIELDS; f++)
		s->col_len[f].w = fmt_cur_u8(&c);
	s->col_order.w = fmt_cur_u8(&c);
	for (unsigned k = 0; k < 3 + F_NFIELDS && !c.bad; k++) {
		/* years and lengths are u16, an order needs a width only with
		 * two documents or more */
		unsigned max = k == 0 || k == 2 + F_NFIELDS ? 32 : 16;
		if (col[k]->w > max || (k == 2 + F_NFIELDS && col[k]->w && s->ndocs < 2))
			return err_set(e, ERR_CORRUPT, "%s.sdoc: column %u has a bad width", s->name,
				       k);
		col[k]->p = fmt_cur_bytes(&c, bp_bytes(s->ndocs, col[k]->w));
	}
	if (c.bad || c.p != c.end)
		return err_set(e, ERR_CORRUPT, "%s.sdoc: document table size does not match %u documents",
			       s->name, s->ndocs);
	return 0;
}

static int open_dict(struct seg *s, struct err *e)
{
	const struct seg_map *m = &s->f[SEGF_DICT];
	if (m->body_len < 16)
		return err_set(e, ERR_CORRUPT, "%s.sdic: dictionary trailer missing", s->name);
	const uint8_t *t = m->body + m->body_len - 16;
	s->nterms = fmt_get_u32le(t);
	s->ndictblocks = fmt_get_u32le(t + 4);
	uint64_t idx = fmt_get_u64le(t + 8);
	if (idx > m->body_len - 16 || (m->body_len - 16 - idx) / 4 < s->ndictblocks ||
	    s->ndictblocks != ((uint64_t)s->nterms + SEG_DICT_BLOCK - 1) / SEG_DICT_BLOCK)
		return err_set(e, ERR_CORRUPT, "%s.sdic: block index out of bounds", s->name);
	s->dict_index = m->body + idx;
	return 0;
}

static int open_stored(struct seg *s, struct err *e)
{
	const struct seg_map *m = &s->f[SEGF_STORED];
	if (m->body_len < SEG_STORED_TRAILER)
		return err_set(e, ERR_CORRUPT, "%s.ssto: stored trailer missing", s->name);
	const uint8_t *t = m->body + m->body_len - SEG_STORED_TRAILER;
	s->stored_text_bytes = fmt_get_u64le(t);
	s->vocab_clen = fmt_get_u32le(t + 8);
	s->vocab_rlen = fmt_get_u32le(t + 12);
	uint32_t ndocs = fmt_get_u32le(t + 16);
	s->nstoredblocks = fmt_get_u32le(t + 20);
	uint64_t idx = fmt_get_u64le(t + 24);
	s->vocab_sample = fmt_get_u32le(t + 32);
	s->vocab_flags = fmt_get_u32le(t + 36);
	uint64_t room = m->body_len - SEG_STORED_TRAILER;
	/* blocks hold 1 to SEG_STORED_BLOCK records each */
	if (ndocs != s->ndocs || s->nstoredblocks > ndocs ||
	    s->nstoredblocks < ((uint64_t)ndocs + SEG_STORED_BLOCK - 1) / SEG_STORED_BLOCK ||
	    idx > room || (room - idx) / SEG_STORED_ENTRY < s->nstoredblocks ||
	    s->vocab_clen > idx || (s->vocab_flags & ~SEG_VOCAB_FULL))
		return err_set(e, ERR_CORRUPT, "%s.ssto: block index out of bounds", s->name);
	s->stored_index = m->body + idx;
	return 0;
}

static int open_del(struct seg *s, const char *dir, struct err *e)
{
	int rc = seg_map_open(&s->del, dir, s->delname, SEG_KIND_DEL, e);
	if (rc)
		return rc;
	/* A flipped bit here silently deletes or revives a document, and the
	 * file is small (one bit per document): check its CRC now rather than
	 * only under --verify.  Its header must carry the segment's settings. */
	if (s->del.h.an_version != s->an_version || s->del.h.flags != s->flags)
		return err_set(e, ERR_CORRUPT, "%s: analyzer settings differ from its segment's",
			       s->delname);
	if ((rc = seg_map_verify(&s->del, s->delname, e)) != 0)
		return rc;
	struct fmt_cur c = {s->del.body, s->del.body + s->del.body_len, 0};
	uint32_t n = fmt_cur_u32(&c);
	s->ndeleted = fmt_cur_u32(&c);
	s->delbits = fmt_cur_bytes(&c, ((size_t)s->ndocs + 7) / 8);
	if (c.bad || n != s->ndocs || s->ndeleted > s->ndocs)
		return err_set(e, ERR_CORRUPT, "%s: deletion bitmap does not match %u documents",
			       s->delname, s->ndocs);
	return 0;
}

/* Starts s afresh, named name with deletion file delname. */
static int seg_init_names(struct seg *s, const char *name, const char *delname, struct err *e)
{
	memset(s, 0, sizeof *s);
	if (strlen(name) >= sizeof s->name || strlen(delname) >= sizeof s->delname)
		return err_set(e, ERR_CORRUPT, "segment name '%s' too long", name);
	strcpy(s->name, name);
	strcpy(s->delname, delname);
	return 0;
}

int seg_open(struct seg *s, const char *dir, const char *name, const char *delname,
	     struct err *e)
{
	int rc = seg_init_names(s, name, delname, e);
	if (rc)
		return rc;
	for (int i = 0; i < SEGF_N; i++) {
		char fn[96];
		snprintf(fn, sizeof fn, "%s%s", name, seg_file_ext[i]);
		if ((rc = seg_map_open(&s->f[i], dir, fn, seg_file_kind[i], e)) != 0)
			goto fail;
	}
	/* Every file repeats the analyzer settings in its header, which no CRC
	 * covers: name the file that disagrees with the others (a damaged
	 * header), not just the segment, so that --verify points at it. */
	for (int i = 0; i < SEGF_N; i++) {
		int agree = 0;
		for (int j = 0; j < SEGF_N; j++)
			agree += j != i && s->f[j].h.an_version == s->f[i].h.an_version &&
				 s->f[j].h.flags == s->f[i].h.flags;
		if (agree < SEGF_N / 2) {
			rc = err_set(e, ERR_CORRUPT,
				     "%s%s: analyzer settings differ from the other files of the segment",
				     name, seg_file_ext[i]);
			goto fail;
		}
	}
	s->flags = s->f[0].h.flags;
	s->an_version = s->f[0].h.an_version;
	if ((rc = open_doc(s, e)) || (rc = open_dict(s, e)) || (rc = open_stored(s, e)))
		goto fail;
	if (delname[0] && (rc = open_del(s, dir, e)))
		goto fail;
	return 0;
fail:
	seg_close(s);
	return rc;
}

int seg_open_docs(struct seg *s, const char *dir, const char *name, const char *delname,
		  struct err *e)
{
	int rc = seg_init_names(s, name, delname, e);
	if (rc)
		return rc;
	char fn[96];
	snprintf(fn, sizeof fn, "%s%s", name, seg_file_ext[SEGF_DOC]);
	if ((rc = seg_map_open(&s->f[SEGF_DOC], dir, fn, seg_file_kind[SEGF_DOC], e)) != 0)
		return rc;
	s->flags = s->f[SEGF_DOC].h.flags;
	s->an_version = s->f[SEGF_DOC].h.an_version;
	if ((rc = open_doc(s, e)) != 0 || (delname[0] && (rc = open_del(s, dir, e)) != 0))
		seg_close(s);
	return rc;
}

void seg_close(struct seg *s)
{
	for (int i = 0; i < SEGF_N; i++)
		seg_map_close(&s->f[i]);
	seg_map_close(&s->del);
	s->delbits = NULL;
	if (s->vocab_peer == NULL)
		st_vocab_free(s->vocab);
	s->vocab = NULL;
	s->vocab_peer = NULL;
}

/* ---- document table (§3) ---- */

size_t seg_pmid_ranks(const struct seg *s, uint32_t pmid, size_t *first)
{
	size_t lo = 0, hi = s->ndocs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t d = seg_doc_by_rank(s, mid);
		if (d < s->ndocs && seg_doc_pmid(s, d) < pmid)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	for (; end < s->ndocs; end++) {
		uint32_t d = seg_doc_by_rank(s, end);
		if (d >= s->ndocs || seg_doc_pmid(s, d) != pmid)
			break;
	}
	*first = lo;
	return end - lo;
}

/* ---- dictionary (§4) ---- */

/* The varint that completes a 4-bit length of DICT_ESC (§4). */
static uint64_t nibble_more(struct fmt_cur *c)
{
	uint64_t more = fmt_cur_varint(c);
	if (more > UINT32_MAX) /* no length is that long: damage */
		c->bad = 1;
	return DICT_ESC + more;
}

/* Two lengths coded as a byte of two 4-bit values, each DICT_ESC or
 * more completed by a varint (§4).  Most are under DICT_ESC: this runs
 * for every entry a lookup passes, so the varints are out of line. */
static inline void nibble_pair(struct fmt_cur *c, uint64_t *lo, uint64_t *hi)
{
	unsigned b = fmt_cur_u8(c);
	uint64_t l = b & 15, h = b >> 4;
	if (l == DICT_ESC)
		l = nibble_more(c);
	if (h == DICT_ESC)
		h = nibble_more(c);
	*lo = l;
	*hi = h;
}

/* Decodes the next entry of a block into t (t->key holds the previous key
 * for front coding).  Returns 0 or ERR_CORRUPT. */
static int dict_entry(const struct seg *s, struct fmt_cur *c, struct seg_term *t, int first,
		      struct err *e)
{
	uint64_t shared, suffix;
	nibble_pair(c, &shared, &suffix);
	if (c->bad || shared > t->keylen || suffix > SEG_MAX_KEY - shared)
		return err_set(e, ERR_CORRUPT, "%s.sdic: term entry out of bounds", s->name);
	const uint8_t *p = fmt_cur_bytes(c, suffix);
	if (p == NULL)
		return err_set(e, ERR_CORRUPT, "%s.sdic: term entry out of bounds", s->name);
	/* Keys strictly increase (§4), which front coding lets us check with
	 * one byte: the key after the shared prefix must be longer than the
	 * previous one or greater at the first differing byte.  A damaged key
	 * or prefix length otherwise misleads lookups silently. */
	if (!first && (suffix == 0 || (shared < t->keylen && p[0] <= t->key[shared])))
		return err_set(e, ERR_CORRUPT, "%s.sdic: terms out of order", s->name);
	/* suffixes are a few bytes: a call to memcpy cost more than the copy */
	for (size_t i = 0; i < suffix; i++)
		t->key[shared + i] = p[i];
	t->keylen = shared + suffix;
	t->df = (uint32_t)fmt_cur_varint(c);
	/* lists follow each other in key order: only a block's first entry
	 * stores where its lists start (§4) */
	if (first) {
		t->post_off = fmt_cur_varint(c);
		t->pos_off = fmt_cur_varint(c);
	} else {
		t->post_off += t->post_len;
		t->pos_off += t->pos_len;
	}
	if (t->df == 1) {
		nibble_pair(c, &t->post_len, &t->pos_len);
	} else {
		t->post_len = fmt_cur_varint(c);
		t->pos_len = fmt_cur_varint(c);
	}
	const struct seg_map *pm = &s->f[SEGF_POST], *qm = &s->f[SEGF_POS];
	if (c->bad || t->df == 0 || t->df > s->ndocs || t->post_off > pm->body_len ||
	    t->post_len > pm->body_len - t->post_off || t->pos_off > qm->body_len ||
	    t->pos_len > qm->body_len - t->pos_off)
		return err_set(e, ERR_CORRUPT, "%s.sdic: term entry out of bounds", s->name);
	return 0;
}

static int dict_block_cursor(const struct seg *s, uint32_t b, struct fmt_cur *c,
			     struct err *e)
{
	const struct seg_map *m = &s->f[SEGF_DICT];
	uint32_t off = fmt_get_u32le(s->dict_index + (size_t)b * 4);
	if (off >= m->body_len)
		return err_set(e, ERR_CORRUPT, "%s.sdic: block %u offset out of bounds", s->name, b);
	/* blocks follow each other: a damaged offset that still lies in the
	 * body would make a lookup decode the middle of another block */
	if ((b > 0 && off <= fmt_get_u32le(s->dict_index + (size_t)(b - 1) * 4)) ||
	    (b + 1 < s->ndictblocks && off >= fmt_get_u32le(s->dict_index + (size_t)(b + 1) * 4)))
		return err_set(e, ERR_CORRUPT, "%s.sdic: block %u offset out of order", s->name, b);
	c->p = m->body + off;
	c->end = m->body + m->body_len;
	c->bad = 0;
	return 0;
}

/* After the last entry of block b, the cursor stands exactly where the
 * next block, or after the last one the block index, starts (§4): checks
 * the entry count (nterms) and every length decoded in the block at once. */
static int dict_block_end(const struct seg *s, uint32_t b, const struct fmt_cur *c,
			  struct err *e)
{
	const uint8_t *want = s->dict_index;
	if (b + 1 < s->ndictblocks)
		want = s->f[SEGF_DICT].body + fmt_get_u32le(s->dict_index + (size_t)(b + 1) * 4);
	if (c->p != want)
		return err_set(e, ERR_CORRUPT, "%s.sdic: block %u does not end where the next begins",
			       s->name, b);
	return 0;
}

/* Compares the first key of block b (stored whole: shared = 0) with key,
 * as seg_key_cmp, into *cmp.  Only the key is read, in place: the block the search ends in is decoded
 * and checked whole by the caller. */
static int dict_first_key_cmp(const struct seg *s, uint32_t b, const uint8_t *key, size_t n,
			      int *cmp, struct err *e)
{
	struct fmt_cur c;
	int rc = dict_block_cursor(s, b, &c, e);
	if (rc)
		return rc;
	uint64_t shared, len;
	nibble_pair(&c, &shared, &len);
	const uint8_t *p = c.bad || shared != 0 || len > SEG_MAX_KEY ? NULL : fmt_cur_bytes(&c, len);
	if (p == NULL)
		return err_set(e, ERR_CORRUPT, "%s.sdic: term entry out of bounds", s->name);
	*cmp = seg_key_cmp(p, len, key, n);
	return 0;
}

/* Finds the last block whose first key is <= key (or 0). */
static int dict_find_block(const struct seg *s, const uint8_t *key, size_t n, uint32_t *blk,
			   struct err *e)
{
	uint32_t lo = 0, hi = s->ndictblocks;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		int cmp = 0;
		int rc = dict_first_key_cmp(s, mid, key, n, &cmp, e);
		if (rc)
			return rc;
		if (cmp <= 0)
			lo = mid;
		else
			hi = mid;
	}
	*blk = lo;
	return 0;
}

int seg_dict_seek(struct seg_dict_iter *it, const struct seg *s, const uint8_t *from,
		  size_t fromlen, struct err *e)
{
	memset(it, 0, sizeof *it);
	it->s = s;
	if (s->nterms == 0) {
		it->block = 0;
		it->inblock = SEG_DICT_BLOCK;
		return 0;
	}
	uint32_t b;
	int rc = dict_find_block(s, from, fromlen, &b, e);
	if (rc)
		return rc;
	if ((rc = dict_block_cursor(s, b, &it->cur, e)))
		return rc;
	it->block = b;
	it->inblock = 0;
	/* Skip entries < from within the block; leave the first >= from pending. */
	for (;;) {
		uint32_t idx = it->block * SEG_DICT_BLOCK + it->inblock;
		if (idx >= s->nterms) {
			it->started = 2; /* exhausted */
			return 0;
		}
		if (it->inblock == SEG_DICT_BLOCK) {
			it->block++;
			it->inblock = 0;
			it->t.keylen = 0;
			if ((rc = dict_block_cursor(s, it->block, &it->cur, e)))
				return rc;
		}
		struct fmt_cur save = it->cur;
		struct seg_term prev = it->t;
		if ((rc = dict_entry(s, &it->cur, &it->t, it->inblock == 0, e)))
			return rc;
		if (seg_key_cmp(it->t.key, it->t.keylen, from, fromlen) >= 0) {
			/* As in seg_lookup: the rest of the block must still be in
			 * order, or a key damaged into a greater one would end a
			 * prefix expansion early without a word. */
			struct fmt_cur vc = it->cur;
			struct seg_term vt = it->t;
			for (uint32_t k = it->inblock + 1;
			     k < SEG_DICT_BLOCK && it->block * SEG_DICT_BLOCK + k < s->nterms; k++)
				if ((rc = dict_entry(s, &vc, &vt, 0, e)))
					return rc;
			if ((rc = dict_block_end(s, it->block, &vc, e)))
				return rc;
			/* rewind: seg_dict_next decodes it again */
			it->cur = save;
			it->t = prev;
			return 0;
		}
		it->inblock++;
	}
}

int seg_dict_next(struct seg_dict_iter *it, struct err *e)
{
	const struct seg *s = it->s;
	if (it->started == 2)
		return 0;
	uint32_t idx = it->block * SEG_DICT_BLOCK + it->inblock;
	if (idx >= s->nterms)
		return 0;
	int rc;
	if (it->inblock == SEG_DICT_BLOCK) {
		it->block++;
		it->inblock = 0;
		it->t.keylen = 0;
		if ((rc = dict_block_cursor(s, it->block, &it->cur, e)))
			return rc;
	}
	if (it->inblock == 0)
		it->t.keylen = 0;
	if ((rc = dict_entry(s, &it->cur, &it->t, it->inblock == 0, e)))
		return rc;
	it->inblock++;
	if ((it->inblock == SEG_DICT_BLOCK || idx + 1 == s->nterms) &&
	    (rc = dict_block_end(s, it->block, &it->cur, e)))
		return rc;
	return 1;
}

int seg_lookup(const struct seg *s, const uint8_t *key, size_t keylen, struct seg_term *t,
	       struct err *e)
{
	if (s->nterms == 0 || keylen > SEG_MAX_KEY)
		return 0;
	uint32_t b;
	struct fmt_cur c;
	int rc = dict_find_block(s, key, keylen, &b, e);
	if (rc || (rc = dict_block_cursor(s, b, &c, e)))
		return rc;
	t->keylen = 0;
	for (uint32_t i = 0; i < SEG_DICT_BLOCK && b * SEG_DICT_BLOCK + i < s->nterms; i++) {
		if ((rc = dict_entry(s, &c, t, i == 0, e)))
			return rc;
		int cmp = seg_key_cmp(t->key, t->keylen, key, keylen);
		if (cmp == 0)
			return 1;
		if (cmp > 0) {
			/* "absent" rests on this key being greater than ours: decode
			 * the rest of the block, whose order checks (dict_entry) fail
			 * if a key was damaged into a greater one (a few hundred
			 * bytes, and only for terms a segment lacks) */
			while (++i < SEG_DICT_BLOCK && b * SEG_DICT_BLOCK + i < s->nterms)
				if ((rc = dict_entry(s, &c, t, 0, e)))
					return rc;
			return dict_block_end(s, b, &c, e);
		}
	}
	if ((rc = dict_block_end(s, b, &c, e)))
		return rc;
	/* Every key of block b is smaller than ours: "absent" rests on block
	 * b + 1 starting above it.  Its first key is stored whole, so check
	 * it against b's last key and against its own successor. */
	if (b + 1 < s->ndictblocks) {
		uint8_t last[SEG_MAX_KEY];
		size_t lastlen = t->keylen;
		memcpy(last, t->key, lastlen);
		if ((rc = dict_block_cursor(s, b + 1, &c, e)))
			return rc;
		t->keylen = 0;
		if ((rc = dict_entry(s, &c, t, 1, e)))
			return rc;
		if (seg_key_cmp(t->key, t->keylen, last, lastlen) <= 0)
			return err_set(e, ERR_CORRUPT, "%s.sdic: terms out of order", s->name);
		if ((b + 1) * SEG_DICT_BLOCK + 1 < s->nterms && (rc = dict_entry(s, &c, t, 0, e)))
			return rc;
	}
	return 0;
}

/* ---- postings (§5) ---- */

static void set_corrupt(struct seg_postings *c)
{
	c->corrupt = 1;
	c->doc = SEG_END;
	c->n = 0;
}

/* Value of skip column col for block b (§5.1). */
static inline uint32_t skip_at(const struct seg_postings *c, unsigned col, uint32_t b)
{
	return bp_get(c->sk[col], b, c->skw[col]);
}

/* Where block b's bytes start in .spst, NULL if past the list. */
static const uint8_t *block_start(const struct seg_postings *c, uint32_t b)
{
	if (!c->skips)
		return c->blocks;
	uint32_t off = skip_at(c, SK_OFF, b);
	return off < (size_t)(c->list_end - c->blocks) ? c->blocks + off : NULL;
}

/* Decodes block b into docs/tfs. */
static int decode_block(struct seg_postings *c, uint32_t b)
{
	uint32_t n = b + 1 < c->nblocks ? SEG_BLOCK : c->df - b * SEG_BLOCK;
	const uint8_t *p = block_start(c, b), *end = c->list_end;
	uint32_t prev = 0;
	if (p == NULL)
		return -1;
	if (c->skips) {
		if (b > 0)
			prev = skip_at(c, SK_LAST, b - 1);
		uint32_t poff = skip_at(c, SK_POS, b);
		if (poff > (size_t)(c->pos_end - c->pos_base))
			return -1;
		c->pos_blk = c->pos_base + poff;
		/* where they end is only read when positions are asked for */
		if (b + 1 < c->nblocks && (end = block_start(c, b + 1)) == NULL)
			return -1;
	} else {
		c->pos_blk = c->pos_base;
	}
	/* a block ends exactly where the next one (or the list) starts, so
	 * a damaged width or count shows here */
	uint64_t npos; /* the block's positions (§5.3), summed as decoded */
	if (end < p || pb_decode_sum(p, end, n, c->docs, c->tfs, &npos) != (size_t)(end - p))
		return -1;
	/* gaps to documents: strictly increasing by construction, in 64 bits
	 * so that nothing wraps, so only the last one's range needs checking
	 * (a damaged width or gap overflows it) */
	uint32_t *docs = c->docs;
	uint64_t next = b > 0 ? (uint64_t)prev + 1 : 0;
	/* unrolled, the loop's own counting no longer doubles its work: this
	 * function went from 10% to 6% of the bench queries' instructions */
#pragma GCC unroll 8
	for (uint32_t i = 0; i < n; i++) {
		next += docs[i];
		docs[i] = (uint32_t)next++;
	}
	if (next - 1 >= c->s->ndocs)
		return -1;
	if (c->skips && c->docs[n - 1] != skip_at(c, SK_LAST, b))
		return -1;
	c->block = b;
	c->n = n;
	c->i = 0;
	c->pos_blk_end = NULL;
	c->pos_n = npos;
	return 0;
}

/* Reads the skip table's widths and finds its columns (§5.1). */
static int open_skips(struct seg_postings *c)
{
	size_t room = (size_t)(c->list_end - c->list), at = SEG_SKIP_COLS;
	if (room < SEG_SKIP_COLS)
		return -1;
	for (unsigned k = 0; k < SEG_SKIP_COLS; k++) {
		/* lengths are u16 (§3) */
		if (c->list[k] > ((k == SK_LEN1 || k == SK_LEN2) ? 16 : 32))
			return -1;
		c->skw[k] = c->list[k];
		c->sk[k] = c->list + at;
		at += bp_bytes(c->nblocks, c->skw[k]);
		if (at > room)
			return -1;
	}
	c->skips = c->list;
	c->blocks = c->list + at;
	return 0;
}

int seg_postings_open(struct seg_postings *c, const struct seg *s, const struct seg_term *t,
		      struct err *e)
{
	memset(c, 0, offsetof(struct seg_postings, docs));
	c->s = s;
	c->df = t->df;
	c->list = s->f[SEGF_POST].body + t->post_off;
	c->list_end = c->list + t->post_len;
	c->pos_base = s->f[SEGF_POS].body + t->pos_off;
	c->pos_end = c->pos_base + t->pos_len;
	c->nblocks = (t->df + SEG_BLOCK - 1) / SEG_BLOCK;
	if (c->nblocks > 1) {
		if (open_skips(c))
			goto bad;
	} else {
		c->skips = NULL;
		c->blocks = c->list;
	}
	if (decode_block(c, 0) != 0)
		goto bad;
	c->doc = c->docs[0];
	if (!c->skips) {
		/* one block: its bound is computed here instead of stored */
		unsigned field = t->key[0] < F_NFIELDS ? t->key[0] : 0;
		uint16_t lens[SEG_BLOCK];
		for (uint32_t i = 0; i < c->n; i++)
			lens[i] = seg_doc_len(s, c->docs[i], field);
		c->blk_last = c->docs[c->n - 1];
		seg_frontier(c->tfs, lens, c->n,
			     s->ndocs ? (double)s->field_len_sum[field] / s->ndocs : 1, c->blk_corner);
	}
	return 0;
bad:
	set_corrupt(c);
	return err_set(e, ERR_CORRUPT, "%s.spst: posting list at offset %llu is damaged", s->name,
		       (unsigned long long)t->post_off);
}

uint32_t seg_postings_next(struct seg_postings *c)
{
	if (c->doc == SEG_END)
		return SEG_END;
	if (++c->i < c->n)
		return c->doc = c->docs[c->i];
	if (c->block + 1 >= c->nblocks) {
		c->doc = SEG_END;
		return SEG_END;
	}
	if (decode_block(c, c->block + 1) != 0) {
		set_corrupt(c);
		return SEG_END;
	}
	return c->doc = c->docs[0];
}

uint32_t seg_postings_advance_far(struct seg_postings *c, uint32_t target)
{
	if (c->doc == SEG_END || c->doc >= target)
		return c->doc;
	if (c->skips && c->docs[c->n - 1] < target) {
		/* skip whole blocks: find the first block whose last doc >= target */
		uint32_t b = c->block + 1;
		while (b < c->nblocks && skip_at(c, SK_LAST, b) < target)
			b++;
		if (b >= c->nblocks) {
			c->doc = SEG_END;
			return SEG_END;
		}
		if (decode_block(c, b) != 0) {
			set_corrupt(c);
			return SEG_END;
		}
	}
	while (c->i < c->n && c->docs[c->i] < target)
		c->i++;
	if (c->i == c->n) {
		c->doc = SEG_END;
		return SEG_END;
	}
	return c->doc = c->docs[c->i];
}

uint32_t seg_postings_block_max(struct seg_postings *c, uint32_t target, uint32_t *last,
				struct seg_corner corner[2])
{
	if (!c->skips) {
		if (target > c->blk_last)
			return SEG_END;
		*last = c->blk_last;
		corner[0] = c->blk_corner[0];
		corner[1] = c->blk_corner[1];
		return 0;
	}
	uint32_t b = c->block;
	if (c->bm_block > b && c->bm_block < c->nblocks &&
	    skip_at(c, SK_LAST, c->bm_block - 1) < target)
		b = c->bm_block;
	while (b < c->nblocks && skip_at(c, SK_LAST, b) < target)
		b++;
	if (b >= c->nblocks)
		return SEG_END;
	c->bm_block = b;
	*last = skip_at(c, SK_LAST, b);
	corner[0].tf = skip_at(c, SK_TF1, b);
	corner[0].len = (uint16_t)skip_at(c, SK_LEN1, b);
	corner[1].tf = skip_at(c, SK_TF2, b);
	corner[1].len = (uint16_t)skip_at(c, SK_LEN2, b);
	return 0;
}

/* The BM25 frequency part with default parameters: only used to choose
 * corners, never to bound a score (queries recompute with their own). */
static double proxy(uint32_t tf, uint16_t len, double avglen)
{
	double norm = 0.25 + 0.75 * (avglen > 0 ? len / avglen : 1);
	return tf / (tf + 1.2 * norm);
}

static int cmp_len_tf(const void *a, const void *b)
{
	const struct seg_corner *x = a, *y = b;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->tf > y->tf ? -1 : x->tf < y->tf;
}

void seg_frontier(const uint32_t *tf, const uint16_t *len, size_t n, double avglen,
		  struct seg_corner out[2])
{
	struct seg_corner p[SEG_BLOCK], f[SEG_BLOCK];
	size_t m = 0;
	uint32_t maxtf = 0;
	if (n > SEG_BLOCK)
		n = SEG_BLOCK;
	for (size_t i = 0; i < n; i++)
		if (tf[i] > maxtf)
			maxtf = tf[i];
	if (maxtf <= 256) {
		/* Frequencies are small: the shortest length for each frequency,
		 * then a sweep from the highest frequency down keeps the points no
		 * higher frequency beats on length (merging spent a seventh of its
		 * time sorting blocks before). */
		uint16_t shortest[257];
		for (uint32_t v = 0; v <= maxtf; v++)
			shortest[v] = UINT16_MAX;
		for (size_t i = 0; i < n; i++)
			if (len[i] < shortest[tf[i]] || shortest[tf[i]] == UINT16_MAX)
				shortest[tf[i]] = len[i];
		size_t k = 0;
		uint32_t run = UINT32_MAX;
		for (uint32_t v = maxtf; v >= 1; v--) {
			if (shortest[v] == UINT16_MAX && !(v == maxtf))
				continue;
			if (v == maxtf || shortest[v] < run) {
				p[k].tf = v;
				p[k].len = shortest[v];
				k++;
				run = shortest[v];
			}
		}
		/* collected by decreasing frequency and length: reverse */
		for (size_t i = 0; i < k; i++)
			f[i] = p[k - 1 - i];
		m = k;
	} else {
		for (size_t i = 0; i < n; i++) {
			p[i].tf = tf[i];
			p[i].len = len[i];
		}
		qsort(p, n, sizeof *p, cmp_len_tf);
		/* Pareto frontier: by increasing length, each keeps a larger tf */
		for (size_t i = 0; i < n; i++)
			if (m == 0 || p[i].tf > f[m - 1].tf)
				f[m++] = p[i];
	}
	if (m == 0) {
		out[0].tf = out[1].tf = 0;
		out[0].len = out[1].len = UINT16_MAX;
		return;
	}
	if (m <= 2) {
		out[0] = f[0];
		out[1] = f[m - 1];
		return;
	}
	/* split the frontier in two runs, each bounded by its corner
	 * (largest tf, smallest length); keep the split with the lowest bound */
	size_t best = 0;
	double bestv = 0;
	for (size_t j = 0; j + 1 < m; j++) {
		double a = proxy(f[j].tf, f[0].len, avglen), b = proxy(f[m - 1].tf, f[j + 1].len, avglen);
		double v = a > b ? a : b;
		if (j == 0 || v < bestv) {
			bestv = v;
			best = j;
		}
	}
	out[0].tf = f[best].tf;
	out[0].len = f[0].len;
	out[1].tf = f[m - 1].tf;
	out[1].len = f[best + 1].len;
}

/* The byte after the count-th varint at p, or NULL if [p, end) ends first.
 * Values are not decoded: a varint ends at a byte below 0x80, and those
 * are counted eight bytes at a time.  (A skipped gap that is
 * damaged still shows: positions then end off a block's boundary, which
 * seg_postings_positions checks.) */
static const uint8_t *skip_varints(const uint8_t *p, const uint8_t *end, uint64_t count)
{
	while (count > 0 && end - p >= 8) {
		uint64_t m = ~fmt_get_u64le(p) & 0x8080808080808080ull;
		/* the eight 0/1 bytes of m >> 7, summed into the top byte */
		unsigned k = (unsigned)(((m >> 7) * 0x0101010101010101ull) >> 56);
		if (k < count) {
			count -= k;
			p += 8;
			continue;
		}
		while (--count > 0)
			m &= m - 1;
		return p + ((unsigned)__builtin_ctzll(m) >> 3) + 1;
	}
	for (; count > 0 && p < end; p++)
		count -= !(*p & 0x80);
	return count > 0 ? NULL : p;
}

/* Sets up the positions of the current block (§5.3): where they end (the
 * next block's start, or the term's end), how they are coded, and the
 * state for its first posting.  -1 if that does not fit. */
static int positions_open(struct seg_postings *c)
{
	const uint8_t *end = c->pos_end;
	if (c->skips && c->block + 1 < c->nblocks) {
		uint32_t off = skip_at(c, SK_POS, c->block + 1);
		if (off > (size_t)(c->pos_end - c->pos_base))
			return -1;
		end = c->pos_base + off;
	}
	if (end < c->pos_blk)
		return -1;
	uint64_t npos = c->pos_n;
	c->pos_i = 0;
	c->pos_p = c->pos_blk;
	if (npos < SEG_POS_RICE_MIN) {
		c->pos_k = SEG_POS_VARINT;
	} else {
		/* the parameter, npos packed low bits, then at least npos bits of
		 * unary quotients (one 1 bit each) */
		size_t room = (size_t)(end - c->pos_blk);
		if (room < 1 || c->pos_blk[0] > 32)
			return -1;
		unsigned k = c->pos_blk[0];
		uint64_t lo = (npos * k + 7) / 8;
		if (lo > room - 1 || (room - 1 - lo) < (npos + 7) / 8)
			return -1;
		c->pos_k = k;
		c->pos_lo = c->pos_blk + 1;
		c->pos_hi = c->pos_lo + lo;
		c->pos_nbits = (uint64_t)(end - c->pos_hi) * 8;
		c->pos_s = 0;
		c->pos_u = 0;
	}
	c->pos_blk_end = end;
	return 0;
}

/* Rice blocks: moves the state skip gaps on (to the current posting),
 * then decodes its tf gaps into positions (at most cap kept).  Returns
 * 0, or -1 if they do not decode. */
static int rice_positions(struct seg_postings *c, uint64_t skip, uint32_t tf, uint32_t *out,
			  uint32_t cap)
{
	const unsigned k = c->pos_k;
	/* a quotient above this overflows 32 bits (k = 32: only 0) */
	const uint64_t qmax = (uint64_t)UINT32_MAX >> k;
	struct bp_ones r;
	uint64_t u = c->pos_u;
	/* The low bits are indexed directly; only the quotients before the
	 * posting are counted.  A phrase query reads postings a few apart:
	 * their ones are read from the same window as the posting's own. */
	c->pos_s += skip;
	if (skip > 16) {
		if ((u = bp_skip_ones(c->pos_hi, c->pos_nbits, u, skip)) == UINT64_MAX)
			return -1;
		skip = 0;
	}
	bp_ones_init(&r, c->pos_hi, c->pos_nbits, u);
	for (; skip > 0; skip--) {
		uint64_t one = bp_ones_next(&r);
		if (one == UINT64_MAX)
			return -1;
		u = one + 1;
	}
	c->pos_u = u;
	uint64_t s = c->pos_s;
	uint32_t pos = 0;
	for (uint32_t j = 0; j < tf; j++) {
		uint64_t one = bp_ones_next(&r);
		if (one == UINT64_MAX || one - u > qmax)
			return -1;
		uint64_t v = (one - u) << k | bp_get(c->pos_lo, s + j, k);
		u = one + 1;
		/* positions of one posting strictly increase: gaps after the
		 * first are at least 1 */
		if (v > UINT32_MAX - pos || (j > 0 && v == 0))
			return -1;
		pos += (uint32_t)v;
		if (j < cap)
			out[j] = pos;
	}
	/* The block's last quotient is its unary string's last 1 bit, in its
	 * last byte, and the low bits end in zero bits: a damaged frequency,
	 * parameter or quotient that still decodes shows here instead of as a
	 * silently wrong phrase match. */
	if (c->i + 1 == c->n) {
		uint64_t lob = (s + tf) * k;
		if ((u + 7) / 8 != c->pos_nbits / 8 || bp_ones_next(&r) != UINT64_MAX ||
		    (lob % 8 && c->pos_lo[lob / 8] >> (lob % 8) != 0))
			return -1;
	}
	return 0;
}

int seg_postings_positions(struct seg_postings *c, uint32_t *out, uint32_t cap)
{
	if (c->doc == SEG_END)
		return -1;
	if (c->pos_blk_end == NULL && positions_open(c) != 0)
		goto bad;
	/* walk forward from the last decoded posting of this block */
	if (c->pos_i > c->i) {
		c->pos_i = 0;
		c->pos_p = c->pos_blk;
		c->pos_s = 0;
		c->pos_u = 0;
	}
	uint64_t skip = 0;
	for (uint32_t j = c->pos_i; j < c->i; j++)
		skip += c->tfs[j];
	c->pos_i = c->i;
	uint32_t tf = c->tfs[c->i];
	if (c->pos_k != SEG_POS_VARINT) {
		if (rice_positions(c, skip, tf, out, cap) != 0)
			goto bad;
		return (int)tf;
	}
	if (skip > 0) {
		const uint8_t *p = skip_varints(c->pos_p, c->pos_blk_end, skip);
		if (p == NULL)
			goto bad;
		c->pos_p = p;
	}
	uint32_t pos = 0;
	const uint8_t *p = c->pos_p;
	for (uint32_t k = 0; k < tf; k++) {
		uint64_t v;
		size_t n = fmt_get_varint(p, c->pos_blk_end, &v);
		/* positions of one posting strictly increase: gaps after the
		 * first are at least 1 */
		if (n == 0 || v > UINT32_MAX - pos || (k > 0 && v == 0))
			goto bad;
		p += n;
		pos += (uint32_t)v;
		if (k < cap)
			out[k] = pos;
	}
	/* The positions of a block's last posting end exactly where the next
	 * block's (or the term's) start: a damaged frequency or gap that
	 * still decodes shows here instead of as a silently wrong phrase
	 * match. */
	if (c->i + 1 == c->n && p != c->pos_blk_end)
		goto bad;
	return (int)tf;
bad:
	/* the engine reports a corrupt cursor as an error (2: in the positions) */
	c->corrupt = 2;
	return -1;
}
