#!/bin/sh
# faults.sh - the index survives what happens to real machines: kill -9
# while indexing and while merging, a full disk, a read-only index, a
# second writer, and readers querying while a writer adds and merges.
#
#   kill9_index, kill9_merge   sarc-index killed at random moments (55
#       trials): the index always opens, verifies and answers the same
#       queries (--ids, --count) as before the killed run - or, when the
#       killed run had committed, as an index built from the same inputs by
#       runs that were not killed
#   enospc_*     writes fail with ENOSPC (a small tmpfs when this runs as
#       root and may mount, and always an LD_PRELOAD shim failing write()
#       and pwrite() after N bytes): exit 2, one line naming "No space left
#       on device", the index as before (verifies, same answers, same files)
#   readonly_*   a read-only index (a read-only bind mount in a private mount
#       namespace as root, chmod as another user): sarc-query works,
#       sarc-index fails with one clear line
#   second_writer  refused while a writer runs
#   readers_during_writes  4 processes query in loops while sarc-index adds
#       two batches and merges: every query succeeds with a count that one
#       of the committed generations gives
# The whole script takes about half a minute (more under the sanitizers).
. "$(dirname "$0")/lib.sh"

IDX=$SARC_BIN/sarc-index
Q=$SARC_BIN/sarc-query
gen=$SARC_BUILD/corpus/gen-pubmed
tmp=$(mktemp -d)
mnt=""
cleanup() {
	[ -n "$mnt" ] && umount "$mnt" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' INT TERM
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

if [ ! -x "$gen" ]; then
	skip faults "generator $gen not built"
	exit 0
fi

# Inputs: disjoint PMID ranges and no updates, so that the answers depend
# only on which inputs are indexed, not on how they were split in runs or
# segments (BM25 statistics are global and nothing is deleted).
i=1
while [ $i -le 40 ]; do
	"$gen" --docs 300 --seed $i --start-pmid $((i * 100000)) >"$tmp/in$i.xml"
	i=$((i + 1))
done
"$gen" --docs 3000 --seed 99 --start-pmid 90000000 >"$tmp/big.xml"

QUERIES='sarcoma
"soft tissue" tumour
year:2000..2010 resection
eribulin OR SMARCB1'

# snapshot DIR: what the queries answer on DIR (PMIDs in rank order and
# counts), and each exit status; a script of its own, for other users
cat >"$tmp/snapshot.sh" <<EOF
echo '$QUERIES' | while IFS= read -r q; do
	'$Q' -i "\$1" --ids -k 100000 "\$q"
	echo "ids rc=\$?"
done
'$Q' -i "\$1" --count sarcoma
echo "count rc=\$?"
EOF
snapshot() { sh "$tmp/snapshot.sh" "$1"; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }
seed=4242
rand() { # rand N: a pseudo-random number in [0, N)
	seed=$(((seed * 1103515245 + 12345) % 2147483648))
	echo $(((seed / 65536) % $1))
}
mf_sum() { cksum <"$1/MANIFEST"; }

# --- kill -9 while indexing and while merging ---
"$IDX" -q -o "$tmp/k9" "$tmp/in1.xml" "$tmp/in2.xml" || fail kill9_setup "cannot index"
"$IDX" -q -o "$tmp/ref" "$tmp/in1.xml" "$tmp/in2.xml"
# how long an unkilled run of one input and a merge take, to spread the kills
t0=$(now_ms)
"$IDX" -q -o "$tmp/k9" "$tmp/in3.xml"
"$IDX" -q -o "$tmp/ref" "$tmp/in3.xml"
t1=$(now_ms)
"$IDX" -q --merge "$tmp/k9"
t2=$(now_ms)
run_ms=$(((t1 - t0) / 2 + 20))
merge_ms=$((t2 - t1 + 20))
snapshot "$tmp/k9" >"$tmp/before"
snapshot "$tmp/ref" >"$tmp/expect"
if ! cmp -s "$tmp/before" "$tmp/expect"; then
	fail kill9_setup "the same inputs in other runs give other answers"
fi
itrials=0 mtrials=0 icommitted=0 mcommitted=0 ibad=0 mbad=0 next=4
committed="$tmp/in1.xml $tmp/in2.xml $tmp/in3.xml"
badlog=$tmp/k9.log
: >"$badlog"
# check_k9 WHAT: the index opens, verifies and gives $tmp/before
check_k9() {
	if ! "$IDX" --verify "$tmp/k9" >/dev/null 2>"$tmp/err"; then
		echo "$1: --verify: $(cat "$tmp/err")" >>"$badlog"
		return 1
	fi
	snapshot "$tmp/k9" >"$tmp/after"
	if ! cmp -s "$tmp/after" "$tmp/before"; then
		echo "$1: answers differ" >>"$badlog"
		return 1
	fi
	return 0
}
trial=0
while [ $trial -lt 55 ]; do
	trial=$((trial + 1))
	sum=$(mf_sum "$tmp/k9")
	if [ $((trial % 2)) = 1 ] && [ $next -le 40 ]; then
		# indexing: one more input, killed after 0 .. 1.2 x its usual time
		in=$tmp/in$next.xml
		next=$((next + 1))
		delay=$(rand $((run_ms * 2)))
		"$IDX" -q -j2 -o "$tmp/k9" "$in" 2>/dev/null &
		pid=$!
		sleep "$((delay / 1000)).$(printf '%03d' $((delay % 1000)))"
		kill -9 $pid 2>/dev/null
		wait $pid 2>/dev/null
		itrials=$((itrials + 1))
		if [ "$(mf_sum "$tmp/k9")" != "$sum" ]; then
			# it committed: the reference gets the same input
			icommitted=$((icommitted + 1))
			committed="$committed $in"
			t1=$(now_ms)
			"$IDX" -q -o "$tmp/ref" "$in"
			run_ms=$(($(now_ms) - t1 + 20))
			snapshot "$tmp/ref" >"$tmp/before"
		else
			# the measured time misses process start-up and exit on a
			# busy machine: widen the window until some runs commit
			run_ms=$((run_ms + run_ms / 8))
		fi
		check_k9 "indexing trial $trial (kill after ${delay} ms)" || ibad=$((ibad + 1))
	else
		# merging: the answers never change
		if [ $((mtrials % 6)) = 0 ]; then
			# merges grow with the index: time one on a copy now and then
			rm -rf "$tmp/k9copy"
			cp -R "$tmp/k9" "$tmp/k9copy"
			t1=$(now_ms)
			"$IDX" -q --merge "$tmp/k9copy"
			merge_ms=$(($(now_ms) - t1 + 20))
		fi
		delay=$(rand $((merge_ms * 2)))
		"$IDX" -q --merge "$tmp/k9" 2>/dev/null &
		pid=$!
		sleep "$((delay / 1000)).$(printf '%03d' $((delay % 1000)))"
		kill -9 $pid 2>/dev/null
		wait $pid 2>/dev/null
		mtrials=$((mtrials + 1))
		if [ "$(mf_sum "$tmp/k9")" != "$sum" ]; then
			mcommitted=$((mcommitted + 1))
		else
			merge_ms=$((merge_ms + merge_ms / 8))
		fi
		check_k9 "merge trial $trial (kill after ${delay} ms)" || mbad=$((mbad + 1))
	fi
done
# and a writer after all that cleans up what the killed ones left
"$IDX" -q -o "$tmp/k9" "$tmp/in$next.xml" 2>"$tmp/err" && "$IDX" -q -o "$tmp/ref" "$tmp/in$next.xml"
snapshot "$tmp/ref" >"$tmp/before"
check_k9 "indexing after the trials" || ibad=$((ibad + 1))
# and all that equals one fresh run over the inputs that were committed
# shellcheck disable=SC2086
"$IDX" -q -o "$tmp/fresh" $committed "$tmp/in$next.xml"
snapshot "$tmp/fresh" >"$tmp/before"
check_k9 "against a fresh index of the committed inputs" || ibad=$((ibad + 1))
stray=$(cd "$tmp/k9" && ls | grep -v -E '^(LOCK|MANIFEST|seg-[0-9]+\.(sdoc|sdic|spst|spos|ssto|del-[0-9]+))$')
[ -z "$stray" ] || { ibad=$((ibad + 1)); echo "files left by killed writers: $stray" >>"$badlog"; }
if [ $ibad = 0 ]; then
	ok "kill9_index ($itrials trials, $icommitted had committed; kills 0 .. $((run_ms * 2)) ms)"
else
	fail kill9_index "$ibad failures in $itrials trials: $(head -3 "$badlog" | tr '\n' ';')"
fi
if [ $mbad = 0 ]; then
	ok "kill9_merge ($mtrials trials, $mcommitted had committed; kills 0 .. $((merge_ms * 2)) ms)"
else
	fail kill9_merge "$mbad failures in $mtrials trials: $(grep merge "$badlog" | head -3 | tr '\n' ';')"
fi

# --- full disk ---
# check_enospc NAME DIR: after a failed run ($rc, $tmp/err) the index DIR
# is as it was ($tmp/before, $tmp/list)
check_enospc() {
	problems=""
	[ "$rc" = 2 ] || problems="exit $rc;"
	[ "$(wc -l <"$tmp/err")" = 1 ] || problems="$problems $(wc -l <"$tmp/err") lines of errors;"
	grep -q "No space left on device" "$tmp/err" || problems="$problems message: $(head -c 200 "$tmp/err");"
	"$IDX" --verify "$2" >/dev/null 2>&1 || problems="$problems does not verify;"
	snapshot "$2" >"$tmp/after"
	cmp -s "$tmp/after" "$tmp/before" || problems="$problems answers differ;"
	[ "$(ls "$2")" = "$(cat "$tmp/list")" ] || problems="$problems files: $(ls "$2" | tr '\n' ' ');"
	if [ -z "$problems" ]; then
		return 0
	fi
	echo "$1: $problems" >>"$tmp/enospc.log"
	return 1
}
: >"$tmp/enospc.log"

# a small tmpfs, when we may mount one
if [ "$(id -u)" = 0 ] && mkdir -p "$tmp/full" && mount -t tmpfs -o size=2m tmpfs "$tmp/full" 2>/dev/null; then
	mnt=$tmp/full
	d=$tmp/full/idx
	"$IDX" -q -o "$d" "$tmp/in1.xml" && "$IDX" -q -o "$d" "$tmp/in2.xml"
	snapshot "$d" >"$tmp/before"
	ls "$d" >"$tmp/list"
	bad=0
	"$IDX" -q -o "$d" "$tmp/big.xml" 2>"$tmp/err"
	rc=$?
	check_enospc "tmpfs index" "$d" || bad=$((bad + 1))
	# fill it so that a merge, which rewrites everything, has no room
	dd if=/dev/zero of="$tmp/full/filler" bs=64k 2>/dev/null
	rm -f "$tmp/full/filler"
	avail=$(df -k "$tmp/full" | awk 'NR == 2 {print $4}')
	used=$(du -sk "$d" | awk '{print $1}')
	# (leave half the index's size: a merge's output is smaller than its
	# inputs, by a vocabulary per segment (FORMAT.md §7.2) and the
	# deleted documents, but not by half)
	if [ "$avail" -gt $((used / 2)) ]; then
		dd if=/dev/zero of="$tmp/full/filler" bs=1k count=$((avail - used / 2)) 2>/dev/null
	fi
	"$IDX" -q --merge "$d" 2>"$tmp/err"
	rc=$?
	check_enospc "tmpfs merge" "$d" || bad=$((bad + 1))
	umount "$tmp/full" && mnt=""
	if [ $bad = 0 ]; then
		ok "enospc_tmpfs (indexing and merging on a full 2 MB tmpfs)"
	else
		fail enospc_tmpfs "$(cat "$tmp/enospc.log" | tr '\n' ';')"
	fi
else
	skip enospc_tmpfs "cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN); the shim below still runs"
fi

# an LD_PRELOAD shim (failwrite.c): write() and pwrite() on files under
# SARC_FAIL_DIR fail with ENOSPC once SARC_FAIL_AFTER bytes went there (the
# write crossing it writes what fits); with SARC_FAIL_COUNT=FILE it only
# counts them into FILE
cc=${CC:-cc}
if command -v "$cc" >/dev/null 2>&1 &&
	"$cc" -shared -fPIC -O1 -o "$tmp/enospc.so" "$ROOT/tests/e2e/failwrite.c" -ldl 2>"$tmp/cc.err"; then
	d=$tmp/shim
	"$IDX" -q -o "$d" "$tmp/in1.xml" && "$IDX" -q -o "$d" "$tmp/in2.xml"
	snapshot "$d" >"$tmp/before"
	ls "$d" >"$tmp/list"
	# the shim must come after ASan's runtime in the sanitizer build
	asan_opts="$ASAN_OPTIONS:verify_asan_link_order=0"
	# bytes an indexing run and a merge write, measured on copies
	cp -R "$d" "$tmp/count"
	cp -R "$d" "$tmp/count2"
	env LD_PRELOAD="$tmp/enospc.so" SARC_FAIL_DIR="$tmp/count/" SARC_FAIL_COUNT="$tmp/n.index" \
		ASAN_OPTIONS="$asan_opts" "$IDX" -q -o "$tmp/count" "$tmp/in3.xml"
	env LD_PRELOAD="$tmp/enospc.so" SARC_FAIL_DIR="$tmp/count2/" SARC_FAIL_COUNT="$tmp/n.merge" \
		ASAN_OPTIONS="$asan_opts" "$IDX" -q --merge "$tmp/count2"
	nindex=$(cat "$tmp/n.index" 2>/dev/null || echo 0)
	nmerge=$(cat "$tmp/n.merge" 2>/dev/null || echo 0)
	bad=0 cases=0
	if [ "$nindex" -gt 1000 ] && [ "$nmerge" -gt 1000 ]; then
		for what in index merge; do
			if [ $what = index ]; then total=$nindex; else total=$nmerge; fi
			# from the first byte to the manifest's last ones (fewer under
			# the sanitizers, whose processes start slowly)
			afters="0 1 4096 $((total / 4)) $((total / 2)) $((total * 9 / 10)) $((total - 300)) $((total - 40)) $((total - 1))"
			case $SARC_BUILD in *-san) afters="1 $((total / 2)) $((total - 300)) $((total - 1))" ;; esac
			for after in $afters; do
				cases=$((cases + 1))
				if [ $what = index ]; then
					env LD_PRELOAD="$tmp/enospc.so" SARC_FAIL_DIR="$d/" SARC_FAIL_PARTIAL=1 SARC_FAIL_AFTER=$after \
						ASAN_OPTIONS="$asan_opts" "$IDX" -q -o "$d" "$tmp/in3.xml" 2>"$tmp/err"
				else
					env LD_PRELOAD="$tmp/enospc.so" SARC_FAIL_DIR="$d/" SARC_FAIL_PARTIAL=1 SARC_FAIL_AFTER=$after \
						ASAN_OPTIONS="$asan_opts" "$IDX" -q --merge "$d" 2>"$tmp/err"
				fi
				rc=$?
				check_enospc "$what failing after $after of $total bytes" "$d" || bad=$((bad + 1))
			done
		done
		if [ $bad = 0 ]; then
			ok "enospc_shim ($cases runs failing after a few .. all but one of the bytes they write)"
		else
			fail enospc_shim "$bad of $cases: $(grep failing "$tmp/enospc.log" | head -4 | tr '\n' ';')"
		fi
	else
		fail enospc_shim "the shim counted no writes ($nindex, $nmerge bytes)"
	fi
	# The disk fills after the run's commit, during the merge the policy
	# starts (ten segments of one size class): the citations are in, the
	# index is whole with ten segments, exit 1 and one warning.
	d=$tmp/shim2
	i=1
	while [ $i -le 9 ]; do "$IDX" -q -o "$d" "$tmp/in$i.xml"; i=$((i + 1)); done
	# bytes of the run without a merge: the same run on 8 segments
	i=1
	while [ $i -le 8 ]; do "$IDX" -q -o "$tmp/count3" "$tmp/in$i.xml"; i=$((i + 1)); done
	env LD_PRELOAD="$tmp/enospc.so" SARC_FAIL_DIR="$tmp/count3/" SARC_FAIL_COUNT="$tmp/n.commit" \
		ASAN_OPTIONS="$asan_opts" "$IDX" -q -o "$tmp/count3" "$tmp/in10.xml"
	ncommit=$(cat "$tmp/n.commit" 2>/dev/null || echo 0)
	env LD_PRELOAD="$tmp/enospc.so" SARC_FAIL_DIR="$d/" SARC_FAIL_PARTIAL=1 SARC_FAIL_AFTER=$((ncommit + 2000)) \
		ASAN_OPTIONS="$asan_opts" "$IDX" -q -o "$d" "$tmp/in10.xml" 2>"$tmp/err"
	rc=$?
	"$IDX" -q -o "$tmp/shim2ref" $(i=1; while [ $i -le 10 ]; do echo "$tmp/in$i.xml"; i=$((i + 1)); done)
	named=$("$IDX" --stats "$d" | awk '$1 == "segments" {print $2}')
	if [ "$ncommit" -gt 1000 ] && [ $rc = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] &&
		grep -q "^sarc-index: warning: the citations are indexed, but merging segments failed: .*No space left on device" "$tmp/err" &&
		"$IDX" --verify "$d" >/dev/null && [ "$named" = 10 ] &&
		[ "$(ls "$d" | grep -c '\.sdoc$')" = 10 ] &&
		[ "$(snapshot "$d")" = "$(snapshot "$tmp/shim2ref")" ]; then
		ok enospc_after_commit
	else
		fail enospc_after_commit "exit $rc, $named segments, $(ls "$d" | tr '\n' ' '): $(head -c 300 "$tmp/err")"
	fi
