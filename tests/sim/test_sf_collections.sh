#!/bin/sh
# crmsync-sim Salesforce side: sObject Collections (create, update, upsert,
# delete, retrieve, allOrNone), hostile requests (bad JSON, 300 records,
# unknown fields, 10 MB bodies) and save/load of the state. Needs curl, jq.
. "${top_srcdir:-.}/tests/sim/sf_testlib.sh"
sf_start --seed 3 --records 300 --state "$TMPD/state.json"

gen() { # gen N PREFIX [extra-json] -> records array
	jq -cn --argjson n "$1" --arg p "$2" --argjson x "${3:-{\}}" \
		'[range($n) | {attributes:{type:"Contact"}, LastName:"\($p)\(.)", Email:"\($p)\(.)@coll.example", HubSpot_Id__c:"\($p)-\(.)"} + $x]'
}

# create
sf POST /composite/sobjects "{\"allOrNone\":false,\"records\":$(gen 200 a)}"
expect "create 200" "200 200 true" "$STATUS $(jqb length) $(jqb 'all(.[]; .success and (.id|startswith("003")) and .errors==[])')"
IDS=$(jqb '[.[].id]|join(",")')
# mixed result, no allOrNone: per-record errors, the rest saved
recs=$(gen 3 b | jq -c '.[1].Email="broken@" | .[2].Shoe__c=1')
sf POST /composite/sobjects "{\"records\":$recs}"
expect "partial success" "true INVALID_EMAIL_ADDRESS INVALID_FIELD" \
	"$(jqb '.[0].success') $(jqb '.[1].errors[0].statusCode') $(jqb '.[2].errors[0].statusCode')"
# allOrNone: one failure rolls everything back
recs=$(gen 4 c | jq -c '.[3].LeadSource="Webinarr"')
sf POST /composite/sobjects "{\"allOrNone\":true,\"records\":$recs}"
expect "allOrNone failure" "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST ALL_OR_NONE_OPERATION_ROLLED_BACK" \
	"$(jqb '.[3].errors[0].statusCode') $(jqb '[.[0:3][].errors[0].statusCode]|unique|join(",")')"
sf GET "/query?q=$(printf '%s' "SELECT COUNT() FROM Contact WHERE Email LIKE 'c%@coll.example'" | jq -sRr @uri)"
expect "rolled back: nothing saved" 0 "$(jqb .totalSize)"
# too many records, bad JSON, wrong shapes
sf POST /composite/sobjects "{\"records\":$(gen 300 d)}"
expect_err "300 records" 400 EXCEEDED_ID_LIMIT
sf POST /composite/sobjects '{"records":[{"attributes":{"type":"Contact"},"LastName":"x"},'
expect_err "bad JSON" 400 JSON_PARSER_ERROR
sf POST /composite/sobjects '{"allOrNone":false}'
expect_err "no records array" 400 JSON_PARSER_ERROR
sf POST /composite/sobjects '{"records":[{"LastName":"no type"}, 5, {"attributes":{"type":"Nope"}}]}'
expect "missing/unknown types" "INVALID_TYPE JSON_PARSER_ERROR INVALID_TYPE" \
	"$(jqb '[.[].errors[0].statusCode]|join(" ")')"
