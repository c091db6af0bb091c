/*
 * stored.c - encoding of stored records (FORMAT.md §7.1).  Strings are
 * kept with their NUL so that a decoded record points straight into the
 * decompressed block without copying.
 */
#include "stored.h"

#include <stdlib.h>
#include <string.h>

void st_encode(struct fmt_buf *b, const struct st_record *r)
{
	fmt_buf_varint(b, r->pmid);
	fmt_buf_varint(b, r->version);
	fmt_buf_varint(b, r->year);
	fmt_buf_varint(b, ST_NSTR);
	for (int i = 0; i < ST_NSTR; i++) {
		const char *s = r->s[i] ? r->s[i] : "";
		size_t n = r->s[i] ? (r->len[i] ? r->len[i] : strlen(s)) : 0;
		fmt_buf_varint(b, n);
		fmt_buf_put(b, s, n);
		fmt_buf_u8(b, 0);
	}
	fmt_buf_varint(b, r->nrefs);
	for (size_t i = 0; i < r->nrefs; i++)
		fmt_buf_varint(b, r->refs[i]);
}

int st_decode(const uint8_t *p, size_t n, struct st_record *r, uint32_t **refs_owned)
{
	struct fmt_cur c = {p, p + n, 0};
	memset(r, 0, sizeof *r);
	*refs_owned = NULL;
	r->pmid = (uint32_t)fmt_cur_varint(&c);
	r->version = (uint32_t)fmt_cur_varint(&c);
	r->year = (uint16_t)fmt_cur_varint(&c);
	uint64_t ns = fmt_cur_varint(&c);
	if (c.bad || ns < ST_NSTR)
		return ERR_CORRUPT;
	for (uint64_t i = 0; i < ns; i++) {
		uint64_t len = fmt_cur_varint(&c);
		const uint8_t *s = fmt_cur_bytes(&c, len < SIZE_MAX ? (size_t)len + 1 : len);
		if (s == NULL || s[len] != 0)
			return ERR_CORRUPT;
		if (i < ST_NSTR) {
			r->s[i] = (const char *)s;
			r->len[i] = (size_t)len;
		}
	}
	uint64_t nrefs = fmt_cur_varint(&c);
	if (c.bad || nrefs > n)
		return ERR_CORRUPT;
	uint32_t *refs = malloc(sizeof *refs * (nrefs ? nrefs : 1));
	if (refs == NULL)
		return ERR_NOMEM;
	for (uint64_t i = 0; i < nrefs; i++)
		refs[i] = (uint32_t)fmt_cur_varint(&c);
	if (c.bad) {
		free(refs);
		return ERR_CORRUPT;
	}
	r->refs = refs;
	r->nrefs = (size_t)nrefs;
	*refs_owned = refs;
	return 0;
}
