#!/bin/sh
# crmsync-sim HubSpot side: auth, objects CRUD, batch endpoints and their
# limits and errors, properties validation, conflicts, hostile bodies.
. "${top_srcdir:-.}/tests/sim/simlib.sh"

sim_start --seed 7 --records 300 --hs-burst-limit 0 --hs-search-rate 0

# ---- auth ----
hs_as "" GET /crm/v3/objects/contacts
check "no token -> 401" status_is 401
check "no token body" is_hs_error INVALID_AUTHENTICATION
hs_as "Bearer pat-na1-wrong" GET /crm/v3/objects/contacts
check "bad token -> 401" status_is 401
CID=$(printf '%s' "$READY" | jq -r .hubspot.client_id)
CSEC=$(printf '%s' "$READY" | jq -r .hubspot.client_secret)
RT=$(printf '%s' "$READY" | jq -r .hubspot.refresh_token)
STATUS=$(curl -s -o "$SIM_DIR/body" -w '%{http_code}' -d "grant_type=refresh_token&client_id=$CID&client_secret=$CSEC&refresh_token=$RT" "$HS/oauth/v1/token")
check "oauth refresh -> 200" status_is 200
check "oauth token shape" body_has '(.token_type=="bearer") and (.expires_in>0) and (.access_token|length>10) and (.refresh_token|length>0)'
AT=$(jqb .access_token)
hs_as "Bearer $AT" GET "/crm/v3/objects/companies?limit=1"
check "oauth access token works" status_is 200
check "oauth calls carry no daily headers" is "$(header X-HubSpot-RateLimit-Daily)" ""
STATUS=$(curl -s -o "$SIM_DIR/body" -w '%{http_code}' -d "grant_type=refresh_token&client_id=$CID&client_secret=$CSEC&refresh_token=nope" "$HS/oauth/v1/token")
check "bad refresh token -> 400" status_is 400
check "bad refresh token body" body_has '.status=="BAD_REFRESH_TOKEN" and .message=="missing or invalid refresh token"'
admin POST config '{"expire_tokens":true}'
hs_as "Bearer $AT" GET "/crm/v3/objects/companies?limit=1"
check "expired token -> 401" status_is 401
check "expired token body" is_hs_error EXPIRED_AUTHENTICATION

# ---- list and paging ----
get "/crm/v3/objects/contacts?limit=100&properties=email,state&properties=country"
check "list -> 200" status_is 200
check "list page of 100 with paging" body_has '(.results|length==100) and (.paging.next.after|test("^[0-9]+$"))'
check "list has requested and default properties" body_has '.results[0].properties|has("email") and has("country") and has("hs_object_id") and has("lastmodifieddate") and has("createdate")'
check "timestamps are ISO with ms and Z" body_has '.results[0].createdAt|test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{3}Z$")'
AFTER=$(jqb .paging.next.after)
FIRST=$(jqb '.results[0].id')
get "/crm/v3/objects/contacts?limit=100&after=$AFTER"
check "second page starts at after" body_has ".results[0].id==\"$AFTER\""
get "/crm/v3/objects/contacts?limit=100&after=$(jqb .paging.next.after)"
check "last page has no paging" body_has '(.results|length==100) and (has("paging")|not)'
get "/crm/v3/objects/widgets"
check "unknown object type -> 400" status_is 400

# ---- single CRUD ----
post /crm/v3/objects/contacts '{"properties":{"email":"Ana.Garcia@Example.COM","firstname":"Ana","lastname":"García","lifecyclestage":"lead","date_of_birth":"1990-05-17"}}'
check "create -> 201" status_is 201
ID=$(jqb .id)
check "create lower-cases email" body_has '.properties.email=="ana.garcia@example.com"'
check "create sets hs_object_id" body_has ".properties.hs_object_id==\"$ID\""
get "/crm/v3/objects/contacts/ana.garcia@example.com?idProperty=email&properties=firstname"
check "read by idProperty=email" body_has ".id==\"$ID\" and .properties.firstname==\"Ana\""
OLDMOD=$(jqb .updatedAt)
sleep 0.01
patch "/crm/v3/objects/contacts/$ID" '{"properties":{"jobtitle":"CTO","lifecyclestage":"customer"}}'
check "update -> 200" status_is 200
check "update advances lastmodifieddate" body_has ".properties.jobtitle==\"CTO\" and .updatedAt > \"$OLDMOD\" and .properties.lastmodifieddate==.updatedAt"
post /crm/v3/objects/contacts '{"properties":{"email":"ana.garcia@example.com"}}'
check "duplicate email -> 409" status_is 409
check "409 names the existing id" body_has ".category==\"CONFLICT\" and .message==\"Contact already exists. Existing ID: $ID\""
patch /crm/v3/objects/contacts/99999999 '{"properties":{"firstname":"x"}}'
check "update missing -> 404" status_is 404
check "404 body" is_hs_error OBJECT_NOT_FOUND
hs DELETE "/crm/v3/objects/contacts/$ID"
check "archive -> 204" status_is 204
get "/crm/v3/objects/contacts/$ID"
check "archived record -> 404" status_is 404
get "/crm/v3/objects/contacts/$ID?archived=true"
check "archived=true shows it" body_has '.archived==true and (.archivedAt|type=="string")'
get "/crm/v3/objects/contacts?archived=true&limit=100"
check "archived list" body_has "[.results[].id]|index(\"$ID\")!=null"

