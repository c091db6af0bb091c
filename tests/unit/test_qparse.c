/*
 * test_qparse.c - the query language parser (query/qparse.h): every
 * construct through its q_dump notation, both syntaxes and where their
 * precedence differs, every field and PubMed tag, year ranges, pasted
 * sentences, each error with its position, and a robustness loop over
 * random bytes and random token soups (run it under ASan: make SAN=1).
 *
 * Expectations only use what analyze.h documents (lowercasing, "sarcomas"
 * -> "sarcoma", "EWS-FLI1" -> ews + fli1 + ewsfli1, "the"/"of" stopwords)
 * and words that Snowball leaves alone, so that tuning the analyzer does
 * not break this file.  Usage: test_qparse [seed [rounds]]; rounds
 * multiplies the robustness loop (default 1: about a second under ASan).
 */
#include "qparse.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fields.h"

#define DF "title|abstract|mesh|keyword"
#define T(w) "(terms " DF " \"" w "\")"

static const struct q_options OPT_D = {Q_SYNTAX_DEFAULT, 0, FIELDS_DEFAULT};
static const struct q_options OPT_P = {Q_SYNTAX_PUBMED, 0, FIELDS_DEFAULT};
static const struct q_options OPT_ALL = {Q_SYNTAX_DEFAULT, 1, FIELDS_DEFAULT};

struct ctx {
	an_analyzer *an;
	struct arena a;
	struct err e;
	char dump[8192];
};

/* Parses q[0..n) with o; on success leaves the dump in c->dump. */
static int parse_n(struct ctx *c, const struct q_options *o, const char *q, size_t n,
		   struct q_node **out)
{
	struct q_node *root = NULL;
	arena_reset(&c->a);
	err_clear(&c->e);
	c->dump[0] = '\0';
	int rc = q_parse(q, n, o, c->an, &c->a, &root, &c->e);
	if (rc == 0)
		q_dump(root, c->dump, sizeof c->dump);
	if (out)
		*out = root;
	return rc;
}

static int parse(struct ctx *c, const struct q_options *o, const char *q, struct q_node **out)
{
	return parse_n(c, o, q, strlen(q), out);
}

#define EXPECT(c, o, q, want)                                                               \
	do {                                                                                \
		int rc_ = parse((c), (o), (q), NULL);                                       \
		CHECKF(rc_ == 0 && strcmp((c)->dump, (want)) == 0,                          \
		       "%s\n      got  %s%s\n      want %s", (q), rc_ ? "error: " : "",   \
		       rc_ ? (c)->e.msg : (c)->dump, (want));                               \
	} while (0)

/* The error is ERR_PARSE at 1-based character position pos and its
 * message contains what. */
#define EXPECT_ERR(c, o, q, pos, what) expect_err((c), (o), (q), strlen(q), (pos), (what), __LINE__)

static void expect_err(struct ctx *c, const struct q_options *o, const char *q, size_t n, int pos,
		       const char *what, int line)
{
	char head[64];
	int rc = parse_n(c, o, q, n, NULL);
	snprintf(head, sizeof head, "query: position %d: ", pos);
	int ok = rc == ERR_PARSE && strncmp(c->e.msg, head, strlen(head)) == 0 &&
		 strstr(c->e.msg, what) != NULL;
	CHECKF(ok, "line %d: %s\n      got  rc %d: %s%s\n      want %s...%s", line, q, rc, c->e.msg,
	       rc == 0 ? c->dump : "", head, what);
}

/* Does leaf q hold term t at relpos r? */
static int has_term(const struct q_node *q, const char *t, uint32_t r)
{
	for (size_t i = 0; q && i < q->nterms; i++)
		if (strcmp(q->terms[i].text, t) == 0 && q->terms[i].len == strlen(t) &&
		    q->terms[i].relpos == r)
			return 1;
	return 0;
}

/* The guarantees qparse.h gives the engine; returns a description of the
 * first one broken, or NULL. */
static const char *invariant(const struct q_node *q, int depth)
{
	if (depth > 4 * Q_MAX_DEPTH + 8)
		return "tree too deep";
	switch (q->type) {
	case Q_TERMS:
	case Q_PHRASE:
	case Q_PREFIX:
		if (q->nterms == 0 || q->fields == 0 || q->nkids)
			return "leaf without terms or fields";
		if (q->type == Q_PHRASE && q->nterms < 2)
			return "phrase of one term";
		if (q->type == Q_PREFIX && q->nterms > 2)
			return "prefix with more than its stem";
		if (q->type == Q_PREFIX && q->nterms == 2 && q->terms[1].len >= q->terms[0].len &&
		    memcmp(q->terms[1].text, q->terms[0].text, q->terms[0].len) == 0)
			return "prefix with a stem that the prefix finds anyway";
		for (size_t i = 0; i < q->nterms; i++) {
			if (q->terms[i].text == NULL || strlen(q->terms[i].text) != q->terms[i].len)
				return "term text not NUL-terminated at len";
		}
		return NULL;
	case Q_AND:
	case Q_OR: {
		size_t neg = 0;
		if (q->nkids < 2)
			return "and/or with fewer than two kids";
		for (size_t i = 0; i < q->nkids; i++) {
			const struct q_node *k = q->kids[i];
			neg += k->prohibited != 0;
			if (k->required && k->prohibited)
				return "kid both required and prohibited";
			if (q->type == Q_AND && !k->prohibited && !k->required)
				return "and kid not required";
			const char *r = invariant(k, depth + 1);
			if (r)
				return r;
		}
		return neg == q->nkids ? "group of only prohibited kids" : NULL;
	}
	case Q_NOT:
	case Q_NEAR:
		if ((q->type == Q_NOT && q->nkids != 2) || q->nkids < 2)
			return "not/near kid count";
		for (size_t i = 0; i < q->nkids; i++) {
			const struct q_node *k = q->kids[i];
			if (k->required || k->prohibited)
				return "flagged kid of not/near";
			if (q->type == Q_NEAR &&
			    (!(k->type == Q_TERMS || k->type == Q_PHRASE || k->type == Q_PREFIX) ||
			     k->fields != q->kids[0]->fields))
				return "near kid not a leaf of the same fields";
			const char *r = invariant(k, depth + 1);
			if (r)
				return r;
		}
		if (q->type == Q_NEAR && (q->dist < 1 || q->dist > Q_NEAR_MAX + 1))
			return "near distance";
		return NULL;
	case Q_YEAR:
		return q->lo <= q->hi ? NULL : "year range reversed";
	case Q_PMID:
	case Q_CITES:
	case Q_CITEDBY:
		return q->lo ? NULL : "pmid 0";
	}
	return "unknown node type";
}

/* ---- plain words, stopwords, pasted text ---------------------------------- */

