# tests/integration/lib.sh - shared by the integration tests: start
# crmsync-sim on free ports, write credentials and a config for it, run
# crmsyncd, read both sides' data. Real processes over loopback only.
set -eu
: "${top_builddir:?run through make check}" "${top_srcdir:?run through make check}"
B=$top_builddir
S=$top_srcdir
WORK=$(mktemp -d /tmp/crmsync-it-XXXXXX)
SIM_PID=

cleanup() {
	if [ -n "$SIM_PID" ]; then
		kill "$SIM_PID" 2>/dev/null || true
		wait "$SIM_PID" 2>/dev/null || true
	fi
	if [ "${KEEP_WORK:-}" = 1 ]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT INT TERM

fail() {
	echo "FAIL: $*" >&2
	if [ -f "$WORK/crmsyncd.log" ]; then
		echo "--- last crmsyncd log lines:" >&2
		tail -20 "$WORK/crmsyncd.log" >&2
	fi
	exit 1
}

# start_sim [crmsync-sim options...]
start_sim() {
	rm -f "$WORK/ready"
	"$B/crmsync-sim" --salesforce-port 0 --hubspot-port 0 --schema "$S/etc/demo/sim-schema.json" \
		--hs-search-rate 0 --hs-burst-limit 0 "$@" > "$WORK/ready" 2> "$WORK/sim.log" &
	SIM_PID=$!
	i=0
	while [ ! -s "$WORK/ready" ]; do
		i=$((i + 1))
		[ $i -le 300 ] && kill -0 "$SIM_PID" 2>/dev/null || { cat "$WORK/sim.log" >&2; fail "crmsync-sim did not start"; }
		sleep 0.1
	done
	SF=$(jq -r .salesforce.base_url "$WORK/ready")
	HS=$(jq -r .hubspot.base_url "$WORK/ready")
	(umask 077
	 jq '{client_id: .salesforce.client_id, client_secret: .salesforce.client_secret,
	      refresh_token: .salesforce.refresh_token}' "$WORK/ready" > "$WORK/sf.json"
	 jq '{access_token: .hubspot.token}' "$WORK/ready" > "$WORK/hs.json")
	write_config ""
}

# write_config "EXTRA [object contact] LINES" ["EXTRA [salesforce] LINES"]
# (CORE_EXTRA: extra [core] lines, e.g. "batch_records = 100")
write_config() {
	cat > "$WORK/crmsync.conf" <<EOC
[core]
state = state.db
plugin_dir = $B/plugins/build
mappings_dir = $S/etc/mappings
log_level = info
${CORE_EXTRA:-}
[salesforce]
login_url = $SF
credentials = sf.json
${2:-}
[hubspot]
base_url = $HS
credentials = hs.json
[object contact]
state_country_picklists = enabled
$1
[resolver association]
[resolver custom_code]
[resolver duplicate]
[resolver permission]
[resolver picklist]
[resolver property_mapping]
[resolver property_value]
[resolver other]
EOC
}

# sync_once: one cycle; its exit status
sync_once() {
	"$B/crmsyncd" -c "$WORK/crmsync.conf" --once 2>> "$WORK/crmsyncd.log"
}

status_json() {
	"$B/crmsync" -c "$WORK/crmsync.conf" status --json
}

# the last cycle's figure (read, written, failed) for the contact object
last() {
	status_json | jq ".objects[] | select(.object == \"contact\") | .$1"
}

sf_dump() { curl -sf "$SF/__admin/dump/$1"; }
hs_dump() { curl -sf "$HS/__admin/dump/contacts"; }

# counts: live Leads, Contacts and HubSpot contacts
counts() {
	printf '%s %s %s\n' \
		"$(sf_dump Lead | jq '[.[] | select((.IsDeleted // false) == false)] | length')" \
		"$(sf_dump Contact | jq '[.[] | select((.IsDeleted // false) == false)] | length')" \
		"$(hs_dump | jq '[.[] | select(.archived == false)] | length')"
}

