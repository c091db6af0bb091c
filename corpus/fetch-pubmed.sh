#!/bin/sh
# fetch-pubmed.sh - download real PubMed XML for a query through NCBI
# E-utilities (ESearch with the history server, then EFetch in batches) into
# gzipped files that sarc-index reads as they are:
#
#   OUT/pubmed-SLUG-00001.xml.gz, OUT/pubmed-SLUG-00002.xml.gz, ...
#
# NCBI usage rules it follows (https://www.ncbi.nlm.nih.gov/books/NBK25497/):
# at most 3 requests per second without an API key and 10 with one, tool and
# email parameters, retries with exponential backoff on HTTP 429 and 5xx.
#
# ESearch/EFetch reach only the first 10,000 records of one search.  A query
# with more matches is split by publication date (year ranges, then single
# years, then months) and each slice is fetched on its own; its files are
# named OUT/pubmed-SLUG-FROM-TO-00001.xml.gz.
#
# Resumable: a batch is written to NAME.part and renamed when complete, and a
# batch file that already holds its batch's records is skipped (a short or
# damaged one is fetched again).  OUT/pubmed-SLUG.query notes the search and
# --batch, and a run of another one with the same file names is refused
# rather than taking those files for its own.  A resumed run repeats the
# ESearch; if PubMed gained records in between, batch boundaries move and a
# few records may land in two files (sarc-index keeps the last copy of a PMID).
#
# Plain POSIX sh plus curl, gzip, awk, sed, tr.  Run --help for the options.

set -u

EUTILS=https://eutils.ncbi.nlm.nih.gov/entrez/eutils
LIMIT=10000 # records one ESearch history can hand to EFetch
prog=fetch-pubmed

usage() {
	cat <<'EOF'
usage: fetch-pubmed.sh [options] [QUERY...]

Downloads the PubMed records matching QUERY (its words joined with spaces;
default: sarcoma) as
OUT/pubmed-SLUG-00001.xml.gz, ... through NCBI E-utilities.

  -q, --query Q      PubMed search (same syntax as the web site)
  -o, --out-dir DIR  output directory (default: pubmed-fetch)
  -b, --batch N      records per EFetch request, 1-10000 (default: 500)
  -m, --max N        stop after N records (default: all)
  -k, --api-key KEY  NCBI API key (default: $NCBI_API_KEY); allows 10
                     requests/s instead of 3.  Prefer the variable: other
                     users of the machine see a command's arguments
      --tool NAME    tool name sent to NCBI (default: sarc)
      --email ADDR   contact address sent to NCBI (default: $NCBI_EMAIL)
  -r, --retries N    attempts per request (default: 5), backoff 2, 4, 8... s
  -n, --dry-run      print the request URLs (one per line, on stdout) and
                     make no network request; WebEnv is shown as WEBENV
  -c, --count N      with --dry-run: the record count ESearch would report
  -Q, --quiet        no progress messages on stderr (warnings remain)
  -h, --help         show this help

Exit status: 0 all batches present, 2 usage error or a request that still
failed after its retries (run the same command again to resume).
EOF
}

die() { echo "$prog: $*" >&2; exit 2; }
usage_error() { echo "$prog: $* (try '$prog --help')" >&2; exit 2; }
say() { [ "$quiet" = 1 ] || echo "$prog: $*" >&2; }

# to_uint VALUE: prints VALUE without its leading zeros when it is a decimal
# number of at most 9 digits, else nothing.  The shell's arithmetic reads 010
# as octal (8) and 08 as an error, and wraps past 2^63.
to_uint() {
	case $1 in '' | *[!0-9]*) return 0 ;; esac
	set -- "$(printf '%s' "$1" | sed 's/^0*//')"
	[ "${#1}" -gt 9 ] || echo "${1:-0}"
}

# Percent-encodes $1 for a URL query (RFC 3986 unreserved characters stay).
urlencode() {
	URLENC_IN=$1 LC_ALL=C awk 'BEGIN {
		for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i
		s = ENVIRON["URLENC_IN"]; out = ""
		for (i = 1; i <= length(s); i++) {
			c = substr(s, i, 1)
			if (c ~ /[A-Za-z0-9._~-]/) out = out c
			else out = out sprintf("%%%02X", ord[c])
		}
		print out
	}'
}

# Lower-case, non-alphanumerics to "-", at most 40 characters.
slugify() {
	printf '%s' "$1" | LC_ALL=C tr '[:upper:]' '[:lower:]' | LC_ALL=C tr -c 'a-z0-9' '-' | tr -s '-' |
		sed 's/^-//; s/-$//' | cut -c1-40 | sed 's/-$//'
}

# ---------------------------------------------------------------- options

