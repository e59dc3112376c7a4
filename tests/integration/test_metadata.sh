#!/bin/sh
# The services' metadata (Salesforce describes, HubSpot property lists) is
# reused for [core] metadata_refresh instead of being read every cycle, and
# read again at once when it may be out of date:
# - a second cycle reads none; metadata_refresh = 0 reads it every cycle;
# - a write refused for a field (Lead.Title made read-only after the
#   describe was kept) makes the next cycle describe again, find the field
#   read-only and stop writing it (a permission error, not a failing record);
# - an admin's resync reads it again (the admin may have fixed a field).
. "$top_srcdir/tests/integration/lib.sh"

start_sim --seed 41 --records 30 --dirty 0
write_config "create_as = lead"
cycle() { sync_once || fail "sync ($1) did not finish"; }
meta_calls() { # describes + property lists since the counters were reset
	{ curl -sf "$SF/__admin/calls"; curl -sf "$HS/__admin/calls"; } |
		jq -s '[.[].calls | to_entries[] | select(.key | test("describe|/crm/v3/properties")) |
			select(.key | test("^GET")) | .value] | add // 0'
}
set_refresh() { sed -i "s/^log_level = info$/log_level = info\nmetadata_refresh = $1/" "$WORK/crmsync.conf"; }

cycle first
# the first cycle created crmsync's HubSpot property: the kept list lacked it
[ "$(sqlite3 "$WORK/state.db" "SELECT count(*) FROM metadata WHERE key LIKE 'salesforce.describe.%'")" -eq 2 ] ||
	fail "the Lead and Contact describes are not kept after the first cycle"
[ "$(sqlite3 "$WORK/state.db" "SELECT count(*) FROM metadata WHERE key = 'hubspot.properties.contacts'")" -eq 0 ] ||
	fail "the property list read before crmsync created its property is still kept"
reset_calls
cycle second
[ "$(meta_calls)" -eq 1 ] || fail "$(meta_calls) describe/property calls in the second cycle, not 1 (the property list)"
reset_calls
cycle third
[ "$(meta_calls)" -eq 0 ] || fail "$(meta_calls) describe/property calls in a cycle with fresh metadata"
echo "third cycle: no describe, no property list"

write_config "create_as = lead"
set_refresh 0
reset_calls
cycle "metadata_refresh = 0"
[ "$(meta_calls)" -ge 3 ] || fail "metadata_refresh = 0 read only $(meta_calls) describes/property lists"
echo "metadata_refresh = 0: read every cycle ($(meta_calls) calls)"
write_config "create_as = lead"
cycle "kept again"

# --- the org makes Lead.Title read-only after the describe was kept ---------------
curl -sf -X PATCH -H 'Content-Type: application/json' -d '{"field_permissions": {"Lead": {"Title": "read"}}}' \
	"$SF/__admin/config" > /dev/null || fail "cannot change the org"
lead_hs=$(sqlite3 "$WORK/state.db" "SELECT hs_id FROM idmap WHERE object = 'contact' AND sf_type = 'Lead' AND sf_id IS NOT NULL LIMIT 1")
[ -n "$lead_hs" ] || fail "no synced Lead"
lead_sf=$(sqlite3 "$WORK/state.db" "SELECT sf_id FROM idmap WHERE object = 'contact' AND hs_id = '$lead_hs'")
# the Lead's title blank, the contact's set: HubSpot's value is to be written
curl -sf -X PATCH -H 'Content-Type: application/json' -d '{"Title": null}' \
	"$SF/__admin/records/Lead/$lead_sf" > /dev/null || fail "cannot edit the Lead"
curl -sf -X PATCH -H 'Content-Type: application/json' -d '{"properties":{"jobtitle":"Chief Tester"}}' \
	"$HS/__admin/records/contacts/$lead_hs" > /dev/null || fail "cannot edit the contact"
reset_calls
cycle "a write with the old describe"
[ "$(meta_calls)" -eq 0 ] || fail "the metadata was read again before anything said it was stale"
[ "$(sqlite3 "$WORK/state.db" "SELECT count(*) FROM sync_error WHERE code = 'INVALID_FIELD_FOR_INSERT_UPDATE' AND hs_id = '$lead_hs'")" -eq 1 ] ||
	fail "the write of a read-only field was not refused as expected"
[ "$(sqlite3 "$WORK/state.db" "SELECT count(*) FROM metadata")" -eq 0 ] ||
	fail "the metadata is still kept after a write was refused for a field"
grep -q "the metadata is read again next cycle" "$WORK/crmsyncd.log" || fail "the log does not say why"
reset_calls
cycle "the describe read again"
[ "$(meta_calls)" -ge 1 ] || fail "the next cycle did not describe again"
setup=$(sqlite3 "$WORK/state.db" "SELECT count(*) FROM sync_error WHERE type = 'permission' AND hs_id = '' AND message LIKE '%Title%'")
[ "$setup" -ge 1 ] || fail "the fresh describe did not report Lead.Title as read-only"
curl -sf -X PATCH -H 'Content-Type: application/json' -d '{"properties":{"jobtitle":"Chief Tester 2"}}' \
	"$HS/__admin/records/contacts/$lead_hs" > /dev/null || fail "cannot edit the contact"
curl -sf -X PATCH -H 'Content-Type: application/json' -d '{"FirstName": "Edited"}' \
	"$SF/__admin/records/Lead/$lead_sf" > /dev/null || fail "cannot edit the Lead"
cycle "Title no longer written"
[ "$(sqlite3 "$WORK/state.db" "SELECT count(*) FROM sync_error WHERE code = 'INVALID_FIELD_FOR_INSERT_UPDATE'
	AND hs_id = '$lead_hs'")" -eq 0 ] || fail "the record still fails after the fresh describe"
echo "stale describe: one refused write, then the field is known read-only and no longer written"

# --- an admin's resync reads it again ------------------------------------------------
err_id=$(sqlite3 "$WORK/state.db" "SELECT id FROM sync_error WHERE type = 'permission' LIMIT 1")
[ -n "$err_id" ] || fail "no error to resync"
cycle "metadata kept"
"$B/crmsync" -c "$WORK/crmsync.conf" resync "$err_id" > /dev/null || fail "resync failed"
reset_calls
cycle "the resync"
[ "$(meta_calls)" -ge 1 ] || fail "a resync did not read the metadata again"
echo "resync: the metadata is read again"
echo "ok"
