/*
 * invert.c - in-memory inversion (see invert.h).
 *
 * Terms are interned in an open-addressing hash table keyed by
 * (field byte + term).  Each term owns a growable byte buffer of postings
 * coded as varints: document gap, frequency, then the position gaps.  A
 * document's occurrences are chained per term as they arrive (positions
 * arrive in increasing order), so at the end of the document each term
 * appends one complete posting without any sorting.
 * Flushing sorts the terms by key and hands each list to the segment writer.
 */
#include "invert.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "fields.h"
#include "fmt.h"
#include "seg.h"
#include "segwrite.h"
#include "stored.h"

#define INLINE_KEY 24

/* Everything a token and a posting touch, in one cache line (the array is
 * 64-byte aligned): when the vocabulary outgrows the caches, a second line
 * per term was a second miss per posting. */
struct term {
	union {
		uint8_t inl[INLINE_KEY]; /* short keys live here: one cache miss less per token */
		const uint8_t *ptr; /* longer keys: in the key arena */
	} key;
	uint32_t keylen;
	uint32_t df;
	uint32_t last_doc;  /* document of the last posting, for the gap */
	uint32_t seen;      /* 1 + the document whose occurrences are chained below */
	uint32_t head, tail;/* chain of this document's occurrences in inv.occ */
	uint32_t ntf;       /* occurrences in the chain */
	uint32_t room;      /* bytes free at wp in the last slice */
	uint8_t *wp;        /* where the next posting byte goes; NULL: no slice yet */
};
_Static_assert(sizeof(struct term) == 64, "struct term is one cache line");

/* The cold part of a term, in an array parallel to inv.terms: touched only
 * when a slice fills up, and at flush. */
struct term_slices {
	struct slice *first, *last; /* postings, see below, in arena slices */
	uint32_t full;      /* bytes in the slices before last */
};

/* A piece of a term's postings, from the postings arena.  Slices double
 * in size up to SLICE_MAX, so a rare term wastes little and a common one
 * few links; the whole arena is freed at once after a flush, which keeps
 * the process's memory within the budget (per-term realloc left the heap
 * fragmented across threads).  Every slice but a term's last is full. */
struct slice {
	struct slice *next;
	uint32_t size;
	uint8_t data[];
};

#define SLICE_MIN 16
#define SLICE_MAX 8192

struct inv {
	an_analyzer *an;
	struct arena keys;  /* long keys and posting slices of the batch */
	struct term *terms; /* 64-byte aligned */
	struct term_slices *tsl; /* parallel to terms */
	uint32_t nterms, termcap;
	uint64_t *slots; /* hash table: (hash << 32) | (term id + 1); 0 = empty */
	uint32_t nslots;
	/* the document being added */
	struct occ {
		uint32_t pos, next;
	} *occ;            /* occurrences of the document being added */
	size_t nocc, occcap;
	uint32_t *uniq;    /* terms of the document being added, first seen first */
	size_t nuniq, uniqcap;
	unsigned cur_field;
	uint32_t cur_len;
	/* finished documents */
	struct fmt_buf docs;   /* per doc: pmid u32, year u16, lens u16[F_NFIELDS] */
	struct fmt_buf stored; /* concatenated stored records, each varint-length-prefixed */
	struct inv_seqrun *runs; /* the batch's sequence numbers (invert.h) */
	uint32_t nruns, runcap;
	uint64_t last_seq;
	uint32_t ndocs;
	uint64_t npostings;
	struct fmt_buf scratch;
	/* the document's keys, interned together at its end (see resolve) */
	struct pend {
		uint32_t hash, off, pos;
		uint32_t len;
	} *pend;
	size_t npend, pendcap;
	struct fmt_buf pendkeys;
};

#define DOC_BYTES (4 + 2 + 2 * F_NFIELDS)

