#!/bin/sh
# SIGKILL crmsyncd at random points of an initial sync, restart it each time,
# and end with exactly what an uninterrupted sync of the same data gives:
# no duplicate and no lost record. CRASH_RECORDS and CRASH_KILLS size it
# (make check: 2000 and 6; make soak: 10000 and 20).
. "$top_srcdir/tests/integration/lib.sh"

records=${CRASH_RECORDS:-2000}
kills=${CRASH_KILLS:-6}
seed=23

rand_ms() { # a random delay in [0, $1) milliseconds
	echo $(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % $1 ))
}


# --- the reference: one uninterrupted run -----------------------------------
start_sim --seed $seed --records "$records" --dirty 0.05
t0=$(date +%s%N)
sync_once || fail "reference sync did not finish"
t1=$(date +%s%N)
converge
ref=$(counts)
echo "reference: $ref (Lead Contact HubSpot); first cycle $(( (t1 - t0) / 1000000 )) ms"
kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null || true
SIM_PID=
rm -f "$WORK"/state.db*

# --- the same data, with crmsyncd killed again and again ---------------------
start_sim --seed $seed --records "$records" --dirty 0.05
span=$(( (t1 - t0) / 1000000 ))
[ "$span" -ge 200 ] || span=200
k=0
tries=0
edits=0
while [ "$k" -lt "$kills" ] && [ "$tries" -lt $((kills * 4)) ]; do
	tries=$((tries + 1))
	"$B/crmsyncd" -c "$WORK/crmsync.conf" --once 2>> "$WORK/crmsyncd.log" &
	pid=$!
	d=$(rand_ms "$span")
	sleep "$(awk "BEGIN { print $d / 1000 }")"
	if kill -KILL "$pid" 2>/dev/null; then
		k=$((k + 1))
		wait "$pid" 2>/dev/null || true
		continue
	fi
	wait "$pid" 2>/dev/null || true
	# that run finished: users keep editing, so there is work to crash again
	sf_dump Lead | jq -r '[.[] | select((.IsDeleted // false) == false and (.IsConverted // false) == false) | .Id] | .[:40][]' |
	while read -r id; do
		curl -sf -X PATCH -H 'Content-Type: application/json' \
			-d "{\"Title\":\"Crash test $tries\"}" "$SF/__admin/records/Lead/$id" > /dev/null ||
			echo "edit of Lead $id refused" >&2
	done
	edits=$((edits + 40))
done
[ "$k" -ge "$kills" ] || fail "crmsyncd was killed only $k times of $kills"
echo "killed crmsyncd $k times ($edits user edits in between)"
converge
got=$(counts)
echo "after crashes: $got"
[ "$got" = "$ref" ] || fail "record counts differ from an uninterrupted sync: $got vs $ref"
d=$(dup_ext_ids)
[ "$d" -eq 0 ] || fail "$d external ids appear on more than one Salesforce record"
m=$(mismatches)
[ "$m" -eq 0 ] || fail "$m pairs differ after the crashes"
echo "ok: no duplicate, no loss after $k kills"
