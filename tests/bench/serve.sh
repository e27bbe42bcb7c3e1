#!/usr/bin/env bash
# Benchmark: `catchment serve` under load on loopback with wrk (each run bounded to $SECONDS_PER_RUN s).
#  - tiles: a fixed list of up to 500 London z10-z14 tile paths (from a `catchment tiles` MBTiles export),
#    warmed once so they are cached, then `wrk -t2 -c64 --latency` cycling through them with
#    `Accept-Encoding: gzip`;
#  - peer, in the same run: nginx serving the same tiles as static gzip files from disk (`gzip_static on`,
#    the .mvt.gz bytes taken unchanged from the MBTiles), same wrk run;
#  - GeoJSON items throughput: wrk on /collections/areas/items?limit=1000, features/s = requests/s x 1000.
# Prints requests/s, p50 and p99 latency, the ratio catchment/nginx, features/s and the server's RSS.
#  - cold tiles: a fresh `catchment serve` (no prerendering) asked for 200 distinct z12-z14 tiles, none
#    cached, 8 at a time (curl --parallel): p50, p99 and the slowest, each tile rendered on the worker pool
#    (its zoom generalised first when it is the first of that zoom). No peer renders on demand here.
# Needs wrk and nginx (Debian: wrk nginx-light). Usage: tests/bench/serve.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# The load generator and the static-file peer are only needed here, so they are installed here rather
# than by `make test`: installing nginx on a desktop starts a web server on port 80.
bench_packages=(wrk nginx-light curl)
missing=()
for p in "${bench_packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "serve.sh: installing ${missing[*]} for the benchmark" >&2
  as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
. "$root/tests/bench/lib.sh"
secs=${SECONDS_PER_RUN:-10}
for tool in wrk nginx sqlite3 curl python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install wrk nginx-light sqlite3 curl)" >&2; exit 2; }
done
chmod 755 "$work"  # nginx workers may run as another user
nginx_pid=""
bench_cleanup_extra() { [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null; return 0; }
rss_mb() { echo "scale=1; $(ps -o rss= -p "$1") / 1024" | bc; }

# The tile list and the static tree, both from one MBTiles export (gzip tiles, TMS rows).
timeout 600 "$bin" tiles "$root/data/sample" --constraint-field lad11cd --maxzoom 14 --out "$work/london.mbtiles" >/dev/null 2>&1
select="SELECT zoom_level, tile_column, (1 << zoom_level) - 1 - tile_row FROM tiles WHERE zoom_level BETWEEN 10 AND 14
        ORDER BY (tile_column * 7919 + tile_row * 104729 + zoom_level * 31) % 1009, zoom_level, tile_column, tile_row LIMIT 500"
sqlite3 -separator / "$work/london.mbtiles" "$select" | sed 's|^|/tiles/|; s|$|.mvt|' >"$work/paths.txt"
count=$(wc -l <"$work/paths.txt")
mkdir -p "$work/www"
sqlite3 -separator / "$work/london.mbtiles" "SELECT DISTINCT zoom_level, tile_column FROM ($select)" | sed "s|^|$work/www/tiles/|" | xargs mkdir -p
sqlite3 "$work/london.mbtiles" "SELECT writefile('$work/www/tiles/' || z || '/' || x || '/' || y || '.mvt.gz', d) FROM
  (SELECT zoom_level AS z, tile_column AS x, (1 << zoom_level) - 1 - tile_row AS y, tile_data AS d FROM tiles
   WHERE zoom_level BETWEEN 10 AND 14)" >/dev/null
chmod -R a+rX "$work/www"


# start_server LOG [FLAGS...]: `catchment serve` on the sample in the background; sets started_pid and
# started_port once it is ready.
start_server() {
  local log=$1
  shift
  "$bin" serve "$root/data/sample" --constraint-field lad11cd --port 0 --store none "$@" >"$log" 2>&1 &
  started_pid=$!
  started_port=""
  for _ in $(seq 600); do
    started_port=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$log" | head -1 | sed 's/.*://') || true
    [ -n "$started_port" ] && break
    sleep 0.1
  done
  [ -n "$started_port" ] || { echo "catchment serve did not start:" >&2; cat "$log" >&2; exit 1; }
  for _ in $(seq 600); do
    [ "$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$started_port/ready")" = 200 ] && break
    sleep 0.2
  done
}

# catchment serve on the sample.
start_server "$work/serve.log"
serve_pid=$started_pid
port=$started_port
rss_before=$(rss_mb "$serve_pid")
while read -r path; do  # warm the cache once
  curl -s --max-time 10 -o /dev/null -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port$path"
done <"$work/paths.txt"
curl -s --max-time 30 -o /dev/null "http://127.0.0.1:$port/collections/areas/items?limit=1000"  # and the features' cache
rss_warm=$(rss_mb "$serve_pid")

# nginx on the same tiles, from disk.
nport=$(free_port)
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  types { application/vnd.mapbox-vector-tile mvt; }
  server {
    listen 127.0.0.1:$nport;
    root $work/www;
    location /tiles/ { gzip_static on; add_header Access-Control-Allow-Origin *; }
  }
}
EOF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
nginx_pid=$!
for _ in $(seq 100); do
  curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$nport/" && break
  sleep 0.1
