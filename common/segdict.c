/*
 * segdict.c - the front-coded dictionary (FORMAT.md §4): key lookup and
 * iteration in key order.  Every read is bounds-checked, and key order
 * checked on the way, so that a damaged file is an error, never a crash
 * or a term silently missed.  A query looks up each of its terms in every
 * segment: the lookup and the entry decoder it inlines stay in this one
 * file, as the build has no link-time optimisation to inline across files.
 */
#include "seg.h"

#include <string.h>

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

/* Moves it to the start of the next block, past a block it has read. */
static int iter_next_block(struct seg_dict_iter *it, struct err *e)
{
	it->block++;
	it->inblock = 0;
	it->t.keylen = 0;
	return dict_block_cursor(it->s, it->block, &it->cur, e);
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
		if (it->inblock == SEG_DICT_BLOCK && (rc = iter_next_block(it, e)))
			return rc;
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
	if (it->inblock == SEG_DICT_BLOCK && (rc = iter_next_block(it, e)))
		return rc;
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
