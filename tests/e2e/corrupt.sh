#!/bin/sh
# corrupt.sh - a damaged index is always detected, never a crash, a hang or
# silently different results.
#
# A small index (the demo corpus plus a DeleteCitation, so that it has a
# deletion file) is damaged one file at a time: every file (.sdoc .sdic
# .spst .spos .ssto, the deletion file, MANIFEST) is truncated at many
# offsets and has single bits flipped in its header, all through its body
# and in its padding.  For every case:
#   - `sarc-index --verify` exits 2 naming the damaged file;
#   - each of a few queries (plain with stored titles, phrase, --show,
#     --facet year, --count, prefix with --syntax pubmed) either exits 2
#     with one line on stderr, or prints exactly what it printed for the
#     intact index (the damage is in bytes that query does not read);
#     anything else fails: a signal or a sanitizer report, a hang (timeout
#     10 s), several lines of errors, or different output with exit 0/1.
# One exception, by design (FORMAT.md §2: opening checks headers only, the
# CRCs are --verify's): a flipped bit inside the body of a .sdoc, .sdic,
# .spst or .spos file may decode to plausible values that no bounds or
# consistency check can tell from real ones (a year, a field length, a
# dictionary key, a gap); so may one inside a compressed block of the .ssto
# file, which reference lookups (--references, --cited-by's list) and the
# records of a block that does not inflate whole inflate only as far as
# they need, short of zlib's Adler-32 at the end of the block.  Queries then
# answer differently without noticing.  Those cases are counted and listed
# ("undetected by queries"), not failed, unless CORRUPT_STRICT=1.
# Everything else - the manifest, deletion files, the stored block index,
# every header, the padding, every truncation - must be detected.
# The counts are printed: cases, detected by --verify, refused by the
# queries, harmless to them, undetected by them.  CORRUPT_FLIPS sets the
# body bit flips per file (default 40, 12 under the sanitizers; every
# byte of a body that small);
# CORRUPT_LOG=FILE keeps the list of failures and undetected cases.
. "$(dirname "$0")/lib.sh"

IDX=$SARC_BIN/sarc-index
Q=$SARC_BIN/sarc-query
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
demo=$ROOT/corpus/demo/sarcoma-demo.xml
# fewer under the sanitizers, where each process costs ten times as much
case $SARC_BUILD in *-san) flips=${CORRUPT_FLIPS:-12} ;; *) flips=${CORRUPT_FLIPS:-40} ;; esac
to=timeout
command -v timeout >/dev/null 2>&1 || to=""
# sanitizers must report, not hide, and a report must end the process
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

cat >"$tmp/del.xml" <<'EOF'
<?xml version="1.0"?>
<PubmedArticleSet>
<DeleteCitation><PMID Version="1">90000002</PMID><PMID Version="1">90000005</PMID></DeleteCitation>
</PubmedArticleSet>
EOF
if ! "$IDX" -q -o "$tmp/good" "$demo" || ! "$IDX" -q -o "$tmp/good" "$tmp/del.xml" ||
	! "$IDX" --verify "$tmp/good" >/dev/null; then
	fail corrupt_setup "cannot build the demo index"
	exit 0
