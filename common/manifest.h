/*
 * manifest.h - the small file naming an index's live segments and its
 * analyzer settings (FORMAT.md §8).  Replaced atomically on every commit:
 * write MANIFEST.tmp, fsync, rename over MANIFEST, fsync the directory.
 */
#ifndef MANIFEST_H
#define MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define MF_NAME "MANIFEST"
#define MF_FLAG_STEM 1u

struct mf_seg {
	char name[64];    /* "seg-000007" */
	char delname[64]; /* "seg-000007.del-000012", or "" */
	uint32_t ndocs;
	uint32_t ndeleted;
};

struct manifest {
	uint64_t generation; /* bumped by every commit */
	uint64_t next_id;    /* next number for a segment or deletion file */
	uint32_t an_version;
	uint32_t flags;      /* MF_FLAG_STEM */
	char *stopwords;     /* malloc'd, whitespace-separated */
	struct mf_seg *segs; /* malloc'd */
	size_t nsegs;
};

/* Reads dir/MANIFEST.  ERR_NOTFOUND (with e filled) if the directory holds
 * no index; ERR_CORRUPT on a bad checksum or layout. */
int mf_read(const char *dir, struct manifest *m, struct err *e);

/* Atomically replaces dir/MANIFEST with m: write MANIFEST.tmp, fsync,
 * rename, fsync the directory.  Returns 0 once the rename is done (m is
 * the index now), an error (in e) if it is not (the index is as before).
 * When only the last step fails, m is the index but may not survive a
 * crash: 0 is returned and the reason goes to *unsynced. */
int mf_write(const char *dir, const struct manifest *m, struct err *unsynced, struct err *e);

void mf_free(struct manifest *m);

#endif
