/*
 * cliopt.c - why a command-line option was refused (see cliopt.h).
 */
#include "cliopt.h"

#include <stdio.h>
#include <string.h>

/* The long option the word "--name[=value]" names, as getopt_long reads
 * it: exactly, or by a prefix of options that all do the same (--colo for
 * --color and --colour); NULL if none, *ambiguous set when the prefix
 * names options that differ. */
static const struct option *long_named(const char *word, const struct option *opts,
				       int *ambiguous)
{
	const char *name = word + 2;
	size_t n = strcspn(name, "=");
	const struct option *found = NULL;
	*ambiguous = 0;
	for (const struct option *o = opts; o->name; o++)
		if (strncmp(o->name, name, n) == 0 && o->name[n] == '\0')
			return o;
	for (const struct option *o = opts; o->name; o++) {
		if (strncmp(o->name, name, n) != 0)
			continue;
		if (found && (found->has_arg != o->has_arg || found->val != o->val)) {
			*ambiguous = 1;
			return NULL;
		}
		found = o;
	}
	return found;
}

void cli_refused(char *const *argv, const struct option *opts, int c, int optind, int optopt,
		 char *buf, size_t cap)
{
	/* optind has moved past the refused word, except when getopt stopped
	 * inside a cluster of short options ("-sarcoma" after "--count"):
	 * then argv[optind - 1] is the word before, and optopt the letter */
	const char *a = argv[optind - 1];
	int is_long = strncmp(a, "--", 2) == 0 && a[2] != '\0', ambiguous = 0;
	const struct option *o = is_long ? long_named(a, opts, &ambiguous) : NULL;
	if (is_long && c == ':') {
		snprintf(buf, cap, "option '%.*s' needs a value", (int)strcspn(a, "="), a);
	} else if (is_long && o == NULL && optopt == 0) {
		snprintf(buf, cap, ambiguous ? "option '%.*s' is ambiguous" : "unknown option '%.*s'",
			 (int)strcspn(a, "="), a);
	} else if (o && o->has_arg == no_argument && o->val == optopt && strchr(a, '=')) {
		/* a long option given a value it does not take has its val in
		 * optopt, an unknown short option its letter */
		snprintf(buf, cap, "option '%.*s' takes no value", (int)strcspn(a, "="), a);
	} else if (c == ':') {
		snprintf(buf, cap, "option '-%c' needs a value", optopt);
	} else {
		snprintf(buf, cap, "unknown option '-%c'", optopt);
	}
}
