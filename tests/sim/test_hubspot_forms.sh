#!/bin/sh
# crmsync-sim HubSpot side: the forms API (list and paging, read, create,
# archive), form submissions (secure and open submit endpoints and what they
# do to contacts; newest-first reading whose pages survive new submissions),
# limits and error shapes, the seeded forms and submissions, and their
# persistence across a restart.
. "${top_srcdir:-.}/tests/sim/simlib.sh"

UUID='^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
SEED_ARGS="--seed 11 --records 300 --hs-burst-limit 0 --hs-search-rate 0"

# submit AUTH PATH JSON: POST to a submit endpoint (AUTH "" = none)
submit() { DATA=$3; hs_as "$1" POST "$2"; }

# the forms host's error shape with one error of this type
is_form_error() { body_has "(.status==\"error\") and (.message|type==\"string\") and (.correlationId|test(\"$UUID\")) and (.errors[0].errorType==\"$1\")"; }

# shellcheck disable=SC2086
sim_start $SEED_ARGS --state "$SIM_DIR/state.json"

# ---- seeded forms and submissions ----
get /marketing/v3/forms
check "list forms -> 200" status_is 200
check "three seeded forms, oldest first, no paging" body_has '([.results[].name]==["Contact us","Request a demo","Newsletter signup"]) and (has("paging")|not)'
check "form shape" body_has "(.results[0]|(.id|test(\"$UUID\")) and .formType==\"hubspot\" and .archived==false and (.createdAt|test(\"^2023-11-06T10:00:00.000Z$\")) and (.updatedAt|type==\"string\") and .configuration.language==\"en\" and .configuration.createNewContactForNewEmail==true and .configuration.postSubmitAction.type==\"thank_you\" and .displayOptions.submitButtonText==\"Submit\" and .legalConsentOptions.type==\"none\")"
check "fields are contact properties, email first and required" body_has '[.results[].fieldGroups[0].fields[0]]|all(.name=="email" and .objectTypeId=="0-1" and .required==true and .fieldType=="email" and .label=="Email")'
check "contact us asks for a message" body_has '[.results[0].fieldGroups[].fields[].name]==["email","firstname","lastname","company","message"]'
check "forms calls carry the rate-limit headers" test -n "$(header X-HubSpot-RateLimit-Daily-Remaining)"
CONTACT_US=$(jqb '.results[0].id')
DEMO=$(jqb '.results[1].id')
admin GET dump/forms
jq -S . < "$BODY" > "$SIM_DIR/seed_forms.json"
admin GET dump/form_submissions
jq -S . < "$BODY" > "$SIM_DIR/seed_subs.json"
NSEED=$(jqb length)
check "about a fifth of 300 contacts submitted ($NSEED)" test "$NSEED" -ge 40 -a "$NSEED" -le 110
check "dumped submissions name their form" body_has "all(.formId|test(\"$UUID\")) and all(.conversionId|test(\"$UUID\")) and all(.values[0].name==\"email\")"
SEMAIL=$(jqb "map(select(.formId==\"$CONTACT_US\"))|max_by(.submittedAt)|.values[0].value")
SAT=$(jqb "map(select(.formId==\"$CONTACT_US\"))|max_by(.submittedAt)|.submittedAt")
get "/crm/v3/objects/contacts/$SEMAIL?idProperty=email&properties=num_conversion_events,recent_conversion_date,recent_conversion_event_name,first_conversion_date,first_conversion_event_name"
check "seeded submitter has conversion properties" body_has '(.properties.num_conversion_events|tonumber>=1) and (.properties.first_conversion_event_name|type=="string") and (.properties.recent_conversion_date|type=="string") and .properties.recent_conversion_date<=.properties.lastmodifieddate and .properties.first_conversion_date<=.properties.recent_conversion_date'
check "seeded submission is at or before the contact's last change" is "$(jq -n --arg m "$(jqb .properties.lastmodifieddate)" --argjson at "$SAT" '($m|sub("\\.[0-9]+Z$";"Z")|fromdate)*1000+999 >= $at')" true
get /crm/v3/properties/contacts/num_conversion_events
check "conversion properties are defined read-only" body_has '.type=="number" and .modificationMetadata.readOnlyValue==true and .groupName=="conversioninformation"'

