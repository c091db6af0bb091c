/*
 * docs.c - what the engine says about documents rather than how it ranks
 * them: stored records, highlights, explanations, facets, citation counts
 * and "similar articles" queries (see sarc.h).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "fmt.h"
#include "stored.h"
#include "strtab.h"

struct doc_priv {
	uint8_t *raw;
	uint32_t *refs;
};

static int fill_doc(sarc_index *ix, uint32_t segno, uint32_t doc, struct sarc_doc *d, char *err,
		    size_t errcap)
{
	struct err e;
	err_clear(&e);
	memset(d, 0, sizeof *d);
	struct doc_priv *p = calloc(1, sizeof *p);
	size_t n;
	if (p == NULL) {
		eng_err(err, errcap, "out of memory");
		return ERR_NOMEM;
	}
	int rc = seg_stored_cur_get(&ix->stored, &ix->x.segs[segno], doc, &p->raw, &n, &e);
	if (rc) {
		free(p);
		eng_err(err, errcap, "%s", e.msg);
		return rc;
	}
	struct st_record r;
	if ((rc = st_decode(p->raw, n, &r, &p->refs)) != 0) {
		free(p->raw);
		free(p);
		eng_err(err, errcap, "%s.ssto: stored record of document %u is damaged",
			ix->x.segs[segno].name, doc);
		return rc;
	}
	/* The document table repeats the PMID and year of the (checksummed)
	 * stored record: a record shown with a PMID or year other than the
	 * table's means one of them is damaged, and both are cheap to compare. */
	const struct seg *sg = &ix->x.segs[segno];
	if (r.pmid != seg_doc_pmid(sg, doc) || r.year != seg_doc_year(sg, doc)) {
		free(p->raw);
		free(p->refs);
		free(p);
		eng_err(err, errcap, "%s.sdoc: document %u says PMID %u year %u, its stored record %u %u",
			sg->name, doc, seg_doc_pmid(sg, doc), seg_doc_year(sg, doc), r.pmid, r.year);
		return ERR_CORRUPT;
	}
	d->pmid = r.pmid;
	d->version = r.version;
	d->year = r.year;
	d->title = r.s[ST_TITLE];
	d->abstract = r.s[ST_ABSTRACT];
	d->authors = r.s[ST_AUTHORS];
	d->journal = r.s[ST_JOURNAL];
	d->journal_iso = r.s[ST_JOURNAL_ISO];
	d->mesh = r.s[ST_MESH];
	d->keywords = r.s[ST_KEYWORDS];
	d->pubtypes = r.s[ST_PUBTYPES];
	d->languages = r.s[ST_LANGUAGES];
	d->doi = r.s[ST_DOI];
	d->pmc = r.s[ST_PMC];
	d->refs = r.refs;
	d->nrefs = r.nrefs;
	d->priv_ = p;
	return 0;
}

int sarc_check(sarc_index *ix, char *err, size_t errcap)
{
	if (ix->damage.code == 0)
		return 0;
	eng_err(err, errcap, "%s", ix->damage.msg);
	return ix->damage.code;
}

/* Does h address a document of ix?  A hit from another index, or kept
 * from before the index changed, need not. */
static int hit_ok(const sarc_index *ix, const struct sarc_hit *h)
{
	return h->seg < ix->x.nsegs && h->doc < ix->x.segs[h->seg].ndocs;
}

int sarc_doc_get(sarc_index *ix, const struct sarc_hit *h, struct sarc_doc *d, char *err,
		 size_t errcap)
{
	/* d is always safe to pass to sarc_doc_free afterwards, as after
	 * any other failure (fill_doc) */
	memset(d, 0, sizeof *d);
	if (!hit_ok(ix, h)) {
		eng_err(err, errcap, "no such document");
		return ERR_NOTFOUND;
	}
	return fill_doc(ix, h->seg, h->doc, d, err, errcap);
}

/* Finds the live document with pmid: 0 found, 1 absent. */
static int find_live(sarc_index *ix, uint32_t pmid, uint32_t *segno, uint32_t *doc)
{
	for (size_t i = ix->x.nsegs; i-- > 0;) {
		const struct seg *s = &ix->x.segs[i];
		size_t first, n = seg_pmid_ranks(s, pmid, &first);
		for (size_t j = first; j < first + n; j++) {
			uint32_t d = seg_doc_by_rank(s, j);
			if (!seg_deleted(s, d)) {
				*segno = (uint32_t)i;
				*doc = d;
				return 0;
			}
		}
	}
	return 1;
}

