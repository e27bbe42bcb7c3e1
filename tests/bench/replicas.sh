#!/usr/bin/env bash
# Benchmark: tiles of the stored default plan through nginx's cache (deploy/replicas.sh: three replicas on
# one PostGIS store) against the same tiles from one replica directly (its own tile cache), both warmed
# once: wrk -t2 -c64 on loopback cycling through 500 London tiles z10-z14, gzip. (England's time to ready
# from a stored plan is tests/bench/store.sh.)
# Usage: tests/bench/replicas.sh [SECONDS_PER_RUN]  (needs wrk, nginx, postgresql-15-postgis-3)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/bench/lib.sh"
secs=${1:-10}
for tool in wrk nginx curl python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install wrk nginx-light curl)" >&2; exit 2; }
done
bench_cleanup_extra() { CATCHMENT=$bin "$root/deploy/replicas.sh" stop "$work/deploy" >/dev/null 2>&1 || true; }

CATCHMENT=$bin "$root/deploy/replicas.sh" start "$work/deploy" 3 -- --prerender-maxzoom -1 >/dev/null
# shellcheck disable=SC1091
. "$work/deploy/env"
read -r -a replicas <<<"$REPLICA_URLS"
id=$(curl -s "$NGINX_URL/plans" | python3 -c 'import json,sys; print(json.load(sys.stdin)["plans"][0]["stored_id"])')
python3 - "$id" >"$work/paths.txt" <<'PY'
import math, sys
plan = sys.argv[1]
paths = []
for i in range(500):
    z = 10 + i % 5
    lon, lat = -0.5 + 0.75 * ((i * 7919) % 500) / 500, 51.3 + 0.4 * ((i * 104729) % 500) / 500
    n = 2 ** z
    x, y = int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    paths.append(f"/plans/{plan}/tiles/{z}/{x}/{y}.mvt")
print("\n".join(paths))
PY
for base in "$NGINX_URL" "${replicas[0]}"; do  # warm both caches once
  while read -r path; do curl -s --max-time 30 -o /dev/null -H 'Accept-Encoding: gzip' "$base$path"; done <"$work/paths.txt"
done
read -r n_rps n_p50 n_p99 < <(wrk_paths "$work/paths.txt" "$secs" "$NGINX_URL")
read -r r_rps r_p50 r_p99 < <(wrk_paths "$work/paths.txt" "$secs" "${replicas[0]}")
hits=$(grep -c 'cache=HIT' "$work/deploy/nginx/access.log" || true)

echo "Tiles of a stored plan: 500 London tiles z10-z14, gzip, wrk -t2 -c64 -d${secs}s on loopback, $(nproc) CPUs:"
printf '  through nginx (proxy_cache)   %10.0f req/s  p50 %7.2f ms  p99 %7.2f ms  (%s cache hits logged)\n' "$n_rps" "$n_p50" "$n_p99" "$hits"
printf '  one replica directly (peer)   %10.0f req/s  p50 %7.2f ms  p99 %7.2f ms\n' "$r_rps" "$r_p50" "$r_p99"
printf '  ratio nginx cache / replica   %10.2f\n' "$(echo "$n_rps / $r_rps" | bc -l)"
