#!/bin/sh
# valgrind.sh - both tools under valgrind's memcheck (--leak-check=full):
# sarc-index on the demo corpus and on a small generated corpus with -j2
# (threads), an update with a DeleteCitation, --merge, --verify, --stats;
# sarc-query in its main modes; the library's edges (test_api).  Any
# memcheck error or leak fails the run (exit status 99).  The plain build
# only: under ASan (build-san) valgrind cannot run, and ASan checks the
# same things there.
. "$(dirname "$0")/lib.sh"

case $SARC_BUILD in
*/build) ;;
*)
	skip valgrind "not the plain build ($SARC_BUILD): ASan and UBSan check this variant"
	exit 0
	;;
esac
if ! command -v valgrind >/dev/null 2>&1; then
	skip valgrind "valgrind not installed (Debian package valgrind)"
	exit 0
fi

IDX=$SARC_BIN/sarc-index
# sarc-query links the C library statically, where memcheck cannot
# follow malloc: the same program linked dynamically (make tests) instead
Q=$SARC_BUILD/sarc-query-dynamic
gen=$SARC_BUILD/corpus/gen-pubmed
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
demo=$ROOT/corpus/demo/sarcoma-demo.xml
vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --track-fds=no"

# vgrun NAME EXPECTED_STATUS CMD...: runs CMD under valgrind; passes when it
# exits with EXPECTED_STATUS and valgrind reported nothing
vgrun() {
	name=$1
	want=$2
	shift 2
	$vg "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc = "$want" ] && ! grep -q '^==[0-9]*==' "$tmp/err"; then
		ok "valgrind_$name"
	else
		fail "valgrind_$name" "exit $rc (want $want): $(grep '^==[0-9]*==' "$tmp/err" | head -12 | tr '\n' ' ' | head -c 1500)"
	fi
}

cat >"$tmp/update.xml" <<'EOF'
<?xml version="1.0"?>
<PubmedArticleSet>
<PubmedArticle><MedlineCitation><PMID Version="2">90000001</PMID><Article><Journal><JournalIssue><PubDate><Year>2030</Year></PubDate></JournalIssue><Title>J</Title></Journal><ArticleTitle>Replaced leiomyosarcoma title</ArticleTitle></Article></MedlineCitation></PubmedArticle>
<DeleteCitation><PMID Version="1">90000002</PMID></DeleteCitation>
</PubmedArticleSet>
EOF

vgrun index_demo 0 "$IDX" -q -o "$tmp/idx" "$demo"
vgrun index_update 0 "$IDX" -q -o "$tmp/idx" "$tmp/update.xml"
if [ -x "$gen" ]; then
	"$gen" --docs 400 --seed 3 --start-pmid 1000 --per-file 100 --out-dir "$tmp/gen" >/dev/null 2>&1
	"$gen" --docs 200 --seed 4 --start-pmid 5000 --updates -z >"$tmp/upd.xml.gz"
	vgrun index_generated_j2 0 "$IDX" -q -j2 -o "$tmp/idx" "$tmp/gen" "$tmp/upd.xml.gz"
else
	skip valgrind_index_generated_j2 "generator not built"
fi
vgrun merge 0 "$IDX" -q --merge "$tmp/idx"
vgrun verify 0 "$IDX" --verify "$tmp/idx"
vgrun stats 0 "$IDX" --stats "$tmp/idx" --json
vgrun dump 0 "$IDX" --dump "$tmp/update.xml"
printf '<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1\n' >"$tmp/bad.xml"
vgrun bad_input 2 "$IDX" -q -o "$tmp/idx" "$tmp/bad.xml"

vgrun query_plain 0 "$Q" -i "$tmp/idx" leiomyosarcoma trabectedin
vgrun query_phrase_tsv 0 "$Q" -i "$tmp/idx" --format tsv --fields pmid,score,year,title,authors '"ewing sarcoma" OR EWS-FLI1'
vgrun query_json 0 "$Q" -i "$tmp/idx" --format json -k 3 'desmoid NEAR/5 catenin OR sarcom*'
vgrun query_pubmed 0 "$Q" -i "$tmp/idx" --syntax pubmed --ids 'sarcoma[tiab] AND 2000:2030[dp] NOT review[pt]'
vgrun query_show 0 "$Q" -i "$tmp/idx" --show 90000001 90000003
vgrun query_count 0 "$Q" -i "$tmp/idx" --count sarcoma
vgrun query_facet 0 "$Q" -i "$tmp/idx" --facet year sarcoma
vgrun query_facet_mesh 0 "$Q" -i "$tmp/idx" --facet mesh sarcoma
vgrun query_explain 0 "$Q" -i "$tmp/idx" --explain -k 2 gist imatinib
vgrun query_sort_date 0 "$Q" -i "$tmp/idx" --sort date -k 5 sarcoma
vgrun query_similar 0 "$Q" -i "$tmp/idx" --similar 90000003 -k 3
vgrun query_cited_by 0 "$Q" -i "$tmp/idx" --cited-by 90000001 --sort cited
printf '1\tleiomyosarcoma\n2\tdesmoid sorafenib\n3\tthe\n' >"$tmp/batch"
$vg "$Q" -i "$tmp/idx" --batch --format trec <"$tmp/batch" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -le 2 ] && [ $rc != 99 ] && ! grep -q '^==[0-9]*==' "$tmp/err"; then
	ok valgrind_query_batch
else
	fail valgrind_query_batch "exit $rc: $(grep '^==[0-9]*==' "$tmp/err" | head -12 | tr '\n' ' ')"
fi
vgrun query_no_match 1 "$Q" -i "$tmp/idx" --sort date zzzqqqnomatch
vgrun query_bad 2 "$Q" -i "$tmp/idx" '"unbalanced'
vgrun query_no_index 2 "$Q" -i "$tmp/nonexistent" sarcoma
# the library's edges (tests/unit/test_api.c): what sarc-query never asks
# of it, k = 0 among them, whose pruning read a heap slot never written;
# it finds the demo corpus from the repository root
if [ -x "$SARC_BUILD/tests/test_api" ]; then
	(cd "$ROOT" && vgrun api 0 "$SARC_BUILD/tests/test_api")
else
	skip valgrind_api "tests/unit/test_api not built (make tests)"
fi
