#!/bin/sh
# tests/resolvers/test_sim_bodies.sh - proves the resolvers against error
# bodies crmsync-sim really sends, not only against the hand-written
# fixtures. It starts the simulator, provokes every error code it can
# produce that a resolver owns through the public paths crmsyncd uses, and
# saves each body under the file name of the fixture it corresponds to:
#
#   rest/   the body of the single-record/single-object call (the shape most
#           fixtures have: Salesforce's error array, HubSpot's error object)
#   batch/  the per-record element crmsyncd hands to dispatch: a Salesforce
#           sObject Collections result {id, success, errors[statusCode…]}, a
#           HubSpot batch errors[] element (with objectWriteTraceId)
#
# Both paths must give the same code and message. Then test_resolvers runs
# over each directory (RESOLVER_FIXTURE_SOME=1): every recorded body must
# classify exactly as its hand-written twin. Fewer recorded codes than
# MIN_CODES fails the test, so a regression in the simulator shows.
# Needs curl and jq; loopback only.
set -u
: "${top_builddir:?run through make check}" "${top_srcdir:?run through make check}"
SIM="$top_builddir/crmsync-sim"
TEST_BIN="$top_builddir/tests/resolvers/test_resolvers"
# What this test achieved when it was written: distinct fixtures recorded
# (union of both directories), and bodies recorded per directory.
MIN_CODES=39
MIN_REST=37
MIN_BATCH=33

for tool in curl jq; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool not installed"; exit 77; }
done
[ -x "$TEST_BIN" ] || { echo "SKIP: test_resolvers not built (no cmocka)"; exit 77; }
[ -x "$SIM" ] || { echo "FAIL: $SIM not built"; exit 1; }

. "$top_srcdir/tests/resolvers/sim_record.sh"

# The org: a restricted Lead Source, a Lead field the integration user may
# only read, and a Lead external id that is not unique (so an upsert can
# match two records).
cat >"$W/schema.json" <<'JSON'
{"state_country_picklists": true,
 "custom_fields": {
  "Contact": [{"name": "HubSpot_Id__c", "label": "HubSpot ID", "type": "string", "length": 64,
               "externalId": true, "unique": true}],
  "Lead": [{"name": "HubSpot_Id__c", "label": "HubSpot ID", "type": "string", "length": 64,
            "externalId": true},
           {"name": "Lead_Score__c", "label": "Lead Score", "type": "double"}]},
 "picklists": {"Lead.LeadSource": {"restricted": true}},
 "field_permissions": {"Lead": {"Lead_Score__c": "read"}},
 "duplicate_rules": [], "validation_rules": [], "flows": [], "record_faults": []}
JSON
start main --schema "$W/schema.json" --hs-burst-limit 0 --hs-assoc-limit 2
start lim --hs-burst-limit 2
use main

# ---- Salesforce: values, mapping, permissions -----------------------------
LONG=Wolfeschlegelsteinhausenbergerdorff-Wolfeschlegelsteinhausenbergerdorff-Wolfeschlegel
sf_rec sf_required_field_missing.json REQUIRED_FIELD_MISSING create Lead '{"FirstName":"Ann"}'
sf_rec sf_collections_required_field_missing.json REQUIRED_FIELD_MISSING create Contact \
	'{"FirstName":"Ann"}'
sf_rec sf_string_too_long.json STRING_TOO_LONG create Lead "{\"LastName\":\"$LONG\",\"Company\":\"Acme\"}"
sf_rec sf_invalid_email_address.json INVALID_EMAIL_ADDRESS create Contact \
	'{"LastName":"Smith","Email":"ann@example"}'
sf_rec sf_invalid_or_null_for_restricted_picklist.json INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST \
	create Lead '{"LastName":"Smith","Company":"Acme","LeadSource":"Webinarr"}'
sf_rec sf_field_integrity_exception_statecode.json FIELD_INTEGRITY_EXCEPTION create Account \
	'{"Name":"Acme","BillingCountryCode":"US","BillingStateCode":"EP"}'
sf_rec sf_field_integrity_exception_state.json FIELD_INTEGRITY_EXCEPTION create Contact \
	'{"LastName":"Smith","MailingCountryCode":"US","MailingState":"Bavaria"}'