# ---- auth ----
hs_as "" GET /marketing/v3/forms
check "forms without a token -> 401" status_is 401
hs_as "Bearer pat-na1-wrong" GET /marketing/v3/forms
check "forms with a wrong token -> 401" status_is 401
check "401 body" is_hs_error INVALID_AUTHENTICATION
hs_as "Bearer pat-na1-wrong" GET "/marketing/v3/forms/$CONTACT_US"
check "form read with a wrong token -> 401" status_is 401
hs_as "Bearer pat-na1-wrong" GET "/form-integrations/v1/submissions/forms/$CONTACT_US"
check "submissions with a wrong token -> 401" status_is 401
submit "Bearer pat-na1-wrong" "/submissions/v3/integration/secure/submit/4410001/$CONTACT_US" '{"fields":[{"name":"email","value":"x@example.com"}]}'
check "secure submit with a wrong token -> 401" status_is 401

# ---- create, read, paging ----
post /marketing/v3/forms '{"name":"Webinar","formType":"hubspot","fieldGroups":[{"fields":[{"name":"email","label":"Email","required":true,"fieldType":"email"},{"name":"firstname"}]}],"configuration":{"language":"de"}}'
check "create form -> 201" status_is 201
WEB=$(jqb .id)
check "created form has a new uuid and defaults" body_has "(.id|test(\"$UUID\")) and .name==\"Webinar\" and .archived==false and .configuration.language==\"de\" and .configuration.editable==true and .fieldGroups[0].groupType==\"default_group\" and .fieldGroups[0].fields[1].objectTypeId==\"0-1\" and .fieldGroups[0].fields[1].required==false and .legalConsentOptions.type==\"none\""
get "/marketing/v3/forms/$WEB"
check "read form" body_has ".id==\"$WEB\" and .name==\"Webinar\""
get /marketing/v3/forms/00000000-0000-4000-8000-000000000000
check "unknown form -> 404" status_is 404
check "404 body" is_hs_error OBJECT_NOT_FOUND
post /marketing/v3/forms '{"formType":"hubspot","fieldGroups":[]}'
check "form without a name -> 400" status_is 400
check "400 body" is_hs_error VALIDATION_ERROR
post /marketing/v3/forms '{"name":"x","formType":"popup","fieldGroups":[]}'
check "unknown formType -> 400" status_is 400

IDS=
PAGES=0
AFTER=
while :; do
	get "/marketing/v3/forms?limit=1${AFTER:+&after=$AFTER}"
	[ "$STATUS" = 200 ] || break
	PAGES=$((PAGES + 1))
	IDS="$IDS $(jqb '.results[].id')"
	AFTER=$(jqb '.paging.next.after // empty')
	[ -n "$AFTER" ] && [ $PAGES -lt 10 ] || break
done
check "limit=1 pages through all four forms" is "$PAGES" 4
check "paging returns each form once" is "$(printf '%s\n' $IDS | sort -u | wc -l | tr -d ' ')" 4
check "newest form on the last page" is "$(printf '%s\n' $IDS | tail -n 1)" "$WEB"
get "/marketing/v3/forms?limit=2"
check "paging link" body_has '.paging.next.link|test("/marketing/v3/forms\\?after=[^&]+&limit=2$")'
get "/marketing/v3/forms?limit=101"
check "forms limit 101 -> 400" status_is 400
check "limit 400 body" is_hs_error VALIDATION_ERROR
get "/marketing/v3/forms?limit=100"
check "forms limit 100 -> 200" status_is 200
get "/marketing/v3/forms?after=garbage"
check "unreadable cursor -> 400" status_is 400
get "/marketing/v3/forms?formTypes=captured"
check "formTypes filters" body_has '.results==[]'

