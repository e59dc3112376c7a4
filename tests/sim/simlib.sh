# tests/sim/simlib.sh: shared helpers for the crmsync-sim shell tests
# (sourced). Starts the real crmsync-sim on free ports, reads its ready line,
# wraps curl, and stops the simulator on exit. Needs curl and jq.

: "${top_builddir:=.}"
SIM_BIN="$top_builddir/crmsync-sim"

command -v curl >/dev/null 2>&1 || { echo "SKIP: curl not installed"; exit 77; }
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq not installed"; exit 77; }
[ -x "$SIM_BIN" ] || { echo "FAIL: $SIM_BIN not built" >&2; exit 1; }

SIM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/crmsync-sim-test.XXXXXX")
SIM_PID=
FAILS=0
CHECKS=0

sim_cleanup() {
	if [ -n "$SIM_PID" ]; then
		kill -TERM "$SIM_PID" 2>/dev/null
		wait "$SIM_PID" 2>/dev/null
	fi
	rm -rf "$SIM_DIR"
}
trap sim_cleanup EXIT
trap 'exit 1' INT TERM

# sim_start [crmsync-sim options...]: start it and set HS, TOKEN, READY.
sim_start() {
	: > "$SIM_DIR/ready"
	"$SIM_BIN" --hubspot-port 0 --salesforce-port 0 "$@" > "$SIM_DIR/ready" 2> "$SIM_DIR/stderr" &
	SIM_PID=$!
	i=0
	while [ ! -s "$SIM_DIR/ready" ]; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 "$SIM_PID" 2>/dev/null; then
			echo "FAIL: crmsync-sim did not become ready" >&2
			cat "$SIM_DIR/stderr" >&2
			exit 1
		fi
		sleep 0.1
	done
	READY=$(head -n 1 "$SIM_DIR/ready")
	HS=$(printf '%s' "$READY" | jq -r .hubspot.base_url)
	TOKEN=$(printf '%s' "$READY" | jq -r .hubspot.token)
}

# sim_stop: SIGTERM and wait (the state file, if any, is written then);
# fails when it exits badly or a sanitizer reported anything.
sim_stop() {
	kill -TERM "$SIM_PID"
	wait "$SIM_PID"
	rc=$?
	SIM_PID=
	if grep -E -q 'AddressSanitizer|LeakSanitizer|runtime error:' "$SIM_DIR/stderr"; then
		cat "$SIM_DIR/stderr" >&2
		rc=1
	fi
	return $rc
}

# hs METHOD PATH [JSON]: authenticated call; sets STATUS, BODY (file) and HEADERS (file).
hs() {
	hs_as "Bearer $TOKEN" "$@"
}

# hs_as AUTH METHOD PATH [JSON] (AUTH "" = no Authorization header)
hs_as() {
	auth=$1 method=$2 path=$3
	shift 3
	set -- -s -o "$SIM_DIR/body" -D "$SIM_DIR/headers" -w '%{http_code}' -X "$method" "$@"
	[ -n "$auth" ] && set -- "$@" -H "Authorization: $auth"
	if [ $# -gt 0 ] && [ -n "${DATA+x}" ]; then
		set -- "$@" -H 'Content-Type: application/json' --data-binary "$DATA"
	fi
	STATUS=$(curl "$@" "$HS$path")
	BODY="$SIM_DIR/body"
	HEADERS="$SIM_DIR/headers"
	unset DATA
}

# post PATH JSON / patch PATH JSON: authenticated JSON calls.
post() { DATA=$2; hs POST "$1"; }
patch() { DATA=$2; hs PATCH "$1"; }
get() { hs GET "$1"; }

# admin METHOD WHAT [JSON]
admin() {
	if [ $# -ge 3 ]; then
		STATUS=$(curl -s -o "$SIM_DIR/body" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
			--data-binary "$3" "$HS/__admin/$2")
	else
		STATUS=$(curl -s -o "$SIM_DIR/body" -w '%{http_code}' -X "$1" "$HS/__admin/$2")
	fi
	BODY="$SIM_DIR/body"
}

# jqb FILTER: apply jq to the last body
jqb() { jq -r "$1" < "$SIM_DIR/body"; }

# check DESCRIPTION COMMAND...: count a check, report a failure
check() {
	desc=$1
	shift
	CHECKS=$((CHECKS + 1))
	if "$@"; then
		:
	else
		FAILS=$((FAILS + 1))
		echo "FAIL: $desc (status $STATUS)" >&2
		head -c 600 "$SIM_DIR/body" >&2 2>/dev/null
		echo >&2
	fi
}

# is A B: string equality (for check)
is() { [ "$1" = "$2" ]; }

# status_is CODE
status_is() { [ "$STATUS" = "$1" ]; }

# body_has JQ-EXPRESSION: the expression is true on the body
body_has() { jq -e "$1" < "$SIM_DIR/body" > /dev/null 2>&1; }

# header VALUE of a response header (case-insensitive), last response
header() { tr -d '\r' < "$SIM_DIR/headers" | awk -v h="$(printf '%s' "$1" | tr 'A-Z' 'a-z')" \
	'BEGIN{FS=": "} tolower($1)==h {print $2}' | tail -n 1; }

# the real HubSpot error shape
is_hs_error() { body_has "(.status==\"error\") and (.category==\"$1\") and (.message|type==\"string\") and (.correlationId|test(\"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$\"))"; }

finish() {
	if [ -n "$SIM_PID" ]; then
		check "crmsync-sim exits cleanly" sim_stop
	fi
	echo "$CHECKS checks, $FAILS failed"
	[ "$FAILS" -eq 0 ]
	exit $?
}