OTHER=$(new_sf Contact '{"LastName":"Other"}')
sf_rec sf_field_integrity_exception_lookup.json FIELD_INTEGRITY_EXCEPTION create Contact \
	"{\"LastName\":\"Smith\",\"AccountId\":\"$OTHER\"}"
sf_rec sf_malformed_id.json MALFORMED_ID create Contact '{"LastName":"Smith","AccountId":"Acme Corp"}'
sf_rec sf_invalid_cross_reference_key.json INVALID_CROSS_REFERENCE_KEY create Contact \
	'{"LastName":"Smith","AccountId":"0015g00000QwErT"}'
GONE=$(new_sf Account '{"Name":"Gone"}')
sf DELETE "/sobjects/Account/$GONE"
[ "$STATUS" = 204 ] || fail "setup: delete Account ($STATUS)"
sf_rec sf_entity_is_deleted.json ENTITY_IS_DELETED create Opportunity \
	"{\"Name\":\"Deal\",\"StageName\":\"Prospecting\",\"CloseDate\":\"2026-12-31\",\"AccountId\":\"$GONE\"}"
sf_rec sf_invalid_field.json INVALID_FIELD create Contact '{"LastName":"Smith","Region__c":"EMEA"}'
sf_rec sf_number_outside_valid_range.json NUMBER_OUTSIDE_VALID_RANGE create Account \
	'{"Name":"Acme","AnnualRevenue":1.0E19}'
sf_rec sf_json_parser_error.json JSON_PARSER_ERROR create Contact \
	'{"LastName":"Smith","Birthdate":"05/13/2024"}'
sf_batch sf_invalid_type.json INVALID_TYPE POST /composite/sobjects \
	'{"attributes":{"type":"Partner_Account__c"},"Name":"Acme"}'
sf_rec sf_invalid_field_for_insert_update.json INVALID_FIELD_FOR_INSERT_UPDATE create Lead \
	'{"LastName":"Smith","Company":"Acme","Lead_Score__c":5}'
ANN=$(new_sf Contact '{"LastName":"Ann","Email":"ann@example.com"}')
admin sf PATCH config '{"object_permissions":{"User":"read","Contact":"read"}}'
sf_rec sf_insufficient_access_or_readonly.json INSUFFICIENT_ACCESS_OR_READONLY update Contact \
	'{"Title":"CEO"}' "$ANN"
admin sf PATCH config '{"object_permissions":{"User":"read","Contact":"all"}}'
sf_only sf_not_found.json NOT_FOUND 404 PATCH /sobjects/Contact/0035g00000ZzZzZ '{"Title":"CEO"}'

# ---- Salesforce: duplicates -----------------------------------------------
new_sf Contact '{"LastName":"Holder","HubSpot_Id__c":"512"}' >/dev/null
sf_rec sf_duplicate_value.json DUPLICATE_VALUE create Contact '{"LastName":"Smith","HubSpot_Id__c":"512"}'
admin sf PATCH config '{"duplicate_rules":[{"name":"Standard_Contact_Duplicate_Rule",
 "object":"Contact","field":"Email","match":["Contact"],"active":true,"allowSave":false,
 "message":"Use one of these records?"}]}'
sf_rec sf_duplicates_detected.json DUPLICATES_DETECTED create Contact \
	'{"LastName":"Ann","Email":"ann@example.com"}'
admin sf PATCH config '{"duplicate_rules":[]}'
new_sf Lead '{"LastName":"One","Company":"Acme","HubSpot_Id__c":"512"}' >/dev/null
new_sf Lead '{"LastName":"Two","Company":"Acme","HubSpot_Id__c":"512"}' >/dev/null
# the single-record upsert answers 300 with the matching records' URLs, not an error
sf PATCH /sobjects/Lead/HubSpot_Id__c/512 '{"LastName":"Three"}'
[ "$STATUS" = 300 ] && [ "$(jqb 'type')" = array ] && [ "$(jqb '.[0]|type')" = string ] ||
	fail "upsert matching two Leads: $STATUS, expected 300 with a list of URLs"
sf_batch sf_duplicate_external_id.json DUPLICATE_EXTERNAL_ID PATCH /composite/sobjects/Lead/HubSpot_Id__c \
	'{"attributes":{"type":"Lead"},"HubSpot_Id__c":"512","LastName":"Three"}'