static void test_words(struct ctx *c)
{
	struct q_node *q;

	EXPECT(c, &OPT_D, "sarcoma", T("sarcoma"));
	EXPECT(c, &OPT_D, "Sarcomas", T("sarcoma"));
	EXPECT(c, &OPT_D, "sarcoma gist", "(or " T("sarcoma") " " T("gist") ")");
	EXPECT(c, &OPT_D, "sarcoma the gist", "(or " T("sarcoma") " " T("gist") ")");
	EXPECT(c, &OPT_D, "  sarcoma\t\n", T("sarcoma"));

	/* A compound is one Q_TERMS leaf: its parts and its joined form. */
	CHECK(parse(c, &OPT_D, "EWS-FLI1", &q) == 0 && q->type == Q_TERMS && q->nterms == 3 &&
	      has_term(q, "ews", 0) && has_term(q, "fli1", 1) && has_term(q, "ewsfli1", 0));
	/* EWSR1::FLI1 (the fusion notation) is text, not an unknown field. */
	CHECK(parse(c, &OPT_D, "EWSR1::FLI1", &q) == 0 && q->type == Q_TERMS);

	EXPECT_ERR(c, &OPT_D, "the", 1, "'the' is a stopword and matches nothing");
	CHECK(parse(c, &OPT_D, "the", NULL) == ERR_PARSE &&
	      strcmp(c->e.msg, "query: position 1: 'the' is a stopword and matches nothing") == 0);
	EXPECT_ERR(c, &OPT_D, "  the of", 3, "'the of' is only stopwords");
	EXPECT_ERR(c, &OPT_D, "", 1, "query is empty");
	CHECK(parse(c, &OPT_D, "", NULL) == ERR_PARSE &&
	      strcmp(c->e.msg, "query: position 1: query is empty") == 0);
	EXPECT_ERR(c, &OPT_D, " \t ", 1, "query is empty");
	EXPECT_ERR(c, &OPT_D, "!!! ...", 1, "has no searchable words");
	EXPECT_ERR(c, &OPT_P, "the", 1, "'the' is a stopword");

	/* Pasted sentences just work: punctuation, apostrophes, colons + space. */
	const char *pasted[] = {
		"Ewing's sarcoma: outcomes, in children.",
		"Soft-tissue sarcoma (STS) in adults: a review of 1,234 cases; 5-year survival was 60%.",
		"Title: sarcoma outcomes - a 'retrospective' study?",
		"mesh: review, Ewing's sarcoma & PNET [letter]",
		"t(11;22)(q24;q12) translocation in Ewing's sarcoma... [Article in German]",
		"\xe2\x80\x98Osteosarcoma\xe2\x80\x99 \xc2\xa0survival \xe2\x80\x94 10 years",
		"p < 0.05 * significant",
	};
	for (size_t i = 0; i < sizeof pasted / sizeof *pasted; i++) {
		int rc = parse(c, &OPT_D, pasted[i], &q);
		CHECKF(rc == 0 && q->type == Q_OR, "pasted: %s: %s", pasted[i], c->e.msg);
	}
	/* "t(11;22)(q24;q12)" stays one word, as the analyzer sees it in text. */
	CHECK(parse(c, &OPT_D, "t(11;22)(q24;q12)", &q) == 0 && q->type == Q_TERMS);
	/* Lowercase and/or/not are words, not operators. */
	CHECK(parse(c, &OPT_ALL, "bone or lung", &q) == 0 && q->type == Q_AND);
	CHECK(parse(c, &OPT_ALL, "bone not lung", &q) == 0 && q->type == Q_AND);
	/* NUL bytes and control characters separate words. */
	int rc = parse_n(c, &OPT_D, "bone\0lung", 9, NULL);
	CHECKF(rc == 0 && strcmp(c->dump, "(or " T("bone") " " T("lung") ")") == 0, "NUL: %s",
	       c->dump);
	/* Invalid UTF-8 is carried along, never an error by itself. */
	CHECK(parse(c, &OPT_D, "\xff\xfe bone \xc3", NULL) == 0);
}

/* ---- operators, precedence, both syntaxes ------------------------------- */

static void test_operators(struct ctx *c)
{
	struct q_node *q;
#define B T("bone")
#define L T("lung")
#define V T("liver")
	EXPECT(c, &OPT_D, "bone AND lung", "(and " B " " L ")");
	EXPECT(c, &OPT_D, "bone OR lung", "(or " B " " L ")");
	EXPECT(c, &OPT_D, "bone NOT lung", "(not " B " " L ")");
	/* NOT > AND > OR; juxtaposition is the loosest, a ranked OR. */
	EXPECT(c, &OPT_D, "bone OR lung AND liver", "(or " B " (and " L " " V "))");
	EXPECT(c, &OPT_D, "bone AND lung OR liver", "(or (and " B " " L ") " V ")");
	EXPECT(c, &OPT_D, "bone AND lung NOT liver", "(and " B " (not " L " " V "))");
	EXPECT(c, &OPT_D, "bone OR lung NOT liver", "(or " B " (not " L " " V "))");
	EXPECT(c, &OPT_D, "bone lung AND liver", "(or " B " (and " L " " V "))");
	EXPECT(c, &OPT_D, "bone AND lung liver", "(or (and " B " " L ") " V ")");
	EXPECT(c, &OPT_D, "bone NOT lung NOT liver", "(not " B " (or " L " " V "))");
	EXPECT(c, &OPT_D, "(bone OR lung) AND liver", "(and (or " B " " L ") " V ")");
	EXPECT(c, &OPT_D, "bone AND (lung AND liver)", "(and " B " " L " " V ")");
	EXPECT(c, &OPT_D, "bone OR (lung OR liver)", "(or " B " " L " " V ")");
	EXPECT(c, &OPT_D, "bone (lung liver)", "(or " B " " L " " V ")");
	EXPECT(c, &OPT_D, "((bone))", B);
	EXPECT(c, &OPT_D, "bone AND the", B);
	EXPECT(c, &OPT_D, "bone NOT the", B);
	EXPECT(c, &OPT_D, "bone AND(lung)", "(and " B " " L ")");
	/* --all: juxtaposition is AND, still the loosest level. */
	EXPECT(c, &OPT_ALL, "bone lung", "(and " B " " L ")");
	EXPECT(c, &OPT_ALL, "bone lung OR liver", "(and " B " (or " L " " V "))");
	CHECK(parse(c, &OPT_ALL, "bone lung", &q) == 0 && q->kids[0]->required &&
	      q->kids[1]->required);

	/* PubMed: strictly left to right, juxtaposition means AND. */
	EXPECT(c, &OPT_P, "bone OR lung AND liver", "(and (or " B " " L ") " V ")");
	EXPECT(c, &OPT_P, "bone AND lung OR liver", "(or (and " B " " L ") " V ")");
	EXPECT(c, &OPT_P, "bone OR lung NOT liver", "(not (or " B " " L ") " V ")");
	EXPECT(c, &OPT_P, "bone NOT lung OR liver", "(or (not " B " " L ") " V ")");
	EXPECT(c, &OPT_P, "bone lung", "(and " B " " L ")");
	EXPECT(c, &OPT_P, "bone lung OR liver", "(or (and " B " " L ") " V ")");
	EXPECT(c, &OPT_P, "bone OR (lung AND liver)", "(or " B " (and " L " " V "))");
	EXPECT(c, &OPT_P, "bone AND lung AND liver", "(and " B " " L " " V ")");
	EXPECT(c, &OPT_P, "bone NOT lung NOT liver", "(not " B " (or " L " " V "))");
	EXPECT(c, &OPT_P, "bone AND the OR lung", "(or " B " " L ")");
	/* The same text, two meanings: the point of --syntax pubmed. */
	parse(c, &OPT_D, "bone OR lung AND liver", NULL);
	char *d1 = strdup(c->dump);
	parse(c, &OPT_P, "bone OR lung AND liver", NULL);
	CHECK(d1 != NULL && strcmp(d1, c->dump) != 0);
	free(d1);

	/* Missing operands. */
	EXPECT_ERR(c, &OPT_D, "sarcoma AND", 9, "'AND' is missing its right operand");
	EXPECT_ERR(c, &OPT_D, "AND sarcoma", 1, "'AND' is missing its left operand");
	EXPECT_ERR(c, &OPT_D, "bone OR OR lung", 6, "'OR' is missing its right operand");
	EXPECT_ERR(c, &OPT_D, "bone NOT", 6, "'NOT' is missing its right operand");
	EXPECT_ERR(c, &OPT_D, "NOT bone", 1, "'NOT' is missing its left operand");
	EXPECT_ERR(c, &OPT_D, "bone AND NOT lung", 6, "'AND' is missing its right operand");
	EXPECT_ERR(c, &OPT_D, "(OR bone)", 2, "'OR' is missing its left operand");
	EXPECT_ERR(c, &OPT_D, "bone (AND)", 7, "'AND' is missing its left operand");
	EXPECT_ERR(c, &OPT_P, "sarcoma AND", 9, "'AND' is missing its right operand");
	EXPECT_ERR(c, &OPT_P, "OR sarcoma", 1, "'OR' is missing its left operand");
	EXPECT_ERR(c, &OPT_P, "sarcoma OR )", 9, "'OR' is missing its right operand");
	EXPECT_ERR(c, &OPT_D, "the NOT bone", 1, "'the' is a stopword");
	EXPECT_ERR(c, &OPT_P, "the NOT bone", 1, "'the' is a stopword");
	/* Parentheses. */
	EXPECT_ERR(c, &OPT_D, "sarcoma (bone lung", 9, "unbalanced '('");
	CHECK(parse(c, &OPT_D, "sarcoma (bone lung", NULL) == ERR_PARSE &&
	      strcmp(c->e.msg, "query: position 9: unbalanced '('") == 0);
	EXPECT_ERR(c, &OPT_D, "bone lung)", 10, "unbalanced ')'");
	EXPECT_ERR(c, &OPT_P, "(bone OR (lung)", 1, "unbalanced '('");
	EXPECT_ERR(c, &OPT_P, "bone) OR lung", 5, "unbalanced ')'");
	EXPECT_ERR(c, &OPT_D, "()", 1, "has no searchable words");
	/* Positions count characters, not bytes ("ó" is two bytes). */
	EXPECT_ERR(c, &OPT_D, "sarc\xc3\xb3ma (bone", 9, "unbalanced '('");
#undef B
#undef L
#undef V
}