fi
files=$(cd "$tmp/good" && ls | grep -v '^LOCK$')
case $files in
*.del-*) ok corrupt_setup ;;
*) fail corrupt_setup "no deletion file in: $files" ;;
esac
# where the compressed blocks of the .ssto file end: the body offset of its
# block index, 24 bytes into its 40-byte trailer (FORMAT.md §7)
sto=$(cd "$tmp/good" && ls *.ssto | head -1)
ssto_blocks_end=$(python3 -c '
import struct, sys
b = open(sys.argv[1], "rb").read()
body_len = struct.unpack("<Q", b[24:32])[0]
t = 32 + body_len - 40
print(32 + struct.unpack("<Q", b[t + 24:t + 32])[0])' "$tmp/good/$sto")

# The queries: one per line, arguments separated by '|'.
cat >"$tmp/queries" <<'EOF'
-k|20|--format|tsv|--fields|pmid,score,year,title|leiomyosarcoma trabectedin
--ids|"ewing sarcoma" EWS-FLI1
--show|90000001|90000003
--facet|year|sarcoma
--count|sarcoma
--ids|--syntax|pubmed|sarcom*[tiab] AND 2000:2025[dp] NOT gist
EOF
nq=$(wc -l <"$tmp/queries")

# run_query N DIR OUTPREFIX: runs query N on index DIR; stdout, stderr and
# the exit status go to OUTPREFIX.out/.err/.rc
run_query() {
	line=$(sed -n "$1p" "$tmp/queries")
	old_ifs=$IFS
	IFS='|'
	# shellcheck disable=SC2086
	set -- $line
	IFS=$old_ifs
	$to 10 "$Q" -i "$dir" --color=never "$@" >"$out.out" 2>"$out.err"
	echo $? >"$out.rc"
}

i=1
while [ $i -le "$nq" ]; do
	dir=$tmp/good out=$tmp/ref$i run_query $i
	if [ "$(cat "$tmp/ref$i.rc")" -gt 1 ]; then
		fail corrupt_reference "query $i fails on the intact index: $(cat "$tmp/ref$i.err")"
	fi
	i=$((i + 1))
done

cp -R "$tmp/good" "$tmp/work"
cases=0 vdetected=0 refused=0 harmless=0 undetected=0 bad=0
badlog=$tmp/bad.log
valuelog=$tmp/value.log
: >"$badlog"
: >"$valuelog"

# value_damage: 1 if the damage of the current case ($f, $off, $kind) may
# by design go unnoticed by queries (see the top of the file)
value_damage() {
	[ "${CORRUPT_STRICT:-0}" = 1 ] && return 1
	[ "$kind" = flip ] && [ "$off" -ge 32 ] && [ "$off" -lt $((size - 64)) ] || return 1
	case $f in *.sdoc | *.sdic | *.spst | *.spos) return 0 ;; esac
	# .ssto: the compressed blocks, not the block index and trailer after them
	case $f in *.ssto) [ "$off" -lt "$ssto_blocks_end" ] && return 0 ;; esac
	return 1
}

# check_case WHAT: runs --verify and every query on the damaged work index
check_case() {
	cases=$((cases + 1))
	$to 20 "$IDX" --verify "$tmp/work" >/dev/null 2>"$tmp/v.err"
	rc=$?
	if [ $rc = 2 ] && grep -q -F "$f" "$tmp/v.err" && [ "$(wc -l <"$tmp/v.err")" = 1 ]; then
		vdetected=$((vdetected + 1))
	else
		bad=$((bad + 1))
		echo "$1: --verify exit $rc: $(head -c 300 "$tmp/v.err")" >>"$badlog"
	fi
	any_refused=0 all_same=1 value=0
	n=1
	while [ $n -le "$nq" ]; do
		dir=$tmp/work out=$tmp/got run_query $n
		rc=$(cat "$tmp/got.rc")
		if grep -q -E 'Sanitizer|runtime error|LeakSanitizer' "$tmp/got.err" || [ "$rc" -gt 2 ]; then
			bad=$((bad + 1))
			echo "$1: query $n: exit $rc (crash or hang): $(head -c 300 "$tmp/got.err")" >>"$badlog"
		elif [ "$rc" = 2 ]; then
			any_refused=1
			if [ "$(wc -l <"$tmp/got.err")" != 1 ]; then
				bad=$((bad + 1))
				echo "$1: query $n: exit 2 with $(wc -l <"$tmp/got.err") lines: $(head -c 300 "$tmp/got.err")" >>"$badlog"
			fi
		elif [ "$rc" != "$(cat "$tmp/ref$n.rc")" ] || ! cmp -s "$tmp/got.out" "$tmp/ref$n.out"; then
			all_same=0
			if value_damage; then
				value=1
				echo "$1: query $n: different results (exit $rc)" >>"$valuelog"
			else
				bad=$((bad + 1))
				echo "$1: query $n: silently different results (exit $rc)" >>"$badlog"
			fi
		fi
		n=$((n + 1))
	done
	# a case counts once: undetected if any query answered differently
	# without noticing, else refused if any query refused it
	if [ $value = 1 ]; then
		undetected=$((undetected + 1))
	elif [ $any_refused = 1 ]; then
		refused=$((refused + 1))
	elif [ $all_same = 1 ]; then
		harmless=$((harmless + 1))
	fi
}

