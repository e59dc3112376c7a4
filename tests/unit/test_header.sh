#!/bin/sh
# test_header.sh - the installed header stands alone: it includes nothing but
# <stdarg.h>, <stddef.h> and <stdint.h>, and compiles by itself as strict C99
# and as C++11 with the compilers configure found (from header-env.sh, which
# `make check` writes).
set -u
: "${top_srcdir:?run me through make check}" "${top_builddir:?run me through make check}"
hdr="$top_srcdir/include/crmsync/plugin.h"
fail=0

includes=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*//p' "$hdr" | sort | tr '\n' ' ')
if [ "$includes" != "<stdarg.h> <stddef.h> <stdint.h> " ]; then
	echo "FAIL: plugin.h must include only <stdarg.h> <stddef.h> <stdint.h>, it includes: $includes"
	fail=1
fi

. "$top_builddir/tests/unit/header-env.sh" || exit 99
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
printf '#include <crmsync/plugin.h>\n' > "$tmp/h.c"
cp "$tmp/h.c" "$tmp/h.cc"

if ! $CC -std=c99 -pedantic -Werror -Wall -Wextra -fsyntax-only -I"$top_srcdir/include" "$tmp/h.c"; then
	echo "FAIL: plugin.h does not compile alone with $CC -std=c99 -pedantic -Werror"
	fail=1
fi
if ! $CXX -std=c++11 -pedantic -Werror -Wall -Wextra -fsyntax-only -I"$top_srcdir/include" "$tmp/h.cc"; then
	echo "FAIL: plugin.h does not compile alone with $CXX -std=c++11 -pedantic -Werror"
	fail=1
fi
# a second inclusion must be harmless (include guard)
printf '#include <crmsync/plugin.h>\n#include <crmsync/plugin.h>\n' > "$tmp/twice.c"
if ! $CC -std=c99 -pedantic -Werror -fsyntax-only -I"$top_srcdir/include" "$tmp/twice.c"; then
	echo "FAIL: plugin.h cannot be included twice"
	fail=1
fi
[ $fail = 0 ] && echo "plugin.h: self-contained, C99 and C++11 clean"
exit $fail
