#!/bin/sh
# make_deps.sh - .ci/deps.sh, which `make deps`, `make check` and `make demo`
# run, against stand-ins for dpkg-query, id and apt-get: it installs what is
# missing as root, names it otherwise, and the demo asks only for what
# building needs (not the tests' xmllint and python3).
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/bin"
# dpkg-query -W -f=... PACKAGE: installed unless named in FAKE_MISSING.
cat >"$tmp/bin/dpkg-query" <<'EOF'
#!/bin/sh
for p; do :; done
case " $FAKE_MISSING " in *" $p "*) exit 1 ;; esac
printf 'install ok installed'
EOF
cat >"$tmp/bin/id" <<'EOF'
#!/bin/sh
echo "$FAKE_UID"
EOF
cat >"$tmp/bin/apt-get" <<'EOF'
#!/bin/sh
echo "$*" >>"$FAKE_APT"
EOF
chmod +x "$tmp/bin/dpkg-query" "$tmp/bin/id" "$tmp/bin/apt-get"
deps() { (PATH="$tmp/bin:$PATH" FAKE_APT="$tmp/apt.log" && export PATH FAKE_APT && sh "$ROOT/.ci/deps.sh" "$@"); }

# Not root, the tests' packages missing: the demo builds; the tests name them.
export FAKE_MISSING="libxml2-utils python3" FAKE_UID=1000
deps build 2>"$tmp/err1"
r1=$?
deps 2>"$tmp/err2"
r2=$?
if [ $r1 = 0 ] && [ ! -s "$tmp/err1" ] && [ $r2 = 1 ] &&
	grep -q 'missing Debian packages: libxml2-utils python3' "$tmp/err2"; then
	ok deps_demo_without_test_packages
else
	fail deps_demo_without_test_packages "build: exit $r1 $(cat "$tmp/err1"); all: exit $r2 $(cat "$tmp/err2")"
fi

# Root on a bare machine: one install of exactly what is missing.
export FAKE_MISSING="gcc libxml2-dev libxml2-utils python3" FAKE_UID=0
deps build 2>/dev/null
r1=$?
i1=$(grep install "$tmp/apt.log")
: >"$tmp/apt.log"
deps 2>/dev/null
r2=$?
i2=$(grep install "$tmp/apt.log")
if [ $r1 = 0 ] && [ "$i1" = "install -y -qq gcc libxml2-dev" ] && [ $r2 = 0 ] &&
	[ "$i2" = "install -y -qq gcc libxml2-dev libxml2-utils python3" ]; then
	ok deps_root_installs_missing
else
	fail deps_root_installs_missing "build: exit $r1, '$i1'; all: exit $r2, '$i2'"
fi

# make demo asks for the build packages only; make check for all of them.
if command -v make >/dev/null 2>&1; then
	d=$(make -n -C "$ROOT" demo 2>/dev/null | grep 'deps\.sh')
	c=$(make -n -C "$ROOT" check 2>/dev/null | grep 'deps\.sh')
	if [ "$d" = "sh .ci/deps.sh build" ] && [ "$c" = "sh .ci/deps.sh" ]; then
		ok make_demo_deps
	else
		fail make_demo_deps "make demo runs '$d', make check '$c'"
	fi
else
	skip make_demo_deps "no make"
fi