# flip FILE OFFSET BIT: flips one bit in place
flip() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' \n')
	nb=$((b ^ (1 << $3)))
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' "$nb")" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

restore() { cp "$tmp/good/$f" "$tmp/work/$f"; }

# --- truncation ---
tcases0=$cases tbad0=$bad
kind=truncate
for f in $files; do
	size=$(wc -c <"$tmp/good/$f")
	offs=$(printf '%s\n' 0 1 31 32 33 $((size / 4)) $((size / 2)) $((size * 3 / 4)) \
		$((size - 65)) $((size - 64)) $((size - 2)) $((size - 1)) | sort -n -u)
	for off in $offs; do
		[ "$off" -ge 0 ] && [ "$off" -lt "$size" ] || continue
		restore
		dd if=/dev/null of="$tmp/work/$f" bs=1 seek="$off" 2>/dev/null
		check_case "$f truncated at $off"
	done
	restore
done
tcases=$((cases - tcases0))
if [ $bad = "$tbad0" ]; then
	ok "corrupt_truncate ($tcases cases: all detected by --verify, refused by every query or harmless)"
else
	fail corrupt_truncate "$((bad - tbad0)) failures in $tcases cases: $(head -5 "$badlog")"
fi

# --- bit flips ---
fcases0=$cases fbad0=$bad fref0=$refused fharm0=$harmless fver0=$vdetected
seed=12345
kind=flip
for f in $files; do
	size=$(wc -c <"$tmp/good/$f")
	case $f in MANIFEST) pad=0 ;; *) pad=64 ;; esac
	body=$((size - 32 - pad))
	# every field of the header, one bit each
	offs="0 5 9 13 16 17 22 25"
	# the body: every byte if small, else evenly spread plus pseudo-random
	if [ "$body" -le $((flips * 2)) ]; then
		offs="$offs $(seq 32 $((31 + body)) | tr '\n' ' ')"
	else
		k=0
		while [ $k -lt "$flips" ]; do
			if [ $((k % 2)) = 0 ]; then
				o=$((32 + body * k / flips))
			else
				seed=$(((seed * 1103515245 + 12345) % 2147483648))
				o=$((32 + seed % body))
			fi
			offs="$offs $o"
			k=$((k + 1))
		done
	fi
	# the padding
	[ $pad -gt 0 ] && offs="$offs $((size - 64)) $((size - 33)) $((size - 1))"
	for off in $offs; do
		seed=$(((seed * 1103515245 + 12345) % 2147483648))
		bit=$((seed / 65536 % 8))
		restore
		flip "$tmp/work/$f" "$off" "$bit"
		check_case "$f bit $bit of byte $off"
	done
	restore
done
fcases=$((cases - fcases0))
msg="$fcases cases: $((vdetected - fver0)) detected by --verify; $((refused - fref0)) refused by a query, $((harmless - fharm0)) harmless to every query, $undetected undetected by a query"
if [ "$undetected" -gt 0 ]; then
	msg="$msg ($(sed 's/ bit .*//' "$valuelog" | sort | uniq -c | awk '{printf "%s%s: %d", (NR > 1 ? ", " : ""), $2, $1}') query results; value damage in a body, see FORMAT.md §2)"
fi
if [ $bad = "$fbad0" ]; then
	ok "corrupt_bitflip ($msg)"
else
	fail corrupt_bitflip "$((bad - fbad0)) failures ($msg): $(sed -n "$((fbad0 + 1)),\$p" "$badlog" | head -8 | tr '\n' ';')"
fi
if [ -n "${CORRUPT_LOG:-}" ]; then cat "$badlog" "$valuelog" >"$CORRUPT_LOG"; fi
