#!/bin/sh
# crmsync-sim Salesforce side: OAuth, sessions, limits, versions, describe,
# SOQL query/queryAll/paging, records, external-id upsert, replication,
# admin endpoints; each real error code at least once. Needs curl and jq.
. "${top_srcdir:-.}/tests/sim/sf_testlib.sh"

cat >"$TMPD/schema.json" <<'JSON'
{"custom_fields": {"Contact": [
  {"name": "HubSpot_Id__c", "type": "string", "length": 64, "externalId": true, "unique": true},
  {"name": "Level__c", "type": "picklist", "picklist": ["Primary", "Secondary"]},
  {"name": "Legacy_Id__c", "label": "Legacy ID", "type": "string", "length": 20, "externalId": true}]}}
JSON
sf_start --seed 7 --records 600 --schema "$TMPD/schema.json"

# ---- OAuth --------------------------------------------------------------
tok() { curl -s -o "$TMPD/body" -w '%{http_code}' -X POST "$B/services/oauth2/token" -d "$1"; }
st=$(tok "grant_type=refresh_token&client_id=$CID&client_secret=$CSEC&refresh_token=$RTOK")
BODY=$(cat "$TMPD/body")
expect "refresh grant" 200 "$st"
expect "token fields" "Bearer true true true true" \
	"$(jqb '[.token_type, (.instance_url|startswith("http")), (.id|test("/id/00D.{15}/005.{15}$")), (.issued_at|test("^[0-9]{13}$")), (.signature|length==44)]|join(" ")')"
st=$(tok "grant_type=refresh_token&client_id=$CID&client_secret=$CSEC&refresh_token=nope")
BODY=$(cat "$TMPD/body")
expect "bad refresh token" "400 invalid_grant expired access/refresh token" "$st $(jqb .error) $(jqb .error_description)"
st=$(tok "grant_type=refresh_token&client_id=wrong&refresh_token=$RTOK")
BODY=$(cat "$TMPD/body")
expect "bad client id" "400 invalid_client_id" "$st $(jqb .error)"
st=$(tok "grant_type=client_credentials&client_id=$CID&client_secret=bad")
BODY=$(cat "$TMPD/body")
expect "bad secret" "400 invalid_client" "$st $(jqb .error)"
st=$(tok "grant_type=client_credentials&client_id=$CID&client_secret=$CSEC")
expect "client_credentials" 200 "$st"
st=$(tok "grant_type=password&client_id=$CID")
BODY=$(cat "$TMPD/body")
expect "unsupported grant" "400 unsupported_grant_type" "$st $(jqb .error)"
sf_admin POST auth '{"revoke_refresh_token": true}'
st=$(tok "grant_type=refresh_token&client_id=$CID&client_secret=$CSEC&refresh_token=$RTOK")
expect "revoked refresh token" 400 "$st"
sf_admin POST auth '{"revoke_refresh_token": false}'

# ---- sessions, versions, limits ----------------------------------------
SAVED=$TOK; TOK=garbage
sf GET /limits
expect_err "invalid token" 401 INVALID_SESSION_ID
TOK=$SAVED
BODY=$(curl -s -D "$TMPD/headers" "$B/services/data/")
expect "versions list has 59.0" true "$(jqb 'any(.[]; .version=="59.0" and .url=="/services/data/v59.0")')"
expect "no limit header on versions" "" "$(grep -i '^Sforce-Limit-Info' "$TMPD/headers")"
sf GET /limits
u1=$(grep -i '^Sforce-Limit-Info' "$TMPD/headers" | sed 's/.*api-usage=\([0-9]*\)\/.*/\1/')
expect "limits" "200 100000" "$STATUS $(jqb .DailyApiRequests.Max)"
sf GET /limits
u2=$(grep -i '^Sforce-Limit-Info' "$TMPD/headers" | sed 's/.*api-usage=\([0-9]*\)\/.*/\1/')
expect "each call counts" "$((u1 + 1))" "$u2"
expect "Remaining follows usage" "$((100000 - u1 - 1))" "$(jqb .DailyApiRequests.Remaining)"
sf_admin PATCH limits '{"used": 50, "max": 50}'
sf GET /limits
expect_err "daily limit" 403 REQUEST_LIMIT_EXCEEDED
expect "limit header on 403" 1 "$(grep -ci 'Sforce-Limit-Info: api-usage=50/50' "$TMPD/headers")"
sf_admin PATCH limits '{"used": 0, "max": 100000}'
sf GET /sobjects/Contact
expect "back under the limit" 200 "$STATUS"

