/*
 * cliopt.c - why a command-line option was refused (see cliopt.h).
 */
#include "cliopt.h"

#include <stdio.h>
#include <string.h>

void cli_refused(char *const *argv, int c, int optind, int optopt, char *buf, size_t cap)
{
	const char *a = argv[optind - 1];
	char name[64];
	int is_long = strncmp(a, "--", 2) == 0;
	if (is_long)
		snprintf(name, sizeof name, "%.*s", (int)strcspn(a, "="), a);
	else
		snprintf(name, sizeof name, "-%c", optopt);
	if (c == ':')
		snprintf(buf, cap, "option '%s' needs a value", name);
	else if (is_long && optopt) /* a long option given a value it does
				     * not take has its val here; an unknown
				     * one, 0 */
		snprintf(buf, cap, "option '%s' takes no value", name);
	else
		snprintf(buf, cap, "unknown option '%s'", name);
}
