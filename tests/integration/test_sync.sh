#!/bin/sh
# Initial sync converges; a dry run writes nothing; a second cycle makes no
# write; edits on either side propagate by rule; conflicts resolve by rule;
# Salesforce deletes follow the setting.
. "$top_srcdir/tests/integration/lib.sh"

start_sim --seed 11 --records 2000 --dirty 0.05

# --- a dry run plans and writes nothing -----------------------------------
reset_calls
before=$(data_digest)
"$B/crmsyncd" -c "$WORK/crmsync.conf" --once --dry-run > "$WORK/plan.txt" 2>> "$WORK/crmsyncd.log" ||
	fail "dry run failed"
grep -q "create in Salesforce:" "$WORK/plan.txt" || fail "the plan lacks its creates line"
n=$(write_calls)
[ "$n" -eq 0 ] || fail "the dry run made $n write calls"
[ "$(data_digest)" = "$before" ] || fail "the dry run changed data on a service"
[ "$(sqlite3 "$WORK/state.db" 'SELECT count(*) FROM idmap')" -eq 0 ] || fail "the dry run stored pairs"
planned=$(sed -n 's/.*create in Salesforce: *//p' "$WORK/plan.txt")

# --- the first sync ---------------------------------------------------------
sync_once || fail "first sync did not finish"
w=$(last written)
[ "$w" -gt 1000 ] || fail "first sync wrote only $w records"
created=$(sqlite3 "$WORK/state.db" "SELECT count(*) FROM idmap WHERE ext_id IN (SELECT ext_id FROM idmap) AND hs_id IS NOT NULL AND sf_id IS NOT NULL")
[ "$created" -gt 1000 ] || fail "only $created pairs after the first sync"
m=$(mismatches)
[ "$m" -eq 0 ] || fail "$m synced pairs differ after the first sync"
echo "first sync: written $w, pairs $created, planned Salesforce creates $planned"

# --- no echo: the next cycle writes nothing ---------------------------------
reset_calls
sync_once || fail "second sync did not finish"
[ "$(last written)" -eq 0 ] || fail "second sync wrote $(last written) records"
n=$(write_calls)
# failed records are retried while they are in the overlap window; they are
# refused again, never written
echo "second sync: written 0, write calls $n (retries of refused records)"