# ---- submit: a new email creates a contact ----
admin GET clock
NOW=$(jqb .now_ms)
T1=$((NOW - 60000))
submit "Bearer $TOKEN" "/submissions/v3/integration/secure/submit/4410001/$WEB" "{\"fields\":[{\"objectTypeId\":\"0-1\",\"name\":\"email\",\"value\":\"Ada.Form@Example.COM\"},{\"objectTypeId\":\"0-1\",\"name\":\"firstname\",\"value\":\"Ada\"}],\"submittedAt\":\"$T1\",\"context\":{\"pageUri\":\"https://www.example.com/webinar\",\"pageName\":\"Webinar\"}}"
check "secure submit -> 200" status_is 200
check "submit answer" body_has '.inlineMessage=="Thanks for submitting the form."'
T1ISO=$(jq -nr --argjson t "$T1" '($t/1000|floor|todate|sub("Z$";""))+"."+(($t%1000|tostring|"00"+.)[-3:])+"Z"')
get "/crm/v3/objects/contacts/ada.form@example.com?idProperty=email&properties=firstname,num_conversion_events,recent_conversion_date,recent_conversion_event_name,first_conversion_date,first_conversion_event_name"
check "new email creates a contact" status_is 200
ADA=$(jqb .id)
check "new contact has the form's values and conversion properties" body_has ".properties.firstname==\"Ada\" and .properties.num_conversion_events==\"1\" and .properties.recent_conversion_event_name==\"Webinar\" and .properties.first_conversion_event_name==\"Webinar\" and .properties.recent_conversion_date==\"$T1ISO\" and .properties.first_conversion_date==\"$T1ISO\""
get "/form-integrations/v1/submissions/forms/$WEB"
check "the submission is recorded" body_has "(.results|length==1) and (.results[0].conversionId|test(\"$UUID\")) and .results[0].submittedAt==$T1 and .results[0].values==[{\"name\":\"email\",\"value\":\"Ada.Form@Example.COM\"},{\"name\":\"firstname\",\"value\":\"Ada\"}] and .results[0].pageUrl==\"https://www.example.com/webinar\" and (has(\"paging\")|not)"

# ---- submit: a known email updates the contact and the CRM search sees it ----
get "/crm/v3/objects/contacts/$ADA"
OLDMOD=$(jqb .properties.lastmodifieddate)
sleep 0.01
admin GET clock
T0=$(jqb .now_ms)
DATA="{\"fields\":[{\"objectTypeId\":\"0-1\",\"name\":\"email\",\"value\":\"ADA.FORM@example.com\"},{\"objectTypeId\":\"0-1\",\"name\":\"lastname\",\"value\":\"Lovelace\"},{\"objectTypeId\":\"0-1\",\"name\":\"message\",\"value\":\"Call me\"}],\"context\":{\"pageUri\":\"https://www.example.com/contact\"}}"
STATUS=$(curl -s -o "$SIM_DIR/body" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "$DATA" "$HS/submissions/v3/integration/submit/4410001/$CONTACT_US")
unset DATA
check "open submit (no token) -> 200" status_is 200
get "/crm/v3/objects/contacts/$ADA?properties=lastname,message,num_conversion_events,recent_conversion_event_name,first_conversion_event_name,first_conversion_date"
check "known email (other case) updates the same contact" body_has ".properties.lastname==\"Lovelace\" and .properties.message==\"Call me\" and .properties.num_conversion_events==\"2\" and .properties.recent_conversion_event_name==\"Contact us\" and .properties.first_conversion_event_name==\"Webinar\" and .properties.first_conversion_date==\"$T1ISO\""
check "lastmodifieddate moved" body_has ".properties.lastmodifieddate > \"$OLDMOD\" and .updatedAt==.properties.lastmodifieddate"
DATA="{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"lastmodifieddate\",\"operator\":\"GTE\",\"value\":\"$T0\"}]}]}" hs POST /crm/v3/objects/contacts/search
check "the CRM search finds the submitter" body_has "[.results[].id]|index(\"$ADA\")!=null"

