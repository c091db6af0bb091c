/*
 * check.h - the tiny harness every unit test links: CHECK(expr) prints
 * "ok"/"not ok" lines that tests/run.sh counts, with file:line on failure.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <stdlib.h>

static int check_failed_, check_passed_;

#define CHECK_(cond, name, ...)                                                     \
	do {                                                                        \
		if (cond) {                                                         \
			check_passed_++;                                            \
		} else {                                                            \
			check_failed_++;                                            \
			printf("not ok %s:%d: %s: ", __FILE__, __LINE__, name);     \
			printf(__VA_ARGS__);                                        \
			printf("\n");                                               \
		}                                                                   \
	} while (0)

/* CHECK(expr): one assertion. */
#define CHECK(expr) CHECK_((expr), #expr, "%s", "false")
/* CHECKF(expr, fmt, ...): one assertion with a message on failure. */
#define CHECKF(expr, ...) CHECK_((expr), #expr, __VA_ARGS__)

/* Each test program ends with `return check_done("name");`: prints one
 * "ok"/"not ok" summary line per program plus the assertion counts. */
static inline int check_done(const char *name)
{
	printf("%s %s (%d checks passed, %d failed)\n", check_failed_ ? "not ok" : "ok",
	       name, check_passed_, check_failed_);
	return check_failed_ ? 1 : 0;
}

#endif
