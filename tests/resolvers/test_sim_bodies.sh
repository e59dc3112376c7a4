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

W=$(mktemp -d "${TMPDIR:-/tmp}/crmsync-simbodies.XXXXXX")
REST="$W/rest"
BATCH="$W/batch"
mkdir -p "$REST" "$BATCH"
PIDS=
FAILS=0

cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ "${KEEP_WORK:-}" = 1 ]; then echo "recorded bodies kept in $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	FAILS=$((FAILS + 1))
	echo "FAIL: $*"
	[ -f "$W/body" ] && echo "  last body: $(head -c 400 "$W/body")"
}

# start NAME [crmsync-sim options]: sets SF_<NAME>, HS_<NAME>, HSTOK_<NAME>, SFTOK_<NAME>
start() {
	n=$1
	shift
	"$SIM" --salesforce-port 0 --hubspot-port 0 --records 3 --dirty 0 --hs-search-rate 0 "$@" \
		>"$W/ready.$n" 2>"$W/sim.$n.log" &
	pid=$!
	PIDS="$PIDS $pid"
	i=0
	while [ ! -s "$W/ready.$n" ]; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 "$pid" 2>/dev/null; then
			cat "$W/sim.$n.log"
			echo "FAIL: crmsync-sim ($n) did not start"
			exit 1
		fi
		sleep 0.1
	done
	r="$W/ready.$n"
	sfb=$(jq -r .salesforce.base_url "$r")
	tok=$(curl -s -X POST "$sfb/services/oauth2/token" \
		--data-urlencode grant_type=refresh_token \
		--data-urlencode "client_id=$(jq -r .salesforce.client_id "$r")" \
		--data-urlencode "client_secret=$(jq -r .salesforce.client_secret "$r")" \
		--data-urlencode "refresh_token=$(jq -r .salesforce.refresh_token "$r")" | jq -r .access_token)
	[ -n "$tok" ] && [ "$tok" != null ] || { echo "FAIL: no Salesforce token ($n)"; exit 1; }
	eval "SF_$n=\$sfb; SFTOK_$n=\$tok"
	eval "HS_$n=\$(jq -r .hubspot.base_url \"\$r\"); HSTOK_$n=\$(jq -r .hubspot.token \"\$r\")"
}

# use NAME: the simulator the next calls go to
use() {
	eval "SFB=\$SF_$1; SFTOK=\$SFTOK_$1; HSB=\$HS_$1; HSTOK=\$HSTOK_$1"
	V="$SFB/services/data/v59.0"
}

# sf METHOD PATH [JSON] / hs METHOD PATH [JSON]: STATUS, body in $W/body
sf() {
	if [ $# -ge 3 ]; then
		printf '%s' "$3" >"$W/req"
		STATUS=$(curl -s -o "$W/body" -w '%{http_code}' -X "$1" "$V$2" \
			-H "Authorization: Bearer $SFTOK" -H 'Content-Type: application/json' \
			--data-binary @"$W/req")
	else
		STATUS=$(curl -s -o "$W/body" -w '%{http_code}' -X "$1" "$V$2" \
			-H "Authorization: Bearer $SFTOK")
	fi
}
hs() {
	if [ $# -ge 3 ]; then
		printf '%s' "$3" >"$W/req"
		STATUS=$(curl -s -o "$W/body" -w '%{http_code}' -X "$1" "$HSB$2" \
			-H "Authorization: Bearer $HSTOK" -H 'Content-Type: application/json' \
			--data-binary @"$W/req")
	else
		STATUS=$(curl -s -o "$W/body" -w '%{http_code}' -X "$1" "$HSB$2" \
			-H "Authorization: Bearer $HSTOK")
	fi
}
# admin SIDE(sf|hs) METHOD WHAT [JSON]
admin() {
	if [ "$1" = sf ]; then b=$SFB; else b=$HSB; fi
	if [ $# -ge 4 ]; then
		STATUS=$(curl -s -o "$W/body" -w '%{http_code}' -X "$2" "$b/__admin/$3" \
			-H 'Content-Type: application/json' --data-binary "$4")
	else
		STATUS=$(curl -s -o "$W/body" -w '%{http_code}' -X "$2" "$b/__admin/$3")
	fi
	case $STATUS in 2*) ;; *) fail "admin $2 $3: status $STATUS" ;; esac
}
jqb() { jq -r "$1" <"$W/body"; }

# new_sf OBJECT JSON: creates a record, prints its id
new_sf() {
	sf POST "/sobjects/$1" "$2"
	[ "$STATUS" = 201 ] || { fail "setup: create $1 $2 ($STATUS)"; echo none; return; }
	jqb .id
}
# new_hs OBJECT PROPS: creates an object, prints its id
new_hs() {
	hs POST "/crm/v3/objects/$1" "{\"properties\":$2}"
	[ "$STATUS" = 201 ] || { fail "setup: create $1 $2 ($STATUS)"; echo none; return; }
	jqb .id
}

# sf_rec FIXTURE CODE OP OBJECT FIELDS [KEY]: provokes CODE through the
# single-record call (saved to rest/) and through sObject Collections (the
# per-record result, saved to batch/). OP: create, update (KEY = Id), upsert
# (KEY = HubSpot_Id__c value).
sf_rec() {
	fx=$1 code=$2 op=$3 obj=$4 fields=$5 key=${6:-}
	rec=$(printf '%s' "$fields" | jq -c --arg t "$obj" '{attributes: {type: $t}} + .')
	case $op in
	create) sm=POST sp="/sobjects/$obj" cm=POST cp=/composite/sobjects ;;
	update) sm=PATCH sp="/sobjects/$obj/$key" cm=PATCH cp=/composite/sobjects
		rec=$(printf '%s' "$rec" | jq -c --arg id "$key" '. + {Id: $id}') ;;
	upsert) sm=PATCH sp="/sobjects/$obj/HubSpot_Id__c/$key" cm=PATCH
		cp="/composite/sobjects/$obj/HubSpot_Id__c"
		rec=$(printf '%s' "$rec" | jq -c --arg k "$key" '. + {HubSpot_Id__c: $k}') ;;
	esac
	sf "$sm" "$sp" "$fields"
	got=$(jqb '.[0].errorCode? // empty' 2>/dev/null)
	if [ "$got" = "$code" ]; then
		cp "$W/body" "$REST/$fx"
		rmsg=$(jqb '.[0].message')
	else
		fail "$fx: $sm $sp gave $STATUS '$got', expected $code"
		rmsg=
	fi
	sf "$cm" "$cp" "{\"allOrNone\":false,\"records\":[$rec]}"
	got=$(jqb '.[0].errors[0].statusCode? // empty' 2>/dev/null)
	if [ "$STATUS" = 200 ] && [ "$got" = "$code" ]; then
		jq -c '.[0]' <"$W/body" >"$BATCH/$fx"
		[ -z "$rmsg" ] || [ "$(jqb '.[0].errors[0].message')" = "$rmsg" ] ||
			fail "$fx: Collections message '$(jqb '.[0].errors[0].message')' differs from '$rmsg'"
	else
		fail "$fx: $cm $cp gave $STATUS '$got', expected $code"
	fi
}

