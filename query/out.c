/*
 * out.c - sarc-query's printers (see out.h): the human format with
 * highlighting and wrapping, tsv, JSON Lines, trec and ids, whole records,
 * counts and facets.
 *
 * Everything printed for people goes through snip_make first, which folds
 * whitespace and control characters into single spaces: a title is one
 * logical line however it was typed, and a record cannot smuggle terminal
 * escape sequences onto the user's screen.  Machine formats escape instead
 * of cleaning, so they keep the stored bytes.
 */
#include "out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "snippet.h"
#include "stored.h"

/* SGR sequences: grep's bold red for matches, so highlights look the same
 * as in the tool people already know. */
#define SGR_RESET "\033[0m"
#define SGR_BOLD "\033[1m"
#define SGR_MATCH "\033[1;31m"
#define SGR_PMID "\033[32m"
#define SGR_JOURNAL "\033[36m"
#define SGR_DIM "\033[2m"

/* Indent of the lines under a hit's first line. */
#define HIT_INDENT 4
/* Width of the label column of --show. */
#define LABEL_COLS 12

static const char *const field_names[OF_NFIELDS] = {
	"pmid", "rank", "score", "year", "title", "journal", "authors", "doi", "pmc", "mesh",
	"abstract", "cited",
};

static const char *sgr(const struct out_opts *o, const char *code)
{
	return o->color ? code : "";
}

void out_opts_default(struct out_opts *o)
{
	static const enum out_field def[] = {OF_PMID, OF_RANK, OF_SCORE, OF_YEAR, OF_JOURNAL,
					     OF_TITLE};
	memset(o, 0, sizeof *o);
	o->format = OUT_HUMAN;
	o->bar_width = 80;
	o->run = "sarc";
	memcpy(o->fields, def, sizeof def);
	o->nfields = sizeof def / sizeof def[0];
}

int out_fields_parse(struct out_opts *o, const char *list, char *err, size_t errcap)
{
	size_t n = 0;
	const char *p = list;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		int found = -1;
		for (int i = 0; i < OF_NFIELDS && found < 0; i++)
			if (strlen(field_names[i]) == len && memcmp(field_names[i], p, len) == 0)
				found = i;
		if (found < 0) {
			snprintf(err, errcap,
				 "unknown field '%.*s' (fields: pmid, rank, score, year, title, "
				 "journal, authors, doi, pmc, mesh, abstract, cited)",
				 (int)len, p);
			return ERR_USAGE;
		}
		if (n == OUT_MAX_FIELDS) {
			snprintf(err, errcap, "too many fields in '%s' (at most %d)", list,
				 OUT_MAX_FIELDS);
			return ERR_USAGE;
		}
		o->fields[n++] = (enum out_field)found;
		if (e == NULL)
			break;
		p = e + 1;
	}
	o->nfields = n;
	return 0;
}

int out_needs_doc(const struct out_opts *o)
{
	if (o->format == OUT_HUMAN || o->format == OUT_JSON)
		return 1;
	if (o->format != OUT_TSV)
		return 0;
	for (size_t i = 0; i < o->nfields; i++)
		switch (o->fields[i]) {
		case OF_PMID: case OF_RANK: case OF_SCORE: case OF_YEAR: case OF_CITED:
			break;
		default:
			return 1;
		}
	return 0;
}

/* ---- escaping ---- */

/* Length of the valid UTF-8 sequence at s[0..n), 0 if it is not one
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

void out_json_str(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	putc('"', f);
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c == '"' || c == '\\') {
			putc('\\', f);
			putc(c, f);
			i++;
		} else if (c == '\n') {
			fputs("\\n", f);
			i++;
		} else if (c == '\r') {
			fputs("\\r", f);
			i++;
		} else if (c == '\t') {
			fputs("\\t", f);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
		} else {
			size_t len = utf8_len(s + i, n - i);
			if (len == 0) {
				fputs("\\ufffd", f);
				i++;
			} else {
				fwrite(s + i, 1, len, f);
				i += len;
			}
		}
	}
	putc('"', f);
}

static void json_cstr(FILE *f, const char *s)
{
	out_json_str(f, s ? s : "", s ? strlen(s) : 0);
}

/* A stored list (ST_LIST_SEP) as a JSON array of strings. */
static void json_list(FILE *f, const char *s)
{
	putc('[', f);
	for (int first = 1; s && *s; first = 0) {
		size_t len;
		const char *next = st_list_item(s, &len);
		if (!first)
			putc(',', f);
		out_json_str(f, s, len);
		s = next;
	}
	putc(']', f);
}

