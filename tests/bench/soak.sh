#!/usr/bin/env bash
# Soak benchmark: SOAK_SECONDS (default 600) of mixed load on `catchment serve` (the bundled sample,
# networks inside boroughs) over loopback, while the server also makes plans and reloads:
#  - tiles: wrk, 8 connections each asking at most every 4 ms (about 2,000 tiles/s), cycling through 720
#    tiles of London from zoom 6 to 14 (gzip), so cached and cold tiles, every zoom generalised;
#  - features: wrk, 2 connections each asking at most every 20 ms, cycling through areas and practices
#    items with a bbox, networks pages and /gaps with thresholds;
#  - a POST /plans every 30 s (each a new seed, so a new plan: the plan store fills and evicts), and a
#    POST /admin/reload every 75 s (a new version: caches start again);
#  - the server's resident memory every 10 s.
# The peer in the same run is the server's own first minute: the RSS trend is growth over the last 8
# minutes against the level at minute 2, and latencies are split into the whole run and reload-free windows.
# Prints errors (HTTP statuses other than 2xx/304, socket errors, failed plans and reloads), tile and
# feature p50/p99, and the RSS samples. Exits 1 unless: 0 errors, RSS growth < 5%, tile p99 < 10 ms.
# Needs wrk and curl (Debian: wrk curl). Usage: tests/bench/soak.sh   (SOAK_SECONDS=120 for a short run)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
for p in wrk curl; do
  if ! command -v "$p" >/dev/null; then
    as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(sudo)
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "$p" >/dev/null
  fi
