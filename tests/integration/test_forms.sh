#!/bin/sh
# HubSpot form submissions -> Salesforce Tasks (the activity plugin with
# engagement = forms) against crmsync-sim, submitting through the forms API
# as a website would:
# - submissions made before the section is turned on are not replayed;
# - a submission by a synced contact becomes one completed Task on its
#   Lead/Contact, with the form in the subject and the values and page in
#   the description;
# - a submission by a new email: HubSpot creates the contact, which syncs in
#   the same cycle, and the Task lands with its WhoId;
# - more submissions than one page of the submissions API all arrive;
# - nothing is written twice, also when a write's response is lost or the
#   daemon is killed (SIGKILL) in the middle of a cycle;
# - a submission whose contact cannot sync waits as an association error,
#   kept by crmsync (the feed cannot be read again by id), and syncs from
#   that copy once its contact syncs; one whose contact is gone is skipped;
# - the last submission of a form archived since the last cycle still syncs;
#   `forms = NAME` syncs only that form's submissions;
# - a malformed answer from the submissions API fails the cycle with a
#   clear message and loses nothing;
# - a Task Salesforce refuses is a sync error; a resync after the fix syncs
#   the submission from crmsync's copy;
# - `enabled = no` makes no forms API call and writes no Task; turning the
#   section on again catches up.
. "$top_srcdir/tests/integration/lib.sh"

start_sim --seed 31 --records 30 --dirty 0
TOKEN=$(jq -r .hubspot.token "$WORK/ready")
PORTAL=4410001
FORMS_ON="create_as = contact
[object forms]
plugin = activity
engagement = forms"
write_config "$FORMS_ON"

cycle() { sync_once || fail "sync ($1) did not finish"; }
pair_sf() { sqlite3 "$WORK/state.db" "SELECT sf_id FROM idmap WHERE object = '$1' AND hs_id = '$2'"; }
sf_get() { curl -sf "$SF/__admin/dump/$1" | jq -r --arg id "$2" ".[] | select(.Id == \$id) | .$3 // \"\""; }
hs_contact() { curl -sf -H "Authorization: Bearer $TOKEN" \
	"$HS/crm/v3/objects/contacts/$1?idProperty=email&properties=email,state" | jq -r "$2"; }
form_id() { curl -sf -H "Authorization: Bearer $TOKEN" "$HS/marketing/v3/forms?limit=100" |
	jq -r --arg n "$1" '.results[] | select(.name == $n) | .id' | head -1; }
