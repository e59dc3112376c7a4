#!/bin/sh
# Contract check for the HubSpot side of crmsync-sim: puts Stoplight Prism
# (proxy mode, --errors) in front of the simulator with the published OpenAPI
# descriptions in tests/contracts/hubspot/, sends the request shapes crmsync
# uses through it, and fails on any request or response that breaks the
# description (Prism answers 422, or 500 with an sl-violations header).
# Needs network access once (npx fetches @stoplight/prism-cli@5); run with
# `make contract-check`, not part of `make check`.
. "${top_srcdir:-.}/tests/sim/simlib.sh"

command -v npx >/dev/null 2>&1 || { echo "FAIL: npx not found (install nodejs/npm)" >&2; exit 1; }
PRISM="npx --yes @stoplight/prism-cli@5"
SPECS="${top_srcdir:-.}/tests/contracts/hubspot"
PRISM_PID=

prism_stop() {
	if [ -n "$PRISM_PID" ]; then
		# setsid made it a process group leader: end npx and node together
		kill -TERM -- "-$PRISM_PID" 2>/dev/null
		wait "$PRISM_PID" 2>/dev/null
		PRISM_PID=
	fi
}
trap 'prism_stop; sim_cleanup' EXIT

# free_port: a loopback port nobody answers on
free_port() {
	n=0
	while :; do
		n=$((n + 1))
		p=$(( 20000 + ( $(od -An -N2 -tu2 /dev/urandom) % 30000 ) ))
		curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/" 2>/dev/null
		[ $? -eq 7 ] && { echo "$p"; return; }
		[ $n -gt 50 ] && { echo "FAIL: no free port" >&2; exit 1; }
	done
}

# through SPEC: restart Prism in front of the simulator with that description
through() {
	prism_stop
	PORT=$(free_port)
	setsid $PRISM proxy "$SPECS/$1" "$HS" --errors -p "$PORT" -h 127.0.0.1 \
		> "$SIM_DIR/prism.log" 2>&1 &
	PRISM_PID=$!
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$PORT/__prism_ready"; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 "$PRISM_PID" 2>/dev/null; then
			echo "FAIL: prism did not start for $1" >&2
			cat "$SIM_DIR/prism.log" >&2
			exit 1
		fi
		sleep 0.1
	done
	SPEC=$1
}

# via METHOD PATH [JSON] [EXPECTED-STATUS]: one call through Prism
via() {
	method=$1 path=$2 data=${3:-} want=${4:-}
	if [ -n "$data" ]; then
		STATUS=$(curl -s -o "$SIM_DIR/body" -D "$SIM_DIR/headers" -w '%{http_code}' -X "$method" \
			-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
			-H 'Accept: application/json' --data-binary "$data" "http://127.0.0.1:$PORT$path")
	else
		STATUS=$(curl -s -o "$SIM_DIR/body" -D "$SIM_DIR/headers" -w '%{http_code}' -X "$method" \
			-H "Authorization: Bearer $TOKEN" -H 'Accept: application/json' \
			"http://127.0.0.1:$PORT$path")
	fi
	VIOL=$(header sl-violations)
	CHECKS=$((CHECKS + 1))
	if [ -n "$VIOL" ] || [ "$STATUS" = 422 ] || [ "$STATUS" = 500 ] ||
	   { [ -n "$want" ] && [ "$STATUS" != "$want" ]; }; then
		FAILS=$((FAILS + 1))
		echo "FAIL: [$SPEC] $method $path -> $STATUS" >&2
		[ -n "$VIOL" ] && echo "  sl-violations: $VIOL" >&2
		head -c 800 "$SIM_DIR/body" >&2
		echo >&2
	fi
}

sim_start --seed 11 --records 200 --hs-burst-limit 0 --hs-search-rate 0

SEARCH_BODY='{"filterGroups":[{"filters":[{"propertyName":"lastmodifieddate","operator":"GTE","value":"1700000000000"}]}],"sorts":["lastmodifieddate"],"properties":["email","firstname","lastmodifieddate"],"limit":100,"after":"0"}'

