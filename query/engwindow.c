/*
 * engwindow.c - ranking a disjunction: MaxScore (Turtle & Flood 1995)
 * with block-max bounds (Ding & Suel 2011).  Kids are sorted by their
 * upper bounds, those whose bounds together cannot beat the heap's
 * threshold stop generating candidates, and a candidate is dropped as
 * soon as its partial score plus the remaining block bounds falls below
 * the threshold.  Every surviving candidate is scored in full, summing the
 * kids in query order, so scores are bit-identical to exhaustive
 * evaluation and the ranked list is the same.  It does this a window of
 * documents at a time and list by list (eng_run_window): terms from their
 * postings, phrases and groups among the kids a document at a time, year
 * ranges, exclusions and other conditions that add no score checked on
 * the candidates.
 */
#include "engrun.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Candidates scoring below this cannot enter (ties may: strict compare).
 * A heap of none (k = 0) has no worst hit to read: nothing enters it. */
static double threshold(const struct heap *hp)
{
	if (hp->k == 0)
		return INFINITY;
	return hp->n < hp->k ? -INFINITY : hp->h[0].score;
}

struct kid_rank {
	int drive; /* a driver (see eng_run_window): after the others */
	double ub;
	size_t j;  /* the kid's place in the query */
};

static int cmp_rank(const void *a, const void *b)
{
	const struct kid_rank *x = a, *y = b;
	if (x->drive != y->drive)
		return x->drive < y->drive ? -1 : 1;
	if (x->ub != y->ub)
		return x->ub < y->ub ? -1 : 1;
	return x->j < y->j ? -1 : x->j > y->j;
}

/* One order of the kids of a disjunction for MaxScore: k = the kids by
 * increasing bound (ties in query order), the query kids j with drive[j]
 * set (unless drive is NULL) last; cum[i] = the sum of the bounds of
 * k[0 .. i]; ord[j] = the place in k of the query's kid j, qof its
 * inverse.  Sorting places rather than pointers gives ord without a
 * search, which was quadratic in the kids (a prefix brings thousands). */
struct kid_order {
	struct sc **k;
	double *cum;
	size_t *ord, *qof;
};

static int order_kids(struct sc *root, const uint8_t *drive, struct kid_order *o)
{
	size_t n = root->nkids, m = n ? n : 1;
	o->k = malloc(sizeof *o->k * m);
	o->cum = malloc(sizeof *o->cum * m);
	o->ord = malloc(sizeof *o->ord * m);
	o->qof = malloc(sizeof *o->qof * m);
	struct kid_rank *rk = malloc(sizeof *rk * m);
	if (!o->k || !o->cum || !o->ord || !o->qof || !rk) {
		free(rk);
		return -1;
	}
	for (size_t j = 0; j < n; j++)
		rk[j] = (struct kid_rank){drive && drive[j], root->kids[j]->ub, j};
	qsort(rk, n, sizeof *rk, cmp_rank);
	double acc = 0;
	for (size_t i = 0; i < n; i++) {
		o->k[i] = root->kids[rk[i].j];
		o->ord[rk[i].j] = i;
		o->qof[i] = rk[i].j;
		acc += o->k[i]->ub;
		o->cum[i] = acc;
	}
	free(rk);
	return 0;
}

static void order_free(struct kid_order *o)
{
	free(o->k);
	free(o->cum);
	free(o->ord);
	free(o->qof);
}

/* The first document of the essential kids k[ne .. n). */
static uint32_t min_doc(struct sc *const *k, size_t ne, size_t n)
{
	uint32_t d = SEG_END;
	for (size_t i = ne; i < n; i++)
		if (k[i]->doc < d)
			d = k[i]->doc;
	return d;
}

/* Documents scored together by eng_run_window.  A window is filled list
 * by list rather than document by document (as Lucene's BooleanScorer and
 * MaxScoreBulkScorer do): a few instructions per posting instead of a pass
 * over every cursor per candidate. */
#define WIN_BITS 11
#define WIN (1u << WIN_BITS)
#define WIN_WORDS (WIN / 64)
#define WIN_MASKKIDS 64 /* a matched-kids mask per document is one uint64_t */

/* A match read into a window that logs them (see struct win). */
struct win_hit {
	uint32_t off; /* its document minus the window's base */
	uint32_t kid; /* sorted kid number; the query's place once gathered */
	union {
		uint32_t tf;  /* a term's frequency */
		double score; /* any other kid's score (a phrase, a group) */
	} v;
};

