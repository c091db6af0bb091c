#!/bin/sh
# ingest_bad.sh - every kind of bad input through `sarc-index --dump`: the
# tool must exit 2 and print exactly one line on stderr, which names the
# file and a line number ("sarc-index: FILE:LINE: reason"), and must never
# print the contents of a file an entity points at.
#
# Inputs: the hand-written fixtures in tests/data/xml/bad/, plus inputs
# generated here because they are binary or large (truncated and corrupt
# .gz, text fields over the 1 MiB limit, nesting 300 deep, what libxml2
# would parse in quadratic time).
. "$(dirname "$0")/lib.sh"

command -v need_bin >/dev/null 2>&1 || need_bin() {
	if [ ! -x "$SARC_BIN/sarc-index" ]; then
		fail "$1" "no executable $SARC_BIN/sarc-index (run make)"
		exit 1
	fi
}
need_bin ingest_bad

idx=$SARC_BIN/sarc-index
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM
failed=0

# check NAME FILE PATTERN: exit 2, one stderr line "sarc-index: FILE:N: ..."
# whose reason matches the extended regex PATTERN, nothing from /etc.
check() {
	"$idx" --dump "$2" >"$tmp/out" 2>"$tmp/err"
	st=$?
	lines=$(wc -l <"$tmp/err")
	msg=$(head -n 1 "$tmp/err")
	if [ $st -ne 2 ]; then
		fail "ingest_bad/$1" "exit status $st, want 2 ($msg)"
	elif [ "$lines" -ne 1 ]; then
		fail "ingest_bad/$1" "$lines lines on stderr, want 1: $(tr '\n' '|' <"$tmp/err")"
	elif ! grep -Fq "sarc-index: $2:" "$tmp/err" ||
		! grep -Eq "^sarc-index: .*:[0-9]+: " "$tmp/err"; then
		fail "ingest_bad/$1" "'$msg' does not name $2 and a line"
	elif ! grep -Eq "$3" "$tmp/err"; then
		fail "ingest_bad/$1" "'$msg' does not match /$3/"
	elif grep -q 'root:' "$tmp/out" "$tmp/err"; then
		fail "ingest_bad/$1" "output contains /etc/passwd"
	else
		ok "ingest_bad/$1"
		return 0
	fi
	failed=1
}

bad=$ROOT/tests/data/xml/bad
check malformed "$bad/malformed.xml" 'mismatch'
check not_pubmed "$bad/not_pubmed.xml" 'not PubMed XML: root element <foo>'
check bad_utf8 "$bad/bad_utf8.xml" ':3: invalid UTF-8'
check empty "$bad/empty.xml" 'empty file'
check billion_laughs "$bad/billion_laughs.xml" 'entit'
check xxe "$bad/xxe.xml" 'entit'
check xxe_param "$bad/xxe_param.xml" 'entit'
check undeclared_entity "$bad/undeclared_entity.xml" 'nbsp'
check depth_bomb "$bad/depth_bomb.xml" 'depth'
check bare_articles "$bad/bare_articles.xml" '.'
check text_dump "$bad/text_dump.xml" 'not XML'

# Relative path as given on the command line is what the message names.
if (cd "$bad" && "$idx" --dump empty.xml 2>&1 >/dev/null) | grep -q '^sarc-index: empty.xml:1: empty file$'; then
	ok ingest_bad/relative_name
else
	fail ingest_bad/relative_name "message does not name 'empty.xml'"
	failed=1
fi

