/*
 * stblock.c - stored blocks by column (see stblock.h, FORMAT.md §7.3).
 *
 * Ours because the layout is: deflate sees one column after another,
 * the abstracts last, so that a reader wanting record j inflates the short
 * columns and the abstracts up to j's.  On the real PubMed files this let
 * libdeflate's level 2 compress better (3.16:1) than level 5 did with the
 * records one after another (3.13:1), in two thirds of the time.
 */
#include "stblock.h"

#include <string.h>

#include "err.h"
#include "stored.h"

/* The string slot of layout column c of ncols: all slots in order, except
 * that the abstract (slot 1, most of the bytes) comes last. */
static unsigned slot_at(unsigned c, unsigned ncols)
{
	return c == 0 ? 0 : c == ncols - 1 ? 1 : c + 1;
}

/* Reads a varint at *p below end; 0 when it does not fit. */
static int get(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	size_t k = fmt_get_varint(*p, end, v);
	*p += k;
	return k != 0;
}

/* Steps *p over one §7.1 string (varint length, bytes, 0) below end: 1,
 * 0 when it does not fit, -1 when its 0 byte is missing. */
static int skip_string(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *q = *p;
	uint64_t len;
	if (!get(&q, end, &len) || len >= (uint64_t)(end - q))
		return 0;
	if (q[len] != 0)
		return -1;
	*p = q + len + 1;
	return 1;
}

/* Steps *p over a record's head (pmid, version, year, S) below end,
 * setting *ns to S: 1, or 0 when it does not fit. */
static int skip_head(const uint8_t **p, const uint8_t *end, uint64_t *ns)
{
	uint64_t v;
	return get(p, end, &v) && get(p, end, &v) && get(p, end, &v) && get(p, end, ns);
}

/* Steps *p over a record's tail (nrefs, the references) below end: 1, or 0
 * when it does not fit. */
static int skip_tail(const uint8_t **p, const uint8_t *end)
{
	uint64_t nrefs, v;
	if (!get(p, end, &nrefs) || nrefs > (uint64_t)(end - *p))
		return 0;
	for (uint64_t i = 0; i < nrefs; i++)
		if (!get(p, end, &v))
			return 0;
	return 1;
}

/* Frames record i of rows: its packed bytes [*rec, *rec + *n) and CRC. */
static int frame(const uint8_t **p, const uint8_t *end, const uint8_t **rec, uint64_t *n,
		 uint32_t *crc)
{
	if (!get(p, end, n) || *n > (uint64_t)(end - *p) || (size_t)(end - *p) - *n < 4)
		return 0;
	*rec = *p;
	*crc = fmt_get_u32le(*p + *n);
	*p += *n + 4;
	return 1;
}

int st_block_columns(const uint8_t *rows, size_t n, uint32_t count, struct fmt_buf *out)
{
	const uint8_t *end = rows + n, *p;
	const uint8_t *rec;
	uint64_t len, ns, ncols = 0;
	uint32_t crc;
	size_t start = out->len;
	if (count == 0 || count > ST_BLOCK_MAX)
		return ERR_CORRUPT;
	/* CRCs, heads (and the widest record), tails and their CRC */
	p = rows;
	for (uint32_t i = 0; i < count; i++) {
		if (!frame(&p, end, &rec, &len, &crc))
			return ERR_CORRUPT;
		fmt_buf_u32(out, crc);
	}
	if (p != end)
		return ERR_CORRUPT;
	p = rows;
	for (uint32_t i = 0; i < count; i++) {
		frame(&p, end, &rec, &len, &crc);
		const uint8_t *q = rec, *rend = rec + len;
		if (!skip_head(&q, rend, &ns) || ns < ST_NSTR || ns > ST_STRINGS_MAX)
			return ERR_CORRUPT;
		fmt_buf_put(out, rec, (size_t)(q - rec));
		if (ns > ncols)
			ncols = ns;
	}
	/* each record's next string (from its first), its abstract, its end */
	const uint8_t *cur[ST_BLOCK_MAX], *abs[ST_BLOCK_MAX], *rend[ST_BLOCK_MAX];
	uint64_t nstr[ST_BLOCK_MAX];
	p = rows;
	for (uint32_t i = 0; i < count; i++) {
		frame(&p, end, &rec, &len, &crc);
		const uint8_t *q = rec;
		rend[i] = rec + len;
		skip_head(&q, rend[i], &nstr[i]);
		cur[i] = q;
		for (uint64_t s = 0; s < nstr[i]; s++) {
			if (s == 1)
				abs[i] = q;
			if (skip_string(&q, rend[i]) != 1)
				return ERR_CORRUPT;
		}
		const uint8_t *t = q;
		if (!skip_tail(&q, rend[i]) || q != rend[i])
			return ERR_CORRUPT;
		fmt_buf_put(out, t, (size_t)(rend[i] - t));
	}
	if (out->rc)
		return ERR_NOMEM;
	fmt_buf_u32(out, fmt_crc32(0, out->p + start, out->len - start));
	/* the string columns: string s of every record that has one, in
	 * slot order but the abstracts last */
	for (unsigned c = 0; c < ncols; c++) {
		unsigned s = slot_at(c, (unsigned)ncols);
		for (uint32_t i = 0; i < count; i++) {
			if (s >= nstr[i])
				continue;
			const uint8_t *q = s == 1 ? abs[i] : cur[i], *str = q;
			skip_string(&q, rend[i]); /* parsed above */
			fmt_buf_put(out, str, (size_t)(q - str));
			if (s == 0)
				skip_string(&q, rend[i]); /* the abstract, emitted last */
			if (s != 1)
				cur[i] = q;
		}
	}
	return out->rc ? ERR_NOMEM : 0;
}

