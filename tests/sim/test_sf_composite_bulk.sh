#!/bin/sh
# crmsync-sim Salesforce side: Composite (references, allOrNone, limits) and
# Bulk API 2.0 ingest/query jobs. Needs curl and jq.
. "${top_srcdir:-.}/tests/sim/sf_testlib.sh"
sf_start --seed 5 --records 300

# ---- composite -----------------------------------------------------------
comp='{"allOrNone":true,"compositeRequest":[
 {"method":"POST","url":"/services/data/v59.0/sobjects/Account","referenceId":"acct","body":{"Name":"Composite Co"}},
 {"method":"POST","url":"/services/data/v59.0/sobjects/Contact","referenceId":"ct","body":{"LastName":"Ref","AccountId":"@{acct.id}"}},
 {"method":"GET","url":"/services/data/v59.0/sobjects/Contact/@{ct.id}?fields=AccountId","referenceId":"get"},
 {"method":"GET","url":"/services/data/v59.0/query?q=SELECT+Id+FROM+Contact+WHERE+AccountId='"'"'@{acct.id}'"'"'","referenceId":"q"},
 {"method":"PATCH","url":"/services/data/v59.0/sobjects/Contact/@{q.records[0].Id}","referenceId":"upd","body":{"Title":"Chief"}}]}'
sf GET /limits
before=$(grep -i '^Sforce-Limit-Info' "$TMPD/headers" | sed 's/.*api-usage=\([0-9]*\)\/.*/\1/')
sf POST /composite "$comp"
expect "composite statuses" "200 201,201,200,200,204" "$STATUS $(jqb '[.compositeResponse[].httpStatusCode]|map(tostring)|join(",")')"
expect "reference resolved" true "$(jqb '.compositeResponse[2].body.AccountId == .compositeResponse[0].body.id')"
expect "Location header" true "$(jqb '.compositeResponse[0].httpHeaders.Location|startswith("/services/data/v59.0/sobjects/Account/001")')"
after=$(grep -i '^Sforce-Limit-Info' "$TMPD/headers" | sed 's/.*api-usage=\([0-9]*\)\/.*/\1/')
expect "composite counts as one call" "$((before + 1))" "$after"
bad=$(printf '%s' "$comp" | sed 's/"LastName":"Ref",//; s/Composite Co/Rolled Back Co/')
sf POST /composite "$bad"
expect "allOrNone failure" "REQUIRED_FIELD_MISSING PROCESSING_HALTED" \
	"$(jqb '.compositeResponse[1].body[0].errorCode') $(jqb '[.compositeResponse[0,2,3,4].body[0].errorCode]|unique|join(",")')"
sf GET "/query?q=$(printf '%s' "SELECT COUNT() FROM Account WHERE Name = 'Rolled Back Co'" | jq -sRr @uri)"
expect "composite rolled back" 0 "$(jqb .totalSize)"
nob=$(printf '%s' "$bad" | sed 's/"allOrNone":true/"allOrNone":false/')
sf POST /composite "$nob"
expect "no allOrNone: dependents halted" "201 400 PROCESSING_HALTED" \
	"$(jqb '.compositeResponse[0].httpStatusCode') $(jqb '.compositeResponse[1].httpStatusCode') $(jqb '.compositeResponse[2].body[0].errorCode')"
many=$(jq -cn '{compositeRequest:[range(26)|{method:"GET",url:"/services/data/v59.0/limits",referenceId:"r\(.)"}]}')
sf POST /composite "$many"
expect_err "26 subrequests" 400 LIMIT_EXCEEDED
sf POST /composite '{"compositeRequest":[{"method":"GET","url":"/services/data/v59.0/limits","referenceId":"a"},{"method":"GET","url":"/services/data/v59.0/limits","referenceId":"a"}]}'
expect_err "duplicate referenceId" 400 INVALID_INPUT
sf POST /composite '{"compositeRequest":[{"method":"POST","url":"/services/data/v59.0/composite/sobjects","referenceId":"c","body":{"records":[{"attributes":{"type":"Contact"},"LastName":"InColl"}]}}]}'
expect "collections inside composite" "200 true" "$(jqb '.compositeResponse[0].httpStatusCode') $(jqb '.compositeResponse[0].body[0].success')"