# 10 MB body: refused with an error, the server stays up
head -c 10485760 /dev/zero | tr '\0' 'a' >"$TMPD/big"
st=$(curl -s -o "$TMPD/body" -w '%{http_code}' -X POST "$V/composite/sobjects" \
	-H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' --data-binary @"$TMPD/big")
BODY=$(cat "$TMPD/body")
expect "10 MB body refused" "413 JSON_PARSER_ERROR" "$st $(jqb '.[0].errorCode')"
sf GET /limits
expect "still serving" 200 "$STATUS"

# update
upd=$(printf '%s' "$IDS" | jq -cR 'split(",")[0:150] | map({attributes:{type:"Contact"}, Id:., Title:"Updated"})')
sf PATCH /composite/sobjects "{\"records\":$upd}"
expect "update 150" "150 true" "$(jqb length) $(jqb 'all(.[]; .success)')"
sf PATCH /composite/sobjects '{"records":[{"attributes":{"type":"Contact"},"Title":"x"},{"attributes":{"type":"Contact"},"Id":"003000000000000AAA","Title":"x"}]}'
expect "update errors" "MISSING_ARGUMENT INVALID_CROSS_REFERENCE_KEY" "$(jqb '[.[].errors[0].statusCode]|join(" ")')"
# upsert by external id
ups=$(jq -cn '[{attributes:{type:"Contact"}, HubSpot_Id__c:"a-1", Title:"Again"}, {attributes:{type:"Contact"}, HubSpot_Id__c:"new-1", LastName:"Fresh"}, {attributes:{type:"Contact"}, LastName:"NoKey"}]')
sf PATCH /composite/sobjects/Contact/HubSpot_Id__c "{\"allOrNone\":false,\"records\":$ups}"
expect "upsert results" "false true MISSING_ARGUMENT" "$(jqb '.[0].created') $(jqb '.[1].created') $(jqb '.[2].errors[0].statusCode')"
sf PATCH /composite/sobjects/Contact/Nope__c '{"records":[]}'
expect_err "unknown external id field" 404 NOT_FOUND
# retrieve
three=$(printf '%s' "$IDS" | cut -d, -f1-3)
sf GET "/composite/sobjects/Contact?ids=$three,003000000000000AAA&fields=Id,Title,Email"
expect "retrieve" "4 Updated null" "$(jqb length) $(jqb '.[0].Title') $(jqb '.[3]')"
sf POST /composite/sobjects/Contact "{\"ids\":[\"$(printf '%s' "$three" | cut -d, -f1)\"],\"fields\":[\"Name\"]}"
expect "retrieve by POST" "a0" "$(jqb '.[0].Name')"
sf GET "/composite/sobjects/Contact?ids=$three&fields=Bogus"
expect_err "retrieve unknown field" 400 INVALID_FIELD
# delete
sf DELETE "/composite/sobjects?ids=$three,001000000000000AAA&allOrNone=false"
expect "delete" "true true true false" "$(jqb '[.[].success]|map(tostring)|join(" ")')"
sf DELETE "/composite/sobjects?ids=$(printf '%s' "$three" | cut -d, -f1)"
expect "delete again" ENTITY_IS_DELETED "$(jqb '.[0].errors[0].statusCode')"

# throughput: 50 requests x 200 records created, must stay >= 20,000 records/s
# (only measured on optimised builds; sanitizers make it meaningless)
gen 200 t | jq -c '{allOrNone:false, records:.}' >"$TMPD/t0"
for i in $(seq 1 50); do sed "s/\"t\([0-9]\)/\"t${i}x\1/g; s/t-/t${i}-/g" "$TMPD/t0" >"$TMPD/t$i"; done
t0=$(date +%s%N)
for i in $(seq 1 50); do
	curl -s -o /dev/null -X POST "$V/composite/sobjects" -H "Authorization: Bearer $TOK" \
		-H 'Content-Type: application/json' --data-binary @"$TMPD/t$i"
done
t1=$(date +%s%N)
rate=$((10000 * 1000000000 / (t1 - t0 + 1)))
echo "collections create: $rate records/s (incl. curl start-up)"
sf GET "/query?q=$(printf '%s' "SELECT COUNT() FROM Contact WHERE Email LIKE 't%@coll.example'" | jq -sRr @uri)"
expect "throughput records saved" 10000 "$(jqb .totalSize)"

# persistence: SIGTERM saves, a restart loads
sf POST /sobjects/Account '{"Name":"Persisted Inc."}'
PID_ACC=$(jqb .id)
kill "$SIMPID"; wait "$SIMPID" 2>/dev/null; SIMPID=
expect "state saved" true "$(jq -e '.salesforce.objects.Account.records|length > 0' "$TMPD/state.json" >/dev/null && echo true)"
sf_start --seed 3 --records 300 --state "$TMPD/state.json"
sf GET "/sobjects/Account/$PID_ACC"
expect "state loaded" "Persisted Inc." "$(jqb .Name)"
sf GET "/composite/sobjects/Contact?ids=$(printf '%s' "$three" | cut -d, -f1)&fields=Id"
expect "deleted stays deleted" null "$(jqb '.[0]')"

sf_done
