/*
 * qparse.c - the sarc query language's grammar: a recursive-descent parser
 * over the tokens of qlex.c that builds the q_node tree of qparse.h.
 *
 * The user-facing description (grammar, precedence, fields, tags, errors)
 * is docs/QUERY.md; this file and the others of qpriv.h implement exactly
 * that.  In short:
 *
 *   default syntax            --syntax pubmed
 *   query  := clause+         query  := unary (op? unary)*   left to right
 *   clause := or                        op: AND OR NOT, nothing means AND
 *   or     := and (OR and)*
 *   and    := not (AND not)*
 *   not    := unary (NOT unary)*
 *   unary  := ('+'|'-')? near          (both syntaxes)
 *   near   := primary (NEAR[/n] primary)*
 *   primary:= field? (word | "phrase" | '(' query ')') [tag]?
 *
 * Juxtaposed clauses are the loosest level in the default syntax: they are
 * a ranked OR (AND with --all), so `a b AND c` is `a OR (b AND c)`.
 *
 * Design points:
 *  - A word the analyzer drops (a stopword, punctuation) becomes "nothing"
 *    (qleaf.c): it is skipped where that is harmless and reported where the
 *    user asked for something (whole query, phrase, +word, NEAR operand,
 *    left of NOT).
 *  - Input is untrusted (fuzzed): every recursion is bounded by
 *    Q_MAX_DEPTH, and look-ahead scans are bounded or memoized so that no
 *    input makes the parser quadratic.
 */
#include "qparse.h"

#include <stdlib.h>
#include <string.h>

#include "qpriv.h"

static int parse_query(struct parser *p, uint32_t fields, struct q_node **out);
static int parse_unary(struct parser *p, uint32_t fields, struct q_node **out);

static int deeper(struct parser *p, size_t off)
{
	if (++p->depth > Q_MAX_DEPTH)
		return qp_perr(p, off, "query nests deeper than %d levels", Q_MAX_DEPTH);
	return 0;
}

/* In PubMed syntax a tag applies to the whole run of words before it, as a
 * phrase ("smith j[au]" is the author "smith j").  If the words from t on
 * end in a text tag, consumes them and the tag and returns 1 in *found. */
static int pubmed_run(struct parser *p, const struct tok *t, int *found, size_t *rend,
		      struct tok *tag)
{
	struct lexstate save = p->lx;
	struct tok w;
	size_t end = t->vend;
	int nw = 1;
	*found = 0;
	if (t->start < p->norun_until)
		return 0;
	p->quiet++; /* a lexing error ends the run; it is reported in order later */
	for (;;) {
		struct tok *pk;
		if (qp_peek(p, &pk) != 0)
			break;
		if (pk->kind == TK_TAG && nw > 1 && qp_tags[pk->idx].kind != FK_YEAR &&
		    qp_tags[pk->idx].kind != FK_PMID) {
			*tag = *pk;
			*rend = end;
			*found = 1;
			p->lx.have = 0;
			p->lx.last_end = tag->end;
			p->quiet--;
			return 0;
		}
		if (pk->kind != TK_WORD || pk->prefix || qp_next(p, &w) != 0)
			break;
		end = w.vend;
		nw++;
	}
	p->quiet--;
	/* Memoize: no word of this run starts a tagged run either. */
	p->norun_until = p->lx.have ? p->lx.tok.start : p->lx.off;
	p->lx = save;
	return 0;
}

/* Is the next token a NEAR?  Lexing errors are left for when the parser
 * gets there. */
static int near_follows(struct parser *p)
{
	struct tok *pk;
	p->quiet++;
	int rc = qp_peek(p, &pk);
	p->quiet--;
	return rc == 0 && pk->kind == TK_NEAR;
}

/* Sets the fields of every leaf under q that still has `from` (the fields
 * in force where the tag's operand began) to `to`: the field written
 * closest to a word wins. */
