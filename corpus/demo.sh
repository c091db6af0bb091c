#!/bin/sh
# demo.sh - what `make demo` runs: index the bundled sample corpus into
# demo-index/ and run a few example queries, printing what a person reads.
set -e
cd "$(dirname "$0")/.."
idx=${SARC_DEMO_INDEX:-demo-index}
bin=${SARC_BIN:-bin}
rm -rf "$idx"
echo "\$ sarc-index -o $idx corpus/demo/sarcoma-demo.xml"
"$bin"/sarc-index -o "$idx" corpus/demo/sarcoma-demo.xml
run() {
	echo
	shown=""
	for a in "$@"; do
		case $a in *" "* | *'"'*) shown="$shown '$a'" ;; *) shown="$shown $a" ;; esac
	done
	echo "\$ sarc-query -i $idx$shown"
	"$bin"/sarc-query -i "$idx" "$@" || true
}
run -k 3 'leiomyosarcoma trabectedin'
run -k 3 '"EWS-FLI1"'
run -k 3 'gist imatinib resistance'
run -k 3 'synovial sarcoma SS18-SSX'
run -k 3 'mesh:Osteosarcoma methotrexate'
run -k 3 'desmoid β-catenin'
run --count 'sarcoma'
run --facet year 'sarcoma'
echo
echo "The index is in $idx/; try: $bin/sarc-query -i $idx --help"
