#!/bin/sh
# run.sh - runs every unit test program and end-to-end script, once with the
# plain build (build/, bin/) and once with ASan+UBSan (build-san/), and
# prints the final line "N passed, N failed".
#
# A unit test program prints "ok NAME" or "not ok NAME" lines; each such
# line counts.  An end-to-end script (tests/e2e/*.sh) does the same through
# tests/e2e/lib.sh.  A program that crashes or prints nothing counts as failed.
cd "$(dirname "$0")/.." || exit 2
top=$(pwd)
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() { # name, exit status, output file
	p=$(grep -c '^ok ' "$3")
	f=$(grep -c '^not ok ' "$3")
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "not ok $1 (exit status $2)"; fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; echo "not ok $1 (no results)"; fi
	grep '^not ok ' "$3" | sed "s|^|  [$1] |"
	passed=$((passed + p))
	failed=$((failed + f))
}

for variant in plain san; do
	if [ $variant = plain ]; then build=build; bin=bin; else build=build-san; bin=build-san/bin; fi
	[ -d "$build" ] || continue
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	for t in "$build"/tests/test_*; do
		[ -x "$t" ] || continue
		name="$variant/$(basename "$t")"
		(cd "$top" && "$t") >"$log" 2>&1
		count "$name" $? "$log"
	done
	for s in tests/e2e/*.sh; do
		[ -f "$s" ] || continue
		[ "$(basename "$s")" = lib.sh ] && continue
		name="$variant/$(basename "$s" .sh)"
		SARC_BIN="$top/$bin" SARC_BUILD="$top/$build" sh "$s" >"$log" 2>&1
		count "$name" $? "$log"
	done
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
