/*
 * segfacet.c - --verify's comparison of a segment's facet keys with its
 * stored records (see segfacet.h).  A table of the values met (strtab.h),
 * keyed by key-space byte and value; a segment holds tens of thousands of
 * distinct journals and headings at most, whatever its size.
 */
#include "segfacet.h"

#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "fmt.h"
#include "stored.h"
#include "strtab.h"

struct fval {
	uint64_t keys;     /* documents the key lists */
	uint64_t recs;     /* documents whose record gives the value */
	uint64_t keysum, recsum; /* fingerprints of both (segfacet_doc) */
	uint64_t stamp;    /* the last such document + 1: a value once a record */
};

struct segfacet {
	struct strtab keys; /* key-space byte, value; a struct fval each */
	uint64_t doc; /* the record segfacet_record reads */
	int err;
};

segfacet *segfacet_new(void)
{
	segfacet *f = calloc(1, sizeof *f);
	if (f)
		strtab_init(&f->keys, sizeof(struct fval));
	return f;
}

void segfacet_free(segfacet *f)
{
	if (f == NULL)
		return;
	strtab_free(&f->keys);
	free(f);
}

/* The entry of key k[0..n), added when new; NULL when out of memory. */
static struct fval *find(segfacet *f, const uint8_t *k, size_t n)
{
	long i = strtab_add(&f->keys, k, n);
	return i < 0 ? NULL : strtab_val(&f->keys, (size_t)i);
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

static int record_value(void *ctx, unsigned fk, const char *s, size_t n, uint32_t pos)
{
	(void)pos;
	segfacet *f = ctx;
	uint8_t k[1 + ST_FACET_MAX];
	k[0] = (uint8_t)fk;
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
	f->doc = doc;
	return st_encoded_facets(rec, n, record_value, f);
}

int segfacet_check(const segfacet *f, const char *name, struct err *e)
{
	static const char *const space[] = {"journal", "mesh", "pt"};
	for (size_t i = 0; i < f->keys.n; i++) {
		const struct fval *v = strtab_val(&f->keys, i);
		if (v->keys == v->recs && v->keysum == v->recsum)
			continue;
		size_t len;
		const uint8_t *k = strtab_str(&f->keys, i, &len);
		unsigned s = k[0] - FK_JOURNAL;
		if (v->keys == v->recs)
			return err_set(e, ERR_CORRUPT,
				       "%s.sdic: facet key %s '%.*s' lists %llu documents, not those "
				       "whose stored records give it",
				       name, s < 3 ? space[s] : "?", (int)(len - 1),
				       (const char *)k + 1, (unsigned long long)v->keys);
		return err_set(e, ERR_CORRUPT,
			       "%s.sdic: facet key %s '%.*s' lists %llu documents, the stored "
			       "records give %llu",
			       name, s < 3 ? space[s] : "?", (int)(len - 1), (const char *)k + 1,
			       (unsigned long long)v->keys, (unsigned long long)v->recs);
	}
	return 0;
}