inv *inv_new(const struct an_settings *an, struct err *e)
{
	inv *v = calloc(1, sizeof *v);
	if (v == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	arena_init(&v->keys);
	fmt_buf_init(&v->docs);
	fmt_buf_init(&v->stored);
	fmt_buf_init(&v->scratch);
	fmt_buf_init(&v->pendkeys);
	if ((v->an = an_new(an, e)) == NULL) {
		free(v);
		return NULL;
	}
	return v;
}

static void reset(inv *v)
{
	v->nterms = 0;
	/* give the batch's big tables back: the next batch regrows them */
	free(v->slots);
	v->slots = NULL;
	v->nslots = 0;
	free(v->terms);
	v->terms = NULL;
	free(v->tsl);
	v->tsl = NULL;
	v->termcap = 0;
	arena_free(&v->keys);
	/* ... and the documents' too: inv_bytes() counts their capacity,
	 * so buffers kept at the size the budget filled would leave it full
	 * after the flush, and every record after would flush a segment of
	 * its own (records with little text, whose stored form outweighs
	 * their terms, did: 13,090 segments, then mmap failed) */
	fmt_buf_free(&v->docs);
	fmt_buf_free(&v->stored);
	free(v->runs);
	v->runs = NULL;
	v->runcap = 0;
	v->ndocs = 0;
	v->nruns = 0;
	v->npostings = 0;
}

void inv_free(inv *v)
{
	if (v == NULL)
		return;
	reset(v);
	free(v->terms);
	free(v->tsl);
	free(v->slots);
	free(v->occ);
	free(v->uniq);
	free(v->runs);
	arena_free(&v->keys);
	fmt_buf_free(&v->docs);
	fmt_buf_free(&v->stored);
	fmt_buf_free(&v->scratch);
	fmt_buf_free(&v->pendkeys);
	free(v->pend);
	an_free(v->an);
	free(v);
}

size_t inv_bytes(const inv *v)
{
	return v->keys.cap_bytes +
	       (size_t)v->termcap * (sizeof(struct term) + sizeof(struct term_slices)) +
	       (size_t)v->nslots * 8 + v->docs.cap + v->stored.cap +
	       (size_t)v->runcap * sizeof(struct inv_seqrun);
}

uint64_t inv_seq_of(const struct inv_seqs *s, uint32_t d)
{
	uint32_t lo = 0, hi = s->n; /* the last run with doc <= d */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s->run[mid].doc <= d)
			lo = mid;
		else
			hi = mid;
	}
	return s->run[lo].seq + (d - s->run[lo].doc);
}

uint32_t inv_ndocs(const inv *v)
{
	return v->ndocs;
}

uint64_t inv_npostings(const inv *v)
{
	return v->npostings;
}

/* Multiplicative hash over 8-byte words: terms are short, and hashing a
 * byte at a time showed up in profiles of indexing. */
static const uint8_t *term_key(const struct term *t)
{
	return t->keylen <= INLINE_KEY ? t->key.inl : t->key.ptr;
}

static uint32_t hash_key(const uint8_t *k, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, k, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 29;
		k += 8;
		n -= 8;
	}
	if (n) {
		uint64_t w = 0;
		memcpy(&w, k, n);
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	}
	h ^= h >> 32;
	return (uint32_t)h;
}

/* Doubles the hash table, placing each term by the hash its slot keeps
 * (rehashing would touch every term's key: a cache miss each). */
static int grow_table(inv *v)
{
	uint32_t n = v->nslots ? v->nslots * 2 : 1u << 12;
	uint64_t *s = calloc(n, sizeof *s);
	if (s == NULL)
		return ERR_NOMEM;
	for (uint32_t i = 0; i < v->nslots; i++) {
		uint64_t slot = v->slots[i];
		if (slot == 0)
			continue;
		uint32_t h = (uint32_t)(slot >> 32) & (n - 1);
		while (s[h])
			h = (h + 1) & (n - 1);
		s[h] = slot;
	}
	free(v->slots);
	v->slots = s;
	v->nslots = n;
	return 0;
}

/* Returns the id of key (hash hv), adding it if new; UINT32_MAX when out
 * of memory. */
