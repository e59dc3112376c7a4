#!/bin/sh
# test_connect.sh - issue 7, connections: `crmsync connect` against
# crmsync-sim with the test playing the browser (it follows the authorize
# URL and delivers the redirect to crmsync's loopback listener), from no
# credentials at all to a sandbox user; switching to another org (refused
# without --new-org); a user lacking edit access to a mapped field
# (refused, listed); another user of the same org (id map kept); refresh
# token rotation; a revoked refresh token (the sync stops, the token
# endpoint sees exactly one attempt); the JWT bearer flow; credentials
# 0600 and no token in any log or output.
. "$(dirname "$0")/lib.sh"

CRMSYNC="$B/crmsync"
# under bash (make check's shell), name the command that set -e stopped on
if [ -n "${BASH_VERSION:-}" ]; then
	trap 'echo "FAIL: line $LINENO: a command exited $?" >&2' ERR
fi
ALL="$WORK/all-output.log"
: > "$ALL"

start_sim --records 60
# from nothing: no credentials files
rm -f "$WORK/sf.json" "$WORK/hs.json"
CID=$(jq -r .salesforce.client_id "$WORK/ready")
(umask 077; jq -r .salesforce.client_secret "$WORK/ready" > "$WORK/consumer-secret")
SANDBOX_URL=$(jq -r .salesforce.sandbox_login_url "$WORK/ready")
# the simulator's sandbox is the "My Domain" of test.salesforce.com here
# a notifier whose syslog socket is missing: what it was told stays queued
# in the state (notify.pending.ops), where the test counts it
write_config "
[notifier ops]
plugin = syslog
socket = $WORK/no-syslog" "sandbox_login_url = $SANDBOX_URL"

# sf_connect USERNAME EXPECTED_EXIT [connect salesforce options...]
sf_connect() {
	user=$1 want=$2
	shift 2
	curl -sf -m 10 -X POST "$SF/__admin/auth" -d "{\"approve_user\": \"$user\"}" > /dev/null ||
		fail "the simulator does not answer /__admin/auth"
	# no output of an earlier run may be taken for this one's
	rm -f "$WORK/connect.out" "$WORK/connect.err"
	"$CRMSYNC" -c "$WORK/crmsync.conf" connect salesforce --client-id "$CID" \
		--client-secret-file "$WORK/consumer-secret" --port 0 --timeout 30 "$@" \
		< /dev/null > "$WORK/connect.out" 2> "$WORK/connect.err" &
	cpid=$!
	i=0
	until grep -q 'oauth2/authorize' "$WORK/connect.out" 2> /dev/null; do
		i=$((i + 1))
		[ $i -le 300 ] || { cat "$WORK/connect.out" "$WORK/connect.err" >&2; fail "no authorization URL printed"; }
		sleep 0.1
	done
	url=$(grep -o 'http://[^ ]*oauth2/authorize[^ ]*' "$WORK/connect.out")
	# the browser: the authorize page approves and redirects to the listener
	loc=$(curl -s -m 10 -o /dev/null -w '%{redirect_url}' "$url") || fail "cannot reach '$url'"
	case $loc in
	http://localhost:*/OauthRedirect\?*) ;;
	*) fail "the authorize endpoint redirected to '$loc', not the loopback listener" ;;
	esac
	curl -s -m 10 "$loc" > "$WORK/browser.html" || fail "the loopback listener did not answer"
	rc=0
	wait $cpid || rc=$?
	cat "$WORK/connect.out" "$WORK/connect.err" >> "$ALL"
	if [ "$rc" != "$want" ]; then
		sed 's/^/  out: /' "$WORK/connect.out" >&2
		sed 's/^/  err: /' "$WORK/connect.err" >&2
		fail "connect salesforce as $user exited $rc, not $want"
	fi
}

