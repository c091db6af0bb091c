/*
 * fuzz_index.c - libFuzzer target for opening and querying a damaged index
 * through query/sarc.h, as sarc-query and sarc-index --verify do.
 *
 * On first use it builds a small real index with the real indexer (bld_run)
 * in a temporary directory: two segments, one with a deletion file, from
 * generated citations with every field, compounds, Greek letters,
 * references and posting lists longer than one block.  Each input then
 * damages one of its files and runs a fixed set of searches, counts,
 * facets, record reads (--show), highlights, explanations and "similar"
 * queries on it, plus an optional query of its own.
 *
 * Input layout:
 *   byte 0     file: index into the sorted names of the index's files
 *   byte 1     mode: bits 0-1 how to damage the file
 *                      0  XOR edits
 *                      1  truncate at the first edit's offset, then the edits
 *                      2  overwrite from the first edit's offset with the
 *                         query bytes (length kept)
 *                      3  replace the body with the query bytes, fixing the
 *                         header's length (and padding) so they get decoded
 *              bit 2   recompute the body CRC after damaging (reaches the
 *                      decoders behind --verify's checksum test)
 *              bit 3   run --verify's checks too
 *              bit 4   run the query with --syntax pubmed
 *              bits 5-6  which quarter of the fixed queries to run (all
 *                      of them take long enough to slow fuzzing fourfold)
 *              bit 7   damage nothing: the index is intact and every
 *                      promise of sarc.h must hold (no error, pruned and
 *                      exhaustive rankings equal, counts agreeing)
 *   byte 2     number of edits, then 4 bytes per edit: 24-bit offset (modulo
 *              the file size), XOR byte
 *   the rest   a query run like the fixed ones (also the bytes of modes 2, 3)
 * Seeds: tests/fuzz/corpus/index/.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "fmt.h"
#include "fuzz.h"
#include "ix.h"
#include "sarc.h"
#include "seg.h"

#ifndef FUZZ_ENTRY
#define FUZZ_ENTRY LLVMFuzzerTestOneInput
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif

#define IXF_NDOCS 170     /* first batch: "sarcoma" gets a two-block posting list */
#define IXF_FIRST 1000    /* first PMID */
#define IXF_MAXFILES 16

struct ixf_file {
	char name[64];
	uint8_t *data;
	size_t size;
};

static struct {
	int ready;
	char root[4096], base[4200], work[4200];
	struct ixf_file f[IXF_MAXFILES];
	size_t nfiles;
	uint8_t *buf; /* the damaged copy */
	size_t cap;
} ixf;

/* ---- the base index ---- */

static uint64_t ixf_rng;
static uint32_t ixf_rand(uint32_t n)
{
	ixf_rng = ixf_rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)((ixf_rng >> 33) % n);
}

static const char *const ixf_words[] = {
	"sarcoma", "leiomyosarcoma", "liposarcoma", "imatinib", "sunitinib", "tumour", "GIST",
	"Ewing", "EWS-FLI1", "synovial", "SS18-SSX1", "osteosarcoma", "doxorubicin",
	"trabectedin", "desmoid", "β-catenin", "TNF-α", "Sjögren", "soft", "tissue", "the",
	"of", "survival", "margin", "radiotherapy", "Ki-67", "t(11;22)(q24;q12)", "0.05",
	"patients", "MDM2", "review", "children", "rhabdomyosarcoma", "PAX3-FOXO1", "c-KIT"};
#define IXF_NWORDS (sizeof ixf_words / sizeof ixf_words[0])
static const char *const ixf_mesh[] = {"Sarcoma", "Sarcoma, Ewing", "Humans", "Liposarcoma",
				       "Gastrointestinal Stromal Tumors", "Fibromatosis, Aggressive"};
static const char *const ixf_journal[] = {"Sarcoma", "Cancer", "J Clin Oncol", "Lancet Oncol"};
static const char *const ixf_pt[] = {"Journal Article", "Review", "Clinical Trial"};
static const char *const ixf_author[] = {"Smith", "Dei Tos", "Müller", "Ng", "Blay"};

static void ixf_words_out(FILE *f, int n)
{
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? " " : "", ixf_words[ixf_rand(IXF_NWORDS)]);
}

