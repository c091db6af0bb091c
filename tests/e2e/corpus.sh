#!/bin/sh
# corpus.sh - end-to-end checks of corpus/: the demo PubMed XML, the synthetic
# generator gen-pubmed and the E-utilities downloader fetch-pubmed.sh (dry run
# and an offline run against a stand-in curl; never the network).
. "$(dirname "$0")/lib.sh"
LC_ALL=C # byte-wise sort, comm, tr and grep
export LC_ALL

demo=$ROOT/corpus/demo/sarcoma-demo.xml
fetch=$ROOT/corpus/fetch-pubmed.sh
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# xcount FILE XPATH: the number an XPath count() gives, or "" on failure.
xcount() { xmllint --xpath "$2" "$1" 2>/dev/null; }

# ------------------------------------------------------------------ demo

if ! command -v xmllint >/dev/null 2>&1; then
	skip demo "xmllint missing (Debian package libxml2-utils)"
else
	if xmllint --noout "$demo" 2>"$tmp/err"; then ok demo-well-formed; else fail demo-well-formed "$(head -n 3 "$tmp/err")"; fi

	n=$(xcount "$demo" 'count(//PubmedArticle)')
	if [ "${n:-0}" -ge 60 ]; then ok "demo-articles ($n)"; else fail demo-articles "only ${n:-0} PubmedArticle, want >= 60"; fi

	nb=$(xcount "$demo" 'count(//PubmedBookArticle)')
	if [ "${nb:-0}" -ge 1 ]; then ok demo-book; else fail demo-book "no PubmedBookArticle"; fi

	xmllint --xpath '//MedlineCitation/PMID | //BookDocument/PMID' "$demo" | tr '<' '\n' |
		sed -n 's/^PMID[^>]*>//p' >"$tmp/pmids"
	total=$(wc -l <"$tmp/pmids")
	uniq=$(sort -u "$tmp/pmids" | wc -l)
	bad=$(grep -v -x -E '900000(0[1-9]|[1-9][0-9])' "$tmp/pmids" | head -n 1)
	if [ "$total" -eq $((n + nb)) ] && [ "$total" -eq "$uniq" ] && [ -z "$bad" ]; then
		ok demo-pmids-unique-in-range
	else
		fail demo-pmids-unique-in-range "$total PMIDs, $uniq distinct, first out of 90000001..90000099: '${bad}'"
	fi

	check_min() { # name xpath min
		c=$(xcount "$demo" "$2")
		if [ "${c:-0}" -ge "$3" ]; then ok "$1 ($c)"; else fail "$1" "${c:-0} < $3"; fi
	}
	check_min demo-structured 'count(//PubmedArticle[.//AbstractText[@Label]])' 20
	check_min demo-no-abstract 'count(//PubmedArticle[not(.//Abstract)])' 3
	check_min demo-medlinedate 'count(//PubDate/MedlineDate)' 3
	check_min demo-collective 'count(//Author/CollectiveName)' 3
	check_min demo-inline-markup 'count(//AbstractText/i | //ArticleTitle/i | //AbstractText/sup)' 10
	check_min demo-mesh-major 'count(//DescriptorName[@MajorTopicYN="Y"])' 60
	check_min demo-keywords 'count(//KeywordList[@Owner="NOTNLM"])' 20
	check_min demo-pmc 'count(//ArticleId[@IdType="pmc"])' 5

	# "Cited by" works inside the demo: every referenced PMID is a demo PMID.
	xmllint --xpath '//ReferenceList//ArticleId[@IdType="pubmed"]' "$demo" | tr '<' '\n' |
		sed -n 's/^ArticleId[^>]*>//p' | sort -u >"$tmp/refs"
	nrefs=$(wc -l <"$tmp/refs")
	dangling=$(sort -u "$tmp/pmids" | comm -13 - "$tmp/refs" | head -n 1)
	if [ "$nrefs" -ge 30 ] && [ -z "$dangling" ]; then
		ok "demo-references-internal ($nrefs cited PMIDs)"
	else
		fail demo-references-internal "$nrefs cited PMIDs, first not in the demo: '$dangling'"
	fi

	if grep -q 'Sjögren' "$demo" && grep -q 'Ødegaard' "$demo" && grep -q 'Łukasz' "$demo" &&
		grep -q 'β-catenin' "$demo" && grep -q '&#x3b2;' "$demo" && grep -q 'TNF-α' "$demo"; then
		ok demo-non-ascii
	else
		fail demo-non-ascii "expected UTF-8 names, Greek letters and a &#x3b2; reference"
	fi
	if command -v iconv >/dev/null 2>&1; then
		if iconv -f UTF-8 -t UTF-8 "$demo" >/dev/null 2>&1; then ok demo-utf8; else fail demo-utf8 "invalid UTF-8"; fi
	fi

	# The example queries of the demo find several records each.
	flat=$tmp/flat
	tr '\n' ' ' <"$demo" | sed 's|</PubmedArticle>|&\n|g; s|</PubmedBookArticle>|&\n|g' |
		sed 's/<ReferenceList>.*<\/ReferenceList>//' >"$flat"
	query_min() { # name min pattern...
		qn=$1 qmin=$2
		shift 2
		cp "$flat" "$tmp/q"
		for pat in "$@"; do grep -i -- "$pat" "$tmp/q" >"$tmp/q2"; mv "$tmp/q2" "$tmp/q"; done
		c=$(wc -l <"$tmp/q")
		if [ "$c" -ge "$qmin" ]; then ok "$qn ($c)"; else fail "$qn" "$c records, want >= $qmin"; fi
	}
	query_min demo-q-leiomyosarcoma-trabectedin 4 leiomyosarcoma trabectedin
	query_min demo-q-ews-fli1 4 'EWS-FLI1'
	query_min demo-q-gist-imatinib-resistance 4 GIST imatinib resistan
	query_min demo-q-synovial-ss18-ssx 4 synovial 'SS18-SSX'
	query_min demo-q-mesh-osteosarcoma-methotrexate 4 '>Osteosarcoma</DescriptorName>' methotrexate
	query_min demo-q-desmoid-beta-catenin 4 desmoid 'β-catenin\|&#x3b2;-catenin'
	query_min demo-q-author-sjogren 4 '<LastName>Sjögren</LastName>'
