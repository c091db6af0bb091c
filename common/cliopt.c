/*
 * cliopt.c - the name of a refused command-line option (see cliopt.h).
 */
#include "cliopt.h"

#include <stdio.h>
#include <string.h>

void cli_refused_option(char *const *argv, int optind, int optopt, char *buf, size_t cap)
{
	const char *a = argv[optind - 1];
	if (strncmp(a, "--", 2) == 0)
		snprintf(buf, cap, "%.*s", (int)strcspn(a, "="), a);
	else
		snprintf(buf, cap, "-%c", optopt);
}
