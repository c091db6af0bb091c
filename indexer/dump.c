/*
 * dump.c - JSON Lines printer for reader events (see dump.h).
 *
 * The reader guarantees valid UTF-8 (libxml2 refuses anything else), so
 * bytes >= 0x80 pass through unchanged; only '"', '\\' and C0 controls
 * need escapes.  Runs of safe bytes go out with one fwrite.
 */
#include "dump.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

/* Writes s JSON-escaped, without the quotes. */
static void esc(FILE *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	for (;;) {
		const unsigned char *run = p;
		while (*p >= 0x20 && *p != '"' && *p != '\\')
			p++;
		if (p > run)
			fwrite(run, 1, (size_t)(p - run), out);
		if (*p == '\0')
			break;
		char e[7] = {'\\', 0};
		switch (*p) {
		case '"': e[1] = '"'; break;
		case '\\': e[1] = '\\'; break;
		case '\n': e[1] = 'n'; break;
		case '\t': e[1] = 't'; break;
		case '\r': e[1] = 'r'; break;
		case '\b': e[1] = 'b'; break;
		case '\f': e[1] = 'f'; break;
		default:
			memcpy(e + 1, "u00", 3);
			e[4] = hex[*p >> 4];
			e[5] = hex[*p & 15];
		}
		fputs(e, out);
		p++;
	}
}

void dump_json_str(FILE *out, const char *s)
{
	putc('"', out);
	esc(out, s);
	putc('"', out);
}

static void str(FILE *out, const char *s)
{
	dump_json_str(out, s);
}

static void key(FILE *out, const char *k)
{
	fprintf(out, ",\"%s\":", k);
}

static void strs(FILE *out, const struct pm_strs *v)
{
	putc('[', out);
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			putc(',', out);
		str(out, v->v[i]);
	}
	putc(']', out);
}

static void ids(FILE *out, const uint32_t *v, size_t n)
{
	putc('[', out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, i ? ",%" PRIu32 : "%" PRIu32, v[i]);
	putc(']', out);
}

static void record(FILE *out, const struct pm_record *r)
{
	fprintf(out, "{\"pmid\":%" PRIu32 ",\"version\":%" PRIu32 ",\"kind\":\"%s\"", r->pmid,
		r->version, r->kind == PM_BOOK ? "book" : "article");
	if (r->year)
		fprintf(out, ",\"year\":%u", (unsigned)r->year);
	else
		fputs(",\"year\":null", out);
	key(out, "title");
	str(out, r->title);
	key(out, "abstract");
	str(out, r->abstract);
	key(out, "authors");
	putc('[', out);
	for (size_t i = 0; i < r->nauthors; i++) {
		const struct pm_author *a = &r->authors[i];
		if (i)
			putc(',', out);
		putc('"', out);
		esc(out, a->last);
		if (a->fore && a->fore[0] && !a->collective) {
			putc(' ', out);
			esc(out, a->fore);
		}
		putc('"', out);
	}
	putc(']', out);
	key(out, "journal");
	str(out, r->journal);
	key(out, "journal_iso");
	str(out, r->journal_iso);
	key(out, "mesh");
	putc('[', out);
	for (size_t i = 0; i < r->nmesh; i++) {
		const struct pm_mesh *m = &r->mesh[i];
		fputs(i ? ",{\"ui\":" : "{\"ui\":", out);
		str(out, m->ui);
		key(out, "name");
		str(out, m->descriptor);
		fputs(m->major ? ",\"major\":true" : ",\"major\":false", out);
		key(out, "qualifiers");
		strs(out, &m->qualifiers);
		putc('}', out);
	}
	putc(']', out);
	key(out, "keywords");
	strs(out, &r->keywords);
	key(out, "pubtypes");
	strs(out, &r->pubtypes);
	key(out, "languages");
	strs(out, &r->languages);
	key(out, "doi");
	str(out, r->doi);
	key(out, "pmc");
	str(out, r->pmc);
	key(out, "refs");
	ids(out, r->refs, r->nrefs);
	fputs("}\n", out);
}

int pm_dump_json(FILE *out, const struct pm_event *ev)
{
	if (ev->kind == PM_EV_RECORD && ev->rec) {
		record(out, ev->rec);
	} else {
		fputs("{\"delete\":", out);
		ids(out, ev->del, ev->ndel);
		fputs("}\n", out);
	}
	return ferror(out) ? (errno ? errno : EIO) : 0;
}
