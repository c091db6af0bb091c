#!/bin/sh
# ingest_real.sh - `sarc-index --dump` over the real PubMed files in the
# shared corpus, checked against parsers that share no code with ours.
#
#   counts        for every file, the multiset of record PMIDs (and of
#                 DeleteCitation PMIDs) equals what `xmllint --xpath` finds at
#                 the record paths; so the count of records matches too, and
#                 PMIDs from CommentsCorrections or references never sneak in
#   titles_years  for every record, title, year, abstract (labels included),
#                 MeSH headings (UI, name, major flag, qualifiers) and
#                 keywords equal those computed by
#                 python3's xml.etree (expat) with the rules of pubmed.h
#   stdin         "-" reads a .gz from standard input like the file itself
#   broken        each file in broken/ fails: exit 2, one stderr line
#                 "sarc-index: FILE:LINE: reason"
#   wrapped       files whose root is not PubMed's are refused the same way
#                 (the reader accepts only PubmedArticleSet, MedlineCitationSet
#                 and PubmedBookArticleSet roots)
#
# The corpus is $SARC_CORPUS, by default ../shared/corpus beside the
# repository; without it every check is skipped.  Files are only read.
. "$(dirname "$0")/lib.sh"

command -v need_bin >/dev/null 2>&1 || need_bin() {
	if [ ! -x "$SARC_BIN/sarc-index" ]; then
		fail "$1" "no executable $SARC_BIN/sarc-index (run make)"
		exit 1
	fi
}
need_bin ingest_real

corpus=${SARC_CORPUS:-$(dirname "$ROOT")/shared/corpus}
if [ ! -d "$corpus" ]; then
	skip ingest_real "no corpus at $corpus"
	exit 0
fi
idx=$SARC_BIN/sarc-index
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM
failed=0
bad() { fail "$1" "$2"; failed=1; }

find "$corpus" -type f \( -name '*.xml' -o -name '*.xml.gz' \) \
	! -path '*/broken/*' ! -path '*/wrapped/*' | sort >"$tmp/files"
if [ ! -s "$tmp/files" ]; then
	skip ingest_real "no .xml or .xml.gz files under $corpus"
	exit 0
fi

# --- counts ---------------------------------------------------------------
have_xmllint=0
command -v xmllint >/dev/null 2>&1 && have_xmllint=1
# the three record kinds under any of the three roots (pubmed.h)
ROOT='/*[self::PubmedArticleSet or self::PubmedBookArticleSet or self::MedlineCitationSet]'
RECS="$ROOT/PubmedArticle/MedlineCitation/PMID/text()
 | $ROOT/PubmedBookArticle/BookDocument/PMID/text()
 | $ROOT/MedlineCitation/PMID/text()"
DELS="$ROOT/DeleteCitation/PMID/text()"

nfiles=0 nrecs=0 n=0
: >"$tmp/manifest"
while IFS= read -r f; do
	n=$((n + 1))
	out=$tmp/dump.$n.json
	"$idx" --dump "$f" >"$out" 2>"$tmp/err"
	st=$?
	if [ $st -ne 0 ]; then
		bad "ingest_real/dump $f" "exit status $st: $(head -n 1 "$tmp/err")"
		continue
	fi
	printf '%s\t%s\n' "$f" "$out" >>"$tmp/manifest"
	nfiles=$((nfiles + 1))
	grep -o '^{"pmid":[0-9]*' "$out" | sed 's/.*://' | sort >"$tmp/ours"
	nrecs=$((nrecs + $(wc -l <"$tmp/ours")))
	[ $have_xmllint = 1 ] || continue
	case $f in
	*.gz) gunzip -c "$f" >"$tmp/plain.xml" && plain=$tmp/plain.xml ;;
	*) plain=$f ;;
	esac
	xmllint --nonet --xpath "$RECS" "$plain" 2>/dev/null | tr -d ' \t\r' | grep . | sort >"$tmp/ref"
	if ! cmp -s "$tmp/ours" "$tmp/ref"; then
		bad "ingest_real/counts $f" "$(wc -l <"$tmp/ours") records, xmllint finds $(wc -l <"$tmp/ref"); first difference: $(diff "$tmp/ours" "$tmp/ref" | grep '^[<>]' | head -n 1)"
	fi
	grep '^{"delete":' "$out" | tr -c '0-9\n' ' ' | tr ' ' '\n' | grep . | sort >"$tmp/ours_del"
	xmllint --nonet --xpath "$DELS" "$plain" 2>/dev/null | tr -d ' \t\r' | grep . | sort >"$tmp/ref_del"
	if ! cmp -s "$tmp/ours_del" "$tmp/ref_del"; then
		bad "ingest_real/deletes $f" "$(wc -l <"$tmp/ours_del") deleted PMIDs, xmllint finds $(wc -l <"$tmp/ref_del")"
	fi
