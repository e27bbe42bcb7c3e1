#!/usr/bin/env bash
# Benchmark: time to /ready for all England (../shared/data/england, by district) when the server plans
# at start-up (an empty plan store) against a start from the plan it stored (goal < 5 s), with the peer
# measured in the same run being the start with planning. Also the stored GeoPackage's size and how long
# the background write took.
# Usage: tests/bench/store.sh  (skips when ../shared/data/england is absent)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/bench/lib.sh"
require_england store.sh
dataset=$root/data/descriptions/england-shared.toml
# start LOG: serves England with the store in $work/store; sets ready_s to the seconds until /ready.
start() { serve_until_ready "$1" "$dataset" --constraint-field lad_code --quiet --store "$work/store"; }
stop() { kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true; serve_pid=""; }

start "$work/first.log"
planned_s=$ready_s
stored_at=$(date +%s.%N)
until ls "$work"/store/*.gpkg >/dev/null 2>&1; do sleep 0.1; done
write_s=$(echo "$(date +%s.%N) - $stored_at" | bc)
stop
start "$work/second.log"
restored_s=$ready_s
grep -q "restored from the plan store" "$work/second.log" || { echo "the second start did not restore the stored plan" >&2; cat "$work/second.log" >&2; exit 1; }
stop
size_mb=$(du -m "$work"/store/*.gpkg | cut -f1)

echo "All England by district: seconds until /ready on $(nproc) cores"
printf '  start with planning (peer)            %6.2f s\n' "$planned_s"
printf '  start from the stored plan            %6.2f s  goal < 5 s: %s  ratio stored/planning %.2f\n' \
  "$restored_s" "$(echo "$restored_s < 5" | bc -l | sed 's/1/met/; s/0/NOT MET/')" "$(echo "$restored_s/$planned_s" | bc -l)"
printf '  stored plan: %d MB GeoPackage, written in the background within %.1f s of being ready\n' "$size_mb" "$write_s"