void out_tsv_str(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		/* NEL, LS and PS end lines for Python's splitlines() and others */
		const unsigned char *u = (const unsigned char *)s + i;
		if (u[0] == 0xC2 && i + 1 < n && u[1] == 0x85) {
			fputs("\\u0085", f);
			i++;
			continue;
		}
		if (u[0] == 0xE2 && i + 2 < n && u[1] == 0x80 && (u[2] == 0xA8 || u[2] == 0xA9)) {
			fputs(u[2] == 0xA8 ? "\\u2028" : "\\u2029", f);
			i += 2;
			continue;
		}
		switch (s[i]) {
		case '\t': fputs("\\t", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\\': fputs("\\\\", f); break;
		default: putc(s[i], f); break;
		}
	}
}

static void tsv_cstr(FILE *f, const char *s)
{
	if (s)
		out_tsv_str(f, s, strlen(s));
}

/* A stored list in a TSV cell: its items joined by "; ", as people and
 * spreadsheets read a list (JSON keeps the items apart). */
static void tsv_list(FILE *f, const char *s)
{
	for (int first = 1; s && *s; first = 0) {
		size_t len;
		const char *next = st_list_item(s, &len);
		if (!first)
			fputs("; ", f);
		out_tsv_str(f, s, len);
		s = next;
	}
}

/* ---- wrapping for the human format ---- */

/* A line being filled: words go on it until the next one would pass
 * width, then a new line starts at indent. */
struct wr {
	FILE *f;
	const struct out_opts *o;
	int width;  /* 0: never break */
	int indent;
	int col;
};

static void wr_start(struct wr *w, FILE *f, const struct out_opts *o, int indent)
{
	w->f = f;
	w->o = o;
	w->width = o->width;
	w->indent = indent;
	w->col = indent;
	for (int i = 0; i < indent; i++)
		putc(' ', f);
}

static void wr_end(struct wr *w)
{
	putc('\n', w->f);
	w->col = 0;
}

/* Switches the style in effect from *cur to want: 0 plain, 1 base, 2
 * highlight (drawn on top of base). */
static void wr_style(struct wr *w, int *cur, int want, const char *base, const char *hl)
{
	if (want == 1 && *base == '\0')
		want = 0;
	if (want == *cur || !w->o->color)
		return;
	if (*cur == 2 || want == 0)
		fputs(SGR_RESET, w->f);
	if (want == 1)
		fputs(base, w->f);
	else if (want == 2)
		fputs(hl, w->f);
	*cur = want;
}

/* Prints cleaned text (single spaces, no control characters) word by word
 * in style base, with spans in style hl. */
static void wr_text(struct wr *w, const char *t, size_t n, const struct sarc_span *sp,
		    size_t nsp, const char *base, const char *hl)
{
	size_t k = 0, i = 0;
	int cur = 0;
	while (i < n) {
		while (i < n && t[i] == ' ')
			i++;
		if (i >= n)
			break;
		size_t a = i;
		while (i < n && t[i] != ' ')
			i++;
		int cols = (int)snip_columns(t + a, i - a);
		if (w->col > w->indent) {
			if (w->width > 0 && w->col + 1 + cols > w->width) {
				/* No colour may run into the indent. */
				wr_style(w, &cur, 0, base, hl);
				putc('\n', w->f);
				for (int s = 0; s < w->indent; s++)
					putc(' ', w->f);
				w->col = w->indent;
			} else {
				/* The space is highlighted only inside a span. */
				size_t sp_at = a - 1;
				while (k < nsp && sp[k].end <= sp_at)
					k++;
				wr_style(w, &cur, k < nsp && sp[k].start <= sp_at ? 2 : 1, base, hl);
				putc(' ', w->f);
				w->col++;
			}
		}
		for (size_t p = a; p < i; p++) {
			while (k < nsp && sp[k].end <= p)
				k++;
			wr_style(w, &cur, k < nsp && sp[k].start <= p ? 2 : 1, base, hl);
			putc(t[p], w->f);
		}
		w->col += cols;
	}
	wr_style(w, &cur, 0, base, hl);
}

/* Prints one field of a header line, never broken inside, two spaces
 * after the previous one. */
static void wr_part(struct wr *w, const char *s, const char *style)
{
	int cols = (int)snip_columns(s, strlen(s));
	if (w->col > w->indent) {
		if (w->width > 0 && w->col + 2 + cols > w->width) {
			putc('\n', w->f);
			for (int i = 0; i < w->indent; i++)
				putc(' ', w->f);
			w->col = w->indent;
		} else {
			fputs("  ", w->f);
			w->col += 2;
		}
	}
	fprintf(w->f, "%s%s%s", sgr(w->o, style), s, *style ? sgr(w->o, SGR_RESET) : "");
	w->col += cols;
}