static uint32_t intern(inv *v, const uint8_t *key, size_t n, uint32_t hv)
{
	if ((uint64_t)(v->nterms + 1) * 2 > v->nslots && grow_table(v))
		return UINT32_MAX;
	uint32_t mask = v->nslots - 1, h = hv & mask;
	for (;;) {
		uint64_t slot = v->slots[h];
		if (slot == 0)
			break;
		if ((uint32_t)(slot >> 32) == hv) {
			uint32_t id = (uint32_t)slot - 1;
			struct term *t = &v->terms[id];
			if (t->keylen == n && fmt_same(term_key(t), key, n))
				return id;
		}
		h = (h + 1) & mask;
	}
	if (v->nterms == v->termcap) {
		uint32_t cap = v->termcap ? v->termcap * 2 : 1u << 10;
		struct term *t = aligned_alloc(64, sizeof *t * cap);
		struct term_slices *ts = realloc(v->tsl, sizeof *ts * cap);
		if (ts != NULL)
			v->tsl = ts;
		if (t == NULL || ts == NULL) {
			free(t);
			return UINT32_MAX;
		}
		if (v->nterms)
			memcpy(t, v->terms, sizeof *t * v->nterms);
		free(v->terms);
		v->terms = t;
		v->termcap = cap;
	}
	struct term *t = &v->terms[v->nterms];
	memset(t, 0, sizeof *t);
	memset(&v->tsl[v->nterms], 0, sizeof v->tsl[v->nterms]);
	if (n <= INLINE_KEY) {
		memcpy(t->key.inl, key, n);
	} else {
		uint8_t *k = arena_alloc(&v->keys, n);
		if (k == NULL)
			return UINT32_MAX;
		memcpy(k, key, n);
		t->key.ptr = k;
	}
	t->keylen = (uint32_t)n;
	v->slots[h] = (uint64_t)hv << 32 | (v->nterms + 1);
	return v->nterms++;
}

/* Doubles an array of *cap elements of size bytes (first elements when
 * empty); the new array, or NULL with p and *cap untouched. */
static void *grow(void *p, size_t *cap, size_t size, size_t first)
{
	size_t c = *cap ? *cap * 2 : first;
	void *q = realloc(p, size * c);
	if (q != NULL)
		*cap = c;
	return q;
}

static int add_occ(inv *v, uint32_t id, uint32_t pos)
{
	if (v->nocc == v->occcap) {
		struct occ *o = grow(v->occ, &v->occcap, sizeof *o, 4096);
		if (o == NULL)
			return ERR_NOMEM;
		v->occ = o;
	}
	uint32_t k = (uint32_t)v->nocc++;
	v->occ[k].pos = pos;
	v->occ[k].next = UINT32_MAX;
	struct term *t = &v->terms[id];
	if (t->seen != v->ndocs + 1) {
		if (v->nuniq == v->uniqcap) {
			uint32_t *u = grow(v->uniq, &v->uniqcap, sizeof *u, 1024);
			if (u == NULL)
				return ERR_NOMEM;
			v->uniq = u;
		}
		v->uniq[v->nuniq++] = id;
		t->seen = v->ndocs + 1;
		t->head = t->tail = k;
		t->ntf = 1;
	} else {
		v->occ[t->tail].next = k;
		t->tail = k;
		t->ntf++;
	}
	return 0;
}

/* Queues field byte + term at pos for interning at the end of the
 * document. */
static int queue(inv *v, unsigned field, const char *t, size_t n, uint32_t pos)
{
	if (n + 1 > SEG_MAX_KEY)
		return 0;
	if (v->npend == v->pendcap) {
		struct pend *p = grow(v->pend, &v->pendcap, sizeof *p, 1024);
		if (p == NULL)
			return ERR_NOMEM;
		v->pend = p;
	}
	uint8_t *k = fmt_buf_reserve(&v->pendkeys, n + 1);
	if (k == NULL)
		return ERR_NOMEM;
	k[0] = (uint8_t)field;
	memcpy(k + 1, t, n);
	struct pend *p = &v->pend[v->npend++];
	p->off = (uint32_t)v->pendkeys.len;
	p->len = (uint32_t)(n + 1);
	p->pos = pos;
	p->hash = hash_key(k, n + 1);
	v->pendkeys.len += n + 1;
	return 0;
}

/* Interns the document's queued keys.  A token costs two cache misses
 * (its hash slot, then its term) when the vocabulary outgrows the caches;
 * prefetching both a few tokens ahead overlaps them. */