# ---- describe ----------------------------------------------------------
for o in Lead Contact Account Opportunity OpportunityContactRole Task Event User; do
	sf GET "/sobjects/$o/describe"
	expect "describe $o" "200 $o" "$STATUS $(jqb .name)"
done
sf GET /sobjects/Contact/describe
expect "external id field" "true true" "$(jqb '.fields[]|select(.name=="HubSpot_Id__c")|"\(.externalId) \(.nillable)"')"
expect "restricted picklist" "true 10" "$(jqb '.fields[]|select(.name=="LeadSource")|"\(.restrictedPicklist) \(.picklistValues|length)"')"
expect "required LastName" "false true" "$(jqb '.fields[]|select(.name=="LastName")|"\(.nillable) \(.createable)"')"
expect "lookup metadata" "Account Account" "$(jqb '.fields[]|select(.name=="AccountId")|"\(.referenceTo[0]) \(.relationshipName)"')"
sf GET /sobjects/Lead/describe
expect "FLS read-only field" "false false" "$(jqb '.fields[]|select(.name=="Rating")|"\(.createable) \(.updateable)"')"
sf GET /sobjects/User/describe
expect "read-only object" "false" "$(jqb .createable)"
sf GET /sobjects/Nope/describe
expect_err "unknown sobject" 404 NOT_FOUND
sf GET /sobjects
expect "describeGlobal" "8" "$(jqb '.sobjects|length')"

# ---- SOQL --------------------------------------------------------------
q() { sf GET "/query?q=$(printf '%s' "$1" | jq -sRr @uri)"; }
qa() { sf GET "/queryAll?q=$(printf '%s' "$1" | jq -sRr @uri)"; }
q "SELECT COUNT() FROM Contact"
ncont=$(jqb .totalSize)
expect "count" true "$([ "$ncont" -gt 100 ] && echo true)"
q "SELECT Id, Email FROM Contact"
expect "one page" "$ncont true $ncont" "$(jqb '.totalSize') $(jqb .done) $(jqb '.records|length')"
SF_EXTRA_HEADER="Sforce-Query-Options: batchSize=200" q "SELECT Id FROM Contact ORDER BY Id"
expect "batchSize page" "200 false" "$(jqb '.records|length') $(jqb .done)"
next=$(jqb .nextRecordsUrl); first_ids=$(jqb '[.records[].Id]|join(",")')
expect "locator format" true "$(printf '%s' "$next" | grep -qE '^/services/data/v59.0/query/01g[0-9A-Za-z]{15}-200$' && echo true)"
seen=200
while [ "$next" != null ]; do
	sf GET "$B$next"
	seen=$((seen + $(jqb '.records|length')))
	next=$(jqb '.nextRecordsUrl // "null"')
