#!/bin/sh
# Sync health end to end, against crmsync-sim: dirty data and org settings
# give sync errors of every type the contact object can meet; `crmsync errors`
# counts them right; the CSV export survives hostile cell values; a resync of
# 101 ids is refused; the admin fixes the data through the simulator's admin
# endpoints, resyncs, and the errors clear; an automatic retry waits for its
# slot on the daemon clock and for the API budget; an idle daemon takes a
# resync at once.
. "$top_srcdir/tests/integration/lib.sh"

CLI() { "$B/crmsync" -c "$WORK/crmsync.conf" "$@"; }
q() { sqlite3 "$WORK/state.db" "$1"; }
sf_patch_config() {
	curl -sf -X PATCH -H 'Content-Type: application/json' -d "$1" "$SF/__admin/config" > /dev/null ||
		fail "cannot change the simulated org's config: $1"
}
HS_TOKEN=
hs_api() { # METHOD PATH [BODY]
	curl -sf -X "$1" -H "Authorization: Bearer $HS_TOKEN" -H 'Content-Type: application/json' \
		${3:+-d "$3"} "$HS$2"
}

start_sim --seed 21 --records 300 --dirty 0.12
HS_TOKEN=$(jq -r .hubspot.token "$WORK/ready")

# a mapping with one line naming a HubSpot property that does not exist
cp "$S/etc/mappings/contact.yaml" "$WORK/contact.yaml"
cat >> "$WORK/contact.yaml" <<'EOF'
  - hubspot: crmsync_region
    salesforce: Languages__c
    objects: [Contact]
EOF
write_config "mapping = $WORK/contact.yaml"
# re-read no change behind the cursor: a record comes back only when it
# changes, or by a retry or a resync (what this test is about)
sed -i 's/^\[core\]/[core]\nchange_overlap = 1s/' "$WORK/crmsync.conf"

# --- the org, set up to refuse in every way --------------------------------
# validation rule messages are the org admin's own text: hostile ones here
sf_patch_config '{"validation_rules": [
  {"name": "Phone_Must_Have_Digits", "object": "Lead", "active": true, "field": "Phone",
   "op": "not_matches", "value": "[0-9]", "errorField": "Phone",
   "message": "=HYPERLINK(\"http://evil.example/\",\"Click\")"},
  {"name": "Phone_Must_Have_Digits", "object": "Contact", "active": true, "field": "Phone",
   "op": "not_matches", "value": "[0-9]", "errorField": "Phone", "message": "+cmd|\u0027 /C calc\u0027!A0"},
  {"name": "Postal_Code_Format", "object": "Lead", "active": true, "field": "PostalCode",
   "op": "not_matches", "value": "^[A-Za-z0-9 -]+$", "errorField": "PostalCode",
   "message": "@SUM(1,2), \"quoted\"\r\nand a second line"},
  {"name": "Postal_Code_Format", "object": "Contact", "active": true, "field": "MailingPostalCode",
   "op": "not_matches", "value": "^[A-Za-z0-9 -]+$", "errorField": "MailingPostalCode",
   "message": "-2+3"}]}'
# duplicates: no two Leads may share a phone number
sf_patch_config '{"duplicate_rules": [{"name": "Lead_Phone_Rule", "object": "Lead", "field": "Phone",
  "match": ["Lead"], "active": true, "allowSave": false, "message": "A lead with this phone exists."}]}'
# permission: the integration user may not edit Lead.Title
sf_patch_config '{"field_permissions": {"Lead": {"Title": "read"}}}'

# a HubSpot-only contact with the phone of a Salesforce Lead: a duplicate
lead=$(sf_dump Lead | jq -c '[.[] | select((.Phone // "") | test("^[+0-9]")) ] | .[0]')
dup_phone=$(echo "$lead" | jq -r .Phone)
[ -n "$dup_phone" ] && [ "$dup_phone" != null ] || fail "no Salesforce Lead with a phone"
dup_hs=$(hs_api POST /crm/v3/objects/contacts "{\"properties\": {\"email\": \"dup.phone@example.org\",
	\"firstname\": \"Dup\", \"lastname\": \"Phone\", \"company\": \"Dup Co\", \"phone\": \"$dup_phone\"}}" |
	jq -r .id) || fail "cannot create the duplicate HubSpot contact"