/* Prints raw stored text cleaned, in style base. */
static int wr_plain(struct wr *w, const char *s, size_t n, const char *base)
{
	struct snippet c;
	if (snip_make(s, n, NULL, 0, 0, &c))
		return ENOMEM;
	wr_text(w, c.text, c.len, NULL, 0, base, base);
	snip_free(&c);
	return 0;
}

static int wr_cstr(struct wr *w, const char *s, const char *base)
{
	return wr_plain(w, s ? s : "", s ? strlen(s) : 0, base);
}

/* Prints a short stored string cleaned but never wrapped (header lines). */
static int put_clean(FILE *f, const char *s)
{
	struct snippet c;
	if (snip_make(s ? s : "", s ? strlen(s) : 0, NULL, 0, 0, &c))
		return ENOMEM;
	fwrite(c.text, 1, c.len, f);
	snip_free(&c);
	return 0;
}

/* ---- highlights and snippets ---- */

static int highlight(sarc_index *ix, sarc_query *q, int field, const char *text,
		     struct sarc_span **sp, size_t *nsp, uint32_t pmid, char *err, size_t errcap)
{
	*sp = NULL;
	*nsp = 0;
	if (q == NULL || text == NULL || *text == '\0')
		return 0;
	int rc = sarc_highlight(ix, q, field, text, strlen(text), sp, nsp);
	if (rc) {
		snprintf(err, errcap, "cannot highlight the %s of PMID %u: %s",
			 sarc_field_name(field), pmid, err_str(rc));
		*sp = NULL;
		*nsp = 0;
	}
	return rc;
}

/* The snippet of a document's abstract, or of nothing. */
static int make_snippet(sarc_index *ix, sarc_query *q, const struct sarc_doc *d,
			struct snippet *s, char *err, size_t errcap)
{
	struct sarc_span *sp = NULL;
	size_t nsp = 0;
	const char *a = d->abstract ? d->abstract : "";
	int rc = highlight(ix, q, SARC_FIELD_ABSTRACT, a, &sp, &nsp, d->pmid, err, errcap);
	if (rc == 0 && (rc = snip_make(a, strlen(a), sp, nsp, SNIP_BYTES, s)) != 0)
		snprintf(err, errcap, "out of memory");
	free(sp);
	return rc;
}

/* ---- rows ---- */

static const char *journal_short(const struct sarc_doc *d)
{
	return d->journal_iso && *d->journal_iso ? d->journal_iso : d->journal;
}

/* "A, B, C, et al." from a stored author list, in a malloc'd string. */
static char *first_authors(const char *s, int max)
{
	size_t n = strlen(s);
	char *out = malloc(n + sizeof ", et al.");
	if (out == NULL)
		return NULL;
	size_t o = 0;
	int k = 0;
	while (s && *s) {
		size_t len;
		const char *next = st_list_item(s, &len);
		if (k == max) {
			memcpy(out + o, ", et al.", sizeof ", et al." - 1);
			o += sizeof ", et al." - 1;
			break;
		}
		if (k) {
			memcpy(out + o, ", ", 2);
			o += 2;
		}
		memcpy(out + o, s, len);
		o += len;
		k++;
		s = next;
	}
	out[o] = '\0';
	return out;
}

static void human_explain(const struct out_opts *o, FILE *f, const char *text)
{
	const char *p = text;
	while (p && *p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len)
			fprintf(f, "%*s%s%.*s%s\n", HIT_INDENT, "", sgr(o, SGR_DIM), (int)len, p,
				sgr(o, SGR_RESET));
		p = e ? e + 1 : p + len;
	}
}

