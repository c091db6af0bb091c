/*
 * pubmed.c - streaming PubMed/MEDLINE XML reader (see pubmed.h).
 *
 * libxml2's push parser with our own SAX2 callbacks: no tree, no node
 * objects, so parsing costs what libxml2's tokenizer costs and little
 * more (xmlTextReader, which builds and frees a node per element and
 * text, ran at half the speed).  pm_next() pushes 64 KiB chunks until a
 * record or DeleteCitation completes; the callbacks queue finished events,
 * and pm_next() hands them out one at a time.  Memory depends on the
 * largest record, never on the file.
 *
 * Per depth the reader keeps a small code for each open element (the
 * names we care about are interned in the parser's dictionary once, and
 * libxml2 hands element names over as dictionary strings, so naming an
 * element is a pointer lookup, not a strcmp).  The parent and grandparent
 * codes decide what an element means: the PMID of MedlineCitation is the
 * record's, the PMID inside CommentsCorrections is not.
 *
 * Text of the element being collected goes into one growable buffer owned
 * by the reader, with whitespace normalized as it is appended; finished
 * fields are copied into an arena.  Two arenas take turns: events finished
 * during one round of pushing live in one, and it is reset only when the
 * caller has taken all of them and comes back for more (a record still
 * open at the end of a round began in that round, so it lives in the
 * arena that is kept).  So a record costs a few arena bumps, not a malloc
 * per node.
 *
 * Safety: no XML_PARSE_NOENT, DTDLOAD, DTDATTR, DTDVALID or HUGE, and no
 * SAX callbacks that would build a DTD, resolve an entity or load an
 * external subset; an entity declaration stops the parse at once, and a
 * reference to any entity but the five predefined ones is an error, so
 * neither an XXE file nor an expansion bomb can reach a field.  What
 * libxml2 2.9 does in quadratic time is bounded too (pubmed.h): attributes
 * per element and namespace declarations in scope are counted as elements
 * start, and a construct libxml2 holds whole before parsing it may not
 * outgrow PM_MAX_MARKUP, which bounds what one tag can cost before its
 * attributes are counted.  Any markup declaration in the DOCTYPE stops
 * the parse (libxml2 files ATTLIST defaults in hash tables that degrade:
 * 100,000 of them, 3 MB, took 62 s).
 */
#include "pubmed.h"

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "gzin.h"

/* Parser options: see the file comment. */
#define PM_XML_OPTIONS XML_PARSE_NONET

/* Bytes pushed to the parser at a time: large enough that the per-push
 * overhead vanishes, small enough that a round queues few events. */
#define PM_CHUNK (64 * 1024)

/* Element codes; the order of el_names must match. */
enum el {
	E_OTHER = 0,
	E_PubmedArticleSet,
	E_MedlineCitationSet,
	E_PubmedBookArticleSet,
	E_PubmedArticle,
	E_PubmedBookArticle,
	E_MedlineCitation,
	E_BookDocument,
	E_DeleteCitation,
	E_PMID,
	E_Article,
	E_ArticleTitle,
	E_VernacularTitle,
	E_Book,
	E_BookTitle,
	E_Abstract,
	E_AbstractText,
	E_OtherAbstract,
	E_AuthorList,
	E_Author,
	E_LastName,
	E_ForeName,
	E_FirstName,
	E_Initials,
	E_CollectiveName,
	E_Journal,
	E_JournalIssue,
	E_Title,
	E_ISOAbbreviation,
	E_MedlineJournalInfo,
	E_MedlineTA,
	E_PubDate,
	E_Year,
	E_MedlineDate,
	E_ArticleDate,
	E_MeshHeadingList,
	E_MeshHeading,
	E_DescriptorName,
	E_QualifierName,
	E_KeywordList,
	E_Keyword,
	E_PublicationTypeList,
	E_PublicationType,
	E_Language,
	E_ELocationID,
	E_PubmedData,
	E_PubmedBookData,
	E_ArticleIdList,
	E_ArticleId,
	E_Reference,
	E_OtherID,
	E_CommentsCorrections,
	/* Block-level elements that may sit inside a text field: a space
	 * separates them from their neighbours.  Every other element inside
	 * a field (b, i, u, sup, sub, MathML) is inline and joins directly. */
	E_DispFormula,
	E_p,
	E_br,
	E_COUNT
};

static const char *const el_names[E_COUNT] = {
	"",
	"PubmedArticleSet",
	"MedlineCitationSet",
	"PubmedBookArticleSet",
	"PubmedArticle",
	"PubmedBookArticle",
	"MedlineCitation",
	"BookDocument",
	"DeleteCitation",
	"PMID",
	"Article",
	"ArticleTitle",
	"VernacularTitle",
	"Book",
	"BookTitle",
	"Abstract",
	"AbstractText",
	"OtherAbstract",
	"AuthorList",
	"Author",
	"LastName",
	"ForeName",
	"FirstName",
	"Initials",
	"CollectiveName",
	"Journal",
	"JournalIssue",
	"Title",
	"ISOAbbreviation",
	"MedlineJournalInfo",
	"MedlineTA",
	"PubDate",
	"Year",
	"MedlineDate",
	"ArticleDate",
	"MeshHeadingList",
	"MeshHeading",
	"DescriptorName",
	"QualifierName",
	"KeywordList",
	"Keyword",
	"PublicationTypeList",
	"PublicationType",
	"Language",
	"ELocationID",
	"PubmedData",
	"PubmedBookData",
	"ArticleIdList",
	"ArticleId",
	"Reference",
	"OtherID",
	"CommentsCorrections",
	"DispFormula",
	"p",
	"br",
};

/* What the element being collected becomes when it ends. */
enum field {
	F_NONE = 0,
	F_PMID,
	F_DELPMID,
	F_TITLE,
	F_VTITLE,
	F_BTITLE,
	F_ABS,
	F_OABS,
	F_LAST,
	F_FORE,
	F_INITIALS,
	F_COLLECTIVE,
	F_JTITLE,
	F_ISO,
	F_MTA,
	F_YEAR_J,    /* Journal/JournalIssue/PubDate/Year */
	F_MDATE_J,   /* Journal/JournalIssue/PubDate/MedlineDate */
	F_YEAR_AD,   /* ArticleDate/Year */
	F_YEAR_B,    /* Book/PubDate/Year */
	F_MDATE_B,   /* Book/PubDate/MedlineDate */
	F_DESC,
	F_QUAL,
	F_KW,
	F_PT,
	F_LANG,
	F_DOI,
	F_ELOC_DOI,
	F_PMC,
	F_OTHER_PMC, /* MedlineCitation/OtherID[@Source="NLM"]: "PMC123..." */
	F_REF,
	F_CITES      /* CommentsCorrections[@RefType="Cites"]/PMID */
};

enum { Y_J, Y_MDATE_J, Y_AD, Y_B, Y_MDATE_B, Y_N }; /* year sources, best first */

/* Growable text buffer with whitespace normalization: pend records a
 * whitespace run not yet written, so runs collapse to one space and
 * leading/trailing whitespace never lands in the buffer. */
struct buf {
	char *p;
	size_t len, cap;
	int pend;
};

/* Growable array of fixed-size elements. */
struct vec {
	void *p;
	size_t n, cap;
};

struct mesh_tmp {
	const char *desc, *ui;
	int major;
	size_t q0, nq; /* qualifiers r->quals[q0 .. q0+nq) */
};

/* Open-addressing table from interned name pointer to element code.
 * 128 slots for ~50 names keeps probes short. */
#define NSLOT 128

