/*
 * test_doctable.c - the document table (FORMAT.md §3) at its edges:
 * segments written with sw_add_doc and read back through seg.h.  PMIDs out
 * of order, repeated, and at 0 and 2^32 - 1; unknown years beside recent
 * ones; lengths of 0 and 65535; one document.  Each reads back exactly,
 * the PMID lookup finds every document of a PMID and only those, the
 * order column is written exactly when documents are not in PMID order,
 * and --verify's checks pass.  Then a width byte is damaged, and opening
 * the segment must say so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "check.h"
#include "seg.h"
#include "segwrite.h"
#include "stored.h"
#include "testutil.h"

#define SEG "seg-000001"
#define MAXDOCS 64

struct row {
	uint32_t pmid;
	uint16_t year;
	uint16_t lens[F_NFIELDS];
};

static int write_rows(const char *dir, const struct row *rows, uint32_t n)
{
	sw_writer *w = test_sw_open(dir, SEG);
	if (w == NULL)
		return -1;
	struct fmt_buf rec;
	fmt_buf_init(&rec);
	uint32_t docs[MAXDOCS], tfs[MAXDOCS], pos[MAXDOCS];
	for (uint32_t d = 0; d < n; d++) {
		if (test_add_doc(w, &rec, rows[d].pmid, rows[d].year, "", rows[d].lens)) {
			fmt_buf_free(&rec);
			return -1;
		}
		docs[d] = d;
		tfs[d] = 1;
		pos[d] = 0;
	}
	fmt_buf_free(&rec);
	/* one term in every document: a segment has terms */
	if (sw_add_term(w, (const uint8_t *)"\001x", 2, n, docs, tfs, pos)) {
		printf("# %s\n", sw_error(w)->msg);
		sw_abort(w);
		return -1;
	}
	return test_sw_finish(w) ? -1 : 0;
}

/* Writes rows into a fresh dir, reads them back; want_order: whether an
 * order column must be there. */
static void check_rows(const char *name, const struct row *rows, uint32_t n, int want_order)
{
	char dir[] = "/tmp/sarc-test-doctable-XXXXXX";
	if (mkdtemp(dir) == NULL) {
		CHECKF(0, "%s: cannot make a temporary directory", name);
		return;
	}
	CHECKF(write_rows(dir, rows, n) == 0, "%s: segment not written", name);
	struct seg s;
	struct err e;
	err_clear(&e);
	int rc = seg_open(&s, dir, SEG, "", &e);
	CHECKF(rc == 0, "%s: %s", name, e.msg);
	if (rc == 0) {
		int bad = 0;
		CHECKF(s.ndocs == n, "%s: %u documents, want %u", name, s.ndocs, n);
		for (uint32_t d = 0; d < n && d < s.ndocs; d++) {
			if (seg_doc_pmid(&s, d) != rows[d].pmid || seg_doc_year(&s, d) != rows[d].year)
				bad++;
			for (unsigned f = 0; f < F_NFIELDS; f++)
				bad += seg_doc_len(&s, d, f) != rows[d].lens[f];
			/* the lookup: every document with this PMID, in document order */
			uint32_t got[MAXDOCS], want[MAXDOCS];
			size_t first, ng = seg_pmid_ranks(&s, rows[d].pmid, &first), nw = 0;
			for (size_t k = 0; k < ng && k < MAXDOCS; k++)
				got[k] = seg_doc_by_rank(&s, first + k);
			for (uint32_t k = 0; k < n; k++)
				if (rows[k].pmid == rows[d].pmid)
					want[nw++] = k;
			bad += ng != nw || memcmp(got, want, nw * sizeof *got) != 0;
		}
		CHECKF(bad == 0, "%s: %d values read back wrong", name, bad);
		CHECKF((s.col_order.w != 0) == want_order, "%s: order column width %u", name,
		       s.col_order.w);
		size_t none;
		CHECKF(seg_pmid_ranks(&s, 77777, &none) == 0, "%s: an absent PMID was found", name);
		CHECKF(seg_verify(&s, dir, &e) == 0, "%s: %s", name, e.msg);
		seg_close(&s);
	}
	test_rmdir(dir);
}

int main(void)
{
	static struct row rows[MAXDOCS];
	/* out of order, repeated, at both ends of the range */
	static const uint32_t pm[] = {50, 10, UINT32_MAX, 30, 10, 0, 50, 10};
	uint32_t n = sizeof pm / sizeof pm[0];
	for (uint32_t d = 0; d < n; d++) {
		rows[d].pmid = pm[d];
		rows[d].year = d % 3 == 0 ? 0 : (uint16_t)(1950 + 10 * d);
		for (unsigned f = 0; f < F_NFIELDS; f++)
			rows[d].lens[f] = (uint16_t)(f == 1 ? (d % 2 ? 65535 : 0) : d * f);
	}
	check_rows("unordered", rows, n, 1);

	/* in PMID order, repeats included: no order column */
	static const uint32_t sorted[] = {3, 3, 4, 9, 1000000, 1000000, 40000000};
	n = sizeof sorted / sizeof sorted[0];
	for (uint32_t d = 0; d < n; d++) {
		rows[d].pmid = sorted[d];
		rows[d].year = 2025;
	}
	check_rows("ordered", rows, n, 0);
	check_rows("one document", rows, 1, 0);

	/* every length 0 and one year: columns of width 0 */
	memset(rows, 0, sizeof rows);
	for (uint32_t d = 0; d < 40; d++) {
		rows[d].pmid = 40 - d;
		rows[d].year = 1999;
	}
	check_rows("width 0", rows, 40, 1);

	/* a damaged width: the columns no longer fill the table */
	char dir[] = "/tmp/sarc-test-doctable-XXXXXX";
	if (mkdtemp(dir) != NULL && write_rows(dir, rows, 40) == 0) {
		char path[200];
		snprintf(path, sizeof path, "%s/%s.sdoc", dir, SEG);
		FILE *f = fopen(path, "r+b");
		/* after the header, n, F and the ten length sums: pmid_base,
		 * then pmid_width */
		long at = SEG_HEADER_BYTES + 4 + 4 + 8 * F_NFIELDS + 4;
		int ok = f && fseek(f, at, SEEK_SET) == 0 && fputc(17, f) != EOF;
		if (f)
			fclose(f);
		struct seg s;
		struct err e;
		err_clear(&e);
		int rc = ok ? seg_open(&s, dir, SEG, "", &e) : 0;
		CHECKF(ok && rc == ERR_CORRUPT && strstr(e.msg, ".sdoc") != NULL, "%d %s", rc, e.msg);
		if (rc == 0 && ok)
			seg_close(&s);
		test_rmdir(dir);
	}
	return check_done("doctable");
}
