/*
 * cliopt.h - what the two command lines share when getopt_long refuses an
 * option: its name as the user typed it, for the one-line usage error.
 */
#ifndef CLIOPT_H
#define CLIOPT_H

#include <stddef.h>

/* Writes to buf the option getopt_long just refused, given its optind and
 * optopt: "--name" (any "=value" cut off) or "-c".  optopt alone cannot
 * say: for a long option it holds the option's val, which need not be a
 * character at all. */
void cli_refused_option(char *const *argv, int optind, int optopt, char *buf, size_t cap);

#endif
