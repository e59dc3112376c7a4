#!/bin/sh
# Notifications end to end: crmsyncd with the real email and webhook notifier
# plugins, crmsync-sim, an SMTP sink and a webhook receiver that checks the
# signature, over loopback. An immediate channel tells new errors once and
# the pause of the sync once; a daily digest reaches the SMTP sink once at its
# slot on the daemon's clock, not again after a daemon restart, and again the
# next day; a channel that fails shows in `crmsync status` and catches up;
# no log line holds the SMTP password or the webhook secret.
. "$top_srcdir/tests/integration/lib.sh"

CLI() { "$B/crmsync" -c "$WORK/crmsync.conf" "$@"; }
export TZ=UTC
SINK_PID=
RECV_PID=
stop_tools() {
	for p in $SINK_PID $RECV_PID; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	SINK_PID=
	RECV_PID=
}
trap 'stop_tools; cleanup' EXIT INT TERM

# start_tool NAME ARGS...: waits for its ready line, sets PORT
start_tool() {
	name=$1
	shift
	rm -f "$WORK/$name.ready"
	"$B/tests/tools/$name" "$@" > "$WORK/$name.ready" 2> "$WORK/$name.log" &
	TOOL_PID=$!
	i=0
	until grep -q "ready port=" "$WORK/$name.ready" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le 100 ] && kill -0 $TOOL_PID 2>/dev/null || fail "$name did not start: $(cat "$WORK/$name.log")"
		sleep 0.1
	done
	PORT=$(sed -n 's/.*ready port=\([0-9]*\).*/\1/p' "$WORK/$name.ready")
}

start_sim --seed 5 --records 200 --dirty 0.1
umask 077
printf 'smtp-Pa55word-XYZ' > "$WORK/smtp.pw"
printf 'hook-S3cret-QRS' > "$WORK/hook.secret"
umask 022
mkdir -p "$WORK/mail" "$WORK/hooks"
start_tool smtp_sink --dir "$WORK/mail" --user crmsync --password-file "$WORK/smtp.pw"
SINK_PID=$TOOL_PID
SMTP_PORT=$PORT
start_tool webhook_recv --dir "$WORK/hooks" --secret-file "$WORK/hook.secret"
RECV_PID=$TOOL_PID
HOOK_PORT=$PORT

write_config ""
cat >> "$WORK/crmsync.conf" <<EOF
[notifier hook]
plugin = webhook
url = http://127.0.0.1:$HOOK_PORT/crmsync
secret_file = $WORK/hook.secret
frequency = immediate
[notifier mail]
plugin = email
url = smtp://127.0.0.1:$SMTP_PORT
starttls = off
username = crmsync
password_file = $WORK/smtp.pw
from = crmsync@example.org
to = admin@example.org
frequency = daily
digest_time = 08:00
EOF
CLI check-config "$WORK/crmsync.conf" > /dev/null || fail "the config with notifiers does not check"

