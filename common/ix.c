/*
 * ix.c - opening an index snapshot (see ix.h).
 */
#include "ix.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Segments of one run, and merges of them, share a stored-record
 * vocabulary (FORMAT.md §7.2).  Each segment is pointed at the first
 * earlier one whose vocabulary has its size; when a query first reads a
 * record, seg_load_vocab (segstored.c) compares the two and borrows the
 * decoded one, so a query printing records from several segments inflates
 * it once, and a query that prints none compares nothing. */
static void share_vocabs(struct ix *x)
{
	for (size_t i = 1; i < x->nsegs; i++) {
		struct seg *s = &x->segs[i];
		for (size_t j = 0; j < i; j++) {
			const struct seg *o = &x->segs[j];
			if (o->vocab_peer == NULL && o->vocab_clen == s->vocab_clen &&
			    o->vocab_rlen == s->vocab_rlen) {
				s->vocab_peer = &x->segs[j];
				break;
			}
		}
	}
}

int ix_open(struct ix *x, const char *dir, struct err *e)
{
	int rc = 0;
	memset(x, 0, sizeof *x);
	snprintf(x->dir, sizeof x->dir, "%s", dir);
	for (int attempt = 0; attempt < 20; attempt++) {
		struct err le;
		err_clear(&le);
		if ((rc = mf_read(dir, &x->mf, &le)) != 0) {
			*e = le;
			return rc;
		}
		x->segs = calloc(x->mf.nsegs ? x->mf.nsegs : 1, sizeof *x->segs);
		if (x->segs == NULL) {
			mf_free(&x->mf);
			return err_set(e, ERR_NOMEM, "out of memory");
		}
		size_t i;
		for (i = 0; i < x->mf.nsegs; i++) {
			const struct mf_seg *m = &x->mf.segs[i];
			if ((rc = seg_open(&x->segs[i], dir, m->name, m->delname, &le)) != 0)
				break;
			if (x->segs[i].ndocs != m->ndocs) {
				seg_close(&x->segs[i]);
				rc = err_set(&le, ERR_CORRUPT, "%s: %u documents, manifest says %u", m->name,
					     x->segs[i].ndocs, m->ndocs);
				break;
			}
			/* The deletion count decides N for ranking; and the header
			 * fields below are outside every CRC, so a flipped bit in the
			 * manifest's header would otherwise change the analyzer a
			 * query uses without anything noticing. */
			if (x->segs[i].ndeleted != m->ndeleted) {
				seg_close(&x->segs[i]);
				rc = err_set(&le, ERR_CORRUPT, "%s: %u deleted documents, manifest says %u",
					     m->delname[0] ? m->delname : m->name,
					     x->segs[i].ndeleted, m->ndeleted);
				break;
			}
			if (x->segs[i].an_version != x->mf.an_version ||
			    (x->segs[i].flags & ~SEG_FLAG_FACETS) != x->mf.flags) {
				rc = err_set(&le, ERR_CORRUPT,
					     "%s: analyzer settings (version %u, flags %#x) differ from those of %s (version %u, flags %#x)",
					     MF_NAME, x->mf.an_version, x->mf.flags, m->name,
					     x->segs[i].an_version, x->segs[i].flags);
				seg_close(&x->segs[i]);
				break;
			}
		}
		if (rc == 0) {
			x->nsegs = i;
			share_vocabs(x);
			return 0;
		}
		while (i-- > 0)
			seg_close(&x->segs[i]);
		free(x->segs);
		x->segs = NULL;
		mf_free(&x->mf);
		if (rc != ENOENT) {
			*e = le;
			return rc;
		}
		*e = le; /* a writer removed a file after we read the manifest: retry */
		err_clear(e);
		err_set(e, rc, "%s", le.msg);
	}
	return rc;
}

void ix_close(struct ix *x)
{
	/* borrowers first: seg_close frees only a vocabulary of its own */
	for (size_t i = x->nsegs; i-- > 0;)
		seg_close(&x->segs[i]);
	free(x->segs);
	mf_free(&x->mf);
	memset(x, 0, sizeof *x);
}