static void retag(struct q_node *q, uint32_t from, uint32_t to)
{
	if (qp_is_leaf(q)) {
		if (q->fields == from)
			q->fields = to;
		return;
	}
	for (size_t i = 0; i < q->nkids; i++)
		retag(q->kids[i], from, to);
}

/* primary := field? (word | "phrase" | '(' query ')') [tag]?
 * fielded: a field prefix precedes; near: the right operand of a NEAR. */
static int parse_primary(struct parser *p, uint32_t fields, int fielded, int near,
			 struct q_node **out)
{
	struct tok t, *pk;
	char b[SHOWBUF];
	int rc, nested;
	*out = NULL;
	if ((rc = qp_next(p, &t)) != 0)
		return rc;
	nested = t.kind == TK_LPAREN || t.kind == TK_FIELD;
	if (nested && (rc = deeper(p, t.start)) != 0)
		return rc;
	switch (t.kind) {
	case TK_FIELD: {
		const struct fdef *fd = &qp_prefix_fields[t.idx];
		if ((rc = qp_peek(p, &pk)) != 0)
			return rc;
		if (fd->kind != FK_TEXT) {
			if ((pk->kind == TK_MINUS || pk->kind == TK_PLUS) && pk->end < p->n &&
			    !qp_space_at(p->s, p->n, pk->end)) {
				/* "pmid:-5", "year:-2015": the sign made its own
				 * token, but the value as typed is what is wrong */
				size_t ve = pk->end;
				while (ve < p->n && !qp_space_at(p->s, p->n, ve) &&
				       !qp_quote_at(p->s, p->n, ve) && p->s[ve] != '(' && p->s[ve] != ')')
					ve++;
				if (ve > pk->end)
					return qp_filter_leaf(p, fd->kind, pk->start, ve, t.start, fd->name,
							      out);
			}
			if (pk->kind != TK_WORD && pk->kind != TK_PHRASE)
				return qp_perr(p, t.start, "'%s' needs a value, as in %s",
					       qp_show(p, t.start, t.end, b, sizeof b),
					       fd->kind == FK_YEAR ? "year:2015 or year:2015..2020"
								   : "pmid:12345678");
			struct tok v;
			if ((rc = qp_next(p, &v)) != 0)
				return rc;
			size_t ve = v.kind == TK_WORD && v.prefix ? v.end : v.vend;
			if ((rc = qp_filter_leaf(p, fd->kind, v.vstart, ve, t.start, fd->name, out)) != 0)
				return rc;
			break;
		}
		if (pk->kind != TK_WORD && pk->kind != TK_PHRASE && pk->kind != TK_LPAREN &&
		    pk->kind != TK_FIELD)
			return qp_perr(p, t.start, "'%s' must be followed by a word, a \"phrase\" or a (group)",
				       qp_show(p, t.start, t.end, b, sizeof b));
		if ((rc = parse_primary(p, fd->mask, 1, near, out)) != 0)
			return rc;
		if (*out) /* messages point at "title:", not the word after it */
			(*out)->qpos = (uint32_t)(t.start > UINT32_MAX ? UINT32_MAX : t.start);
		break;
	}
	case TK_WORD:
	case TK_PHRASE: {
		size_t vs = t.vstart, ve = t.vend;
		int run = 0;
		struct tok tag = {0};
		if (p->syntax == Q_SYNTAX_PUBMED && !fielded && t.kind == TK_WORD && !t.prefix) {
			if ((rc = pubmed_run(p, &t, &run, &ve, &tag)) != 0)
				return rc;
		}
		if (!run) {
			if ((rc = qp_peek(p, &pk)) != 0)
				return rc;
			if (pk->kind == TK_TAG && (rc = qp_next(p, &tag)) != 0)
				return rc;
		}
		uint32_t f = fields, prox = 0;
		if (tag.kind == TK_TAG) {
			const struct fdef *td = &qp_tags[tag.idx];
			const char *tn = qp_show(p, tag.start, tag.end, b, sizeof b);
			if (td->kind == FK_YEAR || td->kind == FK_PMID) {
				size_t vend = t.kind == TK_WORD && t.prefix ? t.end : t.vend;
				if ((rc = qp_filter_leaf(p, td->kind, t.vstart, vend, t.start, tn, out)) != 0)
					return rc;
				if (td->kind == FK_YEAR && (rc = qp_dp_range(p, *out)) != 0)
					return rc;
				break;
			}
			f = td->kind == FK_DEFAULT ? p->deffields : td->mask;
			prox = tag.num;
			if (prox && t.kind == TK_WORD && !run)
				return qp_perr(p, tag.start, "'%s' needs a \"quoted phrase\"", tn);
		}
		if (t.kind == TK_PHRASE || run) {
			/* PubMed's author form, unless NEAR takes the phrase
			 * as written: author:("hui ong" NEAR/3 eugene) */
			if (f == FB(AUTHOR) && !prox && !near && !near_follows(p))
				rc = qp_author_leaf(p, vs, ve, t.start, f, out);
			if (rc == 0 && *out == NULL)
				rc = qp_phrase_leaf(p, vs, ve, t.start, f, prox, out);
		} else if (t.prefix)
			rc = qp_prefix_leaf(p, &t, f, out);
		else {
			if (f == FB(LANG))
				rc = qp_lang_leaf(p, vs, ve, t.start, f, out);
			if (rc == 0 && *out == NULL)
				rc = qp_word_leaf(p, vs, ve, t.start, f, out);
		}
		if (rc)
			return rc;
		break;
	}
	case TK_LPAREN: {
		if ((rc = parse_query(p, fields, out)) != 0 || (rc = qp_peek(p, &pk)) != 0)
			return rc;
		if (pk->kind != TK_RPAREN)
			return qp_perr(p, t.start, "unbalanced '('");
		if ((rc = qp_next(p, &t)) != 0 || (rc = qp_peek(p, &pk)) != 0)
			return rc;
		if (pk->kind == TK_TAG) {
			const struct fdef *td = &qp_tags[pk->idx];
			const char *tn = qp_show(p, pk->start, pk->end, b, sizeof b);
			if (td->kind == FK_YEAR || td->kind == FK_PMID)
				return qp_perr(p, pk->start, "'%s' applies to one value, not to a (group)", tn);
			if (pk->num)
				return qp_perr(p, pk->start, "'%s' needs a \"quoted phrase\"", tn);
			if (*out)
				retag(*out, fields, td->kind == FK_DEFAULT ? p->deffields : td->mask);
			if ((rc = qp_next(p, &t)) != 0)
				return rc;
		}
		break;
	}
	default:
		/* Callers check qp_can_start() first; this is for the unexpected. */
		return qp_perr(p, t.start, "unexpected '%s'", qp_show(p, t.start, t.end, b, sizeof b));
	}
	if ((rc = qp_peek(p, &pk)) != 0)
		return rc;
	if (pk->kind == TK_TAG)
		return qp_perr(p, pk->start, "unexpected tag '%s' (one tag per word, phrase or group)",
			       qp_show(p, pk->start, pk->end, b, sizeof b));
	if (nested)
		p->depth--;
	return 0;
}

