#!/bin/sh
# run.sh - `make fuzz`: builds each libFuzzer target of tests/fuzz/ with clang
# (-fsanitize=fuzzer,address,undefined, the library compiled with the same
# sanitizers into build-fuzz/), runs it for FUZZ_SECONDS (default 60) on a
# fresh copy of its seed corpus, and reports executions and coverage per
# target.  Exits 1 if any target found a crash, a hang, a leak or an
# out-of-memory (the input is kept under build-fuzz/artifacts/<target>/:
# add it to tests/fuzz/regressions/<target>/ together with the fix), 2 if
# the targets cannot be built.
#
# Environment: FUZZ_SECONDS, FUZZ_TARGETS (default "pubmed analyze qparse
# index"), CLANG (default clang).  Needs Debian's clang and libclang-rt-14-dev
# (or the runtime package of the installed clang); `make check` does not:
# tests/unit/test_fuzz_replay.c replays the seeds and regressions without it.
cd "$(dirname "$0")/../.." || exit 2
top=$(pwd)
secs=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-"pubmed analyze qparse index"}
cc=${CLANG:-clang}
out=build-fuzz

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "fuzz: $cc not found: install the Debian packages clang and libclang-rt-14-dev" >&2
	exit 2
fi
if ! printf 'int LLVMFuzzerTestOneInput(const char *d, long n) { (void)d; (void)n; return 0; }\n' |
	"$cc" -fsanitize=fuzzer -x c - -o /dev/null 2>/dev/null; then
	echo "fuzz: $cc cannot link -fsanitize=fuzzer: install libclang-rt-14-dev (the runtime of clang)" >&2
	exit 2
fi

# The same flags and libraries as the Makefile.
pkgs="libxml-2.0 zlib"
pkg_cflags=$(pkg-config --cflags $pkgs 2>/dev/null || echo -I/usr/include/libxml2)
pkg_libs=$(pkg-config --libs $pkgs 2>/dev/null || echo -lxml2 -lz)
libs="$pkg_libs -lisal -ldeflate -lstemmer -lpthread -lm"
san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cppflags="-D_GNU_SOURCE -Icommon -Iindexer -Iquery $pkg_cflags"
cflags="-std=c11 -O1 -g -Wall -Wextra"

# The library, through the Makefile's own rules.  build-fuzz/ has no header
# dependency files of its own: when a header changed, start afresh.
mkdir -p "$out"
stamp=$out/.headers
if [ -f "$stamp" ] && [ -n "$(find common indexer query -name '*.h' -newer "$stamp" 2>/dev/null)" ]; then
	rm -rf "$out/common" "$out/indexer" "$out/query"
fi
objs=""
for src in common/*.c indexer/*.c query/*.c; do
	case $src in */main.c) continue ;; esac
	objs="$objs $out/${src%.c}.o"
done
echo "fuzz: building the library with $cc into $out/" >&2
if ! make --no-print-directory BUILD="$out" CC="$cc" OPT="-O1 -g" \
	SANFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	$objs >"$out/build.log" 2>&1; then
	cat "$out/build.log" >&2
	echo "fuzz: cannot build the library (log above)" >&2
	exit 2
fi
touch "$stamp"

# fuzz_index writes a damaged index file per input: keep that in memory
tmpdir=$top/$out/tmp
if [ -d /dev/shm ] && [ -w /dev/shm ]; then tmpdir=/dev/shm/sarc-fuzz.$$; fi
mkdir -p "$tmpdir"
trap 'rm -rf "$tmpdir"' EXIT
status=0
summary=""
for t in $targets; do
	src=tests/fuzz/fuzz_$t.c
	bin=$out/fuzz_$t
	if [ ! -f "$src" ]; then
		echo "fuzz: no target $src" >&2
		exit 2
	fi
	if ! "$cc" $cppflags $cflags -fsanitize=fuzzer $san -o "$bin" "$src" $objs $libs 2>"$out/link-$t.log"; then
		cat "$out/link-$t.log" >&2
		echo "fuzz: cannot build $bin" >&2
		exit 2
	fi
	# a fresh copy of the seeds (plus the XML test files for pubmed), so
	# that the committed corpus stays small and reviewed
	work=$out/work/$t
	arts=$out/artifacts/$t
	rm -rf "$work" "$arts"
	mkdir -p "$work" "$arts"
	cp tests/fuzz/corpus/$t/* "$work"/
	for r in tests/fuzz/regressions/$t/*; do [ -f "$r" ] && cp "$r" "$work"/; done
	if [ "$t" = pubmed ]; then
		for x in tests/data/xml/*.xml tests/data/xml/*/*.xml tests/golden/*/*.xml; do
			[ -f "$x" ] && [ "$(wc -c <"$x")" -le 65536 ] && cp "$x" "$work/data-$(echo "$x" | tr / _)"
		done
	fi
	dict=""
	[ -f tests/fuzz/$t.dict ] && dict="-dict=tests/fuzz/$t.dict"
	[ "$t" = index ] && dict="-dict=tests/fuzz/qparse.dict" # its queries
	case $t in
	pubmed) maxlen=16384 ;;
	index) maxlen=1024 ;;
	*) maxlen=4096 ;;
	esac
	log=$out/fuzz-$t.log
	echo "fuzz: running fuzz_$t for ${secs}s (log: $log)" >&2
	TMPDIR="$tmpdir" ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=$maxlen \
		-print_final_stats=1 -artifact_prefix="$arts/" $dict "$work" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
	found=$(ls "$arts" 2>/dev/null | head -5 | tr '\n' ' ')
	line="fuzz_$t: ${execs:-?} executions (${speed:-?}/s), cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}"
	if [ $rc -ne 0 ] || [ -n "$found" ]; then
		status=1
		line="$line: FAILED (exit $rc) ${found:+inputs in $arts/: $found}"
		grep -E 'ERROR: |fuzz invariant broken|runtime error|SUMMARY' "$log" | head -5 >&2
	fi
	echo "$line"
	summary="$summary$line
"
	rm -rf "${tmpdir:?}"/*
done
printf '%s' "$summary" >"$out/summary.txt"
[ $status -eq 0 ] && echo "fuzz: no crash found" || echo "fuzz: crashes found (see above)"
exit $status