else
	skip enospc_shim "no C compiler to build the LD_PRELOAD shim"
fi

# --- a read-only index ---
d=$tmp/ro
"$IDX" -q -o "$d" "$tmp/in1.xml"
snapshot "$d" >"$tmp/before"
ro_check() { # ro_check HOW: sarc-query and sarc-index ran via "$@" in ro_run
	problems=""
	cmp -s "$o/out" "$tmp/before" || problems="sarc-query answers differ: $(head -c 200 "$o/qerr");"
	[ "$(cat "$o/rc")" = 2 ] || problems="$problems sarc-index exit $(cat "$o/rc");"
	[ "$(wc -l <"$o/err")" = 1 ] || problems="$problems $(wc -l <"$o/err") lines of errors;"
	grep -q -E "Read-only file system|Permission denied" "$o/err" || problems="$problems message: $(head -c 200 "$o/err");"
	[ "$(cat "$o/mrc")" = 2 ] || problems="$problems --merge exit $(cat "$o/mrc");"
	msg=$(head -c 150 "$o/err")
	rm -f "$o"/*
	if [ -z "$problems" ]; then ok "readonly_$1 ($msg)"; else fail "readonly_$1" "$problems"; fi
}
# what runs against the read-only index; it writes only into $o, which
# another user may write to
o=$tmp/roout
mkdir -p "$o"
chmod 777 "$o"
cat >"$tmp/ro.sh" <<EOF
sh '$tmp/snapshot.sh' '$d' >'$o/out' 2>'$o/qerr'
'$IDX' -q -o '$d' '$tmp/in2.xml' 2>'$o/err'
echo \$? >'$o/rc'
'$IDX' -q --merge '$d' 2>/dev/null
echo \$? >'$o/mrc'
EOF
if [ "$(id -u)" = 0 ]; then
	if command -v unshare >/dev/null 2>&1 &&
		unshare -m sh -c "mount --bind '$d' '$d' && mount -o remount,ro,bind '$d' '$d' && sh '$tmp/ro.sh'" 2>/dev/null; then
		ro_check bind_mount
	else
		skip readonly_bind_mount "unshare -m or a read-only bind mount is not permitted here"
	fi
	if command -v setpriv >/dev/null 2>&1 && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
		chmod 755 "$tmp"
		chmod -R a+r "$tmp"/in*.xml
		chmod 555 "$d" && chmod 444 "$d"/*
		if setpriv --reuid=65534 --regid=65534 --clear-groups sh "$tmp/ro.sh" 2>/dev/null; then
			ro_check permissions_nobody
		else
			skip readonly_permissions_nobody "cannot run as nobody (binaries not readable?)"
		fi
		chmod 755 "$d" && chmod 644 "$d"/*
		chmod 700 "$tmp"
	else
		skip readonly_permissions_nobody "setpriv cannot switch to nobody here"
	fi
else
	chmod 555 "$d" && chmod 444 "$d"/*
	sh "$tmp/ro.sh"
	ro_check permissions
	chmod 755 "$d" && chmod 644 "$d"/*
fi

# --- a second writer is refused while one runs ---
d=$tmp/w2
"$IDX" -q -o "$d" "$tmp/in1.xml"
"$IDX" -q -j1 -o "$d" "$tmp/big.xml" 2>/dev/null &
pid=$!
# wait until the first writer holds the lock (probing with flock(1) would
# take it for a moment and could refuse the first writer instead)
k=0
while [ $k -lt 200 ]; do
	if [ -r /proc/locks ]; then
		grep -q "FLOCK.* $pid " /proc/locks && break
	else
		sleep 0.3
		break
	fi
	sleep 0.01
	k=$((k + 1))
done
"$IDX" -q -o "$d" "$tmp/in2.xml" 2>"$tmp/err"
rc=$?
still=0
kill -0 $pid 2>/dev/null && still=1
wait $pid
rc1=$?
if [ $still = 0 ]; then
	skip second_writer "the first writer finished before the second started"
elif [ $rc = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q -i "lock" "$tmp/err" && [ $rc1 = 0 ] &&
	"$IDX" --verify "$d" >/dev/null; then
	ok second_writer
else
	fail second_writer "second writer exit $rc ($(cat "$tmp/err")), first exit $rc1"
fi

# --- a refused writer touches nothing while the first writes segments ---
# (the first flushes a segment every few hundred citations, then merges;
# a refused writer used to remove the files no manifest named yet)
d=$tmp/lock2
"$IDX" -q -o "$d" "$tmp/in1.xml"
"$IDX" -q -j1 --memory 1M -o "$d" $(i=2; while [ $i -le 20 ]; do echo "$tmp/in$i.xml"; i=$((i + 1)); done) 2>"$tmp/err1" &
pid=$!
k=0
while [ $k -lt 200 ] && [ -r /proc/locks ] && ! grep -q "FLOCK.* $pid " /proc/locks; do
	sleep 0.01
	k=$((k + 1))
done
refused=0 tries=0
while kill -0 $pid 2>/dev/null && [ $tries -lt 400 ]; do
	if "$IDX" -q -o "$d" "$tmp/in21.xml" 2>"$tmp/err"; then
		break # the first writer had not taken the lock yet or was done
	fi
	grep -q "is locked" "$tmp/err" && refused=$((refused + 1))
	tries=$((tries + 1))
	sleep 0.02
done
wait $pid
rc1=$?
"$IDX" -q -o "$tmp/lock2ref" $(i=1; while [ $i -le 21 ]; do echo "$tmp/in$i.xml"; i=$((i + 1)); done)
"$IDX" -q -o "$d" "$tmp/in21.xml" # when every attempt was refused
if [ $refused = 0 ]; then
	skip second_writer_mid_run "no attempt met the first writer at work"
elif [ $rc1 = 0 ] && "$IDX" --verify "$d" >/dev/null &&
	[ "$("$Q" -i "$d" --count sarcoma)" = "$("$Q" -i "$tmp/lock2ref" --count sarcoma)" ]; then
	ok "second_writer_mid_run ($refused refusals while the first wrote and merged)"
else
	fail second_writer_mid_run "first writer exit $rc1 ($(head -c 300 "$tmp/err1")) after $refused refusals"
fi

# --- readers while a writer adds and merges ---
d=$tmp/rw
"$IDX" -q -o "$d" "$tmp/in1.xml" "$tmp/in2.xml"
# the count each query gives in each committed generation: before, after
# the first batch, after the second (merging changes nothing)
"$IDX" -q -o "$tmp/rwref" "$tmp/in1.xml" "$tmp/in2.xml"
counts() { echo "$QUERIES" | while IFS= read -r q; do "$Q" -i "$1" --count "$q"; done; }
counts "$tmp/rwref" >"$tmp/gen0"
"$IDX" -q -o "$tmp/rwref" "$tmp/big.xml"
counts "$tmp/rwref" >"$tmp/gen1"
"$IDX" -q -o "$tmp/rwref" "$tmp/in3.xml" "$tmp/in4.xml"
counts "$tmp/rwref" >"$tmp/gen2"
nq=$(echo "$QUERIES" | wc -l)
reader() { # reader N: queries in a loop until the writer is done, 60 at least
	n=0
	while [ $n -lt 60 ] || [ ! -f "$tmp/rw.done" ]; do
		qn=$((n % nq + 1))
		q=$(echo "$QUERIES" | sed -n "${qn}p")
		c=$("$Q" -i "$d" --count "$q" 2>>"$tmp/rw.err$1")
		echo "$qn $? $c"
		n=$((n + 1))
		[ $n -gt 2000 ] && break
	done >"$tmp/rw.out$1"
}
rm -f "$tmp/rw.done"
for r in 1 2 3 4; do reader $r & done
wrc=0
"$IDX" -q -j1 -o "$d" "$tmp/big.xml" || wrc=1
"$IDX" -q -j1 -o "$d" "$tmp/in3.xml" "$tmp/in4.xml" || wrc=1
"$IDX" -q --merge "$d" || wrc=1
touch "$tmp/rw.done"
wait
total=0 bad=0
for r in 1 2 3 4; do
	while read -r qn rc c; do
		total=$((total + 1))
		ok_count=0
		for g in 0 1 2; do
			[ "$(sed -n "${qn}p" "$tmp/gen$g")" = "$c" ] && ok_count=1
		done
		if [ "$rc" -gt 1 ] || [ $ok_count = 0 ]; then
			bad=$((bad + 1))
			[ $bad -le 3 ] && echo "query $qn: exit $rc count '$c' $(head -c 200 "$tmp/rw.err$r")" >>"$tmp/rw.log"
		fi
	done <"$tmp/rw.out$r"
done
if [ $wrc = 0 ] && [ $bad = 0 ] && [ $total -ge 240 ] && "$IDX" --verify "$d" >/dev/null &&
	[ "$(counts "$d")" = "$(cat "$tmp/gen2")" ]; then
	ok "readers_during_writes ($total queries from 4 processes during 2 indexing runs and a merge)"
else
	fail readers_during_writes "writer failed=$wrc, $bad of $total queries wrong: $(cat "$tmp/rw.log" 2>/dev/null | tr '\n' ';')"
fi
