/*
 * qdump.c - q_dump: the tree as a readable S-expression (notation in
 * qparse.h), which tests compare and --explain prints.
 */
#include "qparse.h"

#include <stdio.h>
#include <string.h>

#include "fields.h"

struct sbuf {
	char *b;
	size_t cap, len; /* len may exceed cap: output is cut, not wrapped */
};

static void put(struct sbuf *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, o->len++)
		if (o->len + 1 < o->cap)
			o->b[o->len] = s[i];
}

static void puts_(struct sbuf *o, const char *s)
{
	put(o, s, strlen(s));
}

static void putu(struct sbuf *o, const char *fmt, uint32_t v)
{
	char t[32];
	int k = snprintf(t, sizeof t, fmt, v);
	put(o, t, (size_t)k);
}

static void put_fields(struct sbuf *o, uint32_t f)
{
	int first = 1;
	if (f == 0) {
		puts_(o, "none");
		return;
	}
	for (unsigned i = 0; i < 32; i++) {
		if (!(f & (1u << i)))
			continue;
		if (!first)
			puts_(o, "|");
		first = 0;
		if (i < F_NFIELDS)
			puts_(o, field_name(i));
		else
			putu(o, "bit%u", i);
	}
}

static void put_term(struct sbuf *o, const struct q_term *t)
{
	puts_(o, " \"");
	for (size_t i = 0; i < t->len; i++) {
		unsigned char c = (unsigned char)t->text[i];
		if (c == '"' || c == '\\') {
			char esc[2] = {'\\', (char)c};
			put(o, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			putu(o, "\\x%02x", c);
		} else {
			put(o, (const char *)&c, 1);
		}
	}
	puts_(o, "\"");
	if (t->relpos)
		putu(o, "@%u", t->relpos);
}

static void dump(struct sbuf *o, const struct q_node *q, enum q_type parent)
{
	static const char *names[] = {"?", "terms", "phrase", "prefix", "and", "or", "not",
				      "near", "year", "pmid", "cites", "citedby"};
	if (q->prohibited)
		puts_(o, "-");
	else if (q->required && parent != Q_AND)
		puts_(o, "+"); /* under AND every child is required: not shown */
	puts_(o, "(");
	puts_(o, (unsigned)q->type < sizeof names / sizeof names[0] ? names[q->type] : "?");
	switch (q->type) {
	case Q_TERMS:
	case Q_PHRASE:
	case Q_PREFIX:
		puts_(o, " ");
		put_fields(o, q->fields);
		for (size_t i = 0; i < q->nterms; i++)
			put_term(o, &q->terms[i]);
		break;
	case Q_NEAR:
		putu(o, "/%u", q->dist);
		/* fall through */
	case Q_AND:
	case Q_OR:
	case Q_NOT:
		for (size_t i = 0; i < q->nkids; i++) {
			puts_(o, " ");
			dump(o, q->kids[i], q->type);
		}
		break;
	case Q_YEAR:
		putu(o, " %u", q->lo);
		if (q->hi == UINT32_MAX)
			puts_(o, " *");
		else
			putu(o, " %u", q->hi);
		break;
	default:
		putu(o, " %u", q->lo);
		break;
	}
	puts_(o, ")");
}

void q_dump(const struct q_node *q, char *buf, size_t cap)
{
	struct sbuf o = {buf, cap, 0};
	if (buf == NULL || cap == 0)
		return;
	if (q == NULL)
		puts_(&o, "(null)");
	else
		dump(&o, q, Q_OR);
	buf[o.len < cap ? o.len : cap - 1] = '\0';
}