struct pm_reader {
	char *name;           /* path for messages, "<stdin>" for "-" */
	gzin *in;
	xmlParserCtxtPtr ctxt;
	char *chunk;          /* PM_CHUNK bytes of input being pushed */
	struct arena arenas[2]; /* strings and arrays of events, see the top */
	int batch;            /* arena of the events of this round */
	struct arena *cur;    /* arena of the event being read */
	struct err perr;      /* first error seen (ours or libxml2's) */
	uint64_t skipped;
	int dead, done, eof;
	int ending;           /* the input is all read: libxml2 is told so */

	/* finished events not yet handed out: q[qhead .. qn) */
	struct pm_event *q;
	size_t qhead, qn, qcap;

	int depth;            /* open elements */
	const xmlChar **attrs; /* SAX2 attributes of the element starting */
	int nattrs;

	const xmlChar *slot_key[NSLOT];
	uint8_t slot_val[NSLOT];
	uint8_t stack[PM_MAX_DEPTH + 1]; /* element code per depth */
	uint16_t nsdecl[PM_MAX_DEPTH + 1]; /* namespace declarations per depth */
	int nsscope;          /* their sum over the open elements */
	int saw_root;

	/* current event */
	int in_rec, in_del;
	size_t rec_bytes;     /* strings and entries charged to the record */
	uint64_t rec_line;
	uint32_t pmid, version;
	int have_pmid;
	uint16_t years[Y_N];
	const char *title, *vtitle, *btitle, *jtitle, *iso, *mta, *doi, *eloc_doi, *pmc, *other_pmc;

	/* element being collected */
	int coll;             /* its depth, or -1 */
	enum field field;
	struct buf fb;
	struct buf label;     /* AbstractText Label */
	struct buf aval;      /* an attribute value with '&' decoded, see attr() */
	uint32_t pend_version;
	int pend_major;       /* MajorTopicYN="Y" on the collected element */
	const char *pend_ui;

	struct buf abs, oabs;
	int in_author, in_mesh;
	int in_cites;         /* depth of a CommentsCorrections RefType="Cites", or 0 */
	int editors;          /* in an AuthorList of Type="editors" */
	int math;             /* 1 + depth of a MathML element in a field, or 0 */
	int mtext;            /* 1 + depth of a MathML mtext in it, or 0 */
	struct pm_author au;
	struct mesh_tmp mh;
	struct vec authors, editors_v, meshes, quals, kws, pts, langs, refs, dels;
	struct vec cites;     /* the older form of the references, see pubmed.h */
};

/* ---- small helpers --------------------------------------------------- */

static inline int is_ws(unsigned char c)
{
	/* One compare for the common case: every XML whitespace is <= ' '. */
	return c <= ' ' && (c == ' ' || c == '\n' || c == '\t' || c == '\r');
}

/* The parser's line: in a start-tag callback, the line of the tag's '>'. */
static long cur_line(const pm_reader *r)
{
	long l = r->ctxt != NULL && r->ctxt->input != NULL ? r->ctxt->input->line : 1;
	return l > 0 ? l : 1;
}

/* Fills r->perr (first report wins) with "name:line: reason". */
static int fail(pm_reader *r, int code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static int fail(pm_reader *r, int code, const char *fmt, ...)
{
	if (r->perr.code == 0) {
		char reason[768];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(reason, sizeof reason, fmt, ap);
		va_end(ap);
		err_set(&r->perr, code, "%s:%ld: %s", r->name, cur_line(r), reason);
	}
	/* No further callbacks: the first error is the one reported. */
	if (r->ctxt != NULL)
		xmlStopParser(r->ctxt);
	return -1;
}

static int charge(pm_reader *r, size_t n)
{
	if (n > PM_MAX_RECORD_BYTES - r->rec_bytes)
		return fail(r, ERR_LIMIT, "record larger than %zu MiB",
			    PM_MAX_RECORD_BYTES >> 20);
	r->rec_bytes += n;
	return 0;
}

static int buf_reserve(pm_reader *r, struct buf *b, size_t extra)
{
	if (extra > SIZE_MAX / 2 - b->len)
		return fail(r, ERR_NOMEM, "out of memory");
	size_t need = b->len + extra;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (p == NULL)
		return fail(r, ERR_NOMEM, "out of memory");
	b->p = p;
	b->cap = cap;
	return 0;
}

static void buf_clear(struct buf *b)
{
	b->len = 0;
	b->pend = 0;
}

/* Length of the Unicode space character at s (n bytes left), 0 if none:
 * U+00A0, U+2000..U+200A, U+202F, U+205F, U+3000.  PubMed abstracts use
 * them for typography; for search they are just spaces. */
static size_t uspace(const unsigned char *s, size_t n)
{
	if (s[0] == 0xC2)
		return n >= 2 && s[1] == 0xA0 ? 2 : 0;
	if (n < 3)
		return 0;
	if (s[0] == 0xE2 && s[1] == 0x80 && (s[2] <= 0x8A || s[2] == 0xAF))
		return 3;
	if (s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0x9F)
		return 3;
	if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
		return 3;
	return 0;
}

/* Appends s[0..n) with whitespace runs (ASCII and the Unicode spaces
 * above) collapsed to one space; the result is NUL-terminated.  A field
 * may not exceed PM_MAX_TEXT_BYTES. */
static int buf_text(pm_reader *r, struct buf *b, const char *s, size_t n)
{
	/* +8: the word loop below stores whole words past what it keeps. */
	if (buf_reserve(r, b, n + 8) != 0)
		return -1;
	const unsigned char *u = (const unsigned char *)s;
	const unsigned char *end = u + n;
	char *o = b->p + b->len;
	char *start = b->p;
	int pend = b->pend;
	while (u < end) {
		unsigned char c = *u;
		if (c > ' ' && c < 0x80) {
			/* A run of printable ASCII: most of any abstract. */
			if (pend) {
				if (o != start)
					*o++ = ' ';
				pend = 0;
			}
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			/* Eight bytes at a time, single spaces between words
			 * included: "bad" flags bytes below 0x20 (the
			 * subtraction borrows) or from 0x80 (high bit set), sp
			 * flags spaces.  The run stops at a bad byte or at a
			 * space that another space or a bad byte follows (or
			 * that ends the eight, its follower unseen); the
			 * general path below takes it from there.  The lowest
			 * bad flag is exact and sp misses no space (it may
			 * also flag a '!' after a space), so a run never goes
			 * past where it must stop; stopping early changes
			 * nothing. */
			while (end - u >= 8) {
				uint64_t x, y, bad, sp, m;
				memcpy(&x, u, 8);
				memcpy(o, &x, 8);
				bad = (((x - 0x2020202020202020ull) & ~x) | x) & 0x8080808080808080ull;
				y = x ^ 0x2020202020202020ull;
				sp = (y - 0x0101010101010101ull) & ~y & 0x8080808080808080ull;
				m = bad | (sp & ((sp | bad) >> 8 | 0x8000000000000000ull));
				if (m != 0) {
					size_t k = (size_t)__builtin_ctzll(m) >> 3;
					u += k;
					o += k;
					break;
				}
				u += 8;
				o += 8;
			}
#endif
			while (u < end && *u > ' ' && *u < 0x80)
				*o++ = (char)*u++;
			continue;
		}
		/* The usual single space between two words. */
		if (c == ' ' && !pend && o != start && end - u >= 2 && u[1] > ' ' && u[1] < 0x80) {
			*o++ = ' ';
			u++;
			continue;
		}
		size_t k = is_ws(c) ? 1 : c >= 0xC2 ? uspace(u, (size_t)(end - u)) : 0;
		if (k) {
			pend = 1;
			u += k;
			continue;
		}
		/* Any other byte: a multibyte character, a control character. */
		if (pend) {
			if (o != start)
				*o++ = ' ';
			pend = 0;
		}
		*o++ = (char)*u++;
	}
	b->pend = pend;
	b->len = (size_t)(o - start);
	*o = '\0';
	if (b->len > PM_MAX_TEXT_BYTES)
		return fail(r, ERR_LIMIT, "text field longer than %zu MiB",
			    PM_MAX_TEXT_BYTES >> 20);
	return 0;
}

/* Appends raw bytes (no normalization): separators, labels. */
static int buf_raw(pm_reader *r, struct buf *b, const char *s, size_t n)
{
	if (buf_reserve(r, b, n + 1) != 0)
		return -1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	if (b->len > PM_MAX_TEXT_BYTES)
		return fail(r, ERR_LIMIT, "text field longer than %zu MiB",
			    PM_MAX_TEXT_BYTES >> 20);
	return 0;
}

/* Appends x, charged to the record as `cost` bytes. */
static int vec_add(pm_reader *r, struct vec *v, const void *x, size_t size, size_t cost)
{
	if (charge(r, cost) != 0)
		return -1;
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		if (cap > SIZE_MAX / size)
			return fail(r, ERR_NOMEM, "out of memory");
		void *p = realloc(v->p, cap * size);
		if (p == NULL)
			return fail(r, ERR_NOMEM, "out of memory");
		v->p = p;
		v->cap = cap;
	}
	memcpy((char *)v->p + v->n * size, x, size);
	v->n++;
	return 0;
}

