#!/bin/sh
# 429, 5xx, connection resets and truncated bodies on 5% of the calls of both
# services: the sync still ends where a fault-free sync ends.
. "$top_srcdir/tests/integration/lib.sh"

records=${FAULT_RECORDS:-1500}
seed=31

faults() {
	for base in "$SF" "$HS"; do
		curl -sf -X POST -H 'Content-Type: application/json' -d "$1" "$base/__admin/faults" > /dev/null ||
			fail "cannot set faults on $base"
	done
}

start_sim --seed $seed --records "$records" --dirty 0.05
sync_once || fail "reference sync"
converge 4
ref=$(counts)
kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null || true
SIM_PID=
rm -f "$WORK"/state.db*

start_sim --seed $seed --records "$records" --dirty 0.05
faults '[{"kind":"status","status":503,"rate":0.02},{"kind":"429","rate":0.02},
	 {"kind":"reset","rate":0.01},{"kind":"truncate","rate":0.005},{"kind":"malformed","rate":0.005}]'
# a budget of cycles: the faults cost retries, never records
for i in 1 2 3 4 5 6 7 8; do sync_once || true; done
fired=$(curl -sf "$SF/__admin/faults" | jq '[.fired[]] | add')
[ "$fired" -gt 0 ] || fail "no fault fired on the Salesforce side"
curl -sf -X DELETE "$SF/__admin/faults" > /dev/null
curl -sf -X DELETE "$HS/__admin/faults" > /dev/null
converge 4
got=$(counts)
echo "reference $ref, with faults $got ($fired Salesforce faults fired)"
[ "$got" = "$ref" ] || fail "counts differ from a fault-free sync: $got vs $ref"
[ "$(dup_ext_ids)" -eq 0 ] || fail "duplicate external ids in Salesforce"
m=$(mismatches)
[ "$m" -eq 0 ] || fail "$m pairs differ"
echo "ok: faults cost retries, not records"
