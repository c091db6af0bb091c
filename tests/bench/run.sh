#!/bin/sh
# run.sh - `make bench`: sarc beside SQLite FTS5 and Apache Lucene 4.10 on
# the same PubMed title+abstract text, in one run (tests/bench/README.md).
#
#   1. synthetic corpus from build/corpus/gen-pubmed (.xml and .xml.gz,
#      split into files so that -j has work to share; cached in build/bench)
#   2. ingestion alone (sarc-index --parse-only) beside xmllint --stream
#   3. text extraction for FTS5 and Lucene (extract_text.py)
#   4. index builds, interleaved per repeat: sarc -j1 and -jN, FTS5,
#      Lucene with 1 and N threads; one sarc build with --memory BENCH_MEMORY
#   5. index sizes and their entropy floor (floor.c); queries in one process (qlat, fts5_bench.py,
#      LuceneBench), whole-process queries, --similar/--cited-by/--references,
#      --count and --facet
#   6. the analyzer (bench_analyze), the real files in ../shared/corpus
#   7. report.py: one table on stdout, JSON in tests/bench/results/
#
# Environment: BENCH_DOCS (100000), BENCH_REPEAT (3), BENCH_SEED (1),
# BENCH_QREPEAT (5 timed passes over the queries), BENCH_PROC_REPEAT (11
# runs of each whole-process command), BENCH_MEMORY (256M), BENCH_CORPUS
# (../shared/corpus; "none" skips it), BENCH_PER_FILE (citations per file),
# BENCH_SKIP (any of "fts5 lucene": leave that engine out).
# Never part of `make check`.
set -u
cd "$(dirname "$0")/../.." || exit 2
START=$(date +%s)

DOCS=${BENCH_DOCS:-100000}
REPEAT=${BENCH_REPEAT:-3}
SEED=${BENCH_SEED:-1}
QREPEAT=${BENCH_QREPEAT:-5}
PREPEAT=${BENCH_PROC_REPEAT:-11}
MEMORY=${BENCH_MEMORY:-256M}
SMALL_MEMORY=8M
CORPUS=${BENCH_CORPUS:-../shared/corpus}
SKIP=${BENCH_SKIP:-}
NCPU=$(nproc 2>/dev/null || echo 1)
BATCH_TIMES=5           # the query set repeated for the whole-process batch
LUCENE_RAM_MB=1024      # Lucene's indexing buffer: sarc's default --memory
JAVA_OPTS="-Xmx2g"

W=build/bench
RES=tests/bench/results
STAMP=$(date +%Y%m%d-%H%M%S)
RAW=$W/raw-$STAMP.jsonl
LOG=$W/log-$STAMP.txt
mkdir -p "$W" "$RES" || exit 2
: >"$RAW"

say() { echo "bench: $*" >&2; }
die() { echo "bench: $*" >&2; exit 2; }
# The raw record of one fact: raw ENGINE TASK 'more json fields'
raw() { printf '{"engine":"%s","task":"%s"%s}\n' "$1" "$2" "${3:+,$3}" >>"$RAW"; }

sh tests/bench/deps.sh

PY=python3
/usr/bin/python3 -c 'import sqlite3' 2>/dev/null && PY=/usr/bin/python3   # Debian's
T() { $PY tests/bench/report.py time --raw "$RAW" "$@" 2>>"$LOG"; }

[ -x bin/sarc-index ] || die "bin/sarc-index missing: run 'make' first"
# One run measures one build: copy the tools, which a rebuild may replace.
mkdir -p $W/bin && cp bin/sarc-index $W/bin/ || die "cannot copy bin/sarc-index"
rm -f $W/bin/sarc-query; [ -x bin/sarc-query ] && cp bin/sarc-query $W/bin/
SIX=$W/bin/sarc-index SQX=$W/bin/sarc-query
[ -x build/corpus/gen-pubmed ] || die "build/corpus/gen-pubmed missing: run 'make' first"

# ---------------------------------------------------------------- helpers
FTS5=1
case " $SKIP " in *" fts5 "*)
	FTS5=0; raw fts5 unavailable '"reason":"skipped (BENCH_SKIP)"' ;;
esac
if [ $FTS5 = 1 ] && ! $PY -c 'import sqlite3; c=sqlite3.connect(":memory:"); c.execute("create virtual table t using fts5(x)")' 2>/dev/null; then
	FTS5=0; raw fts5 unavailable '"reason":"python3 sqlite3 module without FTS5"'
fi
SQLITE3=$(command -v sqlite3 || true)

