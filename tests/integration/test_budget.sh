#!/bin/sh
# An allocation smaller than the work pauses the sync without exceeding it,
# says why in `crmsync status`, and the sync resumes once it is raised.
. "$top_srcdir/tests/integration/lib.sh"

start_sim --seed 41 --records 3000 --dirty 0
write_config "" "api_allocation = 12"
sync_once && fail "a sync bigger than its allocation reported success"
st=$(status_json)
used=$(echo "$st" | jq .salesforce_api.used_24h)
[ "$used" -le 12 ] || fail "used $used calls with an allocation of 12"
[ "$(echo "$st" | jq .salesforce_api.paused)" = true ] || fail "status does not say paused"
echo "$st" | jq -r .salesforce_api.pause_reason | grep -q "allocation" || fail "no reason given"
[ "$(echo "$st" | jq -r '.objects[] | select(.object == "contact") | .status')" = paused ] ||
	fail "the object's cycle is not marked paused"
calls=$(curl -sf "$SF/__admin/calls" | jq '[.calls | to_entries[] | select(.key | test("oauth") | not) | .value] | add')
[ "$calls" -le 12 ] || fail "Salesforce saw $calls API calls against an allocation of 12"
"$B/crmsync" -c "$WORK/crmsync.conf" allocation set 5000 | grep -q 5000 || fail "allocation set"
sync_once || fail "the sync did not resume after the allocation was raised"
[ "$(status_json | jq .salesforce_api.paused)" = false ] || fail "still paused"
echo "ok: paused at $used of 12 calls, resumed after 'allocation set'"
