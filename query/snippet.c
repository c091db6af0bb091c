/*
 * snippet.c - choosing the window of an abstract shown under a hit, and
 * cleaning text for display (see snippet.h).
 *
 * The window is chosen like the "best passage" of a search results page:
 * every highlighted span is tried as the first match of a window, and the
 * window that holds the most distinct terms wins (then the most matches,
 * then the earliest).  Counting distinct terms rather than matches keeps a
 * passage that repeats one word from beating a passage that has them all.
 */
#include "snippet.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Bytes of blank at t[i..n): ASCII whitespace and control characters, DEL,
 * the C1 controls U+0080..U+009F (some terminals act on them) and the line
 * and paragraph separators U+2028, U+2029, all of which display as one
 * space.  0 when t[i] starts visible text. */
static size_t blank_len(const char *t, size_t n, size_t i)
{
	const unsigned char *u = (const unsigned char *)t + i;
	if (u[0] < 0x20 || u[0] == 0x20 || u[0] == 0x7f)
		return 1;
	if (u[0] == 0xc2 && i + 1 < n && u[1] >= 0x80 && u[1] <= 0x9f)
		return 2;
	if (u[0] == 0xe2 && i + 2 < n && u[1] == 0x80 && (u[2] == 0xa8 || u[2] == 0xa9))
		return 3;
	return 0;
}

static int is_blank(const char *t, size_t n, size_t i)
{
	return blank_len(t, n, i) != 0;
}

/* Folds ASCII case: the analyzer folds more, but the spans of one term in
 * one abstract differ at most in case and inflection. */
static int fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Whether two highlighted spans are the same term.  Spans are surface
 * forms, and the index stems, so "sarcoma" and "sarcomas" (or "metastasis"
 * and "metastases") are one term for counting: same start, differing only
 * in the last few bytes. */
static int same_term(const char *a, size_t na, const char *b, size_t nb)
{
	size_t m = na < nb ? na : nb, p = 0;
	while (p < m && fold((unsigned char)a[p]) == fold((unsigned char)b[p]))
		p++;
	if (na == nb && p == m)
		return 1;
	size_t diff = na > nb ? na - nb : nb - na;
	size_t need = m > 6 ? m - 2 : 4;
	return m >= 4 && diff <= 3 && p >= need;
}

/* Scores the window whose first match is spans[i]: distinct terms and
 * matches among the spans that end before limit; *last gets the last one. */
static void score_window(const char *t, const struct sarc_span *sp, size_t nsp, size_t i,
			 size_t limit, size_t *distinct, size_t *matches, size_t *last)
{
	size_t d = 0, m = 0;
	*last = i;
	for (size_t j = i; j < nsp && sp[j].end <= limit; j++) {
		int seen = 0;
		for (size_t k = i; k < j && !seen; k++)
			seen = same_term(t + sp[k].start, sp[k].end - sp[k].start, t + sp[j].start,
					 sp[j].end - sp[j].start);
		d += !seen;
		m++;
		*last = j;
	}
	*distinct = d;
	*matches = m;
}

/* Moves ws forward to the start of a word (at most to stop) unless it
 * already starts one. */
static size_t snap_start(const char *t, size_t n, size_t ws, size_t stop)
{
	if (ws == 0 || is_blank(t, n, ws - 1))
		return ws;
	size_t p = ws;
	while (p < stop && !is_blank(t, n, p))
		p++;
	if (p >= stop) {
		/* No word boundary before the match: cut on a character. */
		while (ws > 0 && ((unsigned char)t[ws] & 0xc0) == 0x80)
			ws--;
		return ws;
	}
	while (p < stop && is_blank(t, n, p))
		p++;
	return p;
}

/* Moves we back to the end of a word (not before stop) unless it already
 * ends one. */
static size_t snap_end(const char *t, size_t n, size_t we, size_t stop)
{
	if (we >= n || is_blank(t, n, we))
		return we;
	size_t p = we;
	while (p > stop && !is_blank(t, n, p))
		p--;
	if (p <= stop) { /* no word break: cut at a character, inside the window */
		while (we > stop && ((unsigned char)t[we] & 0xc0) == 0x80)
			we--;
		return we;
	}
	return p;
}