# sf_connect_paste USERNAME [options]: a server without a browser: nothing
# listens; the admin pastes the address the browser ended on
sf_connect_paste() {
	user=$1
	shift
	curl -sf -m 10 -X POST "$SF/__admin/auth" -d "{\"approve_user\": \"$user\"}" > /dev/null ||
		fail "the simulator does not answer /__admin/auth"
	rm -f "$WORK/paste" "$WORK/connect.out" "$WORK/connect.err"
	mkfifo "$WORK/paste"
	"$CRMSYNC" -c "$WORK/crmsync.conf" connect salesforce --client-id "$CID" \
		--client-secret-file "$WORK/consumer-secret" --no-listen --port 1717 --timeout 30 "$@" \
		< "$WORK/paste" > "$WORK/connect.out" 2> "$WORK/connect.err" &
	cpid=$!
	exec 3> "$WORK/paste"
	i=0
	until grep -q 'oauth2/authorize' "$WORK/connect.out" 2> /dev/null; do
		i=$((i + 1))
		[ $i -le 300 ] || { cat "$WORK/connect.out" "$WORK/connect.err" >&2; fail "no authorization URL printed"; }
		sleep 0.1
	done
	grep -q 'Paste the URL' "$WORK/connect.out" || fail "--no-listen does not ask for the pasted URL"
	url=$(grep -o 'http://[^ ]*oauth2/authorize[^ ]*' "$WORK/connect.out")
	loc=$(curl -s -m 10 -o /dev/null -w '%{redirect_url}' "$url") || fail "cannot reach '$url'"
	case $loc in
	http://localhost:1717/OauthRedirect\?code=*) ;;
	*) fail "the authorize endpoint redirected to '$loc'" ;;
	esac
	printf '%s\n' "$loc" >&3
	exec 3>&-
	rc=0
	wait $cpid || rc=$?
	cat "$WORK/connect.out" "$WORK/connect.err" >> "$ALL"
	[ "$rc" = 0 ] || { cat "$WORK/connect.out" "$WORK/connect.err" >&2; fail "the pasted connect exited $rc"; }
}

whoami() {
	"$CRMSYNC" -c "$WORK/crmsync.conf" whoami "$@" > "$WORK/whoami.out" 2>> "$ALL" || true
	cat "$WORK/whoami.out" >> "$ALL"
}

mode_of() { stat -c %a "$1"; }
kv() { sqlite3 "$WORK/state.db" "SELECT value FROM kv WHERE key = '$1'"; }
token_calls() {
	curl -sf "$SF/__admin/calls" | jq '.calls["POST /services/oauth2/token"] // 0'
}
pairs() { pairs_json | jq length; }

# ---- 1. from nothing: a sandbox user, then HubSpot -------------------------------------
sf_connect integration@crmsync-sim.example.sandbox 0 --sandbox
grep -q 'crmsync is connected' "$WORK/browser.html" || fail "the browser page does not say connected"
[ "$(mode_of "$WORK/sf.json")" = 600 ] || fail "sf.json has mode $(mode_of "$WORK/sf.json"), not 600"
[ "$(jq -r .environment "$WORK/sf.json")" = sandbox ] || fail "sf.json does not say sandbox"
jq -e '.refresh_token | startswith("5Aep861sim.")' "$WORK/sf.json" > /dev/null ||
	fail "no refresh token saved"

# a private-app token that HubSpot refuses is not saved
if echo "pat-na1-not-a-real-token" | "$CRMSYNC" -c "$WORK/crmsync.conf" connect hubspot \
	> "$WORK/hs.out" 2> "$WORK/hs.err"; then
	fail "a refused HubSpot token was accepted"
fi
cat "$WORK/hs.out" "$WORK/hs.err" >> "$ALL"
grep -q 'refused the token' "$WORK/hs.err" || fail "no refusal message for a bad HubSpot token"
[ ! -e "$WORK/hs.json" ] || fail "a refused HubSpot token was saved"
jq -r .hubspot.token "$WORK/ready" > "$WORK/pat"
chmod 600 "$WORK/pat"
"$CRMSYNC" -c "$WORK/crmsync.conf" connect hubspot --token-file "$WORK/pat" >> "$ALL" 2>&1 ||
	fail "connect hubspot failed"