/* ---- required and prohibited ------------------------------------------- */

static void test_plus_minus(struct ctx *c)
{
	struct q_node *q;
	EXPECT(c, &OPT_D, "sarcoma +gist -kaposi",
	       "(or " T("sarcoma") " +" T("gist") " -" T("kaposi") ")");
	CHECK(parse(c, &OPT_D, "sarcoma +gist -kaposi", &q) == 0 && q->type == Q_OR &&
	      !q->kids[0]->required && q->kids[1]->required && q->kids[2]->prohibited);
	EXPECT(c, &OPT_ALL, "sarcoma -kaposi", "(and " T("sarcoma") " -" T("kaposi") ")");
	EXPECT(c, &OPT_P, "sarcoma -kaposi", "(and " T("sarcoma") " -" T("kaposi") ")");
	EXPECT(c, &OPT_D, "sarcoma -(bone lung)",
	       "(or " T("sarcoma") " -(or " T("bone") " " T("lung") "))");
	EXPECT(c, &OPT_D, "sarcoma -\"bone tumor\"",
	       "(or " T("sarcoma") " -(phrase " DF " \"bone\" \"tumor\"@1))");
	EXPECT(c, &OPT_D, "sarcoma -the", T("sarcoma"));
	EXPECT(c, &OPT_D, "sarcoma (-kaposi)", "(or " T("sarcoma") " -" T("kaposi") ")");
	/* +x alone is just x: the root never carries a flag. */
	CHECK(parse(c, &OPT_D, "+sarcoma", &q) == 0 && q->type == Q_TERMS && !q->required);
	/* A group with +/- kids keeps them inside (not flattened outward). */
	EXPECT(c, &OPT_D, "bone (+lung liver)",
	       "(or " T("bone") " (or +" T("lung") " " T("liver") "))");
	/* A marked group keeps its mark whatever it becomes: an AND group
	 * (it once lost its '+' when flattened into the one-operand AND level),
	 * words and a filter, an OR, a NOT, a NEAR; in both syntaxes. */
#define G(t) "(terms " DF " \"" t "\")"
	EXPECT(c, &OPT_D, "cancer +(breast AND mice)",
	       "(or " G("cancer") " +(and " G("breast") " " G("mice") "))");
	EXPECT(c, &OPT_D, "cancer -(breast AND mice)",
	       "(or " G("cancer") " -(and " G("breast") " " G("mice") "))");
	EXPECT(c, &OPT_D, "cancer +(lung year:2015)",
	       "(or " G("cancer") " +(and " G("lung") " (year 2015 2015)))");
	EXPECT(c, &OPT_D, "cancer +(x OR y year:2017..2021)",
	       "(or " G("cancer") " +(and (or " G("x") " " G("y") ") (year 2017 2021)))");
	EXPECT(c, &OPT_D, "cancer +(breast OR mice)",
	       "(or " G("cancer") " +(or " G("breast") " " G("mice") "))");
	EXPECT(c, &OPT_D, "cancer -(breast OR mice)",
	       "(or " G("cancer") " -(or " G("breast") " " G("mice") "))");
	EXPECT(c, &OPT_D, "cancer +(breast NOT mice)",
	       "(or " G("cancer") " +(not " G("breast") " " G("mice") "))");
	EXPECT(c, &OPT_D, "cancer +(breast NEAR/3 mice)",
	       "(or " G("cancer") " +(near/3 " G("breast") " " G("mice") "))");
	EXPECT(c, &OPT_D, "cancer OR +(breast AND mice)",
	       "(or " G("cancer") " +(and " G("breast") " " G("mice") "))");
	EXPECT(c, &OPT_D, "cancer +((breast AND mice))",
	       "(or " G("cancer") " +(and " G("breast") " " G("mice") "))");
	EXPECT(c, &OPT_D, "cancer (+(breast AND mice) lung)",
	       "(or " G("cancer") " (or +(and " G("breast") " " G("mice") ") " G("lung") "))");
	EXPECT(c, &OPT_ALL, "cancer +(breast AND mice)",
	       "(and " G("cancer") " " G("breast") " " G("mice") ")");
	EXPECT(c, &OPT_ALL, "cancer -(breast AND mice)",
	       "(and " G("cancer") " -(and " G("breast") " " G("mice") "))");
	EXPECT(c, &OPT_P, "cancer OR +(breast AND mice)",
	       "(or " G("cancer") " +(and " G("breast") " " G("mice") "))");
	EXPECT(c, &OPT_P, "cancer OR +(breast mice)",
	       "(or " G("cancer") " +(and " G("breast") " " G("mice") "))");
	EXPECT(c, &OPT_P, "cancer OR -(breast mice)",
	       "(or " G("cancer") " -(and " G("breast") " " G("mice") "))");
	EXPECT(c, &OPT_P, "cancer OR +(lung 2015[dp])",
	       "(or " G("cancer") " +(and " G("lung") " (year 2015 2015)))");
	EXPECT(c, &OPT_P, "cancer OR +(breast OR mice)",
	       "(or " G("cancer") " +(or " G("breast") " " G("mice") "))");
#undef G
	/* A parenthesized part running on into a word is that word, as the
	 * analyzer reads it ("(LH)-releasing" was lh minus releasing), and a
	 * '-' or '+' right after ')' and before a letter is text; with a space
	 * it still marks, and an operator after ')' still groups. */
	CHECK(parse(c, &OPT_D, "(EWS)-FLI1", &q) == 0 && q->type == Q_TERMS && q->nterms == 3 &&
	      has_term(q, "ews", 0) && has_term(q, "ewsfli1", 0) && has_term(q, "fli1", 1));
	CHECK(parse(c, &OPT_D, "(A-a)O2", &q) == 0 && q->type == Q_TERMS && q->nterms == 2 &&
	      has_term(q, "aao2", 0) && has_term(q, "o2", 2));
	CHECK(parse(c, &OPT_D, "hormone (EWS)-FLI1 gene", &q) == 0 && q->type == Q_OR &&
	      q->nkids == 3 && !q->kids[1]->prohibited && !q->kids[1]->required);
	CHECK(parse(c, &OPT_D, "(EWS)+FLI1", &q) == 0 && q->type == Q_TERMS &&
	      has_term(q, "ews", 0) && has_term(q, "fli1", 1));
	CHECK(parse(c, &OPT_P, "(EWS)-FLI1 gene", &q) == 0 && q->type == Q_AND && q->nkids == 2 &&
	      !q->kids[0]->prohibited && has_term(q->kids[0], "ewsfli1", 0));
	EXPECT(c, &OPT_D, "(bone lung)-kaposi",
	       "(or " T("bone") " " T("lung") " " T("kaposi") ")");
	EXPECT(c, &OPT_D, "(bone lung)+kaposi",
	       "(or " T("bone") " " T("lung") " " T("kaposi") ")");
	EXPECT(c, &OPT_D, "(bone OR lung) -kaposi",
	       "(or " T("bone") " " T("lung") " -" T("kaposi") ")");
	EXPECT(c, &OPT_D, "(bone)-(kaposi) lung", "(or " T("bone") " -" T("kaposi") " " T("lung") ")");
	EXPECT(c, &OPT_D, "(bone)OR(lung)", "(or " T("bone") " " T("lung") ")");
	EXPECT(c, &OPT_D, "(bone)[ti]", "(terms title \"bone\")");
	EXPECT(c, &OPT_P, "(EWS)-FLI1 fusion[tiab]",
	       "(or (phrase title|abstract \"ews\" \"fli1\"@1 \"fusion\"@2) "
	       "(phrase title|abstract \"ewsfli1\" \"fusion\"@1))");
	/* "-" inside a word or followed by a space is text. */
	CHECK(parse(c, &OPT_D, "anti-VEGF - therapy", &q) == 0 && q->type == Q_OR &&
	      !q->kids[0]->prohibited);
	EXPECT_ERR(c, &OPT_D, "-kaposi", 1, "'-kaposi' only excludes");
	EXPECT_ERR(c, &OPT_D, "-kaposi -gist", 1, "only excludes");
	EXPECT_ERR(c, &OPT_P, "-kaposi", 1, "only excludes");
	EXPECT_ERR(c, &OPT_D, "+the sarcoma", 2, "'the' is a stopword and matches nothing");
	EXPECT_ERR(c, &OPT_D, "-(-sarcoma) bone", 1, "'-' cannot apply to an excluded operand");
	EXPECT_ERR(c, &OPT_D, "bone NOT -lung", 10, "'-' cannot mark an operand of NOT");
	EXPECT_ERR(c, &OPT_D, "+bone NOT lung", 1, "'+' cannot mark an operand of NOT");
	/* Two signs before a word are an error (they made it an ordinary
	 * optional word, the signs dropped as punctuation), in both syntaxes
	 * and before a phrase, group, field or number too; a run of signs
	 * standing alone, a sign inside or after a word, and signs right after
	 * a ')' stay text. */
	EXPECT_ERR(c, &OPT_D, "sarcoma --ewing", 9, "'--': at most one '+' or '-' goes before a word");
	CHECK(parse(c, &OPT_D, "sarcoma --ewing", NULL) == ERR_PARSE &&
	      strcmp(c->e.msg, "query: position 9: '--': at most one '+' or '-' goes before a "
			       "word") == 0);
	EXPECT_ERR(c, &OPT_D, "sarcoma ++ewing", 9, "'++': at most one");
	EXPECT_ERR(c, &OPT_D, "sarcoma +-ewing", 9, "'+-': at most one");
	EXPECT_ERR(c, &OPT_D, "sarcoma -+ewing", 9, "'-+': at most one");
	EXPECT_ERR(c, &OPT_D, "sarcoma ---ewing", 9, "'---': at most one");
	EXPECT_ERR(c, &OPT_D, "--ewing sarcoma", 1, "'--': at most one");
	EXPECT_ERR(c, &OPT_D, "sarcoma --\"soft tissue\"", 9, "'--': at most one");
	EXPECT_ERR(c, &OPT_D, "sarcoma --(bone lung)", 9, "'--': at most one");
	EXPECT_ERR(c, &OPT_D, "sarcoma --year:2015", 9, "'--': at most one");
	EXPECT_ERR(c, &OPT_D, "sarcoma --5", 9, "'--': at most one");
	EXPECT_ERR(c, &OPT_D, "(--bone) lung", 2, "'--': at most one");
	EXPECT_ERR(c, &OPT_P, "sarcoma AND --ewing", 13, "'--': at most one");
	EXPECT_ERR(c, &OPT_P, "sarcoma --ewing[ti]", 9, "'--': at most one");
	EXPECT(c, &OPT_D, "sarcoma -- ewing", "(or " T("sarcoma") " " T("ewing") ")");
	EXPECT(c, &OPT_D, "sarcoma - + ewing", "(or " T("sarcoma") " " T("ewing") ")");
	EXPECT(c, &OPT_D, "sarcoma --", T("sarcoma"));
	EXPECT(c, &OPT_D, "sarcoma -kaposi--", "(or " T("sarcoma") " -" T("kaposi") ")");
	EXPECT(c, &OPT_D, "bone--lung", "(terms " DF " \"bone\" \"bonelung\" \"lung\"@1)");
	EXPECT(c, &OPT_D, "(bone)--kaposi", "(or " T("bone") " " T("kaposi") ")");
	EXPECT(c, &OPT_D, "sarcoma -5", "(or " T("sarcoma") " -" T("5") ")");
	EXPECT(c, &OPT_P, "sarcoma -- ewing", "(and " T("sarcoma") " " T("ewing") ")");
}

