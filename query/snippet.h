/*
 * snippet.h - the piece of an abstract sarc-query shows under a hit, and the
 * text clean-up every human-readable field goes through.
 *
 * A snippet is a window of at most SNIP_BYTES bytes of the original text,
 * cut on word boundaries (so never inside a UTF-8 sequence), chosen to hold
 * the most distinct highlighted terms, with "…" where text was cut.  Its
 * text is cleaned: runs of whitespace and control characters become one
 * space, so it prints on one line and cannot carry terminal escapes.  The
 * highlight spans are translated to byte offsets in the cleaned text.
 */
#ifndef SNIPPET_H
#define SNIPPET_H

#include <stddef.h>
#include <stdint.h>

#include "sarc.h"

/* Longest window of original text in a snippet (the "…" marks come on top).
 * About three terminal lines: enough for a sentence around the matches. */
#define SNIP_BYTES 260

/* UTF-8 "…", what marks a cut. */
#define SNIP_ELLIPSIS "\xe2\x80\xa6"

struct snippet {
	char *text;              /* malloc'd, NUL-terminated, cleaned */
	size_t len;
	struct sarc_span *spans; /* malloc'd (may be NULL when nspans is 0): sorted,
				  * non-overlapping byte ranges of text */
	size_t nspans;
};

/* Makes the snippet of text[0..n) given the highlight spans of that text
 * (sorted, non-overlapping, as sarc_highlight returns them).  maxbytes 0
 * keeps the whole text (only cleaned: used for titles).  Without spans the
 * snippet is the start of the text.  Returns 0, or ENOMEM with *out empty.
 * *out must be released with snip_free. */
int snip_make(const char *text, size_t n, const struct sarc_span *spans, size_t nspans,
	      size_t maxbytes, struct snippet *out);

void snip_free(struct snippet *s);

/* Columns that s[0..n) takes on a terminal: one per UTF-8 character, two
 * for a wide (CJK, fullwidth) one, none for a combining mark.  The text is
 * valid UTF-8 (snip_make cleaned it). */
size_t snip_columns(const char *s, size_t n);

#endif
