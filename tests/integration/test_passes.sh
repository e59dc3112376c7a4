#!/bin/sh
# A cycle in passes ([core] batch_records = 100): one crmsyncd --once syncs
# a few hundred records per side in several passes and ends where a sync in
# one pass ends (same pairs, no duplicate external id, every pair in step);
# 250 records sharing one modification time still sync; SIGTERM between
# passes stops with the finished passes' cursors, SIGKILL loses nothing.
. "$top_srcdir/tests/integration/lib.sh"

seed=31
records=300

counts_pairs() { # live Leads, Contacts, HubSpot contacts, pairs
	echo "$(counts) $(pairs_json | jq length)"
}
# same_as_one_pass WHEN: the data equals the one-pass sync's
same_as_one_pass() {
	got=$(counts_pairs)
	[ "$got" = "$ref" ] || fail "$1: $got, in one pass: $ref"
	d=$(dup_ext_ids)
	[ "$d" -eq 0 ] || fail "$d external ids appear on more than one Salesforce record ($1)"
	m=$(mismatches)
	[ "$m" -eq 0 ] || fail "$m pairs differ ($1)"
}

# The seeded people, then a group written under a frozen clock: 250 HubSpot
# contacts and 150 Leads with one modification time per side, 100 of them
# the same people (same email) on both sides.
start_data() {
	start_sim --seed $seed --records $records --dirty 0.05
	curl -sf -X POST -d '{"freeze":true}' "$SF/__admin/clock" > /dev/null || fail "cannot stop the clock"
	i=0
	while [ $i -lt 300 ]; do
		if [ $i -lt 250 ]; then
			curl -sf -X POST -H 'Content-Type: application/json' \
				-d "{\"properties\":{\"email\":\"group.$i@example.org\",\"firstname\":\"Group\",\"lastname\":\"H$i\",\"company\":\"Group Inc\"}}" \
				"$HS/__admin/records/contacts" > /dev/null || fail "cannot create HubSpot group.$i"
		fi
		if [ $i -ge 150 ]; then
			curl -sf -X POST -H 'Content-Type: application/json' \
				-d "{\"Email\":\"group.$i@example.org\",\"FirstName\":\"Group\",\"LastName\":\"S$i\",\"Company\":\"Group Inc\"}" \
				"$SF/__admin/records/Lead" > /dev/null || fail "cannot create Lead group.$i"
		fi
		i=$((i + 1))
	done
	curl -sf -X POST -d '{"freeze":false}' "$SF/__admin/clock" > /dev/null || fail "cannot restart the clock"
	n=$(hs_dump | jq '[.[] | select(.properties.email // "" | startswith("group.")) | .properties.lastmodifieddate] | unique | length')
	[ "$n" -eq 1 ] || fail "the HubSpot group has $n modification times, not one"
	n=$(sf_dump Lead | jq '[.[] | select(.Email // "" | startswith("group.")) | .SystemModstamp] | unique | length')
	[ "$n" -eq 1 ] || fail "the Salesforce group has $n modification times, not one"
}

# every group email once on each side, the 100 shared ones paired once
check_group() {
	h=$(hs_dump | jq '[.[] | select(.archived == false) | .properties.email // "" | select(startswith("group."))] | (length == 300 and (unique | length) == 300)')
	[ "$h" = true ] || fail "the group emails are not each once in HubSpot"
	s=$(sf_dump Lead | jq '[.[] | select((.IsDeleted // false) == false) | .Email // "" | select(startswith("group."))] | (length == 300 and (unique | length) == 300)')
	[ "$s" = true ] || fail "the group emails are not each once among the Leads"
}

restart_data() {
	kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null || true
	SIM_PID=
	rm -f "$WORK"/state.db*
	start_data
}

# --- the reference: one pass (the default batch_records) --------------------
start_data
sync_once || fail "reference sync did not finish"
grep -q "pass 2:" "$WORK/crmsyncd.log" && fail "the reference sync ran in several passes"
converge
ref=$(counts_pairs)
ref_err=$(sqlite3 "$WORK/state.db" "SELECT count(*) || ' ' || sum(type <> 'duplicate') FROM sync_error")
check_group
echo "reference (one pass): $ref (Leads Contacts HubSpot pairs), errors (all, not duplicate-rule): $ref_err"