done <"$tmp/files"
if [ $have_xmllint = 1 ]; then
	[ $failed = 0 ] && ok "ingest_real/counts ($nfiles files, $nrecs records match xmllint)"
else
	skip ingest_real/counts "xmllint not installed (Debian package libxml2-utils)"
fi

# --- titles and years, against python3's expat -----------------------------
if command -v python3 >/dev/null 2>&1; then
	python3 - "$tmp/manifest" <<'EOF' || failed=1
import gzip, json, re, sys
import xml.etree.ElementTree as ET

SPACES = re.compile('[ \t\n\r\u00a0\u2000-\u200a\u202f\u205f\u3000]+')
BLOCK = {'DispFormula', 'p', 'br'}

def local(tag):
    return tag.rsplit('}', 1)[-1]

def flat(e):
    """Text of e with inline markup joined and block markup spaced, and
    the whitespace between MathML elements dropped (pubmed.h)."""
    if e is None:
        return ''
    parts = []
    def keep(s, math):
        return '' if math and not (s or '').strip(' \t\n\r') else (s or '')
    def walk(x, top, math):
        block = not top and local(x.tag) in BLOCK
        inner = math or local(x.tag) == 'math'
        if block: parts.append(' ')
        parts.append(keep(x.text, inner))
        for c in x:
            walk(c, False, inner)
            parts.append(keep(c.tail, inner))
        if block: parts.append(' ')
    walk(e, True, False)
    return SPACES.sub(' ', ''.join(parts)).strip(' ')

def year4(s):
    for m in re.finditer('[0-9]+', s or ''):
        if len(m.group()) == 4 and int(m.group()) > 0:
            return int(m.group())
    return None

def expect(node, book):
    doc = node.find('BookDocument') if book else (
        node if node.tag == 'MedlineCitation' else node.find('MedlineCitation'))
    if book:
        title = flat(doc.find('ArticleTitle')) or flat(doc.find('Book/BookTitle'))
        years = [doc.find('Book/PubDate/Year'), doc.find('Book/PubDate/MedlineDate')]
    else:
        art = doc.find('Article')
        if art is None:
            art = ET.Element('Article')
        title = flat(art.find('ArticleTitle')) or flat(art.find('VernacularTitle'))
        years = [art.find('Journal/JournalIssue/PubDate/Year'),
                 art.find('Journal/JournalIssue/PubDate/MedlineDate'),
                 art.find('ArticleDate/Year')]
    year = next((year4(flat(y)) for y in years if y is not None and year4(flat(y))), None)
    pmid = flat(doc.find('PMID'))
    mesh = []
    for h in doc.findall('MeshHeadingList/MeshHeading'):
        d = h.find('DescriptorName')
        if d is None or not flat(d):
            continue
        quals = [q for q in h.findall('QualifierName')]
        major = d.get('MajorTopicYN') == 'Y' or any(q.get('MajorTopicYN') == 'Y' for q in quals)
        mesh.append({'ui': d.get('UI', ''), 'name': flat(d), 'major': major,
                     'qualifiers': [flat(q) for q in quals if flat(q)]})
    kws = [flat(k) for k in doc.findall('KeywordList/Keyword') if flat(k)]
    parts = []
    art = doc if book else doc.find('Article')
    for path in ('Abstract/AbstractText', 'OtherAbstract/AbstractText'):
        for at in (art.findall(path) if art is not None else []) + \
                  (doc.findall(path) if path.startswith('Other') and not book else []):
            text = flat(at)
            label = SPACES.sub(' ', at.get('Label', '')).strip(' ')
            if not text and not label:
                continue
            parts.append((label + (': ' if text else ':') if label else '') + text)
    return pmid, title, year, mesh, kws, '\n'.join(parts)