# "other" errors: the org fails some records with an internal error; its
# messages are hostile spreadsheet cells
sf_patch_config '{"record_faults": [
  {"name": "i1", "object": "Lead", "field": "Email", "op": "in", "values": ["lock.me@example.org"],
   "errorCode": "UNKNOWN_EXCEPTION", "message": "@SUM(1,2), \"quoted\"\r\nand a second line"},
  {"name": "i2", "object": "Lead", "field": "Email", "op": "in", "values": ["plus.me@example.org"],
   "errorCode": "UNKNOWN_EXCEPTION", "message": "+cmd|\u0027 /C calc\u0027!A0"},
  {"name": "i3", "object": "Lead", "field": "Email", "op": "in", "values": ["minus.me@example.org"],
   "errorCode": "UNKNOWN_EXCEPTION", "message": "-2+3"},
  {"name": "i4", "object": "Lead", "field": "Email", "op": "in", "values": ["tab.me@example.org"],
   "errorCode": "UNKNOWN_EXCEPTION", "message": "\tstarts with a tab"},
  {"name": "i5", "object": "Lead", "field": "Email", "op": "in", "values": ["wide.me@example.org"],
   "errorCode": "UNKNOWN_EXCEPTION", "message": "\uff1d1\uff0b1"}]}'
for who in lock plus minus tab wide; do
	id=$(hs_api POST /crm/v3/objects/contacts "{\"properties\": {\"email\": \"$who.me@example.org\",
		\"firstname\": \"Fault\", \"lastname\": \"$who\", \"company\": \"Fault Co\"}}" | jq -r .id) ||
		fail "cannot create the faulting HubSpot contact $who"
	[ "$who" = lock ] && other_hs=$id
done

