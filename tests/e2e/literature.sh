#!/bin/sh
# literature.sh - end-to-end tests of the literature-review features (README
# "Literature review"): reference lists, their inverse, --similar and
# --sort, through sarc-index and sarc-query.
#
#   fixtures   tests/data/literature/lit-a.xml then lit-b.xml (hand-written,
#              expectations in its README.md): --references and --cited-by
#              before and after lit-b replaces a record with another
#              reference list and deletes a citing record; the same whether
#              lit-b comes in a later run, in the same run, or after
#              --merge; every output format; exit statuses; cites: and
#              citedby: inside Boolean queries; a query ranking or filtering
#              the lists; --sort date|cited on them
#   real       the files of the shared corpus that carry reference lists
#              (../shared/corpus, thousands of references; skipped when
#              absent): --references of every indexed record and cited-by
#              of every cited PMID equal tests/e2e/refs_extract.py, an
#              independent extraction with python3's xml.etree; titles and
#              years of indexed references; --sort date|cited keep the set
#              and order by year / by cited-by counts from the extraction
#   similar    the demo corpus: --similar never returns the record itself,
#              hand-checked topical neighbours, every output format, a query
#              restricting it without changing scores, --sort, --count
#
# The unit test tests/unit/test_similar.c checks --similar's scores against
# brute-force BM25.
. "$(dirname "$0")/lib.sh"

Q=$SARC_BIN/sarc-query
X=$SARC_BIN/sarc-index
D=$ROOT/tests/data/literature
DEMO=$ROOT/corpus/demo/sarcoma-demo.xml
EXTRACT=$ROOT/tests/e2e/refs_extract.py
TAB=$(printf '\t')

if [ ! -x "$Q" ] || [ ! -x "$X" ]; then
	skip literature "no $Q or $X (build first)"
	exit 0
fi
if command -v python3 >/dev/null 2>&1; then HAVE_PY=1; else HAVE_PY=0; fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM
unset SARC_INDEX NO_COLOR COLUMNS

# lines: standard input as one line of space-separated words
lines() { tr '\n' ' ' | sed 's/ *$//'; }

# same NAME GOT WANT
same() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$2', want '$3'"; fi
}

# status NAME WANT CMD...: the exit status of CMD (output discarded)
status() {
	name=$1 want=$2
	shift 2
	"$@" >/dev/null 2>"$tmp/status.err"
	st=$?
	if [ "$st" -eq "$want" ]; then ok "$name"; else fail "$name" "exit status $st, want $want: $(head -n 1 "$tmp/status.err")"; fi
}

# ======================================================================
# fixtures: references and cited-by, before and after replace + delete
# ======================================================================

# refs/citers of the hand-written expectations (README.md beside them)
A_REFS='95000001:95000002 95000003 95099001 95000006 95000004
95000002:95000003
95000003:
95000004:95000002 95000003 95000002
95000005:95000002 95000001
95000006:95000001
95000007:95000001'
A_CITED='95000001:95000005 95000006 95000007
95000002:95000001 95000004 95000005
95000003:95000001 95000002 95000004
95000004:95000001
95000005:
95000006:95000001
95000007:
95000008:
95099001:95000001'
B_REFS='95000001:95000002 95000003 95099001 95000006 95000004
95000002:95000003
95000003:
95000004:95000003 95000006
95000006:95000001
95000007:95000001
95000008:95000005 95000001'
B_CITED='95000001:95000006 95000007 95000008
95000002:95000001
95000003:95000001 95000002 95000004
95000004:95000001
95000005:95000008
95000006:95000001 95000004
95000007:
95000008:
95099001:95000001'

# state NAME INDEX REFS CITED [ABSENT...]: every --references and
# --cited-by list of the index equals the expectation; ABSENT PMIDs are not
# in the index (--references fails with status 2).
state() {
	name=$1 idx=$2 refs=$3 cited=$4
	shift 4
	bad=
	printf '%s\n' "$refs" >"$tmp/want"
	while IFS=: read -r p want; do
		got=$("$Q" -i "$idx" --references "$p" --ids | lines)
		[ "$got" = "$want" ] || bad="$bad; references $p: '$got', want '$want'"
	done <"$tmp/want"
	printf '%s\n' "$cited" >"$tmp/want"
	while IFS=: read -r p want; do
		got=$("$Q" -i "$idx" --cited-by "$p" --ids -k 1000 | lines)
		[ "$got" = "$want" ] || bad="$bad; cited-by $p: '$got', want '$want'"
		# the query form, with and without an operator around it
		got=$("$Q" -i "$idx" --ids -k 1000 "cites:$p" | lines)
		[ "$got" = "$want" ] || bad="$bad; cites:$p: '$got', want '$want'"
	done <"$tmp/want"
	for p in "$@"; do
		"$Q" -i "$idx" --references "$p" >/dev/null 2>&1
		st=$?
		[ $st -eq 2 ] || bad="$bad; --references $p (not indexed): status $st, want 2"
	done
	if [ -z "$bad" ]; then ok "$name"; else fail "$name" "${bad#; }"; fi
}

