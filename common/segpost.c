/*
 * segpost.c - posting cursors (FORMAT.md §5): documents and frequencies a
 * block at a time, block maxima from the skip table (§5.1, §5.2) or, for a
 * list of one block, computed (seg_frontier, which the writer uses too),
 * and positions (§5.3), read only when asked for.  Every read is
 * bounds-checked, so that a damaged list marks its cursor corrupt rather
 * than crash.  Queries spend most of their time here: block decoding and
 * the cursor's moves stay in this one file, as the build has no link-time
 * optimisation to inline across files.
 */
#include "seg.h"

#include "bitpack.h"
#include "pblock.h"

#include <stdlib.h>
#include <string.h>

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

size_t seg_postings_corners(const struct seg_postings *c, struct seg_corner *out, size_t cap)
{
	/* The smallest length seen with each tf, over both corners of every
	 * block: a pass of unpacked columns and integer compares, where
	 * bounding each block took two BM25 evaluations (term_open did it
	 * for every term, 6% of the bench queries' instructions). */
	enum { CHUNK = 128 };
	uint32_t minlen[SEG_CORNER_TFS];
	for (size_t t = 0; t < SEG_CORNER_TFS; t++)
		minlen[t] = UINT32_MAX;
	if (!c->skips) {
		for (unsigned j = 0; j < 2; j++) {
			if (c->blk_corner[j].tf >= SEG_CORNER_TFS)
				return 0;
			if (c->blk_corner[j].len < minlen[c->blk_corner[j].tf])
				minlen[c->blk_corner[j].tf] = c->blk_corner[j].len;
		}
	}
	for (uint32_t b = 0; c->skips && b < c->nblocks; b += CHUNK) {
		uint32_t m = c->nblocks - b < CHUNK ? c->nblocks - b : CHUNK;
		uint32_t tf[CHUNK], len[CHUNK];
		static const unsigned cols[2][2] = {{SK_TF1, SK_LEN1}, {SK_TF2, SK_LEN2}};
		for (unsigned j = 0; j < 2; j++) {
			/* b is a multiple of 8: the values start on a byte */
			unsigned wt = c->skw[cols[j][0]], wl = c->skw[cols[j][1]];
			bp_unpack(c->sk[cols[j][0]] + (size_t)b / 8 * wt, m, wt, tf);
			bp_unpack(c->sk[cols[j][1]] + (size_t)b / 8 * wl, m, wl, len);
			for (uint32_t i = 0; i < m; i++) {
				uint32_t t = tf[i];
				if (t >= SEG_CORNER_TFS)
					return 0;
				if (len[i] < minlen[t])
					minlen[t] = len[i];
			}
		}
	}
	size_t n = 0;
	uint32_t shortest = UINT32_MAX;
	for (size_t t = SEG_CORNER_TFS; t-- > 0;) {
		if (minlen[t] >= shortest)
			continue; /* dominated by a corner of larger tf */
		if (n == cap)
			return 0;
		out[n++] = (struct seg_corner){(uint32_t)t, (uint16_t)minlen[t]};
		shortest = minlen[t];
	}
	return n;
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
