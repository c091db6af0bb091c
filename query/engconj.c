/*
 * engconj.c - conjunctions ranked by MaxScore.  A conjunction of word
 * groups (--all, +required words: each word an SC_OR of its fields, or one
 * term, phrase or NEAR), with optional groups after the required ones
 * (SC_REQOPT), scores a match as the sum of its groups' sums.
 * eng_run_window ranks it as the disjunction of every group's kids, pruned
 * as a disjunction is, and adds a document's groups' sums as and_score
 * adds them (win_score's grp), so that scores stay bit-identical.  A
 * document that survives pruning has had every kid read, so which groups
 * it matches is known when it is scored: one lacking a required group is
 * dropped there.
 */
#include "engrun.h"

#include <string.h>

static int conj_add(struct conj *cj, struct sc *c, int req)
{
	if (restricts_only(c)) {
		/* scores 0: a required one is a condition, an optional one
		 * nothing */
		if (req) {
			if (cj->ncond == WIN_MAXCONDS)
				return -1;
			cj->cond[cj->ncond++] = (struct win_cond){c, 1};
		}
		return 0;
	}
	switch (c->kind) {
	case SC_AND:
	case SC_REQOPT:
	case SC_EXCL:
	case SC_FILTER:
		return -1; /* nested: its sum is not one group's */
	default:
		if (cj->ng == CONJ_MAXGROUPS)
			return -1;
		if (req)
			cj->need |= (uint64_t)1 << cj->ng;
		cj->g[cj->ng++] = c;
		return 0;
	}
}

/* Lists the groups and conditions of root when it is such a conjunction
 * (exclusions and filters around it become conditions): 0, or -1 when
 * root is of another shape. */
int eng_conj_parse(struct sc *root, struct conj *cj)
{
	cj->ng = cj->ncond = 0;
	cj->need = 0;
	while (root->kind == SC_FILTER || root->kind == SC_EXCL) {
		if (cj->ncond == WIN_MAXCONDS)
			return -1;
		cj->cond[cj->ncond++] = (struct win_cond){root->kids[1], root->kind == SC_FILTER};
		root = root->kids[0];
	}
	size_t first = 0;
	if (root->kind == SC_REQOPT) {
		struct sc *req = root->kids[0];
		if (req->kind == SC_AND) {
			for (size_t i = 0; i < req->nkids; i++)
				if (conj_add(cj, req->kids[i], 1))
					return -1;
		} else if (conj_add(cj, req, 1)) {
			return -1;
		}
		first = 1;
	} else if (root->kind != SC_AND) {
		return -1;
	}
	for (size_t i = first; i < root->nkids; i++)
		if (conj_add(cj, root->kids[i], root->kind == SC_AND))
			return -1;
	/* No required group (only conditions required, optional groups
	 * beside them): a document meeting the conditions matches, with a
	 * score of 0, whether or not an optional group matches it, and no
	 * list of the window would bring it. */
	return cj->ng > 0 && cj->need != 0 ? 0 : -1;
}

/* Ranks a conjunction parsed into cj (its groups flattened) with
 * eng_run_window, its rarest required group driving: every match is one of
 * that group's, so its kids alone need to be read whole, and the others
 * only for the documents they find (a phrase of 13 matches beside a word
 * in 40% of the documents reads 13 documents of the word, not all).
 * Returns 0, or -1 out of memory. */
int eng_run_conj(struct run *r, size_t segno, struct arena *a, const struct conj *cj)
{
	size_t n = 0;
	for (size_t i = 0; i < cj->ng; i++)
		n += cj->g[i]->kind == SC_OR ? cj->g[i]->nkids : 1;
	struct sc *flat = arena_alloc(a, sizeof *flat);
	struct sc **kids = arena_alloc(a, sizeof *kids * (n ? n : 1));
	uint32_t *grp = arena_alloc(a, sizeof *grp * (n ? n : 1));
	if (!flat || !kids || !grp)
		return -1;
	memset(flat, 0, sizeof *flat);
	size_t j = 0;
	for (size_t i = 0; i < cj->ng; i++) {
		struct sc *g = cj->g[i];
		size_t m = g->kind == SC_OR ? g->nkids : 1;
		for (size_t q = 0; q < m; q++) {
			kids[j] = g->kind == SC_OR ? g->kids[q] : g;
			grp[j] = (uint32_t)i;
			flat->ub += kids[j]->ub;
			j++;
		}
	}
	flat->kind = SC_OR;
	flat->kids = kids;
	flat->nkids = n;
	flat->s = cj->g[0]->s;
	flat->env = cj->g[0]->env;
	uint8_t *drive = NULL;
	if (cj->need) {
		size_t best = 0;
		uint64_t least = UINT64_MAX;
		for (size_t i = 0; i < cj->ng; i++)
			if (cj->need >> i & 1) {
				uint64_t m = eng_est_docs(cj->g[i], 0);
				if (m < least) {
					least = m;
					best = i;
				}
			}
		if ((drive = arena_alloc(a, n ? n : 1)) == NULL)
			return -1;
		for (size_t q = 0; q < n; q++)
			drive[q] = grp[q] == best;
	}
	eng_run_window(r, segno, flat, cj->cond, cj->ncond, grp, cj->need, drive);
	return 0;
}