/* ---- phrases, prefixes, NEAR ------------------------------------------- */

static void test_phrase_prefix_near(struct ctx *c)
{
	struct q_node *q;
	EXPECT(c, &OPT_D, "\"bone tumor\"", "(phrase " DF " \"bone\" \"tumor\"@1)");
	/* Stopwords leave a gap in relpos. */
	EXPECT(c, &OPT_D, "\"tumor of the bone\"", "(phrase " DF " \"tumor\" \"bone\"@3)");
	EXPECT(c, &OPT_D, "\"the bone tumor\"", "(phrase " DF " \"bone\" \"tumor\"@1)");
	/* One word in quotes is Q_TERMS, analyzed as usual. */
	EXPECT(c, &OPT_D, "\"Sarcomas\"", T("sarcoma"));
	EXPECT(c, &OPT_D, "\"the sarcoma\"", T("sarcoma"));
	/* One quoted compound is the compound: its parts as a phrase, or its
	 * joined term, never one part alone. */
	CHECK(parse(c, &OPT_D, "\"EWS-FLI1\"", &q) == 0 && q->type == Q_OR && q->nkids == 2 &&
	      q->spellings && q->kids[1]->type == Q_TERMS && q->kids[1]->nterms == 1 &&
	      has_term(q->kids[1], "ewsfli1", 0) && q->kids[0]->type == Q_PHRASE &&
	      q->kids[0]->nterms == 2 && has_term(q->kids[0], "ews", 0) &&
	      has_term(q->kids[0], "fli1", 1));
	EXPECT(c, &OPT_D, "\"TNF-\xce\xb1\"",
	       "(or (phrase " DF " \"tnf\" \"alpha\"@1) (terms " DF " \"tnfalpha\"))");
	/* Quoted words without a space between them are a phrase too. */
	EXPECT(c, &OPT_D, "\"CD34+/CD117+\"", "(phrase " DF " \"cd34\" \"cd117\"@1)");
	/* In a longer phrase a compound is either spelling too: its parts
	 * in a row, or its joined term with the words after it moved up. */
	CHECK(parse(c, &OPT_D, "\"EWS-FLI1 fusion\"", &q) == 0 && q->type == Q_OR &&
	      q->nkids == 2 && q->kids[0]->type == Q_PHRASE && q->kids[0]->nterms == 3 &&
	      has_term(q->kids[0], "ews", 0) && has_term(q->kids[0], "fli1", 1) &&
	      has_term(q->kids[0], "fusion", 2) && !has_term(q->kids[0], "ewsfli1", 0) &&
	      q->kids[1]->type == Q_PHRASE && q->kids[1]->nterms == 2 &&
	      has_term(q->kids[1], "ewsfli1", 0) && has_term(q->kids[1], "fusion", 1));
	/* stopwords inside a compound: the joined term spans their places */
	EXPECT(c, &OPT_D, "\"state-of-the-art assay\"",
	       "(or (phrase " DF " \"state\" \"art\"@3 \"assay\"@4) (phrase " DF " \"stateoftheart\" \"assay\"@1))");
	/* a stopword ending a compound takes its place too */
	EXPECT(c, &OPT_D, "\"drop-in centre\"",
	       "(or (phrase " DF " \"drop\" \"centr\"@2) (phrase " DF " \"dropin\" \"centr\"@1))");
	/* as a NEAR operand: the spelling with the parts, as before */
	EXPECT(c, &OPT_D, "\"EWS-FLI1 fusion\" NEAR/3 assay",
	       "(near/3 (phrase " DF " \"ews\" \"fli1\"@1 \"fusion\"@2) (terms " DF " \"assay\"))");
	/* one quoted compound as a NEAR operand: its parts, as a compound
	 * in a longer phrase (it was refused as a group) */
	EXPECT(c, &OPT_D, "\"EWS-FLI1\" NEAR/3 assay",
	       "(near/3 (phrase " DF " \"ews\" \"fli1\"@1) (terms " DF " \"assay\"))");
	EXPECT(c, &OPT_D, "assay NEAR/3 \"EWS-FLI1\"",
	       "(near/3 (terms " DF " \"assay\") (phrase " DF " \"ews\" \"fli1\"@1))");
	/* two compounds: four spellings */
	CHECK(parse(c, &OPT_D, "\"c-KIT and PDGFR-A\"", &q) == 0 && q->type == Q_OR && q->nkids == 4);
	/* Curly quotes from word processors. */
	EXPECT(c, &OPT_D, "\xe2\x80\x9c" "bone tumor" "\xe2\x80\x9d",
	       "(phrase " DF " \"bone\" \"tumor\"@1)");
	EXPECT_ERR(c, &OPT_D, "sarcoma \"bone tumor", 9, "unbalanced '\"'");
	EXPECT_ERR(c, &OPT_D, "\"the of\"", 2, "'the of' is only stopwords");
	EXPECT_ERR(c, &OPT_D, "bone \"\"", 6, "empty phrase");
	EXPECT_ERR(c, &OPT_D, "bone \" \"", 6, "empty phrase");
	EXPECT_ERR(c, &OPT_D, "\"bone tum*\"", 10, "truncation '*' is not supported inside a phrase");

	EXPECT(c, &OPT_D, "sarcom*", "(prefix " DF " \"sarcom\")");
	/* The index holds stems: a prefix also finds the stem it spells as
	 * a word when that stem does not start with it. */
	EXPECT(c, &OPT_D, "running*", "(prefix " DF " \"running\" \"run\")");
	EXPECT(c, &OPT_D, "ewing*", "(prefix " DF " \"ewing\")"); /* its stem is kept */
	EXPECT(c, &OPT_D, "patients*", "(prefix " DF " \"patients\" \"patient\")");
	/* PubMed's author form: the last name, then initials or their start. */
	EXPECT(c, &OPT_D, "author:\"smith j\"", "(near/4 (terms author \"smith\") (prefix author \"j\"))");
	EXPECT(c, &OPT_P, "van der berg ja[au]",
	       "(near/4 (phrase author \"van\" \"der\"@1 \"berg\"@2) (prefix author \"ja\"))");
	EXPECT(c, &OPT_P, "smith john[au]", "(phrase author \"smith\" \"john\"@1)");
	/* A last name ending in a short word is a phrase, not itself name and
	 * initials; a compound last name is either spelling (both once fell
	 * back to a phrase with the initials that matched nothing). */
#define DEITOS "(near/4 (phrase author \"dei\" \"tos\"@1) (prefix author \"ap\"))"
	EXPECT(c, &OPT_D, "author:\"Dei Tos AP\"", DEITOS);
	EXPECT(c, &OPT_P, "Dei Tos AP[au]", DEITOS);
#undef DEITOS
	EXPECT(c, &OPT_D, "author:\"Hui Ong E\"",
	       "(near/4 (phrase author \"hui\" \"ong\"@1) (prefix author \"e\"))");
#define MAHEU "(or (near/4 (phrase author \"maheu\" \"giroux\"@1) (prefix author \"m\")) " \
	      "(near/4 (terms author \"maheugiroux\") (prefix author \"m\")))"
	EXPECT(c, &OPT_D, "author:\"Maheu-Giroux M\"", MAHEU);
	EXPECT(c, &OPT_P, "Maheu-Giroux M[au]", MAHEU);
#undef MAHEU
	EXPECT(c, &OPT_D, "author:\"O'Brien MJ\"",
	       "(or (near/4 (phrase author \"o\" \"brien\"@1) (prefix author \"mj\")) "
	       "(near/4 (terms author \"obrien\") (prefix author \"mj\")))");
	/* As an operand of NEAR an author phrase is the phrase as written. */
	EXPECT(c, &OPT_D, "author:(\"hui ong\" NEAR/3 yeap)",
	       "(near/3 (phrase author \"hui\" \"ong\"@1) (terms author \"yeap\"))");
	EXPECT(c, &OPT_D, "author:(yeap NEAR/3 \"hui ong\")",
	       "(near/3 (terms author \"yeap\") (phrase author \"hui\" \"ong\"@1))");
	EXPECT(c, &OPT_D, "\"hui ong\"[au] NEAR/3 yeap[au]",
	       "(near/3 (phrase author \"hui\" \"ong\"@1) (terms author \"yeap\"))");
	EXPECT(c, &OPT_P, "hui ong[au] NEAR/3 yeap[au]",
	       "(near/3 (phrase author \"hui\" \"ong\"@1) (terms author \"yeap\"))");
	/* Language names are MEDLINE's codes. */
	EXPECT(c, &OPT_P, "english[la]", "(terms lang \"eng\")");
	EXPECT(c, &OPT_P, "French[lang]", "(terms lang \"fre\")");
	EXPECT(c, &OPT_D, "Sarcom**", "(prefix " DF " \"sarcom\")");
	EXPECT(c, &OPT_D, "title:sarcom*", "(prefix title \"sarcom\")");
	EXPECT(c, &OPT_D, "sarcom*[tiab]", "(prefix title|abstract \"sarcom\")");
	EXPECT(c, &OPT_D, "bone *", T("bone"));
	EXPECT(c, &OPT_D, "osteo* -sarcom*",
	       "(or (prefix " DF " \"osteo\") -(prefix " DF " \"sarcom\"))");
	EXPECT_ERR(c, &OPT_D, "sa*", 1, "prefix too short: 'sa*'");
	EXPECT_ERR(c, &OPT_D, "bone Ab*", 6, "prefix too short");
	EXPECT_ERR(c, &OPT_D, "*", 1, "has no searchable words");

	EXPECT(c, &OPT_D, "bone NEAR/3 lung", "(near/3 " T("bone") " " T("lung") ")");
	EXPECT(c, &OPT_D, "bone NEAR lung", "(near/10 " T("bone") " " T("lung") ")");
	EXPECT(c, &OPT_D, "bone NEAR/3 lung NEAR/3 liver",
	       "(near/3 " T("bone") " " T("lung") " " T("liver") ")");
	EXPECT(c, &OPT_D, "\"bone tumor\" NEAR/5 sarcom*",
	       "(near/5 (phrase " DF " \"bone\" \"tumor\"@1) (prefix " DF " \"sarcom\"))");
	/* NEAR binds tightest: tighter than NOT, AND, and the PubMed chain. */
	EXPECT(c, &OPT_D, "gist OR bone NEAR/2 lung",
	       "(or " T("gist") " (near/2 " T("bone") " " T("lung") "))");
	EXPECT(c, &OPT_P, "gist OR bone NEAR/2 lung",
	       "(or " T("gist") " (near/2 " T("bone") " " T("lung") "))");
	EXPECT(c, &OPT_D, "sarcoma -bone NEAR/2 lung",
	       "(or " T("sarcoma") " -(near/2 " T("bone") " " T("lung") "))");
	EXPECT(c, &OPT_D, "title:(bone NEAR/2 lung)",
	       "(near/2 (terms title \"bone\") (terms title \"lung\"))");
	/* PubMed proximity: "~N" allows N words between, so NEAR/(N+1). */
	EXPECT(c, &OPT_D, "\"bone tumor\"[tiab:~2]",
	       "(near/3 (terms title|abstract \"bone\") (terms title|abstract \"tumor\"))");
	EXPECT(c, &OPT_P, "\"bone tumor\"[Title/Abstract:~0]",
	       "(near/1 (terms title|abstract \"bone\") (terms title|abstract \"tumor\"))");
	EXPECT_ERR(c, &OPT_D, "bone NEAR/3 lung NEAR/4 liver", 18, "one distance");
	EXPECT_ERR(c, &OPT_D, "bone NEAR/0 lung", 6, "NEAR distance must be 1 to 1000");
	EXPECT_ERR(c, &OPT_D, "bone NEAR/1001 lung", 6, "NEAR distance must be 1 to 1000");
	EXPECT_ERR(c, &OPT_D, "bone NEAR/99999999999999 lung", 6, "NEAR distance must be 1 to 1000");
	EXPECT_ERR(c, &OPT_D, "bone NEAR/x lung", 6, "'NEAR/x' needs a number");
	EXPECT_ERR(c, &OPT_D, "bone NEAR", 6, "'NEAR' is missing its right operand");
	EXPECT_ERR(c, &OPT_D, "NEAR bone", 1, "'NEAR' is missing its left operand");
	EXPECT_ERR(c, &OPT_D, "bone NEAR -lung", 11, "'-' cannot mark an operand of NEAR");
	EXPECT_ERR(c, &OPT_D, "(bone OR lung) NEAR liver", 2, "NEAR joins words, phrases and prefixes");
	EXPECT_ERR(c, &OPT_D, "bone NEAR year:2015", 11, "NEAR joins words");
	EXPECT_ERR(c, &OPT_D, "bone NEAR/2 the", 13, "'the' is a stopword");
	EXPECT_ERR(c, &OPT_D, "title:bone NEAR abstract:lung", 17, "same fields");
	EXPECT_ERR(c, &OPT_D, "bone[tiab:~3]", 5, "needs a \"quoted phrase\"");
	EXPECT_ERR(c, &OPT_D, "(bone lung)[tiab:~3]", 12, "needs a \"quoted phrase\"");
	EXPECT_ERR(c, &OPT_D, "the NEAR bone", 1, "'the' is a stopword");
	EXPECT_ERR(c, &OPT_D, "(-bone) NEAR lung", 2, "'-' cannot mark an operand of NEAR");
	/* Parentheses around one operand change nothing, even here. */
	EXPECT(c, &OPT_P, "bone NEAR/2 (lung)", "(near/2 " T("bone") " " T("lung") ")");
}

