/*
 * main.c - sarc-query: the command line only.  Parses options into a
 * struct cli, asks the terminal (once, here) about colour and width, opens
 * the index, builds the query the options describe, calls the engine
 * (sarc.h) and hands every result to the printers (out.h).  Exit status
 * follows grep: 0 something found, 1 nothing found, 2 error.
 */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cliopt.h"
#include "err.h"
#include "out.h"
#include "sarc.h"
#include "seg.h"

#define DEFAULT_INDEX "./sarc.idx"
#define DEFAULT_K 10
#define MAX_K 1000000          /* hits per query: bounds the engine's top-k heap */
#define MAX_OFFSET 100000000
#define DEFAULT_SIMILAR_TERMS 25
#define MAX_SIMILAR_TERMS 1000
#define MAX_WIDTH 10000
/* A limit's digits, for messages that state the range. */
#define STR_(x) #x
#define STR(x) STR_(x)
#define ERRCAP 1024

/* Exit statuses (grep's). */
enum { EXIT_HITS = 0, EXIT_NONE = 1, EXIT_ERROR = 2 };

enum mode { MODE_SEARCH, MODE_SHOW, MODE_SIMILAR, MODE_REFS, MODE_CITEDBY };
enum action { ACT_HITS, ACT_COUNT, ACT_FACET };
enum color_when { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct cli {
	const char *index;
	enum mode mode;
	enum action action;
	uint32_t pmid;             /* --similar, --references, --cited-by */
	size_t similar_terms;
	const char *facet;
	int batch;
	int k_set;                 /* -k or --offset given (reference lists are whole otherwise) */
	struct sarc_query_opts qo;
	struct sarc_search_opts so;
	struct out_opts out;
	char **args;               /* query words, or --show PMIDs */
	int nargs;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: sarc-query [options] QUERY...\n"
"       sarc-query [options] --batch < QUERIES\n"
"       sarc-query [options] --show PMID...\n"
"       sarc-query [options] --similar PMID | --references PMID | --cited-by PMID [QUERY...]\n"
"\n"
"Searches a sarc index of PubMed citations and ranks the matches with BM25.\n"
"\n"
"Index:\n"
"  -i, --index PATH       the index (default: $SARC_INDEX, else " DEFAULT_INDEX ")\n"
"\n"
"What to find:\n"
"  -a, --all              every plain word is required (default: any, ranked)\n"
"      --syntax SYNTAX    default, or pubmed (AND/OR/NOT left to right, [tags])\n"
"      --similar PMID     documents like PMID (QUERY, if given, restricts them)\n"
"      --similar-terms N  terms taken from PMID for --similar (default %d)\n"
"      --references PMID  the references of PMID, in its own order (or --sort's),\n"
"                         those not in the index flagged; with QUERY, those\n"
"                         matching it, ranked\n"
"      --cited-by PMID    documents citing PMID (as the query cites:PMID),\n"
"                         AND-ed with QUERY if given\n"
"      --show             print whole records: the arguments are PMIDs\n"
"\n", DEFAULT_SIMILAR_TERMS);
	fprintf(f,
"Ranking:\n"
"  -k, --limit N          hits to print (default %d, at most %d); with\n"
"                         --facet journal|mesh|pt, values to print\n"
"      --offset N         skip the first N hits (paging)\n"
"      --sort ORDER       relevance (default), date (newest first) or cited\n"
"                         (most cited in the index first)\n"
"      --k1 X             BM25 k1 (default 1.2)\n"
"      --b X              BM25 b, 0..1 (default 0.75)\n"
"      --exhaustive       score every match, no pruning (same results, slower)\n"
"\n"
"What to print:\n"
"  -c, --count            only the number of matching documents\n"
"      --facet FIELD      counts over all matches by year (a histogram),\n"
"                         journal, mesh or pt (the top 20 in the human\n"
"                         format, all in tsv and json; -k N: the top N)\n"
"      --explain          each hit's BM25 terms, and the parsed query\n"
"  -f, --format FORMAT    human (default), tsv, json (JSON Lines), trec, ids\n"
"      --fields LIST      tsv columns, from pmid rank score year title journal\n"
"                         authors doi pmc mesh abstract cited (default\n"
"                         pmid,rank,score,year,journal,title); implies tsv\n"
"  -l, --ids              PMIDs only, one per line (--format ids)\n"
"      --run NAME         trec run name (default sarc)\n"
"      --batch            queries from standard input, one per line, as\n"
"                         QUERY or QID<TAB>QUERY (QID: one word, default the\n"
"                         line number); the index is opened once; a bad line\n"
"                         is reported and the others still run\n"
"      --color[=WHEN]     highlight matches: auto (default: on a terminal,\n"
"                         unless NO_COLOR is set), always, never\n"
"  -w, --width N          wrap the human format at N columns (at most %d),\n"
"                         0 = never\n"
"                         (default: the terminal's width; no wrapping when\n"
"                         standard output is not a terminal)\n"
"  -h, --help             this help\n"
"  -V, --version          print the version and the index format version\n"
"\n", DEFAULT_K, MAX_K, MAX_WIDTH);
	fputs(
"Query language (see sarc-query(1)):\n"
"  ewing sarcoma          any of the words, best matches first (--all: every word)\n"
"  a AND b, a OR b, a NOT b, ( )   operators in capitals; NEAR binds\n"
"                         tightest, then +/-, NOT, AND, OR, plain words\n"
"  +word -word            required / excluded word\n"
"  \"ewing sarcoma\"        exact phrase\n"
"  ewing NEAR/5 sarcoma   within 5 words (NEAR alone: 10)\n"
"  sarcom*                any word starting with sarcom (3 characters at least)\n"
"  title: abstract: tiab: mesh: majr: keyword: author: journal: pt: lang:\n"
"                         search one field: title:sarcoma, title:(a b)\n"
"  pmid:N  year:2015  year:2015..2020  cites:PMID  citedby:PMID      filters\n"
"  sarcoma[ti]            PubMed tags work too: [ti] [ab] [tiab] [mh] [majr]\n"
"                         [kw] [au] [ta] [pt] [la] [dp] [pmid]\n"
"  --syntax pubmed        AND/OR/NOT left to right, words side by side AND-ed,\n"
"                         a tag covers the words before it (smith j[au])\n"
"  Full description: docs/QUERY.md.\n"
"\n"
"Examples:\n"
"  sarc-query -i sarcoma.idx ewing sarcoma\n"
"  sarc-query --all 'title:\"synovial sarcoma\" year:2015..2020' -k 20\n"
"  sarc-query --syntax pubmed 'liposarcoma[ti] AND trabectedin[tiab]'\n"
"  sarc-query --format tsv --fields pmid,score,year,title osteosarcoma\n"
"  sarc-query --format json rhabdomyosarcoma | jq .title\n"
"  sarc-query --format trec --run bm25 --batch < topics.tsv > run.txt\n"
"  sarc-query --facet year leiomyosarcoma\n"
"  sarc-query --count desmoid\n"
"  sarc-query --show 90000001\n"
"  sarc-query --similar 90000001 -k 5\n"
"  sarc-query --cited-by 90000001 --sort date\n"
"  for p in $(sarc-query --ids chondrosarcoma); do sarc-query --show \"$p\"; done\n"
"\n"
"Exit status: 0 hits found (documents matched, even if --offset skips them\n"
"all; records shown), 1 no hits (or a --show PMID absent), 2 error, with\n"
"one line \"sarc-query: ...\" on standard error.\n", f);
}

