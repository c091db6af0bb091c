/*
 * ix.h - a consistent snapshot of a whole index: the manifest and every
 * segment it names, mapped.  Used by sarc-query and by sarc-index's
 * --stats and --verify.
 */
#ifndef IX_H
#define IX_H

#include <stddef.h>

#include "err.h"
#include "manifest.h"
#include "seg.h"

struct ix {
	char dir[4096];
	struct manifest mf;
	struct seg *segs;
	size_t nsegs;
};

/* Opens the index in dir.  A writer may replace the manifest and remove
 * files meanwhile: a missing segment file makes ix_open read the manifest
 * again (a few times) before giving up, so a reader always gets one
 * committed generation. */
int ix_open(struct ix *x, const char *dir, struct err *e);
void ix_close(struct ix *x);

#endif