done
expect "paging covers all rows" "$ncont" "$seen"
sf GET "/query/01gAAAAAAAAAAAAAAA-200"
expect_err "bad locator" 400 INVALID_QUERY_LOCATOR
qa "SELECT Id FROM Contact WHERE IsDeleted = true"
ndel=$(jqb .totalSize)
q "SELECT Id FROM Contact WHERE IsDeleted = true"
expect "query hides deleted" "0 nonzero" "$(jqb .totalSize) $([ "$ndel" -gt 0 ] && echo nonzero)"
q "SELECT Id, SystemModstamp FROM Contact WHERE SystemModstamp > 2000-01-01T00:00:00Z ORDER BY SystemModstamp DESC, Id LIMIT 5"
expect "order desc" true "$(jqb '[.records[].SystemModstamp] as $a | ($a == ($a|sort|reverse)) and ($a|length)==5')"
ts=$(jqb '.records[2].SystemModstamp')
q "SELECT Id FROM Contact WHERE SystemModstamp >= $ts"
expect "datetime literal with +0000" 3 "$(jqb .totalSize)"
q "SELECT Id, Email FROM Contact WHERE (Email LIKE '%@gmail.com' OR Email = null) AND NOT Email IN ('x@y.z')"
expect "LIKE/OR/NOT IN" true "$(jqb '[.records[].Email|(. == null or endswith("@gmail.com"))]|all')"
q "SELECT Id, Account.Name FROM Contact WHERE AccountId != null LIMIT 1"
expect "relationship field" "Account" "$(jqb '.records[0].Account.attributes.type')"
q "SELECT Id, Foo FROM Lead"
expect_err "unknown column" 400 INVALID_FIELD
expect "caret message" "true" "$(jqb '.[0].message|test("^\nSELECT Id, Foo FROM Lead\n {11}\\^\nERROR at Row:1:Column:12\nNo such column .Foo. on entity .Lead.")')"
q "SELECT Id FROM Lead WHERE"
expect_err "truncated where" 400 MALFORMED_QUERY
q "SELECT Id FROM Lead WHERE SystemModstamp > '2024-01-01'"
expect_err "quoted datetime" 400 INVALID_FIELD
q "SELECT Id FROM Nothing"
expect_err "unknown object" 400 INVALID_TYPE
q "SELECT Id FROM Lead WHERE IsConverted = true AND ConvertedContactId != null"
expect "converted leads exist" true "$([ "$(jqb .totalSize)" -gt 0 ] && echo true)"

# ---- records -----------------------------------------------------------
sf POST /sobjects/Account '{"Name":"Sim Test Corp","Industry":"Technology"}'
expect "create account" "201 true" "$STATUS $(jqb .success)"
ACC=$(jqb .id)
expect "18-char id with 001" true "$(printf '%s' "$ACC" | grep -qE '^001[0-9A-Za-z]{15}$' && echo true)"
sf POST /sobjects/Contact "{\"LastName\":\"Tester\",\"FirstName\":\"Tina\",\"Email\":\"tina@simtest.example\",\"AccountId\":\"$ACC\",\"HubSpot_Id__c\":\"hs-100\"}"
expect "create contact" 201 "$STATUS"
C1=$(jqb .id)
sf GET "/sobjects/Contact/$C1"
expect "read back" "Tina Tester $ACC false" "$(jqb '"\(.Name) \(.AccountId) \(.IsDeleted)"')"
m1=$(jqb .SystemModstamp)
sf GET "/sobjects/Contact/$C1?fields=Email,Name"
expect "fields param" "3" "$(jqb 'keys|length')"
sf PATCH "/sobjects/Contact/$C1" '{"Title":"CTO"}'
expect "update" 204 "$STATUS"
sf GET "/sobjects/Contact/$C1"
m2=$(jqb .SystemModstamp)
expect "modstamp advances" true "$([ "$m2" \> "$m1" ] && echo true)"
sf GET "/sobjects/Contact/003000000000000AAA"
expect_err "unknown id" 404 NOT_FOUND

# ---- each error code ---------------------------------------------------
sf POST /sobjects/Contact '{"LastName":"Dup","Email":"TINA@simtest.example"}'
expect_err "duplicate rule" 400 DUPLICATES_DETECTED
expect "duplicateResult names the rule and the match" "true true" \
	"$(jqb '"\(.[0].duplicateResult.duplicateRule|type=="string") \(.[0].duplicateResult.matchResults[0].matchRecords[0].record.Id|test("^003"))"')"