# submit FORM_ID EMAIL [MESSAGE [EXTRA_FIELDS_JSON]]
submit() {
	body=$(jq -n --arg e "$2" --arg m "${3:-Hello}" --argjson x "${4:-[]}" \
		'{fields: ([{objectTypeId: "0-1", name: "email", value: $e},
			    {objectTypeId: "0-1", name: "message", value: $m}] + $x),
		  context: {pageUri: "https://www.example.com/contact", pageName: "Contact"}}')
	curl -sf -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		-d "$body" "$HS/submissions/v3/integration/secure/submit/$PORTAL/$1" > /dev/null ||
		fail "cannot submit form $1 as $2"
}
form_tasks() { sf_dump Task | jq '[.[] | select((.Subject // "") | startswith("Form submission")) |
	select((.IsDeleted // false) == false)]'; }
n_form_tasks() { form_tasks | jq length; }
pairs_of() { sqlite3 "$WORK/state.db" "SELECT count(*) FROM idmap WHERE object = 'forms' AND hs_id IS NOT NULL AND sf_id IS NOT NULL"; }
kept() { sqlite3 "$WORK/state.db" "SELECT count(*) FROM feed_record WHERE object = 'forms'"; }
forms_calls() { curl -sf "$HS/__admin/calls" | jq '[.calls | to_entries[] |
	select(.key | test("forms|submissions")) | .value] | add // 0'; }
last_of() { status_json | jq -r ".objects[] | select(.object == \"$1\") | .$2"; }

CONTACT_US=$(form_id "Contact us")
[ -n "$CONTACT_US" ] || fail "the simulator has no 'Contact us' form"
seeded=$(curl -sf -H "Authorization: Bearer $TOKEN" \
	"$HS/form-integrations/v1/submissions/forms/$CONTACT_US?limit=50" | jq '.results | length')
[ "$seeded" -gt 0 ] || fail "the simulator seeded no submissions to replay"

# --- turned on: history is not replayed ------------------------------------
cycle first
[ "$(last_of forms status)" = ok ] || fail "forms: $(last_of forms status) on the first cycle"
[ "$(n_form_tasks)" -eq 0 ] || fail "$(n_form_tasks) Tasks for submissions made before the section was on"
echo "first cycle: $seeded earlier submissions to 'Contact us' not replayed (history = no)"

# --- a synced contact submits ------------------------------------------------
KNOWN=$(sqlite3 "$WORK/state.db" "SELECT hs_id FROM idmap WHERE object = 'contact' AND sf_type = 'Contact' AND sf_id IS NOT NULL LIMIT 1")
[ -n "$KNOWN" ] || fail "no synced contact to submit as"
KNOWN_EMAIL=$(curl -sf -H "Authorization: Bearer $TOKEN" "$HS/crm/v3/objects/contacts/$KNOWN?properties=email" |
	jq -r .properties.email)
submit "$CONTACT_US" "$KNOWN_EMAIL" "Please call me about pricing"
# --- a new email: HubSpot creates the contact, which syncs in the same cycle -
submit "$CONTACT_US" "mika.new@forms-test.example" "First contact" \
	'[{"objectTypeId":"0-1","name":"firstname","value":"Mika"},{"objectTypeId":"0-1","name":"lastname","value":"Neu"}]'
NEW=$(hs_contact mika.new@forms-test.example .id)
[ -n "$NEW" ] && [ "$NEW" != null ] || fail "the submission did not create a HubSpot contact"
cycle "two submissions"
[ "$(n_form_tasks)" -eq 2 ] || fail "$(n_form_tasks) Tasks for two submissions"
known_sf=$(pair_sf contact "$KNOWN")
new_sf=$(pair_sf contact "$NEW")
[ -n "$new_sf" ] || fail "the new contact did not sync"
t1=$(form_tasks | jq -r --arg w "$known_sf" '.[] | select(.WhoId == $w) | .Id')
t2=$(form_tasks | jq -r --arg w "$new_sf" '.[] | select(.WhoId == $w) | .Id')
[ -n "$t1" ] || fail "no Task on the known contact's Contact $known_sf"
[ -n "$t2" ] || fail "no Task on the new contact's $new_sf (it synced in the same cycle)"
[ "$(sf_get Task "$t1" Subject)" = "Form submission: Contact us" ] || fail "Subject is '$(sf_get Task "$t1" Subject)'"
[ "$(sf_get Task "$t1" Status)" = Completed ] || fail "Status is '$(sf_get Task "$t1" Status)'"
[ "$(sf_get Task "$t1" ActivityDate)" = "$(date -u +%Y-%m-%d)" ] || fail "ActivityDate is '$(sf_get Task "$t1" ActivityDate)'"
desc=$(sf_get Task "$t1" Description)
case "$desc" in *"Please call me about pricing"*) ;; *) fail "the description lacks the message: $desc" ;; esac
case "$desc" in *"Page: https://www.example.com/contact"*) ;; *) fail "the description lacks the page: $desc" ;; esac
[ "$(kept)" -eq 0 ] || fail "$(kept) submissions still kept after they synced"
echo "two submissions: Tasks $t1 (WhoId $known_sf) and $t2 (WhoId $new_sf, created in the same cycle)"

