# bench/sync/lib.sh - shared by the sync benchmarks: start crmsync-sim with
# SIZE records per side and its rate limits off, write the credentials and a
# config whose [core], [salesforce] and [hubspot] point at it.
# Sets top, B (the build), W (a work folder, removed on exit), SF, HS, TOKEN.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
B=$(cd "${BUILD:-$top/build}" && pwd)
W=$(mktemp -d /tmp/crmsync-bench-XXXXXX)
sim=
trap 'kill $sim 2>/dev/null; wait $sim 2>/dev/null; rm -rf "$W"' EXIT

# bench_start SIZE SEED
bench_start() {
	"$B/crmsync-sim" --salesforce-port 0 --hubspot-port 0 --seed "$2" --records "$1" \
		--dirty 0 --overlap 0.3 --hs-search-rate 0 --hs-burst-limit 0 --hs-daily-limit 0 \
		--sf-daily-limit 100000000 --schema "$top/etc/demo/sim-schema.json" > "$W/ready" 2> "$W/sim.log" &
	sim=$!
	while [ ! -s "$W/ready" ]; do sleep 0.1; done
	SF=$(jq -r .salesforce.base_url "$W/ready")
	HS=$(jq -r .hubspot.base_url "$W/ready")
	TOKEN=$(jq -r .hubspot.token "$W/ready")
	(umask 077
	 jq '{client_id: .salesforce.client_id, client_secret: .salesforce.client_secret,
	      refresh_token: .salesforce.refresh_token}' "$W/ready" > "$W/sf.json"
	 jq '{access_token: .hubspot.token}' "$W/ready" > "$W/hs.json")
}

# bench_config "OBJECT, RESOLVER ... SECTIONS": writes $W/c.conf
# (BENCH_CORE: extra [core] lines, e.g. "batch_records = 5000")
bench_config() {
	cat > "$W/c.conf" <<EOC
[core]
state = state.db
plugin_dir = $B/plugins/build
mappings_dir = $top/etc/mappings
log_level = notice
change_overlap = 1s
${BENCH_CORE:-}
[salesforce]
login_url = $SF
credentials = sf.json
api_allocation = 100000000
[hubspot]
base_url = $HS
credentials = hs.json
$1
EOC
}
