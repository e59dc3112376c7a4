#!/bin/sh
# bench/sync/forms.sh SIZE [SEED] - measure HubSpot form submissions ->
# Salesforce Tasks (the activity plugin with engagement = forms) against
# crmsync-sim seeded with SIZE contacts per side, about a quarter of which
# come with form submissions. Phases: the initial sync of every submission
# (history = yes), a quiet cycle, then 1 % of SIZE new submissions made
# through the forms API. Prints one line per phase for the forms object
# alone (the contacts sync first in the same run): its wall time, records/s,
# its Salesforce and HubSpot calls against the minimum, and crmsyncd's peak
# memory (the whole process). The simulated rate limits are off.
set -eu
size=${1:?usage: forms.sh SIZE [SEED]}
seed=${2:-7}
. "$(dirname "$0")/lib.sh"
bench_start "$size" "$seed"
bench_config "[object contact]
create_as = contact
state_country_picklists = enabled
[object forms]
plugin = activity
engagement = forms
history = yes
[resolver association]
[resolver other]"
nforms=$(curl -sf -H "Authorization: Bearer $TOKEN" "$HS/marketing/v3/forms?limit=100" | jq '.results | length')

phase() { # name
	/usr/bin/time -f "%e %M" -o "$W/time" "$B/crmsyncd" -c "$W/c.conf" --once 2> "$W/log" || true
	read -r _ kb < "$W/time"
	[ -s "$W/state.db" ] || { tail -5 "$W/log" >&2; exit 1; }
	row=$(sqlite3 -separator ' ' "$W/state.db" \
		"SELECT finished_at - started_at, n_read, n_written, message FROM cycle WHERE object = 'forms'")
	ms=${row%% *}; row=${row#* }
	rd=${row%% *}; row=${row#* }
	wr=${row%% *}; msg=${row#* }
	sfc=$(echo "$msg" | sed -n 's/.*calls: salesforce \([0-9]*\), hubspot \([0-9]*\).*/\1/p')
	hsc=$(echo "$msg" | sed -n 's/.*calls: salesforce \([0-9]*\), hubspot \([0-9]*\).*/\2/p')
	# the minimum for the Tasks written: HubSpot lists the forms (live and
	# archived), reads
	# each form's submissions (50 a page, one page a form at least) and
	# finds their contacts (100 emails a call); Salesforce writes the Tasks
	# (200 a call). Submissions read again from crmsync's own copies (those
	# waiting for their contact) cost no call.
	awk -v name="$1" -v ms="$ms" -v kb="$kb" -v rd="$rd" -v wr="$wr" -v sfc="$sfc" -v hsc="$hsc" \
	    -v nf="$nforms" 'BEGIN {
		pages = int((wr + 49) / 50); if (pages < nf) pages = nf;
		hsmin = 2 + pages + int((wr + 99) / 100);
		sfmin = int((wr + 199) / 200);
		secs = ms / 1000;
		printf "| %s | %d | %d | %.2f s | %.0f | %d (min %d) | %d (min %d) | %.4f | %.0f MB |\n",
			name, rd, wr, secs, (secs > 0 ? (rd > wr ? rd : wr) / secs : 0), sfc, sfmin, hsc, hsmin,
			(wr > 0 ? (sfc + hsc) / wr : 0), kb / 1024 }'
}

echo "SIZE $size contacts per side, $nforms forms"
echo "| phase | submissions read | Tasks written | wall (forms) | records/s | Salesforce calls | HubSpot calls | calls per written record | peak RSS (whole run) |"
echo "|---|---|---|---|---|---|---|---|---|"
phase "initial (history = yes)"
sleep 3
phase "quiet"
n=$((size / 100))
form=$(curl -sf -H "Authorization: Bearer $TOKEN" "$HS/marketing/v3/forms?limit=100" |
	jq -r '.results[] | select(.name == "Contact us") | .id')
curl -sf "$HS/__admin/dump/contacts" | jq -r "[.[] | select(.archived == false) | .properties.email |
	select(. != null)] | .[:$n][]" |
while read -r email; do
	curl -sf -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		-d "{\"fields\":[{\"objectTypeId\":\"0-1\",\"name\":\"email\",\"value\":\"$email\"},
		     {\"objectTypeId\":\"0-1\",\"name\":\"message\",\"value\":\"bench\"}]}" \
		"$HS/submissions/v3/integration/secure/submit/4410001/$form" > /dev/null || true
done
sleep 3
phase "1% new submissions"
