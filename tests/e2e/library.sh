#!/bin/sh
# library.sh - the engine as a C library, as README "Embedding the engine"
# tells a user to use it: `make install DESTDIR=... PREFIX=/usr` stages
# sarc.h, libsarc.a, libsarc.so and sarc.pc beside the programs; sarc.h
# compiles alone as C11 and as C++; docs/example.c, compiled against the
# staged tree only (its pkg-config file), linked with the shared library
# and, with --static, with libsarc.a, prints for several queries exactly
# the PMIDs, scores, years and titles that the staged sarc-query prints in
# TSV, with the same exit status and error message; libsarc.a defines and
# libsarc.so exports no global symbol but the sarc_* functions sarc.h
# declares; the example is clean under valgrind; make uninstall removes
# every file install staged.
#
# Under build-san/ the sanitized build is installed (make SAN=1 install)
# and the example is compiled with the same sanitizers, so ASan and UBSan
# watch the library's calls and leaks there instead of valgrind.
. "$(dirname "$0")/lib.sh"

CORPUS=$ROOT/corpus/demo/sarcoma-demo.xml
case $SARC_BUILD in
*/build-san) san=1 ;;
*) san=0 ;;
esac
# as the Makefile's SANFLAGS
sanflags=
[ $san = 1 ] && sanflags="-fsanitize=address,undefined -fno-sanitize-recover=all"
cc=${CC:-cc}
cflags="-std=c11 -Wall -Wextra -Wpedantic -Werror"

if ! command -v make >/dev/null 2>&1; then
	skip library "make not installed (Debian package make)"
	exit 0
fi
if ! command -v nm >/dev/null 2>&1; then
	skip library "nm not installed (Debian package binutils)"
	exit 0
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
stage=$tmp/stage

# Nothing is rebuilt here when the tree is up to date (tests/run.sh runs
# after make tests): install only copies.
if make -C "$ROOT" -s --no-print-directory SAN=$san install DESTDIR="$stage" PREFIX=/usr \
	>"$tmp/make.out" 2>&1; then
	ok library_install
else
	fail library_install "make install: $(tail -3 "$tmp/make.out" | tr '\n' ' ')"
	exit 0
fi
missing=
for f in usr/include/sarc.h usr/lib/libsarc.a usr/lib/libsarc.so usr/lib/libsarc.so.0 \
	usr/lib/pkgconfig/sarc.pc usr/bin/sarc-index usr/bin/sarc-query; do
	[ -f "$stage/$f" ] || missing="$missing $f"
done
# the staged shared library, as if installed where the loader looks
LD_LIBRARY_PATH=$stage/usr/lib
export LD_LIBRARY_PATH
if [ -z "$missing" ]; then
	ok library_installed_files
else
	fail library_installed_files "not installed:$missing"
	exit 0
fi
Q=$stage/usr/bin/sarc-query
X=$stage/usr/bin/sarc-index

# sarc.h alone, nothing included before it (flags split into words)
printf '#include <sarc.h>\n' >"$tmp/h.c"
# shellcheck disable=SC2086
if $cc $cflags -I"$stage/usr/include" -c -o "$tmp/h.o" "$tmp/h.c" 2>"$tmp/h.err"; then
	ok library_header_c11
else
	fail library_header_c11 "$(head -3 "$tmp/h.err" | tr '\n' ' ')"
fi
if command -v c++ >/dev/null 2>&1; then
	# a C++ program calls the library too: the link fails without extern "C"
	cat >"$tmp/hxx.cc" <<'EOF'
#include <sarc.h>
#include <cstdio>
int main() { std::puts(sarc_field_name(SARC_FIELD_TITLE)); }
EOF
	# shellcheck disable=SC2086
	if c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror $sanflags -I"$stage/usr/include" \
		-o "$tmp/hxx" "$tmp/hxx.cc" -L"$stage/usr/lib" -lsarc -lstemmer -lz -lm 2>"$tmp/hxx.err" &&
		[ "$("$tmp/hxx")" = title ]; then
		ok library_header_cxx
	else
		fail library_header_cxx "$(head -3 "$tmp/hxx.err" | tr '\n' ' ')"
	fi