# py_state NAME INDEX FILE...: the same lists against refs_extract.py
py_state() {
	name=$1 idx=$2
	shift 2
	if [ $HAVE_PY = 0 ]; then
		skip "$name" "python3 not installed"
		return
	fi
	python3 "$EXTRACT" refs "$@" >"$tmp/py_refs" && python3 "$EXTRACT" citedby "$@" >"$tmp/py_cited" || {
		fail "$name" "refs_extract.py failed"
		return
	}
	bad=
	while IFS="$TAB" read -r p want; do
		got=$("$Q" -i "$idx" --references "$p" --ids | lines)
		[ "$got" = "$want" ] || bad="$bad; references $p: '$got', python '$want'"
	done <"$tmp/py_refs"
	while IFS="$TAB" read -r p want; do
		got=$("$Q" -i "$idx" --cited-by "$p" --ids -k 1000 | lines)
		[ "$got" = "$want" ] || bad="$bad; cited-by $p: '$got', python '$want'"
	done <"$tmp/py_cited"
	if [ -z "$bad" ]; then ok "$name"; else fail "$name" "${bad#; }"; fi
}

# two runs: lit-a, then lit-b adds to the index (a new segment)
"$X" -q -o "$tmp/fx" "$D/lit-a.xml" || fail literature/fixtures/index "sarc-index lit-a.xml failed"
state literature/fixtures/after_a "$tmp/fx" "$A_REFS" "$A_CITED" 95000008 95099001
py_state literature/fixtures/after_a_python "$tmp/fx" "$D/lit-a.xml"
# the record replaced inside lit-a (95000006, last version wins) and the
# references that are not pubmed ids are not counted: 95000001 cites 5
same literature/fixtures/human_header "$("$Q" -i "$tmp/fx" --references 95000001 | head -n 1)" \
	"PMID 95000001 cites 5 documents, 4 in the index"

"$X" -q -o "$tmp/fx" "$D/lit-b.xml" || fail literature/fixtures/index "sarc-index lit-b.xml failed"
state literature/fixtures/after_b "$tmp/fx" "$B_REFS" "$B_CITED" 95000005 95099001
py_state literature/fixtures/after_b_python "$tmp/fx" "$D/lit-a.xml" "$D/lit-b.xml"
# merged into one segment: the same
"$X" -q --merge "$tmp/fx" || fail literature/fixtures/merge "sarc-index --merge failed"
state literature/fixtures/after_b_merged "$tmp/fx" "$B_REFS" "$B_CITED" 95000005 95099001
# one run over both files: the same
"$X" -q -o "$tmp/fx1" "$D/lit-a.xml" "$D/lit-b.xml" || fail literature/fixtures/index "sarc-index lit-a.xml lit-b.xml failed"
state literature/fixtures/one_run "$tmp/fx1" "$B_REFS" "$B_CITED" 95000005 95099001
# the other order: lit-a comes last, so its 95000004 (the old reference
# list) and its 95000005 (deleted by lit-b's earlier DeleteCitation) win
"$X" -q -o "$tmp/fx2" "$D/lit-b.xml" "$D/lit-a.xml" || fail literature/fixtures/index "sarc-index lit-b.xml lit-a.xml failed"
same literature/fixtures/order_matters \
	"$("$Q" -i "$tmp/fx2" --references 95000004 --ids | lines)|$("$Q" -i "$tmp/fx2" --cited-by 95000002 --ids | lines)" \
	"95000002 95000003 95000002|95000001 95000004 95000005"
py_state literature/fixtures/order_matters_python "$tmp/fx2" "$D/lit-b.xml" "$D/lit-a.xml"

# ---- every output format lists the same references, flags the others ----
q() { "$Q" -i "$tmp/fx" "$@"; }
# (the list's own order: trec_eval orders by score, so the score is minus the rank)
same literature/fixtures/references_trec "$(q --references 95000008 -f trec | lines)" \
	"1 Q0 95000005 1 -1.000000 sarc 1 Q0 95000001 2 -2.000000 sarc"
same literature/fixtures/references_trec_blank_query "$(q --references 95000008 -f trec ' ' | lines)" \
	"1 Q0 95000005 1 -1.000000 sarc 1 Q0 95000001 2 -2.000000 sarc"