# --- once each ----------------------------------------------------------------
cycle "nothing new"
[ "$(n_form_tasks)" -eq 2 ] || fail "$(n_form_tasks) Tasks after a cycle with nothing new"
[ "$(last_of forms written)" -eq 0 ] || fail "forms wrote $(last_of forms written) records with nothing new"

# --- more than a page; a lost write response; a SIGKILL in the middle ---------
DEMO=$(form_id "Request a demo")
[ -n "$DEMO" ] || fail "the simulator has no 'Request a demo' form"
submit_n() { # N TAG
	i=0
	while [ $i -lt "$1" ]; do
		submit "$DEMO" "$KNOWN_EMAIL" "$2 $i"
		i=$((i + 1))
	done
}
no_twice() {
	dups=$(form_tasks | jq '[.[] | .CrmSync_Id__c] | group_by(.) | map(select(length > 1)) | length')
	[ "$dups" -eq 0 ] || fail "$dups submissions written twice ($1)"
	[ "$(pairs_of)" -eq "$(n_form_tasks)" ] || fail "$(pairs_of) submission pairs for $(n_form_tasks) Tasks ($1)"
}
submit_n 60 "demo request"
before=$(n_form_tasks)
# Salesforce applies the first Task write, and its response is cut short
curl -sf -X POST -H 'Content-Type: application/json' \
	-d '[{"kind":"truncate","next":1,"method":"PATCH"}]' "$SF/__admin/faults" > /dev/null ||
	fail "cannot set the fault"
cycle "a lost write response" || true
curl -sf -X DELETE "$SF/__admin/faults" > /dev/null
cycle "after the lost response"
[ "$(n_form_tasks)" -eq $((before + 60)) ] || fail "$(($(n_form_tasks) - before)) Tasks for 60 submissions"
no_twice "a lost response"
echo "60 submissions (two pages of the submissions API), the write's response lost: 60 Tasks, none twice"

submit_n 30 "after-hours request"
before=$(n_form_tasks)
"$B/crmsyncd" -c "$WORK/crmsync.conf" --once 2>> "$WORK/crmsyncd.log" &
pid=$!
i=0
while [ "$(n_form_tasks)" -le "$before" ] && [ $i -lt 500 ] && kill -0 $pid 2>/dev/null; do
	sleep 0.01
	i=$((i + 1))
done
kill -9 $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
echo "SIGKILL once the Tasks were written ($(($(n_form_tasks) - before)) of 30)"
cycle "after the kill"
[ "$(n_form_tasks)" -eq $((before + 30)) ] || fail "$(($(n_form_tasks) - before)) Tasks for 30 submissions"
no_twice "a SIGKILL"
echo "30 submissions across a SIGKILL: 30 Tasks, none twice"

# --- a contact that cannot sync holds its submission back ----------------------
submit "$CONTACT_US" "atlantis@forms-test.example" "Waiting" \
	'[{"objectTypeId":"0-1","name":"lastname","value":"Deep"},{"objectTypeId":"0-1","name":"country","value":"United States"},{"objectTypeId":"0-1","name":"state","value":"Atlantis"}]'
BAD=$(hs_contact atlantis@forms-test.example .id)
cycle "a submission waits for its contact"
[ -z "$(pair_sf contact "$BAD")" ] || fail "the contact with an invalid state synced"
[ "$(sqlite3 "$WORK/state.db" "SELECT type FROM sync_error WHERE object = 'contact' AND hs_id = '$BAD'")" = picklist ] ||
	fail "the contact with an invalid state is not a picklist error"
waiting=$(sqlite3 "$WORK/state.db" "SELECT count(*) FROM sync_error WHERE object = 'forms' AND type = 'association' AND code = 'PARTNER_NOT_SYNCED'")
[ "$waiting" -eq 1 ] || fail "$waiting waiting submissions, not 1"
[ "$(kept)" -eq 1 ] || fail "$(kept) submissions kept, not the waiting one"
curl -sf -X PATCH -H 'Content-Type: application/json' -d '{"properties":{"state":"California"}}' \
	"$HS/__admin/records/contacts/$BAD" > /dev/null || fail "cannot fix the contact"