/* Where a sentence or abstract section starts in [lo, hi), searching back
 * from hi; hi when there is none. */
static size_t sentence_start(const char *t, size_t lo, size_t hi)
{
	for (size_t p = hi; p > lo; p--) {
		char c = t[p - 1];
		if (c == '\n')
			return p;
		if (c == ' ' && p >= 2 && (t[p - 2] == '.' || t[p - 2] == '?' || t[p - 2] == '!'))
			return p;
	}
	return hi;
}

static void choose_window(const char *t, size_t n, const struct sarc_span *sp, size_t nsp,
			  size_t maxbytes, size_t *ws_out, size_t *we_out)
{
	size_t ws, we;
	if (n <= maxbytes) {
		*ws_out = 0;
		*we_out = n;
		return;
	}
	if (nsp == 0) {
		*ws_out = 0;
		*we_out = snap_end(t, n, maxbytes, 0);
		return;
	}
	/* Leave a sixth of the window for context before the first match. */
	size_t lead = maxbytes / 6, best = 0, bestd = 0, bestm = 0, bestlast = 0;
	for (size_t i = 0; i < nsp; i++) {
		size_t d, m, last;
		score_window(t, sp, nsp, i, sp[i].start + maxbytes - lead, &d, &m, &last);
		if (d > bestd || (d == bestd && m > bestm)) {
			best = i;
			bestd = d;
			bestm = m;
			bestlast = last;
		}
	}
	size_t cs = sp[best].start, ce = sp[bestlast].end;
	if (ce - cs > maxbytes)
		ce = cs + maxbytes; /* one enormous span: cut it */
	size_t room = maxbytes - (ce - cs), back = room / 2;
	if (back > cs)
		back = cs;
	/* Start at the sentence the first match is in when it is close. */
	ws = sentence_start(t, cs - back, cs);
	if (ws == cs)
		ws = snap_start(t, n, cs - back, cs);
	we = ws + maxbytes;
	if (we >= n) {
		/* The text ends first: use the spare room before the match. */
		we = n;
		if (n - maxbytes < ws)
			ws = snap_start(t, n, n - maxbytes, cs);
	} else {
		we = snap_end(t, n, we, ce);
	}
	*ws_out = ws;
	*we_out = we;
}

/* Combining marks: they follow the letter they accent. */
static int is_combining(uint32_t u)
{
	return (u >= 0x0300 && u <= 0x036F) || (u >= 0x1AB0 && u <= 0x1AFF) ||
	       (u >= 0x1DC0 && u <= 0x1DFF) || (u >= 0x20D0 && u <= 0x20FF) ||
	       (u >= 0xFE20 && u <= 0xFE2F);
}

/* Columns of code point u on a terminal: 0 for combining marks and
 * zero-width characters, 2 for East Asian wide and fullwidth ones
 * (Unicode's EastAsianWidth W and F, in the blocks PubMed text meets),
 * else 1.  wcwidth() would need a UTF-8 locale, which the output's
 * columns should not depend on. */
static int cp_columns(uint32_t u)
{
	if (is_combining(u) || (u >= 0x200B && u <= 0x200F) || (u >= 0xFE00 && u <= 0xFE0F) ||
	    u == 0xFEFF)
		return 0;
	if ((u >= 0x1100 && u <= 0x115F) || (u >= 0x2E80 && u <= 0x303E) ||
	    (u >= 0x3041 && u <= 0x33FF) || (u >= 0x3400 && u <= 0x4DBF) ||
	    (u >= 0x4E00 && u <= 0x9FFF) || (u >= 0xA000 && u <= 0xA4CF) ||
	    (u >= 0xAC00 && u <= 0xD7A3) || (u >= 0xF900 && u <= 0xFAFF) ||
	    (u >= 0xFE30 && u <= 0xFE4F) || (u >= 0xFF00 && u <= 0xFF60) ||
	    (u >= 0xFFE0 && u <= 0xFFE6) || (u >= 0x1F300 && u <= 0x1F64F) ||
	    (u >= 0x1F900 && u <= 0x1F9FF) || (u >= 0x20000 && u <= 0x3FFFD))
		return 2;
	return 1;
}

