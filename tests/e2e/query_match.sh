#!/bin/sh
# query_match.sh - what a query matches, against references computed here
# from the demo corpus's XML with Python's own parser and regular
# expressions, not with sarc's analyzer: quoted compounds (the compound
# exactly: joined or its parts in a row), prefixes of words whose stems
# end early or spell otherwise ("patients*", "ewing*"), prefixes inside
# NEAR, PubMed's author form ("sjogren im[au]"), language names
# ("english[la]"), prefixes matching more words than are searched (a
# note on stderr), and --similar for a record that shares no word.
. "$(dirname "$0")/lib.sh"

IDX=$SARC_BIN/sarc-index
Q=$SARC_BIN/sarc-query
demo=$ROOT/corpus/demo/sarcoma-demo.xml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v python3 >/dev/null 2>&1; then
	skip query_match "python3 not installed"
	exit 0
fi
"$IDX" -q -o "$tmp/idx" "$demo" || { fail query_match "cannot index the demo"; exit 0; }

# ref.py KIND ARG: the sorted PMIDs of the demo records that match, one
# per line.  Text fields are title, abstract, MeSH headings and keywords,
# each value apart (a phrase never spans two).
cat >"$tmp/ref.py" <<'EOF'
import re, sys, xml.etree.ElementTree as ET
kind, arg = sys.argv[1], sys.argv[2]
root = ET.parse(sys.argv[3]).getroot()
def text(e):
    return ''.join(e.itertext()) if e is not None else ''
out = []
for a in root:
    pmid = a.findtext('.//PMID')
    vals = [text(a.find('.//ArticleTitle')),
            ' '.join(text(x) for x in a.findall('.//AbstractText'))]
    vals += [text(x) for x in a.findall('.//MeshHeading/*')]
    vals += [text(x) for x in a.findall('.//Keyword')]
    words = [w.lower() for v in vals for w in re.findall(r"[A-Za-z0-9]+", v)]
    if kind == 'regex':        # arg: a pattern, searched value by value
        hit = any(re.search(arg, v, re.I) for v in vals)
    elif kind == 'word':       # arg: the exact word
        hit = arg in words
    elif kind == 'prefix':     # arg: what a word starts with
        hit = any(w.startswith(arg) for w in words)
    elif kind == 'author':     # arg: "last initials"
        last, ini = arg.split()
        hit = False
        for au in a.iter('Author'):
            names = [(au.findtext('ForeName') or '').lower().split(), [(au.findtext('Initials') or '').lower()]]
            if (au.findtext('LastName') or '').lower() == last and \
               any(w.startswith(ini) for ws in names for w in ws):
                hit = True
    elif kind == 'lang':
        hit = any((x.text or '') == arg for x in a.iter('Language'))
    if hit:
        out.append(int(pmid))
for p in sorted(out):
    print(p)
EOF
ref() { python3 "$tmp/ref.py" "$1" "$2" "$demo"; }
got() { "$Q" -i "$tmp/idx" --ids -k 100000 "$@" | sort -n; }