for obj in contacts companies deals; do
	through "crm_$obj.oas.json"
	P=/crm/v3/objects/$obj
	case $obj in
	contacts) props='{"email":"contract.EMAIL@example.com","firstname":"Zoë","lastname":"佐藤","lifecyclestage":"lead"}'
		  mod=lastmodifieddate; edit=jobtitle ;;
	companies) props='{"name":"Contract Co","domain":"contract.example","industry":"COMPUTER_SOFTWARE"}'
		   mod=hs_lastmodifieddate; edit=description ;;
	deals) props='{"dealname":"Contract deal","amount":"1000","dealstage":"closedwon","pipeline":"default"}'
	       mod=hs_lastmodifieddate; edit=description ;;
	esac
	via GET "$P?limit=10&properties=$mod&archived=false" "" 200
	AFTER=$(jqb .paging.next.after)
	via GET "$P?limit=10&after=$AFTER" "" 200
	via POST "$P" "{\"properties\":$props,\"associations\":[]}" 201
	ID=$(jqb .id)
	via GET "$P/$ID?properties=$mod" "" 200
	via PATCH "$P/$ID" "{\"properties\":{\"$edit\":\"patched\"}}" 200
	via POST "$P/batch/read" "{\"properties\":[\"$mod\"],\"propertiesWithHistory\":[],\"inputs\":[{\"id\":\"$ID\"}]}" 200
	via POST "$P/batch/read" '{"properties":[],"propertiesWithHistory":[],"inputs":[{"id":"1"}]}' 207
	via POST "$P/batch/create" "{\"inputs\":[{\"properties\":{\"$edit\":\"batch\"},\"associations\":[]}]}" 201
	via POST "$P/batch/update" "{\"inputs\":[{\"id\":\"$ID\",\"properties\":{}}]}" 200
	via POST "$P/search" "$(printf '%s' "$SEARCH_BODY" | sed "s/lastmodifieddate/$mod/g")" 200
	via POST "$P/batch/archive" "{\"inputs\":[{\"id\":\"$ID\"}]}" 204
	via DELETE "$P/$ID" "" 204
	via GET "$P/$ID" "" 404
done

through crm_objects.oas.json
for obj in tasks notes meetings calls emails; do
	P=/crm/v3/objects/$obj
	via GET "$P?limit=5" "" 200
	via POST "$P" '{"properties":{"hs_timestamp":"2025-01-01T10:00:00.000Z"},"associations":[]}' 201
	ID=$(jqb .id)
	via POST "$P/batch/read" "{\"properties\":[\"hs_timestamp\"],\"propertiesWithHistory\":[],\"inputs\":[{\"id\":\"$ID\"}]}" 200
	via POST "$P/search" "$(printf '%s' "$SEARCH_BODY" | sed 's/lastmodifieddate/hs_lastmodifieddate/g')" 200
	via DELETE "$P/$ID" "" 204
done
via POST /crm/v3/objects/contacts '{"properties":{"email":"bad@"},"associations":[]}' 400

CO=$(curl -s -H "Authorization: Bearer $TOKEN" "$HS/crm/v3/objects/companies?limit=1" | jq -r '.results[0].id')
CT=$(curl -s -H "Authorization: Bearer $TOKEN" "$HS/crm/v3/objects/contacts?limit=2" | jq -r '.results[1].id')
through crm_associations_v4.oas.json
A=/crm/v4/associations/contacts/companies
via POST "$A/batch/create" "{\"inputs\":[{\"from\":{\"id\":\"$CT\"},\"to\":{\"id\":\"$CO\"},\"types\":[{\"associationCategory\":\"HUBSPOT_DEFINED\",\"associationTypeId\":279}]}]}" 201
via POST "$A/batch/associate/default" "{\"inputs\":[{\"from\":{\"id\":\"$CT\"},\"to\":{\"id\":\"$CO\"}}]}" 200
via POST "$A/batch/read" "{\"inputs\":[{\"id\":\"$CT\"}]}" 200
via GET "$A/labels" "" 200
via POST "$A/batch/labels/archive" "{\"inputs\":[{\"from\":{\"id\":\"$CT\"},\"to\":{\"id\":\"$CO\"},\"types\":[{\"associationCategory\":\"HUBSPOT_DEFINED\",\"associationTypeId\":1}]}]}" 204
via POST "$A/batch/archive" "{\"inputs\":[{\"from\":{\"id\":\"$CT\"},\"to\":[{\"id\":\"$CO\"}]}]}" 204

through crm_properties.oas.json
via GET /crm/v3/properties/contacts "" 200
via GET /crm/v3/properties/contacts/lifecyclestage "" 200
via GET /crm/v3/properties/deals/dealstage "" 200
via POST /crm/v3/properties/contacts '{"name":"crmsync_contract","label":"Contract","type":"string","fieldType":"text","groupName":"contactinformation"}' 201
via POST /crm/v3/properties/contacts/batch/read '{"archived":false,"inputs":[{"name":"email"}]}' 200
via GET /crm/v3/properties/contacts/groups "" 200

through crm_pipelines.oas.json
via GET /crm/v3/pipelines/deals "" 200
via GET /crm/v3/pipelines/deals/default "" 200

through crm_owners.oas.json
via GET "/crm/v3/owners/?limit=100" "" 200
via GET /crm/v3/owners/80000001 "" 200

CID=$(printf '%s' "$READY" | jq -r .hubspot.client_id)
CSEC=$(printf '%s' "$READY" | jq -r .hubspot.client_secret)
RT=$(printf '%s' "$READY" | jq -r .hubspot.refresh_token)
AT=$(curl -s -d "grant_type=refresh_token&client_id=$CID&client_secret=$CSEC&refresh_token=$RT" "$HS/oauth/v1/token" | jq -r .access_token)
through auth_oauth.oas.json
via GET "/oauth/v1/access-tokens/$AT" "" 200
via GET "/oauth/v1/refresh-tokens/$RT" "" 200

prism_stop
finish
