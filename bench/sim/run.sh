#!/bin/sh
# bench/sim/run.sh: how many records per second crmsync-sim's HubSpot side
# serves through batch/read, batch/create, batch/upsert, search and list at
# 10,000 contacts, with the simulator pinned to one core (when taskset
# exists) and the load client on another. Build first: make bench-sim.
# usage: run.sh [SECONDS-PER-MODE] [RECORDS]
: "${top_builddir:=.}"
SECS=${1:-5}
RECORDS=${2:-10000}
SIM="$top_builddir/crmsync-sim"
BENCH="$top_builddir/bench/sim/simbench"
PIN_SIM= PIN_CLIENT=
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
	PIN_SIM="taskset -c 0"
	PIN_CLIENT="taskset -c 1"
fi
OUT=$(mktemp)
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null; rm -f "$OUT"' EXIT

$PIN_SIM "$SIM" --records "$RECORDS" --dirty 0 --hs-burst-limit 0 --hs-search-rate 0 \
	--hs-daily-limit 0 --salesforce-port 0 --hubspot-port 0 > "$OUT" &
PID=$!
while [ ! -s "$OUT" ]; do
	kill -0 $PID 2>/dev/null || { echo "crmsync-sim did not start" >&2; exit 1; }
	sleep 0.1
done
HS=$(sed 's/.*"hubspot":{[^}]*"base_url":"\([^"]*\)".*/\1/' "$OUT")
TOKEN=$(sed 's/.*"hubspot":{"token":"\([^"]*\)".*/\1/' "$OUT")
echo "crmsync-sim: $RECORDS contacts, ${PIN_SIM:-unpinned}; client ${PIN_CLIENT:-unpinned}; $SECS s per mode"
rc=0
for mode in read search list upsert create; do
	$PIN_CLIENT "$BENCH" "$HS" "$TOKEN" "$mode" "$SECS" || rc=1
done
exit $rc