say "building the benchmark helpers"
for h in $(sh tests/bench/helpers.sh build "$LOG"); do
	say "$h does not build (see $LOG)"
	[ "$h" = qlat ] &&
		raw qlat unavailable '"reason":"build/qlat does not build (sarc in-process query figures)"'
done
SQ=0
if [ -x "$SQX" ] && "$SQX" --help >/dev/null 2>&1; then SQ=1
else raw sarc-query unavailable '"reason":"sarc-query not built"'; fi

# Lucene: Debian's jars, under either naming scheme
jar() {
	for j in /usr/share/java/lucene4-$1.jar /usr/share/java/lucene-$1-4.10*.jar; do
		[ -f "$j" ] && { echo "$j"; return 0; }
	done
	return 1
}
LUCENE=0
if case " $SKIP " in *" lucene "*) true ;; *) false ;; esac; then
	raw lucene unavailable '"reason":"skipped (BENCH_SKIP)"'
elif ! command -v java >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
	raw lucene unavailable '"reason":"java/javac missing (install default-jdk-headless)"'
elif ! LCP=$(jar core):$(jar analyzers-common):$(jar queryparser); then
	raw lucene unavailable '"reason":"liblucene4.10-java missing"'
elif mkdir -p $W/classes && javac -nowarn -d $W/classes -cp "$LCP" \
	tests/bench/LuceneBench.java 2>>"$LOG"; then
	LUCENE=1
	JAVA="java $JAVA_OPTS -cp $W/classes:$LCP LuceneBench"
else
	raw lucene unavailable '"reason":"LuceneBench.java does not compile"'
fi
raw meta versions "\"sarc\":\"$($SIX --version 2>/dev/null | head -1)\",\"sqlite\":\"$($PY -c 'import sqlite3; print(sqlite3.sqlite_version)')\",\"lucene\":\"$([ $LUCENE = 1 ] && basename "$(jar core)" .jar)\",\"java\":\"$(java -version 2>&1 | head -1 | tr -d '"')\",\"xmllint\":\"$(xmllint --version 2>&1 | head -1)\""

# ---------------------------------------------------------------- corpus
NFILES=$(( (DOCS + 24999) / 25000 )); [ $NFILES -lt 4 ] && NFILES=4
PER_FILE=${BENCH_PER_FILE:-$(( (DOCS + NFILES - 1) / NFILES ))}
D=$W/data/synth-$DOCS-s$SEED-f$PER_FILE
if [ ! -f "$D/.done" ]; then
	say "generating $DOCS citations (seed $SEED) into $D"
	rm -rf "$D"; mkdir -p "$D"
	build/corpus/gen-pubmed -n "$DOCS" -s "$SEED" -f "$PER_FILE" -o "$D/gz" -z &&
	build/corpus/gen-pubmed -n "$DOCS" -s "$SEED" -f "$PER_FILE" -o "$D/xml" ||
		die "gen-pubmed failed"
	touch "$D/.done"
