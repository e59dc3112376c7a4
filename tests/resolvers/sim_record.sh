# tests/resolvers/sim_record.sh - helpers of test_sim_bodies.sh (sourced):
# start crmsync-sim on free ports and get both sides' tokens, call either
# side, and provoke an error through a single-record call and a batch call,
# saving each body under a fixture's file name in $REST and $BATCH. Needs
# curl, jq and $SIM; must not be run on its own.

W=$(mktemp -d "${TMPDIR:-/tmp}/crmsync-simbodies.XXXXXX")
REST="$W/rest"
BATCH="$W/batch"
mkdir -p "$REST" "$BATCH"
PIDS=
FAILS=0

cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ "${KEEP_WORK:-}" = 1 ]; then echo "recorded bodies kept in $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	FAILS=$((FAILS + 1))
	echo "FAIL: $*"
	[ -f "$W/body" ] && echo "  last body: $(head -c 400 "$W/body")"
}

# start NAME [crmsync-sim options]: sets SF_<NAME>, HS_<NAME>, HSTOK_<NAME>, SFTOK_<NAME>
start() {
	n=$1
	shift
	"$SIM" --salesforce-port 0 --hubspot-port 0 --records 3 --dirty 0 --hs-search-rate 0 "$@" \
		>"$W/ready.$n" 2>"$W/sim.$n.log" &
	pid=$!
	PIDS="$PIDS $pid"
	i=0
	while [ ! -s "$W/ready.$n" ]; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 "$pid" 2>/dev/null; then
			cat "$W/sim.$n.log"
			echo "FAIL: crmsync-sim ($n) did not start"
			exit 1
		fi
		sleep 0.1
	done
	r="$W/ready.$n"
	sfb=$(jq -r .salesforce.base_url "$r")
	tok=$(curl -s -X POST "$sfb/services/oauth2/token" \
		--data-urlencode grant_type=refresh_token \
		--data-urlencode "client_id=$(jq -r .salesforce.client_id "$r")" \
		--data-urlencode "client_secret=$(jq -r .salesforce.client_secret "$r")" \
		--data-urlencode "refresh_token=$(jq -r .salesforce.refresh_token "$r")" | jq -r .access_token)
	[ -n "$tok" ] && [ "$tok" != null ] || { echo "FAIL: no Salesforce token ($n)"; exit 1; }
	eval "SF_$n=\$sfb; SFTOK_$n=\$tok"
	eval "HS_$n=\$(jq -r .hubspot.base_url \"\$r\"); HSTOK_$n=\$(jq -r .hubspot.token \"\$r\")"
}

# use NAME: the simulator the next calls go to
use() {
	eval "SFB=\$SF_$1; SFTOK=\$SFTOK_$1; HSB=\$HS_$1; HSTOK=\$HSTOK_$1"
	V="$SFB/services/data/v59.0"
}