/* ---- option values ---- */

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_pmid(const char *s, uint32_t *out)
{
	unsigned long long v;
	if (parse_uint(s, UINT32_MAX, &v) || v == 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_real(const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int pick(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* Whether s is a list of PMIDs separated by commas or spaces (--show). */
static int pmid_list_ok(const char *s)
{
	int n = 0;
	while (*s) {
		size_t len = strcspn(s, ", ");
		char id[16];
		uint32_t pmid;
		if (len) {
			snprintf(id, sizeof id, "%.*s", (int)(len < 15 ? len : 15), s);
			if (len > 15 || parse_pmid(id, &pmid))
				return 0;
			n++;
			s += len;
		} else {
			s++;
		}
	}
	return n > 0;
}

enum parsed { PARSED_RUN, PARSED_HELP, PARSED_VERSION, PARSED_USAGE };

/* Whether s holds more than what the query language reads as spaces:
 * control bytes and U+00A0 separate words like a space (qlex.c). */
static int has_text(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if (p[0] == 0xc2 && p[1] == 0xa0)
			p++;
		else if (*p > 0x20 && *p != 0x7f)
			return 1;
	}
	return 0;
}

/* Fills c from argv.  On PARSED_USAGE, err holds the one-line reason. */
static enum parsed parse_args(int argc, char **argv, struct cli *c, int *color_when,
			      long *width, char *err, size_t errcap)
{
	enum { O_OFFSET = 256, O_SYNTAX, O_K1, O_B, O_EXHAUSTIVE, O_SORT, O_SIMILAR,
	       O_SIMTERMS, O_REFS, O_CITEDBY, O_SHOW, O_FACET, O_EXPLAIN, O_FIELDS, O_RUN,
	       O_BATCH, O_COLOR };
	static const struct option opts[] = {
		{"index", required_argument, NULL, 'i'},
		{"all", no_argument, NULL, 'a'},
		{"syntax", required_argument, NULL, O_SYNTAX},
		{"similar", required_argument, NULL, O_SIMILAR},
		{"similar-terms", required_argument, NULL, O_SIMTERMS},
		{"references", required_argument, NULL, O_REFS},
		{"cited-by", required_argument, NULL, O_CITEDBY},
		{"show", no_argument, NULL, O_SHOW},
		{"limit", required_argument, NULL, 'k'},
		{"offset", required_argument, NULL, O_OFFSET},
		{"sort", required_argument, NULL, O_SORT},
		{"k1", required_argument, NULL, O_K1},
		{"b", required_argument, NULL, O_B},
		{"exhaustive", no_argument, NULL, O_EXHAUSTIVE},
		{"count", no_argument, NULL, 'c'},
		{"facet", required_argument, NULL, O_FACET},
		{"explain", no_argument, NULL, O_EXPLAIN},
		{"format", required_argument, NULL, 'f'},
		{"fields", required_argument, NULL, O_FIELDS},
		{"ids", no_argument, NULL, 'l'},
		{"run", required_argument, NULL, O_RUN},
		{"batch", no_argument, NULL, O_BATCH},
		{"color", optional_argument, NULL, O_COLOR},
		{"colour", optional_argument, NULL, O_COLOR},
		{"width", required_argument, NULL, 'w'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	static const char *const formats[] = {"human", "tsv", "json", "trec", "ids"};
	static const char *const syntaxes[] = {"default", "pubmed"};
	static const char *const sorts[] = {"relevance", "date", "cited"};
	static const char *const colors[] = {"auto", "always", "never"};
	static const char *const facets[] = {"year", "journal", "mesh", "pt"};
	int format_set = 0, fields_set = 0, run_set = 0, simterms_set = 0, explain = 0;
	int limit_set = 0, offset_set = 0;
	int nmodes = 0, ch;
	const char *expected; /* what a refused value should have been */
	unsigned long long v;
	double x;

	int li = -1;
	opterr = 0; /* our own one-line messages */
	while ((ch = getopt_long(argc, argv, ":i:ak:cf:lw:hV", opts, &li)) != -1) {
		switch (ch) {
		case 'i': c->index = optarg; break;
		case 'a': c->qo.all = 1; break;
		case O_SYNTAX: {
			int s = pick(optarg, syntaxes, 2);
			expected = "default or pubmed";
			if (s < 0)
				goto bad_value;
			c->qo.syntax = s ? SARC_SYNTAX_PUBMED : SARC_SYNTAX_DEFAULT;
			break;
		}
		case O_SIMILAR: case O_REFS: case O_CITEDBY:
			expected = "a PMID (1 to 4294967295)";
			if (parse_pmid(optarg, &c->pmid))
				goto bad_value;
			c->mode = ch == O_SIMILAR ? MODE_SIMILAR : ch == O_REFS ? MODE_REFS
									: MODE_CITEDBY;
			nmodes++;
			break;
		case O_SIMTERMS:
			expected = "1 to " STR(MAX_SIMILAR_TERMS);
			if (parse_uint(optarg, MAX_SIMILAR_TERMS, &v) || v == 0)
				goto bad_value;
			c->similar_terms = (size_t)v;
			simterms_set = 1;
			break;
		case O_SHOW: c->mode = MODE_SHOW; nmodes++; break;
		case 'k':
			expected = "1 to " STR(MAX_K);
			if (parse_uint(optarg, MAX_K, &v) || v == 0)
				goto bad_value;
			c->so.k = (size_t)v;
			limit_set = 1;
			break;
		case O_OFFSET:
			expected = "0 to " STR(MAX_OFFSET);
			if (parse_uint(optarg, MAX_OFFSET, &v))
				goto bad_value;
			c->so.offset = (size_t)v;
			offset_set = 1;
			break;
		case O_SORT: {
			int s = pick(optarg, sorts, 3);
			expected = "relevance, date or cited";
			if (s < 0)
				goto bad_value;
			c->so.sort = s == 0 ? SARC_SORT_RELEVANCE : s == 1 ? SARC_SORT_DATE
									 : SARC_SORT_CITED;
			c->out.cited = s == 2;
			break;
		}
		case O_K1:
			expected = "0 to 1000";
			if (parse_real(optarg, 0, 1000, &x))
				goto bad_value;
			c->so.params.k1 = x;
			break;
		case O_B:
			expected = "0 to 1";
			if (parse_real(optarg, 0, 1, &x))
				goto bad_value;
			c->so.params.b = x;
			break;
		case O_EXHAUSTIVE: c->so.exhaustive = 1; break;
		case 'c': c->action = ACT_COUNT; break;
		case O_FACET:
			expected = "year, journal, mesh or pt";
			if (pick(optarg, facets, 4) < 0)
				goto bad_value;
			c->facet = optarg;
			c->action = ACT_FACET;
			break;
		case O_EXPLAIN: explain = 1; break;
		case 'f': case 'l': {
			int fm = ch == 'l' ? OUT_IDS : pick(optarg, formats, 5);
			expected = "human, tsv, json, trec or ids";
			if (fm < 0)
				goto bad_value;
			if (format_set && c->out.format != (enum out_format)fm) {
				snprintf(err, errcap, "more than one output format given");
				return PARSED_USAGE;
			}
			c->out.format = (enum out_format)fm;
			format_set = 1;
			break;
		}
		case O_FIELDS:
			if (out_fields_parse(&c->out, optarg, err, errcap))
				return PARSED_USAGE;
			fields_set = 1;
			break;
		case O_RUN:
			if (*optarg == '\0' || strpbrk(optarg, " \t\n")) {
				snprintf(err, errcap, "a trec run name is one word: '%s'", optarg);
				return PARSED_USAGE;
			}
			c->out.run = optarg;
			run_set = 1;
			break;
		case O_BATCH: c->batch = 1; break;
		case O_COLOR: {
			int w = optarg ? pick(optarg, colors, 3) : COLOR_ALWAYS;
			expected = "auto, always or never";
			if (w < 0)
				goto bad_value;
			*color_when = w;
			break;
		}
		case 'w':
			expected = "0 to " STR(MAX_WIDTH);
			if (parse_uint(optarg, MAX_WIDTH, &v))
				goto bad_value;
			*width = (long)v;
			break;
		case 'h': return PARSED_HELP;
		case 'V': return PARSED_VERSION;
		default: /* '?' or ':' */
			cli_refused(argv, opts, ch, optind, optopt, err, errcap);
			return PARSED_USAGE;
		}
		li = -1;
		continue;
bad_value:
		/* the option as typed, what it takes, then the value refused */
		if (li >= 0)
			snprintf(err, errcap, "--%s must be %s, not '%s'", opts[li].name, expected,
				 optarg);
		else
			snprintf(err, errcap, "-%c must be %s, not '%s'", ch, expected, optarg);
		return PARSED_USAGE;
	}
	c->args = argv + optind;
	c->nargs = argc - optind;

#define USAGE(...) do { snprintf(err, errcap, __VA_ARGS__); return PARSED_USAGE; } while (0)
	if (fields_set && !format_set)
		c->out.format = OUT_TSV;
	enum out_format fm = c->out.format;
	if (nmodes > 1)
		USAGE("--show, --similar, --references and --cited-by exclude each other");
	if (simterms_set && c->mode != MODE_SIMILAR)
		USAGE("--similar-terms goes with --similar");
	if (fields_set && fm != OUT_TSV)
		USAGE("--fields goes with --format tsv");
	if (run_set && fm != OUT_TREC)
		USAGE("--run goes with --format trec");
	if (explain && (fm != OUT_HUMAN && fm != OUT_JSON))
		USAGE("--explain goes with the human and json formats");
	if (explain && c->action != ACT_HITS)
		USAGE("--explain goes with a list of hits, not --count or --facet");
	if (c->action != ACT_HITS && (fm == OUT_TREC || fm == OUT_IDS))
		USAGE("--count and --facet print no PMIDs: use the human, tsv or json format");
	if (c->mode == MODE_SHOW) {
		if (c->action != ACT_HITS || c->batch || explain)
			USAGE("--show prints records: no --count, --facet, --batch or --explain");
		if (fm == OUT_TREC)
			USAGE("--show prints records, not a ranking: no trec format");
		if (c->nargs == 0)
			USAGE("--show needs PMIDs");
		for (int a = 0; a < c->nargs; a++)
			if (!pmid_list_ok(c->args[a]))
				USAGE("--show takes PMIDs: '%s'", c->args[a]);
	}
	if (c->batch) {
		if (c->mode != MODE_SEARCH)
			USAGE("--batch runs plain queries: no --similar, --references or --cited-by");
		if (c->nargs)
			USAGE("--batch reads the queries from standard input, not the arguments");
	}
	if (c->mode == MODE_SEARCH && !c->batch && c->nargs == 0)
		USAGE("no query given");
	c->k_set = limit_set || offset_set;
	if (c->action == ACT_COUNT && c->k_set)
		USAGE("--count counts every match: no -k or --offset");
	/* A facet counts every match too; -k says how many of its values to
	 * print, but paging through them has no use that -k does not cover. */
	if (c->action == ACT_FACET && offset_set)
		USAGE("--facet counts every match: no --offset");
	if (c->action == ACT_FACET && limit_set && strcmp(c->facet, "year") == 0)
		USAGE("--facet year is a histogram of every year: -k goes with journal, mesh or pt");
	if (c->action == ACT_FACET && limit_set)
		c->out.facet_top = c->so.k;
#undef USAGE
	c->out.explain = explain;
	c->out.batch = c->batch;
	/* trec_eval orders a run by its scores, not its ranks */
	int query_text = 0;
	for (int a = 0; a < c->nargs; a++)
		query_text |= has_text(c->args[a]);
	c->out.rank_score = c->so.sort != SARC_SORT_RELEVANCE || (c->mode == MODE_REFS && !query_text);
	/* cites:PMID alone scores every citer 0: a column of "score 0.000"
	 * says nothing to a reader (a reference list shows none either) */
	c->out.unscored = c->mode == MODE_CITEDBY && !query_text;
	return PARSED_RUN;
}

/* Colour, width and the bar glyph: the only place that looks at the
 * terminal and the environment, so the printers stay pure. */
static void resolve_terminal(struct cli *c, int color_when, long width)
{
	int tty = isatty(STDOUT_FILENO);
	int cols = 0;
	if (tty) {
		struct winsize ws;
		const char *e = getenv("COLUMNS");
		unsigned long long v;
		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
			cols = ws.ws_col;
		else if (e && parse_uint(e, MAX_WIDTH, &v) == 0 && v > 0)
			cols = (int)v;
		else
			cols = 80;
	}
	/* Wrapping to a pipe would make the output depend on whoever runs it;
	 * unwrapped lines are also what grep and cut want. */
	c->out.width = width >= 0 ? (int)width : tty ? cols : 0;
	if (c->out.width > 0 && c->out.width < 20)
		c->out.width = 20;
	c->out.bar_width = width > 0 ? (int)width : tty ? cols : 80;
	if (c->out.format != OUT_HUMAN)
		c->out.color = 0;
	else if (color_when == COLOR_ALWAYS)
		c->out.color = 1;
	else if (color_when == COLOR_NEVER)
		c->out.color = 0;
	else {
		const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
		c->out.color = tty && !(nc && *nc) && !(term && strcmp(term, "dumb") == 0);
	}
	/* The engine and the printers run in the C locale (a query must not
	 * analyze differently per user); the user's locale is consulted only
	 * to know whether U+2588 can be drawn. */
	if (setlocale(LC_CTYPE, ""))
		c->out.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	setlocale(LC_CTYPE, "C");
}

/* ---- running queries ---- */


/* The query the mode describes: text alone, or PMID's similar documents,
 * references or citers, restricted by text when there is some. */
static int build_query(const struct cli *c, sarc_index *ix, const char *text, sarc_query **q,
		       char *err, size_t errcap)
{
	static const struct sarc_query_opts plain = {SARC_SYNTAX_DEFAULT, 0};
	sarc_query *base = NULL, *filter = NULL;
	char fq[64];
	int rc;
	*q = NULL;
	switch (c->mode) {
	case MODE_SEARCH:
	case MODE_SHOW:
		return sarc_query_parse(ix, text, &c->qo, q, err, errcap);
	case MODE_SIMILAR:
		rc = sarc_query_similar(ix, c->pmid, c->similar_terms, &base, err, errcap);
		if (rc == 1) {
			snprintf(err, errcap, "PMID %u is not in the index", c->pmid);
			return ERR_NOTFOUND;
		}
		if (rc)
			return rc;
		if (!has_text(text))
			break;
		if ((rc = sarc_query_parse(ix, text, &c->qo, &filter, err, errcap)) != 0)
			goto fail;
		rc = sarc_query_restrict(base, filter);
		filter = NULL;
		if (rc) {
			snprintf(err, errcap, "cannot restrict the similar documents: %s",
				 err_str(rc));
			goto fail;
		}
		break;
	case MODE_REFS:
	case MODE_CITEDBY:
		/* P's references come from its record: without it there is
		 * no list to restrict or count (as without a query), while
		 * a PMID not in the index can still be cited */
		if (c->mode == MODE_REFS && (rc = sarc_doc_by_pmid(ix, c->pmid, NULL, NULL, err, errcap)) != 0) {
			if (rc == 1) {
				snprintf(err, errcap, "PMID %u is not in the index", c->pmid);
				return ERR_NOTFOUND;
			}
			return rc;
		}
		/* The engine's filters: citedby:P matches P's references,
		 * cites:P the documents whose references hold P.  They score
		 * nothing, so with text they restrict its ranking. */
		snprintf(fq, sizeof fq, "%s:%u", c->mode == MODE_REFS ? "citedby" : "cites",
			 c->pmid);
		if (!has_text(text))
			return sarc_query_parse(ix, fq, &plain, q, err, errcap);
		if ((rc = sarc_query_parse(ix, text, &c->qo, &base, err, errcap)) != 0)
			return rc;
		if ((rc = sarc_query_parse(ix, fq, &plain, &filter, err, errcap)) != 0)
			goto fail;
		rc = sarc_query_restrict(base, filter);
		filter = NULL;
		if (rc) {
			snprintf(err, errcap, "cannot restrict the query to %s: %s", fq,
				 err_str(rc));
			goto fail;
		}
		break;
	}
	*q = base;
	return 0;
fail:
	sarc_query_free(filter);
	sarc_query_free(base);
	return rc;
}

/* What one query run found: EXIT_HITS, EXIT_NONE, or EXIT_ERROR with err
 * filled. */
static int status_of(int rc, int found)
{
	return rc ? EXIT_ERROR : found ? EXIT_HITS : EXIT_NONE;
}

/* Formats hit i as a row on f. */
/* The citation count of hit h for a row (0 unless want), and whether
 * counting met damage (sarc_check: the index's damage is sticky, so the
 * caller checks in the order rows are printed). */
static uint32_t hit_cited(const struct cli *c, sarc_index *ix, const struct sarc_hit *h, int want)
{
	if (!want)
		return 0;
	return c->so.sort == SARC_SORT_CITED ? h->cited : sarc_cited_count(ix, h->pmid);
}

/* Formats hit i, cited by cited documents, as a row on f. */
static int format_hit(const struct cli *c, sarc_index *ix, sarc_query *q, const char *qid,
		      const struct sarc_hit *hits, size_t i, int need_doc, uint32_t cited, FILE *f,
		      char *err, size_t errcap)
{
	struct sarc_doc d;
	char *explain = NULL;
	struct out_row r = {0};
	memset(&d, 0, sizeof d);
	r.qid = qid;
	r.rank = c->so.offset + i + 1;
	r.pmid = hits[i].pmid;
	r.hit = &hits[i];
	r.cited = cited;
	int rc = 0;
	if (need_doc) {
		if ((rc = sarc_doc_get(ix, &hits[i], &d, err, errcap)) != 0)
			return rc;
		r.doc = &d;
	}
	if (rc == 0 && c->out.explain && (rc = sarc_explain(ix, q, &hits[i], &c->so, &explain)) != 0)
		snprintf(err, errcap, "cannot explain PMID %u: %s", hits[i].pmid, err_str(rc));
	if (rc == 0) {
		r.explain = explain;
		rc = out_row(&c->out, f, ix, q, &r, err, errcap);
	}
	free(explain);
	if (need_doc)
		sarc_doc_free(&d);
	return rc;
}

/* Formats one row apart from the others (print_hits, run_show, which
 * read in document order and print in another): fn writes the row on a
 * memory stream into *text.  The row fails if fn fails or if the index met
 * damage while fn ran (that damage is sticky, sarc_check: met before, it
 * belongs to another row); then rowerr says why and *text is NULL. */
typedef int row_fn(void *ctx, FILE *f, char *err, size_t errcap);
static int format_row(sarc_index *ix, row_fn *fn, void *ctx, char **text, size_t *len,
		      char *rowerr, size_t cap)
{
	int r = ERR_NOMEM, before = sarc_check(ix, NULL, 0) != 0;
	FILE *f = open_memstream(text, len);
	snprintf(rowerr, cap, "out of memory");
	if (f != NULL) {
		r = fn(ctx, f, rowerr, cap);
		if (fclose(f) != 0 && r == 0) {
			snprintf(rowerr, cap, "out of memory");
			r = ERR_NOMEM;
		}
	}
	if (r == 0 && !before)
		r = sarc_check(ix, rowerr, cap);
	if (r) {
		free(*text);
		*text = NULL;
	}
	return r;
}

/* A row of print_hits for format_row. */
struct hit_row {
	const struct cli *c;
	sarc_index *ix;
	sarc_query *q;
	const char *qid;
	const struct sarc_hit *hits;
	size_t i;
	int need_doc;
	uint32_t cited;
};

static int hit_row_fn(void *ctx, FILE *f, char *err, size_t errcap)
{
	const struct hit_row *h = ctx;
	return format_hit(h->c, h->ix, h->q, h->qid, h->hits, h->i, h->need_doc, h->cited, f, err,
			  errcap);
}

/* Rows formatted in document order before they are printed (see
 * print_hits): the first chunk's count, then as many as fill the budget
 * at the mean length of the rows so far. */
#define ROW_FIRST 512
#define ROW_BUDGET (64u << 20)

struct row_buf {
	size_t hit; /* index into hits */
	uint32_t seg, doc;
	uint32_t cited;
	char *text; /* the formatted row; NULL: not formatted */
	size_t len;
};

static int cmp_row_doc(const void *a, const void *b)
{
	const struct row_buf *x = a, *y = b;
	if (x->seg != y->seg)
		return x->seg < y->seg ? -1 : 1;
	return (x->doc > y->doc) - (x->doc < y->doc);
}

static int cmp_row_hit(const void *a, const void *b)
{
	const struct row_buf *x = a, *y = b;
	return (x->hit > y->hit) - (x->hit < y->hit);
}

/* Prints hits[0..n) as rows.  Rows that show stored records are
 * formatted a chunk at a time in the order of their documents, then
 * printed in rank order: a record is read by inflating its stored block
 * up to it (FORMAT.md §7), on average half a block of 48 for each record
 * read in rank order, where records read in document order share the
 * inflation of their blocks (the handle keeps the last block).  Chunks
 * are as large as ROW_BUDGET bytes of rows allows, so that a whole export
 * shares its blocks' inflation in one or a few passes.  An export of
 * 41,569 hits of 10^5 citations as JSON took 10.6 s of CPU, now ~1.5. */
static int print_hits(const struct cli *c, sarc_index *ix, sarc_query *q, const char *qid,
		      const struct sarc_hit *hits, size_t n, char *err, size_t errcap)
{
	int need_doc = out_needs_doc(&c->out), want_cited = c->out.cited, rc = 0;
	for (size_t i = 0; i < c->out.nfields && c->out.format == OUT_TSV; i++)
		want_cited |= c->out.fields[i] == OF_CITED;
	if (!need_doc || n < 2) {
		for (size_t i = 0; i < n && rc == 0; i++) {
			uint32_t cited = hit_cited(c, ix, &hits[i], want_cited);
			if ((rc = sarc_check(ix, err, errcap)) == 0) /* damage met counting */
				rc = format_hit(c, ix, q, qid, hits, i, need_doc, cited, stdout, err,
						errcap);
		}
		return rc;
	}
	struct row_buf *rows = NULL;
	size_t cap = 0, chunk = ROW_FIRST, bytes = 0;
	char rowerr[ERRCAP];
	for (size_t start = 0, m; start < n && rc == 0; start += m) {
		m = n - start < chunk ? n - start : chunk;
		if (m > cap) {
			struct row_buf *r = realloc(rows, sizeof *rows * m);
			if (r == NULL) {
				snprintf(err, errcap, "out of memory");
				rc = ERR_NOMEM;
				break;
			}
			rows = r;
			cap = m;
		}
		/* A row that fails (a damaged record) ends the output, as it did
		 * when rows were printed one by one: the rows ranked above the
		 * first failing one in rank order are printed, then its error.
		 * Damage met counting citations is the index's, not a row's, and
		 * stays (sarc_check): the counts are taken in rank order first. */
		size_t fail = SIZE_MAX;
		for (size_t i = 0; i < m; i++) {
			rows[i] = (struct row_buf){start + i, hits[start + i].seg, hits[start + i].doc,
						   hit_cited(c, ix, &hits[start + i], want_cited), NULL, 0};
			if (fail == SIZE_MAX && (rc = sarc_check(ix, err, errcap)) != 0)
				fail = start + i;
		}
		qsort(rows, m, sizeof *rows, cmp_row_doc);
		for (size_t i = 0; i < m; i++) {
			if (rows[i].hit >= fail)
				continue;
			struct hit_row h = {c, ix, q, qid, hits, rows[i].hit, need_doc, rows[i].cited};
			int r = format_row(ix, hit_row_fn, &h, &rows[i].text, &rows[i].len, rowerr,
					   sizeof rowerr);
			if (r) {
				fail = rows[i].hit;
				rc = r;
				snprintf(err, errcap, "%s", rowerr);
			}
		}
		qsort(rows, m, sizeof *rows, cmp_row_hit);
		size_t i = 0;
		for (; i < m && rows[i].text; i++) {
			fwrite(rows[i].text, 1, rows[i].len, stdout);
			bytes += rows[i].len;
			free(rows[i].text);
		}
		for (; i < m; i++)
			free(rows[i].text);
		size_t mean = bytes / (start + m) + 1;
		chunk = ROW_BUDGET / mean > ROW_FIRST ? ROW_BUDGET / mean : ROW_FIRST;
	}
	free(rows);
	return rc;
}

/* One reference of a listed reference list. */
struct ref_row {
	uint32_t pmid;
	size_t pos;            /* place in the stored list */
	int indexed;
	struct sarc_hit h;     /* address and year, when indexed */
	uint32_t key;          /* --sort date: year; --sort cited: citing documents */
};

/* --sort date|cited on a reference list orders it as the engine orders
 * hits: newest / most cited first, ties to the lower PMID (then the stored
 * order, for a PMID listed twice).  References not in the index have no
 * year and follow in their stored order. */
static int cmp_ref_row(const void *a, const void *b)
{
	const struct ref_row *x = a, *y = b;
	if (x->indexed != y->indexed)
		return x->indexed ? -1 : 1;
	if (x->indexed && x->key != y->key)
		return x->key > y->key ? -1 : 1;
	if (x->indexed && x->pmid != y->pmid)
		return x->pmid < y->pmid ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* --references PMID without a query: the stored list, in its order unless
 * --sort date or cited is given.  The list is read alone
 * (sarc_refs_by_pmid), each reference is looked up without reading its
 * record (sarc_doc_by_pmid with no doc), and only the printed rows of
 * formats that show more than PMIDs read theirs, once: reading a record
 * inflates its stored block up to the whole record. */
static int list_references(const struct cli *c, sarc_index *ix, char *err, size_t errcap)
{
	struct sarc_doc rd;
	struct ref_row *rows;
	uint32_t *refs;
	size_t nrefs;
	size_t indexed = 0, first = 0, last;
	char note[160];
	int rc, want_cited = c->out.cited;
	int need_doc = c->out.format != OUT_IDS && c->out.format != OUT_TREC;
	for (size_t i = 0; i < c->out.nfields && c->out.format == OUT_TSV; i++)
		want_cited |= c->out.fields[i] == OF_CITED;
	rc = sarc_refs_by_pmid(ix, c->pmid, &refs, &nrefs, err, errcap);
	if (rc == 1) {
		snprintf(err, errcap, "PMID %u is not in the index", c->pmid);
		return EXIT_ERROR;
	}
	if (rc)
		return EXIT_ERROR;
	if ((rows = calloc(nrefs ? nrefs : 1, sizeof *rows)) == NULL) {
		free(refs);
		snprintf(err, errcap, "out of memory");
		return EXIT_ERROR;
	}
	for (size_t i = 0; i < nrefs && rc == 0; i++) {
		rows[i].pmid = refs[i];
		rows[i].pos = i;
		rc = sarc_doc_by_pmid(ix, refs[i], NULL, &rows[i].h, err, errcap);
		rows[i].indexed = rc == 0;
		indexed += rc == 0;
		if (rc == 1)
			rc = 0;
		if (c->so.sort == SARC_SORT_DATE)
			rows[i].key = rows[i].h.year;
		else if (c->so.sort == SARC_SORT_CITED && rows[i].indexed)
			rows[i].key = sarc_cited_count(ix, refs[i]);
	}
	if (rc == 0)
		rc = sarc_check(ix, err, errcap); /* damage met counting citations */
	if (rc == 0 && c->so.sort != SARC_SORT_RELEVANCE && nrefs > 1)
		qsort(rows, nrefs, sizeof *rows, cmp_ref_row);
	if (c->k_set) {
		first = c->so.offset < nrefs ? c->so.offset : nrefs;
		last = nrefs - first > c->so.k ? first + c->so.k : nrefs;
	} else {
		last = nrefs;
	}
	if (rc == 0) {
		snprintf(note, sizeof note, "PMID %u cites %zu document%s, %zu in the index",
			 c->pmid, nrefs, nrefs == 1 ? "" : "s", indexed);
		out_note(&c->out, stdout, NULL, note);
		if (c->out.format == OUT_HUMAN)
			putchar('\n');
	}
	for (size_t i = first; i < last && rc == 0; i++) {
		struct out_row r = {0};
		memset(&rd, 0, sizeof rd);
		r.rank = i + 1;
		r.pmid = rows[i].pmid;
		r.refs = 1;
		/* a PMID need not be indexed to be cited: count for every row */
		r.cited = want_cited ? sarc_cited_count(ix, rows[i].pmid) : 0;
		if ((rc = sarc_check(ix, err, errcap)) != 0)
			break;
		if (rows[i].indexed && need_doc) {
			if ((rc = sarc_doc_get(ix, &rows[i].h, &rd, err, errcap)) != 0)
				break;
			r.doc = &rd;
		}
		rc = out_row(&c->out, stdout, ix, NULL, &r, err, errcap);
		sarc_doc_free(&rd);
	}
	free(rows);
	free(refs);
	/* as for hits, a page past the end of a list that has entries is not
	 * "nothing found" */
	return status_of(rc, nrefs > 0);
}

static const char *mode_note(const struct cli *c, char *buf, size_t cap)
{
	switch (c->mode) {
	case MODE_SIMILAR: snprintf(buf, cap, "documents similar to PMID %u", c->pmid); break;
	case MODE_REFS: snprintf(buf, cap, "references of PMID %u", c->pmid); break;
	case MODE_CITEDBY: snprintf(buf, cap, "documents citing PMID %u", c->pmid); break;
	default: return NULL;
	}
	return buf;
}

/* Runs one query (text may be empty outside MODE_SEARCH) and prints what
 * the action asks for. */
static int run_one(const struct cli *c, sarc_index *ix, const char *qid, const char *text,
		   char *err, size_t errcap)
{
	sarc_query *q = NULL;
	struct sarc_hit *hits = NULL;
	struct sarc_facet *fv = NULL;
	size_t nhits = 0, nfv = 0;
	uint64_t total = 0;
	char note[128];
	int rc, found = 0;

	if (c->mode == MODE_REFS && c->action == ACT_HITS && !has_text(text))
		return list_references(c, ix, err, errcap);
	if ((rc = build_query(c, ix, text, &q, err, errcap)) != 0)
		return EXIT_ERROR;
	switch (c->action) {
	case ACT_COUNT:
		if ((rc = sarc_count(ix, q, &total, err, errcap)) == 0)
			out_count(&c->out, stdout, qid, total);
		found = total > 0;
		break;
	case ACT_FACET:
		/* one pass: the facet counts its documents too */
		if ((rc = sarc_facet(ix, q, c->facet, &fv, &nfv, &total, err, errcap)) != 0)
			break;
		if (qid)
			out_note(&c->out, stdout, qid, text);
		out_facet(&c->out, stdout, qid, c->facet, fv, nfv, total);
		found = total > 0;
		break;
	case ACT_HITS:
		if (c->out.format == OUT_HUMAN &&
		    (rc = sarc_count(ix, q, &total, err, errcap)) != 0)
			break;
		if ((rc = sarc_search(ix, q, &c->so, &hits, &nhits, err, errcap)) != 0)
			break;
		/* A page past the last hit is empty, but documents matched and
		 * the status says so (grep's 0): count them to know. */
		if (nhits == 0 && c->so.offset > 0 && c->out.format != OUT_HUMAN &&
		    (rc = sarc_count(ix, q, &total, err, errcap)) != 0)
			break;
		if (c->out.format == OUT_HUMAN) {
			const char *m = mode_note(c, note, sizeof note);
			if (qid)
				out_note(&c->out, stdout, qid, text);
			if (m)
				out_note(&c->out, stdout, NULL, m);
			if (c->out.explain) {
				fputs("query: ", stdout);
				out_note(&c->out, stdout, NULL, sarc_query_describe(q));
			}
			out_query_header(&c->out, stdout, NULL, text, total, c->so.offset + 1,
					 c->so.offset + nhits);
		}
		rc = print_hits(c, ix, q, qid, hits, nhits, err, errcap);
		found = nhits > 0 || total > 0;
		break;
	}
	const char *qn = rc == 0 ? sarc_query_note(q) : NULL;
	if (qn)
		fprintf(stderr, "sarc-query: note: %s%s%s\n", qid ? qid : "", qid ? ": " : "", qn);
	free(hits);
	sarc_facets_free(fv, nfv);
	sarc_query_free(q);
	return status_of(rc, found);
}

/* The query language reads NUL as a space (docs/QUERY.md), but a C string
 * would end there and drop the rest of the line silently: make it the
 * space it stands for.  Other control bytes reach the parser as they are. */
static void nul_to_space(char *s, size_t n)
{
	for (char *p = memchr(s, '\0', n); p; p = memchr(p, '\0', n - (size_t)(p - s)))
		*p = ' ';
}

/* Whether a batch line's query id and query can run; if not, says why on
 * stderr, naming the line (qid may be overwritten for printing).  trec_eval
 * splits a run on whitespace, so an id holding a space or a control byte
 * would shift every column after it: such an id is refused, not rewritten,
 * since a changed id would silently match no topic of the qrels.  An empty
 * query is an error as it is on the command line, not a skipped topic. */
/* Bytes of the C1 control or Unicode space (what Python's str.split()
 * splits on) that p starts, or 0. */
static size_t unicode_blank(const unsigned char *p)
{
	if (p[0] == 0xC2 && ((p[1] >= 0x80 && p[1] <= 0x9F) || p[1] == 0xA0))
		return 2; /* C1 controls, NEL, no-break space */
	if ((p[0] == 0xE1 && p[1] == 0x9A && p[2] == 0x80) || /* ogham space mark */
	    (p[0] == 0xE2 && p[1] == 0x80 &&
	     ((p[2] >= 0x80 && p[2] <= 0x8A) || p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF)) ||
	    (p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0x9F) || /* medium mathematical space */
	    (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80))   /* ideographic space */
		return 3;
	return 0;
}

static int batch_line_ok(unsigned long long lineno, char *qid, const char *text)
{
	int one_word = 1;
	for (unsigned char *p = (unsigned char *)qid; *p; p++) {
		size_t u = unicode_blank(p);
		if (*p <= 0x20 || *p == 0x7f || u)
			one_word = 0;
		if (*p < 0x20 || *p == 0x7f)
			*p = '?'; /* no control bytes to the terminal */
		for (size_t k = 0; k < u; k++)
			p[k] = '?';
	}
	if (*qid && one_word && has_text(text))
		return 1;
	fflush(stdout); /* the message comes after the output of earlier lines */
	if (*qid == '\0')
		fprintf(stderr, "sarc-query: line %llu: empty query id\n", lineno);
	else if (!one_word)
		fprintf(stderr, "sarc-query: line %llu: query id '%s' is not one word\n", lineno,
			qid);
	else
		fprintf(stderr, "sarc-query: line %llu: query %s is empty\n", lineno, qid);
	return 0;
}

/* --batch: one query per line of standard input, "QID<TAB>QUERY" or just
 * "QUERY" (QID = line number).  A bad query is reported with its QID and
 * the rest still run; the status is then 2. */
static int run_batch(const struct cli *c, sarc_index *ix)
{
	char *line = NULL, err[ERRCAP], qidbuf[32];
	size_t cap = 0;
	ssize_t len;
	unsigned long long lineno = 0;
	int any_hits = 0, any_error = 0;
	while ((len = getline(&line, &cap, stdin)) != -1) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		nul_to_space(line, (size_t)len);
		if (!has_text(line))
			continue; /* a blank line */
		char *text = line, *tab = strchr(line, '\t');
		char *qid = qidbuf;
		snprintf(qidbuf, sizeof qidbuf, "%llu", lineno);
		if (tab) {
			*tab = '\0';
			qid = line;
			text = tab + 1;
		}
		if (!batch_line_ok(lineno, qid, text)) {
			any_error = 1;
			continue;
		}
		err[0] = '\0';
		int st = run_one(c, ix, qid, text, err, sizeof err);
		if (st == EXIT_ERROR) {
			fflush(stdout);
			/* The engine's "query: position N: ..." already says query. */
			const char *msg = strncmp(err, "query: ", 7) == 0 ? err + 7 : err;
			fprintf(stderr, "sarc-query: query %s: %s\n", qid, msg);
			any_error = 1;
		} else if (st == EXIT_HITS) {
			any_hits = 1;
		}
	}
	int rerr = ferror(stdin);
	free(line);
	if (rerr) {
		fprintf(stderr, "sarc-query: cannot read the queries: %s\n", strerror(errno));
		return EXIT_ERROR;
	}
	return any_error ? EXIT_ERROR : any_hits ? EXIT_HITS : EXIT_NONE;
}

/* --show PMID...: arguments may also be comma-separated lists. */
/* One PMID of --show, in argument order. */
struct show_item {
	uint32_t pmid;
	int found;          /* live in the index */
	struct sarc_hit h;  /* where, when found */
	size_t pos;         /* its place among the records shown */
	uint32_t cited;     /* documents citing it */
	char *text;         /* the record formatted; NULL: not formatted */
	size_t len;
};

static int cmp_show_doc(const void *a, const void *b)
{
	const struct show_item *x = *(struct show_item *const *)a, *y = *(struct show_item *const *)b;
	if (x->h.seg != y->h.seg)
		return x->h.seg < y->h.seg ? -1 : 1;
	return (x->h.doc > y->h.doc) - (x->h.doc < y->h.doc);
}

/* Formats the record of it on f, as --show prints it. */
static int show_one(const struct cli *c, sarc_index *ix, const struct show_item *it, FILE *f,
		    char *err, size_t errcap)
{
	struct sarc_doc d;
	int rc = sarc_doc_get(ix, &it->h, &d, err, errcap);
	if (rc)
		return rc;
	size_t indexed = 0;
	for (size_t i = 0; i < d.nrefs && rc == 0; i++) {
		/* whether it is indexed, without reading it */
		if ((rc = sarc_doc_by_pmid(ix, d.refs[i], NULL, NULL, err, errcap)) == 0)
			indexed++;
		if (rc == 1)
			rc = 0;
	}
	if (rc == 0)
		rc = out_record(&c->out, f, it->pos, &d, indexed, it->cited, err, errcap);
	sarc_doc_free(&d);
	return rc;
}

/* A record of run_show for format_row. */
struct show_row {
	const struct cli *c;
	sarc_index *ix;
	const struct show_item *it;
};

static int show_row_fn(void *ctx, FILE *f, char *err, size_t errcap)
{
	const struct show_row *sr = ctx;
	return show_one(sr->c, sr->ix, sr->it, f, err, errcap);
}

/* Rows of --show formatted before they are printed (see print_hits). */
#define SHOW_CHUNK 4096

/* --show: the records of the PMIDs in argument order, read in document
 * order a chunk at a time (see print_hits: 5,000 PMIDs of a search took
 * twice as long read in their order).  A PMID not in the index is said on
 * stderr at its place; a failing record ends the output after those
 * before it. */
static int run_show(const struct cli *c, sarc_index *ix, char *err, size_t errcap)
{
	struct show_item *items = NULL;
	size_t n = 0, cap = 0, found = 0;
	int missing = 0, rc = 0;
	for (int a = 0; a < c->nargs && rc == 0; a++) {
		for (char *p = c->args[a]; *p;) {
			size_t len = strcspn(p, ", ");
			char id[16];
			uint32_t pmid;
			if (len == 0) {
				p++;
				continue;
			}
			snprintf(id, sizeof id, "%.*s", (int)(len < 15 ? len : 15), p);
			if (len > 15 || parse_pmid(id, &pmid)) {
				snprintf(err, errcap, "not a PMID: '%.*s'", (int)len, p);
				rc = ERR_USAGE;
				break;
			}
			p += len;
			if (n == cap) {
				size_t nc = cap ? 2 * cap : 64;
				struct show_item *v = realloc(items, sizeof *v * nc);
				if (v == NULL) {
					snprintf(err, errcap, "out of memory");
					rc = ERR_NOMEM;
					break;
				}
				items = v;
				cap = nc;
			}
			items[n++] = (struct show_item){.pmid = pmid};
		}
	}
	struct show_item **order = rc == 0 ? malloc(sizeof *order * (n ? n : 1)) : NULL;
	if (rc == 0 && order == NULL) {
		snprintf(err, errcap, "out of memory");
		rc = ERR_NOMEM;
	}
	char rowerr[ERRCAP];
	for (size_t start = 0; start < n && rc == 0; start += SHOW_CHUNK) {
		size_t m = n - start < SHOW_CHUNK ? n - start : SHOW_CHUNK, no = 0;
		size_t stop = start + m; /* what is printed: items[start .. stop) */
		for (size_t i = start; i < start + m && rc == 0; i++) {
			struct show_item *it = &items[i];
			int r = sarc_doc_by_pmid(ix, it->pmid, NULL, &it->h, err, errcap);
			if (r == 0) {
				it->found = 1;
				it->pos = ++found;
				order[no++] = it;
				/* counted in argument order: damage met counting is
				 * the index's and stays (see print_hits) */
				it->cited = sarc_cited_count(ix, it->pmid);
				r = sarc_check(ix, err, errcap);
			}
			if (r != 0 && r != 1) {
				rc = r;
				stop = i;
			}
		}
		qsort(order, no, sizeof *order, cmp_show_doc);
		/* the first failure in argument order ends the output */
		for (size_t i = 0; i < no; i++) {
			size_t at = (size_t)(order[i] - items);
			if (at >= stop)
				continue;
			struct show_row sr = {c, ix, order[i]};
			int r = format_row(ix, show_row_fn, &sr, &order[i]->text, &order[i]->len,
					   rowerr, sizeof rowerr);
			if (r) {
				stop = at;
				rc = r;
				snprintf(err, errcap, "%s", rowerr);
			}
		}
		for (size_t i = start; i < stop; i++) {
			struct show_item *it = &items[i];
			if (it->found) {
				fwrite(it->text, 1, it->len, stdout);
				continue;
			}
			fflush(stdout);
			fprintf(stderr, "sarc-query: PMID %u is not in the index\n", it->pmid);
			missing = 1;
		}
		for (size_t i = start; i < start + m; i++)
			free(items[i].text);
	}
	free(order);
	free(items);
	if (rc)
		return EXIT_ERROR;
	return missing ? EXIT_NONE : EXIT_HITS;
}

/* The arguments as one query string. */
static char *join_args(char **args, int n)
{
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(args[i]) + 1;
	char *s = malloc(len), *p = s;
	if (s == NULL)
		return NULL;
	*p = '\0';
	for (int i = 0; i < n; i++) {
		size_t l = strlen(args[i]);
		if (i)
			*p++ = ' ';
		memcpy(p, args[i], l);
		p += l;
		*p = '\0';
	}
	return s;
}

int main(int argc, char **argv)
{
	struct cli c;
	char err[ERRCAP] = "";
	int color_when = COLOR_AUTO, st;
	long width = -1;
	sarc_index *ix = NULL;
	char *text = NULL;

	setlocale(LC_NUMERIC, "C"); /* "%.6f" with a dot, whatever the user's locale */
	memset(&c, 0, sizeof c);
	sarc_search_opts_default(&c.so);
	if (c.so.k == 0)
		c.so.k = DEFAULT_K;
	c.similar_terms = DEFAULT_SIMILAR_TERMS;
	out_opts_default(&c.out);

	switch (parse_args(argc, argv, &c, &color_when, &width, err, sizeof err)) {
	case PARSED_HELP:
		usage(stdout);
		return err_stdout_ok("sarc-query") ? 0 : EXIT_ERROR;
	case PARSED_VERSION:
		printf("sarc-query %s (index format %d)\n", SARC_VERSION, SARC_FORMAT_VERSION);
		return err_stdout_ok("sarc-query") ? 0 : EXIT_ERROR;
	case PARSED_USAGE:
		fprintf(stderr, "sarc-query: %s (try 'sarc-query --help')\n", err);
		return EXIT_ERROR;
	case PARSED_RUN:
		break;
	}
	resolve_terminal(&c, color_when, width);
	if (c.index == NULL) {
		const char *e = getenv("SARC_INDEX");
		c.index = e && *e ? e : DEFAULT_INDEX;
	}
	if (sarc_open(c.index, &ix, err, sizeof err) != 0) {
		if (strstr(err, c.index))
			fprintf(stderr, "sarc-query: %s\n", err);
		else
			fprintf(stderr, "sarc-query: cannot open index '%s': %s\n", c.index, err);
		return EXIT_ERROR;
	}


	out_tsv_header(&c.out, stdout, c.action == ACT_COUNT ? OUT_TABLE_COUNT
				       : c.action == ACT_FACET ? OUT_TABLE_FACET : OUT_TABLE_HITS);
	if (c.mode == MODE_SHOW) {
		st = run_show(&c, ix, err, sizeof err);
	} else if (c.batch) {
		st = run_batch(&c, ix);
		err[0] = '\0';
	} else if ((text = join_args(c.args, c.nargs)) == NULL) {
		snprintf(err, sizeof err, "out of memory");
		st = EXIT_ERROR;
	} else {
		st = run_one(&c, ix, NULL, text, err, sizeof err);
	}
	free(text);
	sarc_close(ix);
	if (!err_stdout_ok("sarc-query"))
		return EXIT_ERROR;
	if (st == EXIT_ERROR && err[0])
		fprintf(stderr, "sarc-query: %s\n", err);
	return st;
}