static int human_row(const struct out_opts *o, FILE *f, sarc_index *ix, sarc_query *q,
		     const struct out_row *r, char *err, size_t errcap)
{
	const struct sarc_doc *d = r->doc;
	struct sarc_span *sp = NULL;
	size_t nsp = 0;
	struct snippet title = {0}, snip = {0};
	char *authors = NULL;
	struct wr w;
	char part[64];
	int rc = 0;

	w.f = f;
	w.o = o;
	w.width = o->width;
	w.col = fprintf(f, "%2zu. ", r->rank);
	w.indent = w.col; /* "100. PMID" as " 99. PMID", no separator */
	snprintf(part, sizeof part, "PMID %u", r->pmid);
	wr_part(&w, part, SGR_PMID);
	w.indent = HIT_INDENT;
	if (d == NULL) {
		if (r->refs)
			wr_part(&w, "(not indexed)", "");
		fputs("\n\n", f);
		return 0;
	}
	if (d->year) {
		snprintf(part, sizeof part, "%u", d->year);
		wr_part(&w, part, "");
	}
	if (*journal_short(d)) {
		if ((rc = snip_make(journal_short(d), strlen(journal_short(d)), NULL, 0, 0, &title)))
			goto nomem;
		wr_part(&w, title.text, SGR_JOURNAL);
		snip_free(&title);
	}
	if (r->hit && !o->unscored) {
		snprintf(part, sizeof part, "score %.3f", r->hit->score);
		wr_part(&w, part, SGR_DIM);
	}
	if (o->cited) {
		snprintf(part, sizeof part, "cited by %u", r->cited);
		wr_part(&w, part, "");
	}
	putc('\n', f);

	if ((rc = highlight(ix, q, SARC_FIELD_TITLE, d->title, &sp, &nsp, d->pmid, err, errcap)))
		goto out;
	if ((rc = snip_make(d->title, strlen(d->title), sp, nsp, 0, &title)) != 0)
		goto nomem;
	if (title.len) { /* no line of blanks for a record without a title */
		wr_start(&w, f, o, HIT_INDENT);
		wr_text(&w, title.text, title.len, title.spans, title.nspans, SGR_BOLD, SGR_MATCH);
		wr_end(&w);
	}

	if (*d->authors) {
		if ((authors = first_authors(d->authors, 3)) == NULL) {
			rc = ENOMEM;
			goto nomem;
		}
		wr_start(&w, f, o, HIT_INDENT);
		if ((rc = wr_cstr(&w, authors, "")) != 0)
			goto nomem;
		wr_end(&w);
	}
	if ((rc = make_snippet(ix, q, d, &snip, err, errcap)) != 0)
		goto out;
	if (snip.len) {
		wr_start(&w, f, o, HIT_INDENT);
		wr_text(&w, snip.text, snip.len, snip.spans, snip.nspans, "", SGR_MATCH);
		wr_end(&w);
	}
	if (r->explain)
		human_explain(o, f, r->explain);
	putc('\n', f);
	goto out;
nomem:
	snprintf(err, errcap, "out of memory");
out:
	free(sp);
	free(authors);
	snip_free(&title);
	snip_free(&snip);
	return rc;
}

static int json_row(const struct out_opts *o, FILE *f, sarc_index *ix, sarc_query *q,
		    const struct out_row *r, char *err, size_t errcap)
{
	const struct sarc_doc *d = r->doc;
	struct snippet snip = {0};
	int rc;
	putc('{', f);
	if (r->qid) {
		fputs("\"qid\":", f);
		json_cstr(f, r->qid);
		putc(',', f);
	}
	fprintf(f, "\"pmid\":%u,\"rank\":%zu", r->pmid, r->rank);
	if (r->refs)
		fprintf(f, ",\"indexed\":%s", d ? "true" : "false");
	if (d == NULL) {
		fputs("}\n", f);
		return 0;
	}
	if (r->hit)
		fprintf(f, ",\"score\":%.6f", r->hit->score);
	else
		fputs(",\"score\":null", f);
	if (o->cited)
		fprintf(f, ",\"cited\":%u", r->cited);
	fputs(",\"title\":", f);
	json_cstr(f, d->title);
	if (d->year)
		fprintf(f, ",\"year\":%u", d->year);
	else
		fputs(",\"year\":null", f);
	fputs(",\"journal\":", f);
	json_cstr(f, journal_short(d));
	fputs(",\"authors\":", f);
	json_list(f, d->authors);
	fputs(",\"doi\":", f);
	json_cstr(f, d->doi);
	fputs(",\"pmc\":", f);
	json_cstr(f, d->pmc);
	fputs(",\"mesh\":", f);
	json_list(f, d->mesh);
	if ((rc = make_snippet(ix, q, d, &snip, err, errcap)) != 0)
		return rc;
	fputs(",\"snippet\":{\"text\":", f);
	out_json_str(f, snip.text, snip.len);
	fputs(",\"highlights\":[", f);
	for (size_t i = 0; i < snip.nspans; i++)
		fprintf(f, "%s[%u,%u]", i ? "," : "", snip.spans[i].start, snip.spans[i].end);
	fputs("]}", f);
	snip_free(&snip);
	if (r->explain) {
		fputs(",\"explain\":", f);
		json_cstr(f, r->explain);
	}
	fputs("}\n", f);
	return 0;
}

