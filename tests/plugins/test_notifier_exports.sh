#!/bin/sh
# The notifier plugins export one symbol, crmsync_plugin: the helpers they
# share (common/: SHA-256, HMAC, URL checks, buffers) stay hidden, so two
# plugins loaded side by side cannot bind to each other's copies.
set -u
: "${top_builddir:?run me through make check}"
command -v nm >/dev/null 2>&1 || { echo "SKIP: no nm"; exit 77; }
failed=0
for p in email slack webhook; do
	so="$top_builddir/plugins/build/$p.so"
	[ -e "$so" ] || { echo "SKIP: $p not built"; continue; }
	# defined dynamic symbols, without the linker's own (_init, _end, ...)
	syms=$(nm -D --defined-only "$so" | awk '{ print $3 }' | grep -v '^_' | sort)
	if [ "$syms" != "crmsync_plugin" ]; then
		echo "FAIL: $p.so exports:" $syms
		failed=1
	fi
done
exit $failed
