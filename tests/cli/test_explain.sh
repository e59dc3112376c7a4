#!/bin/sh
# `crmsync explain [OBJECT]`: "how it works" from the live config, for the
# shipped object plugins: direction by field rule, frequency and order,
# matching and de-duplication, links and the plugins' own rules; an object
# switched off says so; the Leads + auto-created companies warning; a
# single object; an unknown object and extra arguments are refused.
. "$top_srcdir/tests/cli/lib.sh"
CRMSYNC_PLUGIN_DIR="$top_builddir/plugins/build"
export CRMSYNC_PLUGIN_DIR

cat > "$T/crmsync.conf" <<INI
[core]
state = state.db
interval = 90s
mappings_dir = $top_srcdir/etc/mappings
[salesforce]
credentials = sf.json
[hubspot]
credentials = hs.json
[object contact]
create_as = lead
hubspot_creates_companies = yes
[object company]
match_by_domain = yes
[object deal]
[object activity]
[object meetings]
plugin = activity
engagement = meetings
[object notes]
plugin = activity
engagement = notes
enabled = no
INI

run 0 "$CRMSYNC" -c "$T/crmsync.conf" explain
has "$T/out" "object company (plugin company"
has "$T/out" "HubSpot companies <-> Salesforce Account"
has "$T/out" "runs 1st in each cycle, every 90 s"
has "$T/out" "object contact (plugin contact"
has "$T/out" "runs 2nd in each cycle"
has "$T/out" "two-way, the newest change wins, clearing propagates:"
has "$T/out" "direction: both ways"
has "$T/out" "HubSpot 'email' = Salesforce 'Email'"
has "$T/out" "Contact.AccountId <-> HubSpot association with companies (object 'company')"
has "$T/out" "never by content"
has "$T/out" "deals are never de-duplicated by content"
has "$T/out" "OpportunityContactRole rows"
has "$T/out" "HubSpot meetings <-> Salesforce Event"
has "$T/out" "activity-meetings.yaml"
has "$T/out" "HubSpot -> Salesforce only:"
has "$T/out" "direction: HubSpot -> Salesforce"
has "$T/out" "WhoId <-> HubSpot association with contacts"
has "$T/out" "Only engagements created or changed after the section was first turned on"
has "$T/out" "reported as ambiguous and nothing is created"
has "$T/out" "object notes: off (enabled = no): nothing of it is read or written"
has "$T/out" "warning: [object contact] creates contacts as Salesforce Leads while HubSpot auto-creates companies"

run 0 "$CRMSYNC" -c "$T/crmsync.conf" explain deal
has "$T/out" "object deal (plugin deal"
lacks "$T/out" "object company (plugin"
lacks "$T/out" "warning:"

# turning company off: explain says so, and links to it are off
sed 's/^\[object company\]$/[object company]\nenabled = no/' "$T/crmsync.conf" > "$T/off.conf"
run 0 "$CRMSYNC" -c "$T/off.conf" explain
has "$T/out" "object company: off (enabled = no)"
has "$T/out" "[off: that object is not enabled]"

run 1 "$CRMSYNC" -c "$T/crmsync.conf" explain nosuch
has "$T/err" "no object 'nosuch'"
run 2 "$CRMSYNC" -c "$T/crmsync.conf" explain deal extra
has "$T/err" "usage: crmsync explain [OBJECT]"
exit $failed