static void tsv_row(const struct out_opts *o, FILE *f, const struct out_row *r)
{
	const struct sarc_doc *d = r->doc;
	if (r->qid) {
		tsv_cstr(f, r->qid);
		putc('\t', f);
	}
	for (size_t i = 0; i < o->nfields; i++) {
		if (i)
			putc('\t', f);
		unsigned year = d ? d->year : r->hit ? r->hit->year : 0;
		switch (o->fields[i]) {
		case OF_PMID: fprintf(f, "%u", r->pmid); break;
		case OF_RANK: fprintf(f, "%zu", r->rank); break;
		case OF_SCORE:
			if (r->hit)
				fprintf(f, "%.6f", r->hit->score);
			break;
		case OF_YEAR:
			if (year)
				fprintf(f, "%u", year);
			break;
		case OF_TITLE: if (d) tsv_cstr(f, d->title); break;
		case OF_JOURNAL: if (d) tsv_cstr(f, journal_short(d)); break;
		case OF_AUTHORS: if (d) tsv_list(f, d->authors); break;
		case OF_DOI: if (d) tsv_cstr(f, d->doi); break;
		case OF_PMC: if (d) tsv_cstr(f, d->pmc); break;
		case OF_MESH: if (d) tsv_list(f, d->mesh); break;
		case OF_ABSTRACT: if (d) tsv_cstr(f, d->abstract); break;
		case OF_CITED: fprintf(f, "%u", r->cited); break;
		case OF_NFIELDS: break;
		}
	}
	putc('\n', f);
}

void out_tsv_header(const struct out_opts *o, FILE *f, enum out_table what)
{
	if (o->format != OUT_TSV)
		return;
	if (o->batch)
		fputs("qid\t", f);
	if (what == OUT_TABLE_COUNT) {
		fputs("count\n", f);
		return;
	}
	if (what == OUT_TABLE_FACET) {
		fputs("value\tcount\n", f);
		return;
	}
	for (size_t i = 0; i < o->nfields; i++)
		fprintf(f, "%s%s", i ? "\t" : "", field_names[o->fields[i]]);
	putc('\n', f);
}

int out_row(const struct out_opts *o, FILE *f, sarc_index *ix, sarc_query *q,
	    const struct out_row *r, char *err, size_t errcap)
{
	switch (o->format) {
	case OUT_HUMAN:
		return human_row(o, f, ix, q, r, err, errcap);
	case OUT_JSON:
		return json_row(o, f, ix, q, r, err, errcap);
	case OUT_TSV:
		tsv_row(o, f, r);
		return 0;
	case OUT_TREC:
		fprintf(f, "%s Q0 %u %zu %.6f %s\n", r->qid ? r->qid : "1", r->pmid, r->rank,
			o->rank_score || !r->hit || r->hit->score == 0.0 ? -(double)r->rank
									  : r->hit->score,
			o->run);
		return 0;
	case OUT_IDS:
		if (r->qid)
			fprintf(f, "%s\t", r->qid);
		fprintf(f, "%u\n", r->pmid);
		return 0;
	}
	return 0;
}

void out_query_header(const struct out_opts *o, FILE *f, const char *qid, const char *text,
		      uint64_t total, size_t first, size_t last)
{
	if (o->format != OUT_HUMAN)
		return;
	if (qid) {
		fprintf(f, "%s== query %s:%s ", sgr(o, SGR_BOLD), qid, sgr(o, SGR_RESET));
		put_clean(f, text);
		putc('\n', f);
	}
	fprintf(f, "%llu result%s", (unsigned long long)total, total == 1 ? "" : "s");
	if (last >= first && last > 0)
		fprintf(f, ", showing %zu-%zu", first, last);
	fputs("\n\n", f);
}

void out_note(const struct out_opts *o, FILE *f, const char *qid, const char *line)
{
	if (o->format != OUT_HUMAN)
		return;
	if (qid)
		fprintf(f, "%s== query %s:%s ", sgr(o, SGR_BOLD), qid, sgr(o, SGR_RESET));
	put_clean(f, line);
	putc('\n', f);
}

/* ---- whole records (--show) ---- */

/* "Label       value", the value wrapped under itself. */
static int show_field(const struct out_opts *o, FILE *f, const char *label, const char *value)
{
	struct wr w;
	if (value == NULL || *value == '\0')
		return 0;
	fprintf(f, "%s%-*s%s", sgr(o, SGR_BOLD), LABEL_COLS, label, sgr(o, SGR_RESET));
	w.f = f;
	w.o = o;
	w.width = o->width;
	w.indent = LABEL_COLS;
	w.col = LABEL_COLS;
	int rc = wr_cstr(&w, value, "");
	wr_end(&w);
	return rc;
}

/* A stored list one entry per line (MeSH headings are long and hold
 * spaces and commas, so a wrapped run of them is hard to read). */
static int show_list(const struct out_opts *o, FILE *f, const char *label, const char *list)
{
	int rc = 0;
	for (const char *s = list; s && *s && rc == 0;) {
		size_t len;
		const char *next = st_list_item(s, &len);
		struct wr w;
		if (s == list)
			fprintf(f, "%s%-*s%s", sgr(o, SGR_BOLD), LABEL_COLS, label, sgr(o, SGR_RESET));
		else
			fprintf(f, "%*s", LABEL_COLS, "");
		w.f = f;
		w.o = o;
		w.width = o->width;
		w.indent = LABEL_COLS;
		w.col = LABEL_COLS;
		rc = wr_plain(&w, s, len, "");
		wr_end(&w);
		s = next;
	}
	return rc;
}