/* ---- fields and tags ----------------------------------------------------- */

static void test_fields(struct ctx *c)
{
	struct q_node *q;
	static const struct {
		const char *q;
		uint32_t mask;
	} cases[] = {
		{"title:bone", FIELD_BIT(F_TITLE)},
		{"abstract:bone", FIELD_BIT(F_ABSTRACT)},
		{"tiab:bone", FIELD_BIT(F_TITLE) | FIELD_BIT(F_ABSTRACT)},
		{"mesh:bone", FIELD_BIT(F_MESH)},
		{"majr:bone", FIELD_BIT(F_MAJR)},
		{"keyword:bone", FIELD_BIT(F_KEYWORD)},
		{"author:bone", FIELD_BIT(F_AUTHOR)},
		{"journal:bone", FIELD_BIT(F_JOURNAL)},
		{"pt:bone", FIELD_BIT(F_PUBTYPE)},
		{"lang:bone", FIELD_BIT(F_LANG)},
		{"TITLE:bone", FIELD_BIT(F_TITLE)},
		{"bone[ti]", FIELD_BIT(F_TITLE)},
		{"bone[title]", FIELD_BIT(F_TITLE)},
		{"bone[ab]", FIELD_BIT(F_ABSTRACT)},
		{"bone[abstract]", FIELD_BIT(F_ABSTRACT)},
		{"bone[tiab]", FIELD_BIT(F_TITLE) | FIELD_BIT(F_ABSTRACT)},
		{"bone[Title/Abstract]", FIELD_BIT(F_TITLE) | FIELD_BIT(F_ABSTRACT)},
		{"bone[mh]", FIELD_BIT(F_MESH)},
		{"bone[mesh]", FIELD_BIT(F_MESH)},
		{"bone[MeSH Terms]", FIELD_BIT(F_MESH)},
		{"bone[mh:noexp]", FIELD_BIT(F_MESH)},
		{"bone[sh]", FIELD_BIT(F_MESH)},
		{"bone[majr]", FIELD_BIT(F_MAJR)},
		{"bone[MeSH Major Topic]", FIELD_BIT(F_MAJR)},
		{"bone[au]", FIELD_BIT(F_AUTHOR)},
		{"bone[Author]", FIELD_BIT(F_AUTHOR)},
		{"bone[ta]", FIELD_BIT(F_JOURNAL)},
		{"bone[journal]", FIELD_BIT(F_JOURNAL)},
		{"bone[pt]", FIELD_BIT(F_PUBTYPE)},
		{"bone[Publication Type]", FIELD_BIT(F_PUBTYPE)},
		{"bone[la]", FIELD_BIT(F_LANG)},
		{"bone[language]", FIELD_BIT(F_LANG)},
		{"bone[kw]", FIELD_BIT(F_KEYWORD)},
		{"bone[ot]", FIELD_BIT(F_KEYWORD)},
		{"bone[all]", FIELDS_DEFAULT},
		{"bone[All Fields]", FIELDS_DEFAULT},
		{"bone[tw]", FIELDS_DEFAULT},
		{"bone[TIAB]", FIELD_BIT(F_TITLE) | FIELD_BIT(F_ABSTRACT)},
		{"bone [ti]", FIELD_BIT(F_TITLE)},
		{"bone[ MeSH   terms ]", FIELD_BIT(F_MESH)},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int rc = parse(c, &OPT_D, cases[i].q, &q);
		CHECKF(rc == 0 && q->type == Q_TERMS && q->fields == cases[i].mask &&
			       has_term(q, "bone", 0),
		       "%s: rc %d %s %s", cases[i].q, rc, c->e.msg, c->dump);
		rc = parse(c, &OPT_P, cases[i].q, &q);
		CHECKF(rc == 0 && q->type == Q_TERMS && q->fields == cases[i].mask,
		       "pubmed %s: rc %d %s", cases[i].q, rc, c->e.msg);
	}
	/* A field covers a phrase or a group; the field nearest a word wins. */
	EXPECT(c, &OPT_D, "author:\"smith j\"", "(near/4 (terms author \"smith\") (prefix author \"j\"))");
	EXPECT(c, &OPT_D, "title:(bone lung)", "(or (terms title \"bone\") (terms title \"lung\"))");
	EXPECT(c, &OPT_D, "(bone lung)[ti]", "(or (terms title \"bone\") (terms title \"lung\"))");
	EXPECT(c, &OPT_D, "title:(bone abstract:lung)",
	       "(or (terms title \"bone\") (terms abstract \"lung\"))");
	EXPECT(c, &OPT_D, "(bone lung[ab])[ti]",
	       "(or (terms title \"bone\") (terms abstract \"lung\"))");
	EXPECT(c, &OPT_D, "title:abstract:bone", "(terms abstract \"bone\")");
	EXPECT(c, &OPT_D, "\"bone tumor\"[mh]", "(phrase mesh \"bone\" \"tumor\"@1)");
	EXPECT(c, &OPT_D, "-title:bone sarcoma", "(or -(terms title \"bone\") " T("sarcoma") ")");
	/* In PubMed syntax a tag covers the run of words before it. */
	EXPECT(c, &OPT_P, "smith j[au]", "(near/4 (terms author \"smith\") (prefix author \"j\"))");
	EXPECT(c, &OPT_P, "gist AND bone tumor[tiab] OR lung",
	       "(or (and " T("gist") " (phrase title|abstract \"bone\" \"tumor\"@1)) " T("lung") ")");
	EXPECT(c, &OPT_D, "smith j[au]", "(or " T("smith") " (terms author \"j\"))");
	/* Author names keep their stopwords, as the indexer stores them: the
	 * initial "A", the surnames An, To, In (they once matched nothing). */
	EXPECT(c, &OPT_D, "author:\"mukerji a\"",
	       "(near/4 (terms author \"mukerji\") (prefix author \"a\"))");
	EXPECT(c, &OPT_D, "author:\"An N\"", "(near/4 (terms author \"an\") (prefix author \"n\"))");
	EXPECT(c, &OPT_P, "an jh[au]", "(near/4 (terms author \"an\") (prefix author \"jh\"))");
	EXPECT(c, &OPT_D, "author:\"yeap by\"",
	       "(near/4 (terms author \"yeap\") (prefix author \"by\"))");
	EXPECT(c, &OPT_D, "author:an", "(terms author \"an\")");
	EXPECT(c, &OPT_D, "to[au]", "(terms author \"to\")");
	EXPECT(c, &OPT_D, "author:(in OR the)", "(or (terms author \"in\") (terms author \"the\"))");
	EXPECT(c, &OPT_D, "author:\"the a\"", "(near/4 (terms author \"the\") (prefix author \"a\"))");
	EXPECT_ERR(c, &OPT_D, "title:an", 1, "'title:an' is a stopword");
	/* a message quotes the words, not the spaces after them */
	EXPECT_ERR(c, &OPT_D, "\"of the \" bone", 2, "'of the' is only stopwords");
	EXPECT_ERR(c, &OPT_D, "title:\"the \xc2\xa0\"", 8, "'the' is a stopword");
	/* Only name: immediately followed by a non-space is a field. */
	EXPECT(c, &OPT_D, "bone: lung", "(or " T("bone") " " T("lung") ")");
	CHECK(parse(c, &OPT_D, "title: bone", &q) == 0 && q->type == Q_OR && q->nkids == 2 &&
	      has_term(q->kids[1], "bone", 0) && q->kids[0]->fields == FIELDS_DEFAULT);
	EXPECT_ERR(c, &OPT_D, "foo:bar", 1, "unknown field 'foo'");
	EXPECT_ERR(c, &OPT_D, "bone Background:lung", 6, "unknown field 'Background'");
	EXPECT_ERR(c, &OPT_P, "bone AND ti:lung", 10, "unknown field 'ti'");
	EXPECT_ERR(c, &OPT_D, "title:)", 1, "'title:' must be followed by a word");
	EXPECT_ERR(c, &OPT_D, "bone[foo]", 5, "unknown tag '[foo]'");
	EXPECT_ERR(c, &OPT_D, "\"bone tumor\"[ttiab]", 13, "unknown tag '[ttiab]'");
	EXPECT_ERR(c, &OPT_D, "bone[tiab", 5, "unbalanced '['");
	EXPECT_ERR(c, &OPT_D, "[tiab] bone", 1, "tag '[tiab]' follows no word");
	EXPECT_ERR(c, &OPT_D, "bone[ti][ab]", 9, "unexpected tag '[ab]'");
	EXPECT_ERR(c, &OPT_D, "year:2015[dp]", 10, "unexpected tag");
	/* Brackets that are not tags are text. */
	CHECK(parse(c, &OPT_D, "[Ewing's sarcoma of the rib]", &q) == 0 && q->type == Q_OR);
	CHECK(parse(c, &OPT_D, "sarcoma[1] bone", NULL) == 0);
	/* default_fields applies to bare words and [all]; 0 means the default. */
	struct q_options o = {Q_SYNTAX_DEFAULT, 0, FIELD_BIT(F_TITLE)};
	EXPECT(c, &o, "bone lung[all]", "(or (terms title \"bone\") (terms title \"lung\"))");
	o.default_fields = 0;
	EXPECT(c, &o, "bone", T("bone"));
	EXPECT(c, NULL, "bone", T("bone"));
}