# ---- submit errors ----
submit "" "/submissions/v3/integration/submit/4410001/$CONTACT_US" '{"fields":[{"objectTypeId":"0-1","name":"email","value":"not-an-email"}]}'
check "invalid email -> 400" status_is 400
check "invalid email body" body_has '.message=="The request is not valid" and .errors[0].message=="Error in '"'"'fields.email'"'"'. Invalid email address"'
check "invalid email errorType" is_form_error INVALID_EMAIL
submit "" "/submissions/v3/integration/submit/4410001/$CONTACT_US" '{"fields":[{"objectTypeId":"0-1","name":"firstname","value":"No Email"}]}'
check "missing email -> 400" status_is 400
check "missing email body" is_form_error REQUIRED_FIELD
submit "" "/submissions/v3/integration/submit/4410001/00000000-0000-4000-8000-000000000000" '{"fields":[{"name":"email","value":"a@b.example"}]}'
check "submit to an unknown form -> 404" status_is 404
check "unknown form body" body_has '.message=="The form '"'"'00000000-0000-4000-8000-000000000000'"'"' does not exist"'
check "unknown form errorType" is_form_error FORM_DOES_NOT_EXIST
submit "" "/submissions/v3/integration/submit/999/$CONTACT_US" '{"fields":[{"name":"email","value":"a@b.example"}]}'
check "wrong portal -> 400" status_is 400
submit "" "/submissions/v3/integration/submit/4410001/$CONTACT_US" '{"fields":[{"name":"email","value":"a@b.example"},{"name":"jobtitle","value":"CEO"}]}'
check "open submit of a field not on the form -> 400" is_form_error FIELD_NOT_IN_FORM_DEFINITION
submit "Bearer $TOKEN" "/submissions/v3/integration/secure/submit/4410001/$CONTACT_US" '{"fields":[{"name":"email","value":"bea.secure@example.com"},{"name":"jobtitle","value":"CEO"}]}'
check "secure submit may send fields not on the form" status_is 200
get "/crm/v3/objects/contacts/bea.secure@example.com?idProperty=email&properties=jobtitle"
check "and they set contact properties" body_has '.properties.jobtitle=="CEO"'
submit "" "/submissions/v3/integration/submit/4410001/$CONTACT_US" 'not json'
check "malformed body -> 400" status_is 400

# ---- submissions: newest first, cursors robust to new submissions ----
for k in 1 2 3 4 5; do
	submit "Bearer $TOKEN" "/submissions/v3/integration/secure/submit/4410001/$WEB" "{\"fields\":[{\"name\":\"email\",\"value\":\"p$k@example.com\"}],\"submittedAt\":\"$((T1 + k * 1000))\"}"
done
get "/form-integrations/v1/submissions/forms/$WEB?limit=2"
check "submissions page 1" body_has '(.results|length==2) and .results[0].submittedAt > .results[1].submittedAt and (.paging.next.after|type=="string")'
check "newest first" body_has '.results[0].values[0].value=="p5@example.com"'
check "submissions paging link" body_has ".paging.next.link|test(\"/form-integrations/v1/submissions/forms/$WEB\\\\?after=[^&]+&limit=2$\")"
SEEN=$(jqb '.results[].conversionId')
AFTER=$(jqb .paging.next.after)
submit "Bearer $TOKEN" "/submissions/v3/integration/secure/submit/4410001/$WEB" '{"fields":[{"name":"email","value":"late@example.com"}]}'
check "a submission between two page reads" status_is 200
PAGES=1
while [ -n "$AFTER" ] && [ $PAGES -lt 10 ]; do
	get "/form-integrations/v1/submissions/forms/$WEB?limit=2&after=$AFTER"
	PAGES=$((PAGES + 1))
	SEEN="$SEEN $(jqb '.results[].conversionId')"
	AFTER=$(jqb '.paging.next.after // empty')
done
check "paging went to the end" is "$PAGES" 3
check "no submission skipped (6 of 6 older ones)" is "$(printf '%s\n' $SEEN | wc -l | tr -d ' ')" 6
check "no submission repeated" is "$(printf '%s\n' $SEEN | sort -u | wc -l | tr -d ' ')" 6
get "/form-integrations/v1/submissions/forms/$WEB?limit=50"
check "the new submission lands on page one" body_has '(.results|length==7) and .results[0].values[0].value=="late@example.com" and (has("paging")|not)'
get "/form-integrations/v1/submissions/forms/$WEB?limit=51"
check "submissions limit 51 -> 400" status_is 400
check "submissions limit body" is_hs_error VALIDATION_ERROR
get /form-integrations/v1/submissions/forms/00000000-0000-4000-8000-000000000000
check "submissions of an unknown form -> 404" status_is 404
check "submissions 404 body" is_hs_error OBJECT_NOT_FOUND
get "/form-integrations/v1/submissions/forms/$DEMO?limit=50"
check "seeded submissions newest first" body_has '[.results[].submittedAt] as $t | $t==($t|sort|reverse)'

