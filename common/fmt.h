/*
 * fmt.h - the byte-level codecs every on-disk structure is built from
 * (FORMAT.md §1): little-endian fixed-width integers, LEB128 varints, CRC32,
 * and a growable byte buffer with a sticky error so that a long encoding
 * sequence is checked once at the end.
 */
#ifndef FMT_H
#define FMT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- fixed-width little-endian ---- */

/* FNV-1a of p[0..n): the hash of the small tables keyed by short byte
 * strings (the engine's, --verify's facet values). */
static inline uint32_t fmt_hash(const void *p, size_t n)
{
	const uint8_t *k = p;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ k[i]) * 16777619u;
	return h;
}

/* Whether p[0..n) and q[0..n) hold the same bytes.  For the hot lookups
 * of short words (terms, stems, stopwords, stored words): a call to
 * memcmp cost more than the comparison, and its answer's sign is not
 * needed.  Loads overlap rather than read past n. */
static inline int fmt_same(const void *p, const void *q, size_t n)
{
	const uint8_t *a = p, *b = q;
	uint64_t x, y;
	uint32_t u, v;
	if (n >= 8) {
		for (size_t i = 0; i + 8 < n; i += 8) {
			memcpy(&x, a + i, 8);
			memcpy(&y, b + i, 8);
			if (x != y)
				return 0;
		}
		memcpy(&x, a + n - 8, 8);
		memcpy(&y, b + n - 8, 8);
		return x == y;
	}
	if (n >= 4) {
		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		if (u != v)
			return 0;
		memcpy(&u, a + n - 4, 4);
		memcpy(&v, b + n - 4, 4);
		return u == v;
	}
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static inline void fmt_put_u16le(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void fmt_put_u32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}
static inline void fmt_put_u64le(uint8_t *p, uint64_t v)
{
	fmt_put_u32le(p, (uint32_t)v);
	fmt_put_u32le(p + 4, (uint32_t)(v >> 32));
}
static inline uint16_t fmt_get_u16le(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t fmt_get_u32le(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}
static inline uint64_t fmt_get_u64le(const uint8_t *p)
{
	return (uint64_t)fmt_get_u32le(p) | ((uint64_t)fmt_get_u32le(p + 4) << 32);
}

/* ---- LEB128 varints ---- */

/* Encodes v at p (room for 10 bytes needed); returns bytes written. */
static inline size_t fmt_put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* Decodes a varint from [p, end).  Returns bytes consumed, or 0 when the
 * input is truncated or the value overflows 64 bits. */
static inline size_t fmt_get_varint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	uint64_t r = 0;
	size_t n = 0;
	if (p < end && p[0] < 0x80) {
		/* most varints (gaps, positions) are one byte: skip the loop */
		*v = p[0];
		return 1;
	}
	if (end - p >= 3 && (p[1] < 0x80 || p[2] < 0x80)) {
		/* and most others (list lengths in the dictionary) two or three:
		 * the loop cost about forty instructions */
		if (p[1] < 0x80) {
			*v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
			return 2;
		}
		*v = (uint64_t)(p[0] & 0x7f) | (uint64_t)(p[1] & 0x7f) << 7 | (uint64_t)p[2] << 14;
		return 3;
	}
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (p + n >= end)
			return 0;
		uint8_t b = p[n++];
		if (shift == 63 && b > 1)
			return 0;
		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = r;
			return n;
		}
	}
	return 0;
}

/* A read cursor over [p, end) with a sticky failure flag: once a read
 * runs past end, every later read returns 0 and bad stays set. */
struct fmt_cur {
	const uint8_t *p, *end;
	int bad;
};

/* Inline, as the rest of the codecs: a dictionary block is decoded a
 * byte at a time through these, and as calls they were a third of the
 * dictionary lookups of a --similar query (hundreds of terms, each looked
 * up in every segment). */

/* Returns a pointer to the next n bytes and skips them; NULL if short. */
static inline const uint8_t *fmt_cur_bytes(struct fmt_cur *c, size_t n)
{
	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = 1;
		return NULL;
	}
	const uint8_t *r = c->p;
	c->p += n;
	return r;
}

static inline uint64_t fmt_cur_varint(struct fmt_cur *c)
{
	uint64_t v = 0;
	size_t n = c->bad ? 0 : fmt_get_varint(c->p, c->end, &v);
	if (n == 0) {
		c->bad = 1;
		return 0;
	}
	c->p += n;
	return v;
}

static inline uint8_t fmt_cur_u8(struct fmt_cur *c)
{
	const uint8_t *p = fmt_cur_bytes(c, 1);
	return p ? p[0] : 0;
}

static inline uint16_t fmt_cur_u16(struct fmt_cur *c)
{
	const uint8_t *p = fmt_cur_bytes(c, 2);
	return p ? fmt_get_u16le(p) : 0;
}

static inline uint32_t fmt_cur_u32(struct fmt_cur *c)
{
	const uint8_t *p = fmt_cur_bytes(c, 4);
	return p ? fmt_get_u32le(p) : 0;
}

static inline uint64_t fmt_cur_u64(struct fmt_cur *c)
{
	const uint8_t *p = fmt_cur_bytes(c, 8);
	return p ? fmt_get_u64le(p) : 0;
}

/* ---- growable buffer with sticky error ---- */

struct fmt_buf {
	uint8_t *p;
	size_t len, cap;
	int rc; /* 0, or ERR_NOMEM once an allocation failed */
};

void fmt_buf_init(struct fmt_buf *b);
void fmt_buf_free(struct fmt_buf *b);
/* Ensures room for n more bytes; returns a pointer to them or NULL (and
 * sets b->rc) when out of memory.  Does not change len.  Inline because
 * the indexer reserves a few bytes per token, where a call cost about as
 * much as the work; fmt_buf_grow() is the part that allocates. */
uint8_t *fmt_buf_grow(struct fmt_buf *b, size_t n);
static inline uint8_t *fmt_buf_reserve(struct fmt_buf *b, size_t n)
{
	if (b->rc == 0 && b->cap - b->len >= n)
		return b->p + b->len;
	return fmt_buf_grow(b, n);
}
void fmt_buf_put(struct fmt_buf *b, const void *p, size_t n);
void fmt_buf_u8(struct fmt_buf *b, uint8_t v);
void fmt_buf_u16(struct fmt_buf *b, uint16_t v);
void fmt_buf_u32(struct fmt_buf *b, uint32_t v);
void fmt_buf_u64(struct fmt_buf *b, uint64_t v);
void fmt_buf_varint(struct fmt_buf *b, uint64_t v);
/* varint length followed by the bytes */
void fmt_buf_str(struct fmt_buf *b, const char *s, size_t n);

/* CRC-32 (zlib's polynomial) of p[0..n), continuing from crc (start at 0). */
uint32_t fmt_crc32(uint32_t crc, const void *p, size_t n);

#endif