/* near := primary (NEAR[/n] primary)* */
static int parse_near(struct parser *p, uint32_t fields, struct q_node **out)
{
	struct tok *pk, op;
	struct kv k = {0};
	uint32_t dist = 0;
	size_t start = 0, nstop0 = p->nstop;
	int rc;
	if ((rc = qp_peek(p, &pk)) != 0)
		return rc;
	start = pk->start;
	if ((rc = parse_primary(p, fields, 0, 0, out)) != 0)
		return rc;
	for (;;) {
		struct q_node *r;
		if ((rc = qp_peek(p, &pk)) != 0)
			return rc;
		if (pk->kind != TK_NEAR)
			break;
		if (*out == NULL)
			return qp_nothing(p, start, p->lx.last_end, p->nstop > nstop0);
		if ((rc = qp_next(p, &op)) != 0 || (rc = qp_peek(p, &pk)) != 0)
			return rc;
		if (pk->kind == TK_PLUS || pk->kind == TK_MINUS)
			return qp_perr(p, pk->start, "'%c' cannot mark an operand of NEAR",
				       pk->kind == TK_PLUS ? '+' : '-');
		if (!qp_can_start(pk->kind))
			return qp_perr(p, op.start, "'NEAR' is missing its right operand");
		if (dist && op.num != dist)
			return qp_perr(p, op.start, "a chain of NEAR must use one distance");
		dist = op.num;
		if (k.n == 0 && (rc = qp_kv_push(p, &k, *out)) != 0)
			return rc;
		size_t rs = pk->start, rstop = p->nstop;
		if ((rc = parse_primary(p, fields, 0, 1, &r)) != 0)
			return rc;
		if (r == NULL)
			return qp_nothing(p, rs, p->lx.last_end, p->nstop > rstop);
		if ((rc = qp_kv_push(p, &k, r)) != 0)
			return rc;
	}
	if (k.n == 0)
		return 0;
	for (size_t i = 0; i < k.n; i++) {
		struct q_node *c = k.v[i];
		if (qp_flagged(c))
			return qp_perr(p, c->qpos, "'%c' cannot mark an operand of NEAR",
				       c->prohibited ? '-' : '+');
		/* a phrase with compounds: NEAR measures from the spelling
		 * with every compound as its parts, the first */
		if (c->type == Q_OR && c->spellings)
			c = k.v[i] = c->kids[0];
		if (!qp_is_leaf(c))
			return qp_perr(p, c->qpos, "NEAR joins words, phrases and prefixes, not groups or filters");
		if (c->fields != k.v[0]->fields)
			return qp_perr(p, c->qpos, "NEAR operands must search the same fields");
	}
	struct q_node *q = qp_newnode(p, Q_NEAR, start);
	if (q == NULL)
		return ERR_NOMEM;
	q->kids = k.v;
	q->nkids = k.n;
	q->dist = dist;
	*out = q;
	return 0;
}