fi
GZ=$(ls "$D"/gz/*.xml.gz)
XML=$(ls "$D"/xml/*.xml)
NF=$(echo "$GZ" | wc -l)
XMLB=$(cat $XML | wc -c)
GZB=$(cat $GZ | wc -c)
grep -v '^#' tests/bench/queries.txt | grep -v '^[[:space:]]*$' >$W/queries.tsv
i=0; : >$W/batch.tsv
while [ $i -lt $BATCH_TIMES ]; do cat $W/queries.tsv >>$W/batch.tsv; i=$((i + 1)); done
NBATCH=$(wc -l <$W/batch.tsv)

# ---------------------------------------------------------------- ingestion
say "ingestion: sarc-index --parse-only and xmllint --stream, $REPEAT repeats"
for rep in $(seq "$REPEAT"); do
	T -e sarc -t ingest_gz --rep "$rep" --json-out -- $SIX --parse-only --json $GZ
	T -e sarc -t ingest_xml --rep "$rep" --json-out -- $SIX --parse-only --json $XML
	T -e xmllint -t ingest_xml --rep "$rep" -- xmllint --stream --noout $XML
	# The .gz reader inflates on a thread of its own; pinned to one CPU,
	# inflating and parsing share it.
	if command -v taskset >/dev/null 2>&1; then
		T -e sarc -t ingest_gz_1cpu --rep "$rep" --json-out -- taskset -c 0 $SIX --parse-only --json $GZ
		T -e sarc -t ingest_xml_1cpu --rep "$rep" --json-out -- taskset -c 0 $SIX --parse-only --json $XML
	fi
done

say "extracting title+abstract text"
TXT=$D/text.tsv
T -e extract -t extract -- $PY tests/bench/extract_text.py --sarc-index "$SIX" --out "$TXT" --meta "$D/meta.json" \
	--sample "$D/sample.txt" $GZ
[ -s "$D/meta.json" ] || die "text extraction failed (see $LOG)"
meta_field() { $PY -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }
CITES=$(meta_field "$D/meta.json" citations)
TEXTB=$(meta_field "$D/meta.json" text_bytes)
raw meta synth "\"citations\":$CITES,\"docs\":$DOCS,\"seed\":$SEED,\"files\":$NF,\"xml_bytes\":$XMLB,\"gz_bytes\":$GZB,\"text_bytes\":$TEXTB,\"ncpu\":$NCPU,\"repeat\":$REPEAT,\"qrepeat\":$QREPEAT,\"memory\":\"$MEMORY\",\"small_memory\":\"$SMALL_MEMORY\",\"date\":\"$(date '+%Y-%m-%d %H:%M')\",\"host_load\":\"$(cut -d' ' -f1-3 /proc/loadavg)\""

# ---------------------------------------------------------------- builds
SI=$W/idx-sarc; FI=$W/idx-fts5.db; LI=$W/idx-lucene
say "index builds, $REPEAT repeats (sarc -j1/-j$NCPU, FTS5, Lucene 1/$NCPU threads)"
for rep in $(seq "$REPEAT"); do
	T -e sarc -t build_j1 --rep "$rep" --rm "$SI" --json-out -- \
		$SIX -q --json -o "$SI" -j 1 $GZ
	[ $FTS5 = 1 ] && T -e fts5 -t build_j1 --rep "$rep" --json-out -- \
		$PY tests/bench/fts5_bench.py build --db "$FI" --text "$TXT"
	[ $LUCENE = 1 ] && T -e lucene -t build_j1 --rep "$rep" --rm "$LI" --json-out -- \
		$JAVA build "$LI" "$TXT" 1 $LUCENE_RAM_MB
	T -e sarc -t build_jN --rep "$rep" --rm "$SI" --json-out -- \
		$SIX -q --json -o "$SI" -j "$NCPU" $GZ
	[ $LUCENE = 1 ] && T -e lucene -t build_jN --rep "$rep" --rm "$LI" --json-out -- \
		$JAVA build "$LI" "$TXT" "$NCPU" $LUCENE_RAM_MB
done
say "sarc build with --memory $MEMORY"
T -e sarc -t build_mem --rm $W/idx-sarc-mem --json-out -- \
	$SIX -q --json -o $W/idx-sarc-mem -j "$NCPU" --memory "$MEMORY" $GZ
rm -rf $W/idx-sarc-mem
# A small budget flushes hundreds of segments that the merge policy then
# compacts: the budget (plus a thread's constant, README) holds there too.
say "sarc build with --memory $SMALL_MEMORY -j1"
T -e sarc -t build_small_mem --rm $W/idx-sarc-mem --json-out -- \
	$SIX -q --json -o $W/idx-sarc-mem -j 1 --memory "$SMALL_MEMORY" $GZ
# and compacting what it left into one segment, a merge as large as the
# corpus, under the same budget
T -e sarc -t merge_small_mem -- $SIX -q --merge --memory "$SMALL_MEMORY" $W/idx-sarc-mem
rm -rf $W/idx-sarc-mem
# Lucene's build ends in forceMerge(1) and FTS5's in 'optimize'; sarc's
# tiered merging may leave a few segments (one per thread), so compact it
# too before the sizes and queries: all three are then one segment.
T -e sarc -t merge -- $SIX -q --merge "$SI"
# and checking every byte of it: reads the whole index once
T -e sarc -t verify -- $SIX --verify "$SI"

# ---------------------------------------------------------------- sizes
sizes() { # PREFIX SARC_IDX FTS5_DB LUCENE_IDX
	s=$($SIX --json --stats "$2" 2>>"$LOG") && raw sarc "${1}size" "\"stats\":$s"
	[ -x build/floor ] && build/floor "$2" 2>>"$LOG" |
		sed "s/\"task\":\"floor\"/\"task\":\"${1}floor\"/" >>"$RAW"
	if [ $FTS5 = 1 ] && [ -f "$3" ]; then
		$PY tests/bench/fts5_bench.py stats --db "$3" | sed "s/\"task\": \"size\"/\"task\": \"${1}size\"/" >>"$RAW"
	fi
	if [ $LUCENE = 1 ] && [ -d "$4" ]; then
		$JAVA stats "$4" 2>>"$LOG" | sed "s/\"task\":\"size\"/\"task\":\"${1}size\"/" >>"$RAW"
	fi
}
sizes "" "$SI" "$FI" "$LI"

# ---------------------------------------------------------------- queries
inproc_queries() { # PREFIX SARC_IDX FTS5_DB LUCENE_IDX
	if [ -x build/qlat ]; then
		build/qlat -i "$2" -r "$QREPEAT" <$W/queries.tsv 2>>"$LOG" |
			sed "s/\"task\":\"q/\"task\":\"${1}q/" >>"$RAW"
	fi
	[ $FTS5 = 1 ] && $PY tests/bench/fts5_bench.py query --db "$3" --queries $W/queries.tsv \
		-r "$QREPEAT" 2>>"$LOG" | sed "s/\"task\": \"q/\"task\": \"${1}q/" >>"$RAW"
	[ $LUCENE = 1 ] && $JAVA query "$4" $W/queries.tsv "$QREPEAT" 2>>"$LOG" |
		sed "s/\"task\":\"q/\"task\":\"${1}q/" >>"$RAW"
	return 0
}
say "queries in one process ($(wc -l <$W/queries.tsv) queries, $QREPEAT passes)"
inproc_queries "" "$SI" "$FI" "$LI"

say "whole-process queries"
for qid in q01 q12 q17 q21 q32 q63; do
	q=$(awk -F'\t' -v id=$qid '$1 == id { print $2 }' $W/queries.tsv)
	[ -n "$q" ] || continue
	[ $SQ = 1 ] && T -e sarc -t proc_q -r "$PREPEAT" --ok 0,1 --set qid=$qid -- \
		$SQX -i "$SI" -k 10 --format ids "$q"
	# what a person sees: titles, authors, snippets and the result count
	[ $SQ = 1 ] && T -e sarc -t proc_q_human -r "$PREPEAT" --ok 0,1 --set qid=$qid -- \
		$SQX -i "$SI" -k 10 --color=never "$q"
	[ $FTS5 = 1 ] && [ -n "$SQLITE3" ] && T -e fts5 -t proc_q -r "$PREPEAT" --set qid=$qid -- \
		"$SQLITE3" -batch -init /dev/null -readonly "$FI" \
		"$($PY tests/bench/fts5_bench.py sql1 "$q")"
	[ $LUCENE = 1 ] && T -e lucene -t proc_q -r 3 --set qid=$qid -- $JAVA search "$LI" "$q"
done
$PY tests/bench/fts5_bench.py sql --queries $W/queries.tsv --times $BATCH_TIMES >$W/batch.sql
for rep in $(seq "$REPEAT"); do
	[ $SQ = 1 ] && T -e sarc -t proc_batch --rep "$rep" --set queries=$NBATCH --stdin $W/batch.tsv -- \
		$SQX -i "$SI" -k 10 --format ids --batch
	[ $FTS5 = 1 ] && [ -n "$SQLITE3" ] && T -e fts5 -t proc_batch --rep "$rep" \
		--set queries=$NBATCH --stdin $W/batch.sql -- "$SQLITE3" -batch -init /dev/null -readonly "$FI"
	[ $LUCENE = 1 ] && T -e lucene -t proc_batch --rep "$rep" --set queries=$NBATCH -- \
		$JAVA batch "$LI" $W/batch.tsv
done
if [ $SQ = 1 ]; then
	say "--similar, --cited-by, --references"
	ids() { $PY -c "import json,sys; print(' '.join(map(str, json.load(open(sys.argv[1]))[sys.argv[2]])))" "$D/meta.json" "$1"; }
	for p in $(ids pmids); do
		T -e sarc -t proc_similar -r "$PREPEAT" --ok 0,1 --set pmid=$p -- \
			$SQX -i "$SI" -k 10 --format ids --similar "$p"
	done
	for p in $(ids cited_pmids); do
		T -e sarc -t proc_citedby -r "$PREPEAT" --ok 0,1 --set pmid=$p -- \
			$SQX -i "$SI" -k 10 --format ids --cited-by "$p"
	done
	for p in $(ids citing_pmids); do
		T -e sarc -t proc_refs -r "$PREPEAT" --ok 0,1 --set pmid=$p -- \
			$SQX -i "$SI" -k 10 --format ids --references "$p"
	done
	# counting every match of two common words, alone and by value
	say "--count and --facet"
	q=$(awk -F'\t' '$1 == "q63" { print $2 }' $W/queries.tsv)
	if [ -n "$q" ]; then
		T -e sarc -t proc_count -r "$PREPEAT" --ok 0,1 -- $SQX -i "$SI" --count "$q"
		for f in year journal mesh; do
			T -e sarc -t proc_facet -r "$PREPEAT" --ok 0,1 --set facet=$f -- \
				$SQX -i "$SI" --facet $f "$q"
		done
	fi
fi

# ---------------------------------------------------------------- analyzer
if [ -x build/bench_analyze ]; then
	say "analyzer throughput"
	build/bench_analyze "$D/sample.txt" 2>>"$LOG" | awk '
		$1 == "analyze_nostem_MBps" { n = $2 } $1 == "analyze_stem_MBps" { s = $2 }
		END { if (n != "") printf "{\"engine\":\"sarc\",\"task\":\"analyze\",\"nostem_MBps\":%s,\"stem_MBps\":%s}\n", n, (s == "" ? "null" : s) }' >>"$RAW"
fi

# ---------------------------------------------------------------- real corpus
if [ "$CORPUS" != none ] && [ -d "$CORPUS" ]; then
	RL=$W/real.list
	find "$CORPUS" -type f \( -name '*.xml' -o -name '*.xml.gz' \) \
		! -path '*/broken/*' ! -path '*/wrapped/*' | LC_ALL=C sort >$RL
fi
if [ "$CORPUS" = none ] || [ ! -d "$CORPUS" ] || [ ! -s "$W/real.list" ]; then
	if [ "$CORPUS" = none ]; then why="BENCH_CORPUS=none"; else why="no files in $CORPUS"; fi
	raw meta real "\"skipped\":\"$why\""
else
	say "real corpus: $(wc -l <$RL) files in $CORPUS"
	R=$W/real; rm -rf "$R"; mkdir -p "$R"
	for rep in $(seq "$REPEAT"); do
		T -e sarc -t real_ingest --rep "$rep" --json-out --ok 0,1 -- \
			$SIX --parse-only --json $(cat $RL)
		T -e xmllint -t real_ingest --rep "$rep" -- \
			sh -c 'xmllint --stream --noout "$@" 2>/dev/null; exit 0' sh $(cat $RL)
	done
	$PY tests/bench/extract_text.py --sarc-index "$SIX" --out "$R/text.tsv" --meta "$R/meta.json" $(cat $RL) 2>>"$LOG"
	RB=$($PY -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("task") == "real_ingest" and r.get("engine") == "sarc" and "out" in r:
        print(r["out"]["bytes"]); break' "$RAW")
	RC=$(meta_field "$R/meta.json" citations 2>>"$LOG")
	RT=$(meta_field "$R/meta.json" text_bytes 2>>"$LOG")
	raw meta real "\"dir\":\"$CORPUS\",\"files\":$(wc -l <$RL),\"xml_bytes\":${RB:-null},\"citations\":${RC:-null},\"text_bytes\":${RT:-null}"
	for rep in $(seq "$REPEAT"); do
		T -e sarc -t real_build_j1 --rep "$rep" --rm "$R/sarc" --ok 0,1 --json-out -- \
			$SIX -q -k --json -o "$R/sarc" -j 1 $(cat $RL)
		[ $FTS5 = 1 ] && T -e fts5 -t real_build_j1 --rep "$rep" --json-out -- \
			$PY tests/bench/fts5_bench.py build --db "$R/fts5.db" --text "$R/text.tsv"
		[ $LUCENE = 1 ] && T -e lucene -t real_build_j1 --rep "$rep" --rm "$R/lucene" --json-out -- \
			$JAVA build "$R/lucene" "$R/text.tsv" 1 $LUCENE_RAM_MB
	done
	$SIX -q --merge "$R/sarc" 2>>"$LOG"   # one segment, as the others
	sizes real_ "$R/sarc" "$R/fts5.db" "$R/lucene"
	inproc_queries real_ "$R/sarc" "$R/fts5.db" "$R/lucene"
fi

# ---------------------------------------------------------------- report
raw meta end "\"load\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",\"seconds\":$(( $(date +%s) - START ))"
say "done in $(( $(date +%s) - START )) s; raw records: $RAW, log: $LOG"
$PY tests/bench/report.py table --raw "$RAW" --json "$RES/bench-$STAMP.json" --results-dir "$RES"