struct win {
	uint32_t base;            /* the window holds documents [base, base + WIN) */
	double acc[WIN];          /* quick partial scores of the kids read so far */
	uint64_t seen[WIN_WORDS]; /* documents some essential kid matched */
	uint64_t live[WIN_WORDS]; /* candidates still able to enter the top k */
	/* Up to WIN_MASKKIDS kids, which (sorted) kids matched each document
	 * and their frequencies, valid where the mask says: */
	uint64_t mask[WIN];
	uint32_t *tf;             /* tf[kid * WIN + doc - base]; NULL for more kids */
	/* More kids (a prefix, a pasted abstract), or kids other than terms
	 * (phrases, groups): a table per kid would take WIN words a kid, so
	 * the matches read are logged instead, and the survivors' gathered by
	 * document at the end of the window. */
	struct win_hit *hits, *byoff;
	size_t nhits, cap;
	uint32_t at[WIN + 1];     /* byoff[at[off] .. at[off + 1]): the document's */
	int oom;
};

static int win_grow(struct win *w)
{
	size_t cap = w->cap ? 2 * w->cap : 4096;
	struct win_hit *h = realloc(w->hits, sizeof *h * cap);
	if (h)
		w->hits = h;
	struct win_hit *b = h ? realloc(w->byoff, sizeof *b * cap) : NULL;
	if (b == NULL) {
		w->oom = 1;
		return 0;
	}
	w->byoff = b;
	w->cap = cap;
	return 1;
}

/* Adds the current posting of kid c (number kid) at offset off. */
static inline void win_put(struct win *w, const struct sc *c, size_t kid, uint32_t off,
			   uint32_t tf)
{
	double len = seg_doc_len(c->s, w->base + off, c->field);
	w->acc[off] += c->fa * tf / (tf + c->fb + c->fc * len);
	if (w->tf) {
		w->mask[off] |= (uint64_t)1 << kid;
		w->tf[kid * WIN + off] = tf;
	} else if (w->nhits < w->cap || win_grow(w)) {
		w->hits[w->nhits++] = (struct win_hit){off, (uint32_t)kid, {.tf = tf}};
	}
}

/* Whether a match at offset off goes into w: with live (a non-essential
 * kid), only on a live document; else always, clearing the document's
 * sums when no kid has matched it yet in this window. */
static inline int win_take(struct win *w, uint32_t off, const uint64_t *live)
{
	uint64_t *sw = &w->seen[off >> 6], sb = (uint64_t)1 << (off & 63);
	if (live)
		return (live[off >> 6] & sb) != 0;
	if (!(*sw & sb)) {
		*sw |= sb;
		w->acc[off] = 0;
		w->mask[off] = 0;
	}
	return 1;
}

/* Adds the current match of kid c, not a term, at offset off. */
static void win_put_other(struct win *w, struct sc *c, size_t kid, uint32_t off)
{
	double sc = sc_score(c);
	w->acc[off] += sc;
	if (w->nhits < w->cap || win_grow(w)) {
		w->hits[w->nhits] = (struct win_hit){off, (uint32_t)kid, {.tf = 0}};
		w->hits[w->nhits++].v.score = sc;
	}
}

/* c on its first document >= target (c's own if it is there already:
 * a composite may not expect to be asked for an earlier one). */
static uint32_t kid_at(struct sc *c, uint32_t target)
{
	return c->started && c->doc >= target ? c->doc : sc_advance(c, target);
}

/* win_read() for a kid that is not a term: a document at a time. */
static void win_read_other(struct win *w, struct sc *c, size_t kid, uint32_t upto,
			   const uint64_t *live)
{
	for (uint32_t d = kid_at(c, w->base); d < upto; d = sc_advance(c, d + 1)) {
		uint32_t off = d - w->base;
		if (win_take(w, off, live))
			win_put_other(w, c, kid, off);
	}
}

/* Reads the postings of c with documents < upto into w: every one when
 * live is NULL (an essential kid), else only those of live documents. */