else
	skip library_header_cxx "no C++ compiler (Debian package g++)"
fi

# The example, from a directory of its own: only the staged tree is seen.
cp "$ROOT/docs/example.c" "$tmp/example.c"
if command -v pkg-config >/dev/null 2>&1; then
	PKG_CONFIG_PATH=$stage/usr/lib/pkgconfig
	PKG_CONFIG_SYSROOT_DIR=$stage
	export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
	version=$("$Q" --version | sed -n 's/^sarc-query \([^ ]*\) .*/\1/p')
	if flags=$(pkg-config --cflags --libs sarc 2>"$tmp/pc.err") &&
		[ "$(pkg-config --modversion sarc)" = "$version" ]; then
		ok library_pkgconfig
	else
		fail library_pkgconfig "pkg-config: $(cat "$tmp/pc.err") version $(pkg-config --modversion sarc) vs $version"
		exit 0
	fi
else
	skip library_pkgconfig "pkg-config not installed (Debian package pkgconf): linking with -I and -L"
	flags="-I$stage/usr/include -L$stage/usr/lib -lsarc"
fi
# shellcheck disable=SC2086
if (cd "$tmp" && $cc $cflags $sanflags -o example example.c $flags) 2>"$tmp/cc.err"; then
	ok library_example_builds
else
	fail library_example_builds "$(head -5 "$tmp/cc.err" | tr '\n' ' ')"
	exit 0
fi
# ... and linked with libsarc.a, as README says
if command -v pkg-config >/dev/null 2>&1; then
	sflags=$(pkg-config --cflags sarc)
else
	sflags="-I$stage/usr/include"
fi
# shellcheck disable=SC2086
if (cd "$tmp" && $cc $cflags $sanflags -o example_static example.c $sflags \
	"$stage/usr/lib/libsarc.a" -lstemmer -ldeflate -lz -lm) 2>"$tmp/cc.err"; then
	ok library_example_builds_static
else
	fail library_example_builds_static "$(head -5 "$tmp/cc.err" | tr '\n' ' ')"
	exit 0
fi
if command -v readelf >/dev/null 2>&1; then
	if readelf -d "$tmp/example" | grep -q 'NEEDED.*\[libsarc\.so\.0\]' &&
		! readelf -d "$tmp/example_static" | grep -q 'libsarc'; then
		ok library_linked_shared
	else
		fail library_linked_shared "the example does not load libsarc.so.0, or the static one does"
	fi
else
	skip library_linked_shared "readelf not installed (Debian package binutils)"
fi

# Only the API is global: nm -g lists defined symbols as "VALUE TYPE NAME";
# -D, those the shared library exports.
for lib in libsarc.a libsarc.so; do
	case $lib in
	*.so) nm -D --defined-only "$stage/usr/lib/$lib" ;;
	*) nm -g --defined-only "$stage/usr/lib/$lib" ;;
	esac | awk 'NF == 3 { print $3 }' | sort >"$tmp/globals"
	others=$(grep -v '^sarc_' "$tmp/globals" | head -10 | tr '\n' ' ')
	undeclared=
	while read -r s; do
		grep -q "\\<$s(" "$stage/usr/include/sarc.h" || undeclared="$undeclared $s"
	done <"$tmp/globals"
	if [ ! -s "$tmp/globals" ]; then
		fail "library_symbols:$lib" "$lib defines no global symbol"
	elif [ -n "$others" ]; then
		fail "library_symbols:$lib" "global symbols besides sarc_*: $others"
	elif [ -n "$undeclared" ]; then
		fail "library_symbols:$lib" "not declared in sarc.h:$undeclared"
	else
		ok "library_symbols:$lib"
	fi
done

if [ ! -f "$CORPUS" ]; then
	skip library_same_as_query "no demo corpus $CORPUS"
	exit 0
fi
if ! "$X" -q -o "$tmp/idx" "$CORPUS" 2>"$tmp/x.err"; then
	fail library_same_as_query "sarc-index: $(cat "$tmp/x.err")"
	exit 0