static int resolve(inv *v)
{
	enum { AHEAD = 8 };
	if (v->nslots == 0 && grow_table(v))
		return ERR_NOMEM;
	for (size_t i = 0; i < v->npend; i++) {
		if (i + AHEAD < v->npend)
			__builtin_prefetch(&v->slots[v->pend[i + AHEAD].hash & (v->nslots - 1)]);
		if (i + AHEAD / 2 < v->npend) {
			uint64_t slot = v->slots[v->pend[i + AHEAD / 2].hash & (v->nslots - 1)];
			if (slot)
				__builtin_prefetch(&v->terms[(uint32_t)slot - 1]);
		}
		const struct pend *p = &v->pend[i];
		uint32_t id = intern(v, v->pendkeys.p + p->off, p->len, p->hash);
		if (id == UINT32_MAX || add_occ(v, id, p->pos))
			return ERR_NOMEM;
	}
	v->npend = 0;
	v->pendkeys.len = 0;
	return 0;
}

static int emit(void *ctx, const struct an_term *t)
{
	inv *v = ctx;
	if (t->kind != AN_JOINED)
		v->cur_len++;
	return queue(v, v->cur_field, t->text, t->len, t->pos);
}

/* Analyzes one value of a field; *pos carries positions across values,
 * with a gap so that a phrase never spans two values.  Author names are
 * neither stopped nor stemmed: "An", "To" and the initial "A" are names
 * there, and "Browning" is not "Brown" (docs/ANALYSIS.md); the query side
 * analyzes author words alike. */
static int add_text(inv *v, unsigned field, const char *s, uint32_t *pos)
{
	if (s == NULL || *s == '\0')
		return 0;
	v->cur_field = field;
	int rc = an_run_flags(v->an, s, strlen(s), field == F_AUTHOR ? AN_NAMES : 0, pos,
			      NULL, emit, v);
	*pos += 8;
	return rc;
}

/* Gives term id a new last slice, twice the size of the one before. */
static int new_slice(inv *v, uint32_t id)
{
	struct term_slices *ts = &v->tsl[id];
	struct slice *s = ts->last;
	uint32_t size = s ? (s->size * 2 > SLICE_MAX ? SLICE_MAX : s->size * 2) : SLICE_MIN;
	if (s && s->size > UINT32_MAX - SLICE_MAX - ts->full)
		return ERR_LIMIT; /* flush reads a term's postings as one run */
	struct slice *ns = arena_alloc(&v->keys, sizeof *ns + size);
	if (ns == NULL)
		return ERR_NOMEM;
	ns->next = NULL;
	ns->size = size;
	if (s) {
		s->next = ns;
		ts->full += s->size;
	} else {
		ts->first = ns;
	}
	ts->last = ns;
	v->terms[id].wp = ns->data;
	v->terms[id].room = size;
	return 0;
}

/* Appends p[0..n) to term id's slices. */
static int append(inv *v, uint32_t id, const uint8_t *p, size_t n)
{
	struct term *t = &v->terms[id];
	while (n > t->room) {
		if (t->room) {
			memcpy(t->wp, p, t->room);
			p += t->room;
			n -= t->room;
		}
		int rc = new_slice(v, id);
		if (rc)
			return rc;
	}
	memcpy(t->wp, p, n);
	t->wp += n;
	t->room -= (uint32_t)n;
	return 0;
}

/* Codes term t's posting for doc at p; returns its end. */
static uint8_t *put_posting(const inv *v, const struct term *t, uint32_t doc, uint8_t *p)
{
	p += fmt_put_varint(p, t->df ? doc - t->last_doc : doc);
	p += fmt_put_varint(p, t->ntf);
	uint32_t last = 0;
	for (uint32_t k = t->head; k != UINT32_MAX; k = v->occ[k].next) {
		p += fmt_put_varint(p, v->occ[k].pos - last);
		last = v->occ[k].pos;
	}
	return p;
}