# --- the first sync: errors of seven types ---------------------------------
# (association errors need a second object: see test_objects.sh)
T0=1800000000000   # the daemon clock, 2027-01-15T08:00:00Z
CRMSYNC_FAKE_NOW_MS=$T0 sync_once || fail "first sync did not finish"
CLI errors > "$WORK/cards.txt" || fail "crmsync errors failed"
cat "$WORK/cards.txt"
CLI errors --json > "$WORK/cards.json"
for t in custom_code duplicate permission picklist property_mapping property_value other; do
	n=$(jq ".[] | select(.type == \"$t\") | .errors" "$WORK/cards.json")
	[ "${n:-0}" -ge 1 ] || fail "no $t error after the first sync"
	db=$(q "SELECT count(*) FROM sync_error WHERE type = '$t'")
	[ "$n" -eq "$db" ] || fail "$t: the card says $n errors, the store holds $db"
	recs=$(jq ".[] | select(.type == \"$t\") | .records_affected" "$WORK/cards.json")
	dbr=$(q "SELECT count(DISTINCT coalesce(nullif(hs_id, ''), sf_id)) FROM sync_error WHERE type = '$t'
		AND (coalesce(hs_id, '') <> '' OR coalesce(sf_id, '') <> '')")
	[ "$recs" -ge "$dbr" ] || fail "$t: $recs records affected, the store names $dbr records"
done
[ "$(jq length "$WORK/cards.json")" -eq 8 ] || fail "the cards do not show all eight types"
grep -q "^  association  *0  *0$" "$WORK/cards.txt" || fail "the association card is not shown at zero"

# list, show
total=$(q "SELECT count(*) FROM sync_error")
[ "$(CLI errors list --json | jq length)" -eq "$total" ] || fail "list --json does not give every error"
[ "$(CLI errors list --type duplicate --json | jq '[.[] | select(.type != "duplicate")] | length')" -eq 0 ] ||
	fail "list --type duplicate shows other types"
dup_id=$(q "SELECT id FROM sync_error WHERE type = 'duplicate' AND hs_id = '$dup_hs'")
[ -n "$dup_id" ] || fail "the phone duplicate of HubSpot $dup_hs is not a duplicate error"
CLI errors show "$dup_id" > "$WORK/show.txt" || fail "errors show $dup_id failed"
grep -q "what to do" "$WORK/show.txt" || fail "errors show has no advice"
grep -q "$dup_hs" "$WORK/show.txt" || fail "errors show does not name the HubSpot record"
grep -q "DUPLICATES_DETECTED" "$WORK/show.txt" || fail "errors show does not give the code"
CLI errors show 999999 2> "$WORK/show.err" && fail "errors show of an unknown id succeeded"
grep -q "no sync error 999999" "$WORK/show.err" || fail "unknown id: unclear message"

# --- export: RFC 4180, and no live formula ---------------------------------
CLI errors export -o "$WORK/errors.csv" 2> /dev/null || fail "export failed"
rows=$(sqlite3 "$WORK/import.db" ".import --csv '$WORK/errors.csv' e" "SELECT count(*) FROM e")
[ "$rows" -eq "$total" ] || fail "the CSV parses to $rows rows, not $total"
cols=$(sqlite3 "$WORK/import.db" "SELECT group_concat(name) FROM pragma_table_info('e')")
live=0
for c in $(echo "$cols" | tr ',' ' '); do
	n=$(sqlite3 "$WORK/import.db" "SELECT count(*) FROM e WHERE substr(\"$c\", 1, 1) IN
		('=', '+', '-', '@', char(9), char(13))")
	live=$((live + n))
done
[ "$live" -eq 0 ] || fail "$live CSV cells begin with a live formula character"
for m in '=HYPERLINK("http://evil.example/","Click")' "@SUM(1,2), \"quoted\"
and a second line" "+cmd|' /C calc'!A0" '-2+3' "$(printf '\tstarts with a tab')" '＝1＋1'; do
	want=$(printf "'%s" "$m" | sed "s/'/''/g")
	n=$(sqlite3 "$WORK/import.db" "SELECT count(*) FROM e WHERE replace(message, char(13), '') = '$want'")
	[ "$n" -ge 1 ] || fail "the hostile message [$m] does not round-trip as text"
done
head -c 200 "$WORK/errors.csv" | grep -q "^\"id\",\"type\"" || fail "the CSV header is not first"
CLI errors export --type picklist | sed 1d | grep -vc '"picklist"' | grep -q '^0$' ||
	fail "export --type picklist holds other types"

# --- resync: more than 100 ids is refused with guidance --------------------
ids=$(seq 1 101 | tr '\n' ' ')
# shellcheck disable=SC2086
CLI resync $ids > /dev/null 2> "$WORK/resync.err" && fail "a resync of 101 ids was accepted"
grep -q "at most 100" "$WORK/resync.err" && grep -q -- "--type" "$WORK/resync.err" ||
	fail "the refusal does not say how to proceed: $(cat "$WORK/resync.err")"
[ "$(q 'SELECT count(*) FROM resync_request')" -eq 0 ] || fail "the refused request queued something"

# --- the admin fixes things, then resyncs ------------------------------------
sf_patch_config '{"field_permissions": {"Lead": {"Title": "edit"}}}'
hs_api POST /crm/v3/properties/contacts '{"name": "crmsync_region", "label": "Region",
	"type": "string", "fieldType": "text", "groupName": "contactinformation"}' > /dev/null ||
	fail "cannot create the HubSpot property"
# the duplicate is fixed on the other record: the refused one does not
# change, so only the resync brings it back
lead_id=$(echo "$lead" | jq -r .Id)
curl -sf -X PATCH -H 'Content-Type: application/json' -d '{"Phone": "+1 555 0199"}' \
	"$SF/__admin/records/Lead/$lead_id" > /dev/null || fail "cannot fix the duplicate phone"
cc_id=$(q "SELECT id FROM sync_error WHERE type = 'custom_code' AND code = 'FIELD_CUSTOM_VALIDATION_EXCEPTION'
	AND hs_id <> '' AND message LIKE '=HYPERLINK%' ORDER BY id LIMIT 1")
cc_hs=$(q "SELECT hs_id FROM sync_error WHERE id = $cc_id")
curl -sf -X PATCH -H 'Content-Type: application/json' -d '{"properties": {"phone": "+1 555 0142", "zip": "94105"}}' \
	"$HS/__admin/records/contacts/$cc_hs" > /dev/null || fail "cannot fix HubSpot $cc_hs"
CLI resync "$dup_id" "$cc_id" > "$WORK/resync.out" || fail "resync of two ids failed"
grep -q "2 errors queued" "$WORK/resync.out" || fail "resync: $(cat "$WORK/resync.out")"
CLI status --json | jq -e '.resyncs_pending == 2' > /dev/null || fail "status does not show the resyncs"
CLI resync --type permission > /dev/null || fail "resync --type failed"
CLI resync 999999 2> /dev/null && fail "a resync of an unknown id was accepted"

# the mapping and permission errors clear as the setup check passes; the
# resynced records are read again by id, though they did not change
sleep 1.2   # past the overlap: nothing unchanged is re-read by accident
CRMSYNC_FAKE_NOW_MS=$((T0 + 60000)) sync_once || fail "sync after the fixes did not finish"
for id in $dup_id $cc_id; do
	how=$(q "SELECT how FROM sync_error_history WHERE id = $id")
	[ "$how" = synced ] || fail "error $id is not resolved as synced after the resync (how: '$how')"
done
[ "$(q "SELECT count(*) FROM sync_error WHERE type IN ('permission', 'property_mapping')")" -eq 0 ] ||
	fail "permission or mapping errors are still current after the fix"
[ "$(q 'SELECT count(*) FROM resync_request')" -eq 0 ] || fail "resync requests are left after the cycle"
[ "$(sf_dump Lead | jq "[.[] | select(.Email == \"dup.phone@example.org\" and .Phone == \"$dup_phone\")] | length")" -eq 1 ] ||
	fail "the resynced duplicate did not reach Salesforce once"
CLI errors history --limit 5 | grep -q synced || fail "errors history does not show how errors ended"

# --- automatic retries: on the daemon clock, and within the budget ----------
other_id=$(q "SELECT id FROM sync_error WHERE type = 'other' AND hs_id = '$other_hs'")
[ -n "$other_id" ] || fail "the faulting record has no 'other' error"
next=$(q "SELECT next_retry_at FROM sync_error WHERE id = $other_id")
[ "$next" -ge $((T0 + 19 * 60000)) ] && [ "$next" -le $((T0 + 21 * 60000)) ] ||
	fail "the retry of error $other_id is planned at $next, not ~20 minutes after $T0"
sf_patch_config '{"record_faults": []}'
# not due yet: nothing is retried
sleep 1.2
CRMSYNC_FAKE_NOW_MS=$((T0 + 10 * 60000)) sync_once || fail "sync at +10 min"
[ "$(q "SELECT count(*) FROM sync_error WHERE id = $other_id")" -eq 1 ] ||
	fail "error $other_id was retried before its time"
# due, but the budget is 75 % spent: the retry waits
used=$(CLI status --json | jq .salesforce_api.used_24h)
CLI allocation set $((used * 4 / 3 + 1)) > /dev/null
CRMSYNC_FAKE_NOW_MS=$((T0 + 21 * 60000)) sync_once || fail "sync at +21 min with a spent budget"
[ "$(q "SELECT count(*) FROM sync_error WHERE id = $other_id")" -eq 1 ] ||
	fail "error $other_id was retried with 75 % of the allocation spent"
grep -q "automatic retries of failed records wait" "$WORK/crmsyncd.log" ||
	fail "the daemon does not say why retries wait"
CLI allocation set 100000 > /dev/null
CRMSYNC_FAKE_NOW_MS=$((T0 + 22 * 60000)) sync_once || fail "sync at +22 min"
[ "$(q "SELECT how FROM sync_error_history WHERE id = $other_id")" = synced ] ||
	fail "error $other_id did not clear on its automatic retry"
[ "$(sf_dump Lead | jq '[.[] | select(.Email == "lock.me@example.org")] | length')" -eq 1 ] ||
	fail "the retried record is not in Salesforce once"

# a retry that fails again moves to its next slot, attempts counted
sf_patch_config '{"record_faults": [{"name": "lock", "object": "Lead", "field": "Email", "op": "in",
  "values": ["lock.two@example.org"], "errorCode": "UNABLE_TO_LOCK_ROW",
  "message": "unable to obtain exclusive access to this record"}]}'
two_hs=$(hs_api POST /crm/v3/objects/contacts '{"properties": {"email": "lock.two@example.org",
	"firstname": "Lock", "lastname": "Two", "company": "Lock Co"}}' | jq -r .id)