# sf METHOD PATH [JSON] / hs METHOD PATH [JSON]: STATUS, body in $W/body
sf() {
	if [ $# -ge 3 ]; then
		printf '%s' "$3" >"$W/req"
		STATUS=$(curl -s -o "$W/body" -w '%{http_code}' -X "$1" "$V$2" \
			-H "Authorization: Bearer $SFTOK" -H 'Content-Type: application/json' \
			--data-binary @"$W/req")
	else
		STATUS=$(curl -s -o "$W/body" -w '%{http_code}' -X "$1" "$V$2" \
			-H "Authorization: Bearer $SFTOK")
	fi
}
hs() {
	if [ $# -ge 3 ]; then
		printf '%s' "$3" >"$W/req"
		STATUS=$(curl -s -o "$W/body" -w '%{http_code}' -X "$1" "$HSB$2" \
			-H "Authorization: Bearer $HSTOK" -H 'Content-Type: application/json' \
			--data-binary @"$W/req")
	else
		STATUS=$(curl -s -o "$W/body" -w '%{http_code}' -X "$1" "$HSB$2" \
			-H "Authorization: Bearer $HSTOK")
	fi
}
# admin SIDE(sf|hs) METHOD WHAT [JSON]
admin() {
	if [ "$1" = sf ]; then b=$SFB; else b=$HSB; fi
	if [ $# -ge 4 ]; then
		STATUS=$(curl -s -o "$W/body" -w '%{http_code}' -X "$2" "$b/__admin/$3" \
			-H 'Content-Type: application/json' --data-binary "$4")
	else
		STATUS=$(curl -s -o "$W/body" -w '%{http_code}' -X "$2" "$b/__admin/$3")
	fi
	case $STATUS in 2*) ;; *) fail "admin $2 $3: status $STATUS" ;; esac
}
jqb() { jq -r "$1" <"$W/body"; }

# new_sf OBJECT JSON: creates a record, prints its id
new_sf() {
	sf POST "/sobjects/$1" "$2"
	[ "$STATUS" = 201 ] || { fail "setup: create $1 $2 ($STATUS)"; echo none; return; }
	jqb .id
}
# new_hs OBJECT PROPS: creates an object, prints its id
new_hs() {
	hs POST "/crm/v3/objects/$1" "{\"properties\":$2}"
	[ "$STATUS" = 201 ] || { fail "setup: create $1 $2 ($STATUS)"; echo none; return; }
	jqb .id
}

# sf_rec FIXTURE CODE OP OBJECT FIELDS [KEY]: provokes CODE through the
# single-record call (saved to rest/) and through sObject Collections (the
# per-record result, saved to batch/; a create also through the Collections
# upsert crmsyncd sends, whose result is the one saved). OP: create, update
# (KEY = Id), upsert (KEY = HubSpot_Id__c value).
sf_rec() {
	fx=$1 code=$2 op=$3 obj=$4 fields=$5 key=${6:-}
	rec=$(printf '%s' "$fields" | jq -c --arg t "$obj" '{attributes: {type: $t}} + .')
	case $op in
	create) sm=POST sp="/sobjects/$obj" cm=POST cp=/composite/sobjects ;;
	update) sm=PATCH sp="/sobjects/$obj/$key" cm=PATCH cp=/composite/sobjects
		rec=$(printf '%s' "$rec" | jq -c --arg id "$key" '. + {Id: $id}') ;;
	upsert) sm=PATCH sp="/sobjects/$obj/HubSpot_Id__c/$key" cm=PATCH
		cp="/composite/sobjects/$obj/HubSpot_Id__c"
		rec=$(printf '%s' "$rec" | jq -c --arg k "$key" '. + {HubSpot_Id__c: $k}') ;;
	esac
	sf "$sm" "$sp" "$fields"
	got=$(jqb '.[0].errorCode? // empty' 2>/dev/null)
	if [ "$got" = "$code" ]; then
		cp "$W/body" "$REST/$fx"
		rmsg=$(jqb '.[0].message')
	else
		fail "$fx: $sm $sp gave $STATUS '$got', expected $code"
		rmsg=
	fi
	sf "$cm" "$cp" "{\"allOrNone\":false,\"records\":[$rec]}"
	got=$(jqb '.[0].errors[0].statusCode? // empty' 2>/dev/null)
	# crmsyncd creates through a Collections upsert on HubSpot_Id__c: that
	# must fail the same way (unless the upsert key is the point)
	if [ "$op" = create ] && [ "$STATUS" = 200 ] && [ "$got" = "$code" ] &&
	   [ -z "$(printf '%s' "$fields" | jq -r '.HubSpot_Id__c // empty')" ]; then
		rec=$(printf '%s' "$rec" | jq -c --arg k "sf-$fx" '. + {HubSpot_Id__c: $k}')
		sf PATCH "/composite/sobjects/$obj/HubSpot_Id__c" "{\"allOrNone\":false,\"records\":[$rec]}"
		got=$(jqb '.[0].errors[0].statusCode? // empty' 2>/dev/null)
		cp="/composite/sobjects/$obj/HubSpot_Id__c"
	fi
	if [ "$STATUS" = 200 ] && [ "$got" = "$code" ]; then
		jq -c '.[0]' <"$W/body" >"$BATCH/$fx"
		[ -z "$rmsg" ] || [ "$(jqb '.[0].errors[0].message')" = "$rmsg" ] ||
			fail "$fx: Collections message '$(jqb '.[0].errors[0].message')' differs from '$rmsg'"
	else
		fail "$fx: $cm $cp gave $STATUS '$got', expected $code"
	fi
}

# sf_only FIXTURE CODE STATUS METHOD PATH [JSON]: a whole-call error (no
# per-record form), saved to rest/
sf_only() {
	fx=$1 code=$2 st=$3
	shift 3
	sf "$@"
	got=$(jqb '.[0].errorCode? // empty' 2>/dev/null)
	if [ "$STATUS" = "$st" ] && [ "$got" = "$code" ]; then
		cp "$W/body" "$REST/$fx"
	else
		fail "$fx: $1 $2 gave $STATUS '$got', expected $st $code"
	fi
}

