#!/bin/sh
# helpers.sh - builds the benchmark's C helpers into DIR (default build):
# bench_analyze (the analyzer alone), qlat (queries in one process, through
# the engine's sources) and floor (the entropy floor of the index sizes).
# Compiler messages go to LOG (default: standard error).  Prints the name
# of each helper that does not build; the exit status is their number.
# `make bench` (run.sh) calls it, and so does tests/e2e/bench_helpers.sh,
# so that `make check` notices a helper the sources no longer build with.
# Run from the repository root.
dir=${1:-build}
log=${2:-/dev/stderr}
CC=${CC:-cc}
failed=0
try() {
	name=$1
	shift
	if ! "$CC" -std=c11 -D_GNU_SOURCE -O2 "$@" -o "$dir/$name" 2>>"$log"; then
		echo "$name"
		rm -f "$dir/$name"
		failed=$((failed + 1))
	fi
}
mkdir -p "$dir"
try bench_analyze -Icommon tests/bench/bench_analyze.c common/*.c -lstemmer -ldeflate -lz -lm
# shellcheck disable=SC2046
try qlat -Icommon -Iquery -Iindexer -I/usr/include/libxml2 tests/bench/qlat.c \
	$(ls query/*.c | grep -v main.c) common/*.c -lxml2 -ldeflate -lz -lstemmer -lm -lpthread
try floor -Icommon tests/bench/floor.c common/*.c -lstemmer -ldeflate -lz -lm
exit "$failed"
