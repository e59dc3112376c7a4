#!/bin/sh
# test_daemon_reload.sh - across a SIGHUP reload, a plugin's init and fini
# must pair up: init once per loaded .so, fini only when nothing uses it, and
# every instance callback after the reload still sees the host table.
#
# EXPECTED TO FAIL (XFAIL_TESTS) until core/main.c reloads without it: each
# config has its own struct loader, so during a reload the same .so (one
# dlopen handle, one set of statics) gets a second desc.init, and releasing
# the old config then runs desc.fini while the new config's instances still
# use the plugin: the good fixture's fini clears its host pointer and the new
# instances' fini log "object-fini ?". Fix: one process-wide loader that
# outlives configs (plugins loaded once, fini at exit or when unused).
. "$top_srcdir/tests/cli/lib.sh"

CRMSYNC_FIXTURE_TRACE="$T/trace"
export CRMSYNC_FIXTURE_TRACE
write_good_config "$T/d.conf"

wait_for() {
	i=0
	while ! grep -qF -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 50 ] && return 1
		sleep 0.1
	done
}

"$CRMSYNCD" -c "$T/d.conf" > "$T/d.out" 2> "$T/d.err" &
pid=$!
wait_for "$T/d.err" "started with" || fail "crmsyncd did not start"
kill -HUP $pid
wait_for "$T/trace" "object-fini" || fail "the old instances were not stopped"
kill -TERM $pid
wait $pid || fail "crmsyncd did not exit 0"

[ "$(grep -c '^plugin-init good$' "$T/trace")" = 1 ] ||
	fail "plugin init ran $(grep -c '^plugin-init good$' "$T/trace") times for one .so"
[ "$(grep -c '^plugin-fini good$' "$T/trace")" = 1 ] ||
	fail "plugin fini ran $(grep -c '^plugin-fini good$' "$T/trace") times for one .so"
[ "$(tail -n 1 "$T/trace")" = "plugin-fini good" ] || fail "plugin fini ran before the last instance stopped"
[ "$(grep -c '^object-fini contact$' "$T/trace")" = 2 ] || fail "an instance was stopped without its host"
lacks "$T/trace" "fini ?"
finish
