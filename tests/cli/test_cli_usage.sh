#!/bin/sh
# test_cli_usage.sh - --help, --version and usage errors of both programs:
# exit 0 for help and version, 2 for a bad option or an unknown command.
. "$top_srcdir/tests/cli/lib.sh"

for prog in "$CRMSYNC" "$CRMSYNCD"; do
	name=$(basename "$prog")
	run 0 "$prog" --help
	has "$T/out" "usage: $name"
	run 0 "$prog" -h
	has "$T/out" "usage: $name"
	run 0 "$prog" --version
	has "$T/out" "$name 0."
	has "$T/out" "plugin ABI $ABI"
	run 2 "$prog" --no-such-option
	has "$T/err" "usage: $name"
	run 2 "$prog" -c
done

run 2 "$CRMSYNC"
has "$T/err" "usage: crmsync"
run 2 "$CRMSYNC" frobnicate
has "$T/err" "unknown command 'frobnicate'"
run 2 "$CRMSYNC" plugins
has "$T/err" "crmsync plugins list"
run 2 "$CRMSYNC" plugins describe
run 2 "$CRMSYNC" plugins describe a b
run 2 "$CRMSYNC" plugins list extra
run 2 "$CRMSYNC" check-config a b
run 0 "$CRMSYNC" help
has "$T/out" "check-config"
run 2 "$CRMSYNCD" extra-argument
has "$T/err" "usage: crmsyncd"
finish