hooks() { ls "$WORK/hooks" | grep -c '\.json$' || true; }
# digests received (events go to every channel, the mail one too)
mails() { cat "$WORK"/mail/*.eml "$WORK"/mail2/*.eml 2>/dev/null | grep -c '^Subject: crmsync daily digest' || true; }

# --- immediate: new errors once (the webhook wants the real clock: it refuses
# timestamps five minutes off) ----------------------------------------------
sync_once || fail "first sync"
[ "$(hooks)" -eq 1 ] || fail "the immediate channel got $(hooks) messages after the first sync, not 1"
grep -qx ok "$WORK/hooks/req-1.verified" || fail "the webhook signature did not verify: $(cat "$WORK/hooks/req-1.verified")"
jq -e '.kind == "event" and (.subject | test("new sync error"))' "$WORK/hooks/req-1.json" > /dev/null ||
	fail "the first webhook message is not the new-errors event"
n_errors=$(sqlite3 "$WORK/state.db" "SELECT count(*) FROM sync_error")
jq -e --argjson n "$n_errors" '.subject | test("\\(\($n) current\\)")' "$WORK/hooks/req-1.json" > /dev/null ||
	fail "the message does not count $n_errors current errors: $(jq .subject "$WORK/hooks/req-1.json")"
sync_once || fail "second sync"
[ "$(hooks)" -eq 1 ] || fail "errors already told were told again"
[ "$(mails)" -eq 0 ] || fail "the daily channel sent a digest before its slot"

# --- an event: the sync pauses (allocation spent), once; then resumes, once ----
CLI allocation set 1 > /dev/null
sync_once || true
sync_once || true
jq -s -e 'map(select(.subject | test("crmsync paused"))) | length == 1' "$WORK"/hooks/req-*.json > /dev/null ||
	fail "the pause was not told exactly once"
CLI allocation set 100000 > /dev/null
sync_once || fail "sync after the allocation was raised"
grep -l "^Subject: crmsync paused" "$WORK"/mail/*.eml > /dev/null || fail "the pause did not reach the mail channel"
jq -s -e 'map(select(.subject | test("crmsync resumed"))) | length == 1' "$WORK"/hooks/req-*.json > /dev/null ||
	fail "the resume was not told exactly once"

# --- daily digest on the daemon's clock --------------------------------------
DAY=86400000
D1=$(( $(date -u -d 2027-01-15T00:00:00Z +%s) * 1000 ))
H8=$((8 * 3600000))
# the channel's first slot is planned from the first time it ran (today, real
# time): move the schedule to Jan 15, 08:00 as a fresh channel would have it
sqlite3 "$WORK/state.db" "UPDATE notify SET next_digest_at = $((D1 + H8)) WHERE channel = 'mail'"
CRMSYNC_FAKE_NOW_MS=$((D1 + H8 - 60000)) sync_once || fail "sync at 07:59"
[ "$(mails)" -eq 0 ] || fail "the digest went before 08:00"
# the daemon itself, across a restart: up at 08:01 (sends), down, up at 08:03
sed -i 's/^\[core\]/[core]\ninterval = 1h/' "$WORK/crmsync.conf"
run_daemon() {
	CRMSYNC_FAKE_NOW_MS=$1 "$B/crmsyncd" -c "$WORK/crmsync.conf" 2>> "$WORK/daemon.log" &
	dpid=$!
	i=0
	until [ "$(grep -cE "object contact: (ok|partial|failed|paused)" "$WORK/daemon.log")" -gt "$2" ]; do
		i=$((i + 1)); [ $i -le 300 ] || { kill $dpid; fail "the daemon's cycle did not end"; }
		sleep 0.1
	done
	sleep 0.5
	kill -TERM $dpid
	wait $dpid || fail "the daemon did not stop cleanly"
}
touch "$WORK/daemon.log"
run_daemon $((D1 + H8 + 60000)) 0
[ "$(mails)" -eq 1 ] || fail "$(mails) digests at 08:01, not 1"
run_daemon $((D1 + H8 + 180000)) 1
[ "$(mails)" -eq 1 ] || fail "the digest was sent again after a restart"
m=$(grep -l '^Subject: crmsync daily digest' "$WORK"/mail/*.eml)
grep -q "^Subject: crmsync daily digest: " "$m" || fail "the digest's subject: $(grep ^Subject "$m")"
grep -q "^X-Envelope-To: <\?admin@example.org" "$m" || fail "the digest was not sent to the admin"
grep -qi "records affected" "$m" || fail "the digest has no per-type counts"
grep -qi "picklist" "$m" || fail "the digest does not name the picklist errors"

# --- a failing channel shows in status and catches up -------------------------
kill $SINK_PID; wait $SINK_PID 2>/dev/null || true; SINK_PID=
CRMSYNC_FAKE_NOW_MS=$((D1 + DAY + H8 + 60000)) sync_once || fail "sync on day 2"
CLI status > "$WORK/status.txt"
grep -q "mail .*FAILING" "$WORK/status.txt" || fail "status does not show the failing channel: $(grep -A2 Notifier "$WORK/status.txt")"
CLI status --json | jq -e '.notifiers[] | select(.name == "mail") | .failures == 1' > /dev/null ||
	fail "status --json does not count the failure"
mkdir -p "$WORK/mail2"
start_tool smtp_sink --dir "$WORK/mail2" --user crmsync --password-file "$WORK/smtp.pw"
SINK_PID=$TOOL_PID
sed -i "s|^url = smtp://127.0.0.1:.*|url = smtp://127.0.0.1:$PORT|" "$WORK/crmsync.conf"
CRMSYNC_FAKE_NOW_MS=$((D1 + DAY + H8 + 90000)) sync_once || fail "sync inside the backoff"
[ "$(mails)" -eq 1 ] || fail "the channel was retried inside its backoff"
CRMSYNC_FAKE_NOW_MS=$((D1 + DAY + H8 + 180000)) sync_once || fail "sync after the backoff"
[ "$(mails)" -eq 2 ] || fail "the day-2 digest did not arrive after the channel came back"
CRMSYNC_FAKE_NOW_MS=$((D1 + DAY + H8 + 600000)) sync_once || fail "sync later on day 2"
[ "$(mails)" -eq 2 ] || fail "the day-2 digest arrived twice"
CLI status | grep -q "mail .*daily *ok" || fail "status still shows the channel failing"

# --- secrets never logged -----------------------------------------------------
for f in "$WORK"/*.log; do
	! grep -q "smtp-Pa55word-XYZ\|hook-S3cret-QRS" "$f" || fail "a secret is in $f"
done
echo "notifications: $(hooks) webhook messages, $(mails) digests, each once"