/* ---- filters: years, PMIDs, citations ---------------------------------- */

static void test_filters(struct ctx *c)
{
	EXPECT(c, &OPT_D, "year:2015", "(year 2015 2015)");
	EXPECT(c, &OPT_D, "year:2015..2020", "(year 2015 2020)");
	EXPECT(c, &OPT_D, "year:2015-2020", "(year 2015 2020)");
	EXPECT(c, &OPT_D, "year:2015:2020", "(year 2015 2020)");
	EXPECT(c, &OPT_D, "year:2015..", "(year 2015 *)");
	EXPECT(c, &OPT_D, "year:..2010", "(year 0 2010)");
	EXPECT(c, &OPT_D, "year:2015..2015", "(year 2015 2015)");
	EXPECT(c, &OPT_D, "2015[dp]", "(year 2015 2015)");
	EXPECT(c, &OPT_D, "2015:2020[dp]", "(year 2015 2020)");
	EXPECT(c, &OPT_D, "2015:2020[DP]", "(year 2015 2020)");
	EXPECT(c, &OPT_D, "2015/03/01:2020/12[pdat]", "(year 2015 2020)");
	EXPECT(c, &OPT_D, "2015-03-01[Publication Date]", "(year 2015 2015)");
	EXPECT(c, &OPT_P, "\"2015/01/01\"[PDAT] : \"2020/12/31\"[PDAT]", "(year 2015 2020)");
	EXPECT(c, &OPT_P, "sarcoma AND (\"2015/01/01\"[Date - Publication] : \"3000\"[Date - Publication])",
	       "(and " T("sarcoma") " (year 2015 3000))");
	EXPECT_ERR(c, &OPT_D, "year:2020..2015", 6, "year range '2020..2015' is the wrong way round");
	EXPECT_ERR(c, &OPT_D, "bone 2020:2015[dp]", 6, "wrong way round");
	EXPECT_ERR(c, &OPT_P, "\"2020\"[dp] : \"2015\"[dp]", 1, "wrong way round");
	EXPECT_ERR(c, &OPT_D, "year:abc", 6, "'abc' is not a year");
	EXPECT_ERR(c, &OPT_D, "year:15", 6, "not a year");
	EXPECT_ERR(c, &OPT_D, "year:..", 6, "not a year");
	EXPECT_ERR(c, &OPT_D, "year:2015/13", 6, "not a year");
	EXPECT_ERR(c, &OPT_D, "year:)", 1, "'year:' needs a value");
	EXPECT_ERR(c, &OPT_D, "bone[dp]", 1, "'bone' is not a year");
	EXPECT_ERR(c, &OPT_D, "(2015 2016)[dp]", 12, "applies to one value");

	EXPECT(c, &OPT_D, "pmid:12345", "(pmid 12345)");
	EXPECT(c, &OPT_D, "12345[pmid]", "(pmid 12345)");
	EXPECT(c, &OPT_D, "12345[uid]", "(pmid 12345)");
	EXPECT(c, &OPT_D, "pmid:4294967295", "(pmid 4294967295)");
	EXPECT(c, &OPT_D, "cites:123", "(cites 123)");
	EXPECT(c, &OPT_D, "citedby:456", "(citedby 456)");
	EXPECT_ERR(c, &OPT_D, "pmid:abc", 6, "pmid 'abc' is not a number");
	CHECK(parse(c, &OPT_D, "pmid:abc", NULL) == ERR_PARSE &&
	      strcmp(c->e.msg, "query: position 6: pmid 'abc' is not a number") == 0);
	/* A number that is no PMID says so, and why (0 was "not a number",
	 * a negative one "'pmid:' needs a value"). */
	EXPECT_ERR(c, &OPT_D, "pmid:0", 6, "pmid '0' is not a valid PMID: PMIDs start at 1");
	CHECK(parse(c, &OPT_D, "pmid:0", NULL) == ERR_PARSE &&
	      strcmp(c->e.msg, "query: position 6: pmid '0' is not a valid PMID: PMIDs start at 1") == 0);
	EXPECT_ERR(c, &OPT_D, "pmid:-5", 6, "pmid '-5' is not a valid PMID: PMIDs start at 1");
	EXPECT_ERR(c, &OPT_D, "sarcoma cites:-12", 15, "cites '-12' is not a valid PMID");
	EXPECT_ERR(c, &OPT_D, "0[pmid]", 1, "'0' is not a valid PMID");
	EXPECT_ERR(c, &OPT_P, "citedby:0", 9, "citedby '0' is not a valid PMID");
	EXPECT_ERR(c, &OPT_D, "pmid:4294967296", 6,
		   "pmid '4294967296' is too large for a PMID (at most 4294967295)");
	EXPECT_ERR(c, &OPT_D, "pmid:123456789012345678901234567890", 6, "is too large for a PMID");
	EXPECT_ERR(c, &OPT_D, "year:-2015", 6, "'-2015' is not a year or year range");
	EXPECT_ERR(c, &OPT_D, "pmid:-x", 6, "pmid '-x' is not a number");
	EXPECT_ERR(c, &OPT_D, "pmid:-(5)", 1, "'pmid:' needs a value");
	EXPECT(c, &OPT_D, "pmid:0012345", "(pmid 12345)");
	EXPECT_ERR(c, &OPT_D, "pmid:12*", 6, "'12*' is not a number");
	EXPECT_ERR(c, &OPT_D, "cites:x1", 7, "cites 'x1' is not a number");
	EXPECT_ERR(c, &OPT_D, "abc[pmid]", 1, "'abc' is not a number");

	/* Filters restrict: juxtaposed with words they are AND-ed. */
	EXPECT(c, &OPT_D, "sarcoma year:2015", "(and " T("sarcoma") " (year 2015 2015))");
	EXPECT(c, &OPT_D, "sarcoma gist year:2015..2020 -kaposi",
	       "(and (or " T("sarcoma") " " T("gist") " -" T("kaposi") ") (year 2015 2020))");
	EXPECT(c, &OPT_D, "year:2015 -kaposi", "(and (year 2015 2015) -" T("kaposi") ")");
	EXPECT(c, &OPT_D, "sarcoma -year:2015", "(or " T("sarcoma") " -(year 2015 2015))");
	EXPECT(c, &OPT_D, "sarcoma (year:2015 OR year:2017)",
	       "(and " T("sarcoma") " (or (year 2015 2015) (year 2017 2017)))");
	EXPECT(c, &OPT_D, "sarcoma OR year:2015", "(or " T("sarcoma") " (year 2015 2015))");
	EXPECT(c, &OPT_P, "sarcoma 2015[dp]", "(and " T("sarcoma") " (year 2015 2015))");
	EXPECT(c, &OPT_ALL, "sarcoma gist cites:7", "(and " T("sarcoma") " " T("gist") " (cites 7))");
	EXPECT(c, &OPT_D, "pmid:1 pmid:2", "(and (pmid 1) (pmid 2))");
}

