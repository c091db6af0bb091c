#!/bin/sh
# index_cli.sh - sarc-index end to end: counts against xmllint, replacement
# and deletion across runs, exit codes, one-line errors that leave the index
# untouched, --keep-going, the writer lock, --stats/--verify, and kill -9
# at random moments of indexing and merging (the previous index must still
# open, verify and hold the same documents).
. "$(dirname "$0")/lib.sh"

IDX=$SARC_BIN/sarc-index
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
demo=$ROOT/corpus/demo/sarcoma-demo.xml

docs_of() { "$IDX" --stats "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["documents"])'; }
json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

# --- the demo corpus: every PubmedArticle/PubmedBookArticle indexed ---
want=$(xmllint --xpath 'count(//PubmedArticle|//PubmedBookArticle)' "$demo")
if "$IDX" -q -o "$tmp/idx" "$demo" && [ "$(docs_of "$tmp/idx")" = "$want" ]; then
	ok index_demo_count
else
	fail index_demo_count "documents differ from xmllint's $want"
fi
if "$IDX" --verify "$tmp/idx" >/dev/null; then ok verify_demo; else fail verify_demo "verify failed"; fi
"$IDX" --stats "$tmp/idx" --json | python3 -m json.tool >/dev/null && ok stats_json || fail stats_json "not JSON"
# --verify --json: true on a sound index; on a damaged one false, with the
# reason that stderr gives too, and exit 2
vj=$("$IDX" --verify --json "$tmp/idx" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["ok"], j["segments"])')
cp -R "$tmp/idx" "$tmp/dmg"
sdoc=$(ls "$tmp/dmg"/*.spst | head -n 1)
printf 'X' | dd of="$sdoc" bs=1 seek=100 conv=notrunc 2>/dev/null
"$IDX" --verify --json "$tmp/dmg" >"$tmp/vj.out" 2>"$tmp/vj.err"
vrc=$?
vbad=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["ok"], j["error"])' "$tmp/vj.out" 2>&1)
if [ "$vj" = "True 1" ] && [ $vrc = 2 ] && [ "$vbad" = "False $(sed 's/^sarc-index: //' "$tmp/vj.err")" ] &&
	grep -q "spst" "$tmp/vj.err"; then
	ok verify_json
else
	fail verify_json "sound: $vj; damaged: exit $vrc, $vbad / $(cat "$tmp/vj.err")"
fi

# --- the merge policy (as Lucene's log policy, factor 10) ---
# Ten runs of 5 citations: nine segments of the smallest class stay, the
# tenth makes ten and they become one.  A run that then deletes over half
# of that segment's documents has it rewritten without them.
gen=$SARC_BUILD/corpus/gen-pubmed
if [ -x "$gen" ]; then
	segs_of() { "$IDX" --json --stats "$1" | json_field segments; }
	counts=""
	for r in 1 2 3 4 5 6 7 8 9 10; do
		"$gen" -n 5 -s "$r" -p $((r * 100)) >"$tmp/pol.xml"
		"$IDX" -q -o "$tmp/pol" "$tmp/pol.xml" || counts="$counts fail"
		counts="$counts $(segs_of "$tmp/pol")"
	done
	{
		echo '<?xml version="1.0"?><PubmedArticleSet><DeleteCitation>'
		for r in 1 2 3 4 5 6; do for k in 0 1 2 3 4; do echo "<PMID>$((r * 100 + k))</PMID>"; done; done
		echo '</DeleteCitation></PubmedArticleSet>'
	} >"$tmp/pol-del.xml"
	"$IDX" -q -o "$tmp/pol" "$tmp/pol-del.xml"
	after=$("$IDX" --json --stats "$tmp/pol" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["segments"], j["documents"], j["deleted"])')
	if [ "$counts" = " 1 2 3 4 5 6 7 8 9 1" ] && [ "$after" = "1 20 0" ] &&
		"$IDX" --verify "$tmp/pol" >/dev/null; then
		ok merge_policy
	else
		fail merge_policy "segments after each run:$counts; after deleting 30 of 50: $after (segments documents deleted)"
	fi
else
	skip merge_policy "generator not built"
fi

# --- replacement and deletion across runs ---
cat >"$tmp/v2.xml" <<'EOF'
<?xml version="1.0"?>
<PubmedArticleSet>
<PubmedArticle><MedlineCitation><PMID Version="2">90000001</PMID><Article><Journal><JournalIssue><PubDate><Year>2030</Year></PubDate></JournalIssue><Title>J</Title></Journal><ArticleTitle>Replaced title zzyzxreplacement</ArticleTitle></Article></MedlineCitation></PubmedArticle>
<DeleteCitation><PMID Version="1">90000002</PMID><PMID Version="1">12</PMID></DeleteCitation>
</PubmedArticleSet>
EOF
out=$("$IDX" -q --json -o "$tmp/idx" "$tmp/v2.xml")
rep=$(echo "$out" | json_field replaced)
del=$(echo "$out" | json_field deleted)
miss=$(echo "$out" | json_field delete_not_found)
n=$(docs_of "$tmp/idx")
if [ "$rep" = 1 ] && [ "$del" = 1 ] && [ "$miss" = 1 ] && [ "$n" = $((want - 1)) ]; then
	ok replace_delete_counts
else
	fail replace_delete_counts "replaced=$rep deleted=$del missing=$miss documents=$n (want 1 1 1 $((want - 1)))"
fi
"$IDX" --verify "$tmp/idx" >/dev/null && ok verify_after_update || fail verify_after_update "verify failed"

# --- within a run, the last record of a PMID wins: files in the order given,
# records in file order, deletions included, whatever segments and threads
# the records went to (--memory 1M splits files across segments); and the
# same over two runs.  The reference is computed from the events alone. ---
mkdir "$tmp/lw"
python3 - "$tmp/lw" <<'PYEOF'
import random, sys
random.seed(7)
nfiles, out = 8, sys.argv[1]
letters = 'abcdefghijklmnopqrstuvwxyz'
def tok(f, r): return 'zq' + letters[f] + letters[r // 676 % 26] + letters[r // 26 % 26] + letters[r % 26]
filler = ['sarcoma', 'tumor', 'patient', 'cell', 'growth', 'therapy', 'gene', 'lesion', 'muscle', 'bone'] + ['w' + a + b for a in letters for b in letters]
final = {}
for f in range(nfiles):
    with open('%s/f%d.xml' % (out, f), 'w') as fh:
        fh.write('<?xml version="1.0"?>\n<PubmedArticleSet>\n')
        for r in range(300):
            if random.random() < 0.08:
                pm = random.sample(range(1, 401), 3)
                fh.write('<DeleteCitation>' + ''.join('<PMID Version="1">%d</PMID>' % p for p in pm) + '</DeleteCitation>\n')
                for p in pm: final[p] = None
                continue
            p = random.randint(1, 400)
            t = tok(f, r)
            ab = ' '.join(random.choice(filler) for _ in range(120))
            fh.write('<PubmedArticle><MedlineCitation><PMID Version="1">%d</PMID><Article><Journal><JournalIssue><PubDate><Year>2020</Year></PubDate></JournalIssue><Title>J</Title></Journal><ArticleTitle>commonmarker %s</ArticleTitle><Abstract><AbstractText>%s</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle>\n' % (p, t, ab))
            final[p] = t
        fh.write('</PubmedArticleSet>\n')
with open('%s/want' % out, 'w') as fh:
    for p in sorted(final):
        if final[p]: fh.write('%d\tcommonmarker %s\n' % (p, final[p]))
PYEOF
lwbad=
for lwrun in "-j1" "-j2" "-j2 split"; do
	rm -rf "$tmp/lw/ix"
	set -- "$tmp"/lw/f*.xml
	if [ "${lwrun#* }" = split ]; then
		"$IDX" -q -j2 --memory 1M -o "$tmp/lw/ix" "$1" "$2" "$3" "$4" &&
			"$IDX" -q -j2 --memory 1M -o "$tmp/lw/ix" "$5" "$6" "$7" "$8"
	else
		"$IDX" -q "$lwrun" --memory 1M -o "$tmp/lw/ix" "$@"
	fi
	for lwstep in run merged; do
		[ $lwstep = merged ] && "$IDX" -q --merge "$tmp/lw/ix"
		"$SARC_BIN/sarc-query" -i "$tmp/lw/ix" -k 100000 --fields pmid,title commonmarker |
			tail -n +2 | sort -n >"$tmp/lw/got"
		# and each PMID looked up alone (the segments' PMID order)
		# shellcheck disable=SC2046 # PMIDs are words
		"$SARC_BIN/sarc-query" -i "$tmp/lw/ix" --fields pmid,title --show $(cut -f 1 "$tmp/lw/want") |
			tail -n +2 | sort -n >"$tmp/lw/show"
		cmp -s "$tmp/lw/got" "$tmp/lw/want" && cmp -s "$tmp/lw/show" "$tmp/lw/want" ||
			lwbad="$lwbad [$lwrun $lwstep: $(diff "$tmp/lw/want" "$tmp/lw/got" | head -n 3 | tr '\n' ' ')]"
	done
done
[ -z "$lwbad" ] && [ "$(wc -l <"$tmp/lw/want")" -gt 300 ] && ok run_last_wins || fail run_last_wins "$lwbad"

# The same with deletions that outgrow their buffer (65,536 under --memory
# 1M) and are spilled to a temporary file as sorted runs: DeleteCitations
# of 30,000 PMIDs, most of them absent, some among the files' records.
mkdir "$tmp/ld"
python3 - "$tmp/ld" <<'PYEOF'
import random, sys
random.seed(8)
out, final = sys.argv[1], {}
for f in range(4):
    with open('%s/f%d.xml' % (out, f), 'w') as fh:
        fh.write('<?xml version="1.0"?>\n<PubmedArticleSet>\n')
        for r in range(200):
            if r % 50 == 25:
                pm = random.sample(range(1, 301), 40) + random.sample(range(1000, 10 ** 6), 30000)
                random.shuffle(pm)
                fh.write('<DeleteCitation>' + ''.join('<PMID>%d</PMID>' % p for p in pm) + '</DeleteCitation>\n')
                for p in pm: final[p] = None
                continue
            p = random.randint(1, 300)
            t = 'zd%d' % (f * 1000 + r)
            fh.write('<PubmedArticle><MedlineCitation><PMID>%d</PMID><Article><ArticleTitle>dmarker %s</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n' % (p, t))
            final[p] = t
        fh.write('</PubmedArticleSet>\n')
with open('%s/want' % out, 'w') as fh:
    for p in sorted(final):
        if final[p]: fh.write('%d\tdmarker %s\n' % (p, final[p]))
PYEOF
ldbad=
for ldrun in "-j1" "-j2" "-j1 split"; do
	rm -rf "$tmp/ld/ix"
	if [ "${ldrun#* }" = split ]; then
		"$IDX" -q -j1 --memory 1M -o "$tmp/ld/ix" "$tmp/ld/f0.xml" &&
			"$IDX" -q -j1 --memory 1M -o "$tmp/ld/ix" "$tmp/ld/f1.xml" "$tmp/ld/f2.xml" "$tmp/ld/f3.xml"
	else
		"$IDX" -q "$ldrun" --memory 1M -o "$tmp/ld/ix" "$tmp"/ld/f*.xml
	fi
	"$SARC_BIN/sarc-query" -i "$tmp/ld/ix" -k 100000 --fields pmid,title dmarker | tail -n +2 | sort -n >"$tmp/ld/got"
	cmp -s "$tmp/ld/got" "$tmp/ld/want" || ldbad="$ldbad [$ldrun: $(diff "$tmp/ld/want" "$tmp/ld/got" | head -n 3 | tr '\n' ' ')]"
done
[ -z "$ldbad" ] && [ "$(wc -l <"$tmp/ld/want")" -gt 100 ] && ok run_last_wins_spilled || fail run_last_wins_spilled "$ldbad"

# ... and a DeleteCitation of 10^6 PMIDs (16 MB of them) stays within
# --memory 1M and the 30 MB of a thread: it took 30 MB, 10^7 of them 240.
if ldd "$IDX" 2>/dev/null | grep -q asan; then
	skip deletions_memory "RSS means nothing under AddressSanitizer"
else
	awk 'BEGIN { print "<PubmedArticleSet><DeleteCitation>"
		for (i = 1; i <= 1000000; i++) print "<PMID>" i "</PMID>"
		print "</DeleteCitation></PubmedArticleSet>" }' >"$tmp/del1m.xml"
	rss=$(python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$IDX" -q -j1 --memory 1M -o "$tmp/del1m" "$tmp/del1m.xml")
	if [ -n "$rss" ] && [ "$rss" -lt 20000 ]; then ok deletions_memory; else fail deletions_memory "max RSS ${rss:-?} KB, want < 20000"; fi
fi

# --- a PMID with many copies in one segment: one run reads PMID 5 65 times
# (64 copies die in the run but stay in the segment until a merge), the
# next replaces it once more.  Every lookup by PMID must see past the dead
# copies: the replacement (it once looked at the first 64 only and left
# two live), the check of each hit's PMID, --show, and pmid:5 (they looked
# at the first 8, 8 and 2). ---
mkdir "$tmp/mc"
python3 - "$tmp/mc" <<'PYEOF'
import sys
out = sys.argv[1]
L = 'abcdefghijklmnopqrstuvwxyz'
def rec(p, t):
    return ('<PubmedArticle><MedlineCitation><PMID Version="1">%d</PMID><Article><Journal><JournalIssue>'
            '<PubDate><Year>2021</Year></PubDate></JournalIssue><Title>J</Title></Journal>'
            '<ArticleTitle>manycopy %s</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n' % (p, t))
with open(out + '/c1.xml', 'w') as fh:
    fh.write('<?xml version="1.0"?>\n<PubmedArticleSet>\n')
    for p in range(1, 201):
        fh.write(rec(p, 'zb' + L[p // 26] + L[p % 26]))
    for i in range(64):
        fh.write(rec(5, 'zc' + L[i // 26] + L[i % 26]))
    fh.write('</PubmedArticleSet>\n')
with open(out + '/c2.xml', 'w') as fh:
    fh.write('<?xml version="1.0"?>\n<PubmedArticleSet>\n' + rec(5, 'zcfinal') + '</PubmedArticleSet>\n')
PYEOF
mcbad=
mc_check() { # $1: step, $2: the title PMID 5 must have
	mcq() { "$SARC_BIN/sarc-query" -i "$tmp/mc/ix" --fields pmid,title "$@" | tail -n +2; }
	[ "$(docs_of "$tmp/mc/ix")" = 200 ] || mcbad="$mcbad [$1: $(docs_of "$tmp/mc/ix") documents]"
	[ "$(mcq -k 1000 manycopy | wc -l)" = 200 ] || mcbad="$mcbad [$1: manycopy finds $(mcq -k 1000 manycopy | wc -l)]"
	[ "$(mcq pmid:5)" = "5	manycopy $2" ] || mcbad="$mcbad [$1: pmid:5 gives '$(mcq pmid:5)']"
	[ "$(mcq "$2")" = "5	manycopy $2" ] || mcbad="$mcbad [$1: $2 gives '$(mcq "$2" 2>&1)']"
	[ "$(mcq --show 5)" = "5	manycopy $2" ] || mcbad="$mcbad [$1: --show 5 gives '$(mcq --show 5 2>&1)']"
	[ -z "$(mcq zcaa)" ] || mcbad="$mcbad [$1: a dead copy is found]"
	"$IDX" --verify "$tmp/mc/ix" >/dev/null || mcbad="$mcbad [$1: --verify]"
}
"$IDX" -q -j1 -o "$tmp/mc/ix" "$tmp/mc/c1.xml" && mc_check "one run" zccl
"$IDX" -q -j1 -o "$tmp/mc/ix" "$tmp/mc/c2.xml" && mc_check "replaced" zcfinal
"$IDX" -q --merge "$tmp/mc/ix" && mc_check "merged" zcfinal
[ -z "$mcbad" ] && ok pmid_many_copies || fail pmid_many_copies "$mcbad"

# --- a bad file: one line on stderr naming it, exit 2, index untouched ---
printf '<?xml version="1.0"?>\n<PubmedArticleSet>\n<PubmedArticle><MedlineCitation><PMID>5</PMID>\n<oops></PubmedArticleSet>\n' >"$tmp/bad.xml"
before=$(cksum <"$tmp/idx/MANIFEST")
files_before=$(ls "$tmp/idx")
"$IDX" -q -o "$tmp/idx" "$demo" "$tmp/bad.xml" 2>"$tmp/err"
rc=$?
lines=$(wc -l <"$tmp/err")
after=$(cksum <"$tmp/idx/MANIFEST")
if [ $rc = 2 ] && [ "$lines" = 1 ] && grep -q "bad.xml:[0-9]" "$tmp/err" && [ "$before" = "$after" ]; then
	ok bad_file_exit2
else
	fail bad_file_exit2 "rc=$rc lines=$lines manifest changed=$([ "$before" = "$after" ] && echo no || echo yes): $(cat "$tmp/err")"
fi
[ "$(ls "$tmp/idx")" = "$files_before" ] && ok no_partial_files || fail no_partial_files "files left behind: $(ls "$tmp/idx")"

# --- --keep-going: the rest is indexed, exit 1 ---
"$IDX" -q -k -o "$tmp/kg" "$tmp/bad.xml" "$demo" 2>"$tmp/err"
rc=$?
if [ $rc = 1 ] && [ "$(docs_of "$tmp/kg")" -ge "$want" ] && grep -q "bad.xml" "$tmp/err"; then
	ok keep_going
else
	fail keep_going "rc=$rc"
fi

# --- --keep-going drops what a skipped file yielded before its error (a
# damaged .gz can inflate wrong bytes that still parse): its new record,
# its replacement of an indexed one and its deletion never happened ---
"$IDX" -q -o "$tmp/kd" "$demo"
kp=$("$SARC_BIN/sarc-query" -i "$tmp/kd" --ids -k 2 sarcoma | head -n 1)
kq=$("$SARC_BIN/sarc-query" -i "$tmp/kd" --ids -k 2 sarcoma | tail -n 1)
ktitle=$("$SARC_BIN/sarc-query" -i "$tmp/kd" --fields title --show "$kp")
art() { printf '<PubmedArticle><MedlineCitation><PMID>%s</PMID><Article><ArticleTitle>%s</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n' "$1" "$2"; }
{
	printf '<?xml version="1.0"?>\n<PubmedArticleSet>\n'
	art "$kp" "kgreplacedzz"
	art 91000001 "kgnewzz"
	printf '<DeleteCitation><PMID>%s</PMID></DeleteCitation>\n<oops></PubmedArticleSet>\n' "$kq"
} >"$tmp/bad2.xml"
kout=$("$IDX" -q -k --json -o "$tmp/kd" "$tmp/bad2.xml" 2>"$tmp/err")
krc=$?
kbad=
[ $krc = 1 ] || kbad="$kbad [exit $krc]"
[ "$(echo "$kout" | json_field indexed)" = 0 ] && [ "$(echo "$kout" | json_field read)" = 2 ] ||
	kbad="$kbad [summary $kout]"
[ "$(docs_of "$tmp/kd")" = "$want" ] || kbad="$kbad [$(docs_of "$tmp/kd") documents]"
[ -z "$("$SARC_BIN/sarc-query" -i "$tmp/kd" --ids kgreplacedzz OR kgnewzz)" ] || kbad="$kbad [its records are found]"
[ "$("$SARC_BIN/sarc-query" -i "$tmp/kd" --fields title --show "$kp")" = "$ktitle" ] || kbad="$kbad [$kp replaced]"
"$SARC_BIN/sarc-query" -i "$tmp/kd" --ids --show "$kq" >/dev/null || kbad="$kbad [$kq deleted]"
"$IDX" --verify "$tmp/kd" >/dev/null || kbad="$kbad [--verify]"
[ -z "$kbad" ] && [ "$kp" != "$kq" ] && ok keep_going_drops_bad_file || fail keep_going_drops_bad_file "$kbad"

# --- missing file, empty file, usage ---
"$IDX" -q -o "$tmp/x" "$tmp/nonexistent.xml" 2>"$tmp/err"
[ $? = 2 ] && grep -q nonexistent "$tmp/err" && ok missing_file || fail missing_file "$(cat "$tmp/err")"
: >"$tmp/empty.xml"
"$IDX" -q -o "$tmp/x" "$tmp/empty.xml" 2>"$tmp/err"
[ $? = 2 ] && grep -q "empty.xml" "$tmp/err" && ok empty_file || fail empty_file "$(cat "$tmp/err")"
"$IDX" --bogus 2>/dev/null
[ $? = 2 ] && ok usage_exit2 || fail usage_exit2 "bad option not exit 2"
# A usage error is one line, as sarc-query's, naming the option as typed,
# with the way to the help at its end (getopt's own message is not added).
ubad=
for uargs in "--bogus|unknown option '--bogus'" "-o|option '-o' needs a value" \
	"--quiet=1 -o $tmp/u x.xml|option '--quiet' takes no value" \
	"--quiet -zfoo -o $tmp/u x.xml|unknown option '-z'" \
	"-j x -o $tmp/u x.xml|bad value for --threads: 'x'" "-q -o $tmp/u|no input files"; do
	uwant="sarc-index: ${uargs#*|} (try 'sarc-index --help')"
	# shellcheck disable=SC2086 # the arguments are words
	"$IDX" ${uargs%%|*} >"$tmp/u.out" 2>"$tmp/u.err"
	ust=$?
	[ $ust = 2 ] && [ "$(wc -l <"$tmp/u.err")" -eq 1 ] && [ "$(cat "$tmp/u.err")" = "$uwant" ] ||
		ubad="$ubad [${uargs%%|*}: $ust $(cat "$tmp/u.err")]"
done
[ -z "$ubad" ] && ok usage_error_one_line || fail usage_error_one_line "$ubad"
"$IDX" --help | grep -q -- "--keep-going" && ok help_lists_options || fail help_lists_options "help"

# --- a directory of other files is never taken for an index ---
mkdir "$tmp/home" && echo keep >"$tmp/home/thesis.tex"
"$IDX" -q -o "$tmp/home" "$demo" 2>"$tmp/err"
[ $? = 2 ] && [ "$(ls "$tmp/home")" = thesis.tex ] && grep -q "not a sarc index" "$tmp/err" && ok foreign_directory || fail foreign_directory "$(cat "$tmp/err")"

# --- hostile input: a gzip bomb, NUL bytes, a directory loop, an unreadable file ---
python3 - "$tmp/bomb.xml.gz" <<'PY'
import gzip, sys
with gzip.open(sys.argv[1], "wb", 9) as f:
    f.write(b'<?xml version="1.0"?><PubmedArticleSet><PubmedArticle><MedlineCitation>'
            b'<PMID>1</PMID><Article><ArticleTitle>')
    chunk = b"a" * (1 << 20)
    for _ in range(200):          # 200 MB of one text node, 200 KB compressed
        f.write(chunk)
    f.write(b'</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>')
PY
case $SARC_BUILD in
*san*) limit="" ;;              # the sanitizers reserve terabytes of address space
*) limit="ulimit -v 400000;" ;; # an unbounded allocation of the text would fail here
esac
sh -c "$limit "$IDX" -q -o "$tmp/bombidx" "$tmp/bomb.xml.gz"" 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "bomb.xml.gz" "$tmp/err" && ok gzip_bomb || fail gzip_bomb "rc=$rc $(cat "$tmp/err")"
printf '<?xml version="1.0"?>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>7</PMID>\0</MedlineCitation></PubmedArticle></PubmedArticleSet>
' >"$tmp/nul.xml"
"$IDX" -q -o "$tmp/nulidx" "$tmp/nul.xml" 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "nul.xml" "$tmp/err" && ok nul_bytes || fail nul_bytes "rc=$rc $(cat "$tmp/err")"
mkdir -p "$tmp/loop/a" && cp "$demo" "$tmp/loop/a/x.xml" && ln -s .. "$tmp/loop/a/back"
"$IDX" -q -o "$tmp/loopidx" "$tmp/loop" 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "directory loop" "$tmp/err" && [ ! -e "$tmp/loopidx/MANIFEST" ] && ok directory_loop || fail directory_loop "rc=$rc $(cat "$tmp/err")"
cp "$demo" "$tmp/secret.xml" && chmod 000 "$tmp/secret.xml"
if cat "$tmp/secret.xml" >/dev/null 2>&1; then
	skip unreadable_file "running as root: permissions do not apply"
else
	"$IDX" -q -o "$tmp/unr" "$tmp/secret.xml" 2>"$tmp/err"
	rc=$?
	[ $rc = 2 ] && grep -q "secret.xml" "$tmp/err" && ok unreadable_file || fail unreadable_file "rc=$rc $(cat "$tmp/err")"
fi
chmod 644 "$tmp/secret.xml"

# --- standard input and .gz ---
gzip -c "$demo" >"$tmp/demo.xml.gz"
"$IDX" -q -o "$tmp/gz" "$tmp/demo.xml.gz" && [ "$(docs_of "$tmp/gz")" = "$want" ] && ok gzip_input || fail gzip_input "gz"
"$IDX" -q -o "$tmp/stdin" - <"$demo" && [ "$(docs_of "$tmp/stdin")" = "$want" ] && ok stdin_input || fail stdin_input "stdin"
mkdir -p "$tmp/dir/b" && cp "$demo" "$tmp/dir/b/x.xml" && cp "$tmp/demo.xml.gz" "$tmp/dir/a.xml.gz"
"$IDX" -q -o "$tmp/dirx" "$tmp/dir" && [ "$(docs_of "$tmp/dirx")" = "$want" ] && ok directory_input || fail directory_input "dir"
# names in capitals count, and a directory typed with its slash names its
# files without a doubled one
mkdir "$tmp/updir" && cp "$demo" "$tmp/updir/DEMO.XML" && echo x >"$tmp/updir/notes.txt"
"$IDX" -q -o "$tmp/updirx" "$tmp/updir/" && [ "$(docs_of "$tmp/updirx")" = "$want" ] &&
	ok directory_input_case || fail directory_input_case "DEMO.XML not read"
printf '<PubmedArticleSet><oops></PubmedArticleSet>' >"$tmp/updir/BAD.XML"
"$IDX" -q -o "$tmp/updiry" "$tmp/updir/" 2>"$tmp/err"
grep -q "^sarc-index: $tmp/updir/BAD.XML:" "$tmp/err" && ok directory_input_slash || fail directory_input_slash "$(cat "$tmp/err")"
printf '%s\n' "$tmp/demo.xml.gz" >"$tmp/list"
"$IDX" -q -o "$tmp/ff" --files-from "$tmp/list" && [ "$(docs_of "$tmp/ff")" = "$want" ] && ok files_from || fail files_from "files-from"

# --- a second writer is refused while the lock is held ---
if command -v flock >/dev/null; then
	flock "$tmp/idx/LOCK" sleep 3 &
	sleep 0.5
	"$IDX" -q -o "$tmp/idx" "$demo" 2>"$tmp/err"
	rc=$?
	wait
	[ $rc = 2 ] && grep -q locked "$tmp/err" && ok writer_lock || fail writer_lock "rc=$rc $(cat "$tmp/err")"
else
	skip writer_lock "flock(1) not installed"
fi

# --- kill -9 at random moments: the previous index always survives ---
gen=$SARC_BUILD/corpus/gen-pubmed
if [ -x "$gen" ]; then
	"$gen" --docs 4000 --seed 7 >"$tmp/big.xml"
	"$IDX" -q -o "$tmp/k9" "$demo"
	base=$(docs_of "$tmp/k9")
	bad=0
	i=0
	while [ $i -lt 12 ]; do
		i=$((i + 1))
		"$IDX" -q -j2 -m 1M -o "$tmp/k9" "$tmp/big.xml" 2>/dev/null &
		pid=$!
		sleep "0.$(( (i * 37) % 10 ))$(( (i * 13) % 10 ))"
		kill -9 $pid 2>/dev/null
		wait $pid 2>/dev/null
		if ! "$IDX" --verify "$tmp/k9" >/dev/null 2>&1; then bad=$((bad + 1)); fi
		n=$(docs_of "$tmp/k9")
		# either the run committed (base + 4000) or nothing changed
		if [ "$n" != "$base" ] && [ "$n" != $((base + 4000)) ]; then bad=$((bad + 1)); fi
		base=$n
		# and a merge killed midway
		"$IDX" -q --merge "$tmp/k9" 2>/dev/null &
		pid=$!
		sleep "0.0$(( (i * 7) % 10 ))"
		kill -9 $pid 2>/dev/null
		wait $pid 2>/dev/null
		"$IDX" --verify "$tmp/k9" >/dev/null 2>&1 || bad=$((bad + 1))
		[ "$(docs_of "$tmp/k9")" = "$base" ] || bad=$((bad + 1))
	done
	[ $bad = 0 ] && ok kill9_trials || fail kill9_trials "$bad failures in 12 kill -9 trials"
else
	skip kill9_trials "generator not built"
fi

# --- mistakes that must not look like success ----------------------------
# --merge names an existing index; a name that is not one is an error and
# creates nothing.  Options may come between --merge, --stats or --verify
# and the index (the help's own example is --stats --json INDEX); without
# an index that is an error too, and no index named after the option.
(cd "$tmp" && "$IDX" --merge "$tmp/nosuch" >/dev/null 2>"$tmp/merr")
st=$?
(cd "$tmp" && "$IDX" --merge --quiet >/dev/null 2>>"$tmp/merr")
st2=$?
(cd "$tmp" && "$IDX" --merge --quiet "$tmp/k9" >/dev/null 2>>"$tmp/merr")
st3=$?
nseg=$("$IDX" --stats --json "$tmp/k9" 2>>"$tmp/merr" | python3 -c 'import json,sys; print(json.load(sys.stdin)["segments"])')
if [ $st = 2 ] && [ $st2 = 2 ] && [ $st3 = 0 ] && [ "$nseg" = 1 ] &&
	grep -q "'$tmp/nosuch' is not a sarc index" "$tmp/merr" && grep -q "no index given" "$tmp/merr" &&
	[ ! -e "$tmp/--quiet" ] && [ ! -e "$tmp/nosuch" ]; then
	ok merge_needs_index
else
	fail merge_needs_index "exit $st, $st2, $st3, $nseg segments: $(cat "$tmp/merr")"
fi
# A directory with no PubMed files in it is an error, not "0 files".
mkdir -p "$tmp/empty/sub" && : >"$tmp/empty/sub/notes.txt"
"$IDX" -o "$tmp/eidx" "$tmp/empty" >/dev/null 2>"$tmp/eerr"
st=$?
if [ $st = 2 ] && grep -q "no .xml or .xml.gz files" "$tmp/eerr" && [ ! -e "$tmp/eidx" ]; then
	ok empty_input_dir
else
	fail empty_input_dir "exit $st: $(cat "$tmp/eerr")"
fi

# --- the progress line: on a terminal only, never with -q ---
# (script(1) gives a pseudo-terminal; the line is redrawn with \r and
# ends with the whole run's files and citations)
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
	SHELL=/bin/sh script -qec "'$IDX' -o '$tmp/prog' '$demo' '$demo'" /dev/null </dev/null >"$tmp/tty" 2>&1
	last=$(tr '\r' '\n' <"$tmp/tty" | grep '^sarc-index: files ' | tail -n 1)
	SHELL=/bin/sh script -qec "'$IDX' -q -o '$tmp/prog2' '$demo'" /dev/null </dev/null >"$tmp/ttyq" 2>&1
	"$IDX" -o "$tmp/prog3" "$demo" 2>"$tmp/notty" >/dev/null
	if echo "$last" | grep -Eq "^sarc-index: files 2/2, $((2 * want)) citations, [0-9.]+ MB/s" &&
		[ ! -s "$tmp/ttyq" ] && ! grep -q '^sarc-index: files ' "$tmp/notty"; then
		ok progress_line
	else
		fail progress_line "last line '$last'; with -q: $(head -c 100 "$tmp/ttyq"); not a tty: $(head -c 100 "$tmp/notty")"
	fi
else
	skip progress_line "script(1) cannot give a pseudo-terminal here"
fi

# --- a failing disk (tests/e2e/failwrite.c, an LD_PRELOAD shim) ---
cc=${CC:-cc}
shim=""
if [ -x "$gen" ] && command -v "$cc" >/dev/null 2>&1 &&
	"$cc" -shared -fPIC -O1 -o "$tmp/failwrite.so" "$ROOT/tests/e2e/failwrite.c" -ldl 2>"$tmp/cc.err"; then
	shim=$tmp/failwrite.so
	"$gen" -n 500 -s 7 -p 500000 >"$tmp/fw-big.xml"
	"$gen" -n 20 -s 8 -p 600000 >"$tmp/fw-a.xml"
	"$gen" -n 20 -s 9 -p 700000 >"$tmp/fw-b.xml"
	"$IDX" -q -o "$tmp/fw-base" "$tmp/fw-a.xml"
fi
# the shim must come after ASan's runtime in the sanitizer build
fw_asan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
# failwrite DIR VAR=VALUE... -- sarc-index arguments: writes under DIR fail
failwrite() {
	fw_dir=$1
	shift
	env LD_PRELOAD="$shim" ASAN_OPTIONS="$fw_asan" SARC_FAIL_DIR="$fw_dir/" "$@"
}
# same_as_base DIR: DIR holds what fw-base holds, and verifies
same_as_base() {
	[ "$(ls "$1")" = "$(ls "$tmp/fw-base")" ] && [ "$(docs_of "$1")" = 20 ] &&
		"$IDX" --verify "$1" >/dev/null
}

# --keep-going skips bad inputs, not write errors: a segment that cannot
# be written (the disk full for a moment, or for good) stops the run with
# one line and exit 2, the index as before; no good file is "skipped".
if [ -n "$shim" ]; then
	res=""
	for once in 1 ""; do
		rm -rf "$tmp/fw-kg" && cp -R "$tmp/fw-base" "$tmp/fw-kg"
		failwrite "$tmp/fw-kg" SARC_FAIL_AFTER=0 ${once:+SARC_FAIL_ONCE=1} \
			"$IDX" -j1 --memory 1M --keep-going -o "$tmp/fw-kg" "$tmp/fw-big.xml" "$tmp/fw-b.xml" \
			>/dev/null 2>"$tmp/fw.err"
		st=$?
		if [ $st = 2 ] && [ "$(wc -l <"$tmp/fw.err")" = 1 ] &&
			grep -q "^sarc-index: cannot write '.*': No space left on device$" "$tmp/fw.err" &&
			same_as_base "$tmp/fw-kg"; then
			res="$res ok"
		else
			res="$res [once=$once: exit $st: $(head -3 "$tmp/fw.err" | tr '\n' ' ')]"
		fi
	done
	if [ "$res" = " ok ok" ]; then ok keep_going_write_error; else fail keep_going_write_error "$res"; fi
else
	skip keep_going_write_error "cannot build the failwrite.c shim or gen-pubmed"
fi

# A run's segments are settled with their document tables alone, and the
# merge policy opens only what it merges: a process may hold some 65,000
# mappings, and the end of a run held five per segment it had flushed (a
# large corpus under a small --memory failed "cannot map" after 13,090
# segments).  Here the shim allows 150 mappings and the run flushes 72.
if [ -n "$shim" ]; then
	awk 'BEGIN { srand(1); print "<PubmedArticleSet>"
		for (i = 1; i <= 500; i++) {
			printf "<PubmedArticle><MedlineCitation><PMID>%d</PMID><Article><ArticleTitle>", i
			for (k = 0; k < 600; k++) printf "w%x ", int(rand() * 2147483647)
			print "</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
		}
		print "</PubmedArticleSet>" }' >"$tmp/manyseg.xml"
	mkdir "$tmp/ms"
	failwrite "$tmp/ms" SARC_MAP_MAX=150 "$IDX" --json -j1 --memory 1M -o "$tmp/ms/ix" "$tmp/manyseg.xml" \
		>"$tmp/ms.out" 2>"$tmp/ms.err"
	st=$?
	nseg=$(json_field segments_written <"$tmp/ms.out" 2>/dev/null)
	if [ $st = 0 ] && [ "${nseg:-0}" -gt 50 ] && [ "$(docs_of "$tmp/ms/ix")" = 500 ] &&
		"$IDX" --verify "$tmp/ms/ix" >/dev/null; then
		ok many_segments_few_mappings
	else
		fail many_segments_few_mappings "exit $st, ${nseg:-?} segments: $(head -c 300 "$tmp/ms.err")"
	fi
else
	skip many_segments_few_mappings "cannot build the failwrite.c shim or gen-pubmed"
fi

# --- the command line: one thing at a time, sizes, standard input ---
# Two modes together are a usage error, not one of them done in silence
# (--merge with --stats printed the stats and merged nothing).
cp -R "$tmp/idx" "$tmp/modes"
before=$(ls "$tmp/modes")
res=""
for args in "--merge $tmp/modes --stats $tmp/modes" "--verify $tmp/modes --merge $tmp/modes" \
	"--merge $tmp/modes --dump $demo" "--stats $tmp/modes --verify $tmp/modes" \
	"-o $tmp/modes --stats $tmp/modes" "--dump --parse-only $demo" "--merge $tmp/modes $demo" \
	"--stats $tmp/modes -T /nonexistent" "--verify $tmp/modes -T /nonexistent" \
	"--dump $demo -T /nonexistent" "--merge --stats $tmp/modes" "--stats --verify $tmp/modes" \
	"--verify --json --merge $tmp/modes"; do
	# shellcheck disable=SC2086
	"$IDX" $args >"$tmp/modes.out" 2>"$tmp/modes.err"
	st=$?
	if [ $st != 2 ] || [ -s "$tmp/modes.out" ] || [ "$(wc -l <"$tmp/modes.err")" != 1 ] ||
		! grep -Eq "(cannot be used together|takes no input files|take one index|not -T).*try 'sarc-index --help'" "$tmp/modes.err"; then
		res="$res [$args: exit $st, $(cat "$tmp/modes.err")]"
	fi
done
if [ -z "$res" ] && [ "$(ls "$tmp/modes")" = "$before" ]; then ok modes_conflict; else fail modes_conflict "$res"; fi

# --memory: no "nan", "inf" or 1e30 taken for a budget of nothing, and the
# reason given is the right one (T is no suffix of ours)
res=""
for m in "nan:bad value" "inf:bad value" "1e30:too large" "1025G:too large" "1T:bad value" \
	"0.5M:too small" "-5M:bad value" "1e400:too large"; do
	"$IDX" -q --memory "${m%%:*}" -o "$tmp/mem" "$demo" 2>"$tmp/mem.err"
	st=$?
	if [ $st != 2 ] || [ "$(wc -l <"$tmp/mem.err")" != 1 ] || ! grep -q "${m#*:}" "$tmp/mem.err" ||
		[ -e "$tmp/mem" ]; then
		res="$res [${m%%:*}: exit $st, $(cat "$tmp/mem.err")]"
	fi
done
"$IDX" -q --memory 1024G -j1 -o "$tmp/mem" "$demo" || res="$res [1024G refused]"
if [ -z "$res" ]; then ok memory_values; else fail memory_values "$res"; fi

# A flush empties the budget: 12,000 records without text under --memory 1M
# fill two segments.  The inverter kept its document buffers at the size that
# had filled the budget, so every record after the first flush flushed a
# segment of its own: 1,918 segments, 211 merges and 20 s here, and past
# 13,000 segments a run failed on "cannot map".
awk 'BEGIN { print "<PubmedArticleSet>"
	for (i = 1; i <= 12000; i++) print "<PubmedArticle><MedlineCitation><PMID>" i "</PMID></MedlineCitation></PubmedArticle>"
	print "</PubmedArticleSet>" }' >"$tmp/notext.xml"
nseg=$("$IDX" --json -j1 --memory 1M -o "$tmp/notext" "$tmp/notext.xml" | json_field segments_written)
if [ "${nseg:-0}" -ge 1 ] && [ "$nseg" -le 2 ] && [ "$(docs_of "$tmp/notext")" = 12000 ]; then
	ok flush_empties_budget
else
	fail flush_empties_budget "$nseg segments written for 12000 records without text, want 1 or 2"
fi

# standard input read twice: refused before anything is read
res=""
for args in "- -" "-T - -" "-T - -T -"; do
	# shellcheck disable=SC2086
	"$IDX" -q -o "$tmp/stdin2" $args <"$demo" 2>"$tmp/stdin2.err"
	st=$?
	if [ $st != 2 ] || [ "$(wc -l <"$tmp/stdin2.err")" != 1 ] ||
		! grep -q "standard input ('-') given more than once" "$tmp/stdin2.err" || [ -e "$tmp/stdin2" ]; then
		res="$res [$args: exit $st, $(cat "$tmp/stdin2.err")]"
	fi
done
"$IDX" --dump - - <"$demo" >/dev/null 2>"$tmp/stdin2.err" && res="$res [--dump - -: exit 0]"
if [ -z "$res" ]; then ok stdin_twice; else fail stdin_twice "$res"; fi

# -T DIR is no empty list: the list cannot be read, an error naming it
mkdir -p "$tmp/listdir"
"$IDX" -q -o "$tmp/tl" -T "$tmp/listdir" "$demo" 2>"$tmp/tl.err"
st=$?
if [ $st = 2 ] && [ "$(cat "$tmp/tl.err")" = "sarc-index: cannot read '$tmp/listdir': Is a directory" ] &&
	[ ! -e "$tmp/tl" ]; then
	ok files_from_unreadable
else
	fail files_from_unreadable "exit $st: $(cat "$tmp/tl.err")"
fi

# errors writing standard output: one line and exit 2, as sarc-query's
if [ -w /dev/full ]; then
	res=""
	for args in "--stats $tmp/idx" "--stats --json $tmp/idx" "--verify $tmp/idx" \
		"--verify --json $tmp/idx" "--dump $demo"; do
		# shellcheck disable=SC2086
		"$IDX" $args >/dev/full 2>"$tmp/full.err"
		st=$?
		if [ $st != 2 ] || [ "$(cat "$tmp/full.err")" != "sarc-index: cannot write standard output: No space left on device" ]; then
			res="$res [$args: exit $st, $(cat "$tmp/full.err")]"
		fi
	done
	if [ -z "$res" ]; then ok stdout_errors; else fail stdout_errors "$res"; fi
else
	skip stdout_errors "no /dev/full"
fi

# --keep-going skips an unreadable subdirectory as it skips an unreadable
# file: one "skipped:" line, the rest indexed, exit 1 (as root, run as
# nobody: root reads any directory)
mkdir -p "$tmp/kgd/in/a" "$tmp/kgd/in/b" "$tmp/kgd/out"
cp "$demo" "$tmp/kgd/in/a/x.xml"
cp "$demo" "$tmp/kgd/in/b/y.xml"
chmod -R a+rX "$tmp/kgd" && chmod 777 "$tmp/kgd/out" && chmod 000 "$tmp/kgd/in/b"
cat >"$tmp/kgd/run.sh" <<EOF
'$IDX' -q --keep-going -o '$tmp/kgd/out/ix' '$tmp/kgd/in' 2>'$tmp/kgd/out/err'
echo \$? >'$tmp/kgd/out/rc'
'$IDX' -q -o '$tmp/kgd/out/ix2' '$tmp/kgd/in' 2>'$tmp/kgd/out/err2'
echo \$? >'$tmp/kgd/out/rc2'
EOF
asuser=""
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null 2>&1 && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
		asuser="setpriv --reuid=65534 --regid=65534 --clear-groups"
	else
		asuser=none
	fi
fi
if [ "$asuser" = none ]; then
	skip keep_going_subdir "root, and setpriv cannot switch to nobody here"
else
	chmod 755 "$tmp"
	$asuser sh "$tmp/kgd/run.sh"
	chmod 700 "$tmp"
	chmod 755 "$tmp/kgd/in/b"
	if [ "$(cat "$tmp/kgd/out/rc")" = 1 ] &&
		[ "$(cat "$tmp/kgd/out/err")" = "sarc-index: skipped: cannot read directory '$tmp/kgd/in/b': Permission denied" ] &&
		[ "$(docs_of "$tmp/kgd/out/ix")" = "$want" ] && [ "$(cat "$tmp/kgd/out/rc2")" = 2 ] &&
		grep -q "cannot read directory" "$tmp/kgd/out/err2"; then
		ok keep_going_subdir
	else
		fail keep_going_subdir "exit $(cat "$tmp/kgd/out/rc"): $(cat "$tmp/kgd/out/err"); without -k: $(cat "$tmp/kgd/out/rc2")"
	fi
fi

# --merge in rounds (as many segments at a time as --memory holds), the
# disk full in the middle: the rounds done are committed, so it is not "the
# previous index untouched" (exit 2) but a warning and exit 1, the index
# whole with fewer segments; full from the start, exit 2 and as before.
if [ -n "$shim" ]; then
	"$gen" -n 1500 -s 7 -p 500000 >"$tmp/mr1.xml"
	"$gen" -n 1500 -s 17 -p 800000 >"$tmp/mr2.xml"
	"$IDX" -q -j1 --memory 1M -o "$tmp/mr" "$tmp/mr1.xml" && "$IDX" -q -j1 --memory 1M -o "$tmp/mr" "$tmp/mr2.xml"
	segs0=$("$IDX" --json --stats "$tmp/mr" | json_field segments)
	rm -rf "$tmp/mrc" && cp -R "$tmp/mr" "$tmp/mrc"
	failwrite "$tmp/mrc" SARC_FAIL_COUNT="$tmp/mr.n" "$IDX" -q -j1 --memory 1M --merge "$tmp/mrc" 2>"$tmp/mr.err"
	total=$(cat "$tmp/mr.n" 2>/dev/null || echo 0)
	res=""
	for after in 0 $((total / 4)) $((total / 2)) $((total * 9 / 10)); do
		rm -rf "$tmp/mrc" && cp -R "$tmp/mr" "$tmp/mrc"
		failwrite "$tmp/mrc" SARC_FAIL_AFTER=$after "$IDX" -q -j1 --memory 1M --merge "$tmp/mrc" 2>"$tmp/mr.err"
		st=$?
		segs=$("$IDX" --json --stats "$tmp/mrc" | json_field segments)
		if [ $after = 0 ]; then
			[ $st = 2 ] && [ "$(wc -l <"$tmp/mr.err")" = 1 ] && [ "$segs" = "$segs0" ] &&
				[ "$(ls "$tmp/mrc")" = "$(ls "$tmp/mr")" ] || res="$res [$after: exit $st, $segs segments: $(cat "$tmp/mr.err")]"
		else
			[ $st = 1 ] && [ "$(wc -l <"$tmp/mr.err")" = 1 ] &&
				grep -q "^sarc-index: warning: the merge failed after [1-9][0-9]* of its rounds were committed: .*No space left on device" "$tmp/mr.err" &&
				[ "$segs" -lt "$segs0" ] && [ "$segs" -gt 1 ] && [ "$(docs_of "$tmp/mrc")" = 3000 ] &&
				"$IDX" --verify "$tmp/mrc" >/dev/null || res="$res [$after: exit $st, $segs segments: $(cat "$tmp/mr.err")]"
		fi
	done
	if [ "$total" -gt 100000 ] && [ "$segs0" -gt 2 ] && [ -z "$res" ]; then
		ok merge_partial_commit
	else
		fail merge_partial_commit "$total bytes, $segs0 segments; $res"
	fi

	# The directory fsync after the manifest's rename fails: the run is
	# committed, so no error claiming the index as before, but a warning
	# (a crash may undo it) and exit 1.
	rm -rf "$tmp/fsd" && cp -R "$tmp/fw-base" "$tmp/fsd"
	failwrite "$tmp/fsd" SARC_FAIL_DIRSYNC=1 "$IDX" -q -o "$tmp/fsd" "$tmp/fw-b.xml" 2>"$tmp/fsd.err"
	st=$?
	if [ $st = 1 ] && [ "$(cat "$tmp/fsd.err")" = "sarc-index: warning: the index is updated, but it may not survive a crash: cannot sync directory '$tmp/fsd': Input/output error" ] &&
		[ "$(docs_of "$tmp/fsd")" = 40 ] && "$IDX" --verify "$tmp/fsd" >/dev/null; then
		ok dirsync_after_commit
	else
		fail dirsync_after_commit "exit $st: $(cat "$tmp/fsd.err")"
	fi
else
	skip merge_partial_commit "cannot build the failwrite.c shim or gen-pubmed"
	skip dirsync_after_commit "cannot build the failwrite.c shim or gen-pubmed"
fi

# On a terminal a "skipped:" line clears the progress line first, rather
# than being appended to it
if [ -x "$gen" ] && command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
	SHELL=/bin/sh script -qec "'$IDX' -j1 --keep-going -o '$tmp/pskip' '$tmp/mr1.xml' '$tmp/nosuch.xml' '$demo'" \
		/dev/null </dev/null >"$tmp/ptty" 2>&1
	n=$(grep -c "sarc-index: skipped: $tmp/nosuch.xml" "$tmp/ptty")
	bad=$(python3 -c '
import sys
t = open(sys.argv[1], "rb").read()
key = b"sarc-index: skipped:"
i = t.find(key)
print(0 if i >= 0 and (t[:i].endswith(b"\r\033[K") or t[:i].endswith(b"\n") or i == 0) else 1)' "$tmp/ptty")
	if [ "$n" = 1 ] && [ "$bad" = 0 ] && tr '\r' '\n' <"$tmp/ptty" | grep -q '^sarc-index: files '; then
		ok progress_skipped_line
	else
		fail progress_skipped_line "$(tr '\r\033' '|E' <"$tmp/ptty" | head -c 300)"
	fi
else
	skip progress_skipped_line "script(1) cannot give a pseudo-terminal here, or no gen-pubmed"
fi

# a failed first run into a new directory leaves no directory behind (it
# left one holding only LOCK); an existing index is kept as it was
printf '<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID>\n' >"$tmp/trunc.xml"
"$IDX" -q -o "$tmp/newfail" "$tmp/trunc.xml" 2>"$tmp/newfail.err"
st=$?
if [ $st = 2 ] && [ ! -e "$tmp/newfail" ] && [ "$(wc -l <"$tmp/newfail.err")" = 1 ]; then
	ok failed_first_run_leaves_nothing
else
	fail failed_first_run_leaves_nothing "exit $st, $(ls -A "$tmp/newfail" 2>&1 | tr '\n' ' ')"
fi

# --help says what the man page says: a record without a PMID is skipped
# and makes the exit status 1, and --json applies to --verify and
# --parse-only too (both print JSON).
printf '<PubmedArticleSet><PubmedArticle><MedlineCitation><Article><ArticleTitle>x</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>\n' >"$tmp/nopmid.xml"
"$IDX" -q -o "$tmp/nopmid" "$tmp/nopmid.xml" 2>/dev/null
st=$?
help=$("$IDX" --help | tr '\n' ' ' | tr -s ' ')
jv=$("$IDX" --verify --json "$tmp/idx" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ok"])' 2>&1)
jp=$("$IDX" --parse-only --json "$demo" | python3 -c 'import json,sys; print(json.load(sys.stdin)["records"])' 2>&1)
case $help in
*'1 finished with a warning ('*'without a PMID'*'2 error'*) h1=1 ;;
*) h1=0 ;;
esac
case $help in
*'--json print counts (--stats, --verify, --parse-only, the run summary)'*) h2=1 ;;
*) h2=0 ;;
esac
if [ $st = 1 ] && [ "$jv" = True ] && [ "$jp" = 81 ] && [ $h1 = 1 ] && [ $h2 = 1 ]; then
	ok help_exit_status_and_json
else
	fail help_exit_status_and_json "exit $st for a record without PMID, --verify --json $jv, --parse-only --json $jp; --help names them: $h1 $h2"
fi

# --no-stem and --stopwords shape a new index: given when adding to one
# built otherwise, they are refused (they were ignored in silence); the
# same list in another order and case is the same list.  --stats shows it.
"$IDX" -q --no-stem --stopwords "the OF a" -o "$tmp/an" "$demo"
"$IDX" -q --no-stem --stopwords "of The  a" -o "$tmp/an" "$demo"
st1=$?
"$IDX" -q --stopwords "of the" -o "$tmp/an" "$demo" 2>"$tmp/an.err"
st2=$?
"$IDX" -q --no-stem -o "$tmp/idx" "$demo" 2>"$tmp/an2.err"
st3=$?
sw=$("$IDX" --stats --json "$tmp/an" | json_field stopwords)
if [ $st1 = 0 ] && [ $st2 = 2 ] && grep -q "has other stopwords" "$tmp/an.err" && [ $st3 = 2 ] &&
	grep -q "is stemmed: --no-stem applies only to a new index" "$tmp/an2.err" &&
	[ "$sw" = "the OF a" ] && "$IDX" --stats "$tmp/an" | grep -q "^stopwords *the OF a$"; then
	ok settings_of_an_index
else
	fail settings_of_an_index "exit $st1 $st2 $st3, '$sw': $(cat "$tmp/an.err" "$tmp/an2.err")"
fi

# A --json summary that cannot be written after the run is committed is a
# warning (exit 1), not an error: 2 says the index is as it was.
if [ -w /dev/full ]; then
	cp -R "$tmp/idx" "$tmp/fullj"
	"$IDX" --json -o "$tmp/fullj" "$demo" >/dev/full 2>"$tmp/full.err"
	st=$?
	if [ $st = 1 ] && grep -q "indexed, but the summary could not be written" "$tmp/full.err" &&
		"$IDX" --verify "$tmp/fullj" >/dev/null; then
		ok json_summary_unwritten
	else
		fail json_summary_unwritten "exit $st: $(cat "$tmp/full.err")"
	fi
fi

# --verify names a directory that is no index once
mkdir "$tmp/plain"
"$IDX" --verify "$tmp/plain" 2>"$tmp/plain.err"
st=$?
n=$(grep -o "$tmp/plain" "$tmp/plain.err" | wc -l)
[ $st = 2 ] && [ "$n" = 1 ] && ok verify_not_an_index || fail verify_not_an_index "exit $st: $(cat "$tmp/plain.err")"