same literature/fixtures/references_tsv "$(q --references 95000008 -f tsv --fields pmid,rank,year,title | lines)" \
	"pmid${TAB}rank${TAB}year${TAB}title 95000005${TAB}1${TAB}${TAB} 95000001${TAB}2${TAB}2010${TAB}Trabectedin in metastatic uterine leiomyosarcoma: a phase II study."
q --references 95000008 -f json >"$tmp/refs.json"
if [ "$(grep -c '"indexed":false' "$tmp/refs.json")" = 1 ] &&
	grep -q '^{"pmid":95000005,"rank":1,"indexed":false}$' "$tmp/refs.json" &&
	grep -q '^{"pmid":95000001,"rank":2,"indexed":true,.*"year":2010' "$tmp/refs.json"; then
	ok literature/fixtures/references_json
else
	fail literature/fixtures/references_json "$(lines <"$tmp/refs.json")"
fi
q --references 95000008 >"$tmp/refs.human"
if grep -q '^ 1\. PMID 95000005  (not indexed)$' "$tmp/refs.human" &&
	grep -q '^ 2\. PMID 95000001  2010  J Lit Tests$' "$tmp/refs.human" &&
	grep -q '^PMID 95000008 cites 2 documents, 1 in the index$' "$tmp/refs.human"; then
	ok literature/fixtures/references_human
else
	fail literature/fixtures/references_human "$(lines <"$tmp/refs.human")"
fi
for f in human tsv json trec ids; do
	q --cited-by 95000001 -f "$f" >"$tmp/cb.$f" 2>&1 || fail "literature/fixtures/cited_by_$f" "exit status $?"
done
same literature/fixtures/cited_by_formats \
	"$(grep -o '^ *[0-9]*\. PMID [0-9]*' "$tmp/cb.human" | sed 's/.*PMID //' | lines)|$(tail -n +2 "$tmp/cb.tsv" | cut -f1 | lines)|$(sed 's/^{"pmid":\([0-9]*\).*/\1/' "$tmp/cb.json" | lines)|$(cut -d' ' -f3 "$tmp/cb.trec" | lines)|$(lines <"$tmp/cb.ids")" \
	"95000006 95000007 95000008|95000006 95000007 95000008|95000006 95000007 95000008|95000006 95000007 95000008|95000006 95000007 95000008"

# ---- exit statuses: 0 something listed, 1 nothing, 2 error ----
status literature/fixtures/status_refs_none 1 q --references 95000003
status literature/fixtures/status_refs_absent 2 q --references 95000005
status literature/fixtures/status_cited_none 1 q --cited-by 95000007
status literature/fixtures/status_cited_unindexed 0 q --cited-by 95099001
status literature/fixtures/status_cited_deleted 0 q --cited-by 95000005
status literature/fixtures/status_similar_absent 2 q --similar 95000005

# ---- cites: and citedby: inside queries (after lit-b) ----
bq() { # NAME QUERY WANT (sorted PMIDs)
	same "literature/fixtures/query $1" "$(q --ids -k 1000 -- "$2" | sort | lines)" "$3"
}
bq or 'cites:95000002 OR cites:95000006' '95000001 95000004'
bq and 'citedby:95000001 AND cites:95000003' '95000002 95000004'
bq not 'cites:95000003 NOT citedby:95000001' '95000001'
# a prohibited filter beside another filter (an AND with an excluded
# child: engine.c once AND-ed it instead) or beside --all words
bq minus 'cites:95000003 -citedby:95000001' '95000001'
bq minus_pmid 'cites:95000003 -pmid:95000002' '95000001 95000004'
bq minus_nothing 'cites:95000003 -zzzznothing' '95000001 95000002 95000004'
same "literature/fixtures/query --all minus" "$(q --all --ids -k 1000 -- 'trabectedin -citedby:95000001' | sort | lines)" \
	"95000001 95000007 95000008"
bq words 'citedby:95000001 liposarcoma' '95000004'
bq group 'trabectedin AND (cites:95000001 OR citedby:95000008)' '95000001 95000006 95000007 95000008'
bq year 'cites:95000001 year:2020..2022' '95000006 95000008'
bq citedby_deleted 'citedby:95000005' ''
bq citedby_unindexed_refs 'citedby:95000008' '95000001'
bq or_citedby 'citedby:95000004 OR citedby:95000002' '95000003 95000006'
same "literature/fixtures/query pubmed syntax" \
	"$(q --syntax pubmed --ids 'cites:95000001 AND leiomyosarcoma[ti]' | sort | lines)" "95000006 95000007 95000008"