int sarc_doc_by_pmid(sarc_index *ix, uint32_t pmid, struct sarc_doc *d, struct sarc_hit *h,
		     char *err, size_t errcap)
{
	uint32_t segno, doc;
	if (d)
		memset(d, 0, sizeof *d);
	if (find_live(ix, pmid, &segno, &doc))
		return 1;
	if (h) {
		memset(h, 0, sizeof *h);
		h->pmid = pmid;
		h->seg = segno;
		h->doc = doc;
		h->year = seg_doc_year(&ix->x.segs[segno], doc);
	}
	/* d == NULL: only whether the record is live, and where; reading a
	 * record inflates its whole stored block (FORMAT.md section 7), by far
	 * the dearest step of a reference list (README "Literature review") */
	return d ? fill_doc(ix, segno, doc, d, err, errcap) : 0;
}

int sarc_refs_by_pmid(sarc_index *ix, uint32_t pmid, uint32_t **refs, size_t *nrefs, char *err,
		      size_t errcap)
{
	uint32_t segno, doc;
	*refs = NULL;
	*nrefs = 0;
	if (find_live(ix, pmid, &segno, &doc))
		return 1;
	struct err e;
	err_clear(&e);
	int rc = seg_stored_refs(&ix->x.segs[segno], doc, refs, nrefs, &e);
	if (rc)
		eng_err(err, errcap, "%s", e.msg);
	return rc;
}

void sarc_doc_free(struct sarc_doc *d)
{
	struct doc_priv *p = d->priv_;
	if (p) {
		free(p->raw);
		free(p->refs);
		free(p);
	}
	memset(d, 0, sizeof *d);
}

uint32_t sarc_cited_count(sarc_index *ix, uint32_t pmid)
{
	uint8_t key[32];
	char num[16];
	int n = snprintf(num, sizeof num, "%u", pmid);
	size_t kl = eng_key(key, F_CITES, num, (size_t)n);
	uint32_t count = 0;
	struct err e;
	err_clear(&e);
	for (size_t i = 0; i < ix->x.nsegs; i++) {
		const struct seg *s = &ix->x.segs[i];
		struct seg_term t;
		if (seg_lookup(s, key, kl, &t, &e) != 1)
			continue;
		struct seg_postings pc;
		if (seg_postings_open(&pc, s, &t, &e))
			continue;
		for (uint32_t d = pc.doc; d != SEG_END; d = seg_postings_next(&pc))
			count += !seg_deleted(s, d);
		if (pc.corrupt)
			err_set(&e, ERR_CORRUPT, "%s.spst: damaged posting data", s->name);
	}
	/* no error path here: the next search on ix reports it (engine.h) */
	eng_damage(ix, &e);
	return count;
}

/* Live citations of the PMIDs in a table, one segment's cites: terms
 * read in dictionary order.  A slot holds a PMID (0: empty; PMIDs are 1 ..
 * 2^32 - 1, pubmed.c, so PMID + 1 would wrap for the last) and its count
 * side by side: one cache miss a lookup. */
struct cited_slot {
	uint32_t key, cnt;
};
struct cited_tab {
	struct cited_slot *slot;
	unsigned bits; /* 2^bits slots */
};

static struct cited_slot *cited_slot(const struct cited_tab *t, uint32_t pmid)
{
	size_t mask = ((size_t)1 << t->bits) - 1;
	size_t h = (uint32_t)(pmid * 2654435761u) >> (32 - t->bits);
	while (t->slot[h].key && t->slot[h].key != pmid)
		h = (h + 1) & mask;
	return &t->slot[h];
}

/* Index of the first dictionary entry at or after key in s (s->nterms at
 * the end). */
static uint64_t dict_rank(const struct seg *s, const uint8_t *key, size_t n, struct err *e)
{
	struct seg_dict_iter it;
	if (seg_dict_seek(&it, s, key, n, e))
		return s->nterms;
	if (it.started == 2)
		return s->nterms;
	return (uint64_t)it.block * SEG_DICT_BLOCK + it.inblock;
}

