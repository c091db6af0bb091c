/*
 * fuzz.h - what the fuzz targets in tests/fuzz/ share.
 *
 * Each target defines its entry point under the name FUZZ_ENTRY, which is
 * LLVMFuzzerTestOneInput unless the includer chose another name:
 * tests/unit/test_fuzz_replay.c includes every target into one plain C
 * program (no clang needed) and replays the seed corpora and regression
 * inputs through them, so each target gets its own name there.  Static
 * helpers of a target carry the target's prefix for the same reason.
 *
 * FUZZ_FAIL reports a broken invariant (a bug that does not crash by
 * itself) and aborts, which libFuzzer records as a crash and the replay
 * test as a failed program.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_FAIL(...)                                                    \
	do {                                                              \
		fprintf(stderr, "fuzz invariant broken: " __VA_ARGS__);   \
		fputc('\n', stderr);                                      \
		abort();                                                  \
	} while (0)

#endif