static void win_read(struct win *w, struct sc *c, size_t kid, uint32_t upto,
		     const uint64_t *live)
{
	if (c->kind != SC_TERM) {
		win_read_other(w, c, kid, upto, live);
		return;
	}
	struct seg_postings *pc = c->pc;
	seg_postings_advance(pc, w->base);
	while (pc->doc < upto) {
		uint32_t i = pc->i, n = pc->n;
		for (; i < n && pc->docs[i] < upto; i++) {
			uint32_t off = pc->docs[i] - w->base;
			if (win_take(w, off, live))
				win_put(w, c, kid, off, pc->tfs[i]);
		}
		if (i < n) {
			pc->i = i;
			pc->doc = pc->docs[i];
			break;
		}
		seg_postings_next_block(pc);
	}
	c->doc = pc->doc;
}

/* Looks c up on each live document of w, skipping between them. */
static void win_probe(struct win *w, struct sc *c, size_t kid)
{
	if (c->kind != SC_TERM) {
		for (uint32_t wi = 0; wi < WIN_WORDS && c->doc != SEG_END; wi++)
			for (uint64_t bits = w->live[wi]; bits; bits &= bits - 1) {
				uint32_t off = wi * 64 + (uint32_t)__builtin_ctzll(bits);
				if (kid_at(c, w->base + off) == w->base + off)
					win_put_other(w, c, kid, off);
			}
		return;
	}
	struct seg_postings *pc = c->pc;
	for (uint32_t wi = 0; wi < WIN_WORDS && pc->doc != SEG_END; wi++)
		for (uint64_t bits = w->live[wi]; bits; bits &= bits - 1) {
			uint32_t off = wi * 64 + (uint32_t)__builtin_ctzll(bits);
			uint32_t d = w->base + off;
			if (seg_postings_advance(pc, d) == d)
				win_put(w, c, kid, off, pc->tfs[pc->i]);
		}
	c->doc = pc->doc;
}

/* The largest block bound of c over documents [lo, hi]. */
static double range_ub(struct sc *c, uint32_t lo, uint32_t hi)
{
	double ub = 0;
	for (uint32_t d = lo;;) {
		uint32_t upto;
		double u = sc_block_ub(c, d, &upto);
		if (u > ub)
			ub = u;
		if (upto >= hi)
			return ub;
		d = upto + 1;
	}
}

/* Keeps the live documents whose quick score plus bound can reach theta
 * (rounding of partial sums allowed for, so that a tie is never dropped);
 * returns how many remain. */
static size_t win_prune(struct win *w, double bound, double theta)
{
	double slack = isfinite(theta) ? fabs(theta) * 1e-9 : 0;
	double need = theta - bound - slack;
	size_t n = 0;
	for (uint32_t wi = 0; wi < WIN_WORDS; wi++) {
		uint64_t keep = 0;
		for (uint64_t bits = w->live[wi]; bits; bits &= bits - 1) {
			unsigned b = (unsigned)__builtin_ctzll(bits);
			int ok = !(w->acc[wi * 64 + b] < need);
			keep |= (uint64_t)ok << b;
			n += (size_t)ok;
		}
		w->live[wi] = keep;
	}
	return n;
}

/* Sorts the logged postings of the live documents by document into byoff,
 * at[] delimiting each document's, with kid numbers turned into places in
 * the query (qof[i]: the place of sorted kid i). */
static void win_gather(struct win *w, const size_t *qof)
{
	memset(w->at, 0, sizeof w->at);
	for (size_t h = 0; h < w->nhits; h++) {
		uint32_t off = w->hits[h].off;
		w->at[off] += (uint32_t)(w->live[off >> 6] >> (off & 63) & 1);
	}
	for (uint32_t i = 1; i < WIN; i++)
		w->at[i] += w->at[i - 1];
	w->at[WIN] = w->at[WIN - 1];
	/* at[off] is now the end of the document's run; filling backwards
	 * leaves it at the start */
	for (size_t h = w->nhits; h-- > 0;) {
		struct win_hit e = w->hits[h];
		if (w->live[e.off >> 6] >> (e.off & 63) & 1) {
			e.kid = (uint32_t)qof[e.kid];
			w->byoff[--w->at[e.off]] = e;
		}
	}
}

/* The exact score of document base + off: its kids' scores added in
 * query order, as or_score adds them, so that it is the exhaustive
 * path's score to the bit.  ord: the sorted number of each query kid.
 * grp (NULL: one group) numbers the group of each query kid when root
 * stands for a conjunction of groups: each group's kids are added up
 * first, and the groups' sums then, as and_score adds or_scores.
 * *groups: the groups (bits, groups numbered mod 64) with a kid on the
 * document. */