static void cited_scan(const struct seg *s, struct cited_tab *t, struct err *e)
{
	uint8_t from[1] = {F_CITES};
	struct seg_dict_iter it;
	if (seg_dict_seek(&it, s, from, 1, e))
		return;
	while (seg_dict_next(&it, e) == 1 && it.t.key[0] == F_CITES) {
		uint64_t pmid = 0;
		size_t i = 1;
		for (; i < it.t.keylen && i < 12 && it.t.key[i] >= '0' && it.t.key[i] <= '9'; i++)
			pmid = pmid * 10 + (it.t.key[i] - '0');
		if (i != it.t.keylen || pmid > UINT32_MAX)
			continue; /* not a PMID this index could hold */
		struct cited_slot *sl = cited_slot(t, (uint32_t)pmid);
		if (sl->key == 0)
			continue;
		uint32_t *c = &sl->cnt;
		if (s->ndeleted == 0) {
			*c += it.t.df;
			continue;
		}
		struct seg_postings pc;
		if (seg_postings_open(&pc, s, &it.t, e))
			return;
		for (uint32_t d = pc.doc; d != SEG_END; d = seg_postings_next(&pc))
			*c += !seg_deleted(s, d);
		if (pc.corrupt)
			err_set(e, ERR_CORRUPT, "%s.spst: damaged posting data", s->name);
	}
}

int eng_cited_counts(sarc_index *ix, struct sarc_hit *v, size_t n, int how)
{
	/* One lookup per hit and segment costs a binary search of the
	 * dictionary; reading a segment's cites: terms in order costs a
	 * little per term.  --sort cited on 413,000 matches of 10^6
	 * citations in 8 segments took 3.9 s by lookups. */
	struct err e;
	err_clear(&e);
	uint64_t nterms = 0;
	uint8_t lo[1] = {F_CITES}, hi[1] = {F_CITES + 1};
	for (size_t i = 0; i < ix->x.nsegs; i++) {
		const struct seg *s = &ix->x.segs[i];
		uint64_t a = dict_rank(s, lo, 1, &e), b = dict_rank(s, hi, 1, &e);
		nterms += b > a ? b - a : 0;
	}
	if (how == ENG_CITED_LOOKUP || (how == ENG_CITED_AUTO && (uint64_t)n * ix->x.nsegs * 16 < nterms)) {
		for (size_t i = 0; i < n; i++)
			v[i].cited = sarc_cited_count(ix, v[i].pmid);
		eng_damage(ix, &e);
		return 0;
	}
	struct cited_tab t = {NULL, 4};
	while (((size_t)1 << t.bits) < 2 * n)
		t.bits++;
	if ((t.slot = calloc((size_t)1 << t.bits, sizeof *t.slot)) == NULL)
		return ERR_NOMEM;
	/* PMID 0 (no valid PMID; a damaged table's) stays out of the table,
	 * whose empty slots it would match: it is looked up */
	for (size_t i = 0; i < n; i++)
		if (v[i].pmid)
			cited_slot(&t, v[i].pmid)->key = v[i].pmid;
	for (size_t i = 0; i < ix->x.nsegs && e.code == 0; i++)
		cited_scan(&ix->x.segs[i], &t, &e);
	for (size_t i = 0; i < n; i++)
		v[i].cited = v[i].pmid ? cited_slot(&t, v[i].pmid)->cnt : sarc_cited_count(ix, 0);
	free(t.slot);
	/* as sarc_cited_count: the caller's sarc_check reports damage */
	eng_damage(ix, &e);
	return 0;
}

/* ---- highlighting ---- */

struct hl_ctx {
	const struct q_node *root;
	unsigned field;
	struct sarc_span *v;
	size_t n, cap;
	int oom;
};

/* Does any positive leaf of q searching field match term t? */
static int leaf_has(const struct q_node *q, unsigned field, const char *t, size_t n)
{
	if (q == NULL || q->prohibited)
		return 0;
	switch (q->type) {
	case Q_TERMS:
	case Q_PHRASE:
		if (!(q->fields & FIELD_BIT(field)))
			return 0;
		for (size_t i = 0; i < q->nterms; i++)
			if (q->terms[i].len == n && memcmp(q->terms[i].text, t, n) == 0)
				return 1;
		return 0;
	case Q_PREFIX:
		if (!(q->fields & FIELD_BIT(field)) || q->nterms == 0)
			return 0;
		for (size_t i = 1; i < q->nterms; i++) /* the prefix's stem, exactly */
			if (q->terms[i].len == n && memcmp(q->terms[i].text, t, n) == 0)
				return 1;
		return n >= q->terms[0].len && memcmp(q->terms[0].text, t, q->terms[0].len) == 0;
	case Q_NOT:
		return q->nkids > 0 && leaf_has(q->kids[0], field, t, n);
	default:
		for (size_t i = 0; i < q->nkids; i++)
			if (leaf_has(q->kids[i], field, t, n))
				return 1;
		return 0;
	}
}

