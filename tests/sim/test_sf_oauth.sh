#!/bin/sh
# crmsync-sim Salesforce side, issue 7: users and orgs, the authorize
# endpoint with PKCE, the code grant (single use, verifier and redirect URI
# checked), the identity URL, sessions bound to their org (production vs
# the sandbox under /sandbox), describe and writes per user, refresh-token
# rotation and revocation, the JWT bearer grant. Needs curl, jq, openssl.
. "${top_srcdir:-.}/tests/sim/sf_testlib.sh"
command -v openssl >/dev/null || { echo "SKIP: openssl not installed"; exit 77; }

sf_start --seed 3 --records 40
ORG=$(echo "$READY" | jq -r .salesforce.org_id)
SORG=$(echo "$READY" | jq -r .salesforce.sandbox_org_id)
SBX=$(echo "$READY" | jq -r .salesforce.sandbox_login_url)
expect "sandbox login URL" "$B/sandbox" "$SBX"
[ "$ORG" != "$SORG" ]; expect "two org ids" 0 $?

REDIR="http://127.0.0.1:9/cb"
VER=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG
CH=$(printf %s "$VER" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=')

# authorize LOGIN_URL -> $LOC (the redirect), $CODE
authorize() {
	LOC=$(curl -s -o /dev/null -w '%{redirect_url}' \
		"$1/services/oauth2/authorize?response_type=code&client_id=$CID&redirect_uri=$(printf %s "$REDIR" | jq -sRr @uri)&code_challenge=$CH&code_challenge_method=S256&state=st1")
	CODE=$(printf %s "$LOC" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
}
# grant LOGIN_URL FORM -> $STATUS, $BODY
grant() {
	STATUS=$(curl -s -o "$TMPD/body" -w '%{http_code}' -X POST "$1/services/oauth2/token" -d "$2")
	BODY=$(cat "$TMPD/body")
}

# ---- the authorize endpoint ----------------------------------------------
sf_admin POST auth '{"approve_user": "second@crmsync-sim.example"}'
expect "approve_user set" second@crmsync-sim.example "$(jqb .approve_user)"
expect "four users by default" 4 "$(jqb '.users | length')"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' \
	"$B/services/oauth2/authorize?response_type=code&client_id=nope&redirect_uri=$REDIR")
expect "unknown client" 400 "$STATUS"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' \
	"$B/services/oauth2/authorize?response_type=code&client_id=$CID&redirect_uri=https://evil.example/cb")
expect "redirect URI not registered" 400 "$STATUS"
authorize "$SBX"
expect "a production user at the sandbox login host" "access_denied" \
	"$(printf %s "$LOC" | sed -n 's/.*error=\([^&]*\).*/\1/p')"
authorize "$B"
case $LOC in "$REDIR?code="*"&state=st1") r=0 ;; *) r=1 ;; esac
expect "redirect with code and state ($LOC)" 0 $r

# ---- the code grant ----------------------------------------------------------
grant "$B" "grant_type=authorization_code&code=$CODE&client_id=$CID&redirect_uri=$REDIR&code_verifier=wrong-verifier-wrong-verifier-wrong-verifier"
expect "wrong verifier" "400 invalid_grant" "$STATUS $(jqb .error)"
grant "$B" "grant_type=authorization_code&code=$CODE&client_id=$CID&redirect_uri=$REDIR&code_verifier=$VER"
expect "a code is used once, even after a failure" "400 invalid_grant" "$STATUS $(jqb .error)"
authorize "$B"
grant "$B" "grant_type=authorization_code&code=$CODE&client_id=$CID&redirect_uri=http://127.0.0.1:9/other&code_verifier=$VER"
expect "another redirect URI" "400 redirect_uri_mismatch" "$STATUS $(jqb .error)"
authorize "$B"
grant "$B" "grant_type=authorization_code&code=$CODE&client_id=$CID&client_secret=$CSEC&redirect_uri=$REDIR&code_verifier=$VER"
expect "code grant" 200 "$STATUS"
expect "code grant fields" "Bearer $B true true true" \
	"$(jqb '[.token_type, .instance_url, (.refresh_token | startswith("5Aep861sim.")), (.issued_at | test("^[0-9]{13}$")), (.id | test("/id/00D.{15}/005.{15}$"))] | join(" ")')"