static double win_score(struct win *w, const struct sc *root, const size_t *ord,
			const uint32_t *grp, uint32_t off, uint64_t *groups)
{
	uint32_t d = w->base + off;
	double total = 0, sc = 0;
	uint32_t g = grp ? grp[0] : 0;
	uint64_t seen = 0;
	if (w->tf) {
		for (size_t j = 0; j < root->nkids; j++) {
			if (grp && grp[j] != g) {
				total += sc;
				sc = 0;
				g = grp[j];
			}
			if (w->mask[off] >> ord[j] & 1) {
				sc += sc_term_score_tf(root->kids[j], d, w->tf[ord[j] * WIN + off]);
				seen |= (uint64_t)1 << (g & 63);
			}
		}
		*groups = seen;
		return grp ? total + sc : sc;
	}
	struct win_hit *v = w->byoff + w->at[off];
	uint32_t n = w->at[off + 1] - w->at[off];
	for (uint32_t i = 1; i < n; i++) /* runs are short: insertion sort */
		for (uint32_t j = i; j > 0 && v[j - 1].kid > v[j].kid; j--) {
			struct win_hit t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (uint32_t i = 0; i < n; i++) {
		if (grp && grp[v[i].kid] != g) {
			total += sc;
			sc = 0;
			g = grp[v[i].kid];
		}
		const struct sc *c = root->kids[v[i].kid];
		sc += c->kind == SC_TERM ? sc_term_score_tf(c, d, v[i].v.tf) : v[i].v.score;
		seen |= (uint64_t)1 << (g & 63);
	}
	*groups = seen;
	return grp ? total + sc : sc;
}
/* Drops from w's live documents those that fail a condition. */
static void win_conds(struct win *w, const struct win_cond *cond, size_t ncond)
{
	for (size_t i = 0; i < ncond; i++) {
		struct sc *c = cond[i].c;
		for (uint32_t wi = 0; wi < WIN_WORDS; wi++)
			for (uint64_t bits = w->live[wi]; bits; bits &= bits - 1) {
				unsigned b = (unsigned)__builtin_ctzll(bits);
				uint32_t d = w->base + wi * 64 + b;
				if ((kid_at(c, d) == d) != cond[i].must)
					w->live[wi] &= ~((uint64_t)1 << b);
			}
	}
}

/* MaxScore (Turtle & Flood 1995) over a disjunction, WIN documents at a
 * time.  Kids sorted by bound; those whose bounds together
 * stay below the threshold are non-essential.  The essential kids fill
 * the window; then each non-essential kid, largest bound first, is read
 * for the candidates that the bounds of the kids not yet read (block
 * maxima over the window) still keep alive: probed one by one when few
 * remain, merged in one pass over its window of postings otherwise.
 * Survivors are scored exactly, kids in query order, from the frequencies
 * kept.  The partition changes only between windows, so a kid never
 * counts both as essential and as non-essential on one document.  For a
 * conjunction (eng_run_conj) the kids of one required group may be the
 * essential ones instead (drive), every match being one of theirs. */
void eng_run_window(struct run *r, size_t segno, struct sc *root,
		    const struct win_cond *cond, size_t ncond, const uint32_t *grp,
		    uint64_t need, const uint8_t *drive)
{
	const struct seg *s = &r->ix->x.segs[segno];
	size_t n = root->nkids;
	int masked = n <= WIN_MASKKIDS;
	for (size_t i = 0; i < n; i++)
		masked &= root->kids[i]->kind == SC_TERM;
	struct kid_order byub = {0}, bydrive = {0};
	double *pre = malloc(sizeof *pre * (n ? n : 1));
	uint64_t *esuf = NULL;
	struct win *w = calloc(1, sizeof *w);
	uint32_t *tf = masked ? malloc(sizeof *tf * WIN * n) : NULL;
	if (!pre || !w || (masked && !tf) || order_kids(root, NULL, &byub) != 0 ||
	    (drive && order_kids(root, drive, &bydrive) != 0) ||
	    (drive && (esuf = malloc(sizeof *esuf * (n + 1))) == NULL)) {
		err_set(&r->e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t j = 0; j < n; j++)
		sc_advance(root->kids[j], 0);
	w->tf = tf;
	/* With drivers, their kids alone are read whole (the driving kids:
	 * every match is one of theirs) until the kids that MaxScore's bounds
	 * would read whole promise fewer documents; from then on, MaxScore
	 * alone.  esuf[i]: the documents of kids i.. in bound order. */
	struct kid_order *o = drive ? &bydrive : &byub;
	uint64_t edrive = 0;
	size_t ne = 0, une = 0; /* kids [0, ne) of o (une of byub) are non-essential */
	if (drive) {
		esuf[n] = 0;
		for (size_t i = n; i-- > 0;)
			esuf[i] = esuf[i + 1] + eng_est_docs(byub.k[i], 0);
		for (size_t j = 0; j < n; j++) {
			if (drive[j])
				edrive += eng_est_docs(root->kids[j], 0);
			else
				ne++;
		}
	}
	struct sc **k = o->k;
	const double *cum = o->cum;
	const size_t *ord = o->ord, *qof = o->qof;
	double theta = threshold(&r->hp);
	uint32_t done = 0;
	for (;;) {
		if (o == &bydrive) {
			while (une < n && byub.cum[une] < theta)
				une++;
			if (une >= n || esuf[une] < edrive) {
				o = &byub;
				k = o->k;
				cum = o->cum;
				ord = o->ord;
				qof = o->qof;
				ne = une;
			}
		}
		while (ne < n && cum[ne] < theta)
			ne++;
		if (ne >= n)
			break;
		/* a kid that turned essential when the order changed may still
		 * be on a document of a window done: never go back there */
		uint32_t base = min_doc(k, ne, n);
		if (base < done)
			base = done;
		if (base >= s->ndocs)
			break;
		uint32_t upto = s->ndocs - base > WIN ? base + WIN : s->ndocs;
		done = upto;
		w->base = base;
		w->nhits = 0;
		memset(w->seen, 0, sizeof w->seen);
		for (size_t i = ne; i < n; i++)
			if (k[i]->doc < upto)
				win_read(w, k[i], i, upto, NULL);
		for (uint32_t wi = 0; wi < WIN_WORDS; wi++) {
			w->live[wi] = w->seen[wi];
			if (s->delbits)
				for (uint64_t bits = w->seen[wi]; bits; bits &= bits - 1) {
					unsigned b = (unsigned)__builtin_ctzll(bits);
					if (seg_deleted(s, base + wi * 64 + b))
						w->live[wi] &= ~((uint64_t)1 << b);
				}
		}
		win_conds(w, cond, ncond);
		double sum = 0;
		for (size_t i = 0; i < ne; i++)
			pre[i] = sum += range_ub(k[i], base, upto - 1);
		for (size_t i = ne; i-- > 0;) {
			size_t nlive = win_prune(w, pre[i], theta);
			if (nlive == 0)
				break;
			struct sc *c = k[i];
			/* a probe costs a skip and often a block; merging costs
			 * about the kid's postings in the window */
			uint64_t inwin = c->kind == SC_TERM
				? (uint64_t)c->pc->df * (upto - base) / s->ndocs : UINT64_MAX;
			if (4 * (uint64_t)nlive < inwin)
				win_probe(w, c, i);
			else
				win_read(w, c, i, upto, w->live);
		}
		if (w->oom) {
			err_set(&r->e, ERR_NOMEM, "out of memory");
			goto out;
		}
		if (!masked)
			win_gather(w, qof);
		for (uint32_t wi = 0; wi < WIN_WORDS; wi++) {
			for (uint64_t bits = w->live[wi]; bits; bits &= bits - 1) {
				uint32_t off = wi * 64 + (uint32_t)__builtin_ctzll(bits);
				double slack = isfinite(theta) ? fabs(theta) * 1e-9 : 0;
				if (w->acc[off] + slack < theta)
					continue;
				uint64_t groups;
				double score = win_score(w, root, ord, grp, off, &groups);
				if ((groups & need) != need)
					continue; /* a required group does not match */
				eng_offer(r, segno, base + off, score);
				double t = threshold(&r->hp);
				if (t > theta)
					theta = t;
			}
		}
	}
out:
	if (w) {
		free(w->hits);
		free(w->byoff);
	}
	order_free(&byub);
	order_free(&bydrive);
	free(esuf);
	free(pre);
	free(w);
	free(tf);
}