SF_EXTRA_HEADER="Sforce-Duplicate-Rule-Header: allowSave=true" sf POST /sobjects/Contact '{"LastName":"Dup","Email":"TINA@simtest.example"}'
expect "allowSave bypasses the rule" 201 "$STATUS"
sf POST /sobjects/Contact '{"LastName":"Dup2","HubSpot_Id__c":"HS-100"}'
expect_err "unique field" 400 DUPLICATE_VALUE
sf POST /sobjects/Contact '{"LastName":"V","Phone":"call reception"}'
expect_err "validation rule" 400 FIELD_CUSTOM_VALIDATION_EXCEPTION
expect "validation error field" Phone "$(jqb '.[0].fields[0]')"
sf POST /sobjects/Lead '{"LastName":"F","Company":"C","Description":"please #flowfail"}'
expect_err "flow" 400 CANNOT_EXECUTE_FLOW_TRIGGER
sf POST /sobjects/Lead '{"LastName":"P","Company":"C","LeadSource":"Webinarr"}'
expect_err "restricted picklist" 400 INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST
sf POST /sobjects/Lead '{"LastName":"P","Company":"C","Rating":"Hot"}'
expect_err "FLS" 400 INVALID_FIELD_FOR_INSERT_UPDATE
sf POST /sobjects/Lead '{"LastName":"P","Company":"C","IsConverted":true}'
expect_err "system field" 400 INVALID_FIELD_FOR_INSERT_UPDATE
sf POST /sobjects/User '{"LastName":"U","Username":"u@x.example"}'
expect_err "object permission" 400 INSUFFICIENT_ACCESS_OR_READONLY
sf POST /sobjects/Contact '{"LastName":"L","FirstName":"Maria-Guadalupe-Alexandra-Esperanza-Concepción"}'
expect_err "length" 400 STRING_TOO_LONG
sf POST /sobjects/Contact '{"LastName":"E","Email":"someone at example.com"}'
expect_err "email" 400 INVALID_EMAIL_ADDRESS
sf POST /sobjects/Lead '{"LastName":"NoCompany"}'
expect_err "required" 400 REQUIRED_FIELD_MISSING
expect "required fields list" '["Company"]' "$(jqb '.[0].fields|tojson')"
sf POST /sobjects/Contact '{"LastName":"X","Shoe_Size__c":42}'
expect_err "unknown field" 400 INVALID_FIELD
sf POST /sobjects/Contact '{"LastName":"X","AccountId":"001000000000000AAA"}'
expect_err "dangling lookup" 400 INVALID_CROSS_REFERENCE_KEY
sf POST /sobjects/Contact '{"LastName":"X","AccountId":"not-an-id"}'
expect_err "malformed id" 400 MALFORMED_ID
sf POST /sobjects/Contact "{\"LastName\":\"X\",\"AccountId\":\"$C1\"}"
expect_err "lookup to another object" 400 FIELD_INTEGRITY_EXCEPTION
sf POST /sobjects/Account '{"Name":"Big","AnnualRevenue":1.0E19}'
expect_err "number of 19 digits" 400 NUMBER_OUTSIDE_VALID_RANGE
sf POST /sobjects/Contact '{"LastName":"X","HasOptedOutOfEmail":"maybe"}'
expect_err "wrong JSON type" 400 JSON_PARSER_ERROR
sf POST /sobjects/Contact '{"LastName":'
expect_err "bad JSON" 400 JSON_PARSER_ERROR
sf POST /sobjects/Contact '{"LastName":"S","MailingCountry":"United States","MailingState":"Calif."}'
expect_err "state picklist" 400 FIELD_INTEGRITY_EXCEPTION
sf POST /sobjects/Contact '{"LastName":"S","MailingCountryCode":"US","MailingStateCode":"CA"}'
expect "state/country codes" 201 "$STATUS"
sf GET "/sobjects/Contact/$(jqb .id)?fields=MailingState,MailingCountry"
expect "code fills the name" "California United States" "$(jqb '"\(.MailingState) \(.MailingCountry)"')"
sf POST /sobjects/Account '{"Name":"Doomed"}'
DOOMED=$(jqb .id)
sf DELETE "/sobjects/Account/$DOOMED"
expect "delete" 204 "$STATUS"
sf GET "/sobjects/Account/$DOOMED"
expect_err "read deleted" 404 ENTITY_IS_DELETED
sf PATCH "/sobjects/Account/$DOOMED" '{"Name":"x"}'
expect_err "update deleted" 404 ENTITY_IS_DELETED
sf POST /sobjects/Contact "{\"LastName\":\"X\",\"AccountId\":\"$DOOMED\"}"
expect_err "lookup to deleted" 400 ENTITY_IS_DELETED
expect "no field named for a deleted target" 0 "$(jqb '.[0].fields|length')"
q "SELECT Id FROM Lead WHERE IsConverted = true LIMIT 1"
CONV=$(jqb '.records[0].Id')
sf PATCH "/sobjects/Lead/$CONV" '{"Title":"x"}'
expect_err "converted lead" 400 CANNOT_UPDATE_CONVERTED_LEAD
sf PUT "/sobjects/Contact/$C1" '{}'
expect_err "method" 405 METHOD_NOT_ALLOWED

