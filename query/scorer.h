/*
 * scorer.h - document-at-a-time matchers and scorers over one segment,
 * built from a parsed query (qparse.h).  Each scorer moves forward through
 * document ids, knows an upper bound of the score it can contribute (from
 * the block maxima of FORMAT.md §5), and scores the current document.
 */
#ifndef SCORER_H
#define SCORER_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "qparse.h"
#include "seg.h"

enum sc_kind {
	SC_TERM,   /* one (field, term) posting list, BM25-scored */
	SC_OR,     /* any kid; score = sum of the kids on the document */
	SC_AND,    /* every kid; score = sum */
	SC_REQOPT, /* kids[0] required, the rest optional and only add score */
	SC_EXCL,   /* kids[0] and not kids[1]; score of kids[0] */
	SC_FILTER, /* kids[0] and kids[1]; score of kids[0] only */
	SC_PHRASE, /* kids (SC_TERM, one field) at relpos offsets; phrase frequency scored */
	SC_NEAR,   /* kids (SC_TERM groups or phrases, one field) within dist positions */
	SC_DOCS,   /* a sorted list of documents (pmid:, citedby:), unscored */
	SC_YEAR,   /* documents whose year is in [ylo, yhi], unscored */
};

/* BM25 constants of one query run (README "Ranking"). */
/* Position buffers for the documents whose positions outgrow the ones on
 * the stack (phrases and NEAR), grown as needed and freed by the engine
 * after a run; oom says one could not grow, and the run fails. */
enum { SCR_BASE, SCR_OTHER, SCR_AS, SCR_AE, SCR_BS, SCR_BE, SCR_N };
struct sc_scratch {
	uint32_t *v[SCR_N];
	size_t cap[SCR_N];
	int oom;
};

struct sc_env {
	double k1, b;
	double weight[F_NFIELDS];
	double avglen[F_NFIELDS];
	double N;            /* documents in the index (all segments) */
	struct sc_scratch *scratch; /* set by the engine for a run */
	int unscored;        /* a run that scores nothing (counts, facets):
				disjunctions may reorder their kids */
};

struct sc {
	enum sc_kind kind;
	uint32_t doc;        /* current document, SEG_END when done, 0 before start */
	int started;
	double ub;           /* upper bound of score() over all documents */
	const struct seg *s;
	const struct sc_env *env;
	/* SC_TERM */
	struct seg_postings *pc;
	double w;            /* field weight x idf */
	double fa, fb, fc;   /* w (k1 + 1), k1 (1 - b), k1 b / avglen: see sc_quick */
	unsigned field;
	/* composites */
	struct sc **kids;
	size_t nkids;
	int heaped;          /* SC_OR, unscored: kids form a min-heap by doc */
	/* SC_PHRASE: relative positions of kids; SC_NEAR: distance */
	uint32_t *relpos;
	uint32_t span;       /* SC_PHRASE: last relpos (its extent) */
	uint32_t dist;
	uint32_t freq;       /* SC_PHRASE/SC_NEAR: matches on the current document */
	/* SC_DOCS */
	const uint32_t *docs;
	size_t ndocs, di;
	/* SC_YEAR */
	uint16_t ylo, yhi;
	/* SC_TERM: the last block bound computed, valid for documents
	 * [bub_lo, bub_hi] (bub_hi < bub_lo when none) */
	uint32_t bub_lo, bub_hi;
	double bub;
};

/* Moves to the first matching document >= target; returns it or SEG_END. */
uint32_t sc_advance(struct sc *c, uint32_t target);
/* Score of the current document. */
double sc_score(struct sc *c);
/* Upper bound of the score for documents in [target, *upto]: block maxima
 * for terms, the global bound otherwise.  *upto is the last document the
 * bound holds for. */
double sc_block_ub(struct sc *c, uint32_t target, uint32_t *upto);

/* A term's score with its constants folded: the same formula, rounded
 * differently, so pruning may use it but ranked scores come from sc_score. */
static inline double sc_quick(const struct sc *c)
{
	if (c->kind != SC_TERM)
		return sc_score((struct sc *)c);
	double tf = c->pc->tfs[c->pc->i];
	double len = seg_doc_len(c->s, c->doc, c->field);
	return c->fa * tf / (tf + c->fb + c->fc * len);
}

/* The score of term scorer c on doc had it frequency tf there: what
 * sc_score() returns on doc, to the bit, for callers that read the
 * postings themselves. */
double sc_term_score_tf(const struct sc *c, uint32_t doc, uint32_t tf);

/* Sets fa, fb, fc of a term scorer from its weight and env. */
void sc_term_constants(struct sc *c);

/* BM25 term weight and frequency part (README "Ranking"). */
double sc_idf(double N, double df);
double sc_tfpart(const struct sc_env *env, unsigned field, double tf, double len);

/* w times the largest BM25 frequency part the two corners allow: a bound
 * for every posting of their block (FORMAT.md §5.2). */
double sc_corner_bound(const struct sc_env *env, unsigned field, double w,
		       const struct seg_corner c[2]);

/* Spans [start, end] of the current document's matches of a term group or
 * phrase scorer (for NEAR): writes the first cap and returns how many
 * there are, which may be more. */
size_t sc_spans(struct sc *c, uint32_t *start, uint32_t *end, size_t cap);

#endif