# ---- a query ranks or filters the lists, scores unchanged ----
q -f tsv --fields pmid,score -k 1000 trabectedin | tail -n +2 >"$tmp/plain"
q -f tsv --fields pmid,score --cited-by 95000001 trabectedin | tail -n +2 >"$tmp/cb_q"
grep -E '^(95000006|95000007|95000008)	' "$tmp/plain" >"$tmp/cb_want"
if cmp -s "$tmp/cb_q" "$tmp/cb_want" && [ -s "$tmp/cb_q" ]; then ok literature/fixtures/cited_by_query; else
	fail literature/fixtures/cited_by_query "$(lines <"$tmp/cb_q") vs $(lines <"$tmp/cb_want")"; fi
q -f tsv --fields pmid,score --references 95000001 leiomyosarcoma | tail -n +2 >"$tmp/rf_q"
q -f tsv --fields pmid,score -k 1000 leiomyosarcoma | tail -n +2 | grep -E '^(95000002|95000003|95000004|95000006)	' >"$tmp/rf_want"
if cmp -s "$tmp/rf_q" "$tmp/rf_want" && [ -s "$tmp/rf_q" ]; then ok literature/fixtures/references_query; else
	fail literature/fixtures/references_query "$(lines <"$tmp/rf_q") vs $(lines <"$tmp/rf_want")"; fi
same literature/fixtures/references_query_count "$(q --references 95000001 --count leiomyosarcoma)" \
	"$(wc -l <"$tmp/rf_want" | tr -d ' ')"

# ---- --sort on the lists ----
same literature/fixtures/cited_by_sort_date "$(q --cited-by 95000003 --sort date -f tsv --fields pmid,year | tail -n +2 | lines)" \
	"95000004${TAB}2018 95000002${TAB}2012 95000001${TAB}2010"
# references newest first, those not in the index last
same literature/fixtures/references_sort_date "$(q --references 95000001 --sort date --ids | lines)" \
	"95000006 95000004 95000003 95000002 95099001"
# most cited first (95000003 by 3, 95000006 by 2, then 1 each: lower PMID
# first); cited counts every citing record, indexed or not
same literature/fixtures/references_sort_cited "$(q --references 95000001 --sort cited -f tsv --fields pmid,cited | tail -n +2 | lines)" \
	"95000003${TAB}3 95000006${TAB}2 95000002${TAB}1 95000004${TAB}1 95099001${TAB}1"
same literature/fixtures/references_cited_column "$(q --references 95000001 -f tsv --fields pmid,cited | tail -n +2 | lines)" \
	"95000002${TAB}1 95000003${TAB}3 95099001${TAB}1 95000006${TAB}2 95000004${TAB}1"
same literature/fixtures/references_sort_paged "$(q --references 95000001 --sort date --ids -k 2 --offset 2 | lines)" \
	"95000003 95000002"

# ======================================================================
# sort checks shared by the corpora
# ======================================================================