static int vec_push(pm_reader *r, struct vec *v, const void *x, size_t size)
{
	return vec_add(r, v, x, size, size);
}

/* Copies n bytes of s into the arena, charged to the record. */
static const char *keep(pm_reader *r, const char *s, size_t n)
{
	if (charge(r, n + 1) != 0)
		return NULL;
	char *d = arena_strndup(r->cur, s, n);
	if (d == NULL)
		fail(r, ERR_NOMEM, "out of memory");
	return d;
}

/* Copies a vector into the arena; NULL (and no error) when empty. */
static void *keep_vec(pm_reader *r, const struct vec *v, size_t size, int *rc)
{
	if (v->n == 0)
		return NULL;
	void *p = arena_alloc(r->cur, v->n * size);
	if (p == NULL) {
		*rc = fail(r, ERR_NOMEM, "out of memory");
		return NULL;
	}
	memcpy(p, v->p, v->n * size);
	return p;
}

/* Parses a PMID-like decimal: digits only, 1 .. UINT32_MAX; 0 if not. */
static uint32_t parse_id(const char *s, size_t n)
{
	if (n == 0 || n > 10)
		return 0;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	return v <= UINT32_MAX ? (uint32_t)v : 0;
}

/* The first run of exactly four digits ("1998 Dec-1999 Jan" -> 1998);
 * 0 if none. */
static uint16_t first_year(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (s[i] < '0' || s[i] > '9') {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && s[j] >= '0' && s[j] <= '9')
			j++;
		if (j - i == 4) {
			unsigned y = (unsigned)(s[i] - '0') * 1000 + (unsigned)(s[i + 1] - '0') * 100 +
				     (unsigned)(s[i + 2] - '0') * 10 + (unsigned)(s[i + 3] - '0');
			if (y > 0)
				return (uint16_t)y;
		}
		i = j;
	}
	return 0;
}

/* ---- names and attributes -------------------------------------------- */

static size_t slot_of(const xmlChar *p)
{
	uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 57); /* top 7 bits: NSLOT == 128 */
}

static int intern_names(pm_reader *r)
{
	for (int c = 1; c < E_COUNT; c++) {
		const xmlChar *p = xmlDictLookup(r->ctxt->dict, BAD_CAST el_names[c], -1);
		if (p == NULL)
			return err_set(&r->perr, ERR_NOMEM, "%s: out of memory", r->name);
		size_t h = slot_of(p);
		while (r->slot_key[h] != NULL)
			h = (h + 1) & (NSLOT - 1);
		r->slot_key[h] = p;
		r->slot_val[h] = (uint8_t)c;
	}
	return 0;
}

/* Element names from libxml2's SAX2 parser are strings of the parser's
 * dictionary, so an unknown pointer is an unknown name. */
static enum el lookup(const pm_reader *r, const xmlChar *name)
{
	size_t h = slot_of(name);
	while (r->slot_key[h] != NULL) {
		if (r->slot_key[h] == name)
			return (enum el)r->slot_val[h];
		h = (h + 1) & (NSLOT - 1);
	}
	return E_OTHER;
}

/* The value of attribute `name` of the element starting, or NULL if
 * absent; *n is its length (SAX2 values are not NUL-terminated).  libxml2
 * has decoded character references and the predefined entities, except
 * that without entity substitution it writes every '&' of a value as
 * "&#38;" (so that a tree builder could tell it from a reference); that
 * is undone here, into r->aval, valid until the next call.  Any other
 * entity reference was reported as an error already. */
static const char *attr(pm_reader *r, const char *name, size_t *n)
{
	for (int i = 0; i < r->nattrs; i++) {
		const xmlChar *const *a = r->attrs + 5 * i; /* local, prefix, URI, value, end */
		if (a[1] != NULL || strcmp((const char *)a[0], name) != 0)
			continue;
		const char *v = (const char *)a[3];
		size_t len = (size_t)(a[4] - a[3]);
		if (memchr(v, '&', len) == NULL) {
			*n = len;
			return v;
		}
		r->aval.len = 0;
		if (buf_reserve(r, &r->aval, len + 1) != 0)
			return NULL;
		char *o = r->aval.p;
		for (size_t k = 0; k < len; k++) {
			*o++ = v[k];
			if (v[k] == '&' && len - k >= 5 && memcmp(v + k, "&#38;", 5) == 0)
				k += 4;
		}
		*n = (size_t)(o - r->aval.p);
		return r->aval.p;
	}
	*n = 0;
	return NULL;
}

static int attr_is(pm_reader *r, const char *name, const char *want)
{
	size_t n;
	const char *v = attr(r, name, &n);
	return v != NULL && n == strlen(want) && memcmp(v, want, n) == 0;
}

/* ---- events -------------------------------------------------------- */

