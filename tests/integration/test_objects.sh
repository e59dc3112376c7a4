#!/bin/sh
# All four objects against crmsync-sim: the first sync converges and the next
# one writes nothing; a company, a contact, a task and a deal created together
# in HubSpot land in one cycle with their links (Contact.AccountId, Task.WhoId,
# Opportunity.AccountId, a contact role); Salesforce -> HubSpot creates with
# their associations; a stage move to Closed Won makes the deal's contacts
# customers and a move back does not demote them; a role added in Salesforce
# becomes an association; turning `company` off touches no Account and no
# company, turning it on again catches up.
. "$top_srcdir/tests/integration/lib.sh"

start_sim --seed 21 --records 40 --dirty 0
TOKEN=$(jq -r .hubspot.token "$WORK/ready")
OBJECTS="create_as = contact
company_lifecycle_sync = yes
[object company]
state_country_picklists = enabled
[object deal]
[object activity]
history = yes
tasks_to_hubspot = yes"
write_config "$OBJECTS"

# cycle: one sync; fails the test when it does not finish
cycle() { sync_once || fail "sync ($1) did not finish"; }
last_of() { status_json | jq -r ".objects[] | select(.object == \"$1\") | .$2"; }
pair_sf() { sqlite3 "$WORK/state.db" "SELECT sf_id FROM idmap WHERE object = '$1' AND hs_id = '$2'"; }
pair_hs() { sqlite3 "$WORK/state.db" "SELECT hs_id FROM idmap WHERE object = '$1' AND sf_id = '$2'"; }
sf_get() { curl -sf "$SF/__admin/dump/$1" | jq -r --arg id "$2" ".[] | select(.Id == \$id) | .$3 // \"\""; }
hs_get() { curl -sf "$HS/__admin/dump/$1" | jq -r --arg id "$2" ".[] | select(.id == \$id) | .properties.$3 // \"\""; }
hs_new() { curl -sf -X POST -H 'Content-Type: application/json' -d "{\"properties\":$2}" \
	"$HS/__admin/records/$1" | jq -r .id; }
sf_new() { curl -sf -X POST -H 'Content-Type: application/json' -d "$2" "$SF/__admin/records/$1" | jq -r '.Id // .id'; }
sf_edit() { curl -sf -X PATCH -H 'Content-Type: application/json' -d "$3" "$SF/__admin/records/$1/$2" > /dev/null ||
	fail "cannot edit Salesforce $1 $2"; }
hs_edit() { curl -sf -X PATCH -H 'Content-Type: application/json' -d "{\"properties\":$3}" \
	"$HS/__admin/records/$1/$2" > /dev/null || fail "cannot edit HubSpot $1 $2"; }
# associate FROM_TYPE FROM_ID TO_TYPE TO_ID (HubSpot's default type), as a user would
associate() { curl -sf -X PUT -H "Authorization: Bearer $TOKEN" \
	"$HS/crm/v4/objects/$1/$2/associations/default/$3/$4" > /dev/null || fail "cannot associate $1 $2 with $3 $4"; }
assocs() { curl -sf -H "Authorization: Bearer $TOKEN" "$HS/crm/v4/objects/$1/$2/associations/$3" |
	jq -r '[.results[].toObjectId | tostring] | sort | join(" ")'; }
pairs_of() { sqlite3 "$WORK/state.db" "SELECT count(*) FROM idmap WHERE object = '$1' AND hs_id IS NOT NULL AND sf_id IS NOT NULL"; }

# --- the first sync: every object, in dependency order ---------------------
cycle first
for o in company contact deal activity; do
	[ "$(last_of $o status)" = ok ] || fail "object $o: $(last_of $o status) after the first sync"
	[ "$(pairs_of $o)" -gt 0 ] || fail "object $o: no pairs after the first sync"
done
grep -n "object company: [a-z]*: read" "$WORK/crmsyncd.log" | head -1 | cut -d: -f1 > "$WORK/l.company"
grep -n "object contact: [a-z]*: read" "$WORK/crmsyncd.log" | head -1 | cut -d: -f1 > "$WORK/l.contact"
[ "$(cat "$WORK/l.company")" -lt "$(cat "$WORK/l.contact")" ] || fail "contacts ran before companies"
echo "first sync: companies $(pairs_of company), contacts $(pairs_of contact), deals $(pairs_of deal), tasks $(pairs_of activity)"