# hs_batch_err FIXTURE CATEGORY SUBCODE: the last batch answer is a 207
# whose first error is of that kind and carries the input's trace id
hs_batch_err() {
	got="$(jqb '.errors[0].category // empty') $(jqb '.errors[0].errors[0].code // "-"')"
	[ "$STATUS" = 207 ] && [ "$got" = "$2 $3" ] &&
		[ "$(jqb '.errors[0].context.objectWriteTraceId[0]')" = "t-$1" ]
}

# hs_rec FIXTURE STATUS CATEGORY SUBCODE OP OBJECT PROPS [ID]: provokes the
# error through the single-object call (rest/) and through the batch calls
# with an objectWriteTraceId: a create through batch/create and through
# batch/upsert on crmsync_sf_id as crmsyncd sends it (whose errors[]
# element is saved, batch/), an update through batch/update. SUBCODE "-" =
# none expected. The messages must agree, except for a missing object
# (HubSpot words that one per endpoint).
hs_rec() {
	fx=$1 st=$2 cat=$3 sub=$4 op=$5 obj=$6 props=$7 id=${8:-}
	if [ "$op" = create ]; then
		hs POST "/crm/v3/objects/$obj" "{\"properties\":$props}"
		inp="{\"properties\":$props,\"objectWriteTraceId\":\"t-$fx\"}"
	else
		hs PATCH "/crm/v3/objects/$obj/$id" "{\"properties\":$props}"
		inp="{\"id\":\"$id\",\"properties\":$props,\"objectWriteTraceId\":\"t-$fx\"}"
	fi
	got="$(jqb '.category // empty') $(jqb '.errors[0].code // "-"')"
	if [ "$STATUS" = "$st" ] && [ "$got" = "$cat $sub" ]; then
		cp "$W/body" "$REST/$fx"
		rmsg=$(jqb .message)
	else
		fail "$fx: single $op gave $STATUS '$got', expected $st '$cat $sub'"
		rmsg=
	fi
	hs POST "/crm/v3/objects/$obj/batch/$op" "{\"inputs\":[$inp]}"
	hs_batch_err "$fx" "$cat" "$sub" || fail "$fx: batch/$op gave $STATUS, expected 207 '$cat $sub'"
	if [ "$op" = create ]; then
		inp=$(printf '%s' "$props" | jq -c --arg t "t-$fx" --arg k "sf-$fx" \
			'{id: $k, idProperty: "crmsync_sf_id", properties: (. + {crmsync_sf_id: $k}),
			  objectWriteTraceId: $t}')
		hs POST "/crm/v3/objects/$obj/batch/upsert" "{\"inputs\":[$inp]}"
		hs_batch_err "$fx" "$cat" "$sub" || fail "$fx: batch/upsert gave $STATUS, expected 207 '$cat $sub'"
	fi
	if hs_batch_err "$fx" "$cat" "$sub"; then
		jq -c '.errors[0]' <"$W/body" >"$BATCH/$fx"
		[ -z "$rmsg" ] || [ "$cat" = OBJECT_NOT_FOUND ] || [ "$(jqb '.errors[0].message')" = "$rmsg" ] ||
			fail "$fx: batch message '$(jqb '.errors[0].message')' differs from '$rmsg'"
	fi
}

# hs_only FIXTURE STATUS CATEGORY|errorType METHOD PATH [JSON] (rest/ only)
hs_only() {
	fx=$1 st=$2 cat=$3
	shift 3
	hs "$@"
	got=$(jqb '.category // .errorType // empty')
	if [ "$STATUS" = "$st" ] && [ "$got" = "$cat" ]; then
		cp "$W/body" "$REST/$fx"
	else
		fail "$fx: $1 $2 gave $STATUS '$got', expected $st $cat"
	fi
}

# sf_batch FIXTURE CODE METHOD PATH RECORD: Collections only (the error has
# no single-record form)
sf_batch() {
	sf "$3" "$4" "{\"allOrNone\":false,\"records\":[$5]}"
	got=$(jqb '.[0].errors[0].statusCode? // empty' 2>/dev/null)
	if [ "$STATUS" = 200 ] && [ "$got" = "$2" ]; then
		jq -c '.[0]' <"$W/body" >"$BATCH/$1"
	else
		fail "$1: $3 $4 gave $STATUS '$got', expected $2"
	fi
}
