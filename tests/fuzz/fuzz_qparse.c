/*
 * fuzz_qparse.c - libFuzzer target for the query parser (query/qparse.h).
 *
 * Input: one mode byte, then the query text (any bytes).  Mode bit 0
 * selects --syntax pubmed, bit 1 --all, bit 2 stemming, bit 3 a default
 * field mask of title only; bits 4-7 size the buffer given to q_dump.
 * Besides crashes and sanitizer reports it checks every promise qparse.h
 * makes about the tree (the engine relies on them without checking), and
 * that errors come with a "query: position N: " message.
 * Seeds: tests/fuzz/corpus/qparse/.
 */
#include <string.h>

#include "analyze.h"
#include "arena.h"
#include "fields.h"
#include "fuzz.h"
#include "qparse.h"

#ifndef FUZZ_ENTRY
#define FUZZ_ENTRY LLVMFuzzerTestOneInput
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif

/* Nesting of the tree checked (the query nests at most Q_MAX_DEPTH levels;
 * fields, NOT chains and implicit groups add a few nodes per level). */
#define QPF_MAX_TREE_DEPTH (8 * Q_MAX_DEPTH + 16)

static an_analyzer *qpf_an[2];

static void qpf_cleanup(void)
{
	an_free(qpf_an[0]);
	an_free(qpf_an[1]);
	qpf_an[0] = qpf_an[1] = NULL;
}

static int qpf_leaf(enum q_type t)
{
	return t == Q_TERMS || t == Q_PHRASE || t == Q_PREFIX;
}

static int qpf_filter(enum q_type t)
{
	return t == Q_YEAR || t == Q_PMID || t == Q_CITES || t == Q_CITEDBY;
}

/* Checks the promises of qparse.h about node q, whose parent has type
 * ptype (0 for the root). */