/* ---- limits, API edges, q_dump ----------------------------------------- */

static void test_limits(struct ctx *c)
{
	char *buf = malloc(1 << 20);
	struct q_node *q;
	if (buf == NULL) {
		CHECK(buf != NULL);
		return;
	}
	/* Q_MAX_DEPTH parentheses are fine, one more is an error. */
	for (int extra = 0; extra <= 1; extra++) {
		int d = Q_MAX_DEPTH + extra;
		size_t k = 0;
		for (int i = 0; i < d; i++)
			buf[k++] = '(';
		memcpy(buf + k, "bone", 4);
		k += 4;
		for (int i = 0; i < d; i++)
			buf[k++] = ')';
		int rc = parse_n(c, &OPT_D, buf, k, &q);
		if (extra == 0)
			CHECKF(rc == 0 && strcmp(c->dump, T("bone")) == 0, "depth %d: %s", d, c->e.msg);
		else
			CHECKF(rc == ERR_PARSE && strstr(c->e.msg, "position 101: query nests deeper than 100"),
			       "depth %d: %s", d, c->e.msg);
	}
	/* Very deep and very long inputs: an error or a tree, never a crash. */
	memset(buf, '(', 1 << 20);
	CHECK(parse_n(c, &OPT_D, buf, 1 << 20, NULL) == ERR_PARSE);
	CHECK(parse_n(c, &OPT_P, buf, 1 << 20, NULL) == ERR_PARSE);
	size_t k = 0;
	while (k + 16 < (1 << 20)) {
		memcpy(buf + k, "bone OR lung AND ", 17);
		k += 17;
	}
	memcpy(buf + k, "x", 1);
	CHECKF(parse_n(c, &OPT_P, buf, k + 1, NULL) == ERR_PARSE && strstr(c->e.msg, "nests deeper"),
	       "long pubmed chain: %s", c->e.msg);
	CHECKF(parse_n(c, &OPT_D, buf, k + 1, &q) == 0 && q->type == Q_OR, "long default: %s",
	       c->e.msg);
	for (k = 0; k + 8 < (1 << 20); k += 8)
		memcpy(buf + k, "title:ti", 8);
	CHECK(parse_n(c, &OPT_D, buf, k, NULL) == ERR_PARSE);
	memset(buf, 'a', 1 << 20);
	buf[(1 << 20) - 1] = '*';
	CHECK(parse_n(c, &OPT_D, buf, 1 << 20, NULL) == 0);
	for (k = 0; k + 2 < (1 << 20); k += 2)
		memcpy(buf + k, "a(", 2);
	CHECK(parse_n(c, &OPT_D, buf, k, NULL) == ERR_PARSE);
	for (k = 0; k + 2 < (1 << 20); k += 2)
		memcpy(buf + k, "[a", 2);
	CHECK(parse_n(c, &OPT_P, buf, k, NULL) == 0 || c->e.code == ERR_PARSE);
	free(buf);

	/* API edges. */
	struct q_node *out = (struct q_node *)1;
	err_clear(&c->e);
	CHECK(q_parse("bone", 4, &OPT_D, NULL, &c->a, &out, &c->e) == ERR_USAGE && out == NULL);
	CHECK(q_parse(NULL, 0, &OPT_D, c->an, &c->a, &out, NULL) == ERR_PARSE);

	/* q_dump: NULL, cut output always NUL-terminated, escapes. */
	char small[8];
	q_dump(NULL, small, sizeof small);
	CHECK(strcmp(small, "(null)") == 0);
	CHECK(parse(c, &OPT_D, "sarcoma gist", &q) == 0);
	q_dump(q, small, sizeof small);
	CHECK(strcmp(small, "(or (te") == 0);
	q_dump(q, small, 1);
	CHECK(small[0] == '\0');
	struct q_term t = {"a\"b\\c\x01", 6, 2};
	struct q_node leaf = {.type = Q_TERMS, .fields = FIELD_BIT(F_CITES) | (1u << 12), .terms = &t, .nterms = 1};
	q_dump(&leaf, c->dump, sizeof c->dump);
	CHECKF(strcmp(c->dump, "(terms cites|bit12 \"a\\\"b\\\\c\\x01\"@2)") == 0, "%s", c->dump);
}

