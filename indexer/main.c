/*
 * main.c - sarc-index: the command line only.  Options are parsed into a
 * struct bld_options and handed to build.c; --stats, --verify, --dump and
 * --parse-only are small drivers over the library modules.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "build.h"
#include "cliopt.h"
#include "dump.h"
#include "fields.h"
#include "inputs.h"
#include "ix.h"
#include "pubmed.h"
#include "sarc.h" /* SARC_VERSION */
#include "fmt.h"
#include "seg.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: sarc-index -o INDEX [options] FILE|DIR|- ...\n"
"       sarc-index --merge INDEX | --stats INDEX | --verify INDEX\n"
"       sarc-index --dump FILE...  |  --parse-only FILE...\n"
"\n"
"Indexes PubMed XML (.xml, .xml.gz, '-' for standard input, directories\n"
"recursed in sorted order) into INDEX, creating it or adding to it.  The\n"
"last record seen for a PMID replaces earlier ones; DeleteCitation removes.\n"
"\n"
"  -o, --output INDEX     index directory to create or add to\n"
"  -T, --files-from FILE  read input paths from FILE, one per line ('-': stdin)\n"
"  -j, --threads N        parse N files in parallel (default: all cores)\n"
"  -m, --memory SIZE      memory budget for buffered postings (default 1G;\n"
"                         suffixes K, M, G; 1M to 1024G); the process needs\n"
"                         about 30M per thread more\n"
"      --no-stem          do not stem (new index only)\n"
"      --stopwords LIST   space-separated stopwords (new index only)\n"
"  -k, --keep-going       skip a bad input file, report it, index the rest\n"
"      --final-merge      merge the segments this run writes into one\n"
"      --merge INDEX      compact all segments of INDEX into one\n"
"      --stats INDEX      documents, terms, postings and bytes per part\n"
"      --verify INDEX     check every checksum and invariant\n"
"      --dump FILE...     print the records extracted from FILE as JSON lines\n"
"      --parse-only FILE... read and extract, index nothing (for benchmarks)\n"
"      --json             print counts (--stats, --verify, --parse-only, the\n"
"                         run summary) as JSON\n"
"  -q, --quiet            no progress line and no summary\n"
"  -h, --help             this help\n"
"  -V, --version          print the version and the index format version\n"
"\n"
"Examples:\n"
"  sarc-index -o sarcoma.idx pubmed25n0001.xml.gz pubmed25n0002.xml.gz\n"
"  sarc-index -o sarcoma.idx --keep-going downloads/\n"
"  sarc-index --stats --json sarcoma.idx\n"
"\n"
"Exit status: 0 success, 1 finished with a warning (input skipped under\n"
"--keep-going, records without a PMID skipped, segments left unmerged, the\n"
"commit not synced to disk, or the --json summary not written), 2 error\n"
"(one line on standard error; the previous index is untouched).\n");
}

/* A usage error: one line, as every error of ours (and as sarc-query's),
 * with the way to the help at its end.  Returns 2. */