/* Appends this document's postings: one per term, positions in order. */
static int post_doc(inv *v, uint32_t doc)
{
	enum { AHEAD = 8 };
	for (size_t u = 0; u < v->nuniq; u++) {
		/* The spot a term's posting goes to is cold (terms are visited
		 * in text order, their slices lie all over the batch): ask for
		 * it early.  The term itself is warm from resolve(). */
		if (u + AHEAD < v->nuniq) {
			const struct term *ahead = &v->terms[v->uniq[u + AHEAD]];
			if (ahead->wp != NULL)
				__builtin_prefetch(ahead->wp, 1);
		}
		uint32_t id = v->uniq[u];
		struct term *t = &v->terms[id];
		/* a posting is at most two 5-byte varints and one per position */
		size_t max = 10 + (size_t)t->ntf * 5;
		if (max <= t->room) {
			uint8_t *end = put_posting(v, t, doc, t->wp);
			t->room -= (uint32_t)(end - t->wp);
			t->wp = end;
		} else {
			v->scratch.len = 0;
			uint8_t *p = fmt_buf_reserve(&v->scratch, max);
			if (p == NULL)
				return ERR_NOMEM;
			int rc = append(v, id, p, (size_t)(put_posting(v, t, doc, p) - p));
			if (rc)
				return rc;
		}
		t->df++;
		t->last_doc = doc;
		v->npostings++;
	}
	v->nocc = 0;
	v->nuniq = 0;
	return 0;
}

/* Joins strings as a stored list (ST_LIST_SEP) into the scratch buffer
 * (NUL-terminated); returns its offset in v->scratch. */
static size_t join(inv *v, const char *const *s, size_t n)
{
	size_t off = v->scratch.len;
	for (size_t i = 0; i < n; i++) {
		if (i)
			fmt_buf_u8(&v->scratch, ST_LIST_SEP);
		fmt_buf_put(&v->scratch, s[i], strlen(s[i]));
	}
	fmt_buf_u8(&v->scratch, 0);
	return off;
}

static size_t join_authors(inv *v, const struct pm_record *r)
{
	size_t off = v->scratch.len;
	for (size_t i = 0; i < r->nauthors; i++) {
		const struct pm_author *a = &r->authors[i];
		if (i)
			fmt_buf_u8(&v->scratch, ST_LIST_SEP);
		fmt_buf_put(&v->scratch, a->last, strlen(a->last));
		const char *f = a->fore[0] ? a->fore : a->initials;
		if (!a->collective && f[0]) {
			fmt_buf_u8(&v->scratch, ' ');
			fmt_buf_put(&v->scratch, f, strlen(f));
		}
	}
	fmt_buf_u8(&v->scratch, 0);
	return off;
}

static size_t join_mesh(inv *v, const struct pm_record *r)
{
	size_t off = v->scratch.len;
	for (size_t i = 0; i < r->nmesh; i++) {
		const struct pm_mesh *m = &r->mesh[i];
		if (i)
			fmt_buf_u8(&v->scratch, ST_LIST_SEP);
		fmt_buf_put(&v->scratch, m->descriptor, strlen(m->descriptor));
		for (size_t q = 0; q < m->qualifiers.n; q++) {
			fmt_buf_u8(&v->scratch, '/');
			fmt_buf_put(&v->scratch, m->qualifiers.v[q], strlen(m->qualifiers.v[q]));
		}
		if (m->major)
			fmt_buf_u8(&v->scratch, '*');
	}
	fmt_buf_u8(&v->scratch, 0);
	return off;
}

/* Appends r's stored record; *out gets its strings, which stay valid
 * until the next record (the lists are in v->scratch). */
static int add_stored(inv *v, const struct pm_record *r, struct st_record *out)
{
	size_t off[ST_NSTR];
	struct st_record s;
	memset(&s, 0, sizeof s);
	v->scratch.len = 0;
	off[ST_AUTHORS] = join_authors(v, r);
	off[ST_MESH] = join_mesh(v, r);
	off[ST_KEYWORDS] = join(v, r->keywords.v, r->keywords.n);
	off[ST_PUBTYPES] = join(v, r->pubtypes.v, r->pubtypes.n);
	off[ST_LANGUAGES] = join(v, r->languages.v, r->languages.n);
	if (v->scratch.rc)
		return ERR_NOMEM;
	s.pmid = r->pmid;
	s.version = r->version;
	s.year = r->year;
	s.s[ST_TITLE] = r->title;
	s.s[ST_ABSTRACT] = r->abstract;
	s.s[ST_JOURNAL] = r->journal;
	s.s[ST_JOURNAL_ISO] = r->journal_iso;
	s.s[ST_DOI] = r->doi;
	s.s[ST_PMC] = r->pmc;
	static const int joined[] = {ST_AUTHORS, ST_MESH, ST_KEYWORDS, ST_PUBTYPES, ST_LANGUAGES};
	for (size_t i = 0; i < sizeof joined / sizeof *joined; i++)
		s.s[joined[i]] = (const char *)v->scratch.p + off[joined[i]];
	s.refs = r->refs;
	s.nrefs = r->nrefs;
	/* length-prefixed so that a flush can walk the records */
	size_t mark = v->stored.len;
	fmt_buf_u32(&v->stored, 0);
	st_encode(&v->stored, &s);
	if (v->stored.rc)
		return ERR_NOMEM;
	*out = s;
	fmt_put_u32le(v->stored.p + mark, (uint32_t)(v->stored.len - mark - 4));
	return 0;
}

