#!/bin/sh
# test_daemon.sh - crmsyncd as a real process: starts every component,
# reloads on SIGHUP, and stops cleanly (exit 0, every fini run) on SIGTERM.
. "$top_srcdir/tests/cli/lib.sh"

CRMSYNC_FIXTURE_TRACE="$T/trace"
export CRMSYNC_FIXTURE_TRACE
write_good_config "$T/d.conf"

# wait_for FILE TEXT: up to 5 s
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
wait_for "$T/d.err" "started with '$T/d.conf'" || fail "crmsyncd did not start"
has "$T/d.err" "object contact: enabled (plugin good 1.2.3)"
has "$T/d.err" "object off: disabled"
has "$T/trace" "object-init contact name=Alice"
lacks "$T/trace" "object-init off"

kill -HUP $pid
wait_for "$T/d.err" "reloading '$T/d.conf'" || fail "no reload logged after SIGHUP"
# the fresh config's instances start, then the old ones stop
wait_for "$T/trace" "object-fini contact" || fail "the old instances were not stopped"
[ "$(grep -c 'object-init contact' "$T/trace")" = 2 ] || fail "the reload did not start the object again"
kill -0 $pid 2>/dev/null || fail "crmsyncd died on SIGHUP"

# a broken config on reload keeps the running one
printf '[object broken]\nplugin = good\n' >> "$T/d.conf"
kill -HUP $pid
wait_for "$T/d.err" "reload failed; keeping the running configuration" || fail "bad reload not reported"
has "$T/d.err" "[object broken] name: missing required key"
kill -0 $pid 2>/dev/null || fail "crmsyncd died on a bad reload"

kill -TERM $pid
i=0
while kill -0 $pid 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 30 ]; then
		fail "crmsyncd still running 3 s after SIGTERM"
		kill -KILL $pid
		break
	fi
	sleep 0.1
done
wait $pid
rc=$?
[ $rc = 0 ] || fail "crmsyncd exited $rc after SIGTERM"
has "$T/d.err" "stopping on signal 15"
has "$T/trace" "notifier-fini"
# the pairing of init and fini across a reload: see test_daemon_reload.sh
finish
