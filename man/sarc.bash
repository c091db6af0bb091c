# sarc.bash - bash completion for sarc-index and sarc-query.
#
# Installed by `make install` as
# $(PREFIX)/share/bash-completion/completions/sarc-query and .../sarc-index
# (bash-completion loads it on first use of either command); or source it
# from ~/.bashrc.  Keep the option lists in step with usage() in
# indexer/main.c and query/main.c.
#
# COMPREPLY=($(compgen ...)) is the completion idiom (SC2207); words and
# cword are filled in by bash-completion's _init_completion (SC2034).
# shellcheck shell=bash disable=SC2207,SC2034

# _sarc_names COMPGEN-ARGS...: COMPREPLY is compgen's output, one candidate a
# line.  COMPREPLY=($(compgen ...)) splits "my dir" into "my" and "dir".
# -o filenames has readline quote the names and end a directory with '/'.
_sarc_names()
{
	local line
	COMPREPLY=()
	while IFS= read -r line; do
		COMPREPLY+=("$line")
	done < <(compgen "$@")
	compopt -o filenames 2>/dev/null
}

_sarc_query()
{
	local cur prev words cword split
	if declare -F _init_completion >/dev/null 2>&1; then
		_init_completion -s || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
		split=false
		# Readline splits "--opt=value" at the "=" (COMP_WORDBREAKS).
		if [[ $cur == = ]]; then
			prev=${COMP_WORDS[COMP_CWORD-1]} cur='' split=true
		elif [[ $prev == = ]]; then
			prev=${COMP_WORDS[COMP_CWORD-2]} split=true
		fi
	fi

	# "--opt=value" completes value like "--opt value".
	if [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		cur=${cur#*=}
		split=true
	fi

	case $prev in
	-i|--index)
		_sarc_names -d -- "$cur"
		return ;;
	-f|--format)
		COMPREPLY=($(compgen -W 'human tsv json trec ids' -- "$cur"))
		return ;;
	--syntax)
		COMPREPLY=($(compgen -W 'default pubmed' -- "$cur"))
		return ;;
	--sort)
		COMPREPLY=($(compgen -W 'relevance date cited' -- "$cur"))
		return ;;
	--facet)
		COMPREPLY=($(compgen -W 'year journal mesh pt' -- "$cur"))
		return ;;
	--color|--colour)
		if [[ $split == true ]]; then
			COMPREPLY=($(compgen -W 'auto always never' -- "$cur"))
			return
		fi ;;
	--fields)
		# A comma-separated list: complete the last element.
		local done_part='' last=$cur
		if [[ $cur == *,* ]]; then
			done_part=${cur%,*},
			last=${cur##*,}
		fi
		COMPREPLY=($(compgen -P "$done_part" -W 'pmid rank score year title journal
			authors doi pmc mesh abstract cited' -- "$last"))
		compopt -o nospace 2>/dev/null
		return ;;
	-k|--limit|--offset|--k1|--b|--similar|--similar-terms|--references|--cited-by|--run|-w|--width)
		return ;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '--index --all --syntax --similar --similar-terms
			--references --cited-by --show --limit --offset --sort --k1 --b
			--exhaustive --count --facet --explain --format --fields --ids --run
			--batch --color --color= --width --help --version' -- "$cur"))
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace 2>/dev/null
		return
	fi
	# Anything else is query text: nothing to complete.
}

_sarc_index()
{
	local cur prev words cword split
	if declare -F _init_completion >/dev/null 2>&1; then
		_init_completion -s || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
		if [[ $cur == = ]]; then
			cur=''
		elif [[ $prev == = ]]; then
			prev=${COMP_WORDS[COMP_CWORD-2]}
		fi
	fi
	if [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		cur=${cur#*=}
	fi

	case $prev in
	-o|--output|--merge|--stats|--verify)
		_sarc_names -d -- "$cur"
		return ;;
	-T|--files-from)
		_sarc_names -f -- "$cur"
		return ;;
	-j|--threads|-m|--memory|--stopwords)
		return ;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '--output --files-from --threads --memory --no-stem
			--stopwords --keep-going --final-merge --merge --stats --verify --dump --parse-only
			--json --quiet --help --version' -- "$cur"))
		return
	fi
	# Inputs: PubMed XML files, gzipped or not, and directories.
	local f
	_sarc_names -d -- "$cur"
	while IFS= read -r f; do
		case $f in
		*.xml|*.xml.gz|*.XML|*.XML.GZ) COMPREPLY+=("$f") ;;
		esac
	done < <(compgen -f -- "$cur")
}

complete -F _sarc_query sarc-query
complete -F _sarc_index sarc-index
