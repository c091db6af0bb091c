/*
 * stored.h - the stored record of a citation (FORMAT.md §7.1): what
 * sarc-query displays, snippets and exports.  Encoded by the indexer,
 * decoded by the query engine.
 */
#ifndef STORED_H
#define STORED_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "fmt.h"

enum st_field {
	ST_TITLE,
	ST_ABSTRACT,    /* sections joined by "\n", "LABEL: " prefixes */
	ST_AUTHORS,     /* "Last Fore", a list (ST_LIST_SEP) */
	ST_JOURNAL,
	ST_JOURNAL_ISO,
	ST_MESH,        /* "Descriptor/Qualifier/...", a list, major topics end in "*" */
	ST_KEYWORDS,    /* a list */
	ST_PUBTYPES,    /* a list */
	ST_LANGUAGES,   /* a list */
	ST_DOI,
	ST_PMC,
	ST_NSTR
};

/* Lists hold one item per line (FORMAT.md §7.1): the reader normalizes
 * whitespace in every item, so no item holds a newline, where "; " does
 * occur (a collective author naming several groups, keywords typed as one).
 * Version 5 joined items with "; " and split such items apart. */
#define ST_LIST_SEP '\n'

/* The item of a list that starts at s: sets *len to its length and
 * returns where the next item starts, NULL after the last. */
const char *st_list_item(const char *s, size_t *len);

/* The values a record counts under facet key fk (fields.h, FORMAT.md
 * §4.1), from its stored strings: the journal's ISO abbreviation, else its
 * title; the descriptor of each MeSH heading; each publication type.
 * Blanks around a value and a major topic's '*' are trimmed, empty values
 * skipped, and a value is cut to ST_FACET_MAX bytes on a UTF-8 boundary.
 * fn gets each value in the record's order, repeats included; it returns
 * nonzero to stop, which st_facet_values returns. */
#define ST_FACET_MAX 200
int st_facet_values(unsigned fk, const char *journal, const char *journal_iso,
		    const char *list, int (*fn)(void *ctx, const char *s, size_t n), void *ctx);

struct st_record {
	uint32_t pmid;
	uint32_t version;
	uint16_t year;
	const char *s[ST_NSTR]; /* NUL-terminated; "" when absent */
	size_t len[ST_NSTR];
	const uint32_t *refs;   /* cited PMIDs */
	size_t nrefs;
};

/* Appends the encoding of r to b (b->rc reports allocation failure). */
void st_encode(struct fmt_buf *b, const struct st_record *r);

/* Decodes p[0..n) into r.  Strings point into p (which must outlive r);
 * refs are written to a malloc'd array (*refs_owned, free it).  Returns 0
 * or ERR_CORRUPT. */
int st_decode(const uint8_t *p, size_t n, struct st_record *r, uint32_t **refs_owned);

/* Every facet value of r (st_facet_values) under the three facet keys,
 * FK_JOURNAL, FK_MESH and FK_PUBTYPE in that order, as a segment's facet
 * keys hold them: fn gets the key space, the value and its place among
 * the values of that key space (0, 1, ...).  Returns what fn returned
 * when nonzero, else 0. */
typedef int st_facet_fn(void *ctx, unsigned fk, const char *s, size_t n, uint32_t pos);
int st_record_facets(const struct st_record *r, st_facet_fn *fn, void *ctx);
/* The same for the encoded record p[0..n) (st_decode: ERR_CORRUPT when
 * it does not decode). */
int st_encoded_facets(const uint8_t *p, size_t n, st_facet_fn *fn, void *ctx);

/*
 * Word substitution (FORMAT.md §7.2).  Before deflate, each segment
 * replaces the words of its records' strings that are in its vocabulary
 * by two-byte codes: zlib's 32 KB window and per-block Huffman tables see
 * text about 40% shorter, and the stored fields compress about 3:1 where
 * plain deflate stays near 2.3:1 at the same speed.
 */
#define ST_WORD_MIN 3        /* a shorter word would not shrink */
#define ST_WORD_MAX 64       /* longer letter runs are kept as they are */
#define ST_VOCAB_MAX 10240   /* 40 lead bytes x 256 */
#define ST_ESC 0xFF          /* the next byte is literal */

/* A vocabulary ready for packing and unpacking (opaque; read-only once
 * loaded, so any number of readers may share one). */
typedef struct st_vocab st_vocab;

/* Writes to out the serialized vocabulary (§7.2) chosen from the records
 * in sample[0..n): a sequence of `str` (varint length, §7.1 record).  The
 * words are the most frequent in the sample (occurring at least twice, at
 * most ST_VOCAB_MAX of them).  Returns 0, ERR_NOMEM, or ERR_CORRUPT when
 * a sample record does not parse. */
int st_vocab_build(const uint8_t *sample, size_t n, struct fmt_buf *out);

/* Parses a serialized vocabulary p[0..n) (which need not outlive it) into
 * *v (free with st_vocab_free), ready for unpacking.  Checks only what
 * keeps unpacking within bounds (it runs once per segment in every query
 * process).  Returns 0, ERR_NOMEM or ERR_CORRUPT. */
int st_vocab_load(const uint8_t *p, size_t n, st_vocab **v);
/* The rest of §7.2: words of letters only, in strictly increasing order.
 * 0 or ERR_CORRUPT. */
int st_vocab_check(const st_vocab *v);
/* Makes v ready for packing too (a hash table of its words).  0 or
 * ERR_NOMEM. */
int st_vocab_index(st_vocab *v);
void st_vocab_free(st_vocab *v);
uint32_t st_vocab_words(const st_vocab *v);

/* Appends to out the packed form of the §7.1 record rec[0..n) (v indexed
 * by st_vocab_index): the same
 * bytes with every string's words coded (§7.2).  Returns 0, ERR_NOMEM, or
 * ERR_CORRUPT when rec does not parse as a record. */
int st_pack(const st_vocab *v, const uint8_t *rec, size_t n, struct fmt_buf *out);

/* Appends to out the record that packed p[0..n) stands for.  Returns 0,
 * ERR_NOMEM, or ERR_CORRUPT (a code outside the vocabulary, a truncated
 * escape, a record that does not parse). */
int st_unpack(const st_vocab *v, const uint8_t *p, size_t n, struct fmt_buf *out);

#endif