static void begin_event(pm_reader *r)
{
	r->cur = &r->arenas[r->batch];
	r->rec_bytes = 0;
	r->pmid = 0;
	r->version = 1;
	r->have_pmid = 0;
	memset(r->years, 0, sizeof r->years);
	r->title = r->vtitle = r->btitle = r->jtitle = r->iso = r->mta = NULL;
	r->doi = r->eloc_doi = r->pmc = r->other_pmc = NULL;
	r->editors = r->math = r->mtext = 0;
	r->coll = -1;
	r->field = F_NONE;
	buf_clear(&r->abs);
	buf_clear(&r->oabs);
	r->in_author = r->in_mesh = r->in_cites = 0;
	r->authors.n = r->editors_v.n = r->meshes.n = r->quals.n = 0;
	r->kws.n = r->pts.n = r->langs.n = r->refs.n = r->dels.n = r->cites.n = 0;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* Builds the record from the collected parts into *out; returns 1 if the
 * record is usable, 0 if skipped for lack of a PMID, -1 on error. */
static int finish_record(pm_reader *r, struct pm_record **out)
{
	int rc = 0;
	if (!r->have_pmid) {
		r->skipped++;
		return 0;
	}
	struct pm_record *rec = arena_alloc(r->cur, sizeof *rec);
	if (rec == NULL)
		return fail(r, ERR_NOMEM, "out of memory");
	*out = rec;
	memset(rec, 0, sizeof *rec);
	rec->kind = r->stack[1] == E_PubmedBookArticle ? PM_BOOK : PM_ARTICLE;
	rec->pmid = r->pmid;
	rec->version = r->version;
	rec->line = r->rec_line;
	for (int i = 0; i < Y_N; i++)
		if (r->years[i]) {
			rec->year = r->years[i];
			break;
		}
	/* A chapter has its own ArticleTitle (in BookDocument); a whole
	 * book has only its BookTitle. */
	const char *t = NULL;
	if (r->title && r->title[0])
		t = r->title;
	else if (rec->kind == PM_BOOK && r->btitle && r->btitle[0])
		t = r->btitle;
	else if (r->vtitle && r->vtitle[0])
		t = r->vtitle;
	rec->title = or_empty(t);

	if (r->abs.len && r->oabs.len && buf_raw(r, &r->abs, "\n", 1) != 0)
		return -1;
	if (r->oabs.len && buf_raw(r, &r->abs, r->oabs.p, r->oabs.len) != 0)
		return -1;
	rec->abstract = r->abs.len ? keep(r, r->abs.p, r->abs.len) : "";
	if (rec->abstract == NULL)
		return -1;

	/* A chapter is published in its book, as a paper in its journal:
	 * PubMed gives the book as a chapter's source ("StatPearls
	 * [Internet]"), and without it a chapter showed and exported no source
	 * at all and was missing from journal: and the journal facet.  A whole
	 * book's title is already its title. */
	if (rec->kind == PM_BOOK && !(r->jtitle && r->jtitle[0]) && t == r->title)
		rec->journal = or_empty(r->btitle);
	else
		rec->journal = or_empty(r->jtitle);
	rec->journal_iso = r->iso && r->iso[0] ? r->iso : or_empty(r->mta);
	rec->medline_ta = or_empty(r->mta);
	rec->doi = r->doi && r->doi[0] ? r->doi : or_empty(r->eloc_doi);
	rec->pmc = r->pmc ? r->pmc : or_empty(r->other_pmc);

	/* a book's editors stand in for its authors only when it names none
	 * (an edited volume as a whole) */
	struct vec *au = r->authors.n || r->editors_v.n == 0 ? &r->authors : &r->editors_v;
	rec->authors = keep_vec(r, au, sizeof(struct pm_author), &rc);
	rec->nauthors = au->n;
	rec->keywords.v = keep_vec(r, &r->kws, sizeof(char *), &rc);
	rec->keywords.n = r->kws.n;
	rec->pubtypes.v = keep_vec(r, &r->pts, sizeof(char *), &rc);
	rec->pubtypes.n = r->pts.n;
	rec->languages.v = keep_vec(r, &r->langs, sizeof(char *), &rc);
	rec->languages.n = r->langs.n;
	struct vec *refs = r->refs.n ? &r->refs : &r->cites;
	rec->refs = keep_vec(r, refs, sizeof(uint32_t), &rc);
	rec->nrefs = refs->n;
	const char **quals = keep_vec(r, &r->quals, sizeof(char *), &rc);
	if (r->meshes.n) {
		struct pm_mesh *m = arena_alloc(r->cur, r->meshes.n * sizeof *m);
		if (m == NULL)
			return fail(r, ERR_NOMEM, "out of memory");
		const struct mesh_tmp *mt = r->meshes.p;
		for (size_t i = 0; i < r->meshes.n; i++) {
			m[i].descriptor = mt[i].desc;
			m[i].ui = mt[i].ui;
			m[i].major = mt[i].major;
			m[i].qualifiers.v = mt[i].nq ? quals + mt[i].q0 : NULL;
			m[i].qualifiers.n = mt[i].nq;
		}
		rec->mesh = m;
		rec->nmesh = r->meshes.n;
	}
	if (rc != 0)
		return -1;
	return 1;
}

/* ---- element start/end --------------------------------------------- */

static void collect(pm_reader *r, int depth, enum field f)
{
	r->coll = depth;
	r->field = f;
	buf_clear(&r->fb);
}

/* Starts collecting text for fields of a record or DeleteCitation.
 * p and g are the parent and grandparent codes. */
static int start_field(pm_reader *r, enum el c, enum el p, enum el g, int d)
{
	int rc = 0;
	const char *v;
	size_t n;
	if (r->in_del) {
		if (c == E_PMID && p == E_DeleteCitation)
			collect(r, d, F_DELPMID);
		return 0;
	}
	switch (c) {
	case E_PMID:
		if ((p == E_MedlineCitation || p == E_BookDocument) && !r->have_pmid) {
			collect(r, d, F_PMID);
			v = attr(r, "Version", &n);
			r->pend_version = v ? parse_id(v, n) : 0;
		} else if (p == E_CommentsCorrections && r->in_cites == d - 1) {
			collect(r, d, F_CITES);
		}
		break;
	case E_CommentsCorrections:
		if (attr_is(r, "RefType", "Cites"))
			r->in_cites = d;
		break;
	case E_ArticleTitle:
		if (p == E_Article || p == E_BookDocument)
			collect(r, d, F_TITLE);
		break;
	case E_VernacularTitle:
		if (p == E_Article)
			collect(r, d, F_VTITLE);
		break;
	case E_BookTitle:
		if (p == E_Book)
			collect(r, d, F_BTITLE);
		break;
	case E_AbstractText:
		if (p == E_Abstract || p == E_OtherAbstract) {
			collect(r, d, p == E_Abstract ? F_ABS : F_OABS);
			buf_clear(&r->label);
			v = attr(r, "Label", &n);
			if (v && buf_text(r, &r->label, v, n) != 0)
				return -1;
		}
		break;
	case E_AuthorList:
		/* a book's editors are not the chapter's authors */
		r->editors = attr_is(r, "Type", "editors");
		break;
	case E_Author:
		/* ValidYN="N" marks a name NLM found wrong (PubMed shows the
		 * valid one, listed beside it) */
		if (p == E_AuthorList && (g == E_Article || g == E_BookDocument || g == E_Book) &&
		    !attr_is(r, "ValidYN", "N")) {
			r->in_author = d;
			memset(&r->au, 0, sizeof r->au);
		}
		break;
	case E_LastName:
	case E_ForeName:
	case E_FirstName:
	case E_Initials:
	case E_CollectiveName:
		if (p == E_Author && r->in_author == d - 1)
			collect(r, d, c == E_LastName ? F_LAST : c == E_Initials ? F_INITIALS
					    : c == E_CollectiveName ? F_COLLECTIVE : F_FORE);
		break;
	case E_Title:
		if (p == E_Journal)
			collect(r, d, F_JTITLE);
		break;
	case E_ISOAbbreviation:
		if (p == E_Journal)
			collect(r, d, F_ISO);
		break;
	case E_MedlineTA:
		if (p == E_MedlineJournalInfo)
			collect(r, d, F_MTA);
		break;
	case E_Year:
		if (p == E_PubDate && g == E_JournalIssue)
			collect(r, d, F_YEAR_J);
		else if (p == E_ArticleDate)
			collect(r, d, F_YEAR_AD);
		else if (p == E_PubDate && g == E_Book)
			collect(r, d, F_YEAR_B);
		break;
	case E_MedlineDate:
		if (p == E_PubDate && g == E_JournalIssue)
			collect(r, d, F_MDATE_J);
		else if (p == E_PubDate && g == E_Book)
			collect(r, d, F_MDATE_B);
		break;
	case E_MeshHeading:
		if (p == E_MeshHeadingList) {
			r->in_mesh = d;
			memset(&r->mh, 0, sizeof r->mh);
			r->mh.q0 = r->quals.n;
		}
		break;
	case E_DescriptorName:
	case E_QualifierName:
		if (p == E_MeshHeading && r->in_mesh == d - 1) {
			collect(r, d, c == E_DescriptorName ? F_DESC : F_QUAL);
			r->pend_major = attr_is(r, "MajorTopicYN", "Y");
			if (c == E_DescriptorName) {
				v = attr(r, "UI", &n);
				r->pend_ui = v ? keep(r, v, n) : "";
				if (r->pend_ui == NULL)
					return -1;
			}
		}
		break;
	case E_Keyword:
		if (p == E_KeywordList)
			collect(r, d, F_KW);
		break;
	case E_PublicationType:
		if (p == E_PublicationTypeList || p == E_BookDocument)
			collect(r, d, F_PT);
		break;
	case E_Language:
		if (p == E_Article || p == E_BookDocument || p == E_Book)
			collect(r, d, F_LANG);
		break;
	case E_ELocationID:
		if ((p == E_Article || p == E_BookDocument) &&
		    attr_is(r, "EIdType", "doi") && !attr_is(r, "ValidYN", "N"))
			collect(r, d, F_ELOC_DOI);
		break;
	case E_OtherID:
		/* MEDLINE-format files give the PMC id only here */
		if (p == E_MedlineCitation && attr_is(r, "Source", "NLM"))
			collect(r, d, F_OTHER_PMC);
		break;
	case E_ArticleId:
		if (p != E_ArticleIdList)
			break;
		if (g == E_Reference) {
			if (attr_is(r, "IdType", "pubmed"))
				collect(r, d, F_REF);
		} else if (g == E_PubmedData || g == E_PubmedBookData || g == E_BookDocument) {
			if (attr_is(r, "IdType", "doi"))
				collect(r, d, F_DOI);
			else if (attr_is(r, "IdType", "pmc"))
				collect(r, d, F_PMC);
		}
		break;
	default:
		break;
	}
	return rc;
}

static int flush_dels(pm_reader *r);

/* Stores a finished text field (r->fb) where it belongs. */
static int end_field(pm_reader *r)
{
	const char *s = r->fb.p ? r->fb.p : "";
	size_t n = r->fb.len;
	const char *k;
	uint32_t id;
	enum field f = r->field;
	r->coll = -1;
	r->field = F_NONE;
	r->math = r->mtext = 0;

	switch (f) {
	case F_PMID:
		id = parse_id(s, n);
		if (id) {
			r->pmid = id;
			r->version = r->pend_version ? r->pend_version : 1;
			r->have_pmid = 1;
		}
		return 0;
	case F_OTHER_PMC: {
		/* "PMC4380289", sometimes followed by " [Available on ...]";
		 * other NLM ids here (NIHMS...) are not PMC's */
		size_t m = 3;
		while (m < n && s[m] >= '0' && s[m] <= '9')
			m++;
		if (r->other_pmc || n < 4 || memcmp(s, "PMC", 3) != 0 || m == 3)
			return 0;
		return (r->other_pmc = keep(r, s, m)) == NULL ? -1 : 0;
	}
	case F_DELPMID:
		id = parse_id(s, n);
		if (id == 0)
			return 0;
		/* no record to charge: a batch is an event of its own */
		if (vec_add(r, &r->dels, &id, sizeof id, 0) != 0)
			return -1;
		return r->dels.n < PM_DEL_BATCH ? 0 : flush_dels(r);
	case F_REF:
	case F_CITES:
		id = parse_id(s, n);
		if (id == 0)
			return 0;
		return vec_add(r, f == F_REF ? &r->refs : &r->cites, &id, sizeof id, PM_REF_BYTES);
	case F_YEAR_J:
	case F_YEAR_AD:
	case F_YEAR_B:
	case F_MDATE_J:
	case F_MDATE_B: {
		int slot = f == F_YEAR_J ? Y_J : f == F_YEAR_AD ? Y_AD : f == F_YEAR_B ? Y_B
			 : f == F_MDATE_J ? Y_MDATE_J : Y_MDATE_B;
		if (r->years[slot] == 0)
			r->years[slot] = first_year(s, n);
		return 0;
	}
	case F_ABS:
	case F_OABS: {
		struct buf *b = f == F_ABS ? &r->abs : &r->oabs;
		if (n == 0 && r->label.len == 0)
			return 0;
		if (b->len && buf_raw(r, b, "\n", 1) != 0)
			return -1;
		if (r->label.len) {
			if (buf_raw(r, b, r->label.p, r->label.len) != 0 ||
			    buf_raw(r, b, n ? ": " : ":", n ? 2 : 1) != 0)
				return -1;
		}
		return buf_raw(r, b, s, n);
	}
	default:
		break;
	}

	/* Every other field is a string kept in the arena. */
	k = keep(r, s, n);
	if (k == NULL)
		return -1;
	switch (f) {
	case F_TITLE: if (!r->title) r->title = k; break;
	case F_VTITLE: if (!r->vtitle) r->vtitle = k; break;
	case F_BTITLE: if (!r->btitle) r->btitle = k; break;
	case F_JTITLE: if (!r->jtitle) r->jtitle = k; break;
	case F_ISO: if (!r->iso) r->iso = k; break;
	case F_MTA: if (!r->mta) r->mta = k; break;
	case F_DOI: if (!r->doi && n) r->doi = k; break;
	case F_ELOC_DOI: if (!r->eloc_doi && n) r->eloc_doi = k; break;
	case F_PMC: if (!r->pmc && n) r->pmc = k; break;
	case F_LAST: r->au.last = k; break;
	case F_FORE: r->au.fore = k; break;
	case F_INITIALS: r->au.initials = k; break;
	case F_COLLECTIVE: r->au.last = k; r->au.collective = 1; break;
	case F_DESC:
		r->mh.desc = k;
		r->mh.ui = r->pend_ui;
		r->mh.major |= r->pend_major;
		break;
	case F_QUAL:
		r->mh.major |= r->pend_major;
		if (n)
			return vec_push(r, &r->quals, &k, sizeof k);
		break;
	case F_KW:
		if (n)
			return vec_push(r, &r->kws, &k, sizeof k);
		break;
	case F_PT:
		if (n)
			return vec_push(r, &r->pts, &k, sizeof k);
		break;
	case F_LANG:
		if (n)
			return vec_push(r, &r->langs, &k, sizeof k);
		break;
	default:
		break;
	}
	return 0;
}

static int enqueue(pm_reader *r, const struct pm_event *ev)
{
	if (r->qn == r->qcap) {
		size_t cap = r->qcap ? r->qcap * 2 : 64;
		struct pm_event *q = realloc(r->q, cap * sizeof *q);
		if (q == NULL)
			return fail(r, ERR_NOMEM, "out of memory");
		r->q = q;
		r->qcap = cap;
	}
	r->q[r->qn++] = *ev;
	return 0;
}

/* Queues the DeleteCitation PMIDs read so far as an event.  Its copy lives
 * in the current arena, which pm_next() resets only once the caller has
 * taken the event (the open DeleteCitation keeps nothing else there). */
static int flush_dels(pm_reader *r)
{
	if (r->dels.n == 0)
		return 0;
	int rc = 0;
	struct pm_event ev = {PM_EV_DELETE, NULL, NULL, r->dels.n};
	ev.del = keep_vec(r, &r->dels, sizeof(uint32_t), &rc);
	r->dels.n = 0;
	return rc != 0 ? -1 : enqueue(r, &ev);
}

static int is_block(enum el c)
{
	return c == E_DispFormula || c == E_p || c == E_br || c == E_AbstractText;
}

static int on_end(pm_reader *r, int d)
{
	enum el c = (enum el)r->stack[d];
	if (r->coll >= 0) {
		if (d + 1 == r->math)
			r->math = r->mtext = 0;
		if (d + 1 == r->mtext)
			r->mtext = 0;
		if (d == r->coll)
			return end_field(r);
		if (d > r->coll && is_block(c))
			r->fb.pend = r->fb.len > 0;
		return 0;
	}
	if (r->in_author && d == r->in_author) {
		r->in_author = 0;
		struct pm_author a = r->au;
		if (a.last == NULL || a.last[0] == '\0')
			return 0; /* neither LastName nor CollectiveName */
		a.initials = or_empty(a.initials);
		if (a.collective) {
			a.fore = "";
			a.initials = "";
		} else if (a.fore == NULL || a.fore[0] == '\0') {
			a.fore = a.initials;
		}
		/* (no AuthorList lies inside an Author: editors is still its list's) */
		return vec_push(r, r->editors ? &r->editors_v : &r->authors, &a, sizeof a);
	}
	if (r->in_cites && d == r->in_cites) {
		r->in_cites = 0;
		return 0;
	}
	if (r->in_mesh && d == r->in_mesh) {
		r->in_mesh = 0;
		r->mh.nq = r->quals.n - r->mh.q0;
		if (r->mh.desc == NULL || r->mh.desc[0] == '\0') {
			r->quals.n = r->mh.q0; /* drop a heading without descriptor */
			return 0;
		}
		if (r->mh.ui == NULL)
			r->mh.ui = "";
		return vec_push(r, &r->meshes, &r->mh, sizeof r->mh);
	}
	if (d == 1 && r->in_rec) {
		r->in_rec = 0;
		struct pm_record *rec = NULL;
		int got = finish_record(r, &rec);
		if (got <= 0)
			return got;
		struct pm_event ev = {PM_EV_RECORD, rec, NULL, 0};
		return enqueue(r, &ev);
	}
	if (d == 1 && r->in_del) {
		r->in_del = 0;
		return flush_dels(r);
	}
	return 0;
}

/* name is the element's local name, a dictionary string; prefix is its
 * namespace prefix or NULL. */
static int on_start(pm_reader *r, const xmlChar *name, const xmlChar *prefix, int d)
{
	if (d >= PM_MAX_DEPTH)
		return fail(r, ERR_LIMIT, "element nesting depth over %d", PM_MAX_DEPTH);
	enum el c = prefix == NULL ? lookup(r, name) : E_OTHER;
	r->stack[d] = (uint8_t)c;

	if (r->coll >= 0) {
		/* Markup inside a text field: inline joins, block separates. */
		if (is_block(c))
			r->fb.pend = r->fb.len > 0;
		if (r->math == 0 && strcmp((const char *)name, "math") == 0)
			r->math = d + 1;
		else if (r->math && strcmp((const char *)name, "mspace") == 0)
			r->fb.pend = r->fb.len > 0; /* a space drawn, not typed */
		else if (r->math && strcmp((const char *)name, "mtext") == 0)
			r->mtext = d + 1;
		return 0;
	}
	if (d == 0) {
		if (c != E_PubmedArticleSet && c != E_MedlineCitationSet &&
		    c != E_PubmedBookArticleSet)
			/* a record as the root: records cut out of a set, or
			 * pasted one after another without one */
			return fail(r, ERR_PARSE, "not PubMed XML: root element <%s%s%s>%s",
				    prefix ? (const char *)prefix : "", prefix ? ":" : "",
				    (const char *)name,
				    c == E_PubmedArticle || c == E_PubmedBookArticle || c == E_MedlineCitation
					    ? " (records belong in a <PubmedArticleSet>)" : "");
		r->saw_root = 1;
		return 0;
	}
	if (d == 1) {
		/* whatever the root: files that break the DTD this way exist
		 * (PubmedArticle under MedlineCitationSet), and their records
		 * must not vanish without a word */
		int rec = c == E_MedlineCitation || c == E_PubmedArticle || c == E_PubmedBookArticle;
		if (rec || c == E_DeleteCitation) {
			begin_event(r);
			r->in_rec = rec;
			r->in_del = !rec;
			r->rec_line = (uint64_t)cur_line(r);
		}
		return 0;
	}
	if (!r->in_rec && !r->in_del)
		return 0;
	return start_field(r, c, (enum el)r->stack[d - 1], (enum el)r->stack[d - 2], d);
}

/* ---- libxml2 error routing ------------------------------------------ */

/* Copies a libxml2 message without its newlines and trailing blanks, with
 * a lowercase first letter (house style) unless it starts an acronym. */
static void tidy(char *dst, size_t cap, const char *msg)
{
	size_t o = 0;
	int sp = 0;
	for (const char *p = msg ? msg : "error"; *p && o + 1 < cap; p++) {
		if (is_ws((unsigned char)*p)) {
			sp = o > 0;
			continue;
		}
		if (sp && o + 2 < cap)
			dst[o++] = ' ';
		sp = 0;
		dst[o++] = *p;
	}
	dst[o] = '\0';
	if (o >= 2 && dst[0] >= 'A' && dst[0] <= 'Z' && dst[1] >= 'a' && dst[1] <= 'z')
		dst[0] = (char)(dst[0] - 'A' + 'a');
}

#if LIBXML_VERSION >= 21200
static void on_xml_error(void *arg, const xmlError *xe)
#else
static void on_xml_error(void *arg, xmlErrorPtr xe)
#endif
{
	pm_reader *r = arg;
	if (xe == NULL || r->perr.code != 0)
		return;
	/* Under a DOCTYPE with an external subset (PubMed's), libxml2 only
	 * warns about an undeclared entity and drops it: for us any entity
	 * beyond the predefined five is an error, in content or attribute. */
	if (xe->code == XML_WAR_UNDECLARED_ENTITY || xe->code == XML_ERR_UNDECLARED_ENTITY) {
		err_set(&r->perr, ERR_PARSE, "%s:%d: entity references are not allowed (&%s;)",
			r->name, xe->line > 0 ? xe->line : 1, xe->str1 ? xe->str1 : "");
		return;
	}
	if (xe->level == XML_ERR_WARNING)
		return;
	/* PubMed's DTD declares xmlns:mml as a #FIXED default; without
	 * loading the DTD an undeclared mml: prefix is a namespace error in
	 * libxml2's eyes but harmless for us. */
	if (xe->domain == XML_FROM_NAMESPACE)
		return;
	/* The push parser meets the end of a file cut short with open
	 * elements, and then says "extra content at the end of the
	 * document" (xmllint's tree parser says "premature end of data"). */
	if (r->ending && r->depth > 0) {
		const xmlChar *el = r->ctxt ? r->ctxt->name : NULL;
		err_set(&r->perr, ERR_PARSE, "%s:%d: the file ends inside <%s>: it is truncated",
			r->name, xe->line > 0 ? xe->line : 1, el ? (const char *)el : "...");
		return;
	}
	/* ... and at the end of a file with no element at all (whitespace,
	 * an XML declaration, a comment), "extra content at the end of the
	 * document", of which there is none. */
	if (r->ending && !r->saw_root && xe->code == XML_ERR_DOCUMENT_END) {
		err_set(&r->perr, ERR_PARSE, "%s:%d: no root element", r->name,
			xe->line > 0 ? xe->line : 1);
		return;
	}
	char msg[600];
	tidy(msg, sizeof msg, xe->message);
	int code = ERR_PARSE;
	/* libxml2's own limits (depth 256, name lengths, entity
	 * amplification) are limits for us too. */
	if (strstr(msg, "xcessive depth") || strstr(msg, "huge") || strstr(msg, "Huge") ||
	    strstr(msg, "amplification") || xe->code == XML_ERR_ENTITY_LOOP)
		code = ERR_LIMIT;
	else if (xe->code == XML_ERR_NO_MEMORY)
		code = ERR_NOMEM;
	/* The push parser says "document is empty" for anything that does
	 * not start with markup (a JSON string, a text dump). */
	if (xe->code == XML_ERR_DOCUMENT_EMPTY && gzin_bytes(r->in) > 0)
		snprintf(msg, sizeof msg, "not XML: start tag expected, '<' not found");
	if (xe->code == XML_ERR_INVALID_CHAR || xe->code == XML_ERR_INVALID_ENCODING) {
		const char *bytes = strstr(msg, "Bytes:");
		if (strstr(msg, "UTF-8")) {
			err_set(&r->perr, ERR_PARSE, "%s:%d: invalid UTF-8%s%s", r->name,
				xe->line > 0 ? xe->line : 1, bytes ? " (" : "", bytes ? bytes : "");
			if (bytes)
				strncat(r->perr.msg, ")", sizeof r->perr.msg - strlen(r->perr.msg) - 1);
			return;
		}
	}
	err_set(&r->perr, code, "%s:%d: %s", r->name, xe->line > 0 ? xe->line : 1, msg);
}

/* Errors libxml2 raises without a parser context (the encoding layer)
 * go to the thread's generic handler, which by default prints to stderr.
 * pm_open/pm_next point it here for the duration of the call. */
static void on_generic(void *arg, const char *fmt, ...)
{
	pm_reader *r = arg;
	if (r->perr.code != 0)
		return;
	char raw[600], msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	tidy(msg, sizeof msg, raw);
	if (msg[0] == '\0')
		return;
	err_set(&r->perr, ERR_PARSE, "%s:%ld: %s", r->name, cur_line(r), msg);
}

struct saved_handler {
	xmlGenericErrorFunc fn;
	void *ctx;
};

static struct saved_handler catch_generic(pm_reader *r)
{
	struct saved_handler s = {xmlGenericError, xmlGenericErrorContext};
	xmlSetGenericErrorFunc(r, on_generic);
	return s;
}

static void release_generic(struct saved_handler s)
{
	xmlSetGenericErrorFunc(s.ctx, s.fn);
}

/* ---- SAX2 callbacks ------------------------------------------------- */

static void sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
		      const xmlChar *uri, int nns, const xmlChar **ns, int nattrs,
		      int ndefaulted, const xmlChar **attrs)
{
	(void)uri;
	(void)nns;
	(void)ns;
	(void)ndefaulted;
	pm_reader *r = ctx;
	int d = r->depth++;
	if (r->perr.code)
		return;
	/* libxml2 has parsed this tag, but what made it slow stops here:
	 * the next such tag, or the next lookup among the declarations,
	 * would cost as much again (see the top of the file) */
	if (nattrs + nns > PM_MAX_ATTRS) {
		fail(r, ERR_LIMIT, "element <%s> has more than %d attributes",
		     (const char *)localname, PM_MAX_ATTRS);
		return;
	}
	if (d <= PM_MAX_DEPTH) {
		r->nsdecl[d] = (uint16_t)nns;
		r->nsscope += nns;
		if (r->nsscope > PM_MAX_NS_SCOPE) {
			fail(r, ERR_LIMIT, "more than %d namespace declarations in scope",
			     PM_MAX_NS_SCOPE);
			return;
		}
	}
	r->attrs = attrs;
	r->nattrs = nattrs;
	on_start(r, localname, prefix, d);
	r->nattrs = 0;
}

