#!/bin/sh
# lib.sh - helpers sourced by the end-to-end scripts in tests/e2e/.
#
# Each check prints one line that tests/run.sh counts:
#   ok NAME                  passed
#   not ok NAME: REASON      failed
#   ok NAME # skip REASON    not applicable here (counts as passed)
#
# Environment, set by tests/run.sh:
#   SARC_BIN    directory holding sarc-index and sarc-query
#   SARC_BUILD  build directory (build/ or build-san/)
# ROOT is the repository root; both variables default to the plain build.

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${SARC_BIN:=$ROOT/bin}"
: "${SARC_BUILD:=$ROOT/build}"
# results must not depend on the caller's locale
LC_ALL=C
export LC_ALL

ok() { echo "ok $1"; }
fail() { echo "not ok $1: $2"; }
skip() { echo "ok $1 # skip $2"; }

# tests/run.sh runs every tests/e2e/*.sh, this file included: say so and
# count as a skip rather than as a script that printed nothing.
case $(basename "$0") in
lib.sh) skip lib "helper library, not a test" ;;
esac
