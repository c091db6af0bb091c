/*
 * engrun.c - one run of a query over the segments: each segment's scorer
 * tree built (engbuild.c), then read the cheapest way its shape allows.
 * A ranked disjunction, found inside the conditions around it
 * (ranked_core), goes to windowed MaxScore (engwindow.c); a conjunction of
 * word groups (--all, +required words) is ranked the same way, as the
 * disjunction of its groups' lists (engconj.c); an unscored run (counts,
 * facets) takes a bitmap where that pays (engbits.c).  Other ranked
 * queries (nested conjunctions) score every match (eng_run_all).
 */
#include "engrun.h"

#include <stdlib.h>
#include <string.h>

void eng_run_all(struct run *r, size_t segno, struct sc *root)
{
	const struct seg *s = &r->ix->x.segs[segno];
	for (uint32_t d = sc_advance(root, 0); d != SEG_END; d = sc_advance(root, d + 1)) {
		if (seg_deleted(s, d))
			continue;
		/* scoring was more than half of a count's time */
		eng_offer(r, segno, d, r->no_score ? 0.0 : sc_score(root));
	}
}

/* The disjunction (or lone term) that ranks the matches of *rootp, with
 * the conditions around it in cond[0 .. *ncond): root's score is its score
 * to the bit (an exclusion or filter scores its first kid; a conjunction
 * adds zeros to it).  Returns where the tree holds it (rootp itself or a
 * slot of its parent's kids), so that the caller may replace it there;
 * NULL when root is of another shape (a conjunction of scored parts,
 * required words). */
static struct sc **ranked_core(struct sc **rootp, struct win_cond *cond, size_t *ncond)
{
	*ncond = 0;
	for (;;) {
		struct sc *root = *rootp;
		if (root->kind == SC_FILTER || root->kind == SC_EXCL) {
			if (*ncond == WIN_MAXCONDS)
				return NULL;
			cond[(*ncond)++] = (struct win_cond){root->kids[1], root->kind == SC_FILTER};
			rootp = &root->kids[0];
		} else if (root->kind == SC_AND) {
			struct sc **core = NULL;
			for (size_t i = 0; i < root->nkids; i++) {
				struct sc *k = root->kids[i];
				if (!restricts_only(k) && core)
					return NULL;
				if (!restricts_only(k))
					core = &root->kids[i];
				else if (*ncond == WIN_MAXCONDS)
					return NULL;
				else
					cond[(*ncond)++] = (struct win_cond){k, 1};
			}
			if (core == NULL)
				return NULL;
			rootp = core;
		} else {
			return root->kind == SC_OR || root->kind == SC_TERM ? rootp : NULL;
		}
	}
}

/* Flattens nested disjunctions so MaxScore sees every term. */
static void flatten_or(struct sc *root, struct arena *a)
{
	size_t n = 0;
	for (size_t i = 0; i < root->nkids; i++)
		n += root->kids[i]->kind == SC_OR ? root->kids[i]->nkids : 1;
	if (n == root->nkids)
		return;
	struct sc **v = arena_alloc(a, sizeof *v * n);
	if (v == NULL)
		return;
	size_t j = 0;
	for (size_t i = 0; i < root->nkids; i++) {
		struct sc *c = root->kids[i];
		if (c->kind == SC_OR)
			for (size_t q = 0; q < c->nkids; q++)
				v[j++] = c->kids[q];
		else
			v[j++] = c;
	}
	root->kids = v;
	root->nkids = n;
	flatten_or(root, a); /* until no kid is a disjunction */
}

/* The first term cursor under c that met damaged data (seg_postings.corrupt):
 * it ended early, so the matches of this segment are incomplete. */
static const struct seg_postings *damaged_cursor(const struct sc *c, unsigned depth)
{
	if (c == NULL || depth > 4 * Q_MAX_DEPTH + 64)
		return NULL;
	if (c->kind == SC_TERM)
		return c->pc && c->pc->corrupt ? c->pc : NULL;
	for (size_t i = 0; i < c->nkids; i++) {
		const struct seg_postings *pc = damaged_cursor(c->kids[i], depth + 1);
		if (pc)
			return pc;
	}
	return NULL;
}

int eng_run(struct run *r)
{
	int rc = 0;
	struct sc_scratch scratch;
	/* another handle's query would read its cached dictionary entries
	 * (struct dfc) as this one's */
	for (const sarc_query *f = r->q; f; f = f->filter)
		if (f->ix != r->ix)
			return err_set(&r->e, ERR_USAGE, "the query was made with another index handle");
	if (r->ix->damage.code) {
		r->e = r->ix->damage;
		return r->e.code;
	}
	memset(&scratch, 0, sizeof scratch);
	r->env.scratch = &scratch;
	r->env.unscored = r->no_score;
	for (size_t i = 0; i < r->ix->x.nsegs && !rc; i++) {
		struct arena a;
		arena_init(&a);
		struct sc *root = eng_build_segment(r, i, &a);
		if (r->e.code) {
			rc = r->e.code;
		} else if (root) {
			struct win_cond cond[WIN_MAXCONDS];
			size_t ncond;
			struct sc **slot = ranked_core(&root, cond, &ncond);
			struct sc *core = slot ? *slot : NULL;
			if (core && core->kind == SC_TERM) {
				/* a lone term: wrap it so MaxScore applies, in the
				 * tree too, so that exhaustive runs add it to 0 as
				 * well (which turns a -0 into 0: a weight of -0) */
				struct sc *one = arena_alloc(&a, sizeof *one);
				struct sc **kid = arena_alloc(&a, sizeof *kid);
				if (one && kid) {
					memset(one, 0, sizeof *one);
					one->kind = SC_OR;
					kid[0] = core;
					one->kids = kid;
					one->nkids = 1;
					one->ub = core->ub;
					one->s = core->s;
					one->env = core->env;
					*slot = one;
					core = one;
				} else {
					core = NULL;
				}
			}
			/* in place, so that exhaustive runs add the same way */
			if (core)
				flatten_or(core, &a);
			struct conj cj;
			int conj = !core && eng_conj_parse(root, &cj) == 0;
			for (size_t g = 0; conj && g < cj.ng; g++)
				if (cj.g[g]->kind == SC_OR)
					flatten_or(cj.g[g], &a);
			if (!r->exhaustive && !r->visit && core)
				eng_run_window(r, i, core, cond, ncond, NULL, 0, NULL);
			else if (r->no_score && r->visit)
				eng_run_bits(r, i, root);
			else if (r->exhaustive || r->visit || !conj ||
				 eng_run_conj(r, i, &a, &cj) != 0)
				eng_run_all(r, i, root);
			const struct seg_postings *bad = damaged_cursor(root, 0);
			if (scratch.oom && !r->e.code)
				err_set(&r->e, ERR_NOMEM, "out of memory");
			if (bad && !r->e.code)
				err_set(&r->e, ERR_CORRUPT, "%s%s: damaged posting data",
					r->ix->x.segs[i].name, bad->corrupt == 2 ? ".spos" : ".spst");
			if (r->e.code)
				rc = r->e.code;
		}
		arena_free(&a);
	}
	/* lookups without an error path of their own (document frequencies,
	 * prefixes) may have met damage while the scorers were built */
	if (!rc && r->ix->damage.code) {
		r->e = r->ix->damage;
		rc = r->e.code;
	}
	for (int i = 0; i < SCR_N; i++)
		free(scratch.v[i]);
	r->env.scratch = NULL;
	return rc;
}
