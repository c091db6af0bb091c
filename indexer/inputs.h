/*
 * inputs.h - turns the command line's inputs into the ordered list of files
 * to index: files as given, directories recursed in sorted order (.xml and
 * .xml.gz only, loops detected), "-" for standard input, --files-from.
 */
#ifndef INPUTS_H
#define INPUTS_H

#include <stddef.h>

#include "err.h"

struct inputs {
	char **v; /* malloc'd paths */
	size_t n, cap;
	int stdin_used; /* "-" taken, as an input or as a list */
	/* set by the caller: an unreadable directory met while recursing is
	 * reported to skip(ctx, message) and counted, not an error */
	int keep_going;
	void (*skip)(void *ctx, const char *msg);
	void *skip_ctx;
	size_t nskipped;
};

/* Appends path: a directory is expanded recursively, and one that holds
 * no .xml or .xml.gz file at any depth is an error (ERR_USAGE).  "-" a
 * second time (standard input read twice) is ERR_USAGE. */
int inputs_add(struct inputs *in, const char *path, struct err *e);
/* Appends every line of listfile ("-" for stdin) with inputs_add.  A list
 * that cannot be read to its end (a directory, an I/O error) is an error,
 * not a shorter list. */
int inputs_add_list(struct inputs *in, const char *listfile, struct err *e);
void inputs_free(struct inputs *in);

#endif
