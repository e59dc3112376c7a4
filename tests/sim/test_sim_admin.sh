#!/bin/sh
# crmsync-sim frame: admin endpoints (calls, dump, records, clock), fault
# injection of every kind as curl sees it, and persistence across a restart.
. "${top_srcdir:-.}/tests/sim/simlib.sh"

sim_start --records 30 --hs-burst-limit 0 --hs-search-rate 0 --state "$SIM_DIR/state.json"
check "ready line has both sides" is "$(printf '%s' "$READY" | jq -r '(.hubspot.base_url|test("^http://127.0.0.1:[0-9]+$")) and (.salesforce.base_url|test("^http://127.0.0.1:")) and (.hubspot.token|startswith("pat-"))')" true

# ---- counters ----
admin DELETE calls
check "reset counters -> 204" status_is 204
get "/crm/v3/objects/contacts?limit=1"
get "/crm/v3/objects/contacts?limit=1"
DATA='{"inputs":[]}' hs POST /crm/v3/objects/companies/batch/read
admin GET calls
check "counters per endpoint" body_has '.calls["GET /crm/v3/objects/contacts"]==2 and .calls["POST /crm/v3/objects/companies/batch/read"]==1 and .total==3'
admin DELETE calls
admin GET calls
check "counters reset" body_has '.total==0 and (.calls|length==0)'

# ---- dump and records ----
admin GET dump/contacts
check "dump has every contact" body_has 'length==30 and (.[0].properties|has("email"))'
admin POST records/contacts '{"properties":{"email":"user.edit@example.com","firstname":"Üser"}}'
check "admin create -> 201" status_is 201
UID_=$(jqb .id)
admin GET clock
T0=$(jqb .now_ms)
admin PATCH "records/contacts/$UID_" '{"properties":{"jobtitle":"Head of Ops"}}'
check "admin update -> 200" status_is 200
DATA="{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"lastmodifieddate\",\"operator\":\"GTE\",\"value\":\"$T0\"}]}]}" hs POST /crm/v3/objects/contacts/search
check "a user edit shows up in an incremental search" body_has ".total==1 and .results[0].id==\"$UID_\""
# a frozen clock: every write carries the same modification time
admin POST clock '{"freeze":true}'
check "freeze -> frozen" body_has '.frozen==true'
admin POST records/contacts '{"properties":{"email":"frozen.one@example.com"}}'
F1=$(jqb .properties.lastmodifieddate)
sleep 0.02
admin POST records/contacts '{"properties":{"email":"frozen.two@example.com"}}'
F2=$(jqb .properties.lastmodifieddate)
check "writes under a frozen clock share their time" is "$F1" "$F2"
check "... a real time" is "$(printf %s "$F1" | grep -c "^20[0-9][0-9]-\\|^[0-9]\\{13\\}$")" 1
admin POST clock '{"freeze":false}'
check "unfreeze -> running" body_has '.frozen==false'
admin DELETE "records/contacts/$UID_"
check "admin delete -> 204" status_is 204
admin GET dump/contacts
check "dump flags deleted records" body_has "map(select(.id==\"$UID_\"))[0].archived==true"
admin GET dump/widgets
check "dump of an unknown object -> 404" status_is 404
admin GET nothing-here
check "unknown admin endpoint -> 404" status_is 404

# ---- faults ----
admin POST faults '{"kind":"status","status":503,"next":2}'
check "add fault -> 201" status_is 201
get "/crm/v3/objects/contacts?limit=1"
check "503 #1" status_is 503
check "503 body is HubSpot-shaped" is_hs_error INTERNAL_ERROR
get "/crm/v3/objects/contacts?limit=1"
check "503 #2" status_is 503
get "/crm/v3/objects/contacts?limit=1"
check "fault spent after next=2" status_is 200

admin POST faults '{"kind":"429","next":1}'
get "/crm/v3/objects/contacts?limit=1"
check "injected 429" body_has '.policyName=="TEN_SECONDLY_ROLLING"'

admin POST faults '{"kind":"latency","ms":400,"next":1}'
MS=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$HS/crm/v3/objects/contacts?limit=1")
check "latency >= 0.4 s (took $MS)" awk -v t="$MS" 'BEGIN{exit !(t >= 0.4)}'

admin POST faults '{"kind":"reset","next":1}'
curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$HS/crm/v3/objects/contacts?limit=1"
RC=$?
check "reset: curl sees an empty reply (rc $RC)" is "$RC" 52

admin POST faults '{"kind":"truncate","next":1,"path":"/crm/v3/objects/contacts"}'
curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$HS/crm/v3/objects/contacts?limit=5"
RC=$?
check "truncate: curl sees a partial body (rc $RC)" is "$RC" 18

admin POST faults '{"kind":"malformed","next":1}'
get "/crm/v3/objects/contacts?limit=1"
check "malformed: 200" status_is 200
check "malformed: not JSON" sh -c "! jq . < '$BODY' >/dev/null 2>&1"

admin POST faults '{"kind":"status","status":500,"rate":1,"method":"POST"}'
get "/crm/v3/objects/contacts?limit=1"
check "method filter spares GET" status_is 200
DATA='{"inputs":[]}' hs POST /crm/v3/objects/companies/batch/read
check "rate 1 hits POST" status_is 500
admin GET faults
check "fault list and fired counts" body_has '(.faults|length==1) and .fired.status>=3 and .fired.reset==1'
admin DELETE faults
DATA='{"inputs":[]}' hs POST /crm/v3/objects/companies/batch/read
check "faults cleared" status_is 200
admin POST faults '{"kind":"explode","next":1}'
check "bad fault -> 400" status_is 400
admin POST faults '{"kind":"status"}'
check "fault without rate or next -> 400" status_is 400

# ---- persistence ----
DATA='{"properties":{"email":"persist.me@example.com","lastname":"Kept"}}' hs POST /crm/v3/objects/contacts
PID_=$(jqb .id)
check "stop saves state" sim_stop
check "state file written" test -s "$SIM_DIR/state.json"
sim_start --records 30 --hs-burst-limit 0 --state "$SIM_DIR/state.json"
get "/crm/v3/objects/contacts/persist.me@example.com?idProperty=email&properties=lastname"
check "record survives a restart" body_has ".id==\"$PID_\" and .properties.lastname==\"Kept\""
get "/crm/v3/objects/contacts/$UID_?archived=true"
check "archived record survives a restart" body_has '.archived==true'
DATA='{"properties":{"email":"after.restart@example.com"}}' hs POST /crm/v3/objects/contacts
check "ids keep growing after a restart" is "$(jqb .id)" "$((PID_ + 1))"
DATA='{"properties":{"email":"persist.me@example.com"}}' hs POST /crm/v3/objects/contacts
check "unique index rebuilt after a restart" status_is 409

finish