# sort_checks NAME INDEX CITEDFILE QUERY...: for each query, --sort
# relevance is the default order, --sort date and cited list the same PMIDs
# as relevance (and as --count), years
# non-increasing, cited counts non-increasing and equal to CITEDFILE's
# (PMID<TAB>citers, from refs_extract.py) or, without one, to --cited-by
# --count.
sort_checks() {
	name=$1 idx=$2 citedfile=$3
	shift 3
	bad=
	for query in "$@"; do
		"$Q" -i "$idx" --ids -k 100000 -- "$query" >"$tmp/s.default"
		"$Q" -i "$idx" --ids -k 100000 --sort relevance -- "$query" | cmp -s - "$tmp/s.default" ||
			bad="$bad; '$query': --sort relevance is not the default order"
		sort "$tmp/s.default" >"$tmp/s.rel"
		n=$("$Q" -i "$idx" --count -- "$query")
		[ "$n" = "$(wc -l <"$tmp/s.rel" | tr -d ' ')" ] || bad="$bad; '$query': --count $n"
		[ -s "$tmp/s.rel" ] || bad="$bad; '$query' matches nothing"
		"$Q" -i "$idx" --sort date -f tsv --fields pmid,year -k 100000 -- "$query" | tail -n +2 >"$tmp/s.date"
		"$Q" -i "$idx" --sort cited -f tsv --fields pmid,cited -k 100000 -- "$query" | tail -n +2 >"$tmp/s.cited"
		cut -f1 "$tmp/s.date" | sort | cmp -s - "$tmp/s.rel" || bad="$bad; '$query': --sort date changes the set"
		cut -f1 "$tmp/s.cited" | sort | cmp -s - "$tmp/s.rel" || bad="$bad; '$query': --sort cited changes the set"
		# years: an unknown year (empty) counts as 0, last
		awk -F'\t' 'NR > 1 && ($2 + 0) > prev { bad = 1 } { prev = $2 + 0 } END { exit bad }' "$tmp/s.date" ||
			bad="$bad; '$query': years increase under --sort date"
		awk -F'\t' 'NR > 1 && ($2 + 0) > prev { bad = 1 } { prev = $2 + 0 } END { exit bad }' "$tmp/s.cited" ||
			bad="$bad; '$query': cited counts increase under --sort cited"
		# paging through a sorted list gives its slices
		"$Q" -i "$idx" --sort date --ids -k 7 --offset 3 -- "$query" >"$tmp/s.page"
		cut -f1 "$tmp/s.date" | sed -n '4,10p' | cmp -s - "$tmp/s.page" || bad="$bad; '$query': --sort date --offset 3 -k 7 is not lines 4-10"
		if [ -n "$citedfile" ]; then
			awk -F'\t' 'NR == FNR { n = split($2, a, " "); c[$1] = n; next }
				{ w = ($1 in c) ? c[$1] : 0; if ($2 != w) { print $1 " cited " $2 ", extraction " w; exit 1 } }' \
				"$citedfile" "$tmp/s.cited" >"$tmp/s.why" || bad="$bad; '$query': $(cat "$tmp/s.why")"
		else
			while IFS="$TAB" read -r p c; do
				w=$("$Q" -i "$idx" --cited-by "$p" --count)
				[ "$c" = "$w" ] || bad="$bad; '$query': $p cited $c, --cited-by --count $w"
			done <"$tmp/s.cited"
		fi
	done
	if [ -z "$bad" ]; then ok "$name"; else fail "$name" "${bad#; }"; fi
}

sort_checks literature/fixtures/sort "$tmp/fx" "" trabectedin 'leiomyosarcoma OR liposarcoma' 'cites:95000003'

# ======================================================================
# the shared corpus: reference lists against an independent extraction
# ======================================================================

corpus=${SARC_CORPUS:-$ROOT/../shared/corpus}
if [ ! -d "$corpus" ]; then
	skip literature/real "no corpus at $corpus"
elif [ $HAVE_PY = 0 ]; then
	skip literature/real "python3 not installed"
else
	# the files that carry reference lists, in the order both readers take
	find "$corpus" -type f \( -name '*.xml' -o -name '*.xml.gz' \) \
		! -path '*/broken/*' ! -path '*/wrapped/*' | LC_ALL=C sort >"$tmp/all"
	: >"$tmp/files"
	while IFS= read -r f; do
		case $f in
		*.gz) gunzip -c "$f" 2>/dev/null | grep -q '<ReferenceList' && printf '%s\n' "$f" >>"$tmp/files" ;;
		*) grep -q '<ReferenceList' "$f" && printf '%s\n' "$f" >>"$tmp/files" ;;
		esac
	done <"$tmp/all"
	if [ ! -s "$tmp/files" ]; then
		skip literature/real "no file with a ReferenceList under $corpus"
	elif ! "$X" -q -o "$tmp/real" -T "$tmp/files" 2>"$tmp/x.err"; then
		fail literature/real/index "$(head -n 1 "$tmp/x.err")"
	elif ! python3 "$EXTRACT" refs -T "$tmp/files" >"$tmp/want_refs" ||
		! python3 "$EXTRACT" citedby -T "$tmp/files" >"$tmp/want_cited"; then
		fail literature/real/extract "refs_extract.py failed"
	else
		r() { "$Q" -i "$tmp/real" "$@"; }
		nfiles=$(wc -l <"$tmp/files" | tr -d ' ')
		nlive=$(wc -l <"$tmp/want_refs" | tr -d ' ')
		nrefs=$(cut -f2 "$tmp/want_refs" | wc -w | tr -d ' ')
		ncited=$(wc -l <"$tmp/want_cited" | tr -d ' ')
		echo "# real corpus: $nfiles files, $nlive live records, $nrefs references to $ncited PMIDs"
		if [ "$nrefs" -lt 1000 ]; then
			fail literature/real/extract "only $nrefs references: not the corpus this test expects"
		fi
		# the index holds exactly the live records
		same literature/real/live "$("$X" --json --stats "$tmp/real" | sed -n 's/^{"documents":\([0-9]*\).*/\1/p')" "$nlive"
		cut -f1 "$tmp/want_refs" >"$tmp/live"
		# every live PMID is shown (so indexed); --show prints one JSON per record
		r --show -f json $(cat "$tmp/live") >"$tmp/show.json" 2>"$tmp/show.err"
		same literature/real/all_indexed "$(grep -c '^{' "$tmp/show.json")|$(wc -c <"$tmp/show.err" | tr -d ' ')" "$nlive|0"

		# --references of every live record, in stored order with repeats
		bad=0
		while IFS="$TAB" read -r p want; do
			got=$(r --references "$p" --ids | lines)
			if [ "$got" != "$want" ]; then
				bad=$((bad + 1))
				[ $bad -le 5 ] && echo "# --references $p: '$got', extraction '$want'"
			fi
		done <"$tmp/want_refs"
		if [ $bad = 0 ]; then ok "literature/real/references ($nlive records, $nrefs references)"; else
			fail literature/real/references "$bad of $nlive lists differ from refs_extract.py"; fi

		# JSON of every citing record: indexed flags, titles and years of
		# the indexed references as --show gives them
		awk -F'\t' '$2 != "" { print $1 }' "$tmp/want_refs" >"$tmp/citing"
		while IFS= read -r p; do
			printf '#%s\n' "$p"
			r --references "$p" -f json
		done <"$tmp/citing" >"$tmp/refs.json"
		python3 - "$tmp/refs.json" "$tmp/show.json" "$tmp/want_refs" <<'EOF'