/* A stored list as one field, its items joined by "; ". */
static int show_joined(const struct out_opts *o, FILE *f, const char *label, const char *list)
{
	size_t n = list ? strlen(list) : 0, k = 0;
	char *v = malloc(2 * n + 1);
	if (v == NULL)
		return ENOMEM;
	for (const char *s = list; s && *s;) {
		size_t len;
		const char *next = st_list_item(s, &len);
		if (k) {
			memcpy(v + k, "; ", 2);
			k += 2;
		}
		memcpy(v + k, s, len);
		k += len;
		s = next;
	}
	v[k] = '\0';
	int rc = show_field(o, f, label, v);
	free(v);
	return rc;
}

/* Length of the "LABEL: " that starts an abstract section, 0 if none.  The
 * stored abstract keeps labels inline (stored.h); a label is short, starts
 * with a capital and holds no sentence punctuation, which keeps an
 * unlabelled section that merely contains a colon from being split. */
static size_t section_label(const char *s, size_t n)
{
	/* a capital or a non-ASCII letter ("RÉSUMÉ" of a French abstract) */
	if (n == 0 || !((s[0] >= 'A' && s[0] <= 'Z') || (unsigned char)s[0] >= 0xC0))
		return 0;
	for (size_t i = 1; i < n && i < 60; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ':')
			return (i + 1 == n || s[i + 1] == ' ') ? i : 0;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c >= 0x80 || c == ' ' || c == '&' || c == '/' || c == '-' || c == ',' ||
		      c == '(' || c == ')'))
			return 0;
	}
	return 0;
}

static int show_abstract(const struct out_opts *o, FILE *f, const char *a)
{
	struct wr w;
	int rc = 0;
	if (*a == '\0')
		return 0;
	fprintf(f, "\n%sAbstract%s\n", sgr(o, SGR_BOLD), sgr(o, SGR_RESET));
	for (const char *p = a; *p && rc == 0;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		size_t lab = section_label(p, len);
		if (!lab && p != a)
			putc('\n', f); /* a section of its own, not the heading's above */
		if (lab) {
			fputs(sgr(o, SGR_BOLD), f);
			struct snippet c;
			if ((rc = snip_make(p, lab, NULL, 0, 0, &c)) == 0) {
				fwrite(c.text, 1, c.len, f);
				snip_free(&c);
			}
			fprintf(f, "%s\n", sgr(o, SGR_RESET));
			p += lab + 1;
			len -= lab + 1;
		}
		if (rc == 0) {
			wr_start(&w, f, o, HIT_INDENT);
			rc = wr_plain(&w, p, len, "");
			wr_end(&w);
		}
		p = e ? e + 1 : p + len;
	}
	return rc;
}

static int human_record(const struct out_opts *o, FILE *f, size_t pos,
			const struct sarc_doc *d, size_t nrefs_indexed, uint32_t cited)
{
	char buf[128];
	char *journal = NULL;
	int rc = 0;
	struct wr w;
	if (pos > 1)
		putc('\n', f);
	fprintf(f, "%sPMID %u%s\n", sgr(o, SGR_PMID), d->pmid, sgr(o, SGR_RESET));
	wr_start(&w, f, o, 0);
	if ((rc = wr_cstr(&w, d->title, SGR_BOLD)) != 0)
		goto out;
	wr_end(&w);
	putc('\n', f);
	rc = show_joined(o, f, "Authors", d->authors);
	if (rc == 0 && *d->journal_iso && strcmp(d->journal_iso, d->journal) != 0) {
		size_t n = strlen(d->journal) + strlen(d->journal_iso) + 4;
		if ((journal = malloc(n)) == NULL) {
			rc = ENOMEM;
			goto out;
		}
		snprintf(journal, n, "%s (%s)", d->journal, d->journal_iso);
	}
	if (rc == 0)
		rc = show_field(o, f, "Journal", journal ? journal : d->journal);
	if (rc == 0 && d->year) {
		snprintf(buf, sizeof buf, "%u", d->year);
		rc = show_field(o, f, "Year", buf);
	}
	snprintf(buf, sizeof buf, "%u", d->pmid);
	if (d->version > 1)
		snprintf(buf, sizeof buf, "%u.%u", d->pmid, d->version);
	if (rc == 0)
		rc = show_field(o, f, "PMID", buf);
	if (rc == 0)
		rc = show_field(o, f, "DOI", d->doi);
	if (rc == 0)
		rc = show_field(o, f, "PMC", d->pmc);
	if (rc == 0)
		rc = show_joined(o, f, "Type", d->pubtypes);
	if (rc == 0)
		rc = show_joined(o, f, "Language", d->languages);
	if (rc == 0)
		rc = show_list(o, f, "MeSH", d->mesh);
	if (rc == 0)
		rc = show_joined(o, f, "Keywords", d->keywords);
	snprintf(buf, sizeof buf, "%zu (%zu in the index)", d->nrefs, nrefs_indexed);
	if (rc == 0)
		rc = show_field(o, f, "References", buf);
	snprintf(buf, sizeof buf, "%u document%s in the index", cited, cited == 1 ? "" : "s");
	if (rc == 0)
		rc = show_field(o, f, "Cited by", buf);
	if (rc == 0)
		rc = show_abstract(o, f, d->abstract);
out:
	free(journal);
	return rc;
}

