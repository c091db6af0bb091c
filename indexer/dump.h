/*
 * dump.h - prints reader events as JSON Lines, for `sarc-index --dump`,
 * for tests that compare the reader with independent parsers, and for
 * people asking "what did the indexer see in this file?".
 */
#ifndef DUMP_H
#define DUMP_H

#include <stdio.h>

#include "pubmed.h"

/* Writes one JSON object and a newline for ev:
 *   records:   {"pmid":N,"version":N,"kind":"article"|"book","year":N|null,
 *               "title":S,"abstract":S,"authors":[S...],"journal":S,
 *               "journal_iso":S,"mesh":[{"ui":S,"name":S,"major":B,
 *               "qualifiers":[S...]}...],"keywords":[S...],"pubtypes":[S...],
 *               "languages":[S...],"doi":S,"pmc":S,"refs":[N...]}
 *   deletions: {"delete":[N...]}
 * An author is "Last Fore" ("Last" when there is no fore name; the name
 * alone for a collective).  Keys come in this order, strings are UTF-8
 * with JSON escapes for '"', '\\' and control characters.
 * Returns 0, or an errno value if writing to out failed. */
int pm_dump_json(FILE *out, const struct pm_event *ev);

/* Writes s as a JSON string, escaped as above (for other JSON output). */
void dump_json_str(FILE *out, const char *s);

#endif