static int hl_emit(void *ctx, const struct an_term *t)
{
	struct hl_ctx *h = ctx;
	if (!leaf_has(h->root, h->field, t->text, t->len))
		return 0;
	if (h->n > 0 && t->start <= h->v[h->n - 1].end) {
		if (t->end > h->v[h->n - 1].end)
			h->v[h->n - 1].end = t->end;
		return 0;
	}
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		struct sarc_span *v = realloc(h->v, sizeof *v * cap);
		if (v == NULL) {
			h->oom = 1;
			return 1;
		}
		h->v = v;
		h->cap = cap;
	}
	h->v[h->n].start = t->start;
	h->v[h->n].end = t->end;
	h->n++;
	return 0;
}

int sarc_highlight(sarc_index *ix, sarc_query *q, int field, const char *text, size_t n,
		   struct sarc_span **spans, size_t *nspans)
{
	/* a field is a bit of a leaf's field set (FIELD_BIT): out of range,
	 * the shift is undefined */
	if (field < 0 || field >= SARC_NFIELDS || q->ix != ix)
		return ERR_USAGE;
	struct hl_ctx h = {.root = q->root, .field = (unsigned)field};
	uint32_t pos = 0;
	an_run(ix->an, text, n, &pos, NULL, hl_emit, &h);
	if (h.oom) {
		free(h.v);
		return ERR_NOMEM;
	}
	/* the analyzer may report a part after its whole: keep spans sorted and disjoint */
	for (size_t i = 1; i < h.n; i++)
		for (size_t j = i; j > 0 && h.v[j - 1].start > h.v[j].start; j--) {
			struct sarc_span t = h.v[j];
			h.v[j] = h.v[j - 1];
			h.v[j - 1] = t;
		}
	size_t m = 0;
	for (size_t i = 0; i < h.n; i++) {
		if (m > 0 && h.v[i].start <= h.v[m - 1].end) {
			if (h.v[i].end > h.v[m - 1].end)
				h.v[m - 1].end = h.v[i].end;
		} else {
			h.v[m++] = h.v[i];
		}
	}
	*spans = h.v;
	*nspans = m;
	return 0;
}

/* ---- explain ---- */

struct strbuf {
	char *p;
	size_t len, cap;
};

static void sb_printf(struct strbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
static void sb_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->p && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = (b->cap ? b->cap * 2 : 256) + (size_t)n;
		char *p = realloc(b->p, cap);
		if (p == NULL)
			return;
		b->p = p;
		b->cap = cap;
	}
}

static void explain_term(sarc_index *ix, const struct sc_env *env, const struct sarc_hit *h,
			 unsigned f, const char *t, size_t n, const char *label, struct strbuf *b)
{
	uint8_t key[SEG_MAX_KEY];
	size_t kl = eng_key(key, f, t, n);
	const struct seg *s = &ix->x.segs[h->seg];
	struct seg_term st;
	struct err e;
	err_clear(&e);
	if (seg_lookup(s, key, kl, &st, &e) != 1)
		return;
	struct seg_postings pc;
	if (seg_postings_open(&pc, s, &st, &e) || seg_postings_advance(&pc, h->doc) != h->doc)
		return;
	double tf = seg_postings_tf(&pc), df = (double)eng_df(ix, key, kl);
	double idf = sc_idf(env->N, df), len = seg_doc_len(s, h->doc, f);
	double part = sc_tfpart(env, f, tf, len);
	sb_printf(b, "  %-9s %s%.*s: tf=%g df=%g idf=%.6f len=%g avglen=%.2f weight=%g => %.6f\n",
		  sarc_field_name((int)f), label, (int)n, t, tf, df, idf, len, env->avglen[f],
		  env->weight[f], f == F_CITES ? 0 : env->weight[f] * idf * part);
}