done
first=$(head -1 "$work/paths.txt")
[ "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' -H 'Accept-Encoding: gzip' "http://127.0.0.1:$nport$first")" = 200 ] ||
  { echo "nginx does not serve $first" >&2; cat "$work/nginx/logs/error.log" >&2; exit 1; }

echo "/collections/areas/items?limit=1000" >"$work/items.txt"
read -r c_rps c_p50 c_p99 < <(wrk_paths "$work/paths.txt" "$secs" "http://127.0.0.1:$port")
rss_tiles=$(rss_mb "$serve_pid")
read -r n_rps n_p50 n_p99 < <(wrk_paths "$work/paths.txt" "$secs" "http://127.0.0.1:$nport")
read -r i_rps i_p50 i_p99 < <(wrk_paths "$work/items.txt" "$secs" "http://127.0.0.1:$port")
rss_after=$(rss_mb "$serve_pid")

# Cold tiles: a fresh server, nothing cached nor prerendered; 200 distinct z12-z14 tiles, 8 at once.
start_server "$work/cold.log" --prerender-maxzoom -1 --quiet
cold_pid=$started_pid
cold_port=$started_port
sqlite3 -separator / "$work/london.mbtiles" "SELECT zoom_level, tile_column, (1 << zoom_level) - 1 - tile_row FROM tiles
  WHERE zoom_level BETWEEN 12 AND 14 ORDER BY (tile_column * 7919 + tile_row * 104729 + zoom_level * 31) % 2003 LIMIT 200" |
  sed "s|^|http://127.0.0.1:$cold_port/tiles/|; s|$|.mvt|" >"$work/cold.txt"
cold_args=()
while read -r url; do cold_args+=(-o /dev/null -w '%{http_code} %{time_total}\n' "$url"); done <"$work/cold.txt"
curl -s --no-progress-meter --parallel --parallel-max 8 -H 'Accept-Encoding: gzip' "${cold_args[@]}" >"$work/cold.times"
kill "$cold_pid" 2>/dev/null; wait "$cold_pid" 2>/dev/null || true
read -r cold_n cold_p50 cold_p99 cold_max cold_bad < <(python3 - "$work/cold.times" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
times = sorted(float(t) * 1000 for _, t in rows)
bad = sum(1 for code, _ in rows if code != "200")
pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
print(len(times), pick(0.5), pick(0.99), times[-1], bad)
PY
)
[ "$cold_bad" = 0 ] || { echo "cold tiles: $cold_bad answers were not 200" >&2; exit 1; }

echo "Tiles: $count cached London z10-z14 tiles, gzip, wrk -t2 -c64 -d${secs}s on loopback, $(nproc) CPUs:"
printf '  catchment serve         %10.0f req/s  p50 %8.2f ms  p99 %8.2f ms\n' "$c_rps" "$c_p50" "$c_p99"
printf '  peer: nginx gzip_static %10.0f req/s  p50 %8.2f ms  p99 %8.2f ms\n' "$n_rps" "$n_p50" "$n_p99"
printf '  catchment / nginx       %10.2f x\n' "$(echo "$c_rps / $n_rps" | bc -l)"
echo "GeoJSON items: /collections/areas/items?limit=1000, wrk -t2 -c64 -d${secs}s:"
printf '  catchment serve         %10.1f req/s  p50 %8.2f ms  p99 %8.2f ms  = %.0f features/s\n' "$i_rps" "$i_p50" "$i_p99" \
  "$(echo "$i_rps * 1000" | bc -l)"
echo "Cold tiles: $cold_n distinct uncached London z12-z14 tiles on a fresh server, 8 at a time (curl --parallel):"
printf '  catchment serve         p50 %8.2f ms  p99 %8.2f ms  slowest %8.2f ms (no peer renders on demand in this run)\n' \
  "$cold_p50" "$cold_p99" "$cold_max"
printf 'catchment serve RSS: %s MB loaded, %s MB with the caches warm, %s MB after the tile run, %s MB after the items run\n' \
  "$rss_before" "$rss_warm" "$rss_tiles" "$rss_after"