query=sarcoma
out_dir=pubmed-fetch
batch=500
max=
api_key=${NCBI_API_KEY:-}
tool=sarc
email=${NCBI_EMAIL:-}
retries=5
dry_run=0
count_sim=
quiet=0
query_set=0
words=

need_arg() { [ $# -ge 2 ] || usage_error "option '$1' needs a value"; }

while [ $# -gt 0 ]; do
	case $1 in
	-q | --query) need_arg "$@"; query=$2; query_set=1; shift ;;
	--query=*) query=${1#*=}; query_set=1 ;;
	-o | --out-dir) need_arg "$@"; out_dir=$2; shift ;;
	--out-dir=*) out_dir=${1#*=} ;;
	-b | --batch) need_arg "$@"; batch=$2; shift ;;
	--batch=*) batch=${1#*=} ;;
	-m | --max) need_arg "$@"; max=$2; shift ;;
	--max=*) max=${1#*=} ;;
	-k | --api-key) need_arg "$@"; api_key=$2; shift ;;
	--api-key=*) api_key=${1#*=} ;;
	--tool) need_arg "$@"; tool=$2; shift ;;
	--tool=*) tool=${1#*=} ;;
	--email) need_arg "$@"; email=$2; shift ;;
	--email=*) email=${1#*=} ;;
	-r | --retries) need_arg "$@"; retries=$2; shift ;;
	--retries=*) retries=${1#*=} ;;
	-n | --dry-run) dry_run=1 ;;
	-c | --count) need_arg "$@"; count_sim=$2; shift ;;
	--count=*) count_sim=${1#*=} ;;
	-Q | --quiet) quiet=1 ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	-*) usage_error "unknown option '$1'" ;;
	# Options may follow the query, as with sarc-index and sarc-query:
	# 'sarcoma --max 100' is a search for sarcoma, not for "sarcoma --max 100".
	*) words="${words:+$words }$1" ;;
	esac
	shift
done
[ $# -eq 0 ] || words="${words:+$words }$*"
if [ -n "$words" ]; then
	[ "$query_set" = 0 ] || usage_error "query given twice"
	query=$words
fi

[ -n "$query" ] || usage_error "empty query"
v=$(to_uint "$batch")
[ -n "$v" ] && [ "$v" -ge 1 ] && [ "$v" -le 10000 ] || usage_error "invalid --batch '$batch' (1-10000)"
batch=$v
if [ -n "$max" ]; then
	v=$(to_uint "$max")
	[ -n "$v" ] || usage_error "invalid --max '$max'"
	max=$v
fi
v=$(to_uint "$retries")
[ -n "$v" ] && [ "$v" -ge 1 ] || usage_error "invalid --retries '$retries'"
retries=$v
if [ -n "$count_sim" ]; then
	v=$(to_uint "$count_sim")
	[ -n "$v" ] || usage_error "invalid --count '$count_sim'"
	count_sim=$v
fi
[ -z "$count_sim" ] || [ "$dry_run" = 1 ] || usage_error "--count only makes sense with --dry-run"

slug=$(slugify "$query")
[ -n "$slug" ] || slug=query
term=$(urlencode "$query")
common="tool=$(urlencode "$tool")"
[ -z "$email" ] || common="$common&email=$(urlencode "$email")"
[ -z "$api_key" ] || common="$common&api_key=$(urlencode "$api_key")"
# The documented limits are 3 and 10 requests per second; stay just below.
if [ -n "$api_key" ]; then delay=0.11; else delay=0.34; fi

if [ "$dry_run" = 0 ]; then
	command -v curl >/dev/null 2>&1 || die "curl not found: install the Debian package curl"
	command -v gzip >/dev/null 2>&1 || die "gzip not found"
	[ -n "$email" ] || say "warning: no --email (or NCBI_EMAIL); NCBI asks for a contact address"
	mkdir -p "$out_dir" || die "cannot create '$out_dir'"
	tmp=$(mktemp) || die "cannot create a temporary file"
	trap 'rm -f "$tmp"' EXIT
	trap 'exit 2' HUP INT TERM
	# Batch files are named after the slug and their number only, and a
	# resumed run keeps those it finds: they must come from the same search
	# cut into the same batches.  Two searches can share a slug ('"soft
	# tissue"' and 'soft tissue'), so the first run notes both here.
	stamp="$out_dir/pubmed-$slug.query"
	want=$(printf 'query %s\nbatch %s' "$query" "$batch")
	if [ -f "$stamp" ]; then
		[ "$(cat "$stamp")" = "$want" ] ||
			die "'$out_dir' holds the pubmed-$slug files of another search or --batch ($stamp: $(tr '\n' ' ' <"$stamp" | sed 's/ $//')): give another --out-dir"
	else
		printf '%s\n' "$want" >"$stamp" || die "cannot write '$stamp'"
	fi
fi

# ---------------------------------------------------------------- requests

requests=0
throttle() {
	if [ "$requests" -gt 0 ]; then
		sleep "$delay" 2>/dev/null || sleep 1
	fi
	requests=$((requests + 1))
}

# shown URL: URL for a message, its api_key masked (users paste their logs).
shown() {
	printf '%s\n' "$1" | sed 's/api_key=[^&]*/api_key=.../g'
}

# get URL CHECK: downloads URL into $tmp, retrying on network errors, HTTP
# 429 and 5xx, and on a body that CHECK (a shell function) rejects.
get() {
	attempt=1
	wait_s=2
	while :; do
		throttle
		# The URL goes to curl on its standard input (-K -), not in its
		# arguments: ps shows every user a process's arguments, and the
		# URL holds the API key.
		code=$(printf 'url = "%s"\n' "$1" |
			curl -sS -L --connect-timeout 30 --max-time 900 -A "$tool (sarc fetch-pubmed.sh)" \
			-o "$tmp" -w '%{http_code}' -K -)
		rc=$?
		why=
		if [ $rc -ne 0 ]; then
			why="curl exit status $rc"
		elif [ "$code" = 200 ]; then
			if $2 "$tmp"; then return 0; fi
			why="unexpected response body"
		else
			case $code in
			429 | 5??) why="HTTP $code" ;;
			*) echo "$prog: HTTP $code for $(shown "$1")" >&2; head -c 300 "$tmp" >&2; echo >&2; return 1 ;;
			esac
		fi
		if [ "$attempt" -ge "$retries" ]; then
			echo "$prog: giving up after $attempt attempts ($why): $(shown "$1")" >&2
			return 1
		fi
		say "$why; retrying in ${wait_s}s"
		sleep "$wait_s"
		attempt=$((attempt + 1))
		[ "$wait_s" -ge 60 ] || wait_s=$((wait_s * 2))
	done
}