static void ixf_article(FILE *f, uint32_t pmid, int version)
{
	fprintf(f, "<PubmedArticle><MedlineCitation><PMID Version=\"%d\">%u</PMID><Article>"
		   "<Journal><JournalIssue><PubDate>", version, pmid);
	if (ixf_rand(10) == 0)
		fprintf(f, "<MedlineDate>%u Dec-%u Jan</MedlineDate>", 1990 + ixf_rand(30), 2021);
	else if (ixf_rand(20) != 0)
		fprintf(f, "<Year>%u</Year>", 1990 + ixf_rand(36));
	fprintf(f, "</PubDate></JournalIssue><Title>%s</Title></Journal><ArticleTitle>",
		ixf_journal[ixf_rand(4)]);
	ixf_words_out(f, 3 + (int)ixf_rand(6));
	fprintf(f, "</ArticleTitle><Abstract><AbstractText Label=\"BACKGROUND\">sarcoma ");
	ixf_words_out(f, 5 + (int)ixf_rand(20));
	fprintf(f, "</AbstractText><AbstractText>");
	ixf_words_out(f, 5 + (int)ixf_rand(20));
	fprintf(f, "</AbstractText></Abstract><AuthorList>");
	for (uint32_t i = 0, n = 1 + ixf_rand(3); i < n; i++)
		fprintf(f, "<Author><LastName>%s</LastName><ForeName>A%u</ForeName></Author>",
			ixf_author[ixf_rand(5)], i);
	fprintf(f, "</AuthorList><Language>%s</Language><PublicationTypeList>"
		   "<PublicationType>%s</PublicationType></PublicationTypeList></Article>"
		   "<MeshHeadingList>", ixf_rand(5) ? "eng" : "fre", ixf_pt[ixf_rand(3)]);
	for (uint32_t i = 0, n = ixf_rand(4); i < n; i++)
		fprintf(f, "<MeshHeading><DescriptorName MajorTopicYN=\"%s\">%s</DescriptorName>%s"
			   "</MeshHeading>", ixf_rand(2) ? "Y" : "N", ixf_mesh[ixf_rand(6)],
			ixf_rand(2) ? "<QualifierName>drug therapy</QualifierName>" : "");
	fprintf(f, "</MeshHeadingList><KeywordList><Keyword>");
	ixf_words_out(f, 1 + (int)ixf_rand(2));
	fprintf(f, "</Keyword></KeywordList></MedlineCitation><PubmedData><ArticleIdList>"
		   "<ArticleId IdType=\"doi\">10.1/%u</ArticleId></ArticleIdList><ReferenceList>",
		pmid);
	for (uint32_t i = 0, n = ixf_rand(4); i < n; i++)
		fprintf(f, "<Reference><ArticleIdList><ArticleId IdType=\"pubmed\">%u</ArticleId>"
			   "</ArticleIdList></Reference>", IXF_FIRST + ixf_rand(IXF_NDOCS));
	fprintf(f, "</ReferenceList></PubmedData></PubmedArticle>\n");
}

static int ixf_build(const char *xml, int batch, struct err *e)
{
	FILE *f = fopen(xml, "w");
	if (f == NULL)
		return err_errno(e, errno, "cannot create '%s'", xml);
	fprintf(f, "<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n");
	if (batch == 0) {
		for (uint32_t i = 0; i < IXF_NDOCS; i++)
			ixf_article(f, IXF_FIRST + i, 1);
	} else {
		/* replacements, deletions (one of a PMID never indexed), additions */
		for (uint32_t i = 0; i < 6; i++)
			ixf_article(f, IXF_FIRST + i, 2);
		fprintf(f, "<DeleteCitation><PMID Version=\"1\">%u</PMID><PMID Version=\"1\">%u</PMID>"
			   "<PMID Version=\"1\">99</PMID></DeleteCitation>\n", IXF_FIRST + 10,
			IXF_FIRST + 11);
		for (uint32_t i = 0; i < 20; i++)
			ixf_article(f, IXF_FIRST + IXF_NDOCS + i, 1);
	}
	fprintf(f, "</PubmedArticleSet>\n");
	if (fclose(f) != 0)
		return err_errno(e, errno, "cannot write '%s'", xml);
	const char *files[1] = {xml};
	struct bld_options o = {.index = ixf.base, .files = files, .nfiles = 1, .threads = 1,
				.memory_bytes = (size_t)16 << 20, .stem = 1};
	struct bld_stats st;
	int rc = bld_run(&o, &st, NULL, NULL, e);
	unlink(xml);
	return rc;
}