static void qpf_check(const struct q_node *q, enum q_type ptype, unsigned depth)
{
	if (q == NULL)
		FUZZ_FAIL("NULL node");
	if (depth > QPF_MAX_TREE_DEPTH)
		FUZZ_FAIL("tree deeper than %u", QPF_MAX_TREE_DEPTH);
	if ((q->required || q->prohibited) && ptype != Q_AND && ptype != Q_OR)
		FUZZ_FAIL("a flagged node under node type %d", (int)ptype);
	if (q->required && q->prohibited)
		FUZZ_FAIL("a node both required and prohibited");
	if (qpf_leaf(q->type)) {
		if (q->nterms < 1 || q->terms == NULL || q->fields == 0)
			FUZZ_FAIL("leaf type %d with %zu terms, fields %x", (int)q->type, q->nterms,
				  q->fields);
		if (q->fields & ~((1u << F_NFIELDS) - 1))
			FUZZ_FAIL("fields mask %x names no field", q->fields);
		if (q->type == Q_PHRASE && q->nterms < 2)
			FUZZ_FAIL("phrase of %zu terms", q->nterms);
		uint32_t minrel = UINT32_MAX;
		for (size_t i = 0; i < q->nterms; i++) {
			const struct q_term *t = &q->terms[i];
			if (t->text == NULL || t->len < 1 || strlen(t->text) != t->len)
				FUZZ_FAIL("term %zu of a leaf: length %zu", i, t->len);
			if (t->relpos < minrel)
				minrel = t->relpos;
		}
		if (minrel != 0)
			FUZZ_FAIL("leaf positions start at %u, not 0", minrel);
		if (q->nkids != 0)
			FUZZ_FAIL("leaf with %zu children", q->nkids);
		return;
	}
	if (q->fields != 0)
		FUZZ_FAIL("node type %d with fields %x", (int)q->type, q->fields);
	if (qpf_filter(q->type)) {
		if (q->nkids != 0 || q->nterms != 0)
			FUZZ_FAIL("filter with %zu children and %zu terms", q->nkids, q->nterms);
		if (q->type == Q_YEAR && q->lo > q->hi)
			FUZZ_FAIL("year range %u..%u", q->lo, q->hi);
		return;
	}
	if (q->kids == NULL)
		FUZZ_FAIL("node type %d without children", (int)q->type);
	switch (q->type) {
	case Q_AND:
	case Q_OR: {
		if (q->nkids < 2)
			FUZZ_FAIL("%s with %zu children", q->type == Q_AND ? "and" : "or", q->nkids);
		size_t neg = 0;
		for (size_t i = 0; i < q->nkids; i++) {
			const struct q_node *k = q->kids[i];
			if (k == NULL)
				FUZZ_FAIL("NULL child");
			neg += k->prohibited != 0;
			if (q->type == Q_AND && !k->prohibited && !k->required)
				FUZZ_FAIL("child %zu of an and is not required", i);
		}
		if (neg == q->nkids)
			FUZZ_FAIL("%s with only prohibited children", q->type == Q_AND ? "and" : "or");
		break;
	}
	case Q_NOT:
		if (q->nkids != 2)
			FUZZ_FAIL("not with %zu children", q->nkids);
		for (size_t i = 0; i < 2; i++)
			if (q->kids[i] == NULL || q->kids[i]->required || q->kids[i]->prohibited)
				FUZZ_FAIL("child %zu of a not is flagged", i);
		break;
	case Q_NEAR:
		if (q->nkids < 2 || q->dist > Q_NEAR_MAX)
			FUZZ_FAIL("near/%u with %zu children", q->dist, q->nkids);
		for (size_t i = 0; i < q->nkids; i++) {
			const struct q_node *k = q->kids[i];
			if (k == NULL || !qpf_leaf(k->type) || k->required || k->prohibited ||
			    k->fields != q->kids[0]->fields)
				FUZZ_FAIL("child %zu of a near is not a plain leaf of the same fields", i);
		}
		break;
	default:
		FUZZ_FAIL("node type %d", (int)q->type);
	}
	for (size_t i = 0; i < q->nkids; i++)
		qpf_check(q->kids[i], q->type, depth + 1);
}

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
	static int registered;
	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	int stem = (mode >> 2) & 1;
	if (qpf_an[stem] == NULL) {
		struct an_settings s = {.stem = stem, .stopwords = NULL};
		struct err e;
		err_clear(&e);
		if ((qpf_an[stem] = an_new(&s, &e)) == NULL)
			FUZZ_FAIL("an_new: %s", e.msg);
		if (!registered++)
			atexit(qpf_cleanup);
	}
	struct q_options o = {.syntax = (mode & 1) ? Q_SYNTAX_PUBMED : Q_SYNTAX_DEFAULT,
			      .all = (mode >> 1) & 1,
			      .default_fields = (mode & 8) ? FIELD_BIT(F_TITLE) : 0};
	struct arena a;
	arena_init(&a);
	struct q_node *root = NULL;
	struct err e;
	err_clear(&e);
	int rc = q_parse((const char *)data + 1, size - 1, &o, qpf_an[stem], &a, &root, &e);
	if (rc == 0) {
		if (root == NULL || root->required || root->prohibited)
			FUZZ_FAIL("root missing or flagged");
		qpf_check(root, (enum q_type)0, 0);
		/* the dump, into a buffer of 1..16 bytes and into a large one */
		char small[17], big[8192];
		size_t cap = (size_t)(mode >> 4) + 1;
		memset(small, 0x5a, sizeof small);
		q_dump(root, small, cap);
		if (memchr(small, 0, cap) == NULL)
			FUZZ_FAIL("q_dump left a buffer of %zu bytes unterminated", cap);
		for (size_t i = cap; i < sizeof small; i++)
			if (small[i] != 0x5a)
				FUZZ_FAIL("q_dump wrote past a buffer of %zu bytes", cap);
		q_dump(root, big, sizeof big);
		if (strlen(big) >= sizeof big)
			FUZZ_FAIL("q_dump overflow");
	} else if (rc == ERR_PARSE) {
		if (strncmp(e.msg, "query: position ", 16) != 0)
			FUZZ_FAIL("parse error without its position: '%s'", e.msg);
	} else if (rc != ERR_NOMEM && rc != ERR_LIMIT) {
		FUZZ_FAIL("q_parse returned %d: %s", rc, e.msg);
	}
	q_dump(NULL, (char[8]){0}, 8);
	arena_free(&a);
	return 0;
}