# Generated inputs.
rec='<PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>Ewing sarcoma</ArticleTitle></Article></MedlineCitation></PubmedArticle>'
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<PubmedArticleSet>'
	i=0
	while [ $i -lt 3000 ]; do echo "$rec"; i=$((i + 1)); done
	echo '</PubmedArticleSet>'
} >"$tmp/good.xml"
gzip -c "$tmp/good.xml" >"$tmp/good.xml.gz"
size=$(wc -c <"$tmp/good.xml.gz")
head -c $((size / 2)) "$tmp/good.xml.gz" >"$tmp/truncated.xml.gz"
check truncated_gz "$tmp/truncated.xml.gz" 'truncated gzip'
head -c $((size - 4)) "$tmp/good.xml.gz" >"$tmp/no_trailer.xml.gz"
# Plain XML cut short, inside a record and inside a tag: the push parser
# itself would say "extra content at the end of the document".
xsize=$(wc -c <"$tmp/good.xml")
head -c $((xsize / 2)) "$tmp/good.xml" >"$tmp/truncated.xml"
check truncated_xml "$tmp/truncated.xml" ':[0-9]+: the file ends inside <[A-Za-z]+>: it is truncated$'
head -c $((xsize / 2)) "$tmp/good.xml" | gzip -c >"$tmp/truncated_inner.xml.gz"
check truncated_xml_gz "$tmp/truncated_inner.xml.gz" 'the file ends inside <[A-Za-z]+>: it is truncated$'
printf '<?xml version="1.0"?>\n<PubmedArticleSet>\n<PubmedArticle><MedlineCitation><PMID>1</PM' >"$tmp/cut_tag.xml"
check truncated_in_tag "$tmp/cut_tag.xml" ':3: the file ends inside <PMID>: it is truncated$'
check truncated_gz_trailer "$tmp/no_trailer.xml.gz" 'truncated gzip'
# A wrong CRC in the trailer: "incorrect data or length check".
{ head -c $((size - 8)) "$tmp/good.xml.gz"; printf 'XXXX'; tail -c 4 "$tmp/good.xml.gz"; } >"$tmp/bad_crc.xml.gz"
check bad_crc_gz "$tmp/bad_crc.xml.gz" 'corrupt gzip input'
# Garbage in the middle of the deflate stream: zlib or the XML parser
# notices first, depending on what the garbage inflates to.
{ head -c $((size / 2)) "$tmp/good.xml.gz"; printf 'XXXXXXXXXXXXXXXX'; tail -c +$((size / 2 + 17)) "$tmp/good.xml.gz"; } >"$tmp/corrupt.xml.gz"
check corrupt_gz "$tmp/corrupt.xml.gz" '.'
# A reserved flag bit (RFC 1952: must be refused), in the first member
# and in a second one, whose header igzip reads in the middle of a buffer.
python3 - "$tmp/good.xml.gz" "$tmp/good.xml" "$tmp" <<'PY'
import gzip, sys
gz = bytearray(open(sys.argv[1], 'rb').read())
gz[3] |= 0x20
open(sys.argv[3] + '/reserved1.xml.gz', 'wb').write(gz)
xml = open(sys.argv[2], 'rb').read()
half = len(xml) // 2
second = bytearray(gzip.compress(xml[half:]))
second[3] |= 0x80
open(sys.argv[3] + '/reserved2.xml.gz', 'wb').write(gzip.compress(xml[:half]) + second)
PY
check reserved_flag_gz "$tmp/reserved1.xml.gz" 'corrupt gzip input \(reserved header flags set\)'
check reserved_flag_gz2 "$tmp/reserved2.xml.gz" 'corrupt gzip input \(reserved header flags set\)'
gzip -c "$bad/bad_utf8.xml" >"$tmp/bad_utf8.xml.gz"
check bad_utf8_gz "$tmp/bad_utf8.xml.gz" ':3: invalid UTF-8'
: | gzip -c >"$tmp/empty.xml.gz"
check empty_gz "$tmp/empty.xml.gz" 'empty file'

# No element at all: libxml2 says "extra content at the end of the
# document", of which there is none.
printf '   \n\n\t  \n' >"$tmp/blank.xml"
check whitespace_only "$tmp/blank.xml" ':4: no root element$'
printf '<?xml version="1.0"?>\n<!-- nothing -->\n' >"$tmp/decl_only.xml"
check declaration_only "$tmp/decl_only.xml" ':3: no root element$'