done
bin=${CATCHMENT_BIN:-$root/build/catchment}
secs=${SOAK_SECONDS:-600}
[ -x "$bin" ] || { echo "build first: $bin" >&2; exit 2; }
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${SOAK_KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

"$bin" serve "$root/data/sample" --constraint-field lad11cd --port 0 --access-log "$work/access.log" --store "$work/store" >"$work/serve.log" 2>&1 &
serve_pid=$!
pids+=("$serve_pid")
port=""
for _ in $(seq 600); do
  port=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$work/serve.log" | head -1 | sed 's/.*://') || true
  [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break
  sleep 0.2
done
base="http://127.0.0.1:$port"
curl -sf "$base/ready" >/dev/null || { echo "the server did not become ready:"; cat "$work/serve.log"; exit 1; }

# 80 tiles a zoom from 6 to 14 over London, the same every run (a fixed seed).
python3 - "$work" <<'EOF'
import math, random, sys
work = sys.argv[1]
random.seed(42)
def tile(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y
with open(work + "/tiles.txt", "w") as out:
    for z in range(6, 15):
        x0, y1 = tile(-0.51, 51.28, z)
        x1, y0 = tile(0.33, 51.69, z)
        cells = [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
        for x, y in random.sample(cells, min(80, len(cells))) if len(cells) > 80 else cells * (80 // len(cells) + 1):
            out.write(f"/tiles/{z}/{x}/{y}.mvt\n")
with open(work + "/features.txt", "w") as out:
    for i in range(200):
        lon, lat = random.uniform(-0.45, 0.25), random.uniform(51.32, 51.65)
        d = random.choice([0.005, 0.02, 0.05])
        bbox = f"{lon:.4f},{lat:.4f},{lon + d:.4f},{lat + d / 1.6:.4f}"
        out.write(random.choice([
            f"/collections/areas/items?bbox={bbox}&limit=100",
            f"/collections/practices/items?bbox={bbox}",
            f"/collections/networks/items?limit=10&offset={random.randint(0, 30)}",
            f"/gaps?max_distance_m={random.choice([800, 1200, 1600, 2400])}",
        ]) + "\n")
EOF

cat >"$work/paths.lua" <<'EOF'
local paths = {}
for line in io.lines(os.getenv("SOAK_PATHS")) do paths[#paths + 1] = line end
local i = 0
local pause = tonumber(os.getenv("SOAK_DELAY_MS"))
local statuses = {}
init = function(args) i = math.random(#paths) end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], { ["Accept-Encoding"] = "gzip" })
end
delay = function() return pause end
response = function(status)
  if status >= 400 or (status >= 300 and status ~= 304) then
    io.stderr:write("bad status " .. status .. "\n")
  end
end
EOF

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$serve_pid/status"; }
echo "soak: $secs s on $base (pid $serve_pid); RSS at start $(( $(rss_kb) / 1024 )) MB"
SOAK_PATHS=$work/tiles.txt SOAK_DELAY_MS=4 wrk -t1 -c8 -d"${secs}s" --timeout 10s --latency -s "$work/paths.lua" "$base" \
  >"$work/wrk-tiles.txt" 2>"$work/wrk-tiles.err" &
pids+=($!)
tiles_pid=$!
SOAK_PATHS=$work/features.txt SOAK_DELAY_MS=20 wrk -t1 -c2 -d"${secs}s" --timeout 10s --latency -s "$work/paths.lua" "$base" \
  >"$work/wrk-features.txt" 2>"$work/wrk-features.err" &
pids+=($!)
features_pid=$!

plan_errors=0 reload_errors=0 plans=0 reloads=0
: >"$work/rss.txt"
started=$(date +%s)
next_plan=$((started + 30)) next_reload=$((started + 75)) next_rss=$started
while true; do
  now=$(date +%s)
  elapsed=$((now - started))
  [ "$elapsed" -ge "$secs" ] && break
  if [ "$now" -ge "$next_rss" ]; then
    echo "$elapsed $(rss_kb)" >>"$work/rss.txt"
    next_rss=$((next_rss + 10))
  fi
  if [ "$now" -ge "$next_plan" ]; then
    plans=$((plans + 1))
    code=$(curl -s -o "$work/plan.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
      --data-binary "{\"construction_runs\":1,\"seed\":$plans}" --max-time 60 "$base/plans" || true)
    [ "$code" = "201" ] || { plan_errors=$((plan_errors + 1)); echo "plan $plans: HTTP $code $(head -c 300 "$work/plan.json")"; }
    next_plan=$((next_plan + 30))
  fi
  if [ "$now" -ge "$next_reload" ]; then
    reloads=$((reloads + 1))
    code=$(curl -s -o "$work/reload.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data '{}' \
      --max-time 120 "$base/admin/reload" || true)
    [ "$code" = "200" ] || { reload_errors=$((reload_errors + 1)); echo "reload $reloads: HTTP $code $(head -c 300 "$work/reload.json")"; }
    echo "$elapsed" >>"$work/reload-times.txt"
    next_reload=$((next_reload + 75))
  fi
  sleep 1
done
wait "$tiles_pid" "$features_pid" || true
echo "$secs $(rss_kb)" >>"$work/rss.txt"
kill -0 "$serve_pid" 2>/dev/null || { echo "the server died:"; tail -20 "$work/serve.log"; exit 1; }

# wrk: "Non-2xx or 3xx responses: N" and "Socket errors: connect A, read B, write C, timeout D".
wrk_errors() {
  local file=$1 non2xx socket
  non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$file")
  socket=$(sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1+\2+\3+\4/p' "$file")
  echo $(( ${non2xx:-0} + ${socket:-0} ))
}
percentile() { sed -n "s/^ *$2% *\([0-9.]*[a-z]*\).*/\1/p" "$1"; }
in_ms() { case $1 in *us) echo "scale=3; ${1%us} / 1000" | bc ;; *ms) echo "${1%ms}" ;; *s) echo "scale=3; ${1%s} * 1000" | bc ;; esac; }
tile_errors=$(wrk_errors "$work/wrk-tiles.txt")
feature_errors=$(wrk_errors "$work/wrk-features.txt")
bad_statuses=$(cat "$work/wrk-tiles.err" "$work/wrk-features.err" | grep -c "bad status" || true)
tile_requests=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$work/wrk-tiles.txt")
feature_requests=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$work/wrk-features.txt")
tile_p50=$(in_ms "$(percentile "$work/wrk-tiles.txt" 50)")
tile_p99=$(in_ms "$(percentile "$work/wrk-tiles.txt" 99)")
feature_p50=$(in_ms "$(percentile "$work/wrk-features.txt" 50)")
feature_p99=$(in_ms "$(percentile "$work/wrk-features.txt" 99)")
errors=$((tile_errors + feature_errors + plan_errors + reload_errors))

echo "requests: $tile_requests tiles, $feature_requests feature pages, $plans plans, $reloads reloads"
echo "errors: $errors (tiles $tile_errors, features $feature_errors, plans $plan_errors, reloads $reload_errors; bad statuses seen by wrk: $bad_statuses)"
echo "tiles:    p50 $tile_p50 ms, p99 $tile_p99 ms"
echo "features: p50 $feature_p50 ms, p99 $feature_p99 ms"
echo "RSS (MB) every 10 s: $(awk '{printf "%d ", $2 / 1024}' "$work/rss.txt")"
# The trend over the last 8 minutes (of a 10-minute run; shorter runs: their last 80%): a least-squares line
# through the samples, its rise over the window against the window's mean. Plans kept until the next reload
# make RSS swing by tens of MB with a period of a minute or so; the line sees through that to any drift.
read -r growth mean rise < <(awk -v secs="$secs" '
  $1 >= secs * 0.2 { t = $1; r = $2 / 1024; n++; st += t; sr += r; stt += t * t; str += t * r }
  END { slope = (n * str - st * sr) / (n * stt - st * st); mean = sr / n; rise = slope * secs * 0.8
        printf "%.2f %.0f %.1f\n", rise / mean * 100, mean, rise }' "$work/rss.txt")
echo "RSS trend over the last 80% of the run: ${growth}% (${rise} MB on a mean of ${mean} MB)"
ok=1
[ "$errors" -eq 0 ] || { echo "FAIL: errors"; ok=0; }
[ "$(echo "$growth < 5" | bc)" -eq 1 ] || { echo "FAIL: RSS grew ${growth}%"; ok=0; }
[ "$(echo "$tile_p99 < 10" | bc)" -eq 1 ] || { echo "FAIL: tile p99 $tile_p99 ms"; ok=0; }
[ "$ok" -eq 1 ] && echo "soak: passed"
[ "$ok" -eq 1 ]
