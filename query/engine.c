/*
 * engine.c - the query engine behind sarc.h: opening an index and making
 * queries for it; the statistics every segment's scorers share.
 *
 * Statistics are global: N, document frequencies and average field lengths
 * are summed over all segments (documents deleted or replaced since the
 * last merge still count, as in Lucene, until a merge drops them), so a
 * document scores the same whichever segment holds it.
 *
 * The rest of the engine, a job a file:
 *   engdict.c    dictionary lookups over all segments, remembered per query
 *   engbuild.c   the scorer tree of one segment from a parsed query
 *   engrun.c     a run of a query over the segments: which way each is read
 *   engwindow.c  ranking a disjunction: windowed block-max MaxScore
 *   engconj.c    ranking a conjunction of word groups the same way
 *   engbits.c    matches without scores (counts, facets) as bitmaps
 *   engtopk.c    the heap of the best k hits
 *   engsearch.c  sarc_search, sarc_count and eng_visit
 *   docs.c       what the engine says about documents
 * engine.h declares what they and docs.c share, engrun.h what the files
 * that run a query share.
 */
#include "engine.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stored.h"

/* sarc.h repeats these numbers for programs, which see neither err.h nor
 * fields.h: they must stay the same. */
#define SAME(a, b) ((int)(a) == (int)(b))
_Static_assert(SAME(SARC_ERR_NOMEM, ERR_NOMEM) && SAME(SARC_ERR_CORRUPT, ERR_CORRUPT) &&
		       SAME(SARC_ERR_VERSION, ERR_FORMAT_VERSION) && SAME(SARC_ERR_PARSE, ERR_PARSE) &&
		       SAME(SARC_ERR_USAGE, ERR_USAGE) && SAME(SARC_ERR_LIMIT, ERR_LIMIT) &&
		       SAME(SARC_ERR_NOTFOUND, ERR_NOTFOUND),
	       "sarc.h's error codes are err.h's");
_Static_assert(SAME(SARC_FIELD_TITLE, F_TITLE) && SAME(SARC_FIELD_ABSTRACT, F_ABSTRACT) &&
		       SAME(SARC_FIELD_MESH, F_MESH) && SAME(SARC_FIELD_MAJR, F_MAJR) &&
		       SAME(SARC_FIELD_KEYWORD, F_KEYWORD) && SAME(SARC_FIELD_AUTHOR, F_AUTHOR) &&
		       SAME(SARC_FIELD_JOURNAL, F_JOURNAL) && SAME(SARC_FIELD_PUBTYPE, F_PUBTYPE) &&
		       SAME(SARC_FIELD_LANG, F_LANG) && SAME(SARC_FIELD_CITES, F_CITES) &&
		       SAME(SARC_NFIELDS, F_NFIELDS),
	       "sarc.h's field numbers are fields.h's");
#undef SAME

const char *sarc_field_name(int f)
{
	return f >= 0 ? field_name((unsigned)f) : "?";
}

void sarc_params_default(struct sarc_params *p)
{
	p->k1 = 1.2;
	p->b = 0.75;
	/* A title word says more about a citation than an abstract word;
	 * MeSH and keywords are curated.  Fields searched only when named
	 * (author, journal, ...) weigh 1. */
	for (int f = 0; f < SARC_NFIELDS; f++)
		p->weight[f] = 1.0;
	p->weight[F_TITLE] = 2.0;
	p->weight[F_MESH] = 1.5;
	p->weight[F_MAJR] = 1.5;
	p->weight[F_KEYWORD] = 1.5;
	p->weight[F_CITES] = 0.0; /* cites: is a filter */
}

void sarc_search_opts_default(struct sarc_search_opts *o)
{
	memset(o, 0, sizeof *o);
	o->k = 10;
	sarc_params_default(&o->params);
}