static int die_usage(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;
static int die_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("sarc-index: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs(" (try 'sarc-index --help')\n", stderr);
	va_end(ap);
	return 2;
}

/* The largest --memory: far above any machine's memory today, and with
 * it the budget arithmetic (a share per thread, a merge's) stays far
 * from overflowing size_t. */
#define MEMORY_MAX_G 1024

/* Parses --memory: 0, or -1 when s is not a size (a number with an
 * optional K, M or G), -2 when it is under 1M, -3 when over the maximum. */
static int parse_size(const char *s, size_t *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	/* strtod takes "nan" and "inf": no size, and casting them (or
	 * 1e30) to size_t is undefined */
	if (end == s)
		return -1;
	if (errno == ERANGE && v >= 1) /* overflowed to HUGE_VAL */
		return -3;
	if (!isfinite(v) || v <= 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': v *= 1024; end++; break;
	case 'm': case 'M': v *= 1024 * 1024; end++; break;
	case 'g': case 'G': v *= 1024.0 * 1024 * 1024; end++; break;
	case '\0': break;
	default: return -1;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		return -1;
	if (v < 1 << 20)
		return -2;
	if (v > (double)MEMORY_MAX_G * 1024 * 1024 * 1024 || v > (double)(SIZE_MAX / 2))
		return -3;
	*out = (size_t)v;
	return 0;
}

static void report(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "sarc-index: %s\n", msg);
}

static int do_dump(char **files, int n, int parse_only, int json)
{
	struct err e;
	uint64_t records = 0, bytes = 0, deletes = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		err_clear(&e);
		pm_reader *r = pm_open(files[i], PM_READ_AHEAD, &e);
		if (r == NULL) {
			fprintf(stderr, "sarc-index: %s\n", e.msg);
			return 2;
		}
		struct pm_event ev;
		int rc;
		while ((rc = pm_next(r, &ev, &e)) == 1) {
			if (ev.kind == PM_EV_RECORD)
				records++;
			else
				deletes++;
			if (!parse_only)
				pm_dump_json(stdout, &ev);
		}
		bytes += pm_bytes(r);
		int crc = pm_close(r, rc < 0 ? NULL : &e);
		if (rc < 0 || crc) {
			fflush(stdout);
			fprintf(stderr, "sarc-index: %s\n", e.msg);
			return 2;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (parse_only) {
		if (json)
			printf("{\"records\":%llu,\"deletes\":%llu,\"bytes\":%llu,\"seconds\":%.6f,\"mb_per_s\":%.2f}\n",
			       (unsigned long long)records, (unsigned long long)deletes,
			       (unsigned long long)bytes, s, s > 0 ? bytes / 1e6 / s : 0);
		else
			printf("%llu records, %llu deletions, %.1f MB in %.3f s (%.1f MB/s)\n",
			       (unsigned long long)records, (unsigned long long)deletes, bytes / 1e6, s,
			       s > 0 ? bytes / 1e6 / s : 0);
	}
	return err_stdout_ok("sarc-index") ? 0 : 2;
}

static int do_stats(const char *dir, int json)
{
	struct ix x;
	struct err e;
	err_clear(&e);
	if (ix_open(&x, dir, &e)) {
		fprintf(stderr, "sarc-index: %s\n", e.msg);
		return 2;
	}
	uint64_t docs = 0, deleted = 0, terms = 0, postings = 0, bytes[SEGF_N] = {0}, delbytes = 0;
	uint64_t stored_raw = 0;
	/* by field: terms, postings, bytes of postings and of positions */
	uint64_t fterms[FK_END] = {0}, fpost[FK_END] = {0}, fpb[FK_END] = {0}, fpos[FK_END] = {0};
	static const char *const fknames[FK_END - F_NFIELDS] = {"facet:journal", "facet:mesh",
								  "facet:pt"};
	for (size_t i = 0; i < x.nsegs; i++) {
		struct seg *s = &x.segs[i];
		docs += s->ndocs;
		deleted += s->ndeleted;
		terms += s->nterms;
		for (int f = 0; f < SEGF_N; f++)
			bytes[f] += s->f[f].size;
		delbytes += s->del.size;
		stored_raw += s->stored_text_bytes;
		struct seg_dict_iter it;
		if (seg_dict_seek(&it, s, (const uint8_t *)"", 0, &e) == 0)
			while (seg_dict_next(&it, &e) == 1) {
				unsigned f = it.t.key[0] < FK_END ? it.t.key[0] : 0;
				postings += it.t.df;
				fterms[f]++;
				fpost[f] += it.t.df;
				fpb[f] += it.t.post_len;
				fpos[f] += it.t.pos_len;
			}
		if (e.code) {
			fprintf(stderr, "sarc-index: %s\n", e.msg);
			ix_close(&x);
			return 2;
		}
	}
	uint64_t total = delbytes;
	for (int f = 0; f < SEGF_N; f++)
		total += bytes[f];
	uint64_t nostored = total - bytes[SEGF_STORED];
	static const char *part[SEGF_N] = {"documents", "dictionary", "postings", "positions",
					   "stored"};
	if (json) {
		printf("{\"documents\":%llu,\"deleted\":%llu,\"segments\":%zu,\"terms\":%llu,"
		       "\"postings\":%llu,\"stemmed\":%s,",
		       (unsigned long long)(docs - deleted), (unsigned long long)deleted, x.nsegs,
		       (unsigned long long)terms, (unsigned long long)postings,
		       (x.mf.flags & MF_FLAG_STEM) ? "true" : "false");
		fputs("\"stopwords\":", stdout);
		dump_json_str(stdout, x.mf.stopwords ? x.mf.stopwords : "");
		fputs(",\"bytes\":{", stdout);
		for (int f = 0; f < SEGF_N; f++)
			printf("\"%s\":%llu,", part[f], (unsigned long long)bytes[f]);
		printf("\"deletions\":%llu,\"total\":%llu,\"without_stored\":%llu},\"fields\":{",
		       (unsigned long long)delbytes, (unsigned long long)total,
		       (unsigned long long)nostored);
		for (unsigned f = 0; f < FK_END; f++)
			printf("%s\"%s\":{\"terms\":%llu,\"postings\":%llu,\"postings_bytes\":%llu,"
			       "\"positions_bytes\":%llu}",
			       f ? "," : "", f < F_NFIELDS ? field_name(f) : fknames[f - F_NFIELDS],
			       (unsigned long long)fterms[f],
			       (unsigned long long)fpost[f], (unsigned long long)fpb[f],
			       (unsigned long long)fpos[f]);
		printf("},\"bytes_per_posting\":%.3f,\"stored_raw\":%llu,\"stored_ratio\":%.2f}\n",
		       postings ? (double)(bytes[SEGF_POST] + bytes[SEGF_POS]) / (double)postings : 0,
		       (unsigned long long)stored_raw,
		       bytes[SEGF_STORED] ? (double)stored_raw / (double)bytes[SEGF_STORED] : 0);
	} else {
		printf("index         %s\n", dir);
		printf("documents     %llu (%llu deleted, not yet merged away)\n",
		       (unsigned long long)(docs - deleted), (unsigned long long)deleted);
		printf("segments      %zu\n", x.nsegs);
		printf("terms         %llu (summed over segments)\n", (unsigned long long)terms);
		printf("postings      %llu\n", (unsigned long long)postings);
		printf("stemming      %s\n", (x.mf.flags & MF_FLAG_STEM) ? "on" : "off");
		printf("stopwords     %s\n", x.mf.stopwords && *x.mf.stopwords ? x.mf.stopwords : "(none)");
		for (int f = 0; f < SEGF_N; f++)
			printf("%-13s %llu bytes\n", part[f], (unsigned long long)bytes[f]);
		printf("%-13s %llu bytes\n", "deletions", (unsigned long long)delbytes);
		printf("%-13s %llu bytes (%llu without stored fields)\n", "total",
		       (unsigned long long)total, (unsigned long long)nostored);
		printf("%-13s %llu bytes raw, compressed %.2f:1\n", "stored text",
		       (unsigned long long)stored_raw,
		       bytes[SEGF_STORED] ? (double)stored_raw / (double)bytes[SEGF_STORED] : 0);
		if (postings)
			printf("bytes/posting %.3f (postings + positions)\n",
			       (double)(bytes[SEGF_POST] + bytes[SEGF_POS]) / (double)postings);
		printf("\n%-13s %10s %12s %14s %15s\n", "field", "terms", "postings",
		       "postings bytes", "positions bytes");
		for (unsigned f = 0; f < FK_END; f++)
			printf("%-13s %10llu %12llu %14llu %15llu\n",
			       f < F_NFIELDS ? field_name(f) : fknames[f - F_NFIELDS],
			       (unsigned long long)fterms[f], (unsigned long long)fpost[f],
			       (unsigned long long)fpb[f], (unsigned long long)fpos[f]);
	}
	ix_close(&x);
	return err_stdout_ok("sarc-index") ? 0 : 2;
}

static int do_verify(const char *dir, int json)
{
	struct ix x;
	struct err e;
	err_clear(&e);
	int rc = ix_open(&x, dir, &e);
	/* ix_open's messages name the index; seg_verify's only its files */
	const char *where = rc ? "" : dir, *colon = rc ? "" : ": ";
	for (size_t i = 0; rc == 0 && i < x.nsegs; i++)
		rc = seg_verify(&x.segs[i], dir, &e);
	if (rc == 0 && json)
		printf("{\"ok\":true,\"segments\":%zu}\n", x.nsegs);
	else if (rc == 0)
		printf("%s: ok (%zu segments verified)\n", dir, x.nsegs);
	if (rc == 0 || rc != ENOENT)
		ix_close(&x);
	if (rc) {
		if (json) {
			/* scripts read the reason here; people on stderr */
			char msg[sizeof e.msg + 4200];
			snprintf(msg, sizeof msg, "%s%s%s", where, colon, e.msg);
			fputs("{\"ok\":false,\"error\":", stdout);
			dump_json_str(stdout, msg);
			fputs("}\n", stdout);
		}
		fprintf(stderr, "sarc-index: %s%s%s\n", where, colon, e.msg);
		return 2;
	}
	return err_stdout_ok("sarc-index") ? 0 : 2;
}

/* getopt takes the word after --stats, --verify or --merge as the index
 * even when it is another option (--stats --json IDX).  Then that option
 * is handed back to getopt and the index is the first operand (""
 * until main takes it). */
static const char *index_arg(const char *arg)
{
	if (arg[0] == '-' && arg[1] != '\0') {
		optind--;
		return "";
	}
	return arg;
}

static void print_summary(const struct bld_stats *s, int json)
{
	if (json) {
		printf("{\"files\":%llu,\"files_skipped\":%llu,\"read\":%llu,\"indexed\":%llu,"
		       "\"replaced\":%llu,\"deleted\":%llu,\"delete_not_found\":%llu,"
		       "\"skipped_no_pmid\":%llu,\"documents\":%llu,\"bytes_xml\":%llu,"
		       "\"segments_written\":%llu,\"merges\":%llu,\"stored_blocks_copied\":%llu,"
		       "\"stored_blocks_packed\":%llu,\"seconds\":%.3f}\n",
		       (unsigned long long)s->files, (unsigned long long)s->files_failed,
		       (unsigned long long)s->read, (unsigned long long)s->indexed,
		       (unsigned long long)s->replaced, (unsigned long long)s->deleted,
		       (unsigned long long)s->delete_missing, (unsigned long long)s->skipped_nopmid,
		       (unsigned long long)s->index_docs, (unsigned long long)s->bytes_xml,
		       (unsigned long long)s->segments_written, (unsigned long long)s->merges,
		       (unsigned long long)s->stored_blocks_copied,
		       (unsigned long long)s->stored_blocks_packed, s->seconds);
		return;
	}
	if (s->files == 0 && s->files_failed == 0) { /* --merge alone */
		fprintf(stderr, "sarc-index: %llu merge%s; index holds %llu citations; %.1f s\n",
			(unsigned long long)s->merges, s->merges == 1 ? "" : "s",
			(unsigned long long)s->index_docs, s->seconds);
		return;
	}
	fprintf(stderr,
		"sarc-index: %llu file%s (%llu skipped), %llu records read, %llu indexed, "
		"%llu replaced, %llu deleted (%llu deletions of absent PMIDs), "
		"%llu skipped without PMID; index holds %llu citations; %.1f s\n",
		(unsigned long long)s->files, s->files == 1 ? "" : "s", (unsigned long long)s->files_failed,
		(unsigned long long)s->read, (unsigned long long)s->indexed,
		(unsigned long long)s->replaced, (unsigned long long)s->deleted,
		(unsigned long long)s->delete_missing, (unsigned long long)s->skipped_nopmid,
		(unsigned long long)s->index_docs, s->seconds);
}

/* The command line; lists has room for every -T of argv. */
static int cli(int argc, char **argv, const char **lists)
{
	enum { O_NOSTEM = 256, O_STOP, O_MERGE, O_STATS, O_VERIFY, O_DUMP, O_PARSE, O_JSON,
	       O_NOFINAL };
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"files-from", required_argument, NULL, 'T'},
		{"threads", required_argument, NULL, 'j'},
		{"memory", required_argument, NULL, 'm'},
		{"no-stem", no_argument, NULL, O_NOSTEM},
		{"stopwords", required_argument, NULL, O_STOP},
		{"keep-going", no_argument, NULL, 'k'},
		{"merge", required_argument, NULL, O_MERGE},
		{"stats", required_argument, NULL, O_STATS},
		{"verify", required_argument, NULL, O_VERIFY},
		{"dump", no_argument, NULL, O_DUMP},
		{"parse-only", no_argument, NULL, O_PARSE},
		{"json", no_argument, NULL, O_JSON},
		{"final-merge", no_argument, NULL, O_NOFINAL},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct bld_options o;
	struct inputs in = {0};
	struct err e;
	/* Indexing frees and regrows tables of many megabytes per batch; with
	 * glibc's adaptive threshold those end up in the heap and are never
	 * returned, and RSS outgrows --memory.  A fixed threshold keeps them
	 * in their own mappings, given back on free. */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	const char *stats = NULL, *verify = NULL, *merge = NULL;
	size_t nlists = 0;
	int dump = 0, parse_only = 0, json = 0, quiet = 0, c, rc = 0;
	char why[128];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	memset(&o, 0, sizeof o);
	o.threads = ncpu > 0 ? (int)ncpu : 1;
	o.memory_bytes = (size_t)1 << 30;
	o.stem = 1;
	err_clear(&e);
	opterr = 0; /* our own one-line messages */
	while ((c = getopt_long(argc, argv, ":o:T:j:m:kqhV", opts, NULL)) != -1) {
		switch (c) {
		case 'o': o.index = optarg; break;
		case 'T': lists[nlists++] = optarg; break;
		case 'j': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 256)
				return die_usage("bad value for --threads: '%s'", optarg);
			o.threads = (int)n;
			break;
		}
		case 'm':
			switch (parse_size(optarg, &o.memory_bytes)) {
			case 0: break;
			case -2: return die_usage("--memory too small: '%s' (at least 1M)", optarg);
			case -3:
				return die_usage("--memory too large: '%s' (at most %dG)", optarg,
						 MEMORY_MAX_G);
			default:
				return die_usage("bad value for --memory: '%s' (a size such as "
						 "512M or 2G: suffixes K, M, G)", optarg);
			}
			break;
		case O_NOSTEM: o.stem = 0; o.given |= BLD_GIVEN_STEM; break;
		case O_STOP: o.stopwords = optarg; o.given |= BLD_GIVEN_STOPWORDS; break;
		case 'k': o.keep_going = 1; break;
		case O_MERGE: merge = index_arg(optarg); break;
		case O_STATS: stats = index_arg(optarg); break;
		case O_VERIFY: verify = index_arg(optarg); break;
		case O_DUMP: dump = 1; break;
		case O_PARSE: parse_only = 1; break;
		case O_JSON: json = 1; break;
		case O_NOFINAL: o.final_merge = 1; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V':
			printf("sarc-index %s (index format %d, analyzer %d)\n", SARC_VERSION,
			       SARC_FORMAT_VERSION, AN_VERSION);
			return 0;
		default: /* '?' or ':' */
			cli_refused(argv, opts, c, optind, optopt, why, sizeof why);
			return die_usage("%s", why);
		}
	}
	/* One thing at a time: a mode given with another would be ignored
	 * without a word (--merge with --stats was not done).  Checked before
	 * the index is taken below, which two modes would share ("--merge
	 * --stats IDX"). */
	const char *modes[6];
	int nmodes = 0;
	if (merge)
		modes[nmodes++] = "--merge";
	if (stats)
		modes[nmodes++] = "--stats";
	if (verify)
		modes[nmodes++] = "--verify";
	if (dump)
		modes[nmodes++] = "--dump";
	if (parse_only)
		modes[nmodes++] = "--parse-only";
	if (nmodes > 1)
		return die_usage("%s and %s cannot be used together", modes[0], modes[1]);
	/* the index of --stats, --verify or --merge given after other options */
	const char **later = stats && !*stats ? &stats : verify && !*verify ? &verify
			     : merge && !*merge ? &merge : NULL;
	if (later) {
		if (optind >= argc)
			return die_usage("no index given");
		*later = argv[optind++];
	}
	if (nmodes > 0 && o.index && !(merge && strcmp(o.index, merge) == 0))
		return die_usage("-o and %s cannot be used together", modes[0]);
	if ((stats || verify) && (optind < argc || nlists > 0))
		return die_usage("--stats and --verify take one index; extra argument '%s'",
				 optind < argc ? argv[optind] : lists[0]);
	if ((dump || parse_only) && nlists > 0)
		return die_usage("--dump and --parse-only read the files named as arguments, not -T");
	if (merge && (optind < argc || nlists > 0))
		return die_usage("--merge takes no input files; extra argument '%s'",
				 optind < argc ? argv[optind] : lists[0]);
	if (stats)
		return do_stats(stats, json);
	if (verify)
		return do_verify(verify, json);
	if (dump || parse_only) {
		if (optind >= argc)
			return die_usage("--dump and --parse-only need files");
		int nstdin = 0;
		for (int i = optind; i < argc; i++)
			nstdin += strcmp(argv[i], "-") == 0;
		if (nstdin > 1)
			return die_usage("standard input ('-') given more than once");
		return do_dump(argv + optind, argc - optind, parse_only, json);
	}
	in.keep_going = o.keep_going;
	in.skip = report;
	for (size_t i = 0; i < nlists; i++)
		if (inputs_add_list(&in, lists[i], &e)) {
			fprintf(stderr, "sarc-index: %s\n", e.msg);
			inputs_free(&in);
			return 2;
		}
	for (int i = optind; i < argc; i++)
		if (inputs_add(&in, argv[i], &e)) {
			fprintf(stderr, "sarc-index: %s\n", e.msg);
			inputs_free(&in);
			return 2;
		}
	if (merge) {
		if (o.index && strcmp(o.index, merge) != 0) {
			inputs_free(&in);
			return die_usage("--merge names the index itself; -o is not needed");
		}
		o.index = merge;
		o.merge_all = 1;
	}
	if (o.index == NULL) {
		inputs_free(&in);
		return die_usage("no index given (-o INDEX)");
	}
	if (in.n == 0 && !merge) {
		inputs_free(&in);
		return die_usage("no input files");
	}
	o.files = (const char *const *)in.v;
	o.nfiles = in.n;
	o.progress = !quiet && isatty(2);
	struct bld_stats st;
	rc = bld_run(&o, &st, report, NULL, &e);
	inputs_free(&in); /* (keeps nskipped) */
	if (rc) {
		fprintf(stderr, "sarc-index: %s\n", e.msg);
		return 2;
	}
	st.files_failed += in.nskipped; /* directories --keep-going skipped */
	if (json)
		print_summary(&st, 1);
	else if (!quiet)
		print_summary(&st, 0);
	/* the run is committed, but a script reading --json got nothing: a
	 * warning, since 2 would say that the index is as it was */
	if (json && (fflush(stdout) != 0 || ferror(stdout))) {
		fprintf(stderr, "sarc-index: the files were indexed, but the summary could not be "
				"written to standard output: %s\n", strerror(errno ? errno : EIO));
		return 1;
	}
	return st.files_failed || st.skipped_nopmid || st.merge_failed || st.unsynced ? 1 : 0;
}

int main(int argc, char **argv)
{
	/* -T lists are read once all options are known (--keep-going) */
	const char **lists = calloc((size_t)argc + 1, sizeof *lists);
	if (lists == NULL) {
		fputs("sarc-index: out of memory\n", stderr);
		return 2;
	}
	int rc = cli(argc, argv, lists);
	free(lists);
	return rc;
}
