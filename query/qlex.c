/*
 * qlex.c - the query lexer: turns the text into the tokens of qpriv.h
 * (words, "phrases", parentheses, operators, `name:` fields and PubMed
 * [tags]), with the tables of field and tag names it recognizes.
 *
 * Input is untrusted (fuzzed): the lexer never reads past n, and treats
 * NUL and other control bytes as spaces.
 */
#include "qpriv.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TAG_MAX 40     /* bytes of a tag's content: "[mesh major topic:noexp]" fits */
#define TAG_SCAN 256   /* how far '[' looks for its ']' */

/* `name:` prefixes.  Kept short on purpose: these are what users type. */
const struct fdef qp_prefix_fields[] = {
	{"title", FK_TEXT, FB(TITLE)},
	{"abstract", FK_TEXT, FB(ABSTRACT)},
	{"tiab", FK_TEXT, FB(TITLE) | FB(ABSTRACT)},
	{"mesh", FK_TEXT, FB(MESH)},
	{"majr", FK_TEXT, FB(MAJR)},
	{"keyword", FK_TEXT, FB(KEYWORD)},
	{"author", FK_TEXT, FB(AUTHOR)},
	{"journal", FK_TEXT, FB(JOURNAL)},
	{"pt", FK_TEXT, FB(PUBTYPE)},
	{"lang", FK_TEXT, FB(LANG)},
	{"pmid", FK_PMID, 0},
	{"year", FK_YEAR, 0},
	{"cites", FK_CITES, 0},
	{"citedby", FK_CITEDBY, 0},
};

/* PubMed tags, short and long spellings (PubMed's search details print the
 * long ones, and strategies are copied from there), lowercased with single
 * spaces.  "[mh:noexp]" etc. are accepted: sarc never explodes MeSH. */
const struct fdef qp_tags[] = {
	{"ti", FK_TEXT, FB(TITLE)},
	{"title", FK_TEXT, FB(TITLE)},
	{"ab", FK_TEXT, FB(ABSTRACT)},
	{"abstract", FK_TEXT, FB(ABSTRACT)},
	{"tiab", FK_TEXT, FB(TITLE) | FB(ABSTRACT)},
	{"title/abstract", FK_TEXT, FB(TITLE) | FB(ABSTRACT)},
	{"mh", FK_TEXT, FB(MESH)},
	{"mesh", FK_TEXT, FB(MESH)},
	{"mesh terms", FK_TEXT, FB(MESH)},
	{"sh", FK_TEXT, FB(MESH)},
	{"subheading", FK_TEXT, FB(MESH)},
	{"majr", FK_TEXT, FB(MAJR)},
	{"mesh major topic", FK_TEXT, FB(MAJR)},
	{"au", FK_TEXT, FB(AUTHOR)},
	{"author", FK_TEXT, FB(AUTHOR)},
	{"ta", FK_TEXT, FB(JOURNAL)},
	{"journal", FK_TEXT, FB(JOURNAL)},
	{"pt", FK_TEXT, FB(PUBTYPE)},
	{"publication type", FK_TEXT, FB(PUBTYPE)},
	{"la", FK_TEXT, FB(LANG)},
	{"lang", FK_TEXT, FB(LANG)},
	{"language", FK_TEXT, FB(LANG)},
	{"kw", FK_TEXT, FB(KEYWORD)},
	{"ot", FK_TEXT, FB(KEYWORD)},
	{"keyword", FK_TEXT, FB(KEYWORD)},
	{"other term", FK_TEXT, FB(KEYWORD)},
	{"all", FK_DEFAULT, 0},
	{"all fields", FK_DEFAULT, 0},
	{"tw", FK_DEFAULT, 0},
	{"text word", FK_DEFAULT, 0},
	{"dp", FK_YEAR, 0},
	{"pdat", FK_YEAR, 0},
	{"publication date", FK_YEAR, 0},
	{"date - publication", FK_YEAR, 0},
	{"pmid", FK_PMID, 0},
	{"uid", FK_PMID, 0},
};

/* ---- lexer --------------------------------------------------------------- */

static int is_alpha(unsigned char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

/* Bytes of the separator at i, 0 if none.  Control bytes (NUL included)
 * separate like spaces; so does U+00A0, which pasted text is full of. */
size_t qp_space_at(const char *s, size_t n, size_t i)
{
	unsigned char c = (unsigned char)s[i];
	if (c <= 0x20 || c == 0x7f)
		return 1;
	if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] == 0xa0)
		return 2;
	return 0;
}