static void json_record(FILE *f, const struct sarc_doc *d, size_t nrefs_indexed,
			uint32_t cited)
{
	fprintf(f, "{\"pmid\":%u,\"version\":%u,\"title\":", d->pmid, d->version);
	json_cstr(f, d->title);
	fputs(",\"authors\":", f);
	json_list(f, d->authors);
	fputs(",\"journal\":", f);
	json_cstr(f, d->journal);
	fputs(",\"journal_iso\":", f);
	json_cstr(f, d->journal_iso);
	if (d->year)
		fprintf(f, ",\"year\":%u", d->year);
	else
		fputs(",\"year\":null", f);
	fputs(",\"doi\":", f);
	json_cstr(f, d->doi);
	fputs(",\"pmc\":", f);
	json_cstr(f, d->pmc);
	fputs(",\"abstract\":", f);
	json_cstr(f, d->abstract);
	fputs(",\"mesh\":", f);
	json_list(f, d->mesh);
	fputs(",\"keywords\":", f);
	json_list(f, d->keywords);
	fputs(",\"pubtypes\":", f);
	json_list(f, d->pubtypes);
	fputs(",\"languages\":", f);
	json_list(f, d->languages);
	fputs(",\"references\":[", f);
	for (size_t i = 0; i < d->nrefs; i++)
		fprintf(f, "%s%u", i ? "," : "", d->refs[i]);
	fprintf(f, "],\"references_indexed\":%zu,\"cited_by\":%u}\n", nrefs_indexed, cited);
}

int out_record(const struct out_opts *o, FILE *f, size_t pos, const struct sarc_doc *d,
	       size_t nrefs_indexed, uint32_t cited, char *err, size_t errcap)
{
	struct out_row r = {0};
	int rc = 0;
	switch (o->format) {
	case OUT_HUMAN:
		rc = human_record(o, f, pos, d, nrefs_indexed, cited);
		if (rc)
			snprintf(err, errcap, "out of memory");
		return rc;
	case OUT_JSON:
		json_record(f, d, nrefs_indexed, cited);
		return 0;
	default:
		r.rank = pos;
		r.pmid = d->pmid;
		r.doc = d;
		r.cited = cited;
		return out_row(o, f, NULL, NULL, &r, err, errcap);
	}
}

/* ---- counts and facets ---- */

void out_count(const struct out_opts *o, FILE *f, const char *qid, uint64_t n)
{
	if (o->format == OUT_JSON) {
		putc('{', f);
		if (qid) {
			fputs("\"qid\":", f);
			json_cstr(f, qid);
			putc(',', f);
		}
		fprintf(f, "\"count\":%llu}\n", (unsigned long long)n);
		return;
	}
	if (qid)
		fprintf(f, "%s\t", qid);
	fprintf(f, "%llu\n", (unsigned long long)n);
}

static int digits(uint64_t v)
{
	int d = 1;
	while (v >= 10) {
		v /= 10;
		d++;
	}
	return d;
}

/* A year facet value as a number, 0 when it is not one (unknown year). */
static unsigned year_of(const char *s)
{
	unsigned y = 0;
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || y > 9999)
			return 0;
		y = y * 10 + (unsigned)(*s - '0');
	}
	return y <= 9999 ? y : 0;
}

static void bar(const struct out_opts *o, FILE *f, int len)
{
	for (int i = 0; i < len; i++)
		fputs(o->utf8 ? "\xe2\x96\x88" : "#", f);
}

/* PubMed's "results by year" as text: one row per year from the first to
 * the last with a match, empty years included, so the gaps show. */