# converge [N]: run cycles (at most N, default 6) until one finishes and
# writes nothing; fails the test when none does
converge() {
	for i in $(seq 1 "${1:-6}"); do
		if sync_once && [ "$(last written)" -eq 0 ]; then
			return 0
		fi
	done
	fail "no convergence after ${1:-6} cycles"
}

# Write calls the services received since the counters were reset.
write_calls() {
	{ curl -sf "$SF/__admin/calls"; curl -sf "$HS/__admin/calls"; } |
		jq -s '[.[].calls | to_entries[] | select(.key | test("^(POST|PATCH|PUT|DELETE)")) |
			select(.key | test("oauth|token|/search|batch/read|/query|^POST /composite$") | not) | .value] | add // 0'
}
reset_calls() {
	curl -sf -X DELETE "$SF/__admin/calls" > /dev/null
	curl -sf -X DELETE "$HS/__admin/calls" > /dev/null
}

# pairs: the id map as JSON [{hs_id, sf_id}]
pairs_json() {
	sqlite3 -json "$WORK/state.db" \
		"SELECT hs_id, sf_type, sf_id FROM idmap WHERE hs_id IS NOT NULL AND sf_id IS NOT NULL" |
		sed 's/^$/[]/'
}
errored_json() {
	sqlite3 -json "$WORK/state.db" "SELECT hs_id, sf_id FROM sync_error" | sed 's/^$/[]/'
}

# mismatches: pairs without a sync error whose mapped names, email, phone or
# title differ between the sides; prints the count, and the first few on stderr
mismatches() {
	pairs_json > "$WORK/pairs.json"
	errored_json > "$WORK/errored.json"
	hs_dump > "$WORK/hs.dump"
	{ sf_dump Lead; sf_dump Contact; } | jq -s 'add' > "$WORK/sf.dump"
	jq -n --slurpfile p "$WORK/pairs.json" --slurpfile e "$WORK/errored.json" \
	      --slurpfile h "$WORK/hs.dump" --slurpfile s "$WORK/sf.dump" '
		def norm: if . == null then "" else tostring end;
		($h[0] | map({key: .id, value: .properties}) | from_entries) as $hs |
		($s[0] | map({key: .Id, value: .}) | from_entries) as $sf |
		([$e[0][] | .hs_id, .sf_id] | map(select(. != null)) | map({key: ., value: 1}) | from_entries) as $bad |
		[$p[0][] | select(($bad[.hs_id] // $bad[.sf_id]) == null) |
		 . as $pair | $hs[$pair.hs_id] as $a | $sf[$pair.sf_id] as $b |
		 select($a != null and $b != null and ($b.IsDeleted // false) == false) |
		 [ (($a.email | norm | ascii_downcase) == ($b.Email | norm | ascii_downcase)),
		   (($a.firstname | norm) == ($b.FirstName | norm)),
		   (($a.lastname | norm) == ($b.LastName | norm)),
		   (($a.phone | norm) == ($b.Phone | norm)),
		   (($a.jobtitle | norm) == ($b.Title | norm)) ] as $ok |
		 select($ok | all | not) |
		 {hs: $pair.hs_id, sf: $pair.sf_id, email: [$a.email, $b.Email],
		  first: [$a.firstname, $b.FirstName], last: [$a.lastname, $b.LastName],
		  phone: [$a.phone, $b.Phone], title: [$a.jobtitle, $b.Title]}]' > "$WORK/mismatch.json"
	n=$(jq length "$WORK/mismatch.json")
	[ "$n" -eq 0 ] || jq -c '.[:3][]' "$WORK/mismatch.json" >&2
	echo "$n"
}

# duplicates: Salesforce Leads/Contacts (live) and HubSpot contacts carrying
# the same crmsync external id twice: what a replayed create would make
dup_ext_ids() {
	{ sf_dump Lead; sf_dump Contact; } | jq -s 'add | map(select((.IsDeleted // false) == false) |
		.CrmSync_Id__c | select(. != null)) | group_by(.) | map(select(length > 1)) | length'
}

# a digest of both sides' data: any write changes it
data_digest() {
	{ hs_dump; sf_dump Lead; sf_dump Contact; } | md5sum | cut -d' ' -f1
}
