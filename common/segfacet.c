/*
 * segfacet.c - --verify's comparison of a segment's facet keys with its
 * stored records (see segfacet.h).  A table of the values met, keyed by
 * key-space byte and value; a segment holds tens of thousands of distinct
 * journals and headings at most, whatever its size.
 */
#include "segfacet.h"

#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "fmt.h"
#include "stored.h"

struct fval {
	size_t off, len;   /* key bytes in f->bytes: key-space byte, value */
	uint64_t keys;     /* documents the key lists */
	uint64_t recs;     /* documents whose record gives the value */
	uint64_t keysum, recsum; /* fingerprints of both (segfacet_doc) */
	uint64_t stamp;    /* the last such document + 1: a value once a record */
};

struct segfacet {
	struct fval *v;
	size_t n, cap;
	uint32_t *slot; /* index + 1 into v, 0 empty; a power of two, over 2n */
	size_t nslots;
	struct fmt_buf bytes;
	/* segfacet_record's value callback */
	unsigned fk;
	uint64_t doc;
	int err;
};

segfacet *segfacet_new(void)
{
	segfacet *f = calloc(1, sizeof *f);
	if (f)
		fmt_buf_init(&f->bytes);
	return f;
}

void segfacet_free(segfacet *f)
{
	if (f == NULL)
		return;
	free(f->v);
	free(f->slot);
	fmt_buf_free(&f->bytes);
	free(f);
}

static int grow(segfacet *f)
{
	size_t ns = f->nslots ? f->nslots * 2 : 1024;
	uint32_t *t = calloc(ns, sizeof *t);
	if (t == NULL)
		return ERR_NOMEM;
	for (size_t i = 0; i < f->n; i++) {
		size_t h = fmt_hash(f->bytes.p + f->v[i].off, f->v[i].len) & (ns - 1);
		while (t[h])
			h = (h + 1) & (ns - 1);
		t[h] = (uint32_t)i + 1;
	}
	free(f->slot);
	f->slot = t;
	f->nslots = ns;
	return 0;
}

/* The entry of key k[0..n), added when new; NULL when out of memory. */
static struct fval *find(segfacet *f, const uint8_t *k, size_t n)
{
	if ((f->n + 1) * 2 > f->nslots && grow(f))
		return NULL;
	size_t h = fmt_hash(k, n) & (f->nslots - 1);
	for (; f->slot[h]; h = (h + 1) & (f->nslots - 1)) {
		struct fval *v = &f->v[f->slot[h] - 1];
		if (v->len == n && memcmp(f->bytes.p + v->off, k, n) == 0)
			return v;
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 256;
		struct fval *nv = realloc(f->v, sizeof *nv * cap);
		if (nv == NULL)
			return NULL;
		f->v = nv;
		f->cap = cap;
	}
	size_t off = f->bytes.len;
	fmt_buf_put(&f->bytes, k, n);
	if (f->bytes.rc)
		return NULL;
	f->v[f->n] = (struct fval){.off = off, .len = n};
	f->slot[h] = (uint32_t)++f->n;
	return &f->v[f->n - 1];
}

int segfacet_key(segfacet *f, const uint8_t *key, size_t n, uint32_t df, uint64_t docs)
{
	struct fval *v = find(f, key, n);
	if (v == NULL)
		return ERR_NOMEM;
	v->keys = df;
	v->keysum = docs;
	return 0;
}

static int record_value(void *ctx, const char *s, size_t n)
{
	segfacet *f = ctx;
	uint8_t k[1 + ST_FACET_MAX];
	k[0] = (uint8_t)f->fk;
	memcpy(k + 1, s, n);
	struct fval *v = find(f, k, n + 1);
	if (v == NULL)
		return f->err = ERR_NOMEM;
	if (v->stamp != f->doc + 1) {
		v->recs++;
		v->recsum += segfacet_doc((uint32_t)f->doc);
	}
	v->stamp = f->doc + 1;
	return 0;
}

int segfacet_record(segfacet *f, uint32_t doc, const uint8_t *rec, size_t n)
{
	struct st_record r;
	uint32_t *refs = NULL;
	int rc = st_decode(rec, n, &r, &refs);
	free(refs);
	if (rc)
		return rc;
	static const unsigned fks[] = {FK_JOURNAL, FK_MESH, FK_PUBTYPE};
	f->doc = doc;
	for (size_t i = 0; i < sizeof fks / sizeof *fks && !rc; i++) {
		f->fk = fks[i];
		rc = st_facet_values(fks[i], r.s[ST_JOURNAL], r.s[ST_JOURNAL_ISO],
				     r.s[fks[i] == FK_MESH ? ST_MESH : ST_PUBTYPES], record_value, f);
	}
	return rc;
}

int segfacet_check(const segfacet *f, const char *name, struct err *e)
{
	static const char *const space[] = {"journal", "mesh", "pt"};
	for (size_t i = 0; i < f->n; i++) {
		const struct fval *v = &f->v[i];
		if (v->keys == v->recs && v->keysum == v->recsum)
			continue;
		const uint8_t *k = f->bytes.p + v->off;
		unsigned s = k[0] - FK_JOURNAL;
		if (v->keys == v->recs)
			return err_set(e, ERR_CORRUPT,
				       "%s.sdic: facet key %s '%.*s' lists %llu documents, not those "
				       "whose stored records give it",
				       name, s < 3 ? space[s] : "?", (int)(v->len - 1),
				       (const char *)k + 1, (unsigned long long)v->keys);
		return err_set(e, ERR_CORRUPT,
			       "%s.sdic: facet key %s '%.*s' lists %llu documents, the stored "
			       "records give %llu",
			       name, s < 3 ? space[s] : "?", (int)(v->len - 1), (const char *)k + 1,
			       (unsigned long long)v->keys, (unsigned long long)v->recs);
	}
	return 0;
}
