/*
 * cliopt.h - what the two command lines share when getopt_long refuses an
 * option: its name as the user typed it, for the one-line usage error.
 */
#ifndef CLIOPT_H
#define CLIOPT_H

#include <getopt.h>
#include <stddef.h>

/* Writes to buf why getopt_long (with a leading ':' in its option string
 * and opterr 0) just refused an option, given its long options, what it
 * returned (c), optind and optopt: "option '--name' needs a value",
 * "option '--name' takes no value" or "unknown option '-x'", naming the
 * option as typed (any "=value" cut off).  optopt alone cannot name it:
 * for a long option it holds the option's val, which need not be a
 * character at all. */
void cli_refused(char *const *argv, const struct option *opts, int c, int optind, int optopt,
		 char *buf, size_t cap);

#endif