static void ixf_cleanup(void)
{
	char p[4400];
	for (size_t i = 0; i < ixf.nfiles; i++) {
		snprintf(p, sizeof p, "%s/%s", ixf.base, ixf.f[i].name);
		unlink(p);
		snprintf(p, sizeof p, "%s/%s", ixf.work, ixf.f[i].name);
		unlink(p);
		free(ixf.f[i].data);
	}
	const char *extra[] = {"LOCK", "MANIFEST.tmp"};
	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof p, "%s/%s", ixf.base, extra[i]);
		unlink(p);
		snprintf(p, sizeof p, "%s/%s", ixf.work, extra[i]);
		unlink(p);
	}
	rmdir(ixf.base);
	rmdir(ixf.work);
	rmdir(ixf.root);
	free(ixf.buf);
	memset(&ixf, 0, sizeof ixf);
}

static int ixf_cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct ixf_file *)a)->name, ((const struct ixf_file *)b)->name);
}

static int ixf_read(const char *path, struct ixf_file *f)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || (f->data = malloc((size_t)st.st_size + 1)) == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	f->size = (size_t)st.st_size;
	size_t got = 0;
	while (got < f->size) {
		ssize_t k = read(fd, f->data + got, f->size - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	return got == f->size ? 0 : -1;
}

static void ixf_init(void)
{
	struct err e;
	err_clear(&e);
	const char *tmp = getenv("TMPDIR");
	snprintf(ixf.root, sizeof ixf.root, "%s/fuzz_index.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(ixf.root) == NULL)
		FUZZ_FAIL("cannot create a temporary directory in %s", tmp ? tmp : "/tmp");
	atexit(ixf_cleanup);
	snprintf(ixf.base, sizeof ixf.base, "%s/base", ixf.root);
	snprintf(ixf.work, sizeof ixf.work, "%s/work", ixf.root);
	char xml[4300];
	snprintf(xml, sizeof xml, "%s/in.xml", ixf.root);
	ixf_rng = 42;
	if (ixf_build(xml, 0, &e) || ixf_build(xml, 1, &e))
		FUZZ_FAIL("cannot build the base index: %s", e.msg);
	if (mkdir(ixf.work, 0700) != 0)
		FUZZ_FAIL("cannot create %s", ixf.work);
	DIR *d = opendir(ixf.base);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "LOCK") == 0)
			continue;
		if (ixf.nfiles == IXF_MAXFILES || strlen(de->d_name) >= sizeof ixf.f[0].name)
			FUZZ_FAIL("unexpected file '%s' in the base index", de->d_name);
		snprintf(ixf.f[ixf.nfiles].name, sizeof ixf.f[0].name, "%s", de->d_name);
		ixf.nfiles++;
	}
	if (d)
		closedir(d);
	qsort(ixf.f, ixf.nfiles, sizeof ixf.f[0], ixf_cmp_name);
	for (size_t i = 0; i < ixf.nfiles; i++) {
		char p[4400], q[4400];
		snprintf(p, sizeof p, "%s/%s", ixf.base, ixf.f[i].name);
		snprintf(q, sizeof q, "%s/%s", ixf.work, ixf.f[i].name);
		if (ixf_read(p, &ixf.f[i]) != 0 || link(p, q) != 0)
			FUZZ_FAIL("cannot read or link '%s'", p);
		if (ixf.f[i].size > ixf.cap)
			ixf.cap = ixf.f[i].size;
	}
	int dels = 0;
	for (size_t i = 0; i < ixf.nfiles; i++)
		dels += strstr(ixf.f[i].name, ".del-") != NULL;
	if (ixf.nfiles < 12 || dels != 1)
		FUZZ_FAIL("base index has %zu files, %d deletion files", ixf.nfiles, dels);
	ixf.ready = 1;
}

/* ---- damage ---- */

