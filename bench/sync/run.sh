#!/bin/sh
# bench/sync/run.sh SIZE [SEED] - measure crmsyncd against crmsync-sim:
# the initial sync of SIZE contacts per side, then a 1 % incremental sync
# (1 % of each side's records edited as a user would). Prints one line per
# phase: wall time, records/s, Salesforce and HubSpot calls against the
# minimum the batch sizes allow, and crmsyncd's peak memory.
# The simulated rate limits are off: this measures crmsync, not the throttle.
set -eu
size=${1:?usage: run.sh SIZE [SEED]}
seed=${2:-7}
. "$(dirname "$0")/lib.sh"
bench_start "$size" "$seed"
bench_config "[object contact]
[resolver other]"

phase() { # name
	curl -sf -X DELETE "$SF/__admin/calls" > /dev/null
	curl -sf -X DELETE "$HS/__admin/calls" > /dev/null
	/usr/bin/time -f "%e %M" -o "$W/time" "$B/crmsyncd" -c "$W/c.conf" --once 2> "$W/log" || true
	read -r secs kb < "$W/time"
	st=$("$B/crmsync" -c "$W/c.conf" status --json)
	read_n=$(echo "$st" | jq '.objects[0].read')
	written=$(echo "$st" | jq '.objects[0].written')
	msg=$(echo "$st" | jq -r '.objects[0].message')
	sfc=$(curl -sf "$SF/__admin/calls" | jq '[.calls | to_entries[] | select(.key | test("oauth") | not) | .value] | add // 0')
	hsc=$(curl -sf "$HS/__admin/calls" | jq '[.calls | to_entries[] | select(.key | test("oauth") | not) | .value] | add // 0')
	# the minimum: reads at 2,000 (SOQL page) / 200 (search page), writes at 200 / 100
	sfw=$(echo "$msg" | sed -n 's/.*sf creates \([0-9]*\), hs creates \([0-9]*\), sf updates \([0-9]*\), hs updates \([0-9]*\).*/\1 \3/p')
	hsw=$(echo "$msg" | sed -n 's/.*sf creates \([0-9]*\), hs creates \([0-9]*\), sf updates \([0-9]*\), hs updates \([0-9]*\).*/\2 \4/p')
	awk -v name="$1" -v secs="$secs" -v kb="$kb" -v rd="$read_n" -v wr="$written" -v sfc="$sfc" \
	    -v hsc="$hsc" -v sfw="$sfw" -v hsw="$hsw" -v size="$size" 'BEGIN {
		split(sfw, a, " "); split(hsw, b, " ");
		sfmin = int((size + 1999) / 2000) * 2 + int((a[1] + 199) / 200) + int((a[2] + 199) / 200);
		hsmin = int((size + 199) / 200) + int((b[1] + 99) / 100) + int((b[2] + 99) / 100);
		if (name ~ /incremental/) { sfmin = 2 + int((a[1]+199)/200) + int((a[2]+199)/200); hsmin = 1 + int((b[1]+99)/100) + int((b[2]+99)/100) }
		printf "| %s | %d | %.1f s | %.0f | %d (min %d) | %d (min %d) | %.4f | %.0f MB |\n",
			name, size, secs, (secs > 0 ? (rd > wr ? rd : wr) / secs : 0), sfc, sfmin, hsc, hsmin,
			(wr > 0 ? (sfc + hsc) / wr : 0), kb / 1024 }'
}

echo "| phase | contacts per side | wall | records/s | Salesforce calls | HubSpot calls | calls per written record | peak RSS |"
echo "|---|---|---|---|---|---|---|---|"
phase initial
# a quiet cycle after more than change_overlap (as with any interval longer
# than the overlap), so the incremental run reads only the user edits
sleep 3
"$B/crmsyncd" -c "$W/c.conf" --once 2> /dev/null || true
n=$((size / 100))
curl -sf "$SF/__admin/dump/Lead" | jq -r "[.[] | select((.IsDeleted // false) == false and (.IsConverted // false) == false) | .Id] | .[:$n][]" |
while read -r id; do
	curl -sf -X PATCH -H 'Content-Type: application/json' -d '{"Title":"Bench edit"}' "$SF/__admin/records/Lead/$id" > /dev/null || true
done
curl -sf "$HS/__admin/dump/contacts" | jq -r "[.[] | select(.archived == false) | .id] | .[-$n:][]" |
while read -r id; do
	curl -sf -X PATCH -H 'Content-Type: application/json' -d '{"properties":{"email":"bench.'"$id"'@example.org"}}' "$HS/__admin/records/contacts/$id" > /dev/null || true
done
phase "1% incremental"
