/*
 * strtab.h - a set of distinct byte strings, numbered 0, 1, ... in the
 * order they were first added: their bytes one after another in one
 * buffer, found again by open addressing on fmt_hash.  For tables that
 * keep something per string in an array of their own, indexed by that
 * number (the facet values of --verify and of a merge).
 */
#ifndef STRTAB_H
#define STRTAB_H

#include <stddef.h>
#include <stdint.h>

#include "fmt.h"

struct strtab_ent {
	size_t off;   /* into bytes */
	uint32_t len;
};

struct strtab {
	struct fmt_buf bytes;
	struct strtab_ent *e; /* n of them, room for cap */
	uint8_t *vals;        /* vsize bytes a string, as many */
	size_t n, cap, vsize;
	uint32_t *slot;       /* number + 1, 0 empty; a power of two, over 2n */
	size_t nslots;
};

/* An empty set whose strings each have vsize bytes of the caller's
 * (strtab_val), zeroed when the string is added. */
void strtab_init(struct strtab *t, size_t vsize);
void strtab_free(struct strtab *t);

/* The number of s[0..len), added when new (then it is the former t->n);
 * -1 when out of memory. */
long strtab_add(struct strtab *t, const uint8_t *s, size_t len);

/* String i's bytes of the caller's; valid until the next strtab_add. */
static inline void *strtab_val(const struct strtab *t, size_t i)
{
	return t->vals + i * t->vsize;
}

/* String i's bytes, *len of them; valid until the next strtab_add. */
static inline const uint8_t *strtab_str(const struct strtab *t, size_t i, size_t *len)
{
	*len = t->e[i].len;
	return t->bytes.p + t->e[i].off;
}

#endif