static void explain_node(sarc_index *ix, const struct sc_env *env, const struct sarc_hit *h,
			 const struct q_node *q, struct strbuf *b)
{
	if (q == NULL || q->prohibited)
		return;
	switch (q->type) {
	case Q_TERMS:
	case Q_PREFIX:
	case Q_PHRASE:
		for (unsigned f = 0; f < F_NFIELDS; f++) {
			if (!(q->fields & FIELD_BIT(f)))
				continue;
			for (size_t i = 0; i < q->nterms; i++)
				explain_term(ix, env, h, f, q->terms[i].text, q->terms[i].len,
					     q->type == Q_PHRASE ? "phrase term " :
					     q->type == Q_PREFIX ? "prefix " : "", b);
		}
		if (q->type == Q_PHRASE)
			sb_printf(b, "  (a phrase scores its frequency with the sum of its terms' idf)\n");
		break;
	case Q_NOT:
		if (q->nkids > 0)
			explain_node(ix, env, h, q->kids[0], b);
		break;
	case Q_YEAR:
		sb_printf(b, "  filter year %u..%u (not scored)\n", q->lo, q->hi);
		break;
	case Q_PMID:
	case Q_CITES:
	case Q_CITEDBY:
		sb_printf(b, "  filter %s %u (not scored)\n",
			  q->type == Q_PMID ? "pmid" : q->type == Q_CITES ? "cites" : "citedby", q->lo);
		break;
	default:
		for (size_t i = 0; i < q->nkids; i++)
			explain_node(ix, env, h, q->kids[i], b);
	}
}

int sarc_explain(sarc_index *ix, sarc_query *q, const struct sarc_hit *h,
		 const struct sarc_search_opts *o, char **text)
{
	struct sc_env env;
	struct strbuf b = {0};
	if (q->ix != ix)
		return ERR_USAGE;
	if (!hit_ok(ix, h))
		return ERR_NOTFOUND;
	eng_env(ix, &o->params, &env);
	sb_printf(&b, "  score %.6f = sum of: (N=%g k1=%g b=%g)\n", h->score, env.N, env.k1, env.b);
	explain_node(ix, &env, h, q->root, &b);
	if (b.p == NULL)
		return ERR_NOMEM;
	*text = b.p;
	return 0;
}

/* ---- facets ---- */

/* Facet counts come from one of two places, segment by segment.  The
 * facet keys (FORMAT.md §4.1) give a value's matching documents by
 * walking its posting list against a bitmap of the matches: a few
 * nanoseconds a posting.  The stored records give them by inflating each
 * matching record (about 30 microseconds each, for 'sarcoma' on 10^6
 * synthetic citations: 12 s for the journal facet).  Segments written
 * without facet keys have only the records; the others use whichever
 * reads less, FACET_POSTINGS_PER_RECORD postings costing about one record. */
#define FACET_POSTINGS_PER_RECORD 2000

/* What a value counts (its struct strtab value). */
struct fcount {
	uint64_t count;
	uint64_t stamp; /* the last document counted + 1: a value once a record */
};

#define FACET_YEARS 10000 /* years are four digits (pubmed.c), 0 unknown */

struct facet_ctx {
	int kind; /* 0 year, else FK_JOURNAL, FK_MESH or FK_PUBTYPE */
	struct strtab vals; /* the values met, a struct fcount each */
	uint64_t years[FACET_YEARS];
	uint64_t ndocs; /* documents visited */
	uint64_t **match;  /* kinds but year: per segment, a bitmap of the matches */
	uint64_t *nmatch;  /* ... and their number */
	uint64_t stamp;    /* the record being counted + 1 (struct fcount) */
	int err;        /* the first failure's code, which ends the facet */
	char msg[sizeof ((struct err *)0)->msg]; /* ... and its message */
};

static void facet_oom(struct facet_ctx *c)
{
	if (!c->err) {
		c->err = ERR_NOMEM;
		snprintf(c->msg, sizeof c->msg, "out of memory");
	}
}

/* Adds count to value s[0..n), unless the record c->stamp (when not 0)
 * counted it already. */
static void facet_add(struct facet_ctx *c, const char *s, size_t n, uint64_t count)
{
	long i = strtab_add(&c->vals, (const uint8_t *)s, n);
	if (i < 0) {
		facet_oom(c);
		return;
	}
	struct fcount *f = strtab_val(&c->vals, (size_t)i);
	if (c->stamp == 0 || f->stamp != c->stamp)
		f->count += count;
	f->stamp = c->stamp;
}

static int facet_value(void *ctx, const char *s, size_t n)
{
	struct facet_ctx *c = ctx;
	facet_add(c, s, n, 1);
	return c->err;
}

static void facet_visit(void *ctx, sarc_index *ix, size_t segno, uint32_t doc)
{
	struct facet_ctx *c = ctx;
	c->ndocs++;
	if (c->err)
		return;
	if (c->kind == 0) {
		uint16_t y = seg_doc_year(&ix->x.segs[segno], doc);
		c->years[y < FACET_YEARS ? y : 0]++;
		return;
	}
	if (c->match[segno] == NULL &&
	    (c->match[segno] = calloc(((size_t)ix->x.segs[segno].ndocs + 63) / 64, 8)) == NULL) {
		facet_oom(c);
		return;
	}
	c->match[segno][doc >> 6] |= (uint64_t)1 << (doc & 63);
	c->nmatch[segno]++;
}