# ---- property validation ----
post /crm/v3/objects/contacts '{"properties":{"email":"bad@","lifecyclestage":"bogus","no_such_prop":"1","hs_object_id":"5","date_of_birth":"1577880000001"}}'
check "invalid properties -> 400" status_is 400
check "validation body" is_hs_error VALIDATION_ERROR
check "message embeds the per-property JSON" body_has '.message|startswith("Property values were not valid: [")'
check "errors[] lists each problem" body_has '[.errors[].code]|sort==["INVALID_DATE","INVALID_EMAIL","INVALID_OPTION","PROPERTY_DOESNT_EXIST","READ_ONLY_VALUE"]'
check "errors name the property" body_has '[.errors[].context.propertyName[0]]|index("lifecyclestage")!=null'
post /crm/v3/objects/companies '{"properties":{"name":"X","numberofemployees":"lots"}}'
check "bad number -> 400" body_has '.errors[0].code=="INVALID_INTEGER"'
post /crm/v3/objects/tasks '{"properties":{"hs_task_subject":"no timestamp"}}'
check "task without hs_timestamp -> 400" body_has '.errors[0].code=="REQUIRED_PROPERTY" and .errors[0].in=="hs_timestamp"'
post /crm/v3/objects/deals '{"properties":{"dealname":"D","dealstage":"closedwon","pipeline":"default","amount":"1200.50","closedate":"2025-03-01T00:00:00Z"}}'
check "deal create -> 201" status_is 201
check "deal has hs_lastmodifieddate" body_has '.properties.hs_lastmodifieddate|type=="string"'

