/*
 * build.h - one indexing run: lock the index, read the inputs in parallel,
 * invert them into new segments within the memory budget, resolve
 * replacements and deletions, merge, and commit a new manifest atomically.
 */
#ifndef BUILD_H
#define BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define BLD_GIVEN_STEM 1u
#define BLD_GIVEN_STOPWORDS 2u

struct bld_options {
	const char *index;         /* index directory (created if absent) */
	const char *const *files;  /* inputs, in the order that decides "last wins" */
	size_t nfiles;
	int threads;               /* >= 1 */
	size_t memory_bytes;       /* budget for buffered postings, all threads */
	int stem;                  /* analyzer settings for a new index */
	const char *stopwords;     /* NULL: default list */
	unsigned given;            /* BLD_GIVEN_*: which of the two the user
				    * gave, so that an existing index built
				    * otherwise is refused, not kept in silence */
	int keep_going;            /* skip bad files instead of failing */
	int progress;              /* print a progress line on stderr */
	int merge_all;             /* --merge: compact every segment into one */
	int final_merge;           /* merge this run's segments into one */
	int no_facets;             /* flush segments without facet keys, as
				    * earlier versions wrote them (tests; a
				    * merge makes them) */
};

struct bld_stats {
	uint64_t files, files_failed;
	uint64_t read;          /* citation records read */
	uint64_t indexed;       /* records live in the index from this run */
	uint64_t replaced;      /* older versions replaced by a later record */
	uint64_t deleted;       /* citations removed by DeleteCitation */
	uint64_t delete_missing;/* DeleteCitation of a PMID not in the index */
	uint64_t skipped_nopmid;/* records without a usable PMID */
	uint64_t bytes_xml;     /* uncompressed XML read */
	uint64_t segments_written, merges;
	uint64_t stored_blocks_copied; /* merges: compressed blocks copied as they were */
	uint64_t stored_blocks_packed; /* merges: blocks whose records were packed again */
	uint64_t index_docs;    /* live documents in the index after the run */
	int merge_failed;       /* the run (or a round of --merge) committed, then a
				 * merge failed (reported) */
	int unsynced;           /* committed, but the directory sync failed (reported) */
	uint64_t postings;
	double seconds;
};

/* Reports one warning to the user: "skipped: FILE:LINE: reason" (a bad
 * file under --keep-going), or "warning: ..." (a merge that failed after
 * the run's citations or a round of --merge were committed, or a commit
 * whose directory could not be synced). */
typedef void (*bld_report_fn)(void *ctx, const char *msg);

/* Runs the build.  On error the previous index is untouched and e holds one
 * message ("file.xml:12: reason", "index 'x' is locked ..."). */
int bld_run(const struct bld_options *o, struct bld_stats *st, bld_report_fn report,
	    void *ctx, struct err *e);

#endif