fi

# ------------------------------------------------------------- generator

gen=$SARC_BUILD/corpus/gen-pubmed
if [ ! -x "$gen" ]; then
	# Not built (yet): compile a private copy so the checks still run.
	gen=$tmp/gen-pubmed
	${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 "$ROOT/corpus/gen-pubmed.c" -lz -o "$gen" 2>"$tmp/cc.err" || gen=
fi

if [ -z "$gen" ]; then
	skip generator "gen-pubmed not built and cannot be compiled: $(head -n 1 "$tmp/cc.err")"
elif ! command -v xmllint >/dev/null 2>&1; then
	skip generator "xmllint missing"
else
	sha() { sha1sum | cut -d' ' -f1; }

	a=$("$gen" --docs 500 --seed 42 | sha)
	b=$("$gen" --docs 500 --seed 42 | sha)
	c=$("$gen" --docs 500 --seed 43 | sha)
	if [ "$a" = "$b" ] && [ "$a" != "$c" ]; then ok gen-deterministic; else fail gen-deterministic "seed 42: $a, $b; seed 43: $c"; fi

	"$gen" --docs 2000 --seed 7 >"$tmp/g.xml"
	rc=$?
	if [ $rc -eq 0 ] && xmllint --noout --stream "$tmp/g.xml" 2>"$tmp/err"; then
		ok gen-well-formed
	else
		fail gen-well-formed "exit $rc: $(head -n 3 "$tmp/err")"
	fi

	n=$(xcount "$tmp/g.xml" 'count(//PubmedArticle)')
	if [ "$n" = 2000 ]; then ok gen-count; else fail gen-count "$n PubmedArticle, want 2000"; fi

	if command -v iconv >/dev/null 2>&1; then
		if iconv -f UTF-8 -t UTF-8 "$tmp/g.xml" >/dev/null 2>&1; then ok gen-utf8; else fail gen-utf8 "invalid UTF-8"; fi
	fi

	# Variety the indexer must handle shows up in 2000 records.
	missing=
	for pat in '<AbstractText Label=' '<MedlineDate>' '<CollectiveName>' '<i>' '<sup>' 'β' '&#x3b2;' \
		'<QualifierName' 'MajorTopicYN="Y"' '<Keyword ' '<ReferenceList>' '<VernacularTitle>' 'Ø\|ø\|ö\|é\|ł'; do
		grep -q -- "$pat" "$tmp/g.xml" || missing="$missing $pat"
	done
	noabs=$(xcount "$tmp/g.xml" 'count(//PubmedArticle[not(.//Abstract)])')
	if [ -z "$missing" ] && [ "${noabs:-0}" -ge 100 ] && [ "${noabs:-0}" -le 300 ]; then
		ok "gen-variety ($noabs without abstract)"
	else
		fail gen-variety "missing:$missing; $noabs records without abstract"
	fi

	# PMIDs are consecutive from --start-pmid; references only point back.
	"$gen" --docs 300 --start-pmid 5000 --seed 3 >"$tmp/p.xml"
	awk '
		/<MedlineCitation/ { inref = 0 }
		/<PMID Version=/ && !cur { sub(/.*">/, ""); sub(/<.*/, ""); cur = $0 + 0
			if (cur != want) { print "PMID " cur " where " want " was expected"; exit 1 } want++ }
		/<ReferenceList>/ { inref = 1 }
		inref && /IdType="pubmed"/ { s = $0; sub(/.*IdType="pubmed">/, "", s); sub(/<.*/, "", s)
			if (s + 0 >= cur || s + 0 < 5000) { print "PMID " cur " cites " s; exit 1 } }
		/<\/PubmedArticle>/ { cur = 0 }
		BEGIN { want = 5000 }
		END { if (want != 5300) { print "last PMID " want - 1; exit 1 } }' "$tmp/p.xml" >"$tmp/err"
	if [ $? -eq 0 ]; then ok gen-pmids-and-references; else fail gen-pmids-and-references "$(cat "$tmp/err")"; fi

	z=$("$gen" --docs 500 --seed 42 --gzip | gunzip | sha)
	if [ "$z" = "$a" ]; then ok gen-gzip-same-bytes; else fail gen-gzip-same-bytes "gunzip gives $z, plain $a"; fi

	"$gen" --docs 2500 --seed 42 --per-file 1000 --out-dir "$tmp/out" --gzip
	nf=$(ls "$tmp/out" | wc -l)
	sum=0
	okf=1
	for f in "$tmp"/out/pubmed-synth-*.xml.gz; do
		gunzip -c "$f" >"$tmp/f.xml" && xmllint --noout --stream "$tmp/f.xml" 2>/dev/null || okf=0
		sum=$((sum + $(xcount "$tmp/f.xml" 'count(//PubmedArticle)')))
	done
	if [ "$nf" = 3 ] && [ "$sum" = 2500 ] && [ "$okf" = 1 ] && [ -f "$tmp/out/pubmed-synth-00003.xml.gz" ]; then
		ok gen-per-file
	else
		fail gen-per-file "$nf files, $sum citations, all well-formed: $okf"
	fi

	"$gen" --docs 3000 --seed 5 --updates >"$tmp/u.xml"
	nu=$(xcount "$tmp/u.xml" 'count(//PubmedArticle)')
	nv2=$(xcount "$tmp/u.xml" 'count(//PubmedArticle[MedlineCitation/PMID/@Version="2"])')
	nd=$(xcount "$tmp/u.xml" 'count(//DeleteCitation/PMID)')
	xmllint --xpath '//PubmedArticle/MedlineCitation/PMID[@Version="2"]' "$tmp/u.xml" 2>/dev/null | tr '<' '\n' |
		sed -n 's/^PMID[^>]*>//p' | sort -u >"$tmp/v2"
	xmllint --xpath '//DeleteCitation/PMID' "$tmp/u.xml" 2>/dev/null | tr '<' '\n' | sed -n 's/^PMID[^>]*>//p' |
		sort -u >"$tmp/del"
	both=$(comm -12 "$tmp/v2" "$tmp/del" | head -n 1)
	if xmllint --noout --stream "$tmp/u.xml" 2>/dev/null && [ "${nv2:-0}" -gt 0 ] && [ "${nd:-0}" -gt 0 ] &&
		[ "$nu" -eq $((3000 + nv2)) ] && [ -z "$both" ] && [ "$(wc -l <"$tmp/del")" -eq "$nd" ]; then
		ok "gen-updates ($nv2 revised, $nd deleted)"
	else
		fail gen-updates "$nu articles, $nv2 with Version 2, $nd deletions, revised and deleted: '$both'"
	fi

	"$gen" --docs nope >/dev/null 2>"$tmp/gerr"
	r1=$?
	"$gen" --help >/dev/null 2>&1
	r2=$?
	"$gen" --bogus >/dev/null 2>"$tmp/gerr2"
	r3=$?
	# usage errors are one line, as sarc-index's and sarc-query's
	if [ $r1 -eq 2 ] && [ $r2 -eq 0 ] && [ $r3 -eq 2 ] &&
		[ "$(cat "$tmp/gerr")" = "gen-pubmed: invalid --docs 'nope' (try 'gen-pubmed --help')" ] &&
		[ "$(cat "$tmp/gerr2")" = "gen-pubmed: unknown option '--bogus' (try 'gen-pubmed --help')" ]; then
		ok gen-cli
	else
		fail gen-cli "usage error exit $r1 and $r3 (want 2), --help exit $r2: $(cat "$tmp/gerr" "$tmp/gerr2")"
	fi
fi

# ------------------------------------------------------------ fetch-pubmed

# A stand-in curl: records each call and answers like E-utilities, so that
# nothing here reaches the network.  FAKE_FAIL_AT=N answers HTTP
# ${FAKE_FAIL_CODE:-503} to call N.  An ESearch without dates counts
# FAKE_COUNT records; one limited to publication years FROM:TO counts those
# that FAKE_YEARS ("YEAR:N YEAR:N ...") puts in that range, and an empty
# one has no WebEnv; FAKE_ESEARCH_EXTRA is added to its answer.  A stand-in sleep logs its argument and returns at once.
mkdir -p "$tmp/bin"
cat >"$tmp/bin/curl" <<'EOF'
#!/bin/sh
argv="$*"
out=
url=
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2; shift ;;
	-w | -A | --connect-timeout | --max-time) shift ;;
	-K) [ "$2" = - ] && url=$(sed -n 's/^url = "\(.*\)"$/\1/p'); shift ;;
	-*) ;;
	*) url=$1 ;;
	esac
	shift
