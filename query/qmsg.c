/*
 * qmsg.c - the parser's error messages, "query: position N: reason": N
 * counts characters, not bytes, and the user's text is quoted short and
 * printable, because it may hold anything.  Inside a look-ahead
 * (p->quiet) qp_perr reports nothing: the parser reports the error in order
 * when it gets there.
 */
#include "qpriv.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* 1-based character position of byte offset off: counts bytes that do not
 * continue a UTF-8 sequence, so "é" counts once and invalid bytes count. */
static size_t charpos(const struct parser *p, size_t off)
{
	size_t k = 1;
	if (off > p->n)
		off = p->n;
	for (size_t i = 0; i < off; i++)
		if (((unsigned char)p->s[i] & 0xc0) != 0x80)
			k++;
	return k;
}

/* Copies s[start..end) into buf for quoting: control bytes become '?', at
 * most SHOW_MAX characters, never cut inside a UTF-8 sequence. */
const char *qp_show(const struct parser *p, size_t start, size_t end, char *buf, size_t cap)
{
	size_t k = 0, nch = 0;
	if (end > p->n)
		end = p->n;
	for (size_t i = start; i < end && k + 8 < cap; i++) {
		unsigned char c = (unsigned char)p->s[i];
		if ((c & 0xc0) != 0x80 && ++nch > SHOW_MAX) {
			memcpy(buf + k, "...", 3);
			k += 3;
			break;
		}
		buf[k++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	buf[k] = '\0';
	return buf;
}

int qp_perr(struct parser *p, size_t off, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	if (p->quiet)
		return ERR_PARSE;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return err_set(p->e, ERR_PARSE, "query: position %zu: %s", charpos(p, off), msg);
}

int qp_nomem(struct parser *p)
{
	return err_set(p->e, ERR_NOMEM, "query: out of memory");
}

/* Reports the "nothing" that text[start..end) reduced to. */
int qp_nothing(struct parser *p, size_t start, size_t end, int stopped)
{
	char b[SHOWBUF];
	int one = 1;
	if (end > p->n)
		end = p->n;
	/* quote the words, not the spaces after them ("'an ' is only ...") */
	for (;;) {
		if (end > start && qp_space_at(p->s, p->n, end - 1) == 1)
			end--;
		else if (end >= start + 2 && qp_space_at(p->s, p->n, end - 2) == 2)
			end -= 2;
		else
			break;
	}
	for (size_t i = start; i < end && i < p->n; i++)
		if (qp_space_at(p->s, p->n, i) || qp_quote_at(p->s, p->n, i) || p->s[i] == '(')
			one = 0;
	qp_show(p, start, end, b, sizeof b);
	if (stopped && one)
		return qp_perr(p, start, "'%s' is a stopword and matches nothing", b);
	if (stopped)
		return qp_perr(p, start, "'%s' is only stopwords and matches nothing", b);
	return qp_perr(p, start, "'%s' has no searchable words and matches nothing", b);
}