/* ---- robustness: random bytes and token soups --------------------------- */

static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64*: reproducible from the printed seed on any platform */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

/* Parses q under every option set; a failure must be ERR_PARSE with a
 * "query: position N: " message, a success must satisfy invariant(). */
static int robust_one(struct ctx *c, const char *q, size_t n, char *why, size_t cap)
{
	static const struct q_options *opts[] = {&OPT_D, &OPT_P, &OPT_ALL};
	for (size_t i = 0; i < 3; i++) {
		struct q_node *root;
		int rc = parse_n(c, opts[i], q, n, &root);
		if (rc == ERR_PARSE) {
			if (strncmp(c->e.msg, "query: position ", 16) != 0) {
				snprintf(why, cap, "opts %zu: bad message '%.300s'", i, c->e.msg);
				return 0;
			}
			continue;
		}
		if (rc != 0 || root == NULL) {
			snprintf(why, cap, "opts %zu: rc %d %.300s", i, rc, c->e.msg);
			return 0;
		}
		const char *bad = invariant(root, 0);
		if (bad || root->required || root->prohibited) {
			snprintf(why, cap, "opts %zu: %s: %.300s", i, bad ? bad : "flagged root", c->dump);
			return 0;
		}
	}
	return 1;
}

static void show_case(const char *q, size_t n)
{
	printf("#   input (%zu bytes): \"", n);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)q[i];
		if (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\')
			printf("\\x%02x", ch);
		else
			putchar(ch);
	}
	printf("\"\n");
}

static void test_robust(struct ctx *c, uint64_t seed, int rounds)
{
	static const char alphabet[] = "ab Z09()[]\"*+-:/.~\t";
	static const char *toks[] = {
		"sarcoma", "Bone", "the", "of", "AND", "OR", "NOT", "NEAR", "NEAR/3", "NEAR/x", "(",
		")", "\"", "[", "]", "title:", "author:", "year:", "pmid:", "cites:", "foo:",
		"[tiab]", "[dp]", "[pmid]", "[tiab:~2]", "[mh:noexp]", "[foo]", "2015", "2015:2020",
		"2020..2015", "+", "-", "*", "sarc*", "sa*", "EWS-FLI1", "EWSR1::FLI1", ":", "12345",
		"\xe2\x80\x9c", "\xe2\x80\x9d", "\xc3\xa9t\xc3\xa9", "\xff", "\xc2\xa0", "t(11;22)",
		"\0", ",", "'s", "..",
	};
	char q[512], why[512];
	size_t nbad = 0, nrun = 0;
	rng_state = seed ? seed : 1;
	printf("# robustness seed %llu (rerun: test_qparse %llu)\n", (unsigned long long)seed,
	       (unsigned long long)seed);
	for (int it = 0; it < 3000 * rounds; it++) {
		size_t n = rnd() % (it % 10 ? 48 : sizeof q);
		int mode = rnd() % 3;
		for (size_t i = 0; i < n; i++)
			q[i] = mode == 0 ? (char)(rnd() & 0xff)
					 : alphabet[rnd() % (sizeof alphabet - 1)];
		nrun++;
		if (!robust_one(c, q, n, why, sizeof why) && nbad++ < 5) {
			printf("# bytes case %d: %s\n", it, why);
			show_case(q, n);
		}
	}
	for (int it = 0; it < 4000 * rounds; it++) {
		size_t n = 0, ntok = 1 + rnd() % (it % 10 ? 12 : 60);
		for (size_t t = 0; t < ntok; t++) {
			const char *tk = toks[rnd() % (sizeof toks / sizeof *toks)];
			size_t tl = *tk ? strlen(tk) : 1;
			if (n + tl + 1 >= sizeof q)
				break;
			memcpy(q + n, tk, tl);
			n += tl;
			if (rnd() % 3)
				q[n++] = ' ';
		}
		nrun++;
		if (!robust_one(c, q, n, why, sizeof why) && nbad++ < 5) {
			printf("# soup case %d: %s\n", it, why);
			show_case(q, n);
		}
	}
	CHECKF(nbad == 0, "%zu of %zu random queries misbehaved (seed %llu)", nbad, nrun,
	       (unsigned long long)seed);
}

int main(int argc, char **argv)
{
	struct ctx *c = calloc(1, sizeof *c);
	struct err e;
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 20240611;
	int rounds = argc > 2 ? atoi(argv[2]) : 1; /* more for a longer fuzz by hand */

	err_clear(&e);
	if (c == NULL || (c->an = an_new(NULL, &e)) == NULL) {
		printf("not ok qparse: cannot create an analyzer: %s\n", e.msg);
		return 1;
	}
	arena_init(&c->a);
	test_words(c);
	test_operators(c);
	test_plus_minus(c);
	test_phrase_prefix_near(c);
	test_fields(c);
	test_filters(c);
	test_limits(c);
	test_robust(c, seed, rounds > 0 ? rounds : 1);
	arena_free(&c->a);
	an_free(c->an);
	free(c);
	return check_done("qparse");
}