# --- an error clears itself once its record syncs --------------------------
eid=$(sqlite3 "$WORK/state.db" "SELECT id FROM sync_error WHERE code = 'FIELD_INTEGRITY_EXCEPTION'
	AND hs_id <> '' ORDER BY id LIMIT 1")
[ -n "$eid" ] || fail "no state/country error among the dirty records"
ehs=$(sqlite3 "$WORK/state.db" "SELECT hs_id FROM sync_error WHERE id = $eid")
curl -sf -X PATCH -H 'Content-Type: application/json' \
	-d '{"properties":{"state":"California","country":"United States"}}' \
	"$HS/__admin/records/contacts/$ehs" > /dev/null || fail "cannot fix HubSpot $ehs"
sync_once || fail "sync after a fix"
[ "$(sqlite3 "$WORK/state.db" "SELECT count(*) FROM sync_error WHERE id = $eid")" = 0 ] ||
	fail "error $eid is still current after its record was fixed"
[ "$(sqlite3 "$WORK/state.db" "SELECT how FROM sync_error_history WHERE id = $eid")" = synced ] ||
	fail "error $eid is not in the history as synced"

# pick a synced Lead pair without errors
pair=$(sqlite3 "$WORK/state.db" "SELECT hs_id || ' ' || sf_id FROM idmap WHERE sf_type = 'Lead'
	AND hs_id IS NOT NULL AND sf_id IS NOT NULL AND hs_id NOT IN (SELECT hs_id FROM sync_error WHERE hs_id IS NOT NULL)
	AND sf_id NOT IN (SELECT sf_id FROM sync_error WHERE sf_id IS NOT NULL) ORDER BY id LIMIT 1")
hs_id=${pair% *}
sf_id=${pair#* }
[ -n "$hs_id" ] && [ -n "$sf_id" ] || fail "no clean Lead pair"
hs_prop() { curl -sf "$HS/__admin/dump/contacts" | jq -r --arg id "$hs_id" ".[] | select(.id == \$id) | .properties.$1 // \"\""; }
sf_field() { curl -sf "$SF/__admin/dump/Lead" | jq -r --arg id "$sf_id" ".[] | select(.Id == \$id) | .$1 // \"\""; }
hs_edit() { curl -sf -X PATCH -H 'Content-Type: application/json' -d "{\"properties\":{\"$1\":\"$2\"}}" "$HS/__admin/records/contacts/$hs_id" > /dev/null || fail "cannot edit HubSpot $hs_id"; }
sf_edit() { curl -sf -X PATCH -H 'Content-Type: application/json' -d "{\"$1\":\"$2\"}" "$SF/__admin/records/Lead/$sf_id" > /dev/null || fail "cannot edit Salesforce $sf_id"; }

# --- prefer_salesforce_unless_blank: a Salesforce edit reaches HubSpot -----
sf_edit Title "Chief Integration Officer"
sync_once || fail "sync after a Salesforce edit"
[ "$(hs_prop jobtitle)" = "Chief Integration Officer" ] || fail "Salesforce Title did not reach HubSpot: '$(hs_prop jobtitle)'"
# ... and a HubSpot-only edit of that field is reverted to Salesforce's value
hs_edit jobtitle "Wrong Title"
sync_once || fail "sync after a HubSpot edit"
[ "$(hs_prop jobtitle)" = "Chief Integration Officer" ] || fail "HubSpot-only edit was not reverted: '$(hs_prop jobtitle)'"
[ "$(sf_field Title)" = "Chief Integration Officer" ] || fail "Salesforce Title changed: '$(sf_field Title)'"

# --- two_way (email): either side's edit propagates; the newer one wins -----
hs_edit email "moved.$hs_id@example.org"
sync_once || fail "sync after a HubSpot email edit"
[ "$(sf_field Email)" = "moved.$hs_id@example.org" ] || fail "HubSpot email did not reach Salesforce: '$(sf_field Email)'"
sf_edit Email "back.$hs_id@example.org"
sync_once || fail "sync after a Salesforce email edit"
[ "$(hs_prop email)" = "back.$hs_id@example.org" ] || fail "Salesforce email did not reach HubSpot: '$(hs_prop email)'"
hs_edit email "first.$hs_id@example.org"
sleep 0.05
sf_edit Email "second.$hs_id@example.org"
sync_once || fail "sync after a conflict"
[ "$(hs_prop email)" = "second.$hs_id@example.org" ] || fail "conflict: the newer Salesforce edit lost: '$(hs_prop email)'"
[ "$(sf_field Email)" = "second.$hs_id@example.org" ] || fail "conflict: Salesforce changed: '$(sf_field Email)'"

# --- lifecycle stage from opportunity contact roles, never backwards --------
cpair=$(sqlite3 "$WORK/state.db" "SELECT hs_id || ' ' || sf_id FROM idmap WHERE sf_type = 'Contact'
	AND hs_id IS NOT NULL AND sf_id IS NOT NULL ORDER BY id LIMIT 1")
chs=${cpair% *}
csf=${cpair#* }
stage() { hs_dump | jq -r --arg id "$chs" '.[] | select(.id == $id) | .properties.lifecyclestage // ""'; }
[ "$(stage)" != customer ] || fail "the test contact is a customer already"
curl -sf -X PATCH -H 'Content-Type: application/json' -d '{"properties":{"lifecyclestage":"lead"}}' \
	"$HS/__admin/records/contacts/$chs" > /dev/null || fail "cannot set the lifecycle stage"
sync_once || fail "sync after setting the stage"
opp=$(curl -sf -X POST -H 'Content-Type: application/json' \
	-d '{"Name":"Lifecycle deal","StageName":"Prospecting","CloseDate":"2026-12-31"}' \
	"$SF/__admin/records/Opportunity" | jq -r .Id)
[ -n "$opp" ] && [ "$opp" != null ] || fail "cannot create an Opportunity"
curl -sf -X POST -H 'Content-Type: application/json' -d "{\"OpportunityId\":\"$opp\",\"ContactId\":\"$csf\"}" \
	"$SF/__admin/records/OpportunityContactRole" > /dev/null || fail "cannot create a contact role"
sync_once || fail "sync after an open Opportunity"
[ "$(stage)" = opportunity ] || fail "open Opportunity: stage is '$(stage)', not opportunity"
curl -sf -X PATCH -H 'Content-Type: application/json' -d '{"StageName":"Closed Won"}' \
	"$SF/__admin/records/Opportunity/$opp" > /dev/null || fail "cannot win the Opportunity"
sync_once || fail "sync after Closed Won"
[ "$(stage)" = customer ] || fail "Closed Won: stage is '$(stage)', not customer"
curl -sf -X PATCH -H 'Content-Type: application/json' -d '{"StageName":"Negotiation/Review"}' \
	"$SF/__admin/records/Opportunity/$opp" > /dev/null || fail "cannot reopen the Opportunity"
sync_once || fail "sync after reopening"
[ "$(stage)" = customer ] || fail "reopened: the stage moved back to '$(stage)'"

# --- a converted Lead: the pair follows its Contact, nothing is created ------
conv=$(sqlite3 "$WORK/state.db" "SELECT hs_id || ' ' || sf_id FROM idmap WHERE sf_type = 'Lead'
	AND hs_id IS NOT NULL AND sf_id IS NOT NULL AND hs_id <> '$hs_id' ORDER BY id LIMIT 1 OFFSET 5")
hs_count=$(hs_dump | jq '[.[] | select(.archived == false)] | length')
curl -sf -X POST -H 'Content-Type: application/json' -d '{"convert":true}' \
	"$SF/__admin/records/Lead/${conv#* }" > /dev/null || fail "cannot convert Lead ${conv#* }"
cid=$(sf_dump Lead | jq -r --arg id "${conv#* }" '.[] | select(.Id == $id) | .ConvertedContactId')
[ -n "$cid" ] && [ "$cid" != null ] || fail "the simulator did not convert the Lead"
sync_once || fail "sync after a conversion"
got=$(sqlite3 "$WORK/state.db" "SELECT sf_type || ' ' || sf_id FROM idmap WHERE hs_id = '${conv% *}'")
[ "$got" = "Contact $cid" ] || fail "the pair of HubSpot ${conv% *} is '$got', not 'Contact $cid'"
[ "$(hs_dump | jq '[.[] | select(.archived == false)] | length')" = "$hs_count" ] ||
	fail "the conversion created HubSpot contacts"
[ "$(sqlite3 "$WORK/state.db" "SELECT count(*) FROM idmap WHERE sf_id = '$cid'")" = 1 ] ||
	fail "Contact $cid is paired more than once"

# --- deletes follow the setting ----------------------------------------------
curl -sf -X DELETE "$SF/__admin/records/Lead/$sf_id" > /dev/null || fail "cannot delete the Lead"
sync_once || fail "sync after a delete"
[ "$(curl -sf "$HS/__admin/dump/contacts" | jq -r --arg id "$hs_id" '.[] | select(.id == $id) | .archived')" = "false" ] ||
	fail "lead_deletes = nothing, yet the HubSpot contact was archived"
pair2=$(sqlite3 "$WORK/state.db" "SELECT hs_id || ' ' || sf_id FROM idmap WHERE sf_type = 'Lead'
	AND hs_id IS NOT NULL AND sf_id IS NOT NULL AND hs_id <> '$hs_id' ORDER BY id DESC LIMIT 1")
write_config "lead_deletes = delete_hubspot_contact"
curl -sf -X DELETE "$SF/__admin/records/Lead/${pair2#* }" > /dev/null || fail "cannot delete the second Lead"
sync_once || fail "sync after the second delete"
[ "$(curl -sf "$HS/__admin/dump/contacts" | jq -r --arg id "${pair2% *}" '.[] | select(.id == $id) | .archived')" = "true" ] ||
	fail "lead_deletes = delete_hubspot_contact, yet HubSpot contact ${pair2% *} is live"
echo "ok: converge, no echo, edits, conflicts, lifecycle stage, conversions, deletes"
