/*
 * an_fold.h - lookup into the analyzer's Unicode folding table (an_fold.c,
 * generated).  Private to the analyzer: only analyze.c includes it.
 *
 * an_fold_code(cp) tells what a code point becomes in a term: kept as it
 * is, a separator, ignored (zero width), or a replacement string.  The
 * decisions themselves are documented in docs/ANALYSIS.md and in the
 * generator quoted at the end of an_fold.c.
 */
#ifndef AN_FOLD_H
#define AN_FOLD_H

#include <stdint.h>

#define AN_FOLD_VERBATIM 0u /* a letter of a script we do not fold: keep its bytes */
#define AN_FOLD_SEP 1u      /* ends a token */
#define AN_FOLD_IGNORE 2u   /* zero width: dropped without ending the token */
#define AN_FOLD_STR 3u      /* codes >= this: replacement at an_fold_pool[code - 3] */

extern const unsigned char an_fold_pool[];
extern const unsigned char an_fold_page_of[512];
extern const uint16_t an_fold_pages[][128];
extern const uint16_t an_fold_math[1024];

/* The folding code of a code point (cp <= 0x10FFFF, not a surrogate). */
static inline unsigned an_fold_code(uint32_t cp)
{
	if (cp < 0x10000)
		return an_fold_pages[an_fold_page_of[cp >> 7]][cp & 127];
	if ((cp & 0xFFFE) == 0xFFFE)
		return AN_FOLD_SEP; /* noncharacters */
	if (cp >= 0x1D400 && cp < 0x1D800)
		return an_fold_math[cp - 0x1D400]; /* math italic Greek, bold Latin */
	if (cp >= 0x1F000 && cp < 0x1FC00)
		return AN_FOLD_SEP; /* emoji, pictographs, enclosed symbols */
	if (cp >= 0xE0000 && cp < 0xE1000)
		return AN_FOLD_IGNORE; /* tag characters, variation selectors */
	if (cp >= 0xF0000)
		return AN_FOLD_SEP; /* private use planes */
	return AN_FOLD_VERBATIM; /* CJK extensions, historic scripts */
}

#endif