# Every element NAME's text in file $2, a line each, entities decoded.
xml_all() {
	tr '<' '\n' <"$2" | sed -n "s/^$1>//p" |
		sed "s/&quot;/\"/g; s/&apos;/'/g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\\&/g"
}

# The text of the first element NAME in file $2.
xml_first() { xml_all "$1" "$2" | head -n 1; }

# What PubMed made of the query in ESearch answer $1: its translation (a
# progress message), and what it could not find or ignored, as warnings
# even with --quiet: PubMed searches on without those words, which widens
# or empties a search unnoticed.
esearch_notes() {
	translation=$(xml_first QueryTranslation "$1")
	[ -z "$translation" ] || say "PubMed searched: $translation"
	for kind in PhraseNotFound FieldNotFound QuotedPhraseNotFound PhraseIgnored OutputMessage; do
		xml_all "$kind" "$1" | while IFS= read -r v; do
			[ -n "$v" ] || continue
			case $kind in
			PhraseNotFound) w="not found in PubMed, searched without it: $v" ;;
			FieldNotFound) w="no such search field, searched without it: $v" ;;
			QuotedPhraseNotFound) w="quoted phrase not found in PubMed: $v" ;;
			PhraseIgnored) w="ignored by PubMed: $v" ;;
			*) w="PubMed: $v" ;;
			esac
			echo "$prog: warning: $w" >&2
		done
	done
}

# An answer with a Count; with a WebEnv too unless Count is 0: the history
# server is not promised to keep an empty result (the date slices of a split
# search are often empty), and there is then nothing to fetch.
check_esearch() {
	grep -q '<eSearchResult' "$1" && ! grep -q '<ERROR>' "$1" &&
		[ -n "$(xml_first Count "$1")" ] &&
		{ [ "$(xml_first Count "$1")" = 0 ] || [ -n "$(xml_first WebEnv "$1")" ]; }
}

check_efetch() {
	grep -q '</PubmedArticleSet>' "$1" && ! grep -q '<ERROR>' "$1"
}

# The records in the XML on standard input.
count_records() { tr '<' '\n' | grep -c -e '^PubmedArticle>' -e '^PubmedBookArticle>'; }

# batch_done FILE N: FILE is an intact batch of N records.  A file that
# exists is not enough: a run with --max ends on a short batch, and the batch
# of that name in a later run without --max is a whole one.
batch_done() {
	[ -f "$1" ] && gzip -t "$1" 2>/dev/null && [ "$(gzip -dc "$1" | count_records)" -eq "$2" ]
}