/* unary := ('+' | '-')? near.  "+the" is an error, "-the" is nothing. */
static int parse_unary(struct parser *p, uint32_t fields, struct q_node **out)
{
	struct tok *pk, sign;
	int rc;
	if ((rc = qp_peek(p, &pk)) != 0)
		return rc;
	if (pk->kind != TK_PLUS && pk->kind != TK_MINUS)
		return parse_near(p, fields, out);
	if ((rc = qp_next(p, &sign)) != 0 || (rc = qp_peek(p, &pk)) != 0)
		return rc;
	size_t start = pk->start, nstop0 = p->nstop;
	if ((rc = parse_near(p, fields, out)) != 0)
		return rc;
	if (*out == NULL)
		return sign.kind == TK_PLUS ? qp_nothing(p, start, p->lx.last_end, p->nstop > nstop0) : 0;
	if ((*out)->prohibited)
		return qp_perr(p, sign.start, "'%c' cannot apply to an excluded operand",
			       sign.kind == TK_PLUS ? '+' : '-');
	(*out)->required = sign.kind == TK_PLUS;
	(*out)->prohibited = sign.kind == TK_MINUS;
	(*out)->qpos = (uint32_t)(sign.start > UINT32_MAX ? UINT32_MAX : sign.start);
	return 0;
}

/* Consumes a binary operator and checks that an operand follows it. */
static int take_op(struct parser *p, struct tok *op)
{
	struct tok *pk;
	int rc;
	if ((rc = qp_next(p, op)) != 0 || (rc = qp_peek(p, &pk)) != 0)
		return rc;
	if (!qp_can_start(pk->kind))
		return qp_perr(p, op->start, "'%s' is missing its right operand", qp_tk_name(op->kind));
	return 0;
}