# deals are never de-duplicated: every Opportunity pairs with one deal, at most
dups=$(sqlite3 "$WORK/state.db" "SELECT count(*) FROM (SELECT sf_id FROM idmap WHERE object = 'deal'
	AND sf_id IS NOT NULL GROUP BY sf_id HAVING count(*) > 1)")
[ "$dups" -eq 0 ] || fail "$dups Opportunities paired twice"

# companies on both sides match through their contacts: no Account created
# for a company whose contacts' Contacts already have one
dup=$(sf_dump Account | jq 'def d: (.Website // "" | ascii_downcase | sub("^https?://";"") |
	sub("^www\\.";"") | sub("/.*$";"")); ([.[] | select(.CrmSync_Id__c == null) | d] | unique) as $orig |
	[.[] | select(.CrmSync_Id__c != null) | d | select(. != "" and (. as $x | $orig | index($x)))] | length')
[ "$dup" -eq 0 ] || fail "$dup Accounts created for companies Salesforce already had"

cycle settle
cycle "no echo"
for o in company contact deal activity; do
	[ "$(last_of $o written)" -eq 0 ] || fail "object $o wrote $(last_of $o written) records with nothing changed"
done

# --- child before parent, in one cycle: company, contact, task, deal ---------
C=$(hs_new companies '{"name":"Zeta Widgets","domain":"zeta-widgets.example","city":"Osaka"}')
P=$(hs_new contacts '{"email":"kenji.zeta@zeta-widgets.example","firstname":"Kenji","lastname":"Zeta"}')
T=$(hs_new tasks "{\"hs_timestamp\":\"$(date -u +%Y-%m-%dT%H:%M:%S.000Z)\",\"hs_task_subject\":\"Call Kenji\",\"hs_task_status\":\"NOT_STARTED\"}")
D=$(hs_new deals '{"dealname":"Zeta rollout","amount":"12000","pipeline":"default","dealstage":"appointmentscheduled","closedate":"2030-01-15T00:00:00.000Z"}')
R=$(hs_new contacts '{"email":"rin.zeta@zeta-widgets.example","firstname":"Rin","lastname":"Zeta"}')
associate contacts "$P" companies "$C"
associate contacts "$R" companies "$C"
associate tasks "$T" contacts "$P"
associate deals "$D" contacts "$P"
associate deals "$D" companies "$C"
cycle "children and parents together"
acc=$(pair_sf company "$C")
con=$(pair_sf contact "$P")
task=$(pair_sf activity "$T")
opp=$(pair_sf deal "$D")
[ -n "$acc" ] && [ -n "$con" ] && [ -n "$task" ] && [ -n "$opp" ] ||
	fail "not every new record synced: account '$acc' contact '$con' task '$task' opportunity '$opp'"
[ "$(sf_get Contact "$con" AccountId)" = "$acc" ] || fail "Contact.AccountId is '$(sf_get Contact "$con" AccountId)', not $acc"
[ "$(sf_get Task "$task" WhoId)" = "$con" ] || fail "Task.WhoId is '$(sf_get Task "$task" WhoId)', not $con"
[ "$(sf_get Opportunity "$opp" AccountId)" = "$acc" ] || fail "Opportunity.AccountId is not $acc"
[ "$(sf_get Opportunity "$opp" StageName)" = "Prospecting" ] || fail "StageName is '$(sf_get Opportunity "$opp" StageName)'"
roles=$(curl -sf "$SF/__admin/dump/OpportunityContactRole" | jq --arg o "$opp" --arg c "$con" \
	'[.[] | select(.OpportunityId == $o and .ContactId == $c and (.IsDeleted // false) == false)] | length')
[ "$roles" -eq 1 ] || fail "$roles contact roles for the new deal's contact"
echo "one cycle: Account $acc, Contact $con (AccountId ok), Task $task (WhoId ok), Opportunity $opp (role ok)"

