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
	ST_AUTHORS,     /* "Last Fore" joined by "; " */
	ST_JOURNAL,
	ST_JOURNAL_ISO,
	ST_MESH,        /* "Descriptor/Qualifier/..." joined by "; ", major topics end in "*" */
	ST_KEYWORDS,    /* joined by "; " */
	ST_PUBTYPES,    /* joined by "; " */
	ST_LANGUAGES,   /* joined by "; " */
	ST_DOI,
	ST_PMC,
	ST_NSTR
};

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

#endif
