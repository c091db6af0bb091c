#!/bin/sh
# deps.sh - install the Debian packages sarc needs, when they are missing
# and we are root.  Called by `make deps` (and so by `make check`) and, as
# `deps.sh build`, by `make demo`: building and the demo need only the
# compiler and libraries, the tests also xmllint and python3, and a user
# who cannot install those should still get the demo.
set -e
need="gcc libc6-dev make pkg-config libxml2-dev zlib1g-dev libstemmer-dev libdeflate-dev libisal-dev"
[ "${1:-}" = build ] || need="$need libxml2-utils python3"
missing=""
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "sarc: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq $missing >/dev/null
else
	echo "sarc: missing Debian packages:$missing (run 'make deps' as root or install them)" >&2
	exit 1
fi
