/*
 * engine.h - internals shared by the engine's source files (engine.c and
 * the eng*.c it lists, docs.c); not part of the public interface (sarc.h).
 */
#ifndef ENGINE_H
#define ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "analyze.h"
#include "arena.h"
#include "fields.h"
#include "ix.h"
#include "qparse.h"
#include "sarc.h"
#include "scorer.h"

struct sarc_index {
	struct ix x;
	an_analyzer *an;
	uint64_t N;    /* documents in all segments, deleted ones included (statistics) */
	uint64_t live; /* documents a search can return */
	double avglen[F_NFIELDS];
	/* The first damage found by a lookup whose caller has no error path
	 * (document frequencies, prefix expansion, citation counts): sticky,
	 * so that every later search, count or facet on this handle fails
	 * with it rather than answer from a partly unreadable index. */
	struct err damage;
	/* The stored block read last: records read in document order (facets,
	 * the rows of an export, sorted) inflate each block once. */
	struct seg_stored_cur stored;
};

/* The document frequencies a query has summed over the segments, by key.
 * Each segment's scorer tree needs every term's df over all segments;
 * without this, an index of S segments cost S * S dictionary lookups per
 * term (at 29 segments, two thirds of a query's time), and a prefix's 1024
 * words as many again.  Kept with the query, which belongs to one index. */
struct dfc_seg {
	uint32_t df;                 /* > 0 */
	uint32_t seg;                /* the segment's number */
	uint64_t post_off, post_len; /* its seg_term */
	uint64_t pos_off, pos_len;
};
struct dfc_slot {
	const uint8_t *key; /* in the query's arena; NULL: empty */
	uint32_t len, hash;
	uint64_t df;
	/* the entries of the segments that hold the key (nsegs of them, by
	 * segment number, in the arena; not one per segment: a prefix's 1024
	 * words in an index of 1000 segments would hold 40 KB each): the
	 * scorers of every segment, and every run of the query (a count and
	 * a search, the terms of --similar), then need no lookup of their own */
	const struct dfc_seg *segs;
	uint32_t nsegs;
};
struct dfc {
	struct dfc_slot *slot; /* malloc'd; NULL until the first df */
	size_t n, mask;        /* used; table size - 1 */
};

/* A prefix's expansion in one field, the same for every segment's scorer
 * tree and for a count then a search: made once per query, kept in its
 * arena (sarc_query.pexp). */
struct pexp {
	const struct q_node *q;
	unsigned f;
	uint8_t **keys;
	size_t *lens, n;
	struct pexp *next;
};

struct sarc_query {
	struct arena a;
	struct q_node *root;
	const sarc_index *ix;      /* the handle it was made with (sarc.h) */
	struct sarc_query *filter; /* restricts without scoring (sarc_query_restrict) */
	uint32_t exclude_pmid;     /* --similar: never return the record itself */
	int has_exclude;
	char desc[4096];
	char note[256];            /* sarc_query_note(); "" when none */
	struct pexp *pexp;         /* prefix expansions made (engdict.c), in a */
	struct dfc dfc;            /* document frequencies looked up (engdict.c) */
};

void eng_err(char *err, size_t cap, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
uint64_t eng_df(sarc_index *ix, const uint8_t *key, size_t n);
/* The same, remembered with q (which belongs to ix) for its scorers. */
uint64_t eng_df_query(sarc_index *ix, sarc_query *q, const uint8_t *key, size_t n);
/* The document frequency of key summed over the segments, as eng_df,
 * looked up in every segment the first time the query asks and then
 * remembered with each segment's entry.  When segno is a segment, its
 * entry goes to *t and *found says whether it has one, and damage in its
 * dictionary goes to *segerr too. */
uint64_t eng_key_lookup(sarc_index *ix, sarc_query *q, const uint8_t *key, size_t n,
			size_t segno, struct seg_term *t, int *found, struct err *segerr);
/* The words node q (a Q_PREFIX of sq) matches in field f over the whole
 * index, expanded the first time and then kept with sq; NULL out of
 * memory.  An expansion cut short (PREFIX_CAP, engdict.c) leaves a note
 * (sarc_query_note). */
const struct pexp *eng_prefix_expansion(sarc_index *ix, sarc_query *sq, const struct q_node *q,
					unsigned f);
/* Records e as damage of the index (see struct sarc_index) unless some is
 * recorded already. */
void eng_damage(sarc_index *ix, const struct err *e);
size_t eng_key(uint8_t *key, unsigned field, const char *t, size_t n);
void eng_env(sarc_index *ix, const struct sarc_params *p, struct sc_env *env);

/* Sets v[i].cited to sarc_cited_count(ix, v[i].pmid) for n hits,
 * looking each up (ENG_CITED_LOOKUP) or reading the cites: terms once
 * (ENG_CITED_SCAN; ENG_CITED_AUTO: whichever reads less).  0, or
 * ERR_NOMEM; damage goes to eng_damage. */
enum { ENG_CITED_AUTO, ENG_CITED_LOOKUP, ENG_CITED_SCAN };
int eng_cited_counts(sarc_index *ix, struct sarc_hit *v, size_t n, int how);

/* sarc_facet, counting from the facet keys of the segments that have them
 * (ENG_FACET_KEYS), from the stored records (ENG_FACET_STORED), or from
 * whichever reads less (ENG_FACET_AUTO, what sarc_facet does). */
enum { ENG_FACET_AUTO, ENG_FACET_KEYS, ENG_FACET_STORED };
int eng_facet(sarc_index *ix, sarc_query *q, const char *field, int how,
	      struct sarc_facet **out, size_t *n, uint64_t *ndocs, char *err, size_t errcap);

/* Calls fn for every live document matching q, in document order within
 * a segment.  When bits_fn is not NULL, a segment whose matches the
 * engine gathered as a bitmap goes to bits_fn instead, whole: bit d of
 * bits[d / 64] set for each of its n live matches, bits (calloc'd, one
 * bit per document of the segment) then the callee's to free. */
int eng_visit(sarc_index *ix, sarc_query *q,
	      void (*fn)(void *ctx, sarc_index *ix, size_t segno, uint32_t doc),
	      void (*bits_fn)(void *ctx, sarc_index *ix, size_t segno, uint64_t *bits, uint64_t n),
	      void *ctx, char *err, size_t errcap);

#endif
