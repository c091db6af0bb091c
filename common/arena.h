/*
 * arena.h - bump allocator for bulk work (one record, one indexing batch):
 * many small allocations, freed all at once by arena_reset().
 */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head; /* chunk being filled */
	size_t used_bytes;        /* bytes handed out since the last reset */
	size_t cap_bytes;         /* bytes held in chunks */
};

/* Initialises an empty arena (no allocation until the first use). */
void arena_init(struct arena *a);

/* Returns n bytes aligned for any type, or NULL when out of memory.  The
 * memory belongs to the arena and lives until arena_reset/arena_free. */
void *arena_alloc(struct arena *a, size_t n);

/* Copies s[0..n) into the arena and appends a NUL; NULL when out of memory. */
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* Frees everything allocated since init but keeps the largest chunk. */
void arena_reset(struct arena *a);

/* Frees every chunk. */
void arena_free(struct arena *a);

#endif