[ "$(mode_of "$WORK/hs.json")" = 600 ] || fail "hs.json has mode $(mode_of "$WORK/hs.json"), not 600"

whoami
grep -q 'Sandbox Integration <integration@crmsync-sim.example.sandbox>' "$WORK/whoami.out" ||
	fail "whoami does not name the sandbox user"
grep -q "org id: *$(jq -r .salesforce.sandbox_org_id "$WORK/ready") (sandbox)" "$WORK/whoami.out" ||
	fail "whoami does not say sandbox with the sandbox org id"
grep -q 'portal id: *4410001' "$WORK/whoami.out" || fail "whoami does not name the HubSpot portal"
[ "$(grep -c 'token: *works' "$WORK/whoami.out")" = 2 ] || fail "whoami: both tokens should work"

sync_once || fail "the first sync with the new credentials failed"
[ "$(pairs)" -gt 0 ] || fail "the first sync paired nothing"
"$CRMSYNC" -c "$WORK/crmsync.conf" status > "$WORK/status.out"
head -1 "$WORK/status.out" | grep -q 'Salesforce integration user' || fail "status does not start with the user"
grep -q '(sandbox)' "$WORK/status.out" || fail "status does not say sandbox"
status_json | jq -e '.connections.salesforce.username == "integration@crmsync-sim.example.sandbox"
	and .connections.hubspot.portal_id == 4410001' > /dev/null || fail "status --json lacks connections"

# ---- 2. another org (production) is refused without --new-org ---------------------------
cp "$WORK/sf.json" "$WORK/sf.before"
sf_connect integration@crmsync-sim.example 1
grep -q 'refusing to switch' "$WORK/connect.err" || fail "no refusal for another org"
cmp -s "$WORK/sf.json" "$WORK/sf.before" || fail "a refused switch changed the credentials"
sf_connect integration@crmsync-sim.example 0 --login-url "$SF" --new-org
ls "$WORK"/state.db.org-* > /dev/null 2>&1 || fail "--new-org did not keep the old state aside"
[ "$(kv salesforce.org_id)" = "$(jq -r .salesforce.org_id "$WORK/ready")" ] ||
	fail "the fresh state does not record the production org"
whoami
grep -q "(production)" "$WORK/whoami.out" || fail "whoami does not say production"
sync_once || fail "the sync after --new-org failed"
N=$(pairs)
[ "$N" -gt 0 ] || fail "no pairs after the sync in the new org"
# the sandbox's credentials put back by hand: the daemon refuses to mix orgs
cp "$WORK/sf.json" "$WORK/sf.prod"
cp "$WORK/sf.before" "$WORK/sf.json"
if sync_once; then fail "synced another org's credentials into this state"; fi
grep -q "belong to org .* holds the id map of org" "$WORK/crmsyncd.log" ||
	fail "no message about credentials of another org"
[ "$(pairs)" = "$N" ] || fail "the id map changed with another org's credentials"
cp "$WORK/sf.prod" "$WORK/sf.json"

# ---- 3. a user of the same org lacking edit access to a mapped field ---------------------
cp "$WORK/sf.json" "$WORK/sf.before"
sf_connect limited@crmsync-sim.example 1 --login-url "$SF"
grep -q 'Contact.Title' "$WORK/connect.out" || fail "the missing edit access to Contact.Title is not listed"
grep -q 'Lead.Title' "$WORK/connect.out" || fail "the missing edit access to Lead.Title is not listed"
grep -q 'not switching' "$WORK/connect.err" || fail "no refusal for a user lacking access"
cmp -s "$WORK/sf.json" "$WORK/sf.before" || fail "a refused user switch changed the credentials"