static void sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
		    const xmlChar *uri)
{
	(void)localname;
	(void)prefix;
	(void)uri;
	pm_reader *r = ctx;
	int d = --r->depth;
	if (r->perr.code == 0 && d >= 0 && d < PM_MAX_DEPTH) {
		r->nsscope -= r->nsdecl[d];
		on_end(r, d);
	}
}

/* Text, CDATA and whitespace alike; libxml2 may split one text into
 * several calls, which buf_text() joins seamlessly. */
static void sax_text(void *ctx, const xmlChar *s, int n)
{
	pm_reader *r = ctx;
	if (r->coll < 0 || r->perr.code != 0 || n <= 0)
		return;
	/* Between MathML elements whitespace is the file's indentation, not
	 * text: V<mo>.</mo>O<mn>2</mn> is one word, "VO2max" findable.  In
	 * an mtext it is text: 5<mtext> </mtext>mg is "5 mg". */
	if (r->math && !r->mtext) {
		int i = 0;
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
			i++;
		if (i == n)
			return;
	}
	buf_text(r, &r->fb, (const char *)s, (size_t)n);
}

static void sax_reference(void *ctx, const xmlChar *name)
{
	fail(ctx, ERR_PARSE, "entity references are not allowed (&%s;)", (const char *)name);
}