static int queue_facet(void *ctx, unsigned fk, const char *s, size_t n, uint32_t pos)
{
	return queue(ctx, fk, s, n, pos);
}

/* Queues the record's facet keys (FORMAT.md §4.1), made from its stored
 * strings s as the query engine's counts from stored records are. */
static int add_facets(inv *v, const struct st_record *s)
{
	return st_record_facets(s, queue_facet, v);
}

/* "Last Fore Initials" into name[0..cap), cut short as snprintf() would
 * cut it (which took a tenth of the time of adding an author). */
static void author_name(char *name, size_t cap, const struct pm_author *a)
{
	const char *part[3] = {a->last, a->fore, a->initials};
	size_t n = 0;
	for (int i = 0; i < 3; i++) {
		size_t k = strlen(part[i]);
		if (i > 0 && n < cap - 1)
			name[n++] = ' ';
		if (k > cap - 1 - n)
			k = cap - 1 - n;
		memcpy(name + n, part[i], k);
		n += k;
	}
	name[n] = '\0';
}

/* v in decimal into out (at least 10 bytes, not NUL-terminated); returns
 * the length. */
static size_t decimal(char *out, uint32_t v)
{
	char tmp[10];
	size_t n = 0, k;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (k = 0; k < n; k++)
		out[k] = tmp[n - 1 - k];
	return n;
}

int inv_add(inv *v, const struct pm_record *r, uint64_t seq, struct err *e)
{
	uint16_t lens[F_NFIELDS];
	uint32_t pos;
	int rc = 0;
	v->nocc = 0;
	v->nuniq = 0;
	v->npend = 0;
	v->pendkeys.len = 0;
	struct {
		unsigned field;
		const char *text;
	} simple[] = {{F_TITLE, r->title}, {F_ABSTRACT, r->abstract}};
	for (unsigned f = 0; f < F_NFIELDS; f++) {
		v->cur_len = 0;
		pos = 0;
		switch (f) {
		case F_TITLE:
		case F_ABSTRACT:
			rc = add_text(v, f, simple[f].text, &pos);
			break;
		case F_MESH:
		case F_MAJR:
			for (size_t i = 0; i < r->nmesh && !rc; i++) {
				if (f == F_MAJR && !r->mesh[i].major)
					continue;
				rc = add_text(v, f, r->mesh[i].descriptor, &pos);
				for (size_t q = 0; q < r->mesh[i].qualifiers.n && !rc && f == F_MESH; q++)
					rc = add_text(v, f, r->mesh[i].qualifiers.v[q], &pos);
			}
			break;
		case F_KEYWORD:
			for (size_t i = 0; i < r->keywords.n && !rc; i++)
				rc = add_text(v, f, r->keywords.v[i], &pos);
			break;
		case F_AUTHOR:
			for (size_t i = 0; i < r->nauthors && !rc; i++) {
				char name[512];
				author_name(name, sizeof name, &r->authors[i]);
				rc = add_text(v, f, name, &pos);
			}
			break;
		case F_JOURNAL:
			rc = add_text(v, f, r->journal, &pos);
			if (!rc && strcmp(r->journal_iso, r->journal) != 0)
				rc = add_text(v, f, r->journal_iso, &pos);
			if (!rc && strcmp(r->medline_ta, r->journal_iso) != 0)
				rc = add_text(v, f, r->medline_ta, &pos);
			break;
		case F_PUBTYPE:
			for (size_t i = 0; i < r->pubtypes.n && !rc; i++)
				rc = add_text(v, f, r->pubtypes.v[i], &pos);
			break;
		case F_LANG:
			for (size_t i = 0; i < r->languages.n && !rc; i++)
				rc = add_text(v, f, r->languages.v[i], &pos);
			break;
		case F_CITES:
			/* cited PMIDs as decimal terms, not analyzed: they are ids */
			for (size_t i = 0; i < r->nrefs && !rc; i++) {
				char num[16];
				rc = queue(v, F_CITES, num, decimal(num, r->refs[i]), (uint32_t)i);
				v->cur_len++;
			}
			break;
		}
		lens[f] = v->cur_len > UINT16_MAX ? UINT16_MAX : (uint16_t)v->cur_len;
		if (rc)
			break;
	}
	struct st_record st;
	if (!rc)
		rc = add_stored(v, r, &st);
	if (!rc)
		rc = add_facets(v, &st);
	if (!rc)
		rc = resolve(v);
	if (!rc)
		rc = post_doc(v, v->ndocs);
	if (!rc) {
		uint8_t *d = fmt_buf_reserve(&v->docs, DOC_BYTES);
		if (d == NULL) {
			rc = ERR_NOMEM;
		} else {
			fmt_put_u32le(d, r->pmid);
			fmt_put_u16le(d + 4, r->year);
			for (unsigned f = 0; f < F_NFIELDS; f++)
				fmt_put_u16le(d + 6 + 2 * f, lens[f]);
			v->docs.len += DOC_BYTES;
		}
	}
	int new_run = v->ndocs == 0 || seq != v->last_seq + 1;
	if (!rc && new_run && v->nruns == v->runcap) {
		uint32_t cap = v->runcap ? v->runcap * 2 : 64;
		struct inv_seqrun *n = realloc(v->runs, sizeof *n * cap);
		if (n == NULL)
			rc = ERR_NOMEM;
		else {
			v->runs = n;
			v->runcap = cap;
		}
	}
	if (rc) {
		/* undo nothing: the caller abandons the inverter on error */
		return err_set(e, rc, "pmid %u: %s", r->pmid, err_str(rc));
	}
	if (new_run)
		v->runs[v->nruns++] = (struct inv_seqrun){.doc = v->ndocs, .seq = seq};
	v->last_seq = seq;
	v->ndocs++;
	return 0;
}

