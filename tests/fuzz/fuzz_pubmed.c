/*
 * fuzz_pubmed.c - libFuzzer target for XML ingestion: the input bytes are
 * a whole file (XML or gzip, as sarc-index would read them) given to
 * pm_open() through an in-memory file (memfd), then every event is read and
 * every field of every record touched.  Besides crashes, sanitizer reports
 * and leaks, it checks pubmed.h's promises: strings never NULL, counts and
 * arrays agreeing, a usable PMID on every record, errors that fill the
 * message with the input's name, and a reader that stays failed.
 * Seeds: tests/fuzz/corpus/pubmed/ (tests/fuzz/run.sh adds tests/data/xml).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "pubmed.h"

#ifndef FUZZ_ENTRY
#define FUZZ_ENTRY LLVMFuzzerTestOneInput
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif

static int pmf_fd = -1;
static int pmf_tmpfile; /* pmf_path names a temporary file to remove at exit */
static char pmf_path[4096];

static void pmf_cleanup(void)
{
	if (pmf_fd >= 0)
		close(pmf_fd);
	if (pmf_tmpfile)
		unlink(pmf_path);
	pmf_fd = -1;
}

/* The file the reader opens: a memfd, or a temporary file where memfd or
 * /proc is missing. */
static int pmf_file(void)
{
	static int registered;
	if (pmf_fd >= 0)
		return 0;
	if (!registered++)
		atexit(pmf_cleanup);
	pmf_fd = memfd_create("fuzz_pubmed", MFD_CLOEXEC);
	if (pmf_fd >= 0) {
		snprintf(pmf_path, sizeof pmf_path, "/proc/self/fd/%d", pmf_fd);
		if (access(pmf_path, R_OK) == 0)
			return 0;
		close(pmf_fd);
	}
	const char *tmp = getenv("TMPDIR");
	snprintf(pmf_path, sizeof pmf_path, "%s/fuzz_pubmed.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if ((pmf_fd = mkstemp(pmf_path)) < 0)
		return -1;
	pmf_tmpfile = 1;
	return 0;
}

static size_t pmf_touch(const char *s)
{
	if (s == NULL)
		FUZZ_FAIL("a record string is NULL");
	return strlen(s);
}

static size_t pmf_strs(const struct pm_strs *v)
{
	size_t n = 0;
	if (v->n > 0 && v->v == NULL)
		FUZZ_FAIL("%zu strings without an array", v->n);
	for (size_t i = 0; i < v->n; i++)
		n += pmf_touch(v->v[i]);
	return n;
}

static void pmf_record(const struct pm_record *r)
{
	size_t n = 0;
	if (r->kind != PM_ARTICLE && r->kind != PM_BOOK)
		FUZZ_FAIL("record kind %d", (int)r->kind);
	if (r->pmid == 0 || r->version == 0)
		FUZZ_FAIL("record with pmid %u version %u", r->pmid, r->version);
	n += pmf_touch(r->title) + pmf_touch(r->abstract) + pmf_touch(r->journal);
	n += pmf_touch(r->journal_iso) + pmf_touch(r->medline_ta);
	n += pmf_touch(r->doi) + pmf_touch(r->pmc);
	if (r->nauthors > 0 && r->authors == NULL)
		FUZZ_FAIL("%zu authors without an array", r->nauthors);
	for (size_t i = 0; i < r->nauthors; i++) {
		const struct pm_author *a = &r->authors[i];
		n += pmf_touch(a->last) + pmf_touch(a->fore) + pmf_touch(a->initials);
		if (a->last[0] == '\0')
			FUZZ_FAIL("author without a last or collective name");
	}
	if (r->nmesh > 0 && r->mesh == NULL)
		FUZZ_FAIL("%zu MeSH headings without an array", r->nmesh);
	for (size_t i = 0; i < r->nmesh; i++) {
		n += pmf_touch(r->mesh[i].descriptor) + pmf_touch(r->mesh[i].ui);
		n += pmf_strs(&r->mesh[i].qualifiers);
	}
	n += pmf_strs(&r->keywords) + pmf_strs(&r->pubtypes) + pmf_strs(&r->languages);
	if (r->nrefs > 0 && r->refs == NULL)
		FUZZ_FAIL("%zu references without an array", r->nrefs);
	for (size_t i = 0; i < r->nrefs; i++)
		n += r->refs[i] == 0; /* reads every element */
	if (n > PM_MAX_RECORD_BYTES * 2)
		FUZZ_FAIL("record of %zu bytes", n);
}

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
	if (pmf_file() != 0 || ftruncate(pmf_fd, 0) != 0)
		return 0;
	size_t off = 0;
	while (off < size) {
		ssize_t k = pwrite(pmf_fd, data + off, size - off, (off_t)off);
		if (k <= 0) {
			if (k < 0 && errno == EINTR)
				continue;
			return 0;
		}
		off += (size_t)k;
	}
	struct err e;
	err_clear(&e);
	pm_reader *r = pm_open(pmf_path, PM_READ_AHEAD, &e);
	if (r == NULL) {
		if (e.code == 0 || e.msg[0] == '\0')
			FUZZ_FAIL("pm_open failed without a message");
		return 0;
	}
	struct pm_event ev;
	int rc;
	uint64_t events = 0;
	while ((rc = pm_next(r, &ev, &e)) == 1 && events++ < 100000) {
		if (ev.kind == PM_EV_RECORD) {
			if (ev.rec == NULL)
				FUZZ_FAIL("record event without a record");
			pmf_record(ev.rec);
		} else if (ev.kind == PM_EV_DELETE) {
			if (ev.ndel == 0 || ev.del == NULL)
				FUZZ_FAIL("delete event with %zu PMIDs", ev.ndel);
			for (size_t i = 0; i < ev.ndel; i++)
				if (ev.del[i] == 0)
					FUZZ_FAIL("delete of PMID 0");
		} else {
			FUZZ_FAIL("event kind %d", (int)ev.kind);
		}
	}
	if (rc < 0) {
		if (e.code != rc || strncmp(e.msg, pmf_path, strlen(pmf_path)) != 0)
			FUZZ_FAIL("error %d without its message naming the input: '%s'", rc, e.msg);
		struct err e2;
		err_clear(&e2);
		if (pm_next(r, &ev, &e2) >= 0)
			FUZZ_FAIL("the reader goes on after error '%s'", e.msg);
	}
	(void)pm_skipped(r);
	(void)pm_bytes(r);
	struct err ec;
	err_clear(&ec);
	if (pm_close(r, &ec) < 0 && ec.msg[0] == '\0')
		FUZZ_FAIL("pm_close failed without a message");
	return 0;
}
