#!/bin/sh
# readme.sh - runs every command line that README.md shows (the lines of its
# ```sh blocks), in order, in one shell, in a scratch directory holding the
# demo corpus, so that README cannot rot.  `make check` itself is not rerun
# from inside the tests; `make demo` is run as the script it calls.
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ln -s "$ROOT/corpus" "$tmp/corpus"
mkdir "$tmp/downloads"
gzip -c "$ROOT/corpus/demo/sarcoma-demo.xml" >"$tmp/downloads/demo.xml.gz"

script="$tmp/readme-commands.sh"
{
	echo 'PATH="$SARC_BIN:$PATH"; export PATH; unset SARC_INDEX'
	awk '/^```sh$/ {on=1; next} /^```/ {on=0} on && NF' "$ROOT/README.md" |
	while IFS= read -r line; do
		case $line in
		"make check") continue ;;
		"make demo")
			line='(cd "$ROOT" && SARC_DEMO_INDEX="$TMPD/demo-index" sh corpus/demo.sh)' ;;
		esac
		name=$(printf '%s' "$line" | cut -c1-60 | tr -c 'A-Za-z0-9_.:=-' '_')
		printf '%s >"$TMPD/out" 2>"$TMPD/err"\n' "$line"
		printf 'rc=$?\n'
		# a search must print something; other commands need only succeed
		case $line in *sarc-query*) need='[ -s "$TMPD/out" ]' ;; *) need=true ;; esac
		printf 'if [ $rc = 0 ] && %s; then echo "ok readme:%s"; ' "$need" "$name"
		printf 'else echo "not ok readme:%s: exit $rc: $(head -c 300 "$TMPD/err")"; fi\n' "$name"
	done
} >"$script"
n=$(grep -c '^rc=' "$script")
[ "$n" -ge 30 ] && ok readme_has_examples || fail readme_has_examples "only $n command lines found"
(cd "$tmp" && TMPD="$tmp" ROOT="$ROOT" SARC_BIN="$SARC_BIN" sh "$script")
