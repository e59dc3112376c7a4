# lib.sh - sourced by the tests/cli/ scripts: a private directory with a
# plugin directory holding the `good` fixture, and small assertions. Each
# failed assertion prints what was expected and what came, and the script
# exits 1 at the end.
set -u
: "${top_srcdir:?run me through make check}" "${top_builddir:?run me through make check}"
CRMSYNC="$top_builddir/crmsync"
CRMSYNCD="$top_builddir/crmsyncd"
FIXTURES="$top_builddir/tests/fixtures/.libs"
# the ABI the header declares, e.g. "1.0": what the programs must report
abi_field() {
	sed -n "s/^#define CRMSYNC_ABI_$1 \([0-9]*\).*/\1/p" "$top_srcdir/include/crmsync/plugin.h"
}
ABI="$(abi_field MAJOR).$(abi_field MINOR)"
ABI_NEXT_MAJOR="$(($(abi_field MAJOR) + 1)).0"
T=$(mktemp -d "${TMPDIR:-/tmp}/crmsync-cli-XXXXXX") || exit 99
chmod 755 "$T"
mkdir -m 755 "$T/plugins"
cp "$FIXTURES/good.so" "$T/plugins/good.so" || exit 99
chmod 755 "$T/plugins/good.so"
CRMSYNC_PLUGIN_DIR="$T/plugins"
export CRMSYNC_PLUGIN_DIR
unset CRMSYNC_CONFIG
failed=0
trap 'rm -rf "$T"' EXIT

fail() {
	echo "FAIL: $*"
	failed=1
}

# run EXPECTED_EXIT CMD...: runs CMD, output in $T/out and $T/err
run() {
	want=$1
	shift
	"$@" > "$T/out" 2> "$T/err"
	got=$?
	if [ "$got" != "$want" ]; then
		fail "'$*' exited $got, not $want"
		sed 's/^/  stdout: /' "$T/out"
		sed 's/^/  stderr: /' "$T/err"
	fi
}

# has FILE TEXT: FILE contains the fixed string TEXT
has() {
	grep -qF -- "$2" "$1" || { fail "$1 lacks '$2'"; sed 's/^/  | /' "$1"; }
}

lacks() {
	! grep -qF -- "$2" "$1" || { fail "$1 contains '$2'"; sed 's/^/  | /' "$1"; }
}

# A valid config using the good fixture for all three kinds.
write_good_config() {
	mkdir -p "$T/mappings"
	printf 'object: contact\nfields:\n  - hubspot: email\n    salesforce: Email\n' > "$T/mappings/good.yaml"
	cat > "$1" <<INI
[core]
state = state.db
interval = 1m
log_level = info
mappings_dir = $T/mappings

[object contact]
plugin = good
name = Alice
retries = 4

[object off]
plugin = good
name = Bob
enabled = no

[resolver dup]
plugin = good

[notifier ops]
plugin = good
frequency = daily

[dispatch]
DUPLICATE_VALUE = dup
INI
}

finish() {
	exit $failed
}