# ---- archive ----
hs DELETE "/marketing/v3/forms/$WEB"
check "archive form -> 204" status_is 204
get "/marketing/v3/forms/$WEB"
check "archived form -> 404" status_is 404
get "/marketing/v3/forms/$WEB?archived=true"
check "archived=true reads it" body_has '.archived==true and (.archivedAt|type=="string")'
get /marketing/v3/forms
check "archived form not listed" body_has "([.results[].id]|index(\"$WEB\"))==null and (.results|length==3)"
get "/marketing/v3/forms?archived=true"
check "listed with archived=true" body_has "[.results[].id]==[\"$WEB\"]"
submit "Bearer $TOKEN" "/submissions/v3/integration/secure/submit/4410001/$WEB" '{"fields":[{"name":"email","value":"a@b.example"}]}'
check "submit to an archived form -> 404" is_form_error FORM_DOES_NOT_EXIST
hs DELETE /marketing/v3/forms/00000000-0000-4000-8000-000000000000
check "archive an unknown form -> 404" status_is 404

# ---- counters ----
admin GET calls
check "forms endpoints are counted" body_has '.calls["GET /marketing/v3/forms"]>=1 and .calls["POST /submissions/v3/integration/submit/{portalId}/{formGuid}"]>=1 and .calls["POST /submissions/v3/integration/secure/submit/{portalId}/{formGuid}"]>=1 and .calls["GET /form-integrations/v1/submissions/forms/{form_guid}"]>=1'

# ---- persistence ----
admin GET dump/forms
jq -S . < "$BODY" > "$SIM_DIR/forms_before.json"
admin GET dump/form_submissions
jq -S . < "$BODY" > "$SIM_DIR/subs_before.json"
check "stop saves state" sim_stop
# shellcheck disable=SC2086
sim_start $SEED_ARGS --state "$SIM_DIR/state.json"
admin GET dump/forms
check "forms survive a restart" cmp -s "$SIM_DIR/forms_before.json" "$(jq -S . < "$BODY" > "$SIM_DIR/forms_after.json"; echo "$SIM_DIR/forms_after.json")"
admin GET dump/form_submissions
check "submissions survive a restart" cmp -s "$SIM_DIR/subs_before.json" "$(jq -S . < "$BODY" > "$SIM_DIR/subs_after.json"; echo "$SIM_DIR/subs_after.json")"
get "/form-integrations/v1/submissions/forms/$WEB?limit=1"
check "restored submissions still page newest first" body_has '.results[0].values[0].value=="late@example.com" and (.paging.next.after|type=="string")'
submit "" "/submissions/v3/integration/submit/4410001/$CONTACT_US" '{"fields":[{"name":"email","value":"ada.form@example.com"}]}'
get "/crm/v3/objects/contacts/$ADA?properties=num_conversion_events"
check "conversions keep counting after a restart" body_has '.properties.num_conversion_events=="3"'
check "stop again" sim_stop

# ---- determinism of the seed ----
# shellcheck disable=SC2086
sim_start $SEED_ARGS
admin GET dump/forms
check "same seed, same forms" cmp -s "$SIM_DIR/seed_forms.json" "$(jq -S . < "$BODY" > "$SIM_DIR/f2.json"; echo "$SIM_DIR/f2.json")"
admin GET dump/form_submissions
check "same seed, same submissions" cmp -s "$SIM_DIR/seed_subs.json" "$(jq -S . < "$BODY" > "$SIM_DIR/s2.json"; echo "$SIM_DIR/s2.json")"
check "stop" sim_stop
sim_start --seed 12 --records 300 --hs-burst-limit 0 --hs-search-rate 0
admin GET dump/forms
check "another seed, other form ids" body_has "([.[].id]|index(\"$CONTACT_US\"))==null and length==3"

finish