static uint32_t ixf_off(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

/* Writes the damaged copy of file i into the working index. */
static int ixf_damage(size_t i, uint8_t mode, const uint8_t *ops, size_t nops, const uint8_t *rest,
		      size_t nrest)
{
	const struct ixf_file *f = &ixf.f[i];
	size_t size = f->size;
	size_t need = size + nrest + SEG_HEADER_BYTES + SEG_TAIL_PAD;
	if (need > ixf.cap || ixf.buf == NULL) {
		uint8_t *b = realloc(ixf.buf, need);
		if (b == NULL)
			return -1;
		ixf.buf = b;
		ixf.cap = need;
	}
	uint8_t *b = ixf.buf;
	memcpy(b, f->data, size);
	uint32_t first = nops ? ixf_off(ops) : 0;
	switch (mode & 3) {
	case 1:
		size = size ? first % (size + 1) : 0;
		break;
	case 2:
		if (size) {
			size_t at = first % size, n = nrest < size - at ? nrest : size - at;
			memcpy(b + at, rest, n);
		}
		break;
	case 3:
		if (size >= SEG_HEADER_BYTES) {
			memcpy(b + SEG_HEADER_BYTES, rest, nrest);
			memset(b + SEG_HEADER_BYTES + nrest, 0, SEG_TAIL_PAD);
			fmt_put_u64le(b + 24, nrest);
			size = SEG_HEADER_BYTES + nrest + SEG_TAIL_PAD;
		}
		break;
	}
	for (size_t k = 0; k < nops && size > 0; k++)
		b[ixf_off(ops + 4 * k) % size] ^= ops[4 * k + 3];
	if ((mode & 4) && size >= SEG_HEADER_BYTES) {
		uint64_t len = fmt_get_u64le(b + 24);
		if (len <= size - SEG_HEADER_BYTES)
			fmt_put_u32le(b + 20, fmt_crc32(0, b + SEG_HEADER_BYTES, (size_t)len));
	}
	char p[4400];
	snprintf(p, sizeof p, "%s/%s", ixf.work, f->name);
	unlink(p);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < size) {
		ssize_t k = write(fd, b + off, size - off);
		if (k <= 0)
			break;
		off += (size_t)k;
	}
	close(fd);
	return off == size ? 0 : -1;
}

static void ixf_restore(size_t i)
{
	char p[4400], q[4400];
	snprintf(p, sizeof p, "%s/%s", ixf.base, ixf.f[i].name);
	snprintf(q, sizeof q, "%s/%s", ixf.work, ixf.f[i].name);
	unlink(q);
	if (link(p, q) != 0)
		FUZZ_FAIL("cannot restore '%s'", q);
}

/* ---- queries ---- */

static const char *const ixf_queries[] = {
	"sarcoma",
	"\"soft tissue sarcoma\"",
	"leiomyosarcoma trabectedin",
	"sarcom*",
	"ewing NEAR/5 sarcoma",
	"title:liposarcoma year:2000..2020",
	"gist AND (imatinib OR sunitinib) NOT review[pt]",
	"mesh:(ewing sarcoma) OR majr:sarcoma",
	"EWS-FLI1 β-catenin",
	"+sarcoma -imatinib author:smith",
	"cites:1003 OR citedby:1001 OR pmid:1007",
	"journal:cancer lang:fre keyword:survival",
};
#define IXF_NQUERIES (sizeof ixf_queries / sizeof ixf_queries[0])