/* The part of st_block_open() that reads the CRCs, heads, tails and their
 * CRC (§7.3), leaving p just past them in *after. */
static int open_meta(struct st_block *b, const uint8_t *p, size_t n, uint32_t count, int complete,
		     const uint8_t **after)
{
	const uint8_t *start = p, *end = p + n;
	/* running out of bytes is damage only when they are all there */
	int short_rc = complete ? ERR_CORRUPT : ST_BLOCK_MORE;
	memset(b, 0, sizeof *b);
	if (count == 0 || count > ST_BLOCK_MAX)
		return ERR_CORRUPT;
	b->end = end;
	b->count = count;
	b->complete = complete;
	if (n < (size_t)count * 4)
		return short_rc;
	b->crc = p;
	p += (size_t)count * 4;
	b->head = p;
	for (uint32_t i = 0; i < count; i++) {
		uint64_t ns;
		if (!skip_head(&p, end, &ns))
			return short_rc;
		if (ns < ST_NSTR || ns > ST_STRINGS_MAX)
			return ERR_CORRUPT;
		b->nstr[i] = (uint8_t)ns;
		if (ns > b->ncols)
			b->ncols = (uint32_t)ns;
	}
	b->heads_end = b->tail = p;
	for (uint32_t i = 0; i < count; i++)
		if (!skip_tail(&p, end))
			return short_rc;
	b->tails_end = p;
	if (end - p < 4)
		return short_rc;
	if (fmt_get_u32le(p) != fmt_crc32(0, start, (size_t)(p - start)))
		return ERR_CORRUPT;
	*after = p + 4;
	return 0;
}

int st_block_meta(const uint8_t *p, size_t n, uint32_t count, uint32_t j, int complete,
		  struct st_meta *m)
{
	struct st_block b;
	const uint8_t *after;
	int rc = open_meta(&b, p, n, count, complete, &after);
	if (rc)
		return rc;
	if (j >= count)
		return ERR_CORRUPT;
	/* open_meta parsed them all: these cannot fail */
	const uint8_t *h = b.head, *q = b.tail;
	uint64_t ns;
	for (uint32_t i = 0; i < j; i++) {
		skip_head(&h, b.heads_end, &ns);
		skip_tail(&q, b.tails_end);
	}
	get(&h, b.heads_end, &m->pmid);
	get(&h, b.heads_end, &m->version);
	get(&h, b.heads_end, &m->year);
	m->tail = q;
	skip_tail(&q, b.tails_end);
	m->tail_len = (size_t)(q - m->tail);
	return 0;
}

int st_block_open(struct st_block *b, const uint8_t *p, size_t n, uint32_t count, int complete)
{
	const uint8_t *end = p + n;
	int short_rc = complete ? ERR_CORRUPT : ST_BLOCK_MORE;
	int rc = open_meta(b, p, n, count, complete, &p);
	if (rc)
		return rc;
	/* every column but the last is whole before the last starts */
	for (unsigned c = 0; c < b->ncols; c++) {
		unsigned s = slot_at(c, b->ncols);
		b->col[s] = p;
		if (c == b->ncols - 1)
			break;
		for (uint32_t i = 0; i < count; i++) {
			if (s >= b->nstr[i])
				continue;
			int r = skip_string(&p, end);
			if (r < 0)
				return ERR_CORRUPT;
			if (r == 0)
				return short_rc;
		}
		b->col_end[s] = p;
	}
	b->col_end[1] = end;
	return 0;
}

int st_block_next(struct st_block *b, struct fmt_buf *out, uint32_t *crc)
{
	if (b->next >= b->count)
		return ERR_CORRUPT;
	uint32_t i = b->next;
	unsigned ns = b->nstr[i];
	/* the abstract first: it alone may lie beyond what is inflated */
	const uint8_t *abs = b->col[1];
	int r = skip_string(&abs, b->col_end[1]);
	if (r < 0 || (r == 0 && b->complete))
		return ERR_CORRUPT;
	if (r == 0)
		return ST_BLOCK_MORE;
	const uint8_t *head = b->head, *tail = b->tail;
	uint64_t v;
	skip_head(&head, b->heads_end, &v); /* parsed by st_block_open */
	skip_tail(&tail, b->tails_end);
	*crc = fmt_get_u32le(b->crc + 4 * (size_t)i);
	if (out)
		fmt_buf_put(out, b->head, (size_t)(head - b->head));
	for (unsigned s = 0; s < ns; s++) {
		const uint8_t *q = b->col[s];
		if (s != 1 && skip_string(&q, b->col_end[s]) != 1)
			return ERR_CORRUPT; /* a column too short for its records */
		if (s == 1)
			q = abs;
		if (out)
			fmt_buf_put(out, b->col[s], (size_t)(q - b->col[s]));
		b->col[s] = q;
	}
	if (out)
		fmt_buf_put(out, b->tail, (size_t)(tail - b->tail));
	b->head = head;
	b->tail = tail;
	b->next++;
	return out && out->rc ? ERR_NOMEM : 0;
}

int st_block_done(const struct st_block *b)
{
	if (b->next != b->count || b->head != b->heads_end || b->tail != b->tails_end)
		return ERR_CORRUPT;
	for (unsigned s = 0; s < b->ncols; s++)
		if (b->col[s] != b->col_end[s])
			return ERR_CORRUPT;
	return 0;
}