/* The efetch DOCTYPE names an external DTD, which is never loaded; an
 * internal subset declaring entities can only be an attack or a mistake. */
static void sax_entity_decl(void *ctx, const xmlChar *name, int type,
			    const xmlChar *public_id, const xmlChar *system_id,
			    xmlChar *content)
{
	(void)name;
	(void)type;
	(void)public_id;
	(void)system_id;
	(void)content;
	fail(ctx, ERR_PARSE, "entity declarations are not allowed");
}

/* Element, attribute-list and notation declarations: no PubMed file has
 * them, and ATTLIST defaults are the costly kind (see the top). */
static void refuse_decl(void *ctx)
{
	fail(ctx, ERR_PARSE, "markup declarations are not allowed");
}

static void sax_element_decl(void *ctx, const xmlChar *name, int type,
			     xmlElementContentPtr content)
{
	(void)name;
	(void)type;
	(void)content;
	refuse_decl(ctx);
}

static void sax_attribute_decl(void *ctx, const xmlChar *elem, const xmlChar *fullname,
			       int type, int def, const xmlChar *defaultValue,
			       xmlEnumerationPtr tree)
{
	(void)elem;
	(void)fullname;
	(void)type;
	(void)def;
	(void)defaultValue;
	/* libxml2 hands the enumeration over to the callback */
	xmlFreeEnumeration(tree);
	refuse_decl(ctx);
}

