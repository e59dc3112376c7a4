#!/bin/sh
# crmsync-sim HubSpot side: CRM search operators, sorts, paging, limits and
# the 10,000-results-per-query cap.
. "${top_srcdir:-.}/tests/sim/simlib.sh"

sim_start --seed 3 --records 10500 --hs-burst-limit 0 --hs-search-rate 0
S=/crm/v3/objects/contacts/search

search() { post "$S" "$1"; }
total() { jqb .total; }

search '{"filterGroups":[],"sorts":[],"properties":["email"],"limit":200,"after":"0"}'
check "search all -> 200" status_is 200
check "total counts every live contact" body_has '.total==10500 and (.results|length==200) and .paging.next.after=="200"'

post /crm/v3/objects/contacts '{"properties":{"email":"zed.search@example.com","firstname":"Zed","lastname":"Searchable","lifecyclestage":"evangelist","date_of_birth":"1980-02-29"}}'
ZID=$(jqb .id)
search '{"filterGroups":[{"filters":[{"propertyName":"email","operator":"EQ","value":"ZED.SEARCH@example.com"}]}]}'
check "EQ is case-insensitive on strings" body_has ".total==1 and .results[0].id==\"$ZID\""
search '{"filterGroups":[{"filters":[{"propertyName":"lifecyclestage","operator":"IN","values":["evangelist"]}]}]}'
N_EV=$(total)
check "IN" body_has ".total>=1 and ([.results[].id]|index(\"$ZID\")!=null)"
search '{"filterGroups":[{"filters":[{"propertyName":"lifecyclestage","operator":"NEQ","value":"evangelist"}]}]}'
check "NEQ is the complement of EQ" is "$(total)" "$((10501 - N_EV))"
search '{"filterGroups":[{"filters":[{"propertyName":"date_of_birth","operator":"HAS_PROPERTY"}]}]}'
check "HAS_PROPERTY" body_has ".total==1 and .results[0].id==\"$ZID\""
search '{"filterGroups":[{"filters":[{"propertyName":"date_of_birth","operator":"NOT_HAS_PROPERTY"}]}]}'
check "NOT_HAS_PROPERTY" is "$(total)" 10500
search '{"filterGroups":[{"filters":[{"propertyName":"hs_object_id","operator":"GT","value":"100000200"},{"propertyName":"hs_object_id","operator":"LTE","value":"100000300"}]}]}'
check "GT + LTE (AND in a group)" is "$(total)" 100
search '{"filterGroups":[{"filters":[{"propertyName":"hs_object_id","operator":"LT","value":"100000111"}]},{"filters":[{"propertyName":"hs_object_id","operator":"GTE","value":"100010596"}]}]}'
check "LT OR GTE (groups OR-ed)" is "$(total)" 16
search '{"filterGroups":[{"filters":[{"propertyName":"hs_object_id","operator":"BETWEEN","value":"100000101","highValue":"100000105"}]}]}'
check "BETWEEN" is "$(total)" 5
search '{"filterGroups":[{"filters":[{"propertyName":"lastname","operator":"CONTAINS_TOKEN","value":"searchab*"}]}]}'
check "CONTAINS_TOKEN with wildcard" body_has ".total==1 and .results[0].id==\"$ZID\""
search '{"query":"Searchable"}'
check "query" body_has ".total==1"

search '{"filterGroups":[{"filters":[{"propertyName":"createdate","operator":"GTE","value":"2024-06-01T00:00:00.000Z"}]}],"sorts":[{"propertyName":"createdate","direction":"ASCENDING"}],"properties":["createdate"],"limit":50}'
check "date filter with ISO value, sorted ascending" body_has '[.results[].properties.createdate]|(.==sort) and (.[0] >= "2024-06-01")'
MS=$(jq -n '"2024-06-01T00:00:00Z"|fromdateiso8601*1000')
search "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"createdate\",\"operator\":\"GTE\",\"value\":\"$MS\"}]}],\"sorts\":[\"-createdate\"],\"limit\":50}"
check "date filter with ms value, string sort descending" body_has '[.results[].properties.createdate]|(.==(sort|reverse))'

search '{"limit":201}'
check "limit 201 -> 400" status_is 400
check "limit error shape" is_hs_error VALIDATION_ERROR
search '{"filterGroups":[{"filters":[{"propertyName":"nope","operator":"EQ","value":"1"}]}]}'
check "unknown property -> 400" status_is 400
search '{"filterGroups":[{"filters":[{"propertyName":"email","operator":"LIKE","value":"1"}]}]}'
check "unknown operator -> 400" status_is 400
search '{"filterGroups":[{},{},{},{},{},{}]}'
check "6 filter groups -> 400" status_is 400

# the 10,000 cap: total is the real count, paging stops being usable at 10,000
search '{"sorts":[{"propertyName":"hs_object_id","direction":"ASCENDING"}],"limit":200,"after":"9900"}'
check "page before the cap" body_has '.total==10501 and (.results|length==100) and .paging.next.after=="10000"'
search '{"limit":200,"after":"10000"}'
check "after=10000 -> 400" status_is 400
check "cap error shape" is_hs_error VALIDATION_ERROR

# archived records never match
hs DELETE "/crm/v3/objects/contacts/$ZID"
search '{"filterGroups":[{"filters":[{"propertyName":"email","operator":"EQ","value":"zed.search@example.com"}]}]}'
check "archived records are not found" body_has '.total==0 and (.results|length==0) and (has("paging")|not)'

finish
