#!/bin/sh
# crmsync-sim HubSpot side: associations v4 (batch create/read/archive,
# default types, labels, per-record calls), associations in object reads and
# the per-record association limit.
. "${top_srcdir:-.}/tests/sim/simlib.sh"

sim_start --seed 5 --records 40 --hs-burst-limit 0 --hs-assoc-limit 3

post /crm/v3/objects/companies '{"properties":{"name":"Assoc Co","domain":"assoc.example"}}'
CO=$(jqb .id)
post /crm/v3/objects/contacts/batch/create '{"inputs":[{"properties":{"email":"a1@assoc.example"}},{"properties":{"email":"a2@assoc.example"}},{"properties":{"email":"a3@assoc.example"}},{"properties":{"email":"a4@assoc.example"}}]}'
C1=$(jqb '.results[0].id'); C2=$(jqb '.results[1].id'); C3=$(jqb '.results[2].id'); C4=$(jqb '.results[3].id')

post /crm/v4/associations/contacts/companies/batch/create "{\"inputs\":[{\"from\":{\"id\":\"$C1\"},\"to\":{\"id\":\"$CO\"},\"types\":[{\"associationCategory\":\"HUBSPOT_DEFINED\",\"associationTypeId\":1}]}]}"
check "batch create -> 201" status_is 201
check "batch create result" body_has ".results[0].fromObjectTypeId==\"0-1\" and .results[0].toObjectId==$CO and .results[0].labels==[\"Primary\"]"
post /crm/v4/associations/contacts/companies/batch/associate/default "{\"inputs\":[{\"from\":{\"id\":\"$C2\"},\"to\":{\"id\":\"$CO\"}}]}"
check "associate default -> 200" status_is 200
check "default type is 279" body_has '.results[0].associationSpec.associationTypeId==279'
hs PUT "/crm/v4/objects/contacts/$C3/associations/default/companies/$CO"
check "single default PUT -> 200" status_is 200

post /crm/v4/associations/companies/contacts/batch/read "{\"inputs\":[{\"id\":\"$CO\"}]}"
check "batch read from the other side" body_has "(.results[0].to|map(.toObjectId)|sort)==([$C1,$C2,$C3]|sort)"
check "inverse types stored" body_has '[.results[0].to[].associationTypes[].typeId]|sort==[2,280,280,280]'
post /crm/v4/associations/contacts/companies/batch/read "{\"inputs\":[{\"id\":\"$C4\"},{\"id\":\"1\"}]}"
check "read without associations -> 207" status_is 207
check "207 errors" body_has '.numErrors==2'

# the per-record limit (3): a 4th contact on the company fails with the real error
post /crm/v4/associations/contacts/companies/batch/associate/default "{\"inputs\":[{\"from\":{\"id\":\"$C4\"},\"to\":{\"id\":\"$CO\"}}]}"
check "limit -> 400" status_is 400
check "limit error shape" is_hs_error VALIDATION_ERROR
check "limit error names it" body_has '.message|test("limit of 3")'
post /crm/v3/objects/contacts "{\"properties\":{\"email\":\"a5@assoc.example\"},\"associations\":[{\"to\":{\"id\":\"$CO\"},\"types\":[{\"associationCategory\":\"HUBSPOT_DEFINED\",\"associationTypeId\":279}]}]}"
check "create with an association over the limit -> 400" status_is 400

get "/crm/v3/objects/contacts/$C1?associations=companies"
check "associations in an object read" body_has ".associations.companies.results[0].id==\"$CO\" and .associations.companies.results[0].type==\"contact_to_company\""
get "/crm/v4/objects/companies/$CO/associations/contacts"
check "v4 per-record list" body_has '.results|length==3'
get /crm/v4/associations/contacts/companies/labels
check "labels of the pair" body_has '[.results[].typeId]|sort==[1,279]'

post /crm/v4/associations/contacts/companies/batch/archive "{\"inputs\":[{\"from\":{\"id\":\"$C2\"},\"to\":[{\"id\":\"$CO\"}]}]}"
check "batch archive -> 204" status_is 204
post /crm/v4/associations/contacts/companies/batch/associate/default "{\"inputs\":[{\"from\":{\"id\":\"$C4\"},\"to\":{\"id\":\"$CO\"}}]}"
check "room again after an archive" status_is 200
hs DELETE "/crm/v4/objects/contacts/$C4/associations/companies/$CO"
check "single delete -> 204" status_is 204
post /crm/v4/associations/contacts/companies/batch/create "{\"inputs\":[{\"from\":{\"id\":\"$C1\"},\"to\":{\"id\":\"$CO\"},\"types\":[{\"associationCategory\":\"HUBSPOT_DEFINED\",\"associationTypeId\":3}]}]}"
check "wrong type for the pair -> 400" status_is 400
post /crm/v4/associations/contacts/widgets/batch/read '{"inputs":[]}'
check "unknown object type -> 400" status_is 400

# seeded data is associated
get "/crm/v3/objects/deals?limit=5&associations=companies&associations=contacts"
check "seeded deals have companies" body_has '[.results[]|.associations.companies.results|length>0]|all'

finish
