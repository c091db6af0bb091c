#!/bin/sh
# deps.sh - install what `make bench` compares sarc against, when missing
# and we are root: SQLite (sqlite3 CLI and Python's sqlite3 module, which
# has FTS5 built in on Debian), Apache Lucene 4.10 with a JDK to compile
# tests/bench/LuceneBench.java, xmllint (the XML parse floor) and GNU time
# (peak RSS).  Never fails: without root or network it says what is missing
# and run.sh reports the affected columns as "n/a".
need="sqlite3 python3 libxml2-utils time liblucene4.10-java default-jdk-headless"
missing=""
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
# Any JDK will do; do not pull default-jdk-headless over an installed one.
case "$missing" in *default-jdk-headless*)
	if command -v javac >/dev/null 2>&1; then
		missing=$(echo "$missing" | sed 's/ default-jdk-headless//')
	fi ;;
esac
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "bench: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	if apt-get update -qq >/dev/null 2>&1 &&
	   apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1; then
		exit 0
	fi
	echo "bench: could not install$missing (no network?); those columns will say n/a" >&2
else
	echo "bench: missing Debian packages:$missing (run as root to install); those columns will say n/a" >&2
fi
exit 0