# One text field of 9 MiB (over our 1 MiB limit).
awk 'BEGIN {
	print "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>"
	s = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	for (i = 0; i < 6; i++) s = s s s s   # 100 * 4^6 = 409600 bytes
	for (i = 0; i < 23; i++) printf "%s", s
	print "</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
}' >"$tmp/huge_text.xml"
check huge_text "$tmp/huge_text.xml" 'longer than|huge'

# Nesting 300 deep outside any record.
awk 'BEGIN {
	print "<PubmedArticleSet>"
	for (i = 0; i < 300; i++) printf "<x>"
	for (i = 0; i < 300; i++) printf "</x>"
	print ""; print "</PubmedArticleSet>"
}' >"$tmp/deep.xml"
check deep_nesting "$tmp/deep.xml" 'depth'

# What libxml2 2.9 parses in quadratic time: a start tag of 300 KB (30,000
# attributes; one of 3.7 MB took 23 s), ATTLIST declarations (100,000 took
# 62 s), namespace declarations piling up in scope.
awk 'BEGIN {
	print "<PubmedArticleSet>"; printf "<x"
	for (i = 0; i < 30000; i++) printf " a%d=\"\"", i
	print "/>"; print "</PubmedArticleSet>"
}' >"$tmp/attr_bomb.xml"
check attribute_bomb "$tmp/attr_bomb.xml" ':2: a tag, comment or declaration longer than 64 KiB$'
printf '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ATTLIST e a CDATA "v">]>\n<PubmedArticleSet/>\n' >"$tmp/attlist.xml"
check attlist "$tmp/attlist.xml" ':2: markup declarations are not allowed$'
awk 'BEGIN {
	print "<PubmedArticleSet>"
	for (d = 0; d < 30; d++) { printf "<x"; for (i = 0; i < 10; i++) printf " xmlns:p%d_%d=\"u\"", d, i; print ">" }
}' >"$tmp/ns_scope.xml"
check namespace_scope "$tmp/ns_scope.xml" 'more than 256 namespace declarations in scope$'

# A .gz damaged in its compressed data (one bit flipped, as a bad download
# or disk gives) is reported as such, even when the damage inflates to text
# that breaks the XML before the member's check fails at its end (about
# half of these did and said "expected '>'" or the like).
python3 - "$ROOT/corpus/demo/sarcoma-demo.xml" "$tmp" <<'PYEOF'
import gzip, random, sys
data = bytearray(gzip.compress(open(sys.argv[1], 'rb').read(), 6))
for seed in range(12):
    random.seed(seed)
    d = bytearray(data)
    i = random.randrange(len(d) // 4, len(d) * 3 // 4)
    d[i] ^= 1 << random.randrange(8)
    open('%s/dmg%02d.xml.gz' % (sys.argv[2], seed), 'wb').write(d)
PYEOF
dbad=
for f in "$tmp"/dmg*.xml.gz; do
	"$idx" --dump "$f" >/dev/null 2>"$tmp/err"
	st=$?
	[ $st = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] &&
		grep -Eq "^sarc-index: $f:[0-9]+: corrupt gzip input" "$tmp/err" ||
		dbad="$dbad [$(basename "$f"): exit $st: $(cat "$tmp/err")]"
done
if [ -z "$dbad" ]; then ok ingest_bad/damaged_gzip; else fail ingest_bad/damaged_gzip "$dbad"; failed=1; fi

# A bad file after a good one: records of the first are printed, then the
# error; still one stderr line and exit 2.
"$idx" --dump "$tmp/good.xml" "$bad/malformed.xml" >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ "$(wc -l <"$tmp/out")" -eq 3000 ]; then
	ok ingest_bad/after_good
else
	fail ingest_bad/after_good "exit $st, $(wc -l <"$tmp/err") stderr lines, $(wc -l <"$tmp/out") records"
	failed=1
fi
exit $failed