import json, sys
shown = {}
for l in open(sys.argv[2], encoding='utf-8'):
    o = json.loads(l)
    shown[o['pmid']] = o
want = {}
for l in open(sys.argv[3], encoding='utf-8'):
    p, refs = l.rstrip('\n').split('\t')
    want[int(p)] = [int(x) for x in refs.split()]
bad, rows, cur, got = [], 0, None, {}
for l in open(sys.argv[1], encoding='utf-8'):
    if l.startswith('#'):
        cur = int(l[1:])
        got[cur] = []
        continue
    o = json.loads(l)
    rows += 1
    got[cur].append(o['pmid'])
    indexed = o['pmid'] in shown
    if o.get('indexed') is not indexed:
        bad.append('%d: reference %d indexed=%r' % (cur, o['pmid'], o.get('indexed')))
    elif indexed and (o.get('title') != shown[o['pmid']].get('title') or
                      o.get('year') != shown[o['pmid']].get('year')):
        bad.append('%d: reference %d: %r %r, --show %r %r' % (cur, o['pmid'], o.get('title'),
                   o.get('year'), shown[o['pmid']].get('title'), shown[o['pmid']].get('year')))
    if o['rank'] != len(got[cur]):
        bad.append('%d: rank %d at row %d' % (cur, o['rank'], len(got[cur])))
for p, v in got.items():
    if v != want[p]:
        bad.append('%d: json lists %r' % (p, v[:5]))
if bad:
    print('not ok literature/real/references_json: %d problems: %s' % (len(bad), '; '.join(bad[:5])))
else:
    print('ok literature/real/references_json (%d rows, %d indexed)' % (rows, sum(1 for v in got.values() for x in v if x in shown)))
EOF

		# cited-by of every cited PMID, through --batch (one process)
		awk -F'\t' '{ print $1 "\tcites:" $1 }' "$tmp/want_cited" | r --batch --ids -k 1000000 >"$tmp/got_cited.raw"
		awk -F'\t' '{ a[$1] = a[$1] (a[$1] == "" ? "" : " ") $2 } END { for (k in a) print k "\t" a[k] }' "$tmp/got_cited.raw" |
			python3 -c '
import sys
for l in sys.stdin:
    k, v = l.rstrip("\n").split("\t")
    print("%s\t%s" % (k, " ".join(sorted(v.split(), key=int))))' | sort -n >"$tmp/got_cited"
		if cmp -s "$tmp/got_cited" "$tmp/want_cited"; then ok "literature/real/cited_by ($ncited cited PMIDs)"; else
			fail literature/real/cited_by "cites: lists differ from refs_extract.py: $(diff "$tmp/want_cited" "$tmp/got_cited" | grep '^[<>]' | head -n 2 | lines)"; fi
		# and through --cited-by for the indexed cited PMIDs, the most cited
		# and every 97th (sorted: ties rank lower PMIDs first, scores are 0)
		awk -F'\t' 'NR == FNR { live[$1] = 1; next } ($1 in live) || FNR % 97 == 0 { print }' \
			"$tmp/live" "$tmp/want_cited" >"$tmp/sample"
		awk -F'\t' '{ print split($2, a, " ") "\t" $0 }' "$tmp/want_cited" | sort -rn | head -n 20 | cut -f2- >>"$tmp/sample"
		bad=0 n=0
		while IFS="$TAB" read -r p want; do
			n=$((n + 1))
			got=$(r --cited-by "$p" --ids -k 1000000 | lines)
			[ "$got" = "$want" ] || { bad=$((bad + 1)); echo "# --cited-by $p: '$got', extraction '$want'"; }
		done <"$tmp/sample"
		if [ $bad = 0 ]; then ok "literature/real/cited_by_cli ($n PMIDs)"; else
			fail literature/real/cited_by_cli "$bad of $n lists differ"; fi
		# citedby:P (the indexed part of P's list, each once) for every record
		awk -F'\t' '{ print $1 "\tcitedby:" $1 }' "$tmp/want_refs" | r --batch --ids -k 1000000 >"$tmp/got_citedby"
		python3 - "$tmp/want_refs" "$tmp/got_citedby" <<'EOF'
