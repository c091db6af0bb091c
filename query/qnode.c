/*
 * qnode.c - the inner nodes of the query tree: AND and OR groups, which
 * flatten where that keeps the meaning, and NOT.  Built here, they keep
 * the promises qparse.h makes the engine: no group of exclusions only,
 * every child of an AND that is not excluded marked required.
 *
 * All nodes live in the caller's arena: nothing here is freed on its own.
 */
#include "qpriv.h"

#include <string.h>

struct q_node *qp_newnode(struct parser *p, enum q_type type, size_t qpos)
{
	struct q_node *q = arena_alloc(p->a, sizeof *q);
	if (q == NULL) {
		qp_nomem(p);
		return NULL;
	}
	memset(q, 0, sizeof *q);
	q->type = type;
	q->qpos = (uint32_t)(qpos > UINT32_MAX ? UINT32_MAX : qpos);
	return q;
}

int qp_kv_push(struct parser *p, struct kv *v, struct q_node *q)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 4;
		if (cap > SIZE_MAX / sizeof *v->v)
			return qp_nomem(p);
		struct q_node **nv = arena_alloc(p->a, cap * sizeof *nv);
		if (nv == NULL)
			return qp_nomem(p);
		if (v->n)
			memcpy(nv, v->v, v->n * sizeof *nv);
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = q;
	return 0;
}

int qp_is_leaf(const struct q_node *q)
{
	return q->type == Q_TERMS || q->type == Q_PHRASE || q->type == Q_PREFIX;
}

int qp_flagged(const struct q_node *q)
{
	return q->required || q->prohibited;
}

/* Builds a Q_AND or Q_OR of v's children, flattening where that keeps the
 * meaning: an AND child of an AND unless it is excluded; an OR child of an
 * OR when neither it nor its children carry +/- (its +/- would otherwise
 * apply to the outer group).  Zero children give NULL (nothing), one gives
 * that child unchanged: parentheses around one operand change nothing.
 * start is where the group begins in the text, for messages. */
int qp_mkgroup(struct parser *p, enum q_type type, const struct kv *v, size_t start,
	       struct q_node **out)
{
	struct kv k = {0};
	int rc;
	*out = NULL;
	if (v->n == 1) {
		/* before flattening, which would move a marked child's kids
		 * into a new node without its mark: +(a AND b) */
		*out = v->v[0];
		return 0;
	}
	for (size_t i = 0; i < v->n; i++) {
		struct q_node *c = v->v[i];
		int flat = 0;
		if (c->type == type && type == Q_AND && !c->prohibited)
			flat = 1;
		if (c->type == type && type == Q_OR && !qp_flagged(c)) {
			flat = 1;
			for (size_t j = 0; j < c->nkids; j++)
				if (qp_flagged(c->kids[j]))
					flat = 0;
		}
		if (flat) {
			for (size_t j = 0; j < c->nkids; j++)
				if ((rc = qp_kv_push(p, &k, c->kids[j])) != 0)
					return rc;
		} else if ((rc = qp_kv_push(p, &k, c)) != 0) {
			return rc;
		}
	}
	if (k.n == 0)
		return 0;
	if (k.n == 1) {
		*out = k.v[0];
		return 0;
	}
	size_t nneg = 0;
	for (size_t i = 0; i < k.n; i++)
		nneg += k.v[i]->prohibited != 0;
	if (nneg == k.n) {
		char b[SHOWBUF];
		return qp_perr(p, start, "'%s' only excludes: add a word to search for",
			       qp_show(p, start, p->lx.last_end, b, sizeof b));
	}
	struct q_node *q = qp_newnode(p, type, start);
	if (q == NULL)
		return ERR_NOMEM;
	q->kids = k.v;
	q->nkids = k.n;
	if (type == Q_AND)
		for (size_t i = 0; i < k.n; i++)
			if (!k.v[i]->prohibited)
				k.v[i]->required = 1;
	*out = q;
	return 0;
}

/* Q_NOT of left minus the union of subs (a NOT b NOT c = a NOT (b OR c)). */
int qp_mknot(struct parser *p, struct q_node *left, const struct kv *subs, size_t start,
	     struct q_node **out)
{
	struct q_node *right;
	int rc;
	if (qp_flagged(left))
		return qp_perr(p, left->qpos, "'%c' cannot mark an operand of NOT",
			       left->prohibited ? '-' : '+');
	for (size_t i = 0; i < subs->n; i++)
		if (qp_flagged(subs->v[i]))
			return qp_perr(p, subs->v[i]->qpos, "'%c' cannot mark an operand of NOT",
				       subs->v[i]->prohibited ? '-' : '+');
	if ((rc = qp_mkgroup(p, Q_OR, subs, subs->v[0]->qpos, &right)) != 0)
		return rc;
	struct q_node *q = qp_newnode(p, Q_NOT, start);
	if (q == NULL)
		return ERR_NOMEM;
	q->kids = arena_alloc(p->a, 2 * sizeof *q->kids);
	if (q->kids == NULL)
		return qp_nomem(p);
	q->kids[0] = left;
	q->kids[1] = right;
	q->nkids = 2;
	*out = q;
	return 0;
}