/* A term to sort: its key's first 8 bytes, big-endian, and its id.  Most
 * comparisons end at the head, without a cache miss on either term. */
struct sort_term {
	uint64_t head;
	uint64_t id;
};

static int cmp_term(const void *a, const void *b, void *ctx)
{
	const struct sort_term *sa = a, *sb = b;
	if (sa->head != sb->head)
		return sa->head < sb->head ? -1 : 1;
	const struct term *t = ctx;
	const struct term *x = &t[sa->id], *y = &t[sb->id];
	size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
	int c = memcmp(term_key(x), term_key(y), n);
	if (c)
		return c;
	return x->keylen < y->keylen ? -1 : x->keylen > y->keylen;
}

/* The ids of the terms in key order, in order[].  The sort's entries
 * take the hash table's place: the table has room for them (it is at
 * least twice the terms, at 8 bytes a slot), and nothing looks a term
 * up any more. */
static void sort_terms(inv *v, uint32_t *order)
{
	struct sort_term *st = (struct sort_term *)(void *)v->slots;
	for (uint32_t i = 0; i < v->nterms; i++) {
		const struct term *t = &v->terms[i];
		const uint8_t *k = term_key(t);
		uint64_t h = 0;
		for (uint32_t j = 0; j < 8; j++)
			h = h << 8 | (j < t->keylen ? k[j] : 0);
		st[i] = (struct sort_term){h, i};
	}
	qsort_r(st, v->nterms, sizeof *st, cmp_term, v->terms);
	for (uint32_t i = 0; i < v->nterms; i++)
		order[i] = (uint32_t)st[i].id;
	free(v->slots);
	v->slots = NULL;
	v->nslots = 0;
}

