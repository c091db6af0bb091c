/*
 * arena.c - chunked bump allocator (see arena.h).  Chunks grow
 * geometrically so that a batch of any size costs O(log n) mallocs.
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	size_t off;
	max_align_t data[]; /* aligned start of the usable bytes */
};

#define ARENA_MIN_CHUNK ((size_t)64 * 1024)

void arena_init(struct arena *a)
{
	a->head = NULL;
	a->used_bytes = 0;
	a->cap_bytes = 0;
}

void *arena_alloc(struct arena *a, size_t n)
{
	const size_t align = _Alignof(max_align_t);
	if (n > SIZE_MAX - align)
		return NULL;
	n = (n + align - 1) & ~(align - 1);
	struct arena_chunk *c = a->head;
	if (c == NULL || c->size - c->off < n) {
		size_t size = c ? c->size * 2 : ARENA_MIN_CHUNK;
		if (size < n)
			size = n;
		if (size > SIZE_MAX - sizeof *c)
			return NULL;
		struct arena_chunk *nc = malloc(sizeof *nc + size);
		if (nc == NULL)
			return NULL;
		nc->next = c;
		nc->size = size;
		nc->off = 0;
		a->head = nc;
		a->cap_bytes += size;
		c = nc;
	}
	void *p = (char *)c->data + c->off;
	c->off += n;
	a->used_bytes += n;
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);
	if (d) {
		if (n)
			memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

void arena_reset(struct arena *a)
{
	/* Keep the newest (largest) chunk: the next batch is likely as big. */
	struct arena_chunk *keep = a->head;
	if (keep == NULL)
		return;
	struct arena_chunk *c = keep->next;
	while (c) {
		struct arena_chunk *n = c->next;
		a->cap_bytes -= c->size;
		free(c);
		c = n;
	}
	keep->next = NULL;
	keep->off = 0;
	a->used_bytes = 0;
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head;
	while (c) {
		struct arena_chunk *n = c->next;
		free(c);
		c = n;
	}
	arena_init(a);
}
