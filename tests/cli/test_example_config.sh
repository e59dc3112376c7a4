#!/bin/sh
# The shipped etc/crmsync.conf checks OK against the built plugins; an unknown
# key in [object contact] fails naming file, line, section and key; a broken
# mapping file fails naming file, line and column.
set -u
: "${top_srcdir:?run me through make check}" "${top_builddir:?run me through make check}"
CRMSYNC="$top_builddir/crmsync"
CRMSYNC_PLUGIN_DIR="$top_builddir/plugins/build"
export CRMSYNC_PLUGIN_DIR
T=$(mktemp -d /tmp/crmsync-example-XXXXXX) || exit 99
trap 'rm -rf "$T"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

out=$("$CRMSYNC" check-config "$top_srcdir/etc/crmsync.conf" 2>&1) ||
	fail "etc/crmsync.conf does not check: $out"
echo "$out" | grep -q ": OK (" || fail "no OK line: $out"

mkdir "$T/mappings"
cp "$top_srcdir"/etc/mappings/*.yaml "$T/mappings/"
sed 's/^create_as = lead$/create_as = lead\ncreate_ass = contact/' "$top_srcdir/etc/crmsync.conf" > "$T/unknown.conf"
line=$(grep -n '^create_ass' "$T/unknown.conf" | cut -d: -f1)
out=$("$CRMSYNC" check-config "$T/unknown.conf" 2>&1) && fail "an unknown key passed"
echo "$out" | grep -qF "$T/unknown.conf:$line: [object contact] create_ass: unknown key (did you mean 'create_as'?)" ||
	fail "the unknown key is not named with file, line, section and key: $out"

printf 'object: contact\nfields:\n  - hubspot: email\n    salesforce: Email\n    rule: sideways\n' > "$T/mappings/contact.yaml"
cp "$top_srcdir/etc/crmsync.conf" "$T/badmap.conf"
out=$("$CRMSYNC" check-config "$T/badmap.conf" 2>&1) && fail "a broken mapping passed"
echo "$out" | grep -q "$T/mappings/contact.yaml:5:[0-9]*: unknown rule 'sideways'" ||
	fail "the broken mapping is not named with file, line and column: $out"
exit $failed
