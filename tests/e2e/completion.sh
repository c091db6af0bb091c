#!/bin/sh
# completion.sh - man/sarc.bash, the bash completion, run in a non-interactive
# bash: it offers every option --help lists and no other, the values the
# option parsers accept, and directory and file names whole, spaces
# included.  Each check runs with bash-completion's _init_completion when
# that package is installed, and with the file's own fallback always.
. "$(dirname "$0")/lib.sh"

if ! command -v bash >/dev/null 2>&1; then
	skip completion "no bash"
	exit 0
fi
if [ ! -x "$SARC_BIN/sarc-query" ] || [ ! -x "$SARC_BIN/sarc-index" ]; then
	skip completion "no $SARC_BIN/sarc-query (build first)"
	exit 0
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

# A driver: splits LINE into words as readline does (blanks, and '=' as a
# word of its own), sets COMP_* as for completion at its end, calls the
# function registered for the command and prints COMPREPLY one per line.
cat >"$tmp/complete.bash" <<'EOF'
[ "$1" = with-bash-completion ] && . /usr/share/bash-completion/bash_completion
. "$2"
COMP_LINE=$3
COMP_POINT=${#COMP_LINE}
COMP_WORDS=()
for w in $COMP_LINE; do
	while [[ $w == *=* ]]; do
		[[ -n ${w%%=*} ]] && COMP_WORDS+=("${w%%=*}")
		COMP_WORDS+=("=")
		w=${w#*=}
	done
	[[ -n $w ]] && COMP_WORDS+=("$w")
done
[[ $COMP_LINE == *' ' ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
spec=$(complete -p "${COMP_WORDS[0]}") || exit 3
fn=${spec##*-F }
fn=${fn%% *}
"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
[ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}"
EOF

modes=plain
[ -f /usr/share/bash-completion/bash_completion ] && modes="plain with-bash-completion"

# comp MODE LINE: the candidates, sorted, on one line.
comp() { (cd "$tmp/w" && bash "$tmp/complete.bash" "$1" "$ROOT/man/sarc.bash" "$2") | sort | tr '\n' ' ' | sed 's/ $//'; }

# The values a parser accepts: the words of query/main.c's table NAME.
values() { sed -n "s/.*static const char \*const $1\[\] = {\(.*\)};.*/\1/p" "$ROOT/query/main.c" | tr -d '"' | tr ',' '\n' | tr -d ' ' | sort | tr '\n' ' ' | sed 's/ $//'; }

mkdir -p "$tmp/w/my dir/sub" "$tmp/w/idx"
: >"$tmp/w/a b.xml"
: >"$tmp/w/c.xml.gz"
: >"$tmp/w/notes.txt"

for m in $modes; do
	# Every long option --help lists, and nothing else ("--color=" is
	# --color with its value).
	for tool in sarc-query sarc-index; do
		want=$("$SARC_BIN/$tool" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u | tr '\n' ' ' | sed 's/ $//')
		got=$(comp "$m" "$tool --" | tr ' ' '\n' | sed 's/=$//' | sort -u | tr '\n' ' ' | sed 's/ $//')
		if [ "$got" = "$want" ]; then ok "$m/options/$tool"; else fail "$m/options/$tool" "offers '$got', --help lists '$want'"; fi
	done

	# The values of each option, as the parser's tables have them.
	for pair in format:formats facet:facets sort:sorts syntax:syntaxes; do
		opt=${pair%%:*}
		want=$(values "${pair#*:}")
		a=$(comp "$m" "sarc-query --$opt ")
		b=$(comp "$m" "sarc-query --$opt=")
		if [ -n "$want" ] && [ "$a" = "$want" ] && [ "$b" = "$want" ]; then
			ok "$m/values/$opt"
		else
			fail "$m/values/$opt" "'$a' and '$b', the parser takes '$want'"
		fi
	done
	want=$(values colors)
	a=$(comp "$m" "sarc-query --color=")
	b=$(comp "$m" "sarc-query --color ") # a bare --color takes no value: the query follows
	if [ "$a" = "$want" ] && [ -z "$b" ]; then ok "$m/values/color"; else fail "$m/values/color" "'$a', then '$b'"; fi
	a=$(comp "$m" "sarc-query --fields pmid,ti")
	b=$(comp "$m" "sarc-query --fields=pmid,year,a")
	if [ "$a" = "pmid,title" ] && [ "$b" = "pmid,year,abstract pmid,year,authors" ]; then
		ok "$m/values/fields"
	else
		fail "$m/values/fields" "'$a' and '$b'"
	fi

	# Names are whole candidates, a space inside them included; the index
	# is a directory, inputs are directories and .xml/.xml.gz files.
	a=$(comp "$m" "sarc-query -i m")
	b=$(comp "$m" "sarc-index -o m")
	c=$(comp "$m" "sarc-index --stats=m")
	d=$(comp "$m" "sarc-index ")
	e=$(comp "$m" "sarc-index -T ")
	if [ "$a" = "my dir" ] && [ "$b" = "my dir" ] && [ "$c" = "my dir" ] &&
		[ "$d" = "a b.xml c.xml.gz idx my dir" ]; then
		ok "$m/names"
	else
		fail "$m/names" "-i: '$a'; -o: '$b'; --stats=: '$c'; inputs: '$d'"
	fi
	if [ "$e" = "a b.xml c.xml.gz idx my dir notes.txt" ]; then
		ok "$m/files-from"
	else
		fail "$m/files-from" "'$e'"
	fi
done