# --- a record whose partner has not synced waits, listed on the partner's error
BAD=$(hs_new companies '{"name":"Atlantis Corp","domain":"atlantis.example","country":"United States","state":"Atlantis"}')
D2=$(hs_new deals '{"dealname":"Waits for its company","pipeline":"default","dealstage":"appointmentscheduled","closedate":"2030-01-15T00:00:00.000Z"}')
associate deals "$D2" companies "$BAD"
cycle "a deal waits for its company"
[ -z "$(pair_sf deal "$D2")" ] || fail "the deal synced before its company"
[ "$(sqlite3 "$WORK/state.db" "SELECT type FROM sync_error WHERE object = 'deal' AND hs_id = '$D2'
	AND code = 'PARTNER_NOT_SYNCED'")" = association ] || fail "the waiting deal is not an association error"
held=$(sqlite3 "$WORK/state.db" "SELECT count(*) FROM sync_error_affected a JOIN sync_error e ON e.id = a.error_id
	WHERE e.object = 'company' AND e.hs_id = '$BAD' AND a.record_id = '$D2'")
[ "$held" -ge 1 ] || fail "the company's error does not list the deal it holds back"
hs_edit companies "$BAD" '{"state":"California"}'
cycle "its company fixed"
[ -n "$(pair_sf company "$BAD")" ] || fail "the fixed company did not sync"
[ -n "$(pair_sf deal "$D2")" ] || fail "the waiting deal did not sync once its company had"
[ "$(sf_get Opportunity "$(pair_sf deal "$D2")" AccountId)" = "$(pair_sf company "$BAD")" ] ||
	fail "the deal that waited has no AccountId"
[ "$(sqlite3 "$WORK/state.db" "SELECT count(*) FROM sync_error WHERE object = 'deal' AND hs_id = '$D2'")" = 0 ] ||
	fail "the deal's association error is still current after it synced"
echo "waiting: the deal held back for its company is listed on the company's error and syncs after it"

# the role reaches the contact's lifecycle stage on the next cycle
cycle "lifecycle from the role"
[ "$(hs_get contacts "$P" lifecyclestage)" = opportunity ] ||
	fail "a contact with a role on an open Opportunity is '$(hs_get contacts "$P" lifecyclestage)'"

# --- stage moves ---------------------------------------------------------------
sf_edit Opportunity "$opp" '{"StageName":"Closed Won"}'
cycle "Closed Won"
cycle "Closed Won, settled"
[ "$(hs_get deals "$D" dealstage)" = closedwon ] || fail "the deal's stage is '$(hs_get deals "$D" dealstage)'"
[ "$(hs_get contacts "$P" lifecyclestage)" = customer ] ||
	fail "Closed Won did not make the contact a customer: '$(hs_get contacts "$P" lifecyclestage)'"
[ "$(hs_get contacts "$R" lifecyclestage)" = customer ] ||
	fail "company lifecycle sync: another contact of the company is '$(hs_get contacts "$R" lifecyclestage)'"
sf_edit Opportunity "$opp" '{"StageName":"Qualification"}'
cycle "back to open"
cycle "back to open, settled"
[ "$(hs_get deals "$D" dealstage)" = qualifiedtobuy ] || fail "the deal's stage is '$(hs_get deals "$D" dealstage)'"
[ "$(hs_get contacts "$P" lifecyclestage)" = customer ] ||
	fail "a move back to an open stage demoted the contact to '$(hs_get contacts "$P" lifecyclestage)'"
[ "$(hs_get contacts "$R" lifecyclestage)" = customer ] ||
	fail "a move back to an open stage demoted the company's other contact"
hs_edit deals "$D" '{"dealstage":"contractsent"}'
cycle "HubSpot stage move"
[ "$(sf_get Opportunity "$opp" StageName)" = "Proposal/Price Quote" ] ||
	fail "a HubSpot stage move gave StageName '$(sf_get Opportunity "$opp" StageName)'"
echo "stages: Closed Won -> customer, back to open keeps customer, HubSpot moves reach Salesforce"

# --- Salesforce -> HubSpot: an Account, its Contact, an Opportunity and a role --
A2=$(sf_new Account '{"Name":"Omega Trading Ltd","Website":"https://omega-trading.example","Phone":"+81 3 1234 5678"}')
C2=$(sf_new Contact "{\"LastName\":\"Sato\",\"FirstName\":\"Aiko\",\"Email\":\"aiko.sato@omega-trading.example\",\"AccountId\":\"$A2\"}")
O2=$(sf_new Opportunity "{\"Name\":\"Omega pilot\",\"StageName\":\"Qualification\",\"CloseDate\":\"2030-03-01\",\"AccountId\":\"$A2\",\"Amount\":5000}")
sf_new OpportunityContactRole "{\"OpportunityId\":\"$O2\",\"ContactId\":\"$C2\",\"Role\":\"Decision Maker\"}" > /dev/null
cycle "Salesforce creates"
cycle "Salesforce creates, roles"
hc=$(pair_hs company "$A2")
hp=$(pair_hs contact "$C2")
hd=$(pair_hs deal "$O2")
[ -n "$hc" ] && [ -n "$hp" ] && [ -n "$hd" ] || fail "Salesforce creates did not sync: company '$hc' contact '$hp' deal '$hd'"
[ "$(hs_get companies "$hc" name)" = "Omega Trading Ltd" ] || fail "the new company is named '$(hs_get companies "$hc" name)'"
assocs contacts "$hp" companies | grep -qw "$hc" || fail "contact $hp is not associated with company $hc"
assocs deals "$hd" companies | grep -qw "$hc" || fail "deal $hd is not associated with company $hc"
assocs deals "$hd" contacts | grep -qw "$hp" || fail "the contact role did not become a deal -> contact association"
[ "$(hs_get deals "$hd" dealstage)" = qualifiedtobuy ] || fail "the new deal's stage is '$(hs_get deals "$hd" dealstage)'"

# a Task made in Salesforce becomes a HubSpot task associated with the contact
T2=$(sf_new Task "{\"Subject\":\"Send the quote\",\"WhoId\":\"$con\",\"Status\":\"Not Started\",\"Priority\":\"High\",\"ActivityDate\":\"2030-02-01\"}")
cycle "Salesforce task"
ht=$(pair_hs activity "$T2")
[ -n "$ht" ] || fail "the Salesforce Task did not become a HubSpot task"
[ "$(hs_get tasks "$ht" hs_task_subject)" = "Send the quote" ] || fail "the HubSpot task's subject is '$(hs_get tasks "$ht" hs_task_subject)'"
assocs tasks "$ht" contacts | grep -qw "$P" || fail "the HubSpot task is not associated with contact $P"

# --- updates both ways ----------------------------------------------------------
sf_edit Account "$acc" '{"Phone":"+81 6 5555 0000"}'
sf_edit Opportunity "$opp" '{"Amount":15500}'
cycle "Salesforce updates"
[ "$(hs_get companies "$C" phone)" = "+81 6 5555 0000" ] || fail "Account phone did not reach HubSpot"
[ "$(hs_get deals "$D" amount)" = 15500 ] || fail "Opportunity amount did not reach HubSpot: '$(hs_get deals "$D" amount)'"
hs_edit tasks "$T" '{"hs_task_status":"COMPLETED"}'
cycle "HubSpot task update"
[ "$(sf_get Task "$task" Status)" = Completed ] || fail "task status did not reach Salesforce"
cycle "settle"

# --- the association limit is recognised -------------------------------------
curl -sf -X POST -H 'Content-Type: application/json' -d '{"assoc_limit":1}' "$HS/__admin/config" > /dev/null ||
	fail "cannot set the association limit"
O3=$(sf_new Opportunity "{\"Name\":\"Zeta expansion\",\"StageName\":\"Prospecting\",\"CloseDate\":\"2030-06-01\",\"AccountId\":\"$acc\"}")
cycle "association limit"
[ -n "$(pair_hs deal "$O3")" ] || fail "the Opportunity did not sync"
lim=$(sqlite3 "$WORK/state.db" "SELECT type || ' ' || retry FROM sync_error WHERE object = 'deal'
	AND (sf_id = '$O3' OR hs_id = '$(pair_hs deal "$O3")') AND message LIKE '%limit%'")
[ "$lim" = "association 0" ] || fail "the association limit was not an association error never retried: '$lim'"
sf_edit Opportunity "$O3" '{"NextStep":"call back"}'
cycle "after the association limit"
[ "$(sf_get Opportunity "$O3" AccountId)" = "$acc" ] || fail "the refused association cleared Opportunity.AccountId"
curl -sf -X POST -H 'Content-Type: application/json' -d '{"assoc_limit":1000}' "$HS/__admin/config" > /dev/null
echo "association limit: recorded as an association error"

# --- company off: nothing of it is read or written ---------------------------
write_config "create_as = contact
[object company]
enabled = no
[object deal]
[object activity]
history = yes"
C3=$(hs_new companies '{"name":"Kappa Labs","domain":"kappa-labs.example"}')
sf_edit Account "$acc" '{"Description":"edited while companies are off"}'
# a contact moves to a new company on both sides while companies are off:
# once on again, the two match through that contact, never by domain
q=$(sqlite3 "$WORK/state.db" "SELECT hs_id || ' ' || sf_id FROM idmap WHERE object = 'contact' AND
	sf_type = 'Contact' AND hs_id IS NOT NULL AND sf_id IS NOT NULL AND hs_id <> '$P' ORDER BY id LIMIT 1")
QH=${q% *}
QS=${q#* }
associate contacts "$QH" companies "$C3"
A3=$(sf_new Account '{"Name":"Kappa Laboratories KK","Website":"https://kappa-labs.example"}')
sf_edit Contact "$QS" "{\"AccountId\":\"$A3\"}"
accounts=$(sf_dump Account | md5sum)
companies=$(curl -sf "$HS/__admin/dump/companies" | md5sum)
: > "$WORK/crmsyncd.log"
cycle "company off"
[ "$(sf_dump Account | md5sum)" = "$accounts" ] || fail "an Account was written with the company object off"
[ "$(curl -sf "$HS/__admin/dump/companies" | md5sum)" = "$companies" ] || fail "a company was written with the company object off"
[ -z "$(pair_sf company "$C3")" ] || fail "a company synced with the company object off"
! grep -q "object company: [a-z]*: read" "$WORK/crmsyncd.log" || fail "the company object ran while off"
grep -q "object contact: ok" "$WORK/crmsyncd.log" || fail "contacts did not sync with companies off"

# --- on again: it catches up ---------------------------------------------------
write_config "$OBJECTS"
cycle "company on again"
[ "$(pair_sf company "$C3")" = "$A3" ] ||
	fail "company $C3 did not match Account $A3 through its contact: paired with '$(pair_sf company "$C3")'"
n=$(sf_dump Account | jq '[.[] | select(.Website == "https://kappa-labs.example" or .Website == "kappa-labs.example")] | length')
[ "$n" -eq 1 ] || fail "$n Accounts for kappa-labs.example: a duplicate was created"
[ "$(hs_get companies "$C3" name)" = "Kappa Laboratories KK" ] || fail "the matched company did not take the Account's name"
[ "$(hs_get companies "$C" description)" = "edited while companies are off" ] ||
	fail "the Account edit made while off did not reach HubSpot"
echo "company off: no Account or company touched; on again: caught up"

# --- the opt-in domain matcher reports ambiguity instead of guessing ---------
write_config "$(echo "$OBJECTS" | sed 's/^\[object company\]$/[object company]\nmatch_by_domain = yes/')"
X1=$(sf_new Account '{"Name":"Twin Peaks One","Website":"https://www.twin-peaks.example"}')
X2=$(sf_new Account '{"Name":"Twin Peaks Two","Website":"twin-peaks.example/about"}')
HX=$(hs_new companies '{"name":"Twin Peaks","domain":"twin-peaks.example"}')
HY=$(hs_new companies '{"name":"Solo Works","domain":"solo-works.example"}')
Y1=$(sf_new Account '{"Name":"Solo Works Inc.","Website":"http://solo-works.example"}')
cycle "domain matcher"
[ -z "$(pair_sf company "$HX")" ] || fail "an ambiguous domain was matched (or created) for company $HX"
[ -z "$(pair_hs company "$X1")" ] && [ -z "$(pair_hs company "$X2")" ] || fail "an Account sharing a domain was paired"
[ "$(pair_sf company "$HY")" = "$Y1" ] || fail "the unambiguous domain did not match: '$(pair_sf company "$HY")'"
amb=$(grep 'object company: ok' "$WORK/crmsyncd.log" | tail -1 | sed -n 's/.*ambiguous \([0-9]*\).*/\1/p')
[ "${amb:-0}" -ge 3 ] || fail "the ambiguous company and Accounts were not reported: '$amb'"
n=$(sf_dump Account | jq '[.[] | select((.Website // "") | test("twin-peaks"))] | length')
[ "$n" -eq 2 ] || fail "$n Accounts for twin-peaks.example: something was created"
echo "domain matcher: an ambiguous domain is reported, not guessed; a unique one matches"
