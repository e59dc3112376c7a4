#!/bin/sh
# crmsync's own HubSpot traffic through Stoplight Prism (proxy, --errors) with
# the published OpenAPI descriptions (contacts, properties, owners, and a
# supplement for batch upsert): every request crmsyncd sends and every
# response it gets must match them. Prism answers a bad request with 422 and
# a bad response with 500 + sl-violations, which fail the sync; its log is
# checked for violations too. Needs the npm registry once: `make
# contract-check-crmsync`, not part of `make check`.
. "$top_srcdir/tests/integration/lib.sh"

command -v npx > /dev/null 2>&1 || fail "npx not found (install nodejs and npm)"
C="$S/tests/contracts/hubspot"
PRISM_PID=
prism_stop() {
	if [ -n "$PRISM_PID" ]; then
		kill -TERM -- "-$PRISM_PID" 2>/dev/null || true
		wait "$PRISM_PID" 2>/dev/null || true
		PRISM_PID=
	fi
}
trap 'prism_stop; cleanup' EXIT INT TERM

# one description: every path and component of the files crmsync's calls need.
# One known defect of the catalogue is corrected: it types search `sorts` as
# strings, while the API takes (and its documentation shows) objects
# {propertyName, direction}; strings are silently ignored by the real API
# (HubSpot/hubspot-api-nodejs#14, hubspot-api-python#236).
jq -s '.[0] * {paths: (map(.paths) | add), components: {schemas: (map(.components.schemas // {}) | add)}}
	| .components.schemas.PublicObjectSearchRequest.properties.sorts.items =
	  {type: "object", required: ["propertyName"], properties: {propertyName: {type: "string"},
	   direction: {type: "string", enum: ["ASCENDING", "DESCENDING"]}}}' \
	"$C/crm_contacts.oas.json" "$C/crm_contacts_upsert.oas.json" "$C/crm_properties.oas.json" \
	"$C/crm_owners.oas.json" > "$WORK/hubspot.oas.json" || fail "cannot merge the descriptions"

start_sim --seed 5 --records 300 --dirty 0.05
port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000 ))
setsid npx --yes @stoplight/prism-cli@5 proxy "$WORK/hubspot.oas.json" "$HS" --errors \
	-p "$port" -h 127.0.0.1 > "$WORK/prism.log" 2>&1 &
PRISM_PID=$!
i=0
until curl -s -o /dev/null "http://127.0.0.1:$port/__ready"; do
	i=$((i + 1))
	if [ $i -gt 1200 ] || ! kill -0 "$PRISM_PID" 2>/dev/null; then
		cat "$WORK/prism.log" >&2
		fail "prism did not start"
	fi
	sleep 0.1
done
HS_REAL=$HS
HS="http://127.0.0.1:$port"
write_config ""
sync_once || fail "the sync through Prism did not finish"
sync_once || fail "the second sync through Prism did not finish"
HS=$HS_REAL
# (the readiness probe above is the one request that matches no path)
if grep -v "__ready" "$WORK/prism.log" | grep -qiE "violation|NO_PATH_MATCHED|✖"; then
	grep -v "__ready" "$WORK/prism.log" | grep -iE "violation|NO_PATH_MATCHED|✖" | head -20 >&2
	fail "Prism saw traffic that breaks the published descriptions"
fi
n=$(grep -c "Forwarding\|Request received" "$WORK/prism.log" || true)
[ "$n" -gt 0 ] || fail "no traffic went through Prism"
[ "$(last written)" -ge 0 ] || fail "no status"
echo "ok: crmsyncd's HubSpot traffic matches the published descriptions ($n requests through Prism)"