# sf_only FIXTURE CODE STATUS METHOD PATH [JSON]: a whole-call error (no
# per-record form), saved to rest/
sf_only() {
	fx=$1 code=$2 st=$3
	shift 3
	sf "$@"
	got=$(jqb '.[0].errorCode? // empty' 2>/dev/null)
	if [ "$STATUS" = "$st" ] && [ "$got" = "$code" ]; then
		cp "$W/body" "$REST/$fx"
	else
		fail "$fx: $1 $2 gave $STATUS '$got', expected $st $code"
	fi
}

# hs_rec FIXTURE STATUS CATEGORY SUBCODE OP OBJECT PROPS [ID]: provokes the
# error through the single-object call (rest/) and through batch/create or
# batch/update with an objectWriteTraceId (its errors[] element, batch/).
# SUBCODE "-" = none expected. The messages must agree, except for a missing
# object (HubSpot words that one per endpoint).
hs_rec() {
	fx=$1 st=$2 cat=$3 sub=$4 op=$5 obj=$6 props=$7 id=${8:-}
	if [ "$op" = create ]; then
		hs POST "/crm/v3/objects/$obj" "{\"properties\":$props}"
		inp="{\"properties\":$props,\"objectWriteTraceId\":\"t-$fx\"}"
	else
		hs PATCH "/crm/v3/objects/$obj/$id" "{\"properties\":$props}"
		inp="{\"id\":\"$id\",\"properties\":$props,\"objectWriteTraceId\":\"t-$fx\"}"
	fi
	got="$(jqb '.category // empty') $(jqb '.errors[0].code // "-"')"
	if [ "$STATUS" = "$st" ] && [ "$got" = "$cat $sub" ]; then
		cp "$W/body" "$REST/$fx"
		rmsg=$(jqb .message)
	else
		fail "$fx: single $op gave $STATUS '$got', expected $st '$cat $sub'"
		rmsg=
	fi
	hs POST "/crm/v3/objects/$obj/batch/$op" "{\"inputs\":[$inp]}"
	got="$(jqb '.errors[0].category // empty') $(jqb '.errors[0].errors[0].code // "-"')"
	if [ "$STATUS" = 207 ] && [ "$got" = "$cat $sub" ] &&
	   [ "$(jqb '.errors[0].context.objectWriteTraceId[0]')" = "t-$fx" ]; then
		jq -c '.errors[0]' <"$W/body" >"$BATCH/$fx"
		[ -z "$rmsg" ] || [ "$cat" = OBJECT_NOT_FOUND ] || [ "$(jqb '.errors[0].message')" = "$rmsg" ] ||
			fail "$fx: batch message '$(jqb '.errors[0].message')' differs from '$rmsg'"
	else
		fail "$fx: batch/$op gave $STATUS '$got', expected 207 '$cat $sub'"
	fi
}

# hs_only FIXTURE STATUS CATEGORY|errorType METHOD PATH [JSON] (rest/ only)
hs_only() {
	fx=$1 st=$2 cat=$3
	shift 3
	hs "$@"
	got=$(jqb '.category // .errorType // empty')
	if [ "$STATUS" = "$st" ] && [ "$got" = "$cat" ]; then
		cp "$W/body" "$REST/$fx"
	else
		fail "$fx: $1 $2 gave $STATUS '$got', expected $st $cat"
	fi
}

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

# sf_batch FIXTURE CODE METHOD PATH RECORD: Collections only (the error has
# no single-record form)
sf_batch() {
	sf "$3" "$4" "{\"allOrNone\":false,\"records\":[$5]}"
	got=$(jqb '.[0].errors[0].statusCode? // empty' 2>/dev/null)
	if [ "$STATUS" = 200 ] && [ "$got" = "$2" ]; then
		jq -c '.[0]' <"$W/body" >"$BATCH/$1"
	else
		fail "$1: $3 $4 gave $STATUS '$got', expected $2"
	fi
}

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
HOLDER=$(new_sf Contact '{"LastName":"Holder","HubSpot_Id__c":"512"}')
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
