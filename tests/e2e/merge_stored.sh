#!/bin/sh
# merge_stored.sh - merges copy stored blocks as they are when the segments
# share a vocabulary (FORMAT.md §7.2), and pack the records of blocks that
# lost documents again; either way every record reads back the same.
#
# Checks:
#   merge_stored_shared   one run's segments, written by two threads at once,
#                         share one vocabulary: their merge copies every block
#   merge_stored_mixed    after a second run replaces some of those PMIDs and
#                         adds new citations, the merge copies the untouched
#                         blocks, packs the others again, and every record
#                         (all fields, PMIDs in order) is as before the merge
#   merge_threads_same_bytes  a merge on 4 threads (key ranges written to part
#                         files, then appended) writes the same bytes as on one
#   merge_stored_verify   --verify passes after each merge
. "$(dirname "$0")/lib.sh"

IDX=$SARC_BIN/sarc-index
QRY=$SARC_BIN/sarc-query
GEN=$SARC_BUILD/corpus/gen-pubmed
if [ ! -x "$GEN" ]; then
	skip merge_stored "no $GEN (run make)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A vocabulary is shared once chosen from a full sample (4096 records), so
# each thread's segment needs more than that: 3 files of 5000 citations.
"$GEN" -n 15000 -s 7 -f 5000 -o "$tmp/a" || { fail merge_stored "gen-pubmed failed"; exit 0; }
# the second run: 600 PMIDs of the first file again (new versions), 5000
# new citations, and 15 deletions 200 PMIDs apart (15 different blocks)
"$GEN" -n 600 -s 8 -p 1201 >"$tmp/b1.xml"
"$GEN" -n 5000 -s 9 -p 20001 >"$tmp/b2.xml"
{
	echo '<?xml version="1.0"?><PubmedArticleSet><DeleteCitation>'
	for p in $(seq 2003 200 4803); do echo "<PMID Version=\"1\">$p</PMID>"; done
	echo '</DeleteCitation></PubmedArticleSet>'
} >"$tmp/b3.xml"

# every record of the index, by PMID, all fields
dump() {
	"$QRY" -i "$1" -k 100000 --sort date --fields pmid,year,title,journal,authors,doi,pmc,mesh,abstract \
		'year:1800-2200' | grep -v '^pmid' | sort
}
# a field of the --json summary
jfield() {
	sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$2"
}

"$IDX" -q -j 2 -o "$tmp/idx" "$tmp/a" || fail merge_stored "first run failed"
nseg=$(ls "$tmp/idx"/*.ssto | wc -l)
dump "$tmp/idx" >"$tmp/before1"
cp -r "$tmp/idx" "$tmp/idx1"
"$IDX" -q -j 4 --json --merge "$tmp/idx" >"$tmp/m1.json" 2>"$tmp/err" || cat "$tmp/err"
# Threads merge key ranges into part files that are then appended: the
# segment must be the one a single thread writes, byte for byte.
"$IDX" -q -j 1 --merge "$tmp/idx1" 2>"$tmp/err" || cat "$tmp/err"
differ=""
for f in "$tmp/idx1"/seg-*; do
	cmp -s "$f" "$tmp/idx/${f##*/}" || differ="$differ ${f##*/}"
done
nfiles=$(ls "$tmp/idx" | grep -c '^seg-')
if [ -z "$differ" ] && [ "$nfiles" = 5 ]; then
	ok merge_threads_same_bytes
else
	fail merge_threads_same_bytes "files differing between -j1 and -j4 merges:$differ; $nfiles segment files"
fi
copied=$(jfield stored_blocks_copied "$tmp/m1.json")
packed=$(jfield stored_blocks_packed "$tmp/m1.json")
dump "$tmp/idx" >"$tmp/after1"
if [ "$nseg" -ge 2 ] && [ "${copied:-0}" -gt 0 ] && [ "${packed:-1}" = 0 ] &&
	cmp -s "$tmp/before1" "$tmp/after1" && [ "$(wc -l <"$tmp/after1")" = 15000 ]; then
	ok merge_stored_shared
else
	fail merge_stored_shared "$nseg segments, $copied blocks copied, $packed packed, $(wc -l <"$tmp/after1") records, same: $(cmp -s "$tmp/before1" "$tmp/after1" && echo yes || echo no)"
fi
v1=$("$IDX" --verify "$tmp/idx" 2>&1) || true

"$IDX" -q -j 1 -o "$tmp/idx" "$tmp/b1.xml" "$tmp/b2.xml" "$tmp/b3.xml" || fail merge_stored "second run failed"
dump "$tmp/idx" >"$tmp/before2"
"$IDX" -q --json --merge "$tmp/idx" >"$tmp/m2.json" 2>"$tmp/err" || cat "$tmp/err"
copied=$(jfield stored_blocks_copied "$tmp/m2.json")
packed=$(jfield stored_blocks_packed "$tmp/m2.json")
dump "$tmp/idx" >"$tmp/after2"
# The 600 replaced PMIDs fill 12 blocks, dropped whole, and part of one or
# two more; the 15 deletions take one document from 15 blocks: 16 or 17
# blocks are packed again.  The new segment adopted the index's vocabulary,
# so its blocks are copied too.
if [ "${copied:-0}" -gt 300 ] && [ "${packed:-0}" -ge 16 ] && [ "${packed:-0}" -le 17 ] &&
	cmp -s "$tmp/before2" "$tmp/after2" && [ "$(wc -l <"$tmp/after2")" = 19985 ] &&
	grep -q "^1500	" "$tmp/after2" && ! grep -q "^2203	" "$tmp/after2"; then
	ok merge_stored_mixed
else
	fail merge_stored_mixed "$copied blocks copied, $packed packed, $(wc -l <"$tmp/after2") records, same: $(cmp -s "$tmp/before2" "$tmp/after2" && echo yes || echo no)"
fi
v2=$("$IDX" --verify "$tmp/idx" 2>&1) || true
case "$v1/$v2" in
*": ok "*"/"*": ok "*) ok merge_stored_verify ;;
*) fail merge_stored_verify "$v1 / $v2" ;;
esac