/* A segment's matches at once (eng_visit): the bitmap facet_visit would
 * build, or each match's year. */
static void facet_bits(void *ctx, sarc_index *ix, size_t segno, uint64_t *bits, uint64_t n)
{
	struct facet_ctx *c = ctx;
	c->ndocs += n;
	if (c->kind != 0 && !c->err) {
		free(c->match[segno]); /* NULL: a segment is visited once */
		c->match[segno] = bits;
		c->nmatch[segno] = n;
		return;
	}
	const struct seg *s = &ix->x.segs[segno];
	size_t nw = ((size_t)s->ndocs + 63) / 64;
	for (size_t w = 0; w < nw && c->kind == 0; w++)
		for (uint64_t b = bits[w]; b; b &= b - 1) {
			uint16_t y = seg_doc_year(s, (uint32_t)(w * 64 + (unsigned)__builtin_ctzll(b)));
			c->years[y < FACET_YEARS ? y : 0]++;
		}
	free(bits);
}

/* Counts the matches of segment segno from their stored records. */
static void facet_stored(struct facet_ctx *c, sarc_index *ix, size_t segno)
{
	const uint64_t *m = c->match[segno];
	uint32_t nd = ix->x.segs[segno].ndocs;
	for (uint32_t w = 0; w < (nd + 63) / 64 && !c->err; w++)
		for (uint64_t b = m[w]; b && !c->err; b &= b - 1) {
			uint32_t doc = w * 64 + (uint32_t)__builtin_ctzll(b);
			/* a damaged record is the index's error, as in a search */
			struct sarc_doc d;
			int rc = fill_doc(ix, (uint32_t)segno, doc, &d, c->msg, sizeof c->msg);
			if (rc) {
				c->err = rc;
				return;
			}
			c->stamp = ((uint64_t)segno << 32 | doc) + 1;
			st_facet_values((unsigned)c->kind, d.journal, d.journal_iso,
					c->kind == FK_MESH ? d.mesh : d.pubtypes, facet_value, c);
			c->stamp = 0;
			sarc_doc_free(&d);
		}
}

/* Counts the matches of segment segno from its facet keys: 1 done, 0 when
 * the stored records would read less (how: ENG_FACET_AUTO). */
static int facet_keys(struct facet_ctx *c, sarc_index *ix, size_t segno, int how)
{
	const struct seg *s = &ix->x.segs[segno];
	const uint64_t *m = c->match[segno];
	uint8_t from[1] = {(uint8_t)c->kind};
	struct seg_dict_iter it;
	struct err e;
	err_clear(&e);
	if (how == ENG_FACET_AUTO) {
		uint64_t postings = 0;
		if (seg_dict_seek(&it, s, from, 1, &e) == 0)
			while (seg_dict_next(&it, &e) == 1 && it.t.key[0] == c->kind)
				postings += it.t.df;
		if (e.code == 0 && postings > c->nmatch[segno] * FACET_POSTINGS_PER_RECORD)
			return 0;
	}
	if (e.code == 0 && seg_dict_seek(&it, s, from, 1, &e) == 0)
		while (!c->err && seg_dict_next(&it, &e) == 1 && it.t.key[0] == c->kind) {
			struct seg_postings pc;
			if (seg_postings_open(&pc, s, &it.t, &e))
				break;
			uint64_t n = 0;
			for (int more = pc.doc != SEG_END; more; more = seg_postings_next_block(&pc))
#pragma GCC unroll 8
				for (uint32_t i = pc.i; i < pc.n; i++)
					n += (m[pc.docs[i] >> 6] >> (pc.docs[i] & 63)) & 1;
			if (pc.corrupt) {
				err_set(&e, ERR_CORRUPT, "%s.spst: damaged posting data", s->name);
				break;
			}
			if (n)
				facet_add(c, (const char *)it.t.key + 1, it.t.keylen - 1, n);
		}
	if (e.code && !c->err) {
		c->err = e.code;
		snprintf(c->msg, sizeof c->msg, "%s", e.msg);
	}
	return 1;
}

static int cmp_facet(const void *a, const void *b)
{
	const struct sarc_facet *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->value, y->value);
}

static void facet_ctx_free(struct facet_ctx *c, size_t nsegs)
{
	for (size_t i = 0; c->match && i < nsegs; i++)
		free(c->match[i]);
	free(c->match);
	free(c->nmatch);
	strtab_free(&c->vals);
	free(c);
}