bad = nrec = nfile = nmesh = 0
for line in open(sys.argv[1], encoding='utf-8'):
    path, dump = line.rstrip('\n').split('\t')
    raw = (gzip.open if path.endswith('.gz') else open)(path, 'rb').read()
    root = ET.fromstring(raw)
    want = []
    for ch in root:
        if ch.tag in ('MedlineCitation', 'PubmedArticle', 'PubmedBookArticle'):
            want.append(expect(ch, ch.tag == 'PubmedBookArticle'))
    got = [json.loads(l) for l in open(dump, encoding='utf-8') if l.startswith('{"pmid"')]
    nfile += 1
    if len(got) != len(want):
        print('not ok ingest_real/titles_years %s: %d records, expat finds %d' % (path, len(got), len(want)))
        bad += 1
        continue
    for g, (pmid, title, year, mesh, kws, abstract) in zip(got, want):
        nrec += 1
        nmesh += len(mesh)
        if str(g['pmid']) != pmid or g['title'] != title or g['year'] != year:
            bad += 1
            if bad <= 20:
                print('not ok ingest_real/titles_years %s: pmid %s: got (%r, %r), expat (%r, %r)'
                      % (path, pmid, g['title'][:80], g['year'], title[:80], year))
        elif g['abstract'] != abstract:
            bad += 1
            if bad <= 20:
                print('not ok ingest_real/titles_years %s: pmid %s: abstract got %r, expat %r'
                      % (path, pmid, g['abstract'][:300], abstract[:300]))
        elif g.get('mesh', []) != mesh or g.get('keywords', []) != kws:
            bad += 1
            if bad <= 20:
                print('not ok ingest_real/titles_years %s: pmid %s: MeSH/keywords got %r %r, expat %r %r'
                      % (path, pmid, g.get('mesh'), g.get('keywords'), mesh, kws))
if bad == 0:
    print('ok ingest_real/titles_years (%d records in %d files, with their abstracts, %d MeSH'
          ' headings and keywords, match expat)' % (nrec, nfile, nmesh))
sys.exit(1 if bad else 0)
EOF
else
	skip ingest_real/titles_years "python3 not installed"
fi

# --- standard input ---------------------------------------------------------
gz=$(grep '\.gz$' "$tmp/files" | head -n 1)
if [ -n "$gz" ]; then
	"$idx" --dump "$gz" >"$tmp/a.json" 2>/dev/null
	"$idx" --dump - <"$gz" >"$tmp/b.json" 2>/dev/null
	if [ -s "$tmp/a.json" ] && cmp -s "$tmp/a.json" "$tmp/b.json"; then
		ok "ingest_real/stdin"
	else
		bad "ingest_real/stdin" "'--dump - < $gz' differs from '--dump $gz'"
	fi
fi

# --- files that must be refused -------------------------------------------
refuse() { # name, file, extra pattern the message must contain (or "")
	"$idx" --dump "$2" >/dev/null 2>"$tmp/err"
	st=$?
	lines=$(wc -l <"$tmp/err")
	if [ $st -ne 2 ]; then
		bad "$1 $2" "exit status $st, want 2"
	elif [ "$lines" -ne 1 ]; then
		bad "$1 $2" "$lines lines on stderr, want 1"
	elif ! grep -F "sarc-index: $2:" "$tmp/err" | grep -Eq "^sarc-index: .*:[0-9]+: .*$3"; then
		bad "$1 $2" "message '$(cat "$tmp/err")' lacks file:line or /$3/"
	else
		ok "$1 $(basename "$2"): $(sed 's/^sarc-index: .*:\([0-9]*\): /line \1: /' "$tmp/err")"
	fi
}
for f in "$corpus"/broken/*; do
	[ -f "$f" ] && refuse ingest_real/broken "$f" ""
done
for f in "$corpus"/wrapped/*; do
	[ -f "$f" ] && refuse ingest_real/wrapped "$f" "not PubMed XML: root element"
done
exit $failed
