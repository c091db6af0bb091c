#!/bin/sh
# bench_helpers.sh - the benchmark's C helpers (tests/bench/helpers.sh:
# bench_analyze, qlat, floor) still build from the sources, as `make bench`
# builds them: they compile the engine's files with their own command
# line, which a new source file or library can leave behind (qlat failing
# to build cost a run its in-process query figures).
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$ROOT" || exit 2
failed=$(sh tests/bench/helpers.sh "$tmp" "$tmp/log")
for h in bench_analyze qlat floor; do
	case " $(echo $failed) " in
	*" $h "*) fail "bench_helpers/$h" "does not build: $(grep -m 3 'error' "$tmp/log" | tr '\n' ' ')" ;;
	*) if [ -x "$tmp/$h" ]; then ok "bench_helpers/$h"; else fail "bench_helpers/$h" "no binary"; fi ;;
	esac
done