static void sax_notation_decl(void *ctx, const xmlChar *name, const xmlChar *public_id,
			      const xmlChar *system_id)
{
	(void)name;
	(void)public_id;
	(void)system_id;
	refuse_decl(ctx);
}

static void sax_unparsed_entity_decl(void *ctx, const xmlChar *name, const xmlChar *public_id,
				     const xmlChar *system_id, const xmlChar *notation)
{
	(void)name;
	(void)public_id;
	(void)system_id;
	(void)notation;
	fail(ctx, ERR_PARSE, "entity declarations are not allowed");
}

/* ---- public API ----------------------------------------------------- */

/* libxml2 must be initialized once before threads use it: xmlInitParser
 * is not reentrant, and worker threads opening their first files at the
 * same moment raced to register the encoding handlers (LeakSanitizer saw
 * the loser's table leak, now and then, in multi-file runs). */
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
	xmlInitParser();
}

pm_reader *pm_open(const char *path, unsigned flags, struct err *e)
{
	pthread_once(&xml_once, xml_init);
	pm_reader *r = calloc(1, sizeof *r);
	if (r == NULL) {
		err_set(e, ERR_NOMEM, "%s: out of memory", path);
		return NULL;
	}
	arena_init(&r->arenas[0]);
	arena_init(&r->arenas[1]);
	r->cur = &r->arenas[0];
	r->coll = -1;
	r->name = strdup(strcmp(path, "-") == 0 ? "<stdin>" : path);
	r->chunk = malloc(PM_CHUNK);
	if (r->name == NULL || r->chunk == NULL) {
		err_set(e, ERR_NOMEM, "%s: out of memory", path);
		goto fail;
	}
	r->in = gzin_open(path, (flags & PM_READ_AHEAD) != 0, e);
	if (r->in == NULL)
		goto fail;

	/* Only the callbacks below: everything else (DTD building, entity
	 * lookup, external subsets, comments) stays NULL, hence off. */
	xmlSAXHandler sax;
	memset(&sax, 0, sizeof sax);
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = sax_start;
	sax.endElementNs = sax_end;
	sax.characters = sax_text;
	sax.ignorableWhitespace = sax_text;
	sax.cdataBlock = sax_text;
	sax.reference = sax_reference;
	sax.entityDecl = sax_entity_decl;
	sax.unparsedEntityDecl = sax_unparsed_entity_decl;
	sax.elementDecl = sax_element_decl;
	sax.attributeDecl = sax_attribute_decl;
	sax.notationDecl = sax_notation_decl;
	sax.serror = on_xml_error;

	struct saved_handler s = catch_generic(r);
	r->ctxt = xmlCreatePushParserCtxt(&sax, r, NULL, 0, r->name);
	if (r->ctxt != NULL)
		xmlCtxtUseOptions(r->ctxt, PM_XML_OPTIONS);
	release_generic(s);
	if (r->ctxt == NULL) {
		err_set(e, ERR_NOMEM, "%s: cannot create an XML parser", r->name);
		goto fail;
	}
	if (intern_names(r) != 0) {
		err_set(e, r->perr.code, "%s", r->perr.msg);
		goto fail;
	}
	return r;
fail:
	pm_close(r, NULL);
	return NULL;
}

