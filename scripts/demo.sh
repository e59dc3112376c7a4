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

echo "== starting crmsync-sim (seed 1, 1000 records per object)"
build/crmsync-sim --seed 1 --records 1000 --salesforce-port 8401 --hubspot-port 8402 \
	> build/demo/sim.ready 2> build/demo/sim.log &
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
echo "crmsync-sim ready:"
jq -r '"  salesforce: \(.salesforce.base_url // .salesforce.login_url)\n  hubspot:    \(.hubspot.base_url)"' \
	build/demo/sim.ready 2>/dev/null || cat build/demo/sim.ready

echo "== crmsync check-config etc/demo/crmsync.conf"
build/crmsync check-config etc/demo/crmsync.conf
echo "== crmsync plugins list"
build/crmsync -c etc/demo/crmsync.conf plugins list
echo "== crmsyncd --once"
build/crmsyncd -c etc/demo/crmsync.conf --once
echo "== simulator data"
for obj in contacts companies; do
	n=$(curl -sf "http://127.0.0.1:8402/__admin/dump/$obj" | jq length)
	echo "  hubspot $obj: $n"
done
for obj in Lead Contact Account; do
	n=$(curl -sf "http://127.0.0.1:8401/__admin/dump/$obj" | jq length)
	echo "  salesforce $obj: $n"
done
echo "done: the sync engine (next milestone) will sync these records and end with a sync-health summary"