static void year_histogram(const struct out_opts *o, FILE *f, const struct sarc_facet *v,
			   size_t n, uint64_t total)
{
	unsigned lo = 0, hi = 0;
	uint64_t max = 0, unknown = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned y = year_of(v[i].value);
		if (y == 0) {
			unknown += v[i].count;
			continue;
		}
		if (lo == 0 || y < lo)
			lo = y;
		if (y > hi)
			hi = y;
	}
	for (size_t i = 0; i < n; i++)
		if (v[i].count > max)
			max = v[i].count;
	fprintf(f, "%sResults by year%s (%llu document%s)\n", sgr(o, SGR_BOLD), sgr(o, SGR_RESET),
		(unsigned long long)total, total == 1 ? "" : "s");
	int cw = digits(max), lw = unknown ? 7 : 4;
	/* Bars longer than 60 columns only make a wide terminal harder to read. */
	int room = o->bar_width - lw - 1 - 1 - cw;
	if (room < 10)
		room = 10;
	if (room > 60)
		room = 60;
	for (unsigned y = lo; lo && y <= hi; y++) {
		uint64_t c = 0;
		for (size_t i = 0; i < n; i++)
			if (year_of(v[i].value) == y)
				c += v[i].count;
		int len = max ? (int)((c * (uint64_t)room + max / 2) / max) : 0;
		if (c && len == 0)
			len = 1;
		fprintf(f, "%-*u ", lw, y);
		fputs(sgr(o, SGR_JOURNAL), f);
		bar(o, f, len);
		fputs(sgr(o, SGR_RESET), f);
		fprintf(f, "%s%llu\n", len ? " " : "", (unsigned long long)c);
	}
	if (unknown) {
		int len = (int)((unknown * (uint64_t)room + max / 2) / max);
		fprintf(f, "%-*s ", lw, "unknown");
		bar(o, f, len ? len : 1);
		fprintf(f, " %llu\n", (unsigned long long)unknown);
	}
}

void out_facet(const struct out_opts *o, FILE *f, const char *qid, const char *field,
	       const struct sarc_facet *v, size_t n, uint64_t total)
{
	/* The engine counts records without a year under "0" (sarc.h), which
	 * no format may pass off as the year 0. */
	int years = strcmp(field, "year") == 0;
	/* A histogram with years missing would be a wrong histogram. */
	size_t top = n;
	if (!years && o->facet_top)
		top = n < o->facet_top ? n : o->facet_top;
	else if (!years && o->format == OUT_HUMAN)
		top = n < OUT_FACET_TOP ? n : OUT_FACET_TOP;
	switch (o->format) {
	case OUT_JSON:
		putc('{', f);
		if (qid) {
			fputs("\"qid\":", f);
			json_cstr(f, qid);
			putc(',', f);
		}
		fputs("\"facet\":", f);
		json_cstr(f, field);
		/* values: how many the matches have, of which -k may print fewer */
		fprintf(f, ",\"documents\":%llu,\"nvalues\":%zu,\"values\":[",
			(unsigned long long)total, n);
		for (size_t i = 0; i < top; i++) {
			fputs(i ? ",{\"value\":" : "{\"value\":", f);
			if (years && year_of(v[i].value) == 0)
				fputs("null", f); /* as a hit's unknown year */
			else
				json_cstr(f, v[i].value);
			fprintf(f, ",\"count\":%llu}", (unsigned long long)v[i].count);
		}
		fputs("]}\n", f);
		return;
	case OUT_TSV:
		/* After the header out_tsv_header(o, f, OUT_TABLE_FACET) printed once. */
		for (size_t i = 0; i < top; i++) {
			if (qid)
				fprintf(f, "%s\t", qid);
			if (years && year_of(v[i].value) == 0)
				fputs("unknown", f); /* the histogram's word, never a year */
			else
				tsv_cstr(f, v[i].value);
			fprintf(f, "\t%llu\n", (unsigned long long)v[i].count);
		}
		return;
	case OUT_HUMAN:
		break;
	default:
		return;
	}
	if (years) {
		year_histogram(o, f, v, n, total);
		putc('\n', f);
		return;
	}
	fprintf(f, "%s%s%s: %zu value%s over %llu document%s", sgr(o, SGR_BOLD), field,
		sgr(o, SGR_RESET), n, n == 1 ? "" : "s", (unsigned long long)total,
		total == 1 ? "" : "s");
	if (top < n)
		fprintf(f, ", top %zu", top);
	putc('\n', f);
	int cw = top ? digits(v[0].count) : 1;
	for (size_t i = 0; i < top; i++) {
		if (v[i].count >= 10 && digits(v[i].count) > cw)
			cw = digits(v[i].count);
	}
	if (cw < 5)
		cw = 5;
	for (size_t i = 0; i < top; i++) {
		fprintf(f, "%*llu  ", cw, (unsigned long long)v[i].count);
		put_clean(f, v[i].value);
		putc('\n', f);
	}
	putc('\n', f);
}