# ---- 4. another user of the same org keeps the id map (connected by pasting) ---------------
sf_connect_paste second@crmsync-sim.example
[ "$(pairs)" = "$N" ] || fail "the id map changed on a same-org user switch ($N -> $(pairs))"
[ "$(jq -r .username "$WORK/sf.json")" = second@crmsync-sim.example ] || fail "sf.json not switched"
sync_once || fail "the sync as the second user failed"
[ "$(pairs)" -ge "$N" ] || fail "pairs were lost after the user switch"

# ---- 5. refresh-token rotation: each new token is saved and works -------------------------
curl -sf -X POST "$SF/__admin/auth" -d '{"rotate_refresh_tokens": true}' > /dev/null
RT0=$(jq -r .refresh_token "$WORK/sf.json")
sync_once || fail "sync with rotation on failed"
RT1=$(jq -r .refresh_token "$WORK/sf.json")
[ "$RT0" != "$RT1" ] || fail "the rotated refresh token was not saved"
[ "$(mode_of "$WORK/sf.json")" = 600 ] || fail "the rewritten sf.json is not 0600"
sync_once || fail "sync with the rotated refresh token failed"
[ "$(jq -r .refresh_token "$WORK/sf.json")" != "$RT1" ] || fail "the second rotation was not saved"
jq -e '.username == "second@crmsync-sim.example" and .client_id != null' "$WORK/sf.json" > /dev/null ||
	fail "saving a rotated token lost other members"

# two processes at once: one refresh at a time, both keep working
"$CRMSYNC" -c "$WORK/crmsync.conf" whoami > "$WORK/w1" 2>&1 &
p1=$!
"$CRMSYNC" -c "$WORK/crmsync.conf" whoami > "$WORK/w2" 2>&1 &
p2=$!
wait $p1 || { cat "$WORK/w1"; fail "concurrent whoami 1 failed"; }
wait $p2 || { cat "$WORK/w2"; fail "concurrent whoami 2 failed"; }
cat "$WORK/w1" "$WORK/w2" >> "$ALL"
sync_once || fail "sync after two concurrent refreshes failed (a rotated token was lost)"

# ---- 6. a revoked refresh token stops the sync, once ------------------------------------
curl -sf -X POST "$SF/__admin/auth" -d '{"revoke_user": "second@crmsync-sim.example"}' > /dev/null
curl -sf -X DELETE "$SF/__admin/calls" > /dev/null
: > "$WORK/crmsyncd.log"
for i in 1 2 3; do
	if sync_once; then fail "sync $i succeeded with a revoked refresh token"; fi
done
[ "$(token_calls)" = 1 ] || fail "the token endpoint saw $(token_calls) refresh attempts, not 1"
[ "$(grep -c "reconnect with 'crmsync connect salesforce'" "$WORK/crmsyncd.log")" -ge 1 ] ||
	fail "no reconnect message in the log"
kv salesforce.auth_revoked | grep -q invalid_grant || fail "the state does not record the refusal"
n=$(kv notify.pending.ops | grep -c "Salesforce refused its credentials; reconnect with 'crmsync connect salesforce'" || true)
[ "$n" = 1 ] || fail "the admin was notified $n times of the refused token, not once"
"$CRMSYNC" -c "$WORK/crmsync.conf" status > "$WORK/status.out"
grep -q "REFUSED since .*reconnect with 'crmsync connect salesforce'" "$WORK/status.out" ||
	fail "status does not show the refused token"
whoami
grep -q 'REFUSED' "$WORK/whoami.out" || fail "whoami does not show the refused token"
[ "$(token_calls)" = 1 ] || fail "whoami retried a refused token"
cat "$WORK/crmsyncd.log" >> "$ALL"

# reconnecting clears it and the sync runs again
sf_connect second@crmsync-sim.example 0 --login-url "$SF"
[ -z "$(kv salesforce.auth_revoked)" ] || fail "reconnecting did not clear the refusal"
sync_once || fail "sync after reconnecting failed"
n=$(kv notify.pending.ops | grep -c "Salesforce accepts its credentials again" || true)
[ "$n" = 1 ] || fail "the admin was told $n times that the sync resumed, not once"