# ---- Salesforce: the org's automation and platform conditions -------------
admin sf PATCH config '{"validation_rules":[{"name":"Phone_Format","object":"Contact",
 "active":true,"field":"Phone","op":"not_matches","value":"^\\([0-9]{3}\\) [0-9]{3}-[0-9]{4}$",
 "message":"Phone must be in the format (999) 999-9999.","errorField":"Phone"}],
 "flows":[{"name":"Lead Routing","object":"Lead","active":true,"field":"Description",
 "op":"contains","value":"#route"}],
 "record_faults":[{"name":"lock","object":"Contact","field":"LastName","op":"equals",
 "value":"Locked","errorCode":"UNABLE_TO_LOCK_ROW",
 "message":"unable to obtain exclusive access to this record or 1 records: '"$ANN"'"},
 {"name":"internal","object":"Contact","field":"LastName","op":"equals","value":"Broken",
 "errorCode":"UNKNOWN_EXCEPTION"}]}'
sf_rec sf_field_custom_validation_exception.json FIELD_CUSTOM_VALIDATION_EXCEPTION update Contact \
	'{"Phone":"555 1234"}' "$ANN"
sf_rec sf_cannot_execute_flow_trigger.json CANNOT_EXECUTE_FLOW_TRIGGER create Lead \
	'{"LastName":"Smith","Company":"Acme","Description":"#route"}'
sf_rec sf_unable_to_lock_row.json UNABLE_TO_LOCK_ROW update Contact '{"LastName":"Locked"}' "$ANN"
sf_rec sf_unknown_exception.json UNKNOWN_EXCEPTION update Contact '{"LastName":"Broken"}' "$ANN"
admin sf PATCH config '{"validation_rules":[],"flows":[],"record_faults":[]}'

# ---- Salesforce: converted Lead, API allocation ---------------------------
LEAD=$(new_sf Lead '{"LastName":"Convert","Company":"Acme"}')
admin sf POST convert "{\"leadId\":\"$LEAD\"}"
sf_rec sf_cannot_update_converted_lead.json CANNOT_UPDATE_CONVERTED_LEAD update Lead \
	'{"Title":"CEO"}' "$LEAD"
admin sf GET limits
MAX=$(jqb .max)
admin sf POST limits "{\"used\":$MAX}"
sf_only sf_request_limit_exceeded.json REQUEST_LIMIT_EXCEEDED 403 PATCH /composite/sobjects \
	'{"allOrNone":false,"records":[]}'
admin sf POST limits '{"used":0}'

# ---- HubSpot: property values ---------------------------------------------
C512=$(new_hs contacts '{"email":"ann@example.com","firstname":"Ann"}')
CO77=$(new_hs companies '{"name":"Acme"}')
hs_rec hs_conflict.json 409 CONFLICT - create contacts '{"email":"ann@example.com"}'
hs_rec hs_validation_error_invalid_email.json 400 VALIDATION_ERROR INVALID_EMAIL update contacts \
	'{"email":"foo@"}' "$C512"
hs_rec hs_validation_error_invalid_option.json 400 VALIDATION_ERROR INVALID_OPTION update contacts \
	'{"hs_lead_status":"Webinarr"}' "$C512"
hs_rec hs_validation_error_invalid_date.json 400 VALIDATION_ERROR INVALID_DATE update contacts \
	'{"date_of_birth":"1714557600001"}' "$C512"
hs_rec hs_validation_error_property_doesnt_exist.json 400 VALIDATION_ERROR PROPERTY_DOESNT_EXIST \
	update contacts '{"region_code":"EMEA"}' "$C512"
hs_rec hs_validation_error_read_only_value.json 400 VALIDATION_ERROR READ_ONLY_VALUE update contacts \
	'{"hs_analytics_source":"OFFLINE"}' "$C512"
hs_rec hs_validation_error_invalid_integer.json 400 VALIDATION_ERROR INVALID_INTEGER update companies \
	'{"numberofemployees":"12 people"}' "$CO77"