void eng_err(char *err, size_t cap, const char *fmt, ...)
{
	if (err == NULL || cap == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

int sarc_open(const char *dir, sarc_index **out, char *err, size_t errcap)
{
	struct err e;
	err_clear(&e);
	sarc_index *ix = calloc(1, sizeof *ix);
	if (ix == NULL) {
		eng_err(err, errcap, "out of memory");
		return ERR_NOMEM;
	}
	seg_stored_cur_init(&ix->stored);
	int rc = ix_open(&ix->x, dir, &e);
	if (rc) {
		eng_err(err, errcap, "%s", e.msg);
		free(ix);
		return rc;
	}
	if (ix->x.mf.an_version != AN_VERSION) {
		eng_err(err, errcap, "index '%s' uses analyzer version %u, this sarc has %u: rebuild it",
			dir, ix->x.mf.an_version, AN_VERSION);
		ix_close(&ix->x);
		free(ix);
		return ERR_FORMAT_VERSION;
	}
	struct an_settings as = {.stem = (ix->x.mf.flags & MF_FLAG_STEM) != 0,
				 .stopwords = ix->x.mf.stopwords};
	if ((ix->an = an_new(&as, &e)) == NULL) {
		eng_err(err, errcap, "%s", e.msg);
		ix_close(&ix->x);
		free(ix);
		return ERR_NOMEM;
	}
	uint64_t sum[F_NFIELDS] = {0};
	for (size_t i = 0; i < ix->x.nsegs; i++) {
		const struct seg *s = &ix->x.segs[i];
		ix->N += s->ndocs;
		ix->live += s->ndocs - s->ndeleted;
		for (int f = 0; f < F_NFIELDS; f++)
			sum[f] += s->field_len_sum[f];
	}
	for (int f = 0; f < F_NFIELDS; f++)
		ix->avglen[f] = ix->N ? (double)sum[f] / (double)ix->N : 0;
	*out = ix;
	return 0;
}

void sarc_close(sarc_index *ix)
{
	if (ix == NULL)
		return;
	an_free(ix->an);
	seg_stored_cur_free(&ix->stored);
	ix_close(&ix->x);
	free(ix);
}

uint64_t sarc_ndocs(const sarc_index *ix)
{
	return ix->live;
}

void eng_damage(sarc_index *ix, const struct err *e)
{
	if (ix->damage.code == 0 && e->code != 0)
		ix->damage = *e;
}

/* ---- queries ---- */

int sarc_query_parse(sarc_index *ix, const char *text, const struct sarc_query_opts *o,
		     sarc_query **out, char *err, size_t errcap)
{
	struct err e;
	err_clear(&e);
	sarc_query *q = calloc(1, sizeof *q);
	if (q == NULL) {
		eng_err(err, errcap, "out of memory");
		return ERR_NOMEM;
	}
	arena_init(&q->a);
	q->ix = ix;
	struct q_options qo = {.syntax = o && o->syntax == SARC_SYNTAX_PUBMED ? Q_SYNTAX_PUBMED
									 : Q_SYNTAX_DEFAULT,
			       .all = o ? o->all : 0,
			       .default_fields = FIELDS_DEFAULT};
	int rc = q_parse(text, strlen(text), &qo, ix->an, &q->a, &q->root, &e);
	if (rc) {
		eng_err(err, errcap, "%s", e.msg);
		sarc_query_free(q);
		return rc;
	}
	*out = q;
	return 0;
}

int sarc_query_restrict(sarc_query *q, sarc_query *filter)
{
	if (filter->ix != q->ix)
		return ERR_USAGE;
	/* a second restriction narrows the first: keep both */
	if (q->filter)
		return sarc_query_restrict(q->filter, filter);
	q->filter = filter;
	return 0;
}

const char *sarc_query_note(const sarc_query *q)
{
	for (; q; q = q->filter)
		if (q->note[0])
			return q->note;
	return NULL;
}

const char *sarc_query_describe(sarc_query *q)
{
	q_dump(q->root, q->desc, sizeof q->desc);
	if (q->filter) {
		size_t n = strlen(q->desc);
		snprintf(q->desc + n, sizeof q->desc - n, " (filter ");
		n = strlen(q->desc);
		q_dump(q->filter->root, q->desc + n, sizeof q->desc - n);
		n = strlen(q->desc);
		snprintf(q->desc + n, sizeof q->desc - n, ")");
	}
	return q->desc;
}

void sarc_query_free(sarc_query *q)
{
	if (q == NULL)
		return;
	sarc_query_free(q->filter);
	free(q->dfc.slot);
	arena_free(&q->a);
	free(q);
}

/* ---- global statistics ---- */

void eng_env(sarc_index *ix, const struct sarc_params *p, struct sc_env *env)
{
	memset(env, 0, sizeof *env);
	env->k1 = p->k1;
	env->b = p->b;
	for (int f = 0; f < F_NFIELDS; f++) {
		env->weight[f] = p->weight[f];
		env->avglen[f] = ix->avglen[f];
	}
	env->N = (double)ix->N;
}