# esearch RANGE: sets n_found, webenv, qkey.  RANGE is "" or "FROM:TO" with
# FROM and TO as YYYY or YYYY/MM (publication date).
esearch() {
	url="$EUTILS/esearch.fcgi?db=pubmed&term=$term&usehistory=y&retmax=0"
	if [ -n "$1" ]; then
		url="$url&datetype=pdat&mindate=$(urlencode "${1%%:*}")&maxdate=$(urlencode "${1#*:}")"
	fi
	url="$url&$common"
	if [ "$dry_run" = 1 ]; then
		echo "$url"
		n_found=$count_sim
		webenv=WEBENV
		qkey=1
		return 0
	fi
	get "$url" check_esearch || exit 2
	n_found=$(xml_first Count "$tmp")
	webenv=$(xml_first WebEnv "$tmp")
	qkey=$(xml_first QueryKey "$tmp")
}

fetched=0
# fetch_all PREFIX: EFetches the n_found records of the last esearch.
fetch_all() {
	total=$n_found
	if [ -n "$max" ] && [ $((fetched + total)) -gt "$max" ]; then total=$((max - fetched)); fi
	[ "$total" -le "$LIMIT" ] || total=$LIMIT
	start=0
	i=1
	while [ "$start" -lt "$total" ]; do
		n=$batch
		[ $((start + n)) -le "$total" ] || n=$((total - start))
		file=$(printf '%s/%s-%05d.xml.gz' "$out_dir" "$1" "$i")
		url="$EUTILS/efetch.fcgi?db=pubmed&query_key=$qkey&WebEnv=$(urlencode "$webenv")&retstart=$start&retmax=$n&retmode=xml&$common"
		if [ "$dry_run" = 1 ]; then
			echo "$url"
		elif batch_done "$file" "$n"; then
			say "$file exists, skipped"
		else
			[ ! -f "$file" ] || say "$file does not hold the $n records of this batch: fetching it again"
			get "$url" check_efetch || exit 2
			got=$(count_records <"$tmp")
			[ "$got" -eq "$n" ] || say "warning: $file: $got records instead of $n (records deleted since the search?)"
			gzip -c "$tmp" >"$file.part" && mv "$file.part" "$file" || die "cannot write '$file'"
			say "$file: $got records (retstart $start)"
		fi
		start=$((start + n))
		i=$((i + 1))
	done
	fetched=$((fetched + total))
}

# ---------------------------------------------------------------- main

esearch ""
[ "$dry_run" = 1 ] || esearch_notes "$tmp"
if [ -z "$n_found" ]; then # dry run without --count
	say "dry run: the record count is unknown; give --count N to list the EFetch requests"
	exit 0
fi
say "'$query': $n_found records"
if [ "$n_found" -le "$LIMIT" ] || { [ -n "$max" ] && [ "$max" -le "$LIMIT" ]; }; then
	fetch_all "pubmed-$slug"
	exit 0
fi
if [ "$dry_run" = 1 ]; then
	say "dry run: $n_found > $LIMIT records: a real run splits the search by publication date, and each slice's count comes from its own ESearch"
	exit 0
fi

# Split by publication date: a work list of ranges, narrowed until each slice
# holds at most LIMIT records.
this_year=$(date +%Y)
ranges="1700:$((this_year + 1))"
while [ -n "$ranges" ]; do
	[ -z "$max" ] || [ "$fetched" -lt "$max" ] || break
	r=${ranges%% *}
	case $ranges in *' '*) ranges=${ranges#* } ;; *) ranges= ;; esac
	esearch "$r"
	from=${r%%:*}
	to=${r#*:}
	if [ "$n_found" -eq 0 ]; then
		continue
	elif [ "$n_found" -le "$LIMIT" ]; then
		if [ "$from" = "$to" ]; then name=$from; else name=$from-$to; fi
		say "$r: $n_found records"
		fetch_all "pubmed-$slug-$(echo "$name" | tr '/' '.')"
	elif [ "$from" != "$to" ] && [ "${#from}" = 4 ]; then
		mid=$(((from + to) / 2))
		ranges=$(echo "$from:$mid $((mid + 1)):$to $ranges" | sed 's/ *$//')
	elif [ "${#from}" = 4 ]; then
		months="$from/01:$from/01"
		for m in 02 03 04 05 06 07 08 09 10 11 12; do months="$months $from/$m:$from/$m"; done
		ranges=$(echo "$months $ranges" | sed 's/ *$//')
	else
		say "warning: $r has $n_found records; only the first $LIMIT are fetched"
		fetch_all "pubmed-$slug-$(echo "$from" | tr '/' '.')"
	fi
done
say "done: $fetched records in '$out_dir'"
exit 0