fi

# same NAME QUERY [INDEX]: the example and sarc-query -k 20 in TSV print
# the same rows, exit with the same status and, on an error, give the same
# message after their program names.
same() {
	name=$1 query=$2 index=${3:-$tmp/idx}
	"$tmp/example" "$index" "$query" >"$tmp/ex.out" 2>"$tmp/ex.err"
	exst=$?
	# the static link prints the same, byte for byte
	"$tmp/example_static" "$index" "$query" >"$tmp/exs.out" 2>"$tmp/exs.err"
	if [ $? != $exst ] || ! cmp -s "$tmp/ex.out" "$tmp/exs.out" ||
		! cmp -s "$tmp/ex.err" "$tmp/exs.err"; then
		fail "library_same_as_query:$name" "libsarc.a and libsarc.so differ"
		return
	fi
	"$Q" -i "$index" -k 20 --format tsv --fields pmid,score,year,title "$query" \
		>"$tmp/q.out" 2>"$tmp/q.err"
	qst=$?
	sed 1d "$tmp/q.out" >"$tmp/q.rows"
	sed 's/^example: //' "$tmp/ex.err" >"$tmp/ex.msg"
	sed 's/^sarc-query: //' "$tmp/q.err" >"$tmp/q.msg"
	if [ $exst != $qst ]; then
		fail "library_same_as_query:$name" "exit status $exst, sarc-query's $qst: $(head -1 "$tmp/ex.err")"
	elif ! cmp -s "$tmp/ex.out" "$tmp/q.rows"; then
		fail "library_same_as_query:$name" "$(diff "$tmp/q.rows" "$tmp/ex.out" | head -5 | tr '\n' ' ')"
	elif [ $exst = 2 ] && ! cmp -s "$tmp/ex.msg" "$tmp/q.msg"; then
		fail "library_same_as_query:$name" "error '$(cat "$tmp/ex.msg")', sarc-query's '$(cat "$tmp/q.msg")'"
	elif [ $exst = 0 ] && [ ! -s "$tmp/ex.out" ]; then
		fail "library_same_as_query:$name" "exit status 0 and no hits"
	else
		ok "library_same_as_query:$name"
	fi
}
same plain 'leiomyosarcoma trabectedin'
same many 'sarcoma'
same phrase '"ewing sarcoma" EWS-FLI1'
same boolean 'gist AND (imatinib OR sunitinib) NOT review[pt]'
same prefix 'rhabdomyosarc* pax3'
same fields 'title:liposarcoma mdm2 year:2010..2025'
same no_match 'zzzqqqnomatch'
same bad_query '"unbalanced'
same no_index 'sarcoma' "$tmp/nonexistent"

if [ $san = 1 ]; then
	skip library_valgrind "the sanitized build: ASan and UBSan checked the example above"
elif ! command -v valgrind >/dev/null 2>&1; then
	skip library_valgrind "valgrind not installed (Debian package valgrind)"
else
	vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible"
	bad=
	for query in 'leiomyosarcoma trabectedin' 'sarcom* AND year:2000..2030' '"unbalanced'; do
		$vg "$tmp/example" "$tmp/idx" "$query" >/dev/null 2>"$tmp/vg.err"
		st=$?
		if [ $st -gt 2 ] || grep -q '^==[0-9]*==' "$tmp/vg.err"; then
			bad="$bad [$query: exit $st: $(grep '^==[0-9]*==' "$tmp/vg.err" | head -6 | tr '\n' ' ')]"
		fi
	done
	if [ -z "$bad" ]; then
		ok library_valgrind
	else
		fail library_valgrind "$bad"
	fi
fi

if make -C "$ROOT" -s --no-print-directory SAN=$san uninstall DESTDIR="$stage" PREFIX=/usr \
	>"$tmp/make.out" 2>&1 && [ -z "$(find "$stage" -type f)" ]; then
	ok library_uninstall
else
	fail library_uninstall "left: $(find "$stage" -type f | head -5 | tr '\n' ' ') $(tail -2 "$tmp/make.out")"
fi