done
echo "$url" >>"$FAKE_LOG"
echo "$argv" >>"$FAKE_LOG.argv"
n=$(wc -l <"$FAKE_LOG")
if [ "$n" -eq "${FAKE_FAIL_AT:-0}" ]; then echo busy >"$out"; printf '%s' "${FAKE_FAIL_CODE:-503}"; exit 0; fi
case $url in
*esearch.fcgi*)
	count=$FAKE_COUNT
	case $url in *'&mindate='*)
		from=${url#*&mindate=}; from=${from%%[!0-9]*}
		to=${url#*&maxdate=}; to=${to%%[!0-9]*}
		count=0
		for yn in $FAKE_YEARS; do
			[ "${yn%:*}" -lt "$from" ] || [ "${yn%:*}" -gt "$to" ] || count=$((count + ${yn#*:}))
		done ;;
	esac
	env='<QueryKey>1</QueryKey><WebEnv>MCID_test</WebEnv>'
	[ "$count" != 0 ] || env=
	printf '<?xml version="1.0" encoding="UTF-8" ?>\n<eSearchResult><Count>%s</Count><RetMax>0</RetMax><RetStart>0</RetStart>%s<IdList></IdList><TranslationStack><TermSet><Count>7</Count></TermSet></TranslationStack>%s</eSearchResult>\n' "$count" "$env" "${FAKE_ESEARCH_EXTRA:-}" >"$out" ;;
*efetch.fcgi*)
	rs=${url#*retstart=}; rs=${rs%%&*}
	rm=${url#*retmax=}; rm=${rm%%&*}
	awk -v rs="$rs" -v rm="$rm" 'BEGIN {
		print "<?xml version=\"1.0\" ?>"; print "<PubmedArticleSet>"
		for (i = 1; i <= rm; i++) printf "<PubmedArticle><MedlineCitation Status=\"MEDLINE\" Owner=\"NLM\"><PMID Version=\"1\">%d</PMID></MedlineCitation></PubmedArticle>\n", rs + i
		print "</PubmedArticleSet>" }' >"$out" ;;
esac
printf 200
EOF
cat >"$tmp/bin/sleep" <<'EOF'
#!/bin/sh
echo "$1" >>"$FAKE_LOG.sleep"
EOF
chmod +x "$tmp/bin/curl" "$tmp/bin/sleep"
export FAKE_LOG="$tmp/curl.log"
: >"$FAKE_LOG"
# Belt and braces: a proxy that does not exist, should anything bypass PATH.
fetch_env() (
	unset NCBI_API_KEY NCBI_EMAIL
	PATH="$tmp/bin:$PATH" http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9
	export PATH http_proxy https_proxy
	exec env "$@"
)

fetch_env sh "$fetch" --dry-run --count 1234 >"$tmp/urls" 2>"$tmp/err"
rc=$?
nes=$(grep -c '/esearch.fcgi?' "$tmp/urls")
nef=$(grep -c '/efetch.fcgi?' "$tmp/urls")
starts=$(sed -n 's/.*efetch.fcgi?.*retstart=\([0-9]*\)&retmax=\([0-9]*\).*/\1:\2/p' "$tmp/urls" | tr '\n' ' ')
if [ $rc -eq 0 ] && [ "$nes" = 1 ] && [ "$nef" = 3 ] && [ "$starts" = "0:500 500:500 1000:234 " ] &&
	[ "$(wc -l <"$tmp/urls")" = 4 ] && grep -q 'usehistory=y' "$tmp/urls" && grep -q 'term=sarcoma&' "$tmp/urls" &&
	! grep -q api_key "$tmp/urls"; then
	ok fetch-dry-run-urls
else
	fail fetch-dry-run-urls "exit $rc, $nes esearch, $nef efetch, retstart:retmax $starts"
fi

fetch_env sh "$fetch" --dry-run --count 1234 --batch 100 --api-key SECRETKEY 'leiomyosarcoma AND trabectedin' >"$tmp/urls" 2>/dev/null
nef=$(grep -c '/efetch.fcgi?' "$tmp/urls")
nkey=$(grep -c '&api_key=SECRETKEY' "$tmp/urls")
last=$(tail -n 1 "$tmp/urls" | sed -n 's/.*retstart=\([0-9]*\)&retmax=\([0-9]*\).*/\1:\2/p')
if [ "$nef" = 13 ] && [ "$nkey" = 14 ] && [ "$last" = 1200:34 ] && grep -q 'term=leiomyosarcoma%20AND%20trabectedin&' "$tmp/urls"; then
	ok fetch-dry-run-batch-and-key
else
	fail fetch-dry-run-batch-and-key "$nef efetch (want 13), $nkey URLs with api_key (want 14), last $last"
fi

fetch_env NCBI_API_KEY=ENVKEY sh "$fetch" -n -c 10 >"$tmp/urls" 2>/dev/null
if [ "$(grep -c '&api_key=ENVKEY' "$tmp/urls")" = 2 ]; then ok fetch-dry-run-env-key; else fail fetch-dry-run-env-key "NCBI_API_KEY not used"; fi

if [ ! -s "$FAKE_LOG" ]; then ok fetch-dry-run-offline; else fail fetch-dry-run-offline "curl was called: $(head -n 1 "$FAKE_LOG")"; fi

fetch_env sh "$fetch" --batch 0 >/dev/null 2>"$tmp/ferr"
r1=$?
fetch_env sh "$fetch" --help >/dev/null 2>&1
r2=$?
if [ $r1 -eq 2 ] && [ $r2 -eq 0 ] && [ "$(wc -l <"$tmp/ferr")" -eq 1 ] && grep -q "^fetch-pubmed: .*(try 'fetch-pubmed --help')$" "$tmp/ferr"; then
	ok fetch-cli
else
	fail fetch-cli "usage error exit $r1 (want 2), --help exit $r2: $(cat "$tmp/ferr")"
fi

# A run against the stand-in: a 503 is retried, files are gzipped, and a
# second run skips every complete batch (the .query file notes the search).
if command -v gzip >/dev/null 2>&1; then
	: >"$FAKE_LOG"
	fetch_env FAKE_COUNT=1234 FAKE_FAIL_AT=3 sh "$fetch" -o "$tmp/fetched" --email test@example.org >/dev/null 2>"$tmp/err"
	rc=$?
	got=$(gunzip -c "$tmp"/fetched/pubmed-sarcoma-0000[123].xml.gz 2>/dev/null | grep -c '<PubmedArticle>')
	calls=$(wc -l <"$FAKE_LOG")
	: >"$FAKE_LOG"
	fetch_env FAKE_COUNT=1234 sh "$fetch" -o "$tmp/fetched" -Q >/dev/null 2>&1
	rc2=$?
	calls2=$(wc -l <"$FAKE_LOG")
	extra=
	for f in "$tmp"/fetched/*; do
		case ${f##*/} in pubmed-sarcoma-0000[123].xml.gz | pubmed-sarcoma.query) ;; *) extra="$extra ${f##*/}" ;; esac
	done
	if [ $rc -eq 0 ] && [ "$got" = 1234 ] && [ "$calls" = 5 ] && [ $rc2 -eq 0 ] && [ "$calls2" = 1 ] &&
		[ -z "$extra" ]; then
		ok fetch-offline-retry-resume
	else
		fail fetch-offline-retry-resume "exit $rc/$rc2, $got records, $calls and $calls2 requests, extra files:$extra; $(tail -n 1 "$tmp/err")"
	fi

	# Requests keep to NCBI's rate: a pause before every request but the
	# first, just over 1/3 s without an API key and 1/10 s with one.
	: >"$FAKE_LOG"
	: >"$FAKE_LOG.sleep"
	fetch_env FAKE_COUNT=1234 sh "$fetch" -Q -o "$tmp/rate" >/dev/null 2>&1
	r1=$(sort -u "$FAKE_LOG.sleep" | tr '\n' ' ')
	n1=$(wc -l <"$FAKE_LOG.sleep")
	: >"$FAKE_LOG.sleep"
	fetch_env FAKE_COUNT=1234 sh "$fetch" -Q -k KEY -o "$tmp/rate-key" >/dev/null 2>&1
	r2=$(sort -u "$FAKE_LOG.sleep" | tr '\n' ' ')
	if [ "$r1" = "0.34 " ] && [ "$n1" = 3 ] && [ "$r2" = "0.11 " ]; then
		ok fetch-rate-limit
	else
		fail fetch-rate-limit "pauses without a key: $n1 of $r1; with one: $r2"
	fi

	# HTTP 429 is retried after a backoff; a 400 is not retried at all.
	: >"$FAKE_LOG"
	: >"$FAKE_LOG.sleep"
	fetch_env FAKE_COUNT=3 FAKE_FAIL_AT=2 FAKE_FAIL_CODE=429 sh "$fetch" -Q -o "$tmp/r429" >/dev/null 2>&1
	rc=$?
	c429=$(wc -l <"$FAKE_LOG")
	: >"$FAKE_LOG"
	fetch_env FAKE_COUNT=3 FAKE_FAIL_AT=2 FAKE_FAIL_CODE=400 sh "$fetch" -Q -k SECRETKEY -o "$tmp/r400" \
		>/dev/null 2>"$tmp/err"
	rc2=$?
	c400=$(wc -l <"$FAKE_LOG")
	if [ $rc = 0 ] && [ "$c429" = 3 ] && grep -qx 2 "$FAKE_LOG.sleep" && [ $rc2 = 2 ] && [ "$c400" = 2 ] &&
		grep -q 'HTTP 400' "$tmp/err" && [ ! -e "$tmp/r400/pubmed-sarcoma-00001.xml.gz" ]; then
		ok fetch-retry-429-not-400
	else
		fail fetch-retry-429-not-400 "429: exit $rc, $c429 requests; 400: exit $rc2, $c400 requests"
	fi
	# the message names the request, but not the API key (logs get pasted)
	if grep -q 'api_key=\.\.\.' "$tmp/err" && ! grep -q SECRETKEY "$tmp/err"; then
		ok fetch-error-hides-key
	else
		fail fetch-error-hides-key "$(grep -m1 'HTTP 400' "$tmp/err")"
	fi
	# ... nor in curl's arguments, which ps shows every user; the key
	# still reaches NCBI, in the URL curl read from its standard input
	if [ -s "$FAKE_LOG.argv" ] && ! grep -q SECRETKEY "$FAKE_LOG.argv" &&
		grep -q 'api_key=SECRETKEY' "$FAKE_LOG"; then
		ok fetch-key-not-in-argv
	else
		fail fetch-key-not-in-argv "curl was called with: $(grep -m1 SECRETKEY "$FAKE_LOG.argv")"
	fi

	# What PubMed could not find or ignored is a warning, --quiet or not;
	# how it read the query is a progress message.
	notes='<QueryTranslation>"sarcoma"[MeSH Terms] AND &quot;xyzzy&quot;</QueryTranslation><ErrorList><PhraseNotFound>xyzzy</PhraseNotFound><FieldNotFound>badfield</FieldNotFound></ErrorList><WarningList><PhraseIgnored>of</PhraseIgnored><QuotedPhraseNotFound>"a &amp; b"</QuotedPhraseNotFound><OutputMessage>No items found.</OutputMessage></WarningList>'
	fetch_env FAKE_COUNT=3 FAKE_ESEARCH_EXTRA="$notes" sh "$fetch" -Q -o "$tmp/notes" >/dev/null 2>"$tmp/err"
	rc=$?
	fetch_env FAKE_COUNT=3 FAKE_ESEARCH_EXTRA="$notes" sh "$fetch" -o "$tmp/notes" >/dev/null 2>"$tmp/err2"
	if [ $rc = 0 ] && [ "$(grep -c 'warning' "$tmp/err")" = 5 ] &&
		grep -q 'warning: not found in PubMed, searched without it: xyzzy$' "$tmp/err" &&
		grep -q 'warning: no such search field, searched without it: badfield$' "$tmp/err" &&
		grep -q 'warning: ignored by PubMed: of$' "$tmp/err" &&
		grep -q 'warning: quoted phrase not found in PubMed: "a & b"$' "$tmp/err" &&
		grep -q 'warning: PubMed: No items found\.$' "$tmp/err" &&
		! grep -q 'PubMed searched' "$tmp/err" &&
		grep -q 'PubMed searched: "sarcoma"\[MeSH Terms\] AND "xyzzy"$' "$tmp/err2"; then
		ok fetch-esearch-warnings
	else
		fail fetch-esearch-warnings "exit $rc: $(tr '\n' '|' <"$tmp/err")"
	fi

	# A date slice of a split search can be empty, and an empty ESearch
	# answer need not carry a WebEnv: the run goes on to the other slices.
	: >"$FAKE_LOG"
	fetch_env FAKE_COUNT=10500 FAKE_YEARS="2000:6000 2001:4500" sh "$fetch" -Q -b 10000 -o "$tmp/split" \
		>/dev/null 2>"$tmp/err"
	rc=$?
	# (the slices' names depend on the current year)
	nf=$(ls "$tmp/split" | grep -c '^pubmed-sarcoma-.*\.xml\.gz$')
	nrec=$(gunzip -c "$tmp"/split/pubmed-sarcoma-*.xml.gz 2>/dev/null | grep -c '<PubmedArticle>')
	if [ $rc = 0 ] && [ "$nf" = 2 ] && [ "$nrec" = 10500 ]; then
		ok fetch-split-empty-slice
	else
		fail fetch-split-empty-slice "exit $rc, $nrec records in $nf files: $(tail -n 1 "$tmp/err")"
	fi

	# A run cut short by --max ends on a short batch; a later run without
	# --max must fetch that batch whole, not skip it.  A damaged batch file
	# (a truncated copy) is fetched again too.
	fetch_env FAKE_COUNT=1234 sh "$fetch" -Q --max 700 -o "$tmp/grow" >/dev/null 2>&1
	head -c 100 "$tmp/grow/pubmed-sarcoma-00001.xml.gz" >"$tmp/trunc" && mv "$tmp/trunc" "$tmp/grow/pubmed-sarcoma-00001.xml.gz"
	fetch_env FAKE_COUNT=1234 sh "$fetch" -Q -o "$tmp/grow" >/dev/null 2>&1
	rc=$?
	counts=
	for i in 1 2 3; do
		counts="$counts $(gunzip -c "$tmp/grow/pubmed-sarcoma-0000$i.xml.gz" 2>/dev/null | grep -c '<PubmedArticle>')"
	done
	if [ $rc = 0 ] && [ "$counts" = " 500 500 234" ]; then
		ok fetch-resume-short-batch
	else
		fail fetch-resume-short-batch "exit $rc, records per file:$counts (want 500 500 234)"
	fi

	# Another search with the same file names ('"soft tissue"' and 'soft
	# tissue' share the slug), or the same one cut into other batches, must
	# not pass off the files already there as its own.
	fetch_env FAKE_COUNT=5 sh "$fetch" -Q -o "$tmp/two" '"soft tissue"' >/dev/null 2>&1
	: >"$FAKE_LOG"
	fetch_env FAKE_COUNT=7 sh "$fetch" -Q -o "$tmp/two" soft tissue >/dev/null 2>"$tmp/err"
	rc=$?
	fetch_env FAKE_COUNT=5 sh "$fetch" -Q -o "$tmp/two" -b 2 '"soft tissue"' >/dev/null 2>"$tmp/err2"
	rc2=$?
	if [ $rc = 2 ] && [ $rc2 = 2 ] && [ ! -s "$FAKE_LOG" ] && [ "$(wc -l <"$tmp/err")" = 1 ] &&
		grep -q 'another --out-dir' "$tmp/err" && grep -q 'another --out-dir' "$tmp/err2"; then
		ok fetch-other-search-refused
	else
		fail fetch-other-search-refused "exit $rc and $rc2, $(wc -l <"$FAKE_LOG") requests: $(cat "$tmp/err")"
	fi
fi

# Numbers are decimal: 010 is ten and 08 eight (the shell's arithmetic read
# them as octal: eight records, and an error).
fetch_env sh "$fetch" -n -c 30 --max 010 --batch 08 >"$tmp/urls" 2>/dev/null
rc=$?
starts=$(sed -n 's/.*efetch.fcgi?.*retstart=\([0-9]*\)&retmax=\([0-9]*\).*/\1:\2/p' "$tmp/urls" | tr '\n' ' ')
if [ $rc = 0 ] && [ "$starts" = "0:8 8:2 " ]; then
	ok fetch-decimal-numbers
else
	fail fetch-decimal-numbers "exit $rc, retstart:retmax $starts (want 0:8 8:2)"
fi

# Options after the query words are options: 'sarcoma --max 100' is not a
# search for "sarcoma --max 100" (of every record).
fetch_env sh "$fetch" -n -c 300 soft tissue --max 100 >"$tmp/urls" 2>/dev/null
rc=$?
term=$(sed -n 's/.*esearch.fcgi?.*term=\([^&]*\)&.*/\1/p' "$tmp/urls")
starts=$(sed -n 's/.*efetch.fcgi?.*retstart=\([0-9]*\)&retmax=\([0-9]*\).*/\1:\2/p' "$tmp/urls" | tr '\n' ' ')
if [ $rc = 0 ] && [ "$term" = soft%20tissue ] && [ "$starts" = "0:100 " ]; then
	ok fetch-options-after-query
else
	fail fetch-options-after-query "exit $rc, term $term, retstart:retmax $starts"
fi

# The query reaches ESearch percent-encoded as UTF-8, PubMed's syntax intact:
# brackets, quotes, spaces, '#' and '&' (which would end the parameter).
fetch_env sh "$fetch" -n -c 1 'sarcoma[mh] AND "soft tissue" Sjögren #1 & β' >"$tmp/urls" 2>/dev/null
term=$(sed -n 's/.*esearch.fcgi?.*term=\([^&]*\)&.*/\1/p' "$tmp/urls")
if [ "$term" = 'sarcoma%5Bmh%5D%20AND%20%22soft%20tissue%22%20Sj%C3%B6gren%20%231%20%26%20%CE%B2' ]; then
	ok fetch-query-encoding
else
	fail fetch-query-encoding "term=$term"
fi