# ---- batch ----
IDS=$(curl -s -H "Authorization: Bearer $TOKEN" "$HS/crm/v3/objects/contacts?limit=3" | jq -c '[.results[].id|{id:.}]')
post /crm/v3/objects/contacts/batch/read "{\"properties\":[\"email\"],\"inputs\":$IDS}"
check "batch read -> 200" status_is 200
check "batch read results" body_has '.status=="COMPLETE" and (.results|length==3) and (.completedAt|type=="string")'
post /crm/v3/objects/contacts/batch/read '{"properties":["email"],"inputs":[{"id":"1"},{"id":"2"}]}'
check "batch read missing -> 207" status_is 207
check "207 OBJECT_NOT_FOUND with ids" body_has '.numErrors==1 and .errors[0].category=="OBJECT_NOT_FOUND" and (.errors[0].context.ids|length==2)'
post /crm/v3/objects/contacts/batch/read "{\"propertiesWithHistory\":[\"email\"],\"inputs\":$(jq -nc '[range(51)|{id:"1"}]')}"
check "history batch > 50 -> 400" body_has '.message|startswith("The maximum number of inputs supported in a batch request for property histories is 50")'
post /crm/v3/objects/contacts/batch/create "{\"inputs\":$(jq -nc '[range(101)|{properties:{firstname:"x"}}]')}"
check "101 inputs -> 400" status_is 400
check "101 inputs body" is_hs_error VALIDATION_ERROR
post /crm/v3/objects/contacts/batch/upsert "{\"inputs\":$(jq -nc '[range(300)|{id:"u\(.)@x.com",idProperty:"email",properties:{}}]')}"
check "300 inputs -> 400" status_is 400
post /crm/v3/objects/contacts/batch/create '{"inputs":[{"properties":{"email":"b1@x.com"}},{"properties":{"email":"b2@x.com","lifecyclestage":"nope"}}]}'
check "batch create without trace ids fails whole batch" status_is 400
post /crm/v3/objects/contacts/batch/read '{"idProperty":"email","inputs":[{"id":"b1@x.com"}]}'
check "... and writes nothing" status_is 207
post /crm/v3/objects/contacts/batch/create '{"inputs":[{"objectWriteTraceId":"r1","properties":{"email":"b1@x.com"}},{"objectWriteTraceId":"r2","properties":{"email":"b2@x.com","lifecyclestage":"nope"}},{"objectWriteTraceId":"r3","properties":{"email":"b1@x.com"}}]}'
check "batch create with trace ids -> 207" status_is 207
check "207 has one result and two errors" body_has '(.results|length==1) and .numErrors==2 and ([.errors[].context.objectWriteTraceId[0]]|sort==["r2","r3"])'
check "207 errors are StandardErrors" body_has '[.errors[]|has("status") and has("category") and has("message") and has("context") and has("errors") and has("links")]|all'
post /crm/v3/objects/contacts/batch/upsert '{"inputs":[{"id":"B1@x.com","idProperty":"email","properties":{"firstname":"Bee"}},{"id":"new.one@x.com","idProperty":"email","properties":{"firstname":"New"}}]}'
check "upsert -> 200" status_is 200
check "upsert new flags" body_has '([.results[]|.new]|sort==[false,true])'
B1=$(jq -r '.results[]|select(.new==false)|.id' < "$BODY")
post /crm/v3/objects/contacts/batch/update "{\"inputs\":[{\"id\":\"$B1\",\"properties\":{\"lastname\":\"One\"}}]}"
check "batch update -> 200" body_has '.results[0].properties.lastname=="One"'
post /crm/v3/objects/contacts/batch/archive "{\"inputs\":[{\"id\":\"$B1\"}]}"
check "batch archive -> 204" status_is 204
post /crm/v3/objects/contacts/batch/upsert '{"inputs":[{"id":"x","idProperty":"firstname","properties":{}}]}'
check "upsert on a non-unique idProperty -> 400" status_is 400

# ---- hostile requests ----
post /crm/v3/objects/contacts '{"properties":{"email":'
check "bad JSON -> 400" status_is 400
check "bad JSON body" body_has '.category=="VALIDATION_ERROR" and (.message|startswith("Invalid input JSON"))'
head -c 10485760 /dev/zero | tr '\0' 'a' > "$SIM_DIR/big"
STATUS=$(curl -s -o "$SIM_DIR/body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data-binary @"$SIM_DIR/big" "$HS/crm/v3/objects/contacts/batch/create")
check "10 MB body -> 413" status_is 413
check "10 MB body error shape" is_hs_error VALIDATION_ERROR
get "/crm/v3/objects/contacts?limit=1"
check "still serving after hostile requests" status_is 200

# ---- properties, pipelines, owners ----
get /crm/v3/properties/contacts
check "properties list" body_has '[.results[].name]|index("lifecyclestage")!=null and index("email")!=null'
get /crm/v3/properties/contacts/lifecyclestage
check "lifecyclestage options" body_has '[.options[].value]==["subscriber","lead","marketingqualifiedlead","salesqualifiedlead","opportunity","customer","evangelist","other"] and .type=="enumeration" and .fieldType=="radio"'
post /crm/v3/properties/contacts '{"name":"crmsync_test_flag","label":"Flag","type":"enumeration","fieldType":"select","groupName":"contactinformation","options":[{"label":"A","value":"a","hidden":false}]}'
check "create property -> 201" status_is 201
post /crm/v3/properties/contacts '{"name":"crmsync_test_flag","label":"Flag","type":"string","fieldType":"text","groupName":"contactinformation"}'
check "duplicate property -> 409" status_is 409
post /crm/v3/objects/contacts '{"properties":{"crmsync_test_flag":"b"}}'
check "custom enumeration rejects unknown option" body_has '.errors[0].code=="INVALID_OPTION"'
get /crm/v3/properties/contacts/no_such
check "unknown property -> 404" status_is 404
get /crm/v3/pipelines/deals
check "deal pipeline stages" body_has '.results[0].stages|map(select(.id=="closedwon" or .id=="closedlost"))|map(.metadata.isClosed)==["true","true"]'
get /crm/v3/owners
check "owners" body_has '(.results|length)>0 and (.results[0].email|test("@"))'

finish