/* The values counted, as sarc_facet hands them out: *out, *n.  0 or
 * ERR_NOMEM. */
static int facet_out(const struct facet_ctx *c, struct sarc_facet **out, size_t *n)
{
	size_t nv = c->vals.n;
	struct sarc_facet *f = calloc(nv ? nv : 1, sizeof *f);
	for (size_t i = 0; f && i < nv; i++) {
		size_t len;
		const uint8_t *v = strtab_str(&c->vals, i, &len);
		f[i].count = ((const struct fcount *)strtab_val(&c->vals, i))->count;
		if ((f[i].value = strndup((const char *)v, len)) == NULL) {
			sarc_facets_free(f, i);
			f = NULL;
		}
	}
	if (f == NULL)
		return ERR_NOMEM;
	if (c->kind != 0 && nv > 1)
		qsort(f, nv, sizeof *f, cmp_facet);
	*out = f;
	*n = nv;
	return 0;
}

int eng_facet(sarc_index *ix, sarc_query *q, const char *field, int how,
	      struct sarc_facet **out, size_t *n, uint64_t *ndocs, char *err, size_t errcap)
{
	static const char *const kinds[] = {"year", "journal", "mesh", "pt"};
	static const int keys[] = {0, FK_JOURNAL, FK_MESH, FK_PUBTYPE};
	size_t nsegs = ix->x.nsegs;
	struct facet_ctx *c = calloc(1, sizeof *c);
	if (c == NULL) {
		eng_err(err, errcap, "out of memory");
		return ERR_NOMEM;
	}
	strtab_init(&c->vals, sizeof(struct fcount));
	c->kind = -1;
	for (int i = 0; i < 4; i++)
		if (strcmp(field, kinds[i]) == 0)
			c->kind = keys[i];
	if (c->kind < 0) {
		facet_ctx_free(c, nsegs);
		eng_err(err, errcap, "unknown facet '%s' (year, journal, mesh, pt)", field);
		return ERR_USAGE;
	}
	if (c->kind && ((c->match = calloc(nsegs ? nsegs : 1, sizeof *c->match)) == NULL ||
			(c->nmatch = calloc(nsegs ? nsegs : 1, sizeof *c->nmatch)) == NULL)) {
		facet_ctx_free(c, nsegs);
		eng_err(err, errcap, "out of memory");
		return ERR_NOMEM;
	}
	int rc = eng_visit(ix, q, facet_visit, facet_bits, c, err, errcap);
	for (size_t i = 0; !rc && c->kind && i < nsegs && !c->err; i++) {
		if (c->nmatch[i] == 0)
			continue;
		if (how == ENG_FACET_STORED || !(ix->x.segs[i].flags & SEG_FLAG_FACETS) ||
		    !facet_keys(c, ix, i, how))
			facet_stored(c, ix, i);
	}
	if (!rc && c->kind == 0)
		for (int y = 0; y < FACET_YEARS; y++)
			if (c->years[y]) {
				char v[16];
				snprintf(v, sizeof v, "%d", y);
				facet_add(c, v, strlen(v), c->years[y]);
			}
	if (!rc && c->err) {
		rc = c->err;
		eng_err(err, errcap, "%s", c->msg);
	}
	if (!rc && (rc = facet_out(c, out, n)) != 0)
		eng_err(err, errcap, "out of memory");
	if (!rc && ndocs)
		*ndocs = c->ndocs;
	facet_ctx_free(c, nsegs);
	return rc;
}

int sarc_facet(sarc_index *ix, sarc_query *q, const char *field, struct sarc_facet **out,
	       size_t *n, uint64_t *ndocs, char *err, size_t errcap)
{
	return eng_facet(ix, q, field, ENG_FACET_AUTO, out, n, ndocs, err, errcap);
}

void sarc_facets_free(struct sarc_facet *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(f[i].value);
	free(f);
}

/* ---- similar articles ---- */

#define SIM_MAX_TERMS 4096

struct sim_term {
	char t[AN_MAX_TERM_BYTES + 1];
	uint32_t tf;
	double w;
};

struct sim_ctx {
	struct sim_term *v;
	size_t n;
};

