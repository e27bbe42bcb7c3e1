#!/usr/bin/env bash
# Benchmark: tiles of the stored default plan through nginx's cache (deploy/replicas.sh: three replicas on
# one PostGIS store) against the same tiles from one replica directly (its own tile cache), both warmed
# once: wrk -t2 -c64 on loopback cycling through 500 London tiles z10-z14, gzip. (England's time to ready
# from a stored plan is tests/bench/store.sh.)
# Usage: tests/bench/replicas.sh [SECONDS_PER_RUN]  (needs wrk, nginx, postgresql-15-postgis-3)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CATCHMENT_BIN:-$root/build/catchment}
secs=${1:-10}
for tool in wrk nginx curl python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install wrk nginx-light curl)" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "build first: $bin" >&2; exit 2; }
work=$(mktemp -d)
cleanup() {
  CATCHMENT=$bin "$root/deploy/replicas.sh" stop "$work/deploy" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

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
cat >"$work/paths.lua" <<'LUA'
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], { ["Accept-Encoding"] = "gzip" })
end
LUA
for base in "$NGINX_URL" "${replicas[0]}"; do  # warm both caches once
  while read -r path; do curl -s --max-time 30 -o /dev/null -H 'Accept-Encoding: gzip' "$base$path"; done <"$work/paths.txt"
done
to_ms() {
  case $1 in
    *us) echo "scale=3; ${1%us} / 1000" | bc ;;
    *ms) echo "${1%ms}" ;;
    *s) echo "scale=3; ${1%s} * 1000" | bc ;;
    *) echo "$1" ;;
  esac
}
bench() {  # URL: prints "requests/s p50 p99"
  local out
  out=$(BENCH_PATHS="$work/paths.txt" timeout $((secs + 30)) wrk -t2 -c64 -d"${secs}s" --latency -s "$work/paths.lua" "$1")
  if echo "$out" | grep -q 'Non-2xx'; then echo "$out" >&2; echo "non-2xx responses" >&2; exit 1; fi
  echo "$(echo "$out" | awk '/^Requests\/sec:/ {print $2}') $(to_ms "$(echo "$out" | awk '$1 == "50%" {print $2}')") $(to_ms "$(echo "$out" | awk '$1 == "99%" {print $2}')")"
}
read -r n_rps n_p50 n_p99 < <(bench "$NGINX_URL")
read -r r_rps r_p50 r_p99 < <(bench "${replicas[0]}")
hits=$(grep -c 'cache=HIT' "$work/deploy/nginx/access.log" || true)

echo "Tiles of a stored plan: 500 London tiles z10-z14, gzip, wrk -t2 -c64 -d${secs}s on loopback, $(nproc) CPUs:"
printf '  through nginx (proxy_cache)   %10.0f req/s  p50 %7.2f ms  p99 %7.2f ms  (%s cache hits logged)\n' "$n_rps" "$n_p50" "$n_p99" "$hits"
printf '  one replica directly (peer)   %10.0f req/s  p50 %7.2f ms  p99 %7.2f ms\n' "$r_rps" "$r_p50" "$r_p99"
printf '  ratio nginx cache / replica   %10.2f\n' "$(echo "$n_rps / $r_rps" | bc -l)"