/* not := unary (NOT unary)*   (default syntax) */
static int parse_not(struct parser *p, uint32_t fields, struct q_node **out)
{
	struct tok *pk, op;
	struct kv subs = {0};
	int rc;
	if ((rc = qp_peek(p, &pk)) != 0)
		return rc;
	size_t start = pk->start, nstop0 = p->nstop;
	if ((rc = parse_unary(p, fields, out)) != 0)
		return rc;
	for (;;) {
		struct q_node *r;
		if ((rc = qp_peek(p, &pk)) != 0)
			return rc;
		if (pk->kind != TK_NOT)
			break;
		if (*out == NULL)
			return qp_nothing(p, start, p->lx.last_end, p->nstop > nstop0);
		if ((rc = take_op(p, &op)) != 0 || (rc = parse_unary(p, fields, &r)) != 0)
			return rc;
		if (r && (rc = qp_kv_push(p, &subs, r)) != 0)
			return rc;
	}
	if (subs.n == 0)
		return 0;
	return qp_mknot(p, *out, &subs, start, out);
}

/* and := not (AND not)*  and  or := and (OR and)*   (default syntax) */
static int parse_binary(struct parser *p, enum tk optk, uint32_t fields, struct q_node **out)
{
	struct tok *pk, op;
	struct kv k = {0};
	int rc;
	if ((rc = qp_peek(p, &pk)) != 0)
		return rc;
	size_t start = pk->start;
	for (;;) {
		struct q_node *c;
		rc = optk == TK_OR ? parse_binary(p, TK_AND, fields, &c) : parse_not(p, fields, &c);
		if (rc)
			return rc;
		if (c && (rc = qp_kv_push(p, &k, c)) != 0)
			return rc;
		if ((rc = qp_peek(p, &pk)) != 0)
			return rc;
		if (pk->kind != optk)
			break;
		if ((rc = take_op(p, &op)) != 0)
			return rc;
	}
	return qp_mkgroup(p, optk == TK_OR ? Q_OR : Q_AND, &k, start, out);
}

/* Is q made only of filters?  Such a clause restricts, so juxtaposed with
 * words it is AND-ed rather than OR-ed (qparse.h). */
static int is_filter(const struct q_node *q)
{
	switch (q->type) {
	case Q_YEAR:
	case Q_PMID:
	case Q_CITES:
	case Q_CITEDBY:
		return 1;
	case Q_AND:
	case Q_OR:
	case Q_NOT:
		for (size_t i = 0; i < q->nkids; i++)
			if (!is_filter(q->kids[i]))
				return 0;
		return 1;
	default:
		return 0;
	}
}

/* Combines juxtaposed clauses (default syntax): a ranked OR, or AND with
 * --all; filter clauses are AND-ed either way, because they restrict. */
static int combine_clauses(struct parser *p, const struct kv *cl, size_t start,
			   struct q_node **out)
{
	struct kv f = {0}, s = {0};
	int rc;
	if (p->all)
		return qp_mkgroup(p, Q_AND, cl, start, out);
	size_t npos = 0;
	for (size_t i = 0; i < cl->n; i++) {
		struct q_node *c = cl->v[i];
		int filt = is_filter(c) && !c->prohibited;
		if ((rc = qp_kv_push(p, filt ? &f : &s, c)) != 0)
			return rc;
		npos += !filt && !c->prohibited;
	}
	if (f.n == 0)
		return qp_mkgroup(p, Q_OR, &s, start, out);
	if (npos == 0) {
		for (size_t i = 0; i < s.n; i++)
			if ((rc = qp_kv_push(p, &f, s.v[i])) != 0)
				return rc;
		return qp_mkgroup(p, Q_AND, &f, start, out);
	}
	struct q_node *core;
	struct kv all = {0};
	if ((rc = qp_mkgroup(p, Q_OR, &s, start, &core)) != 0 || (rc = qp_kv_push(p, &all, core)) != 0)
		return rc;
	for (size_t i = 0; i < f.n; i++)
		if ((rc = qp_kv_push(p, &all, f.v[i])) != 0)
			return rc;
	return qp_mkgroup(p, Q_AND, &all, start, out);
}

