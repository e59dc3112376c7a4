#!/bin/sh
# crmsync-sim HubSpot side: the ten-secondly burst window, the daily limit
# and the search rate, with X-HubSpot-RateLimit-* headers and 429 bodies.
. "${top_srcdir:-.}/tests/sim/simlib.sh"

sim_start --records 20 --hs-burst-limit 5 --hs-daily-limit 1000 --hs-search-rate 2

for i in 1 2 3 4 5; do
	get "/crm/v3/objects/contacts?limit=1"
	check "call $i within the burst" status_is 200
	check "remaining after call $i" is "$(header X-HubSpot-RateLimit-Remaining)" "$((5 - i))"
done
check "max header" is "$(header X-HubSpot-RateLimit-Max)" 5
check "interval header" is "$(header X-HubSpot-RateLimit-Interval-Milliseconds)" 10000
check "daily header" is "$(header X-HubSpot-RateLimit-Daily)" 1000
check "daily remaining header" is "$(header X-HubSpot-RateLimit-Daily-Remaining)" 995
get "/crm/v3/objects/contacts?limit=1"
check "6th call in 10 s -> 429" status_is 429
check "429 body" body_has '.status=="error" and .errorType=="RATE_LIMIT" and .policyName=="TEN_SECONDLY_ROLLING" and .message=="You have reached your ten secondly rolling limit." and (.correlationId|length==36)'
check "429 keeps the headers" is "$(header X-HubSpot-RateLimit-Remaining)" 0

# the window rolls: move the clock past it
admin POST clock '{"advance_ms":10500}'
get "/crm/v3/objects/contacts?limit=1"
check "window rolled over" status_is 200

# daily limit
admin POST config '{"daily_used":1000,"burst_limit":0}'
get "/crm/v3/objects/contacts?limit=1"
check "daily limit -> 429" status_is 429
check "daily policy" body_has '.policyName=="DAILY"'
admin POST config '{"daily_used":0}'

# searches: 2 per second, and no rate-limit headers on search
DATA='{"limit":1}' hs POST /crm/v3/objects/contacts/search
check "search 1" status_is 200
check "search has no rate headers" is "$(header X-HubSpot-RateLimit-Max)" ""
DATA='{"limit":1}' hs POST /crm/v3/objects/contacts/search
DATA='{"limit":1}' hs POST /crm/v3/objects/contacts/search
check "3rd search in a second -> 429" status_is 429
check "secondly policy" body_has '.policyName=="SECONDLY"'

finish