# ---- bulk ingest ---------------------------------------------------------
sf POST /jobs/ingest '{"object":"Contact","operation":"upsert","externalIdFieldName":"HubSpot_Id__c","contentType":"CSV","lineEnding":"LF"}'
expect "create ingest job" "200 Open" "$STATUS $(jqb .state)"
JOB=$(jqb .id)
expect "job id prefix" true "$(printf '%s' "$JOB" | grep -q '^750' && echo true)"
sf GET "/sobjects/Account/describe"
sf POST /sobjects/Account '{"Name":"Bulk Parent","HubSpot_Id__c":"acc-9"}'
printf 'HubSpot_Id__c,LastName,Email,Account.HubSpot_Id__c\nbk-1,One,one@bulk.example,acc-9\nbk-2,"Two, ""quoted""",two@bulk.example,\nbk-3,,three@bulk.example,\nbk-4,Four,bad@,\n' >"$TMPD/in.csv"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -X PUT "$V/jobs/ingest/$JOB/batches" -H "Authorization: Bearer $TOK" \
	-H 'Content-Type: text/csv' --data-binary @"$TMPD/in.csv")
expect "upload" 201 "$STATUS"
sf GET "/jobs/ingest/$JOB/successfulResults/"
expect_err "results before close" 409 INVALIDJOBSTATE
sf PATCH "/jobs/ingest/$JOB" '{"state":"UploadComplete"}'
expect "close" "200 UploadComplete" "$STATUS $(jqb .state)"
state=InProgress; n=0
while [ "$state" = InProgress ] || [ "$state" = UploadComplete ]; do
	sf GET "/jobs/ingest/$JOB"; state=$(jqb .state); n=$((n + 1)); [ $n -gt 10 ] && break
done
expect "job complete" "JobComplete 4 2" "$state $(jqb .numberRecordsProcessed) $(jqb .numberRecordsFailed)"
sf GET "/jobs/ingest/$JOB/successfulResults/"
expect "successful results" 3 "$(printf '%s\n' "$BODY" | grep -c .)"
expect "quoted value kept" 1 "$(printf '%s\n' "$BODY" | grep -c '"Two, ""quoted"""')"
sf GET "/jobs/ingest/$JOB/failedResults/"
expect "failed results" 2 "$(printf '%s\n' "$BODY" | grep -c 'REQUIRED_FIELD_MISSING\|INVALID_EMAIL_ADDRESS')"
sf GET "/jobs/ingest/$JOB/unprocessedrecords/"
expect "unprocessed (header only)" 1 "$(printf '%s\n' "$BODY" | grep -c .)"
sf GET "/query?q=$(printf '%s' "SELECT Account.HubSpot_Id__c FROM Contact WHERE HubSpot_Id__c = 'bk-1'" | jq -sRr @uri)"
expect "relationship column resolved" acc-9 "$(jqb '.records[0].Account.HubSpot_Id__c')"
sf PATCH "/jobs/ingest/$JOB" '{"state":"UploadComplete"}'
expect_err "close twice" 409 INVALIDJOBSTATE
sf POST /jobs/ingest '{"object":"Nope","operation":"insert"}'
expect_err "bad object" 400 INVALIDJOB
sf POST /jobs/ingest '{"object":"Contact","operation":"upsert","externalIdFieldName":"Title"}'
expect_err "bad external id" 400 INVALIDJOB
sf DELETE "/jobs/ingest/$JOB"
expect "delete job" 204 "$STATUS"

# ---- bulk query ------------------------------------------------------------
sf GET "/query?q=$(printf '%s' "SELECT COUNT() FROM Contact" | jq -sRr @uri)"
total=$(jqb .totalSize)
sf POST /jobs/query '{"operation":"query","query":"SELECT Id, Name, Account.Name FROM Contact ORDER BY Id"}'
expect "query job" 200 "$STATUS"
QJ=$(jqb .id)
sf GET "/jobs/query/$QJ"; sf GET "/jobs/query/$QJ"
expect "query job complete" "JobComplete $total" "$(jqb .state) $(jqb .numberRecordsProcessed)"
rows=0; loc=""
while :; do
	sf GET "/jobs/query/$QJ/results?maxRecords=100${loc:+&locator=$loc}"
	rows=$((rows + $(printf '%s\n' "$BODY" | grep -c '^"003')))
	loc=$(grep -i '^Sforce-Locator' "$TMPD/headers" | tr -d '\r' | sed 's/^[^:]*: //')
	[ "$loc" = null ] && break
	[ -z "$loc" ] && break
done
expect "all rows through locators" "$total" "$rows"
expect "csv header" '"Id","Name","Account.Name"' "$(printf '%s\n' "$BODY" | head -1)"
sf POST /jobs/query '{"operation":"query","query":"SELECT Nope FROM Contact"}'
expect_err "query job with a bad field" 400 INVALID_FIELD

sf_done