import sys
want = {}
for l in open(sys.argv[1]):
    p, refs = l.rstrip('\n').split('\t')
    want[p] = [int(x) for x in refs.split()]
live = set(int(p) for p in want)
got = {}
for l in open(sys.argv[2]):
    q, p = l.rstrip('\n').split('\t')
    got.setdefault(q, []).append(int(p))
bad = [p for p in want if sorted(got.get(p, [])) != sorted(set(want[p]) & live)]
if bad:
    print('not ok literature/real/citedby_query: %d of %d differ, first %s: %r' %
          (len(bad), len(want), bad[0], sorted(got.get(bad[0], []))))
else:
    print('ok literature/real/citedby_query (%d records)' % len(want))
EOF
		# the most cited PMID, for a sort check on its citers
		top=$(awk -F'\t' '{ print split($2, a, " ") "\t" $1 }' "$tmp/want_cited" | sort -rn | head -n 1 | cut -f2)
		sort_checks literature/real/sort "$tmp/real" "$tmp/want_cited" cancer 'protein OR cells' \
			'year:2000..2020' "cites:$top" 'patients NOT review[pt]'
	fi
fi

# ======================================================================
# --similar on the demo corpus
# ======================================================================

if [ ! -f "$DEMO" ]; then
	skip literature/similar "no demo corpus $DEMO"
	exit 0
fi
if ! "$X" -q -o "$tmp/demo" "$DEMO"; then
	fail literature/similar/index "sarc-index could not index $DEMO"
	exit 0
fi
s() { "$Q" -i "$tmp/demo" "$@"; }
"$X" --dump "$DEMO" | sed -n 's/^{"pmid":\([0-9]*\).*/\1/p' >"$tmp/demo.pmids"

# never the record itself, whatever the order or the page
bad=
while IFS= read -r p; do
	s --similar "$p" --ids -k 100000 >"$tmp/sim"
	grep -qx "$p" "$tmp/sim" && bad="$bad $p"
	s --similar "$p" --ids -k 100000 --sort date | grep -qx "$p" && bad="$bad $p(date)"
	# --count agrees with the list
	[ "$(s --similar "$p" --count)" = "$(wc -l <"$tmp/sim" | tr -d ' ')" ] || bad="$bad $p(count)"
done <"$tmp/demo.pmids"
if [ -z "$bad" ] && [ -s "$tmp/demo.pmids" ]; then ok "literature/similar/excludes_itself ($(wc -l <"$tmp/demo.pmids" | tr -d ' ') records)"; else
	fail literature/similar/excludes_itself "itself or a wrong count for:$bad"; fi

# Nearest neighbours share the record's topic.  Topics were read off the
# corpus (titles, abstracts, MeSH): GIST 90000013-21; Ewing sarcoma
# 90000022-28 and 90000080; rhabdomyosarcoma 90000029-33; synovial sarcoma
# 90000034-38 and 90000079; osteosarcoma 90000039-45; desmoid tumours
# 90000046-51 (90000051: beta-catenin staining in aggressive fibromatosis);
# Kaposi sarcoma 90000052-55.
topic() { # NAME PMID 'TOPIC PMIDS'
	got=$(s --similar "$2" -k 3 --ids | lines)
	n=0 out=
	for p in $got; do
		case " $3 " in *" $p "*) n=$((n + 1)) ;; *) out="$out $p" ;; esac
	done
	if [ $n = 3 ]; then ok "literature/similar/topic $1 ($2: $got)"; else
		fail "literature/similar/topic $1" "top 3 of $2 are '$got'; off topic:$out"; fi
}
GIST='90000013 90000014 90000015 90000016 90000017 90000018 90000019 90000020 90000021'
EWING='90000022 90000023 90000024 90000025 90000026 90000027 90000028 90000080'
topic gist_imatinib 90000014 "$GIST"
topic gist_regorafenib 90000017 "$GIST"
topic ewing_ewsr1_fish 90000026 "$EWING"
topic rhabdomyosarcoma 90000030 '90000029 90000031 90000032 90000033'
topic synovial 90000035 '90000034 90000036 90000037 90000038 90000079'
topic osteosarcoma 90000040 '90000039 90000041 90000042 90000043 90000044 90000045'
topic desmoid 90000046 '90000047 90000048 90000049 90000050 90000051'
topic kaposi 90000052 '90000053 90000054 90000055'

