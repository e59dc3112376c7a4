# Shared helpers for the Salesforce side's shell tests (sourced, not run).
# Starts crmsync-sim (Salesforce side only) on a free port, gets a token, and
# provides sf/expect helpers. Needs curl and jq.
set -u
: "${top_builddir:=.}"
SIM="${top_builddir}/crmsync-sim"
FAILS=0
CHECKS=0
TMPD=$(mktemp -d)
SIMPID=

sf_cleanup() {
	[ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null && wait "$SIMPID" 2>/dev/null
	rm -rf "$TMPD"
}
trap sf_cleanup EXIT INT TERM

for tool in curl jq; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done

# sf_start [extra crmsync-sim options]
sf_start() {
	"$SIM" --only salesforce --salesforce-port 0 "$@" >"$TMPD/ready" 2>"$TMPD/stderr" &
	SIMPID=$!
	for _ in $(seq 1 300); do
		[ -s "$TMPD/ready" ] && break
		kill -0 "$SIMPID" 2>/dev/null || { cat "$TMPD/stderr"; echo "FAIL: crmsync-sim died"; exit 1; }
		sleep 0.1
	done
	READY=$(head -1 "$TMPD/ready")
	B=$(echo "$READY" | jq -r .salesforce.base_url)
	CID=$(echo "$READY" | jq -r .salesforce.client_id)
	CSEC=$(echo "$READY" | jq -r .salesforce.client_secret)
	RTOK=$(echo "$READY" | jq -r .salesforce.refresh_token)
	V="$B/services/data/v59.0"
	TOK=$(curl -s -X POST "$B/services/oauth2/token" \
		-d "grant_type=refresh_token&client_id=$CID&client_secret=$CSEC&refresh_token=$RTOK" |
		jq -r .access_token)
	[ -n "$TOK" ] && [ "$TOK" != null ] || { echo "FAIL: no access token"; exit 1; }
}

# sf METHOD PATH [BODY] -> $STATUS, $BODY (path below /services/data/v59.0 unless it starts with http)
sf() {
	local url="$2"
	case "$url" in http*) ;; *) url="$V$url" ;; esac
	if [ $# -ge 3 ]; then
		printf '%s' "$3" >"$TMPD/req"
		STATUS=$(curl -s -o "$TMPD/body" -D "$TMPD/headers" -w '%{http_code}' -X "$1" "$url" \
			-H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
			${SF_EXTRA_HEADER:+-H "$SF_EXTRA_HEADER"} --data-binary @"$TMPD/req")
	else
		STATUS=$(curl -s -o "$TMPD/body" -D "$TMPD/headers" -w '%{http_code}' -X "$1" "$url" \
			-H "Authorization: Bearer $TOK" ${SF_EXTRA_HEADER:+-H "$SF_EXTRA_HEADER"})
	fi
	BODY=$(cat "$TMPD/body")
}

# sf_admin METHOD PATH [BODY]
sf_admin() {
	if [ $# -ge 3 ]; then
		BODY=$(curl -s -X "$1" "$B/__admin/$2" -H 'Content-Type: application/json' -d "$3")
	else
		BODY=$(curl -s -X "$1" "$B/__admin/$2")
	fi
}

# expect DESCRIPTION EXPECTED ACTUAL
expect() {
	CHECKS=$((CHECKS + 1))
	if [ "$2" = "$3" ]; then
		return 0
	fi
	FAILS=$((FAILS + 1))
	echo "FAIL: $1: expected '$2', got '$3'"
	echo "  last body: $(printf '%s' "${BODY:-}" | head -c 400)"
}

# expect_err DESCRIPTION STATUS ERRORCODE (checks $STATUS and $BODY[0].errorCode)
expect_err() {
	expect "$1 (status)" "$2" "$STATUS"
	expect "$1 (errorCode)" "$3" "$(printf '%s' "$BODY" | jq -r '.[0].errorCode' 2>/dev/null)"
}

# jqb FILTER -> value from $BODY
jqb() {
	printf '%s' "$BODY" | jq -r "$1"
}

sf_done() {
	if [ -n "$SIMPID" ] && ! kill -0 "$SIMPID" 2>/dev/null; then
		FAILS=$((FAILS + 1))
		echo "FAIL: crmsync-sim died:"
		cat "$TMPD/stderr"
	fi
	echo "$CHECKS checks, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}