cycle "its contact fixed"
bad_sf=$(pair_sf contact "$BAD")
[ -n "$bad_sf" ] || fail "the fixed contact did not sync"
[ "$(form_tasks | jq --arg w "$bad_sf" '[.[] | select(.WhoId == $w)] | length')" -eq 1 ] ||
	fail "the submission that waited did not sync from the kept copy"
[ "$(kept)" -eq 0 ] || fail "the copy of the submission is still kept after it synced"
[ "$(sqlite3 "$WORK/state.db" "SELECT count(*) FROM sync_error WHERE object = 'forms'")" -eq 0 ] ||
	fail "the association error is still current"
echo "waiting: a submission held for its contact syncs from crmsync's copy once the contact does"

# --- a submission whose contact is gone is skipped, and not kept -----------------
submit "$CONTACT_US" "gone@forms-test.example" "Then deleted"
GONE=$(hs_contact gone@forms-test.example .id)
curl -sf -X DELETE -H "Authorization: Bearer $TOKEN" "$HS/crm/v3/objects/contacts/$GONE" > /dev/null ||
	fail "cannot delete the contact"
n=$(n_form_tasks)
cycle "a submission without a contact"
[ "$(n_form_tasks)" -eq "$n" ] || fail "a Task was written for a submission without a contact"
[ "$(kept)" -eq 0 ] || fail "the skipped submission is still kept"
[ "$(last_of forms status)" = ok ] || fail "forms: $(last_of forms status) with a submission without a contact"
echo "no contact: the submission is skipped, not kept"

# --- off in the INI: no forms API call, no Task; on again: caught up ------------
write_config "create_as = contact
[object forms]
plugin = activity
engagement = forms
enabled = no"
submit "$CONTACT_US" "$KNOWN_EMAIL" "while off"
n=$(n_form_tasks)
curl -sf -X DELETE "$HS/__admin/calls" > /dev/null
cycle "forms off"
[ "$(forms_calls)" -eq 0 ] || fail "$(forms_calls) forms API calls with the section off"
[ "$(n_form_tasks)" -eq "$n" ] || fail "a Task was written with the section off"
write_config "$FORMS_ON"
cycle "forms on again"
[ "$(n_form_tasks)" -eq $((n + 1)) ] || fail "the submission made while off did not sync once on again"
echo "off: no forms call, no Task; on again: the submission made meanwhile syncs"

# --- a form archived after its last submission: that submission still syncs ---
NEWS=$(form_id "Newsletter signup")
body=$(jq -n --arg e "$KNOWN_EMAIL" '{fields: [{objectTypeId: "0-1", name: "email", value: $e},
	{objectTypeId: "0-1", name: "firstname", value: "Last"}]}')
curl -sf -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$body" \
	"$HS/submissions/v3/integration/secure/submit/$PORTAL/$NEWS" > /dev/null || fail "cannot submit the newsletter form"
curl -sf -X DELETE -H "Authorization: Bearer $TOKEN" "$HS/marketing/v3/forms/$NEWS" > /dev/null ||
	fail "cannot archive the newsletter form"
n=$(n_form_tasks)
cycle "a form archived since the last cycle"
[ "$(sf_dump Task | jq '[.[] | select(.Subject == "Form submission: Newsletter signup")] | length')" -eq 1 ] ||
	fail "the last submission of a form archived since the last cycle was lost"
echo "archived: the last submission of a form archived since the last cycle syncs"

# --- forms = a list: the other forms' submissions are skipped --------------------
write_config "$FORMS_ON
forms = Contact us"
submit "$DEMO" "$KNOWN_EMAIL" "not wanted"
submit "$CONTACT_US" "$KNOWN_EMAIL" "wanted"
n=$(n_form_tasks)
cycle "forms = Contact us"
[ "$(n_form_tasks)" -eq $((n + 1)) ] || fail "$(($(n_form_tasks) - n)) Tasks with forms = Contact us, not 1"
[ "$(form_tasks | jq '[.[] | select((.Description // "") | contains("not wanted"))] | length')" -eq 0 ] ||
	fail "a submission of a form not listed synced"
