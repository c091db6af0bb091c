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
};

/* Appends path: a directory is expanded recursively, and one that holds
 * no .xml or .xml.gz file at any depth is an error (ERR_USAGE). */
int inputs_add(struct inputs *in, const char *path, struct err *e);
/* Appends every line of listfile ("-" for stdin) with inputs_add. */
int inputs_add_list(struct inputs *in, const char *listfile, struct err *e);
void inputs_free(struct inputs *in);

#endif