/* The code point at s[i] of UTF-8 text s[0..n), its bytes in *len. */
static uint32_t cp_at(const char *s, size_t n, size_t i, size_t *len)
{
	const unsigned char *t = (const unsigned char *)s + i;
	uint32_t u = t[0];
	size_t l = u < 0x80 ? 1 : u >= 0xF0 ? 4 : u >= 0xE0 ? 3 : u >= 0xC0 ? 2 : 1;
	if (i + l > n)
		l = 1;
	if (l > 1) {
		u &= 0x3Fu >> (l - 1);
		for (size_t k = 1; k < l; k++)
			u = u << 6 | (t[k] & 0x3Fu);
	}
	*len = l;
	return u;
}

int snip_make(const char *text, size_t n, const struct sarc_span *spans, size_t nspans,
	      size_t maxbytes, struct snippet *out)
{
	size_t ws, we, *map = NULL;
	int rc = 0;
	memset(out, 0, sizeof *out);
	if (maxbytes == 0) {
		ws = 0;
		we = n;
	} else {
		choose_window(text, n, spans, nspans, maxbytes, &ws, &we);
	}
	while (ws < we && is_blank(text, n, ws))
		ws++;
	while (we > ws && is_blank(text, n, we - 1))
		we--;
	/* A cut is marked only where it dropped visible text. */
	int pre = 0, post = 0;
	for (size_t p = 0; p < ws && !pre; p++)
		pre = !is_blank(text, n, p);
	for (size_t p = we; p < n && !post; p++)
		post = !is_blank(text, n, p);
	size_t cap = (we - ws) + 2 * (sizeof SNIP_ELLIPSIS - 1) + 1;
	if ((out->text = malloc(cap)) == NULL || (map = malloc((we - ws + 1) * sizeof *map)) == NULL) {
		rc = ENOMEM;
		goto out;
	}
	/* Copy, collapsing blanks; map[i - ws] is where byte i went. */
	size_t o = 0;
	if (pre) {
		memcpy(out->text, SNIP_ELLIPSIS, sizeof SNIP_ELLIPSIS - 1);
		o = sizeof SNIP_ELLIPSIS - 1;
	}
	int pending = 0;
	for (size_t i = ws; i < we;) {
		size_t bl = blank_len(text, n, i);
		if (bl) {
			pending = 1;
			for (size_t k = 0; k < bl && i < we; k++, i++)
				map[i - ws] = o;
			continue;
		}
		if (pending) {
			out->text[o++] = ' ';
			pending = 0;
		}
		map[i - ws] = o;
		out->text[o++] = text[i++];
	}
	map[we - ws] = o;
	if (post) {
		memcpy(out->text + o, SNIP_ELLIPSIS, sizeof SNIP_ELLIPSIS - 1);
		o += sizeof SNIP_ELLIPSIS - 1;
	}
	out->text[o] = '\0';
	out->len = o;

	size_t k = 0;
	for (size_t i = 0; i < nspans; i++)
		if (spans[i].end > ws && spans[i].start < we && spans[i].end > spans[i].start)
			k++;
	if (k) {
		if ((out->spans = malloc(k * sizeof *out->spans)) == NULL) {
			rc = ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < nspans; i++) {
			size_t s = spans[i].start, e = spans[i].end;
			if (e <= ws || s >= we || e <= s || e > n)
				continue;
			if (s < ws)
				s = ws;
			if (e > we)
				e = we;
			/* a decomposed accent belongs to the letter before it: the
			 * analyzer ends a word at its last letter ("résumé") */
			for (size_t len; e < we && is_combining(cp_at(text, n, e, &len)) && e + len <= we;)
				e += len;
			size_t os = map[s - ws], oe = map[e - ws];
			if (oe > os) {
				out->spans[out->nspans].start = (uint32_t)os;
				out->spans[out->nspans].end = (uint32_t)oe;
				out->nspans++;
			}
		}
	}
out:
	free(map);
	if (rc)
		snip_free(out);
	return rc;
}

void snip_free(struct snippet *s)
{
	free(s->text);
	free(s->spans);
	memset(s, 0, sizeof *s);
}

size_t snip_columns(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0, len; i < n; i += len)
		c += (size_t)cp_columns(cp_at(s, n, i, &len));
	return c;
}
