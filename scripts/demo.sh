#!/bin/sh
# The main job, from a fresh Debian machine: install the build dependencies,
# build crmsync in ./build, start crmsync-sim with demo data, and run crmsync
# against it with etc/demo/crmsync.conf.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
sh scripts/setup.sh
mkdir -p build/demo
cd build
[ -f Makefile ] || "$top/configure" --enable-werror
make -j"$(nproc 2>/dev/null || echo 2)"
cd "$top"

echo "== starting crmsync-sim (seed 1, 1000 records per object, 5% dirty)"
rm -f build/demo/state.db build/demo/state.db-wal build/demo/state.db-shm
build/crmsync-sim --seed 1 --records 1000 --dirty 0.05 --salesforce-port 8401 --hubspot-port 8402 \
	--schema etc/demo/sim-schema.json > build/demo/sim.ready 2> build/demo/sim.log &
sim=$!
trap 'kill $sim 2>/dev/null; wait $sim 2>/dev/null || true' EXIT INT TERM
i=0
while [ ! -s build/demo/sim.ready ]; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 $sim 2>/dev/null; then
		echo "crmsync-sim did not start:" >&2
		cat build/demo/sim.log >&2
		exit 1
	fi
	sleep 0.1
done
# the org refuses some writes as real orgs do (see etc/demo/demo-org.json)
jq 'del(._doc)' etc/demo/demo-org.json | curl -sf -X PATCH -H 'Content-Type: application/json' \
	--data-binary @- http://127.0.0.1:8401/__admin/config > /dev/null
# the Salesforce credentials, as `crmsync connect salesforce` would store them
# after the browser step (mode 0600)
umask 077
jq '{client_id: .salesforce.client_id, client_secret: .salesforce.client_secret,
     refresh_token: .salesforce.refresh_token}' build/demo/sim.ready > build/demo/salesforce.json
umask 022
echo "== crmsync connect hubspot (a private-app token, checked against the API before it is saved)"
rm -f build/demo/hubspot.json
jq -r .hubspot.token build/demo/sim.ready |
	build/crmsync -c etc/demo/crmsync.conf connect hubspot

echo "== crmsync whoami (the integration user and the HubSpot portal; do the tokens work?)"
build/crmsync -c etc/demo/crmsync.conf whoami || true
echo "== crmsync check-config etc/demo/crmsync.conf"
build/crmsync check-config etc/demo/crmsync.conf
echo "== crmsync explain (how it works, from the live config)"
build/crmsync -c etc/demo/crmsync.conf explain
echo "== crmsync plugins list"
build/crmsync -c etc/demo/crmsync.conf plugins list
echo "== crmsyncd --once --dry-run (the plan an admin reads before the first sync)"
build/crmsyncd -c etc/demo/crmsync.conf --once --dry-run 2> build/demo/dry-run.log
echo "== crmsyncd --once (the first sync)"
build/crmsyncd -c etc/demo/crmsync.conf --once 2> build/demo/sync1.log || true
grep -E "object [a-z]+: (ok|partial|failed|paused)" build/demo/sync1.log || tail -5 build/demo/sync1.log
echo "== crmsyncd --once (again: nothing left to write)"
build/crmsyncd -c etc/demo/crmsync.conf --once 2> build/demo/sync2.log || true
grep -E "object [a-z]+: (ok|partial|failed|paused)" build/demo/sync2.log || tail -5 build/demo/sync2.log
echo "== a visitor fills in the 'Contact us' form (HubSpot's forms API), and one more sync"
token=$(jq -r .hubspot.token build/demo/sim.ready)
form=$(curl -sf -H "Authorization: Bearer $token" 'http://127.0.0.1:8402/marketing/v3/forms?limit=100' |
	jq -r '.results[] | select(.name == "Contact us") | .id')
curl -sf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
	-d '{"fields":[{"objectTypeId":"0-1","name":"email","value":"aiko.demo@example.com"},
		{"objectTypeId":"0-1","name":"firstname","value":"Aiko"},
		{"objectTypeId":"0-1","name":"lastname","value":"Demo"},
		{"objectTypeId":"0-1","name":"company","value":"Demo Foods"},
		{"objectTypeId":"0-1","name":"message","value":"Can we see a demo next week?"}],
	     "context":{"pageUri":"https://www.example.com/contact","pageName":"Contact"}}' \
	"http://127.0.0.1:8402/submissions/v3/integration/secure/submit/4410001/$form" > /dev/null
build/crmsyncd -c etc/demo/crmsync.conf --once 2> build/demo/sync3.log || true
grep -E "object (contact|forms): (ok|partial|failed|paused)" build/demo/sync3.log || tail -5 build/demo/sync3.log
curl -sf http://127.0.0.1:8401/__admin/dump/Task | jq -r '.[] | select(.Subject == "Form submission: Contact us")
	| select((.Description // "") | contains("aiko.demo@example.com")) |
	"Salesforce Task \(.Id): \(.Subject), WhoId \(.WhoId), \(.Status), \(.ActivityDate)"'
echo "== crmsync status"
build/crmsync -c etc/demo/crmsync.conf status
echo "== crmsync errors (sync health: what blocks the sync, by type)"
build/crmsync -c etc/demo/crmsync.conf errors
