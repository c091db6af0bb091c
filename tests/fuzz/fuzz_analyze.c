/*
 * fuzz_analyze.c - libFuzzer target for the analyzer (common/analyze.h).
 *
 * Input: one mode byte, then the text.  Mode bit 0 turns stemming on,
 * bit 1 chooses no stopwords instead of the default list, bits 2-7 give
 * the buffer size handed to an_fold_prefix (0..63).  Besides crashes and
 * sanitizer reports it checks analyze.h's promises for every term: 1 to
 * AN_MAX_TERM_BYTES bytes of valid UTF-8, positions that never decrease,
 * byte offsets inside the text, and that analyzing text[start..end) alone
 * yields the term again (what makes a query word find its documents).
 * Seeds: tests/fuzz/corpus/analyze/.
 */
#include <string.h>

#include "analyze.h"
#include "fuzz.h"

#ifndef FUZZ_ENTRY
#define FUZZ_ENTRY LLVMFuzzerTestOneInput
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif

#define ANF_MAX_TERMS 256 /* terms re-analyzed alone per input */

static an_analyzer *anf_an[4]; /* [stem][no stopwords] */

static void anf_cleanup(void)
{
	for (int i = 0; i < 4; i++) {
		an_free(anf_an[i]);
		anf_an[i] = NULL;
	}
}

static an_analyzer *anf_get(int stem, int nostop)
{
	static int registered;
	int i = (stem ? 1 : 0) | (nostop ? 2 : 0);
	if (anf_an[i] == NULL) {
		struct an_settings s = {.stem = stem, .stopwords = nostop ? "" : NULL};
		struct err e;
		err_clear(&e);
		if ((anf_an[i] = an_new(&s, &e)) == NULL)
			FUZZ_FAIL("an_new: %s", e.msg);
		if (!registered++)
			atexit(anf_cleanup);
	}
	return anf_an[i];
}

/* 1 if p[0..n) is valid UTF-8 (no overlongs, surrogates or values past U+10FFFF). */
static int anf_utf8(const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint8_t c = p[i];
		size_t k;
		uint32_t v;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			v = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			v = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			v = c & 0x07;
		} else {
			return 0;
		}
		if (n - i <= k)
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return 0;
			v = v << 6 | (p[i + j] & 0x3f);
		}
		if ((k == 2 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))) ||
		    (k == 3 && (v < 0x10000 || v > 0x10ffff)))
			return 0;
		i += k + 1;
	}
	return 1;
}

struct anf_term {
	char text[AN_MAX_TERM_BYTES];
	size_t len;
	uint32_t start, end;
	enum an_kind kind;
};

struct anf_run {
	size_t n;        /* input length */
	uint32_t last;   /* previous position */
	size_t count;
	struct anf_term t[ANF_MAX_TERMS];
	size_t nt;
};

/* A term looked for when re-analyzing its source alone. */
struct anf_lookfor {
	const struct anf_term *want;
	int found;
};

static int anf_emit(void *ctx, const struct an_term *t)
{
	struct anf_run *r = ctx;
	if (t->len < 1 || t->len > AN_MAX_TERM_BYTES || t->text == NULL)
		FUZZ_FAIL("term of %zu bytes", t->len);
	if (!anf_utf8((const uint8_t *)t->text, t->len))
		FUZZ_FAIL("term '%.*s' is not valid UTF-8", (int)t->len, t->text);
	if (r->count > 0 && t->pos < r->last)
		FUZZ_FAIL("position %u after %u", t->pos, r->last);
	if (t->start > t->end || t->end > r->n)
		FUZZ_FAIL("offsets %u..%u in %zu bytes", t->start, t->end, r->n);
	if (t->kind != AN_WORD && t->kind != AN_PART && t->kind != AN_JOINED)
		FUZZ_FAIL("term kind %d", (int)t->kind);
	r->last = t->pos;
	r->count++;
	if (r->nt < ANF_MAX_TERMS) {
		struct anf_term *c = &r->t[r->nt++];
		memcpy(c->text, t->text, t->len);
		c->len = t->len;
		c->start = t->start;
		c->end = t->end;
		c->kind = t->kind;
	}
	return 0;
}

static int anf_find(void *ctx, const struct an_term *t)
{
	struct anf_lookfor *r = ctx;
	if (t->len == r->want->len && memcmp(t->text, r->want->text, t->len) == 0)
		r->found = 1;
	return 0;
}

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	const char *text = (const char *)data + 1;
	size_t n = size - 1;
	an_analyzer *a = anf_get(mode & 1, mode & 2);
	static struct anf_run r; /* large: keep it off the stack */
	memset(&r, 0, sizeof r);
	r.n = n;
	uint32_t pos = 0;
	size_t nstop = 0;
	int rc = an_run(a, text, n, &pos, &nstop, anf_emit, &r);
	if (rc != 0)
		FUZZ_FAIL("an_run returned %d", rc);
	if (r.count > 0 && pos <= r.last)
		FUZZ_FAIL("end position %u not past the last term's %u", pos, r.last);
	/* a term analyzed on its own comes back (analyze.h, struct an_term) */
	for (size_t i = 0; i < r.nt; i++) {
		struct anf_lookfor sub = {.want = &r.t[i], .found = 0};
		size_t len = r.t[i].end - r.t[i].start;
		uint32_t p2 = 0;
		an_run(a, text + r.t[i].start, len, &p2, NULL, anf_find, &sub);
		if (!sub.found)
			FUZZ_FAIL("term '%.*s' (kind %d) not found again in its source '%.*s'",
				  (int)r.t[i].len, r.t[i].text, (int)r.t[i].kind, (int)len,
				  text + r.t[i].start);
	}
	/* the prefix folder, with a buffer of 0..63 bytes */
	char out[80];
	size_t cap = (size_t)(mode >> 2);
	memset(out, 0x5a, sizeof out);
	size_t len = an_fold_prefix(a, text, n, out, cap);
	if (len > 0 && (cap == 0 || len > cap - 1 || out[len] != '\0' || strlen(out) != len))
		FUZZ_FAIL("an_fold_prefix returned %zu for a buffer of %zu", len, cap);
	if (len > 0 && !anf_utf8((const uint8_t *)out, len))
		FUZZ_FAIL("folded prefix '%s' is not valid UTF-8", out);
	for (size_t i = cap; i < sizeof out; i++)
		if (out[i] != 0x5a)
			FUZZ_FAIL("an_fold_prefix wrote past its buffer of %zu bytes", cap);
	return 0;
}
