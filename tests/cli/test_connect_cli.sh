#!/bin/sh
# test_connect_cli.sh - `crmsync connect` and `crmsync whoami` as a user
# types them, without any service: usage errors exit 2 with the usage,
# what is missing exits 1 saying what to do, and nothing is written.
. "$(dirname "$0")/lib.sh"

cat > "$T/c.conf" <<INI
[core]
state = $T/state.db
[salesforce]
login_url = http://127.0.0.1:9
credentials = $T/sf.json
[hubspot]
base_url = http://127.0.0.1:9
credentials = $T/hs.json
INI
C="$CRMSYNC -c $T/c.conf"

run 0 $CRMSYNC --help
has "$T/out" "connect salesforce [--sandbox]"
has "$T/out" "whoami [--json]"

run 2 $C connect
has "$T/err" "usage: crmsync connect salesforce|hubspot"
run 2 $C connect mailchimp
run 2 $C connect salesforce --jwt "$T/key.pem"
has "$T/err" "--jwt KEYFILE and --user USERNAME go together"
run 2 $C connect salesforce --login-url http://example.com
has "$T/err" "must be https (or http to a loopback host)"
run 2 $C connect salesforce --port 70000
run 2 $C connect salesforce --timeout 0
run 2 $C connect salesforce extra
run 2 $C connect hubspot --oauth
has "$T/err" "usage: crmsync connect hubspot"
run 2 $C connect hubspot --oauth --client-id x --client-secret-file "$T/s" --token-file "$T/t"
run 2 $C whoami --verbose

# no consumer key anywhere: say which option gives it
run 1 $C connect salesforce < /dev/null
has "$T/err" "--client-id KEY"
# a secret file that is not there
run 1 $C connect salesforce --client-id k --client-secret-file "$T/nope" < /dev/null
has "$T/err" "cannot read the consumer secret from '$T/nope'"
# an empty token on stdin
run 1 $C connect hubspot < /dev/null
has "$T/err" "no access token"
# a key file others can read is refused before anything is sent
printf 'not a key\n' > "$T/key.pem"
chmod 644 "$T/key.pem"
run 1 $C connect salesforce --client-id k --jwt "$T/key.pem" --user u@example.com
has "$T/err" "accessible to others (mode 0644)"
chmod 600 "$T/key.pem"
run 1 $C connect salesforce --client-id k --jwt "$T/key.pem" --user u@example.com
has "$T/err" "is not a PEM RSA private key"
# the authorization times out when nobody answers, and says so
run 1 $C connect salesforce --client-id k --port 0 --timeout 1 < /dev/null
has "$T/out" "/services/oauth2/authorize?response_type=code&client_id=k&"
has "$T/out" "code_challenge_method=S256"
has "$T/err" "no authorization arrived within 1 s"
[ ! -e "$T/sf.json" ] || fail "a failed connect wrote credentials"
[ ! -e "$T/hs.json" ] || fail "a failed connect wrote credentials"

# nothing connected yet
run 1 $C whoami
has "$T/out" "Salesforce: not connected: run 'crmsync connect salesforce [--sandbox]'"
has "$T/out" "HubSpot: not connected: run 'crmsync connect hubspot'"
finish
