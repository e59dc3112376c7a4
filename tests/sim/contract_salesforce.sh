#!/bin/sh
# Contract check of crmsync-sim's Salesforce side against Salesforce's
# generated sObjects OpenAPI 59.0 (tests/contracts/salesforce/), through a
# Stoplight Prism proxy with --errors: a request breaking the description gets
# 422, a response breaking it becomes 500 with an sl-violations header.
# Run by `make contract-check-sf` (needs npx, curl, jq); not part of make check.
#
# One normalisation is applied to a temporary copy of the description: every
# property is made nullable. The live API returns null for empty fields (and
# describe has null controllerName/extraTypeInfo/...), which the generated
# description does not declare; everything else (types, formats, shapes,
# status codes) is checked as published.
. "${top_srcdir:-.}/tests/sim/sf_testlib.sh"
command -v npx >/dev/null || { echo "SKIP: npx not installed"; exit 77; }
SPEC="${top_srcdir:-.}/tests/contracts/salesforce/salesforce_sobjects_v59_subset.json"
DSCHEMA="${top_srcdir:-.}/tests/contracts/salesforce/salesforce_sobject-describe.schema.json"

jq '.components.schemas |= map_values(walk(if type == "object" and has("properties")
	and (.properties|type) == "object" then .properties |= map_values(. + {nullable: true}) else . end))' \
	"$SPEC" >"$TMPD/spec.json"
sf_start --seed 11 --records 400

PPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# own process group, so that npm, sh and node all stop with it
setsid npx --yes @stoplight/prism-cli@5 proxy "$TMPD/spec.json" "$B" --errors -p "$PPORT" -h 127.0.0.1 \
	>"$TMPD/prism.log" 2>&1 &
PRISM=$!
prism_stop() { kill -- "-$PRISM" 2>/dev/null; sf_cleanup; }
trap prism_stop EXIT INT TERM
ready=
for _ in $(seq 1 240); do
	grep -q 'Prism is listening' "$TMPD/prism.log" 2>/dev/null && { ready=1; break; }
	sleep 0.5
done
[ -n "$ready" ] || { cat "$TMPD/prism.log"; echo "FAIL: prism did not start"; exit 1; }
P="http://127.0.0.1:$PPORT/services/data/v59.0"

# through Prism: any 422/500+sl-violations is a contract failure
pc() { # pc METHOD PATH EXPECTED-STATUS [BODY]
	if [ $# -ge 4 ]; then
		STATUS=$(curl -s -o "$TMPD/body" -D "$TMPD/headers" -w '%{http_code}' -X "$1" "$P$2" \
			-H "Authorization: Bearer $TOK" -H 'Accept: application/json' \
			-H 'Content-Type: application/json' -d "$4")
	else
		STATUS=$(curl -s -o "$TMPD/body" -D "$TMPD/headers" -w '%{http_code}' -X "$1" "$P$2" \
			-H "Authorization: Bearer $TOK" -H 'Accept: application/json')
	fi
	BODY=$(cat "$TMPD/body")
	viol=$(grep -i '^sl-violations' "$TMPD/headers" | head -c 600)
	expect "$1 $2" "$3" "$STATUS"
	[ -z "$viol" ] || { FAILS=$((FAILS + 1)); echo "FAIL: $1 $2: $viol"; }
}

pc GET /sobjects 200
start=$(date -u -d '-2 day' +%Y-%m-%dT%H:%M:%S%%2B00:00)
end=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%S%%2B00:00)
for o in Account Contact Lead Opportunity OpportunityContactRole Task; do
	pc GET "/sobjects/$o" 200
	pc GET "/sobjects/$o/describe" 200
	sf GET "/query?q=$(printf 'SELECT Id FROM %s LIMIT 1' "$o" | jq -sRr @uri)"
	id=$(jqb '.records[0].Id')
	pc GET "/sobjects/$o/$id" 200
	pc GET "/sobjects/$o/deleted?start=$start&end=$end" 200
	pc GET "/sobjects/$o/001000000000000AAA" 404
	pc POST "/sobjects/$o" 400 '{"Nope__c": "x"}'
done
pc POST /sobjects/Account 201 '{"Name":"Contract Co","Industry":"Banking","NumberOfEmployees":12}'
ACC=$(jqb .id)
pc POST /sobjects/Contact 201 "{\"LastName\":\"Contract\",\"AccountId\":\"$ACC\",\"Email\":\"c@contract.example\"}"
CON=$(jqb .id)
pc POST /sobjects/Lead 201 '{"LastName":"Contract","Company":"Contract Co","LeadSource":"Web"}'
LEAD=$(jqb .id)
pc POST /sobjects/Opportunity 201 "{\"Name\":\"Contract deal\",\"StageName\":\"Prospecting\",\"CloseDate\":\"2030-01-31\",\"AccountId\":\"$ACC\",\"Amount\":1000}"
OPP=$(jqb .id)
pc POST /sobjects/OpportunityContactRole 201 "{\"OpportunityId\":\"$OPP\",\"ContactId\":\"$CON\",\"Role\":\"Decision Maker\",\"IsPrimary\":true}"
OCR=$(jqb .id)
pc POST /sobjects/Task 201 "{\"Subject\":\"Call\",\"WhoId\":\"$CON\",\"WhatId\":\"$OPP\",\"Status\":\"Not Started\"}"
TASK=$(jqb .id)
pc PATCH "/sobjects/Contact/$CON" 204 '{"Title":"VP"}'
pc PATCH "/sobjects/Lead/$LEAD" 400 '{"Email":"not-an-email"}'
pc GET "/sobjects/Opportunity/$OPP" 200
pc GET "/sobjects/Task/$TASK" 200
pc DELETE "/sobjects/OpportunityContactRole/$OCR" 204
pc DELETE "/sobjects/Task/$TASK" 204
pc GET "/sobjects/Task/$TASK" 404

# describe output against the describe JSON Schema (python3-jsonschema, if present)
if python3 -c 'import jsonschema' 2>/dev/null; then
	for o in Lead Contact Account Opportunity OpportunityContactRole Task Event User; do
		sf GET "/sobjects/$o/describe"
		# the schema (from the sf CLI) has no "urls", which the REST resource adds
		printf '%s' "$BODY" | jq 'del(.urls)' >"$TMPD/describe.json"
		out=$(python3 -c 'import json, sys, jsonschema
v = jsonschema.Draft7Validator(json.load(open(sys.argv[2])))
for e in list(v.iter_errors(json.load(open(sys.argv[1]))))[:5]:
    print(list(e.path), e.message[:200])' "$TMPD/describe.json" "$DSCHEMA" 2>&1)
		expect "describe $o matches the describe JSON Schema" "" "$out"
	done
else
	echo "note: python3-jsonschema not installed, describe JSON Schema check skipped"
fi
sf_done