static int sim_emit(void *ctx, const struct an_term *t)
{
	struct sim_ctx *c = ctx;
	if (t->kind == AN_JOINED || t->len > AN_MAX_TERM_BYTES)
		return 0;
	for (size_t i = 0; i < c->n; i++)
		if (strlen(c->v[i].t) == t->len && memcmp(c->v[i].t, t->text, t->len) == 0) {
			c->v[i].tf++;
			return 0;
		}
	if (c->n == SIM_MAX_TERMS)
		return 0;
	memcpy(c->v[c->n].t, t->text, t->len);
	c->v[c->n].t[t->len] = '\0';
	c->v[c->n].tf = 1;
	c->n++;
	return 0;
}

static int cmp_sim(const void *a, const void *b)
{
	const struct sim_term *x = a, *y = b;
	if (x->w != y->w)
		return x->w > y->w ? -1 : 1;
	return strcmp(x->t, y->t);
}

int sarc_query_similar(sarc_index *ix, uint32_t pmid, size_t nterms, sarc_query **out,
		       char *err, size_t errcap)
{
	struct sarc_doc d;
	int rc = sarc_doc_by_pmid(ix, pmid, &d, NULL, err, errcap);
	if (rc)
		return rc;
	struct sim_ctx c = {calloc(SIM_MAX_TERMS, sizeof(struct sim_term)), 0};
	sarc_query *q = calloc(1, sizeof *q);
	if (c.v == NULL || q == NULL) {
		free(c.v);
		free(q);
		sarc_doc_free(&d);
		eng_err(err, errcap, "out of memory");
		return ERR_NOMEM;
	}
	arena_init(&q->a);
	q->ix = ix;
	/* the record's own text: title, abstract, MeSH headings */
	const char *texts[] = {d.title, d.abstract, d.mesh};
	for (size_t i = 0; i < 3; i++) {
		uint32_t pos = 0;
		an_run(ix->an, texts[i], strlen(texts[i]), &pos, NULL, sim_emit, &c);
	}
	/* tf x idf, idf from the abstract field where most text is */
	for (size_t i = 0; i < c.n; i++) {
		uint8_t key[SEG_MAX_KEY];
		size_t kl = eng_key(key, F_ABSTRACT, c.v[i].t, strlen(c.v[i].t));
		/* remembered with q: its scorers look the same keys up */
		double df = (double)eng_df_query(ix, q, key, kl);
		if (df == 0) {
			kl = eng_key(key, F_TITLE, c.v[i].t, strlen(c.v[i].t));
			df = (double)eng_df_query(ix, q, key, kl);
		}
		/* a term only this record has says nothing about others */
		c.v[i].w = df <= 1 ? 0 : c.v[i].tf * sc_idf((double)ix->N, df);
	}
	qsort(c.v, c.n, sizeof *c.v, cmp_sim);
	size_t k = 0;
	while (k < c.n && k < nterms && c.v[k].w > 0)
		k++;
	struct q_node *root = arena_alloc(&q->a, sizeof *root);
	/* no word shared with another record: nothing is similar, which a
	 * filter on PMID 0 (no record has it) says without a parse */
	if (k == 0 && root) {
		memset(root, 0, sizeof *root);
		root->type = Q_PMID;
		root->lo = root->hi = 0;
		q->root = root;
		free(c.v);
		sarc_doc_free(&d);
		*out = q;
		return 0;
	}
	struct q_node **kids = arena_alloc(&q->a, sizeof *kids * (k ? k : 1));
	if (root == NULL || kids == NULL) {
		rc = ERR_NOMEM;
		goto fail;
	}
	memset(root, 0, sizeof *root);
	root->type = Q_OR;
	root->kids = kids;
	root->nkids = k;
	for (size_t i = 0; i < k; i++) {
		struct q_node *n = arena_alloc(&q->a, sizeof *n);
		struct q_term *t = arena_alloc(&q->a, sizeof *t);
		char *s = arena_strndup(&q->a, c.v[i].t, strlen(c.v[i].t));
		if (!n || !t || !s) {
			rc = ERR_NOMEM;
			goto fail;
		}
		memset(n, 0, sizeof *n);
		n->type = Q_TERMS;
		n->fields = FIELD_BIT(F_TITLE) | FIELD_BIT(F_ABSTRACT) | FIELD_BIT(F_MESH);
		t->text = s;
		t->len = strlen(s);
		t->relpos = 0;
		n->terms = t;
		n->nterms = 1;
		kids[i] = n;
	}
	q->root = root;
	q->exclude_pmid = pmid;
	q->has_exclude = 1;
	free(c.v);
	sarc_doc_free(&d);
	*out = q;
	return 0;
fail:
	free(c.v);
	sarc_doc_free(&d);
	sarc_query_free(q);
	eng_err(err, errcap, "out of memory");
	return rc;
}