# --- the same data in passes of 100 -----------------------------------------
restart_data
CORE_EXTRA="batch_records = 100"
write_config ""
: > "$WORK/crmsyncd.log"
sync_once || fail "the sync in passes did not finish"
passes=$(status_json | jq -r '.objects[] | select(.object == "contact") | .message' | sed -n 's/.*passes \([0-9]*\).*/\1/p')
[ "${passes:-0}" -ge 5 ] || fail "the first sync ran in ${passes:-?} passes, expected 5 or more"
grep -q "pass 2: .*more to read" "$WORK/crmsyncd.log" || fail "the log does not show the passes"
grep -Eq "pass [0-9]+: [0-9]+ HubSpot .*, the last" "$WORK/crmsyncd.log" || fail "the log does not show the last pass"
# each side's group sharing one time was taken by one pass, past the limit
# (the HubSpot group is smaller by then: the shared people's contacts were
# written when their Leads synced, and moved on to newer times)
hs_most=$(sed -n 's/.*pass [0-9]*: \([0-9]*\) HubSpot.*/\1/p' "$WORK/crmsyncd.log" | sort -n | tail -1)
sf_most=$(sed -n 's/.*pass [0-9]*: [0-9]* HubSpot and \([0-9]*\) Salesforce.*/\1/p' "$WORK/crmsyncd.log" | sort -n | tail -1)
[ "$hs_most" -ge 150 ] || fail "no pass took the HubSpot group past the limit (at most $hs_most)"
[ "$sf_most" -ge 150 ] || fail "no pass took the 150 Leads sharing one time (at most $sf_most)"
converge
same_as_one_pass "in passes"
# the same refusals, but for which of two Salesforce records sharing an
# email is synced: in one pass the oldest, in passes the one read first
# (the other is reported as ambiguous either way)
got_err=$(sqlite3 "$WORK/state.db" "SELECT count(*) FROM sync_error WHERE type <> 'duplicate'")
ref_nodup=$(echo "$ref_err" | cut -d' ' -f2)
[ "$got_err" = "$ref_nodup" ] || fail "$got_err errors in passes, $ref_nodup in one pass (duplicates aside)"
check_group
echo "in $passes passes of 100: $got, errors (not duplicate-rule): $got_err"

# --- SIGTERM between passes, then SIGKILL, then a restart -------------------
restart_data
: > "$WORK/crmsyncd.log"
wait_log() { # PATTERN: until the running crmsyncd logs it
	i=0
	until grep -q "$1" "$WORK/crmsyncd.log"; do
		i=$((i + 1))
		[ $i -le 600 ] && kill -0 "$pid" 2>/dev/null || fail "crmsyncd did not log '$1'"
		sleep 0.05
	done
}
"$B/crmsyncd" -c "$WORK/crmsync.conf" --once 2>> "$WORK/crmsyncd.log" &
pid=$!
wait_log "pass 1:"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" -ne 0 ] || fail "a stopped cycle exited 0"
# the signal lands between passes ("stopping after pass 1") or in pass 2's
# first call (cancelled: the cycle failed); pass 1's cursors stay either way
st=$(last status)
[ "$st" = '"partial"' ] || [ "$st" = '"failed"' ] || fail "the stopped cycle's status is $st"
cur=$(sqlite3 "$WORK/state.db" "SELECT value FROM cursor WHERE object = 'contact' AND side = 1")
[ -n "$cur" ] || fail "no HubSpot cursor after a pass and a SIGTERM"
[ "$(sqlite3 "$WORK/state.db" "SELECT count(*) FROM idmap")" -gt 0 ] || fail "pass 1 stored no pair"
echo "SIGTERM after pass 1: status $st, HubSpot cursor $cur"

"$B/crmsyncd" -c "$WORK/crmsync.conf" --once 2>> "$WORK/crmsyncd.log" &
pid=$!
wait_log "pass 2:"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
cur2=$(sqlite3 "$WORK/state.db" "SELECT value FROM cursor WHERE object = 'contact' AND side = 1")
[ "$cur2" -ge "$cur" ] || fail "the HubSpot cursor went back from $cur to $cur2"
converge
same_as_one_pass "after SIGTERM and SIGKILL between passes"
check_group
echo "ok: passes equal one pass; a group of 250 sharing one time syncs; stop and kill lose nothing"