/* Checks the token at the start of an operand; errors name the problem. */
static int operand_expected(struct parser *p, const struct tok *pk)
{
	char b[SHOWBUF];
	if (pk->kind == TK_AND || pk->kind == TK_OR || pk->kind == TK_NOT || pk->kind == TK_NEAR)
		return qp_perr(p, pk->start, "'%s' is missing its left operand", qp_tk_name(pk->kind));
	if (pk->kind == TK_TAG)
		return qp_perr(p, pk->start, "tag '%s' follows no word", qp_show(p, pk->start, pk->end, b, sizeof b));
	return qp_perr(p, pk->start, "unexpected '%s'", qp_show(p, pk->start, pk->end, b, sizeof b));
}

/* query := clause+ (default) until end or ')'. */
static int parse_clauses(struct parser *p, uint32_t fields, struct q_node **out)
{
	struct tok *pk;
	struct kv cl = {0};
	int rc;
	*out = NULL;
	if ((rc = qp_peek(p, &pk)) != 0)
		return rc;
	size_t start = pk->start;
	for (;;) {
		struct q_node *c;
		if ((rc = qp_peek(p, &pk)) != 0)
			return rc;
		if (pk->kind == TK_EOF || pk->kind == TK_RPAREN)
			break;
		if (!qp_can_start(pk->kind))
			return operand_expected(p, pk);
		if ((rc = parse_binary(p, TK_OR, fields, &c)) != 0)
			return rc;
		if (c && (rc = qp_kv_push(p, &cl, c)) != 0)
			return rc;
	}
	return combine_clauses(p, &cl, start, out);
}

/* The level being built by a PubMed chain: type 0 while it holds a single
 * operand, else Q_AND / Q_OR (kids) or Q_NOT (kids[0] minus subs). */
struct chain {
	enum q_type type;
	struct kv kids, subs;
};

static int chain_close(struct parser *p, struct chain *c, size_t start, struct q_node **out)
{
	*out = NULL;
	if (c->type == Q_NOT)
		return qp_mknot(p, c->kids.v[0], &c->subs, start, out);
	if (c->type == 0) {
		*out = c->kids.n ? c->kids.v[0] : NULL;
		return 0;
	}
	return qp_mkgroup(p, c->type, &c->kids, start, out);
}

/* query := unary (op? unary)* in PubMed syntax: AND, OR, NOT and the
 * implicit AND of juxtaposition all bind equally, left to right. */