# ---- external-id upsert ------------------------------------------------
sf PATCH /sobjects/Contact/HubSpot_Id__c/hs-200 '{"LastName":"Upserted"}'
expect "upsert create" "201 true" "$STATUS $(jqb .created)"
U1=$(jqb .id)
sf PATCH /sobjects/Contact/HubSpot_Id__c/hs-200 '{"Title":"Boss"}'
expect "upsert update" "200 false $U1" "$STATUS $(jqb .created) $(jqb .id)"
sf GET /sobjects/Contact/HubSpot_Id__c/hs-200
expect "get by external id" "$U1 Boss" "$(jqb .Id) $(jqb .Title)"
sf POST /sobjects/Contact '{"LastName":"A","Legacy_Id__c":"L-1"}'
sf POST /sobjects/Contact '{"LastName":"B","Legacy_Id__c":"l-1"}'
sf PATCH /sobjects/Contact/Legacy_Id__c/L-1 '{"Title":"x"}'
expect "upsert with two matches" "300 2" "$STATUS $(jqb 'length')"
sf PATCH /sobjects/Contact/Title/boss '{"Title":"x"}'
expect_err "not an external id" 404 NOT_FOUND

# ---- replication -------------------------------------------------------
start=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%S%%2B00:00)
end=$(date -u -d '+2 hour' +%Y-%m-%dT%H:%M:%S%%2B00:00)
sf_admin POST clock '{"offset_ms": 120000}'
sf GET "/sobjects/Contact/updated/?start=$start&end=$end"
expect "getUpdated" "200 true" "$STATUS $(jqb "[.ids[]] | index(\"$C1\") != null")"
expect "latestDateCovered" true "$(jqb '.latestDateCovered|test("^[0-9-]{10}T[0-9:]{5}:00.000\\+0000$")')"
sf GET "/sobjects/Account/deleted/?start=$start&end=$end"
expect "getDeleted" "200 true" "$STATUS $(jqb "[.deletedRecords[].id] | index(\"$DOOMED\") != null")"
sf GET "/sobjects/Account/updated/?start=2001-01-01T00:00:00%2B00:00&end=$end"
expect_err "too old" 400 INVALID_REPLICATION_DATE
sf_admin POST clock '{"offset_ms": 0}'

# ---- admin -------------------------------------------------------------
sf_admin GET dump/OpportunityContactRole
expect "dump OCR" true "$(jqb 'length > 0 and all(.[]; .OpportunityId != null)')"
sf_admin POST records/Lead '{"LastName":"Admin","Company":"Made","Rating":"Hot"}'
L1=$(jqb .Id)
expect "admin bypasses FLS" "Hot admin" "$(jqb .Rating) $(jqb 'if .LastModifiedById != .OwnerId then "admin" else "same" end')"
sf_admin POST "records/Lead/$L1" '{"convert": true}'
expect "admin convert" "true true" "$(jqb .IsConverted) $(jqb '.ConvertedContactId|startswith("003")')"
sf_admin PATCH config '{"validation_rules": []}'
sf POST /sobjects/Contact '{"LastName":"V","Phone":"call reception"}'
expect "rule removed at runtime" 201 "$STATUS"
sf_admin GET config
flowmail=$(jqb '[.flows[]|select(.op=="in")|.values[]][0] // empty')
if [ -n "$flowmail" ]; then
	sf POST /sobjects/Contact "{\"LastName\":\"Flow\",\"Email\":\"$flowmail\"}"
	expect "flow-dirty person" CANNOT_EXECUTE_FLOW_TRIGGER "$(jqb '.[0].errorCode')"
fi

sf_done