# ---- 7. the JWT bearer flow ----------------------------------------------------------------
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/jwt.key" 2> /dev/null ||
	fail "openssl cannot make a key"
chmod 600 "$WORK/jwt.key"
openssl pkey -in "$WORK/jwt.key" -pubout -out "$WORK/jwt.pub" 2> /dev/null
jq -n --rawfile k "$WORK/jwt.pub" '{jwt_public_key: $k}' |
	curl -sf -X POST "$SF/__admin/auth" -d @- > /dev/null
"$CRMSYNC" -c "$WORK/crmsync.conf" connect salesforce --login-url "$SF" --client-id "$CID" \
	--jwt "$WORK/jwt.key" --user second@crmsync-sim.example > "$WORK/jwt.out" 2>&1 ||
	{ cat "$WORK/jwt.out"; fail "connect --jwt failed"; }
cat "$WORK/jwt.out" >> "$ALL"
jq -e '.jwt_key_file and (.refresh_token == null)' "$WORK/sf.json" > /dev/null || fail "sf.json is not a JWT one"
sync_once || fail "sync with the JWT bearer flow failed"
whoami
grep -q 'second@crmsync-sim.example' "$WORK/whoami.out" || fail "whoami after JWT"

# ---- 8. HubSpot: the OAuth install flow; a refused refresh token stops it, once -------------
(umask 077; jq -r .hubspot.client_secret "$WORK/ready" > "$WORK/hs-secret")
rm -f "$WORK/hso.out" "$WORK/hso.err"
"$CRMSYNC" -c "$WORK/crmsync.conf" connect hubspot --oauth --client-id "$(jq -r .hubspot.client_id "$WORK/ready")" \
	--client-secret-file "$WORK/hs-secret" --port 0 --timeout 30 < /dev/null > "$WORK/hso.out" 2> "$WORK/hso.err" &
cpid=$!
i=0
until grep -q 'oauth/authorize' "$WORK/hso.out" 2> /dev/null; do
	i=$((i + 1))
	[ $i -le 300 ] || { cat "$WORK/hso.out" "$WORK/hso.err" >&2; fail "no HubSpot authorization URL printed"; }
	sleep 0.1
done
url=$(grep -o 'http://[^ ]*oauth/authorize[^ ]*' "$WORK/hso.out")
loc=$(curl -s -m 10 -o /dev/null -w '%{redirect_url}' "$url") || fail "cannot reach '$url'"
curl -s -m 10 "$loc" > "$WORK/browser.html" || fail "the loopback listener did not answer"
wait $cpid || { cat "$WORK/hso.out" "$WORK/hso.err" >&2; fail "connect hubspot --oauth failed"; }
cat "$WORK/hso.out" "$WORK/hso.err" >> "$ALL"
jq -e '.refresh_token and .access_token == null and .portal_id == 4410001' "$WORK/hs.json" > /dev/null ||
	fail "hs.json is not an OAuth one"
[ "$(mode_of "$WORK/hs.json")" = 600 ] || fail "hs.json (OAuth) is not 0600"
sync_once || fail "sync with HubSpot OAuth failed"
curl -sf -X POST "$HS/__admin/config" -d '{"revoke_refresh_token": true}' > /dev/null
curl -sf -X DELETE "$HS/__admin/calls" > /dev/null
: > "$WORK/crmsyncd.log"
for i in 1 2 3; do
	if sync_once; then fail "sync $i succeeded with a refused HubSpot refresh token"; fi