static void ixf_show(sarc_index *ix, sarc_query *q, const struct sarc_hit *h, int intact)
{
	char err[256];
	struct sarc_doc d;
	int rc = sarc_doc_get(ix, h, &d, err, sizeof err);
	if (rc != 0) {
		if (intact)
			FUZZ_FAIL("sarc_doc_get of an intact index: %s", err);
		return;
	}
	if (intact && d.pmid != h->pmid)
		FUZZ_FAIL("hit %u shows record %u", h->pmid, d.pmid);
	size_t n = strlen(d.title) + strlen(d.abstract) + strlen(d.authors) + strlen(d.journal) +
		   strlen(d.journal_iso) + strlen(d.mesh) + strlen(d.keywords) +
		   strlen(d.pubtypes) + strlen(d.languages) + strlen(d.doi) + strlen(d.pmc);
	for (size_t i = 0; i < d.nrefs; i++)
		n += d.refs[i] & 1;
	const char *texts[2] = {d.title, d.abstract};
	for (int f = 0; f < 2; f++) {
		struct sarc_span *sp = NULL;
		size_t ns = 0, len = strlen(texts[f]);
		if (sarc_highlight(ix, q, f, texts[f], len, &sp, &ns) == 0)
			for (size_t i = 0; i < ns; i++)
				if (sp[i].start > sp[i].end || sp[i].end > len ||
				    (i > 0 && sp[i].start <= sp[i - 1].end))
					FUZZ_FAIL("highlight span %u..%u of %zu bytes", sp[i].start,
						  sp[i].end, len);
		free(sp);
	}
	sarc_doc_free(&d);
	struct sarc_doc d2;
	if (sarc_doc_by_pmid(ix, h->pmid, &d2, NULL, err, sizeof err) == 0)
		sarc_doc_free(&d2);
	(void)sarc_cited_count(ix, h->pmid);
	(void)n;
}

static int ixf_same(const struct sarc_hit *a, size_t na, const struct sarc_hit *b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (a[i].pmid != b[i].pmid || a[i].score != b[i].score)
			return 0;
	return 1;
}

/* Runs one query.  level 0: ranked search, --show of the first hits,
 * highlights, --explain; 1: also exhaustive search, --count, the date and
 * citation sorts, --facet year and --similar; 2: also the facets that read
 * stored records (journal, mesh, pt), when at most IXF_FACET_MAX match (they
 * decompress a stored block per match: the slowest part of an input). */
#define IXF_FACET_MAX 40
static void ixf_query(sarc_index *ix, const char *text, int pubmed, int level, int intact)
{
	char err[512];
	sarc_query *q = NULL;
	struct sarc_query_opts qo = {.syntax = pubmed ? SARC_SYNTAX_PUBMED : SARC_SYNTAX_DEFAULT};
	if (sarc_query_parse(ix, text, &qo, &q, err, sizeof err) != 0)
		return;
	(void)sarc_query_describe(q);
	struct sarc_search_opts o;
	sarc_search_opts_default(&o);
	struct sarc_hit *h = NULL, *hx = NULL;
	size_t n = 0, nx = 0;
	int rc = sarc_search(ix, q, &o, &h, &n, err, sizeof err);
	if (rc != 0 && err[0] == '\0')
		FUZZ_FAIL("search failed without a message");
	if (rc != 0 && intact)
		FUZZ_FAIL("search of '%s' in an intact index: %s", text, err);
	if (rc == 0) {
		for (size_t i = 0; i < n; i++) {
			if (i > 0 && (h[i].score > h[i - 1].score ||
				      (h[i].score == h[i - 1].score && h[i].pmid <= h[i - 1].pmid)))
				if (intact)
					FUZZ_FAIL("'%s': hits out of order at rank %zu", text, i + 1);
			if (!isfinite(h[i].score))
				FUZZ_FAIL("score %g", h[i].score);
			if (i < (level > 0 ? 3u : 1u))
				ixf_show(ix, q, &h[i], intact);
		}
		if (n > 0) {
			char *ex = NULL;
			if (sarc_explain(ix, q, &h[0], &o, &ex) == 0)
				free(ex);
		}
	}
	if (level > 0) {
		o.exhaustive = 1;
		int rcx = sarc_search(ix, q, &o, &hx, &nx, err, sizeof err);
		if (intact && (rcx != 0 || !ixf_same(h, n, hx, nx)))
			FUZZ_FAIL("'%s': pruned and exhaustive rankings differ", text);
		free(hx);
		uint64_t count = UINT64_MAX;
		int rcc = sarc_count(ix, q, &count, err, sizeof err);
		if (intact) {
			o.k = (size_t)sarc_ndocs(ix) + 1;
			if (rcc != 0 || sarc_search(ix, q, &o, &hx, &nx, err, sizeof err) != 0 ||
			    nx != count)
				FUZZ_FAIL("'%s': count %llu, %zu hits", text, (unsigned long long)count,
					  nx);
			free(hx);
			o.k = 10;
		}
		o.exhaustive = 0;
		o.sort = SARC_SORT_DATE;
		if (sarc_search(ix, q, &o, &hx, &nx, err, sizeof err) == 0)
			free(hx);
		o.sort = SARC_SORT_CITED;
		o.offset = 3;
		if (sarc_search(ix, q, &o, &hx, &nx, err, sizeof err) == 0)
			free(hx);
		static const char *const facets[] = {"year", "journal", "mesh", "pt"};
		for (int i = 0; i < (level > 1 && count <= IXF_FACET_MAX ? 4 : 1); i++) {
			struct sarc_facet *fv = NULL;
			size_t nf = 0;
			if (sarc_facet(ix, q, facets[i], &fv, &nf, NULL, err, sizeof err) == 0)
				sarc_facets_free(fv, nf);
			else if (intact)
				FUZZ_FAIL("'%s': facet %s: %s", text, facets[i], err);
		}
		if (rc == 0 && n > 0) {
			sarc_query *sim = NULL;
			if (sarc_query_similar(ix, h[0].pmid, 10, &sim, err, sizeof err) == 0) {
				sarc_query *f = NULL;
				if (sarc_query_parse(ix, text, &qo, &f, err, sizeof err) == 0)
					sarc_query_restrict(sim, f);
				o.sort = SARC_SORT_RELEVANCE;
				o.offset = 0;
				if (sarc_search(ix, sim, &o, &hx, &nx, err, sizeof err) == 0)
					free(hx);
				sarc_query_free(sim);
			}
		}
	}
	free(h);
	sarc_query_free(q);
}