int inv_flush(inv *v, const char *dir, const char *name, uint32_t flags,
	      struct sw_vocab_slot *slot, struct inv_seqs *seqs, uint64_t *bytes,
	      struct err *e)
{
	int rc = 0;
	uint32_t *order = NULL, *docs = NULL, *tfs = NULL, *pos = NULL;
	size_t poscap = 0;
	sw_writer *w = sw_open(dir, name, AN_VERSION, flags, e);
	if (w == NULL)
		return e->code;
	if (slot)
		rc = sw_share_vocab(w, slot);
	/* documents */
	const uint8_t *sp = v->stored.p;
	for (uint32_t d = 0; d < v->ndocs && !rc; d++) {
		const uint8_t *p = v->docs.p + (size_t)d * DOC_BYTES;
		uint16_t lens[F_NFIELDS];
		for (unsigned f = 0; f < F_NFIELDS; f++)
			lens[f] = fmt_get_u16le(p + 6 + 2 * f);
		uint32_t n = fmt_get_u32le(sp);
		rc = sw_add_doc(w, fmt_get_u32le(p), fmt_get_u16le(p + 4), lens, sp + 4, n);
		sp += 4 + n;
	}
	/* terms in key order */
	order = malloc(sizeof *order * (v->nterms ? v->nterms : 1));
	docs = malloc(sizeof *docs * (v->ndocs ? v->ndocs : 1));
	tfs = malloc(sizeof *tfs * (v->ndocs ? v->ndocs : 1));
	if (!order || !docs || !tfs) {
		rc = ERR_NOMEM;
		goto out;
	}
	if (v->nterms)
		sort_terms(v, order);
	for (uint32_t i = 0; i < v->nterms && !rc; i++) {
		/* Key order is random order in memory: every term and first
		 * slice is a cache miss unless asked for early. */
		enum { AHEAD = 8 };
		if (i + AHEAD < v->nterms) {
			__builtin_prefetch(&v->terms[order[i + AHEAD]]);
			__builtin_prefetch(&v->tsl[order[i + AHEAD]]);
		}
		if (i + AHEAD / 2 < v->nterms && v->tsl[order[i + AHEAD / 2]].first != NULL)
			__builtin_prefetch(v->tsl[order[i + AHEAD / 2]].first);
		struct term *t = &v->terms[order[i]];
		/* facet keys sort last: a segment without them ends here */
		if (!(flags & SEG_FLAG_FACETS) && term_key(t)[0] >= F_NFIELDS)
			break;
		/* gather the slices into one run of bytes (all full but the last) */
		const struct term_slices *ts = &v->tsl[order[i]];
		v->scratch.len = 0;
		for (const struct slice *sl = ts->first; sl; sl = sl->next)
			fmt_buf_put(&v->scratch, sl->data, sl == ts->last ? sl->size - t->room : sl->size);
		if (v->scratch.rc) {
			rc = ERR_NOMEM;
			break;
		}
		/* positions never outnumber the bytes that code them */
		if (v->scratch.len > poscap) {
			free(pos);
			poscap = v->scratch.len;
			if ((pos = malloc(sizeof *pos * poscap)) == NULL) {
				rc = ERR_NOMEM;
				break;
			}
		}
		const uint8_t *p = v->scratch.p, *end = v->scratch.p + v->scratch.len;
		uint32_t doc = 0;
		size_t np = 0;
		for (uint32_t k = 0; k < t->df; k++) {
			uint64_t gap = 0, tf = 0, g = 0;
			p += fmt_get_varint(p, end, &gap);
			p += fmt_get_varint(p, end, &tf);
			doc = k ? doc + (uint32_t)gap : (uint32_t)gap;
			docs[k] = doc;
			tfs[k] = (uint32_t)tf;
			uint32_t last = 0;
			for (uint64_t j = 0; j < tf; j++) {
				p += fmt_get_varint(p, end, &g);
				last += (uint32_t)g;
				pos[np++] = last;
			}
		}
		rc = sw_add_term(w, term_key(t), t->keylen, t->df, docs, tfs, pos);
	}
out:
	free(order);
	free(docs);
	free(tfs);
	free(pos);
	if (rc) {
		err_set(e, rc, "%s", sw_error(w)->code ? sw_error(w)->msg : err_str(rc));
		sw_abort(w);
		return rc;
	}
	if ((rc = sw_finish(w, bytes, e)) != 0)
		return rc;
	seqs->run = malloc(sizeof *seqs->run * (v->nruns ? v->nruns : 1));
	if (seqs->run == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	memcpy(seqs->run, v->runs, sizeof *seqs->run * v->nruns);
	seqs->n = v->nruns;
	reset(v);
	return 0;
}