AT2=$(jqb .access_token)
RT2=$(jqb .refresh_token)
IDURL=$(jqb .id)
SIG=$(jqb .signature)
MAC=$(printf %s "$IDURL$(jqb .issued_at)" | openssl dgst -sha256 -hmac "$CSEC" -binary | base64)
expect "signature = HMAC-SHA256(secret, id + issued_at)" "$MAC" "$SIG"

# ---- the identity URL --------------------------------------------------------
BODY=$(curl -s -H "Authorization: Bearer $AT2" "$IDURL")
expect "identity" "second@crmsync-sim.example $ORG Second Integration" \
	"$(jqb '[.username, .organization_id, .display_name] | join(" ")')"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" "$IDURL")
expect "another user's identity URL" 403 "$STATUS"

# ---- sessions are bound to their org -------------------------------------------
sf_admin POST auth '{"approve_user": "integration@crmsync-sim.example.sandbox"}'
authorize "$SBX"
grant "$SBX" "grant_type=authorization_code&code=$CODE&client_id=$CID&redirect_uri=$REDIR&code_verifier=$VER"
expect "sandbox code grant" "200 $B/sandbox" "$STATUS $(jqb .instance_url)"
SAT=$(jqb .access_token)
SRT=$(jqb .refresh_token)
expect "sandbox identity URL host" "$B/sandbox/id/$SORG/" "$(jqb .id | sed 's|[^/]*$||')"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $SAT" "$B/sandbox/services/data/v59.0/limits")
expect "sandbox token on the sandbox instance" 200 "$STATUS"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $SAT" "$V/limits")
expect "sandbox token on the production instance" 401 "$STATUS"
grant "$B" "grant_type=refresh_token&client_id=$CID&refresh_token=$SRT"
expect "sandbox refresh token at the production host" "400 invalid_grant" "$STATUS $(jqb .error)"

# ---- describe and writes as each user ------------------------------------------
sf_admin POST auth '{"approve_user": "limited@crmsync-sim.example"}'
authorize "$B"
grant "$B" "grant_type=authorization_code&code=$CODE&client_id=$CID&redirect_uri=$REDIR&code_verifier=$VER"
LAT=$(jqb .access_token)
desc() {
	curl -s -H "Authorization: Bearer $1" "$V/sobjects/$2/describe" |
		jq -r "[.createable, .updateable, (.fields[] | select(.name == \"$3\") | .updateable)] | map(tostring) | join(\" \")"
}
expect "limited user: Contact.Title read-only" "true true false" "$(desc "$LAT" Contact Title)"
expect "second user: Contact.Title editable" "true true true" "$(desc "$AT2" Contact Title)"
expect "limited user: Opportunity read-only" "false false false" "$(desc "$LAT" Opportunity Name)"
expect "second user again (permissions switch back)" "true true true" "$(desc "$AT2" Contact Title)"
CID1=$(curl -s -H "Authorization: Bearer $AT2" "$V/query?q=SELECT+Id+FROM+Contact+LIMIT+1" | jq -r '.records[0].Id')
STATUS=$(curl -s -o "$TMPD/body" -w '%{http_code}' -X PATCH -H "Authorization: Bearer $LAT" \
	-H 'Content-Type: application/json' -d '{"Title": "Boss"}' "$V/sobjects/Contact/$CID1")
BODY=$(cat "$TMPD/body")
expect_err "limited user writes Contact.Title" 400 INVALID_FIELD_FOR_INSERT_UPDATE
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -X PATCH -H "Authorization: Bearer $AT2" \
	-H 'Content-Type: application/json' -d '{"Title": "Boss"}' "$V/sobjects/Contact/$CID1")
expect "second user writes Contact.Title" 204 "$STATUS"