hs_rec hs_object_not_found.json 404 OBJECT_NOT_FOUND - update contacts '{"firstname":"Ann"}' 987
hs_only hs_validation_error_batch_inputs.json 400 VALIDATION_ERROR POST /crm/v3/objects/contacts/batch/read \
	"{\"properties\":[\"email\"],\"propertiesWithHistory\":[\"email\"],\"inputs\":$(seq 1 51 | jq -s -c 'map({id: tostring})')}"

# ---- HubSpot: associations (v4) -------------------------------------------
for n in 1 2; do
	c=$(new_hs contacts "{\"email\":\"a$n@example.com\"}")
	hs PUT "/crm/v4/objects/contacts/$c/associations/default/companies/$CO77"
	[ "$STATUS" = 200 ] || fail "setup: associate contact $c ($STATUS)"
done
C3=$(new_hs contacts '{"email":"a3@example.com"}')
hs PUT "/crm/v4/objects/contacts/$C3/associations/default/companies/$CO77"
if [ "$(jqb .category)" = VALIDATION_ERROR ]; then
	cp "$W/body" "$REST/hs_validation_error_association_limit.json"
else
	fail "association limit (single): $STATUS"
fi
# the batch form refuses the whole call with the same body (no per-input element)
hs POST /crm/v4/associations/contacts/companies/batch/associate/default \
	"{\"inputs\":[{\"from\":{\"id\":\"$C3\"},\"to\":{\"id\":\"$CO77\"}}]}"
[ "$STATUS" = 400 ] && [ "$(jqb .subCategory)" = crm.associations.TOO_MANY_ASSOCIATIONS ] ||
	fail "association limit (batch): $STATUS"

# ---- HubSpot: rate limit, service trouble ---------------------------------
use lim
for n in 1 2 3; do hs GET /crm/v3/objects/contacts?limit=1; done
if [ "$STATUS" = 429 ]; then cp "$W/body" "$REST/hs_rate_limit.json"; else fail "burst limit: $STATUS"; fi
use main
admin hs POST faults '{"kind":"status","status":500,"next":1,"path":"/crm/v3/objects/contacts"}'
hs_only hs_internal_error.json 500 INTERNAL_ERROR PATCH "/crm/v3/objects/contacts/$C512" \
	'{"properties":{"firstname":"Ann"}}'

# ---- what was recorded, and the resolvers over it -------------------------
rm -f "$W/body"
nrest=$(ls "$REST" | wc -l)
nbatch=$(ls "$BATCH" | wc -l)
ncodes=$(ls "$REST" "$BATCH" | grep '\.json$' | sort -u | wc -l)
echo "recorded: $ncodes fixtures ($nrest single-call bodies, $nbatch per-record elements)"
echo "single-call: $(ls "$REST" | tr '\n' ' ')"
echo "per-record: $(ls "$BATCH" | tr '\n' ' ')"
[ "$ncodes" -ge "$MIN_CODES" ] || fail "only $ncodes fixtures recorded, expected at least $MIN_CODES"
[ "$nrest" -ge "$MIN_REST" ] || fail "only $nrest single-call bodies, expected at least $MIN_REST"
[ "$nbatch" -ge "$MIN_BATCH" ] || fail "only $nbatch per-record elements, expected at least $MIN_BATCH"

for d in "$REST" "$BATCH"; do
	if ! RESOLVER_FIXTURE_DIR="$d" RESOLVER_FIXTURE_SOME=1 \
		RESOLVER_TWIN_DIR="$top_srcdir/tests/resolvers/fixtures" "$TEST_BIN" >"$W/run.log" 2>&1; then
		cat "$W/run.log"
		fail "resolvers over $(basename "$d")/"
	else
		grep -E '^(SKIP|recorded)' "$W/run.log" | sed "s|^|$(basename "$d")/: |"
	fi
	# every file recorded was a case the binary knew and classified
	[ "$(grep -c '^PASS ' "$W/run.log")" = "$(ls "$d" | wc -l)" ] ||
		fail "$(basename "$d")/: $(grep -c '^PASS ' "$W/run.log") classified of $(ls "$d" | wc -l) recorded"
done

for p in $PIDS; do
	kill -0 "$p" 2>/dev/null || fail "crmsync-sim $p died"
done
[ "$FAILS" -eq 0 ] && echo "PASS" || echo "$FAILS failures"
[ "$FAILS" -eq 0 ]