# every output format, the same list
P=90000014
for f in human tsv json trec ids; do
	s --similar $P -k 8 -f "$f" >"$tmp/sim.$f" 2>"$tmp/sim.err" || fail "literature/similar/format_$f" "exit status $?: $(head -n 1 "$tmp/sim.err")"
done
want=$(lines <"$tmp/sim.ids")
same literature/similar/formats \
	"$(grep -o '^ *[0-9]*\. PMID [0-9]*' "$tmp/sim.human" | sed 's/.*PMID //' | lines)|$(tail -n +2 "$tmp/sim.tsv" | cut -f1 | lines)|$(sed 's/^{"pmid":\([0-9]*\).*/\1/' "$tmp/sim.json" | lines)|$(cut -d' ' -f3 "$tmp/sim.trec" | lines)" \
	"$want|$want|$want|$want"
grep -q '^documents similar to PMID 90000014$' "$tmp/sim.human" && ok literature/similar/human_note ||
	fail literature/similar/human_note "no 'documents similar to PMID 90000014' line"

# a query restricts: the hits that also match it, same scores, same order
for query in trabectedin 'year:2010..2020' 'imatinib OR sunitinib' 'cites:90000014'; do
	for p in 90000001 90000014 90000017; do
		s --similar $p -f tsv --fields pmid,score -k 100000 | tail -n +2 >"$tmp/sim.all"
		s --ids -k 100000 -- "$query" >"$tmp/sim.match"
		awk -F'\t' 'NR == FNR { m[$1] = 1; next } ($1 in m)' "$tmp/sim.match" "$tmp/sim.all" >"$tmp/sim.want"
		s --similar $p -f tsv --fields pmid,score -k 100000 -- "$query" | tail -n +2 >"$tmp/sim.got"
		if cmp -s "$tmp/sim.got" "$tmp/sim.want"; then ok "literature/similar/restrict $p '$query' ($(wc -l <"$tmp/sim.got" | tr -d ' ') hits)"; else
			fail "literature/similar/restrict $p '$query'" "$(lines <"$tmp/sim.got" | cut -c1-200) vs $(lines <"$tmp/sim.want" | cut -c1-200)"; fi
	done
done

# the number of terms: 25 by default, --similar-terms N
nterms() { sed -n 's/^query: //p' | grep -o '(terms ' | wc -l | tr -d ' '; }
same literature/similar/terms_default "$(s --similar 90000001 --explain -k 1 | nterms)" 25
same literature/similar/terms_option "$(s --similar 90000001 --similar-terms 7 --explain -k 1 | nterms)" 7
same literature/similar/terms_fields "$(s --similar 90000001 --explain -k 1 | sed -n 's/^query: //p' | grep -o '(terms [a-z|]*' | sort -u | lines)" \
	"(terms title|abstract|mesh"

# --sort keeps the set; cited counts agree with --cited-by
sort_checks literature/similar/sort "$tmp/demo" "" sarcoma 'cites:90000001' 'citedby:90000006 OR trabectedin'
bad=
for p in 90000014 90000026 90000052; do
	a=$(s --similar $p --ids -k 1000 | sort | lines)
	b=$(s --similar $p --ids -k 1000 --sort date | sort | lines)
	c=$(s --similar $p --ids -k 1000 --sort cited | sort | lines)
	[ "$a" = "$b" ] && [ "$a" = "$c" ] || bad="$bad $p"
	s --similar $p --sort cited -f tsv --fields pmid,cited -k 1000 | tail -n +2 >"$tmp/sc"
	awk -F'\t' 'NR > 1 && $2 > prev { bad = 1 } { prev = $2 } END { exit bad }' "$tmp/sc" || bad="$bad $p(order)"
	while IFS="$TAB" read -r x c; do
		[ "$c" = "$(s --cited-by "$x" --count)" ] || bad="$bad $p($x)"
	done <"$tmp/sc"
done
if [ -z "$bad" ]; then ok literature/similar/sort_similar; else fail literature/similar/sort_similar "differs for:$bad"; fi
exit 0