/* Reports the reader's error in e and marks it dead.  A gzip failure is
 * the root cause of whatever the XML parser made of the cut-off data, so
 * it wins; an input with no bytes at all is an "empty file". */
static int report(pm_reader *r, struct err *e)
{
	r->dead = 1;
	/* bad XML from a .gz may be damaged compressed data that still
	 * inflated: the member's check tells, at its end */
	if (r->perr.code != ERR_IO)
		gzin_check_rest(r->in);
	const char *gz = gzin_error(r->in);
	long line = cur_line(r);
	if (gz)
		return err_set(e, ERR_IO, "%s:%ld: %s", r->name, line, gz);
	if (gzin_bytes(r->in) == 0)
		return err_set(e, ERR_PARSE, "%s:1: empty file", r->name);
	if (r->perr.code)
		return err_set(e, r->perr.code, "%s", r->perr.msg);
	return err_set(e, ERR_PARSE, "%s:%ld: malformed XML", r->name, line);
}

/* Pushes the next chunk of input (or the end of it) to the parser. */
static void push(pm_reader *r)
{
	int n = gzin_read(r->in, r->chunk, PM_CHUNK);
	if (n < 0 || gzin_error(r->in)) {
		r->eof = 1;
		if (r->perr.code == 0)
			r->perr.code = ERR_IO; /* report() takes the gzip message */
		return;
	}
	if (n == 0) {
		r->eof = 1;
		r->ending = 1;
		xmlParseChunk(r->ctxt, NULL, 0, 1);
		if (r->perr.code == 0 && r->ctxt->wellFormed == 0)
			fail(r, ERR_PARSE, "malformed XML");
		if (r->perr.code == 0 && gzin_bytes(r->in) > 0 && !r->saw_root)
			fail(r, ERR_PARSE, "no root element");
		return;
	}
	if (xmlParseChunk(r->ctxt, r->chunk, n, 0) != 0 && r->perr.code == 0)
		fail(r, ERR_PARSE, "malformed XML");
	/* What libxml2 holds unparsed is one construct waiting for its end
	 * (text it parses as it comes): a tag that long would be parsed in
	 * time quadratic in its attributes before sax_start could count
	 * them (a 3.7 MB tag took 23 s; libxml2 waits up to 10 MB).  A CDATA
	 * section is text too, which libxml2 holds whole but hands over in
	 * linear time (and refuses past 10 MB). */
	const xmlParserInput *in = r->ctxt->input;
	if (r->perr.code == 0 && in != NULL && in->cur != NULL &&
	    r->ctxt->instate != XML_PARSER_CDATA_SECTION &&
	    (size_t)(in->end - in->cur) > PM_MAX_MARKUP)
		fail(r, ERR_LIMIT, "a tag, comment or declaration longer than %zu KiB",
		     PM_MAX_MARKUP >> 10);
}

int pm_next(pm_reader *r, struct pm_event *ev, struct err *e)
{
	if (r->dead)
		return err_set(e, ERR_USAGE, "%s: read after an error", r->name);
	if (r->qhead == r->qn) {
		/* The caller is done with every event handed out: the arena of
		 * the round before last is free (see the top of the file). */
		r->qhead = r->qn = 0;
		r->batch ^= 1;
		arena_reset(&r->arenas[r->batch]);
		if (!r->in_rec && !r->in_del)
			r->cur = &r->arenas[r->batch];
		struct saved_handler s = catch_generic(r);
		while (r->qn == 0 && !r->eof && r->perr.code == 0)
			push(r);
		release_generic(s);
	}
	/* Events finished before an error still come out, in order. */
	if (r->qhead < r->qn) {
		*ev = r->q[r->qhead++];
		return 1;
	}
	if (r->perr.code || gzin_error(r->in) || gzin_bytes(r->in) == 0)
		return report(r, e);
	r->done = 1;
	return 0;
}

uint64_t pm_skipped(const pm_reader *r)
{
	return r->skipped;
}

uint64_t pm_bytes(const pm_reader *r)
{
	return gzin_bytes(r->in);
}

int64_t pm_file_pos(const pm_reader *r)
{
	return gzin_file_pos(r->in);
}

int pm_close(pm_reader *r, struct err *e)
{
	if (r == NULL)
		return 0;
	if (r->ctxt) {
		/* libxml2 keeps declared entities in a document of its own
		 * "for expat compatibility in SAX mode", even with our own
		 * entityDecl; the context does not free it. */
		if (r->ctxt->myDoc)
			xmlFreeDoc(r->ctxt->myDoc);
		xmlFreeParserCtxt(r->ctxt);
	}
	int rc = gzin_close(r->in, r->name ? r->name : "input", e);
	arena_free(&r->arenas[0]);
	arena_free(&r->arenas[1]);
	free(r->chunk);
	free(r->q);
	free(r->fb.p);
	free(r->label.p);
	free(r->aval.p);
	free(r->abs.p);
	free(r->oabs.p);
	struct vec *vs[] = {&r->authors, &r->editors_v, &r->meshes, &r->quals, &r->kws, &r->pts,
			    &r->langs, &r->refs, &r->dels, &r->cites};
	for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++)
		free(vs[i]->p);
	free(r->name);
	free(r);
	return rc;
}
