/*
 * strtab.c - a set of distinct byte strings (see strtab.h).
 */
#include "strtab.h"

#include <stdlib.h>
#include <string.h>

void strtab_init(struct strtab *t, size_t vsize)
{
	memset(t, 0, sizeof *t);
	fmt_buf_init(&t->bytes);
	t->vsize = vsize;
}

void strtab_free(struct strtab *t)
{
	fmt_buf_free(&t->bytes);
	free(t->e);
	free(t->vals);
	free(t->slot);
	strtab_init(t, t->vsize);
}

/* Doubles the slots and places every string again. */
static int grow(struct strtab *t)
{
	size_t ns = t->nslots ? t->nslots * 2 : 1024;
	uint32_t *s = calloc(ns, sizeof *s);
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		size_t h = fmt_hash(t->bytes.p + t->e[i].off, t->e[i].len) & (ns - 1);
		while (s[h])
			h = (h + 1) & (ns - 1);
		s[h] = (uint32_t)i + 1;
	}
	free(t->slot);
	t->slot = s;
	t->nslots = ns;
	return 0;
}

long strtab_add(struct strtab *t, const uint8_t *s, size_t len)
{
	if (len > UINT32_MAX || t->n >= UINT32_MAX - 1 || ((t->n + 1) * 2 > t->nslots && grow(t)))
		return -1;
	size_t h = fmt_hash(s, len) & (t->nslots - 1);
	for (; t->slot[h]; h = (h + 1) & (t->nslots - 1)) {
		const struct strtab_ent *x = &t->e[t->slot[h] - 1];
		if (x->len == len && memcmp(t->bytes.p + x->off, s, len) == 0)
			return (long)(t->slot[h] - 1);
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct strtab_ent *e = realloc(t->e, sizeof *e * cap);
		if (e)
			t->e = e;
		uint8_t *v = e ? realloc(t->vals, t->vsize * cap + 1) : NULL;
		if (v == NULL)
			return -1;
		t->vals = v;
		t->cap = cap;
	}
	size_t off = t->bytes.len;
	fmt_buf_put(&t->bytes, s, len);
	if (t->bytes.rc)
		return -1;
	t->e[t->n] = (struct strtab_ent){off, (uint32_t)len};
	memset(strtab_val(t, t->n), 0, t->vsize);
	t->slot[h] = (uint32_t)++t->n;
	return (long)(t->n - 1);
}