T1=$((T0 + 60 * 60000))
CRMSYNC_FAKE_NOW_MS=$T1 sync_once || fail "sync at T1"
two_id=$(q "SELECT id FROM sync_error WHERE hs_id = '$two_hs'")
[ -n "$two_id" ] || fail "no error for the locked record"
CRMSYNC_FAKE_NOW_MS=$((T1 + 21 * 60000)) sync_once || fail "sync at T1 + 21 min"
att=$(q "SELECT attempts || ' ' || next_retry_at FROM sync_error WHERE id = $two_id")
[ "${att% *}" -eq 1 ] || fail "attempts after one failed retry: ${att% *}"
[ "${att#* }" -ge $((T1 + 40 * 60000)) ] || fail "the next retry was not moved on: ${att#* }"

# --- an idle daemon takes a resync at once -----------------------------------
write_config "mapping = $WORK/contact.yaml
" ""
sed -i 's/^\[core\]/[core]\ninterval = 1h/' "$WORK/crmsync.conf"
"$B/crmsyncd" -c "$WORK/crmsync.conf" 2>> "$WORK/daemon.log" &
dpid=$!
i=0
until grep -qE "object contact: (ok|partial|failed|paused)" "$WORK/daemon.log" 2>/dev/null; do
	i=$((i + 1)); [ $i -le 300 ] || { kill $dpid; fail "the daemon's first cycle did not end"; }
	sleep 0.1
done
cycles=$(grep -cE "object contact: (ok|partial|failed|paused)" "$WORK/daemon.log")
CLI resync "$two_id" > /dev/null || fail "resync while the daemon idles"
i=0
until [ "$(grep -cE "object contact: (ok|partial|failed|paused)" "$WORK/daemon.log")" -gt "$cycles" ]; do
	i=$((i + 1)); [ $i -le 100 ] || { kill $dpid; fail "the idle daemon did not take the resync within 10 s"; }
	sleep 0.1
done
grep -q "resync requested: starting a cycle now" "$WORK/daemon.log" || fail "no log line for the resync"
kill -TERM $dpid
wait $dpid || fail "the daemon did not stop cleanly"
[ "$(q 'SELECT count(*) FROM resync_request')" -eq 0 ] || fail "the daemon left the resync queued"
echo "sync health: $total errors of 7 types; export, resync, retries and idle pick-up behave"