/* Bytes of the quote at i, 0 if none: '"' and the curly quotes U+201C and
 * U+201D that word processors substitute in copied search strategies. */
size_t qp_quote_at(const char *s, size_t n, size_t i)
{
	if (s[i] == '"')
		return 1;
	if ((unsigned char)s[i] == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
	    ((unsigned char)s[i + 2] == 0x9c || (unsigned char)s[i + 2] == 0x9d))
		return 3;
	return 0;
}

/* Does a word go on at i: a letter, a digit or a non-ASCII character
 * that is not a space or a quote? */
static int word_char_at(const char *s, size_t n, size_t i)
{
	unsigned char c = (unsigned char)s[i];
	if (c >= 0x80)
		return !qp_space_at(s, n, i) && !qp_quote_at(s, n, i);
	return is_alpha(c) || is_digit(c);
}

/* Can an operand start with the byte at i (after a '+' or '-')? */
static int operand_start(const char *s, size_t n, size_t i)
{
	unsigned char c = (unsigned char)s[i];
	return is_alpha(c) || is_digit(c) || c >= 0x80 || c == '(' || qp_quote_at(s, n, i);
}

int qp_eq_len(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* Is s[0..n) an operator word?  Returns its kind, or TK_WORD. */
static enum tk op_kind(const char *s, size_t n)
{
	if (qp_eq_len(s, n, "AND"))
		return TK_AND;
	if (qp_eq_len(s, n, "OR"))
		return TK_OR;
	if (qp_eq_len(s, n, "NOT"))
		return TK_NOT;
	if (n >= 4 && memcmp(s, "NEAR", 4) == 0 && (n == 4 || s[4] == '/'))
		return TK_NEAR;
	return TK_WORD;
}

static int find_field(const char *s, size_t n, const struct fdef *tab, size_t ntab, size_t *idx)
{
	for (size_t i = 0; i < ntab; i++)
		if (strlen(tab[i].name) == n && strncasecmp(tab[i].name, s, n) == 0) {
			*idx = i;
			return 1;
		}
	return 0;
}

enum br { BR_TEXT, BR_TAG, BR_BADTAG, BR_UNBALANCED };

/* Classifies the '[' at i.  Its content is a tag if, lowercased with
 * spaces collapsed and an optional ":noexp" or ":~N" suffix removed, it is
 * in qp_tags[].  Otherwise it is an error only when it is attached to the
 * word before it and starts with a letter ("sarcoma[tiabb]"): a bracket
 * in pasted text ("[Ewing's sarcoma of the rib]", "sarcoma[1]") is text. */
static enum br bracket(const struct parser *p, size_t i, int attached, struct tok *t)
{
	const char *s = p->s;
	size_t n = p->n, j = i + 1, close = 0;
	for (; j < n && j - i < TAG_SCAN; j++) {
		if (s[j] == ']') {
			close = j;
			break;
		}
		if (s[j] == '[' || s[j] == '(' || s[j] == ')' || qp_quote_at(s, n, j))
			break;
	}
	int letter = i + 1 < n && is_alpha((unsigned char)s[i + 1]);
	if (close == 0)
		return attached && letter ? BR_UNBALANCED : BR_TEXT;
	char buf[TAG_MAX + 1];
	size_t k = 0;
	int sp = 0, toolong = 0;
	for (j = i + 1; j < close; j++) {
		unsigned char c = (unsigned char)s[j];
		if (qp_space_at(s, n, j)) {
			sp = k > 0;
			continue;
		}
		if (k + 2 >= sizeof buf) {
			toolong = 1;
			break;
		}
		if (sp)
			buf[k++] = ' ';
		sp = 0;
		buf[k++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
	}
	buf[k] = '\0';
	uint32_t prox = 0;
	char *colon = strrchr(buf, ':');
	if (!toolong && colon) {
		if (strcmp(colon, ":noexp") == 0) {
			*colon = '\0';
		} else if (colon[1] == '~' && colon[2] != '\0' && strlen(colon + 2) <= 4 &&
			   strspn(colon + 2, "0123456789") == strlen(colon + 2)) {
			/* PubMed "~N": at most N words between, so N + 1 positions */
			prox = (uint32_t)atoi(colon + 2) + 1;
			*colon = '\0';
		}
	}
	size_t idx;
	if (!toolong && find_field(buf, strlen(buf), qp_tags, NELEM(qp_tags), &idx)) {
		t->kind = TK_TAG;
		t->idx = idx;
		t->num = prox;
		t->start = i;
		t->end = close + 1;
		t->vstart = i + 1;
		t->vend = close;
		return BR_TAG;
	}
	return attached && letter ? BR_BADTAG : BR_TEXT;
}

/* End of the parenthesized part starting at s[i] == '(' inside a word, as
 * in "t(11;22)(q24;q12)", or 0 if it does not close before a space. */
static size_t inword_paren_end(const char *s, size_t n, size_t i)
{
	int depth = 0;
	for (size_t j = i; j < n; j++) {
		if (qp_space_at(s, n, j) || qp_quote_at(s, n, j))
			return 0;
		if (s[j] == '(')
			depth++;
		else if (s[j] == ')' && --depth == 0)
			return j + 1;
		else if (s[j] == '[')
			return 0;
	}
	return 0;
}

/* Is the '(' at i the start of a word, as the analyzer reads it: a
 * parenthesized part without spaces that runs straight on into a word,
 * directly or after '-' or '+' ("(LH)-releasing", "(A-a)O2")?  Then its
 * end, else 0.  An operator after it ("(bone)OR(lung)") still groups. */
static size_t word_paren_end(const char *s, size_t n, size_t i)
{
	size_t e = inword_paren_end(s, n, i), k;
	if (e == 0 || e >= n)
		return 0;
	if (word_char_at(s, n, e)) {
		for (k = e; k < n && (is_alpha((unsigned char)s[k]) || is_digit((unsigned char)s[k])); k++)
			;
		return k > e && op_kind(s + e, k - e) != TK_WORD ? 0 : e;
	}
	return (s[e] == '-' || s[e] == '+') && e + 1 < n && word_char_at(s, n, e + 1) ? e : 0;
}

/* Lexes the token at p->lx.off into t. */
static int lex(struct parser *p, struct tok *t)
{
	const char *s = p->s;
	size_t n = p->n, i = p->lx.off, w;
	char b[SHOWBUF];

	while (i < n && (w = qp_space_at(s, n, i)) != 0)
		i += w;
	memset(t, 0, sizeof *t);
	t->start = t->vstart = i;
	int attached = i == p->lx.prev_end &&
		       (p->lx.prev_kind == TK_WORD || p->lx.prev_kind == TK_PHRASE ||
			p->lx.prev_kind == TK_RPAREN || p->lx.prev_kind == TK_TAG);
	if (i >= n) {
		t->kind = TK_EOF;
		t->end = t->vend = n;
		goto done;
	}
	unsigned char c = (unsigned char)s[i];
	size_t wp = c == '(' ? word_paren_end(s, n, i) : 0;
	if ((c == '(' && wp == 0) || c == ')') {
		t->kind = c == '(' ? TK_LPAREN : TK_RPAREN;
		t->end = t->vend = i + 1;
		goto done;
	}
	if ((w = qp_quote_at(s, n, i)) != 0) {
		size_t j = i + w, qw = 0;
		while (j < n && (qw = qp_quote_at(s, n, j)) == 0)
			j++;
		if (j >= n)
			return qp_perr(p, i, "unbalanced '%s'", qp_show(p, i, i + w, b, sizeof b));
		t->kind = TK_PHRASE;
		t->vstart = i + w;
		t->vend = j;
		t->end = j + qw;
		goto done;
	}
	if (c == '[') {
		switch (bracket(p, i, attached, t)) {
		case BR_TAG:
			goto done;
		case BR_UNBALANCED:
			return qp_perr(p, i, "unbalanced '['");
		case BR_BADTAG: {
			size_t j = i;
			while (j < n && s[j] != ']')
				j++;
			return qp_perr(p, i, "unknown tag '%s]' (tags: [ti] [ab] [tiab] [mh] [majr] [au] [ta] "
				       "[pt] [la] [dp] [pmid] [kw] [all])",
				       qp_show(p, i, j, b, sizeof b));
		}
		case BR_TEXT:
			break;
		}
	}
	/* After a ')' with no space, "-word" is text, as the analyzer reads
	 * "(luteinizing hormone)-releasing" (docs/QUERY.md). */
	int after_paren = attached && p->lx.prev_kind == TK_RPAREN;
	if (c == '+' || c == '-') {
		/* "--ewing" or "+-ewing" would otherwise be the word "ewing"
		 * with its signs dropped as punctuation, silently searching
		 * it as optional; a run of signs alone (" -- ") stays text. */
		size_t k = i;
		while (k < n && (s[k] == '+' || s[k] == '-'))
			k++;
		if (k - i > 1 && k < n && operand_start(s, n, k) && !after_paren)
			return qp_perr(p, i, "'%s': at most one '+' or '-' goes before a word",
				       qp_show(p, i, k, b, sizeof b));
	}
	if ((c == '+' || c == '-') && i + 1 < n && operand_start(s, n, i + 1) &&
	    !(after_paren && word_char_at(s, n, i + 1))) {
		t->kind = c == '+' ? TK_PLUS : TK_MINUS;
		t->end = t->vend = i + 1;
		goto done;
	}
	/* name:x with a letters-only name is a field reference; "sarcoma: x"
	 * (space) is text, and so is "EWSR1::FLI1" (the fusion notation). */
	size_t j = i;
	while (j < n && is_alpha((unsigned char)s[j]))
		j++;
	if (j > i && j + 1 < n && s[j] == ':' && !qp_space_at(s, n, j + 1) && s[j + 1] != ':') {
		if (!find_field(s + i, j - i, qp_prefix_fields, NELEM(qp_prefix_fields), &t->idx))
			return qp_perr(p, i,
				       "unknown field '%s' (fields: title abstract tiab mesh majr keyword "
				       "author journal pt lang pmid year cites citedby; put a space after "
				       "':' to search the word)",
				       qp_show(p, i, j, b, sizeof b));
		t->kind = TK_FIELD;
		t->end = t->vend = j + 1;
		goto done;
	}

	/* A word: up to a space, quote or parenthesis, or a '[' that is a tag. */
	j = wp ? wp : i;
	while (j < n) {
		if (qp_space_at(s, n, j) || qp_quote_at(s, n, j) || s[j] == ')')
			break;
		if (s[j] == '(') {
			size_t e2;
			if (j == i || op_kind(s + i, j - i) != TK_WORD ||
			    (e2 = inword_paren_end(s, n, j)) == 0)
				break;
			j = e2;
			continue;
		}
		if (s[j] == '[' && j > i) {
			struct tok tmp;
			if (bracket(p, j, 1, &tmp) != BR_TEXT)
				break;
		}
		j++;
	}
	t->kind = TK_WORD;
	t->end = t->vend = j;
	enum tk op = op_kind(s + i, j - i);
	if (op == TK_NEAR) {
		t->num = Q_NEAR_DEFAULT;
		if (j - i > 4) {
			uint32_t d = 0;
			size_t k = i + 5;
			for (; k < j && is_digit((unsigned char)s[k]); k++)
				if (d <= Q_NEAR_MAX) /* saturate: no overflow */
					d = d * 10 + (uint32_t)(s[k] - '0');
			if (k == i + 5 || k < j)
				return qp_perr(p, i, "'%s' needs a number, as in NEAR/5",
					       qp_show(p, i, j, b, sizeof b));
			if (d < 1 || d > Q_NEAR_MAX)
				return qp_perr(p, i, "NEAR distance must be 1 to %d", Q_NEAR_MAX);
			t->num = d;
		}
	}
	t->kind = op;
	if (op == TK_WORD && s[j - 1] == '*') {
		/* Truncation, unless nothing searchable precedes the '*' (a lone
		 * "*" or "(*)" in pasted text is punctuation, not an error). */
		size_t e2 = j;
		while (e2 > i && s[e2 - 1] == '*')
			e2--;
		for (size_t k = i; k < e2; k++) {
			unsigned char ck = (unsigned char)s[k];
			if (is_alpha(ck) || is_digit(ck) || ck >= 0x80) {
				t->prefix = 1;
				t->vend = e2;
				break;
			}
		}
	}
done:
	p->lx.off = t->end;
	p->lx.prev_kind = t->kind;
	p->lx.prev_end = t->end;
	return 0;
}

int qp_peek(struct parser *p, struct tok **t)
{
	if (!p->lx.have) {
		int rc = lex(p, &p->lx.tok);
		if (rc)
			return rc;
		p->lx.have = 1;
	}
	*t = &p->lx.tok;
	return 0;
}

int qp_next(struct parser *p, struct tok *t)
{
	struct tok *pt;
	int rc = qp_peek(p, &pt);
	if (rc)
		return rc;
	*t = *pt;
	p->lx.have = 0;
	p->lx.last_end = t->end;
	return 0;
}

int qp_can_start(enum tk k)
{
	return k == TK_WORD || k == TK_PHRASE || k == TK_LPAREN || k == TK_PLUS || k == TK_MINUS ||
	       k == TK_FIELD;
}

const char *qp_tk_name(enum tk k)
{
	switch (k) {
	case TK_AND: return "AND";
	case TK_OR: return "OR";
	case TK_NOT: return "NOT";
	case TK_NEAR: return "NEAR";
	default: return "?";
	}
}