static void ixf_verify(const char *dir, int intact)
{
	struct ix x;
	struct err e;
	err_clear(&e);
	int rc = ix_open(&x, dir, &e);
	for (size_t i = 0; rc == 0 && i < x.nsegs; i++)
		rc = seg_verify(&x.segs[i], dir, &e);
	if (rc != 0 && e.msg[0] == '\0')
		FUZZ_FAIL("verify failed without a message");
	if (rc != 0 && intact)
		FUZZ_FAIL("verify of the intact index: %s", e.msg);
	if (rc == 0 || x.segs)
		ix_close(&x);
}

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
	if (!ixf.ready)
		ixf_init();
	if (size < 3)
		return 0;
	size_t fi = data[0] % ixf.nfiles;
	uint8_t mode = data[1];
	size_t nops = data[2];
	if (nops > (size - 3) / 4)
		nops = (size - 3) / 4;
	const uint8_t *ops = data + 3, *rest = ops + 4 * nops;
	size_t nrest = size - 3 - 4 * nops;
	int intact = (mode & 0x80) != 0;
	/* the query of the input, NUL-terminated (sarc.h takes C strings) */
	char *qtext = malloc(nrest + 1);
	if (qtext == NULL)
		return 0;
	memcpy(qtext, rest, nrest);
	qtext[nrest] = '\0';
	if (!intact && ixf_damage(fi, mode, ops, nops, rest, nrest) != 0)
		FUZZ_FAIL("cannot write the damaged file");
	char err[512];
	sarc_index *ix = NULL;
	int rc = sarc_open(ixf.work, &ix, err, sizeof err);
	if (rc != 0 && (err[0] == '\0' || intact))
		FUZZ_FAIL("sarc_open: '%s'", err);
	if (rc == 0) {
		(void)sarc_ndocs(ix);
		size_t g = (mode >> 5) & 3;
		for (size_t i = g; i < IXF_NQUERIES; i += 4)
			ixf_query(ix, ixf_queries[i], 0, i == g ? 1 : i == 10 ? 2 : 0, intact);
		if (nrest > 0)
			ixf_query(ix, qtext, (mode >> 4) & 1, 2, intact);
		struct sarc_hit h = {.seg = 0, .doc = 0};
		struct sarc_doc d;
		if (sarc_doc_get(ix, &h, &d, err, sizeof err) == 0)
			sarc_doc_free(&d);
		sarc_close(ix);
	}
	if ((mode & 8) || intact)
		ixf_verify(ixf.work, intact);
	if (!intact)
		ixf_restore(fi);
	free(qtext);
	return 0;
}
