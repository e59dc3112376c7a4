#!/bin/sh
# Configure, build and run the whole test suite in a build directory.
#   scripts/test.sh               -Werror build, make check, make distcheck
#   scripts/test.sh --sanitizers  the same suite under ASan + UBSan (no distcheck)
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)
[ -x configure ] || autoreconf -fi
if [ "${1:-}" = "--sanitizers" ]; then
	dir=build-asan
	flags="--enable-werror --enable-sanitizers"
else
	dir=build
	flags="--enable-werror"
fi
mkdir -p "$dir"
cd "$dir"
# shellcheck disable=SC2086
"$top/configure" $flags CFLAGS="${CFLAGS:--O1 -g}"
make -j"$jobs"
if ! make -j"$jobs" check; then
	find . -name '*.log' -path '*tests*' -newer Makefile -exec sh -c \
		'grep -lE "^(FAIL|ERROR)" "$1" >/dev/null 2>&1 || grep -qE "FAIL|ERROR" "$1" && { echo "=== $1"; tail -50 "$1"; }' _ {} \; 2>/dev/null || true
	cat test-suite.log 2>/dev/null | tail -200
	exit 1
fi
if [ "$dir" = build ]; then
	make -j"$jobs" distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror
fi
echo "all tests passed ($dir)"