static int parse_chain(struct parser *p, uint32_t fields, struct q_node **out)
{
	struct tok *pk, op;
	struct chain c = {0};
	unsigned depth0 = p->depth;
	int rc;
	*out = NULL;
	if ((rc = qp_peek(p, &pk)) != 0)
		return rc;
	size_t start = pk->start, nstop0 = p->nstop;
	if (pk->kind == TK_EOF || pk->kind == TK_RPAREN)
		return 0;
	if (!qp_can_start(pk->kind))
		return operand_expected(p, pk);
	struct q_node *l;
	if ((rc = parse_unary(p, fields, &l)) != 0)
		return rc;
	if (l && (rc = qp_kv_push(p, &c.kids, l)) != 0)
		return rc;
	for (;;) {
		enum q_type type;
		struct q_node *r;
		if ((rc = qp_peek(p, &pk)) != 0)
			return rc;
		size_t opos = pk->start;
		if (pk->kind == TK_AND || pk->kind == TK_OR || pk->kind == TK_NOT) {
			type = pk->kind == TK_AND ? Q_AND : pk->kind == TK_OR ? Q_OR : Q_NOT;
			if (type == Q_NOT && c.kids.n == 0)
				return qp_nothing(p, start, p->lx.last_end, p->nstop > nstop0);
			if ((rc = take_op(p, &op)) != 0)
				return rc;
		} else if (qp_can_start(pk->kind)) {
			type = Q_AND;
		} else if (pk->kind == TK_EOF || pk->kind == TK_RPAREN) {
			break;
		} else {
			return operand_expected(p, pk);
		}
		if ((rc = parse_unary(p, fields, &r)) != 0)
			return rc;
		if (r == NULL)
			continue;
		if (c.kids.n == 0) {
			rc = qp_kv_push(p, &c.kids, r);
		} else if (c.type == 0 || c.type == type) {
			c.type = type;
			rc = qp_kv_push(p, type == Q_NOT ? &c.subs : &c.kids, r);
		} else {
			/* The operator changes: what we have becomes the left operand. */
			struct q_node *left;
			if ((rc = chain_close(p, &c, start, &left)) != 0 ||
			    (rc = deeper(p, opos)) != 0)
				return rc;
			memset(&c, 0, sizeof c);
			c.type = type;
			if ((rc = qp_kv_push(p, &c.kids, left)) != 0)
				return rc;
			rc = qp_kv_push(p, type == Q_NOT ? &c.subs : &c.kids, r);
		}
		if (rc)
			return rc;
	}
	p->depth = depth0;
	return chain_close(p, &c, start, out);
}

static int parse_query(struct parser *p, uint32_t fields, struct q_node **out)
{
	return p->syntax == Q_SYNTAX_PUBMED ? parse_chain(p, fields, out)
					    : parse_clauses(p, fields, out);
}

int q_parse(const char *text, size_t n, const struct q_options *opt, an_analyzer *an,
	    struct arena *a, struct q_node **out, struct err *e)
{
	struct parser p;
	struct q_node *root = NULL;
	struct tok *pk;
	int rc;

	if (out)
		*out = NULL;
	if (an == NULL || a == NULL || out == NULL || (text == NULL && n > 0))
		return err_set(e, ERR_USAGE, "query: q_parse needs an analyzer, an arena and out");
	if (n > UINT32_MAX) /* qpos and the analyzer's offsets are 32-bit */
		return err_set(e, ERR_LIMIT, "query: longer than 4 GiB");
	memset(&p, 0, sizeof p);
	p.s = text ? text : "";
	p.n = n;
	p.syntax = opt ? opt->syntax : Q_SYNTAX_DEFAULT;
	p.all = opt ? opt->all : 0;
	p.deffields = opt && opt->default_fields ? opt->default_fields : FIELDS_DEFAULT;
	p.an = an;
	p.a = a;
	p.e = e;
	p.lx.prev_kind = TK_EOF;
	p.lx.prev_end = SIZE_MAX;

	if ((rc = qp_peek(&p, &pk)) != 0)
		goto out;
	if (pk->kind == TK_EOF) {
		rc = qp_perr(&p, 0, "query is empty");
		goto out;
	}
	size_t start = pk->start;
	if ((rc = parse_query(&p, p.deffields, &root)) != 0 || (rc = qp_peek(&p, &pk)) != 0)
		goto out;
	if (pk->kind == TK_RPAREN) {
		rc = qp_perr(&p, pk->start, "unbalanced ')'");
		goto out;
	}
	if (root == NULL) {
		rc = qp_nothing(&p, start, p.lx.last_end, p.nstop > 0);
		goto out;
	}
	if (root->prohibited) {
		char b[SHOWBUF];
		rc = qp_perr(&p, start, "'%s' only excludes: add a word to search for",
			     qp_show(&p, start, p.lx.last_end, b, sizeof b));
		goto out;
	}
	root->required = 0;
	*out = root;
out:
	free(p.tv);
	return rc;
}