# same NAME QUERY KIND ARG [options]: the query finds exactly the reference
same() {
	name=$1 q=$2 kind=$3 arg=$4
	shift 4
	ref "$kind" "$arg" >"$tmp/want"
	got "$@" "$q" >"$tmp/got"
	if [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/got"; then
		ok "query_match/$name ($(wc -l <"$tmp/want") records)"
	else
		fail "query_match/$name" "'$q': want $(tr '\n' ' ' <"$tmp/want"), got $(tr '\n' ' ' <"$tmp/got")"
	fi
}

# superset NAME QUERY KIND ARG: the query finds at least the reference
# (stemming may find more: "patients*" finds "patient" too)
superset() {
	ref "$3" "$4" >"$tmp/want"
	got "$2" >"$tmp/got"
	if [ -s "$tmp/want" ] && [ -z "$(comm -23 "$tmp/want" "$tmp/got")" ]; then
		ok "query_match/$1 ($(wc -l <"$tmp/want") of $(wc -l <"$tmp/got") records)"
	else
		fail "query_match/$1" "'$2' misses $(comm -23 "$tmp/want" "$tmp/got" | tr '\n' ' ')"
	fi
}

# A quoted compound is that compound: joined, or its parts in a row.
same quoted_compound '"non-metastatic"' regex '\bnon[-\s]?metastatic\b'
same quoted_greek '"TNF-α"' regex '\bTNF[-\s]?(α|alpha)'
same quoted_short_part '"c-KIT"' regex '\bc[-\s]?kit\b'
same quoted_fusion '"EWS-FLI1"' regex '\bEWS[-\s/:]*FLI1\b'

# A prefix finds the words that start with it, whatever their stems.
superset prefix_ewing 'ewing*' prefix ewing
superset prefix_patients 'patients*' prefix patients
superset prefix_chemotherapy 'chemotherapy*' prefix chemotherapy
superset prefix_sarcom 'sarcom*' prefix sarcom

# A prefix inside NEAR finds at least what one of its words finds there.
got 'sarcoma NEAR/3 bone' >"$tmp/a"
got 'sarcom* NEAR/3 bone' >"$tmp/b"
if [ -s "$tmp/a" ] && [ -z "$(comm -23 "$tmp/a" "$tmp/b")" ]; then
	ok "query_match/prefix_in_near ($(wc -l <"$tmp/b") records)"
else
	fail query_match/prefix_in_near "sarcom* NEAR/3 bone: $(tr '\n' ' ' <"$tmp/b"); sarcoma NEAR/3 bone: $(tr '\n' ' ' <"$tmp/a")"
fi

# PubMed's author form: last name, then initials or their start.
last=$(python3 -c '
import sys, xml.etree.ElementTree as ET
from collections import Counter
c = Counter((a.findtext("LastName").lower(), a.findtext("Initials").lower())
            for a in ET.parse(sys.argv[1]).getroot().iter("Author")
            if a.findtext("LastName") and a.findtext("Initials"))
(l, i), n = c.most_common(1)[0]
print(l, i)' "$demo")
set -- $last
same author_initials "$1 $2[au]" author "$1 $2" --syntax pubmed
ini1=$(echo "$2" | cut -c1)
same author_first_initial "$1 $ini1[au]" author "$1 $ini1" --syntax pubmed

# Language names as PubMed spells them.
same language_name 'english[la]' lang eng --syntax pubmed
same language_tag 'english[lang]' lang eng --syntax pubmed

# A prefix that matches more words than are searched says so on stderr,
# and the most frequent are the ones kept.
python3 - "$tmp/many.xml" <<'EOF'
import sys
words = ' '.join('zzqa%04dx' % i for i in range(1500))
recs = ['<PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>t</ArticleTitle>'
        '<Abstract><AbstractText>%s</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle>' % words]
for p in range(2, 6):  # zzqa0007x in four more records: among the most frequent
    recs.append('<PubmedArticle><MedlineCitation><PMID>%d</PMID><Article><ArticleTitle>zzqa0007x</ArticleTitle>'
                '</Article></MedlineCitation></PubmedArticle>' % p)
open(sys.argv[1], 'w').write('<PubmedArticleSet>%s</PubmedArticleSet>\n' % ''.join(recs))
EOF
"$IDX" -q -o "$tmp/many" "$tmp/many.xml"
n=$("$Q" -i "$tmp/many" --count 'title:zzqa*' 2>"$tmp/err1")
"$Q" -i "$tmp/many" --count 'abstract:zzqa*' >"$tmp/out2" 2>"$tmp/err2"
if [ "$n" = 4 ] && [ ! -s "$tmp/err1" ] && [ "$(cat "$tmp/out2")" = 1 ] &&
	grep -q "^sarc-query: note: 'zzqa\*' matches 1500 words in abstract: the 1024 most frequent are searched$" "$tmp/err2"; then
	ok query_match/prefix_cap_note
else
	fail query_match/prefix_cap_note "title: $n ($(cat "$tmp/err1")); abstract: $(cat "$tmp/out2") ($(cat "$tmp/err2"))"
fi

# --similar for a record that shares no word with another: no hits, exit 1.
printf '%s\n' '<PubmedArticleSet>' \
	'<PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>Chordoma</ArticleTitle></Article></MedlineCitation></PubmedArticle>' \
	'<PubmedArticle><MedlineCitation><PMID>2</PMID><Article><ArticleTitle>Desmoid</ArticleTitle></Article></MedlineCitation></PubmedArticle>' \
	'</PubmedArticleSet>' >"$tmp/iso.xml"
"$IDX" -q -o "$tmp/iso" "$tmp/iso.xml"
"$Q" -i "$tmp/iso" --ids --similar 1 >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st = 1 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ]; then
	ok query_match/similar_nothing_shared
else
	fail query_match/similar_nothing_shared "exit $st: $(cat "$tmp/out" "$tmp/err")"
fi

# --- edges of matching, each against what docs/QUERY.md says, on records
# made for it: NEAR/n allows fewer than n words between its operands and
# PubMed's ~k at most k; a group of words and exclusions matches nothing in
# a segment where none of its words occurs (it once matched every record
# there but the excluded ones); a range open below leaves out records with
# no year; a phrase or NEAR finds its match after thousands of positions
# of the same word (it once looked at the first 4096 and 1024); a compound
# in a longer phrase matches either spelling (it once matched only the
# hyphenated one); a required group that is an AND stays required (it
# once matched like the group's words unmarked); a title with "(LH)-releasing"
# or "(A-a)O2", pasted, finds its record (the ')-' once excluded the word
# after it, and "(A-a)" was a group of other terms than the text's); an
# author whose name or initials are stopwords ("An", "To", "A", "BY") is
# found (such names were dropped from the index and the query); so is a
# last name with a hyphen or apostrophe, or ending in a short word, before
# initials ("Maheu-Giroux M", "O'Brien MJ", "Dei Tos AP": they matched
# nothing), and an author phrase or a quoted compound is a NEAR operand. ---
python3 - "$tmp" <<'PYEOF'
import sys
out = sys.argv[1]
def rec(p, title, abstract='', year=None, authors=()):
    date = '<PubDate><Year>%d</Year></PubDate>' % year if year else '<PubDate></PubDate>'
    ab = '<Abstract><AbstractText>%s</AbstractText></Abstract>' % abstract if abstract else ''
    if authors:  # (last, fore, initials)
        ab += '<AuthorList>%s</AuthorList>' % ''.join(
            '<Author><LastName>%s</LastName>%s<Initials>%s</Initials></Author>'
            % (l, '<ForeName>%s</ForeName>' % f if f else '', i) for l, f, i in authors)
    return ('<PubmedArticle><MedlineCitation><PMID Version="1">%d</PMID><Article><Journal><JournalIssue>'
            '%s</JournalIssue><Title>J</Title></Journal><ArticleTitle>%s</ArticleTitle>%s</Article>'
            '</MedlineCitation></PubmedArticle>\n' % (p, date, title, ab))
def put(name, recs):
    with open('%s/%s' % (out, name), 'w') as fh:
        fh.write('<?xml version="1.0"?>\n<PubmedArticleSet>\n' + ''.join(recs) + '</PubmedArticleSet>\n')
put('edge1.xml', [rec(100 + i, 'alphaword ' + 'cell ' * i + 'omegaword', year=2001) for i in range(6)] +
    [rec(200, 'yeartest'), rec(201, 'yeartest', year=1990), rec(202, 'yeartest', year=2020),
     rec(300, 'longphrase', 'alpha ' * 5000 + 'alpha omegaphrase', 2001),
     rec(301, 'longnear', 'betaword ' * 1500 + 'filler gammaword', 2001),
     rec(8001, 'Leiomyosarcoma of the uterus', year=2001),
     rec(400, 'nonmetastatic tumour', year=2001), rec(401, 'non-metastatic tumour', year=2001),
     rec(402, 'metastatic tumour', year=2001), rec(403, 'stateoftheart tumour assay', year=2001),
     rec(404, 'dropin centre', year=2001), rec(405, 'drop-in centre', year=2001),
     rec(406, 'non-metastatic tumour growth', year=2001),
     rec(500, 'cancer breast mice', year=2001), rec(501, 'cancer breast', year=2001),
     rec(502, 'cancer mice', year=2015), rec(503, 'breast mice', year=2015),
     rec(504, 'breast', year=2015),
     rec(600, 'Neuropeptide-Y enhances luteinizing hormone (LH)-releasing hormone-induced LH release',
         year=2001),
     rec(601, 'The alveolar-arterial (A-a)O2 gradient at rest', year=2001),
     rec(602, 'releasing factor', year=2001),
     rec(700, 'authors', year=2001, authors=[('Mukerji', '', 'A')]),
     rec(701, 'authors', year=2001, authors=[('An', 'Jae-Hyun', 'JH'), ('Nguyen', 'An', 'A'),
                                             ('To', 'Kenneth', 'K'), ('Tran', '', 'A')]),
     rec(702, 'authors', year=2001, authors=[('Hovnanian', 'A', 'A'), ('Miller', 'Brian E', 'BE'),
                                             ('Yeap', 'Beow Y', 'BY'), ('Ruby', 'Jeannine A', 'JA')]),
     rec(703, 'authors', year=2001, authors=[('Anderson', 'Nora', 'N'), ('Tosh', 'Kenneth', 'K')]),
     rec(704, 'authors', year=2001, authors=[('Maheu-Giroux', 'Mathieu', 'M'),
                                             ("O'Brien", 'Michael J', 'MJ')]),
     rec(705, 'authors', year=2001, authors=[('Dei Tos', 'Angelo Paolo', 'AP'),
                                             ('Hui Ong', 'Eugene Liat', 'EL')]),
     rec(706, 'authors', year=2001, authors=[('Giroux', 'Maheu', 'M'), ('Brien', 'O', 'MJ'),
                                             ('Tos', 'Dei', 'AP'), ('Ong', 'Hui', 'E')]),
     rec(800, 'EWS-FLI1 fusion assay', year=2001), rec(801, 'EWS FLI1 transcript fusion', year=2001),
     rec(802, 'EWS fusion with FLI1', year=2001)])
put('edge2.xml', [rec(8002, 'Osteosarcoma in children', year=2001), rec(8003, 'Ewing sarcoma', year=2001)])
PYEOF
"$IDX" -q -o "$tmp/edge" "$tmp/edge1.xml" && "$IDX" -q -o "$tmp/edge" "$tmp/edge2.xml" ||
	fail query_match/edges "cannot index"
ebad=
edge() { # WANT QUERY [OPTIONS]: WANT the PMIDs, space-separated, in order
	ewant=$1
	shift
	egot=$("$Q" -i "$tmp/edge" --ids -k 100 "$@" 2>&1 | sort -n | tr '\n' ' ' | sed 's/ $//')
	[ "$egot" = "$ewant" ] || ebad="$ebad [$*: want '$ewant', got '$egot']"
}
edge "100" "alphaword NEAR/1 omegaword"
edge "100 101" "alphaword NEAR/2 omegaword"
edge "100 101 102 103" "alphaword NEAR/4 omegaword"
edge "100" --syntax pubmed '"alphaword omegaword"[tiab:~0]'
edge "100 101 102" --syntax pubmed '"alphaword omegaword"[tiab:~2]'
edge "8001" "leiomyosarcoma -children"
edge "" "zzzznotaword -sarcoma"
edge "201" "yeartest year:..2010"
edge "201" --syntax pubmed 'yeartest AND 0000:2010[dp]'
edge "202" "yeartest year:2010.."
edge "200 201 202" "yeartest"
edge "300" '"alpha omegaphrase"'
edge "301" "betaword NEAR/2 gammaword"
edge "400 401 406" '"non-metastatic tumour"'
edge "403" '"state-of-the-art tumour"'
edge "404 405" '"drop-in centre"'
edge "406" '"non-metastatic tumour" NEAR/2 growth'
edge "500 503" "cancer +(breast AND mice)"
edge "503 504" "cancer +(breast year:2015)"
edge "501 502" "cancer -(breast AND mice)"
edge "500 503" --syntax pubmed "mice AND (cancer OR +(breast AND mice))"
edge "600" --all 'Neuropeptide-Y enhances luteinizing hormone (LH)-releasing hormone-induced LH release'
edge "600 602" '(LH)-releasing'
edge "601" --all '(A-a)O2 gradient'
edge "601" '(lh OR gradient) -releasing'
edge "700" 'author:"mukerji a"'
edge "701" 'author:"an jh"'
edge "701" --syntax pubmed 'an jh[au]'
edge "701" 'author:"nguyen an"'
edge "701" 'author:"to k"'
edge "701" 'author:"tran a"'
edge "701" 'author:an'
edge "702" 'author:"Hovnanian A"'
edge "702" 'author:"Ruby Jeannine A"'
edge "702" 'author:"Miller BE"'
edge "702" --syntax pubmed 'Yeap BY[au]'
edge "704" 'author:"Maheu-Giroux M"'
edge "704" --syntax pubmed 'Maheu-Giroux M[au]'
edge "704" "author:\"O'Brien MJ\""
edge "705" 'author:"Dei Tos AP"'
edge "705" --syntax pubmed 'Dei Tos AP[au]'
edge "705" 'author:"Hui Ong E"'
edge "705" 'author:"Hui Ong EL"'
edge "705" 'author:("hui ong" NEAR/3 eugene)'
edge "800 801" '"EWS-FLI1" NEAR/3 fusion'
[ "$("$Q" -i "$tmp/edge" --count "leiomyosarcoma -children")" = 1 ] ||
	ebad="$ebad [--count leiomyosarcoma -children: $("$Q" -i "$tmp/edge" --count "leiomyosarcoma -children")]"
# --references of a PMID not in the index is the same error with a query
# or --count as without (it once gave "0 results" there)
for eargs in "" "sarcoma" "--count"; do
	# shellcheck disable=SC2086 # the arguments are words
	"$Q" -i "$tmp/edge" --references 999 $eargs >"$tmp/out" 2>"$tmp/err"
	est=$?
	[ $est = 2 ] && [ "$(cat "$tmp/err")" = "sarc-query: PMID 999 is not in the index" ] ||
		ebad="$ebad [--references 999 $eargs: exit $est, $(cat "$tmp/out" "$tmp/err")]"
done
[ -z "$ebad" ] && ok query_match/edges || fail query_match/edges "$ebad"