# ---- rotation and revocation ------------------------------------------------------
sf_admin POST auth '{"rotate_refresh_tokens": true}'
grant "$B" "grant_type=refresh_token&client_id=$CID&refresh_token=$RT2"
RT3=$(jqb .refresh_token)
[ -n "$RT3" ] && [ "$RT3" != null ] && [ "$RT3" != "$RT2" ]
expect "rotation gives a new refresh token" 0 $?
grant "$B" "grant_type=refresh_token&client_id=$CID&refresh_token=$RT2"
expect "the old one is spent" "400 invalid_grant expired access/refresh token" \
	"$STATUS $(jqb .error) $(jqb .error_description)"
sf_admin POST auth '{"rotate_refresh_tokens": false, "revoke_user": "second@crmsync-sim.example"}'
grant "$B" "grant_type=refresh_token&client_id=$CID&refresh_token=$RT3"
expect "revoked user's refresh token" "400 invalid_grant" "$STATUS $(jqb .error)"
grant "$B" "grant_type=refresh_token&client_id=$CID&refresh_token=$RTOK"
expect "other users' tokens still work" 200 "$STATUS"

# ---- JWT bearer ---------------------------------------------------------------------
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TMPD/k.pem" 2>/dev/null
openssl pkey -in "$TMPD/k.pem" -pubout -out "$TMPD/k.pub" 2>/dev/null
sf_admin POST auth "$(jq -n --rawfile k "$TMPD/k.pub" '{jwt_public_key: $k}')"
b64u() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
jwt() { # SUB AUD EXP_OFFSET
	h=$(printf '{"alg":"RS256"}' | b64u)
	c=$(printf '{"iss":"%s","sub":"%s","aud":"%s","exp":%s}' "$CID" "$1" "$2" $(( $(date +%s) + $3 )) | b64u)
	s=$(printf %s "$h.$c" | openssl dgst -sha256 -sign "$TMPD/k.pem" -binary | b64u)
	echo "$h.$c.$s"
}
G="grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer"
grant "$B" "$G&assertion=$(jwt integration@crmsync-sim.example "$B" 120)"
expect "JWT grant" "200 null" "$STATUS $(jqb .refresh_token)"
grant "$B" "$G&assertion=$(jwt integration@crmsync-sim.example https://login.salesforce.com 120)"
expect "JWT with the standard audience" 200 "$STATUS"
grant "$B" "$G&assertion=$(jwt integration@crmsync-sim.example https://test.salesforce.com 120)"
expect "JWT with the sandbox audience at production" "400 audience is invalid" "$STATUS $(jqb .error_description)"
grant "$B" "$G&assertion=$(jwt integration@crmsync-sim.example "$B" -10)"
expect "expired JWT" "400 invalid_grant" "$STATUS $(jqb .error)"
grant "$B" "$G&assertion=$(jwt nobody@crmsync-sim.example "$B" 120)"
expect "unknown user" "400 user hasn't approved this consumer" "$STATUS $(jqb .error_description)"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TMPD/k.pem" 2>/dev/null
grant "$B" "$G&assertion=$(jwt integration@crmsync-sim.example "$B" 120)"
expect "JWT signed with another key" "400 invalid assertion" "$STATUS $(jqb .error_description)"

# ---- users from the config --------------------------------------------------------------
sf_admin PATCH config '{"users": [{"username": "ops@example.com", "name": "Ops Bot", "org": "production",
	"field_permissions": {"Contact": {"Email": "read"}}}]}'
sf_admin GET auth
expect "users replaced by the config" "1 ops@example.com" "$(jqb '[(.users | length), .users[0].username] | join(" ")')"
sf_admin POST auth '{"approve_user": "ops@example.com"}'
authorize "$B"
grant "$B" "grant_type=authorization_code&code=$CODE&client_id=$CID&redirect_uri=$REDIR&code_verifier=$VER"
OAT=$(jqb .access_token)
expect "a configured user's field permission" "true true false" "$(desc "$OAT" Contact Email)"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $LAT" "$V/limits")
expect "a session of a user no longer configured" 401 "$STATUS"

sf_done