echo "forms = Contact us: only that form's submissions sync"
write_config "$FORMS_ON"

# --- a malformed answer from the submissions API: said, nothing lost -----------
submit "$CONTACT_US" "$KNOWN_EMAIL" "through a bad answer"
curl -sf -X POST -H 'Content-Type: application/json' \
	-d '[{"kind":"malformed","next":10,"path":"/form-integrations/"}]' "$HS/__admin/faults" > /dev/null ||
	fail "cannot set the fault"
sync_once || true
[ "$(last_of forms status)" = failed ] || fail "forms: $(last_of forms status) with malformed answers"
grep -q "forms: cannot read HubSpot changes: MALFORMED_RESPONSE" "$WORK/crmsyncd.log" ||
	fail "the log does not say the answer was malformed"
curl -sf -X DELETE "$HS/__admin/faults" > /dev/null
cycle "after the malformed answers"
[ "$(form_tasks | jq '[.[] | select((.Description // "") | contains("through a bad answer"))] | length')" -eq 1 ] ||
	fail "the submission read through a malformed answer was lost (or written twice)"
echo "malformed answers: the cycle fails and says why; the next one syncs the submission"

# --- Salesforce refuses a Task: an error, the copy kept; a resync after the fix -
curl -sf -X PATCH -H 'Content-Type: application/json' -d '{"record_faults": [{"name": "t1",
	"object": "Task", "field": "Subject", "op": "in", "values": ["Form submission: Request a demo"],
	"errorCode": "UNKNOWN_EXCEPTION", "message": "an Apex trigger failed"}]}' "$SF/__admin/config" > /dev/null ||
	fail "cannot set the record fault"
# a short overlap, and a later submission, move the cursor past the refused
# one: the feed no longer returns it, only crmsync's copy can bring it back
sed -i 's/^log_level = info$/log_level = info\nchange_overlap = 1s/' "$WORK/crmsync.conf"
submit "$DEMO" "$KNOWN_EMAIL" "refused once"
cycle "Salesforce refuses the Task"
err_id=$(sqlite3 "$WORK/state.db" "SELECT id FROM sync_error WHERE object = 'forms' AND code = 'UNKNOWN_EXCEPTION'")
[ -n "$err_id" ] || fail "the refused Task is not a sync error"
[ "$(kept)" -eq 1 ] || fail "$(kept) submissions kept, not the refused one"
sleep 3
submit "$CONTACT_US" "$KNOWN_EMAIL" "later"
cycle "a later submission"
cycle "past the refused one"
curl -sf -X PATCH -H 'Content-Type: application/json' -d '{"record_faults": []}' "$SF/__admin/config" > /dev/null
cycle "the fault gone, no resync yet"
[ "$(form_tasks | jq '[.[] | select((.Description // "") | contains("refused once"))] | length')" -eq 0 ] ||
	fail "the refused submission was read from the feed again (the test cannot show the copy at work)"
"$B/crmsync" -c "$WORK/crmsync.conf" resync "$err_id" > /dev/null || fail "resync $err_id failed"
cycle "the resync"
[ "$(form_tasks | jq '[.[] | select((.Description // "") | contains("refused once"))] | length')" -eq 1 ] ||
	fail "the resynced submission did not sync from the kept copy"
[ "$(kept)" -eq 0 ] || fail "the resynced submission is still kept"
echo "refused: the error keeps the submission; a resync after the fix syncs it from the copy"

"$B/crmsync" -c "$WORK/crmsync.conf" explain forms | grep -q "form submissions become completed Salesforce Tasks" ||
	fail "crmsync explain forms does not describe the form submissions"
echo "ok"