done
n=$(curl -sf "$HS/__admin/calls" | jq '.calls["POST /oauth/v1/token"] // 0')
[ "$n" = 1 ] || fail "HubSpot's token endpoint saw $n refresh attempts, not 1"
kv hubspot.auth_revoked | grep -q BAD_REFRESH_TOKEN || fail "the state does not record HubSpot's refusal"
n=$(kv notify.pending.ops | grep -c "HubSpot refused its credentials" || true)
[ "$n" = 1 ] || fail "the admin was notified $n times of HubSpot's refused token, not once"
"$CRMSYNC" -c "$WORK/crmsync.conf" status > "$WORK/status.out"
grep -q "REFUSED since .*reconnect with 'crmsync connect hubspot'" "$WORK/status.out" ||
	fail "status does not show HubSpot's refused token"
cat "$WORK/crmsyncd.log" >> "$ALL"

# ---- 9. credentials written by hand (no user recorded in them): the state still knows
# whom it synced as, so a user lacking access is still refused ------------------------------
"$CRMSYNC" -c "$WORK/crmsync.conf" connect hubspot --token-file "$WORK/pat" >> "$ALL" 2>&1 ||
	fail "reconnecting HubSpot failed"
(umask 077; jq '{client_id: .salesforce.client_id, client_secret: .salesforce.client_secret,
	refresh_token: .salesforce.refresh_token}' "$WORK/ready" > "$WORK/sf.json")
sync_once || fail "sync with hand-written credentials failed"
sf_connect limited@crmsync-sim.example 1
grep -q 'Contact.Title' "$WORK/connect.out" || fail "hand-written credentials: Contact.Title not listed"
grep -q 'not switching' "$WORK/connect.err" || fail "hand-written credentials: the switch was not refused"

# ---- 10. a private-app token that HubSpot stops accepting: stopped, once ----------------------
curl -sf -X POST "$HS/__admin/config" -d '{"revoke_private_app_token": true}' > /dev/null
curl -sf -X DELETE "$HS/__admin/calls" > /dev/null
for i in 1 2 3; do
	if sync_once; then fail "sync $i succeeded with a refused private-app token"; fi
done
n=$(curl -sf "$HS/__admin/calls" | jq '[.calls | to_entries[] | select(.key | test("__admin") | not) | .value] | add // 0')
[ "$n" = 1 ] || fail "HubSpot got $n calls with a refused private-app token, not 1"
kv hubspot.auth_revoked | grep -q INVALID_AUTHENTICATION || fail "the refused private-app token is not recorded"
curl -sf -X POST "$HS/__admin/config" -d '{"revoke_private_app_token": false}' > /dev/null
"$CRMSYNC" -c "$WORK/crmsync.conf" connect hubspot --token-file "$WORK/pat" >> "$ALL" 2>&1 ||
	fail "reconnecting HubSpot failed"
sync_once || fail "sync after reconnecting HubSpot failed"
cat "$WORK/crmsyncd.log" >> "$ALL"

# ---- 11. no secret in any log line or output -------------------------------------------------
cat "$WORK/crmsyncd.log" "$WORK/sim.log" >> "$ALL"
for secret in "$(cat "$WORK/consumer-secret")" "$(cat "$WORK/pat")" "$RT0" "$RT1" \
	"$(cat "$WORK/hs-secret")" "$(jq -r .hubspot.refresh_token "$WORK/ready")" \
	"$(jq -r .salesforce.refresh_token "$WORK/ready")"; do
	if grep -qF -- "$secret" "$ALL"; then fail "a secret appears in the logs or output"; fi
done
if grep -qE '5Aep861sim\.|!AQ0AQsim|pat-na1-[0-9a-f]|aPrx[0-9a-f]{8}|COa[0-9a-f]{16}' "$ALL"; then
	grep -nE '5Aep861sim\.|!AQ0AQsim|pat-na1-[0-9a-f]|aPrx[0-9a-f]{8}|COa[0-9a-f]{16}' "$ALL" | head -3 >&2
	fail "a token or code appears in the logs or output"
fi
echo "ok: connect flows, user switches, rotation, revocation, JWT, HubSpot OAuth; no secret in $(wc -l < "$ALL") lines"
