/*
 * fmt.c - out-of-line parts of the byte codecs (see fmt.h).
 */
#include "fmt.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "err.h"

void fmt_buf_init(struct fmt_buf *b)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->rc = 0;
}

void fmt_buf_free(struct fmt_buf *b)
{
	free(b->p);
	fmt_buf_init(b);
}

uint8_t *fmt_buf_grow(struct fmt_buf *b, size_t n)
{
	if (b->rc)
		return NULL;
	if (b->cap - b->len < n) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap - b->len < n) {
			if (cap > SIZE_MAX / 2) {
				b->rc = ERR_NOMEM;
				return NULL;
			}
			cap *= 2;
		}
		uint8_t *p = realloc(b->p, cap);
		if (p == NULL) {
			b->rc = ERR_NOMEM;
			return NULL;
		}
		b->p = p;
		b->cap = cap;
	}
	return b->p + b->len;
}

void fmt_buf_put(struct fmt_buf *b, const void *p, size_t n)
{
	uint8_t *d = fmt_buf_reserve(b, n);
	if (d && n) {
		memcpy(d, p, n);
		b->len += n;
	}
}

void fmt_buf_u8(struct fmt_buf *b, uint8_t v)
{
	fmt_buf_put(b, &v, 1);
}

void fmt_buf_u16(struct fmt_buf *b, uint16_t v)
{
	uint8_t *d = fmt_buf_reserve(b, 2);
	if (d) {
		fmt_put_u16le(d, v);
		b->len += 2;
	}
}

void fmt_buf_u32(struct fmt_buf *b, uint32_t v)
{
	uint8_t *d = fmt_buf_reserve(b, 4);
	if (d) {
		fmt_put_u32le(d, v);
		b->len += 4;
	}
}

void fmt_buf_u64(struct fmt_buf *b, uint64_t v)
{
	uint8_t *d = fmt_buf_reserve(b, 8);
	if (d) {
		fmt_put_u64le(d, v);
		b->len += 8;
	}
}

void fmt_buf_varint(struct fmt_buf *b, uint64_t v)
{
	uint8_t *d = fmt_buf_reserve(b, 10);
	if (d)
		b->len += fmt_put_varint(d, v);
}

void fmt_buf_str(struct fmt_buf *b, const char *s, size_t n)
{
	fmt_buf_varint(b, n);
	fmt_buf_put(b, s, n);
}

uint32_t fmt_crc32(uint32_t crc, const void *p, size_t n)
{
	/* zlib's crc32 takes uInt lengths: feed huge inputs in pieces. */
	const uint8_t *q = p;
	while (n > 0) {
		uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
		crc = (uint32_t)crc32(crc, q, chunk);
		q += chunk;
		n -= chunk;
	}
	return crc;
}
