#!/usr/bin/env bash
# Benchmark: all England (../shared/data/england) through every command, each figure printed beside the
# goal of the national-scale issue:
#  - inspect (goal < 5 s);
#  - plan with the district constraint (lad_code);
#  - tiles z0-14 to PMTiles (goals < 30 s and < 1 GB peak RSS); peer in the same run: GDAL's own MVT
#    writer (ogr2ogr -f MBTiles) on the plan's networks layer alone, z0-14;
#  - serve: seconds until /ready, RSS once loaded, and RSS after browsing (every tile z0-8 over
#    England, 2,000 tiles z9-14 along a diagonal of the country, and every page of each collection at
#    limit=10000) (goal < 1 GB).
# Usage: tests/bench/england.sh  (needs curl and GDAL's ogr2ogr; skips when ../shared/data/england is absent)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/bench/lib.sh"
require_england england.sh
dataset=$root/data/descriptions/england-shared.toml
mb() { echo "scale=1; $1/1024" | bc; }
meets() { echo "$1 < $2" | bc -l | sed 's/1/met/; s/0/NOT MET/'; }
# timed COMMAND...: runs it once, prints "seconds peak_rss_kb".
timed() {
  /usr/bin/time -o "$work/time" -f '%e %M' "$@" >/dev/null 2>&1
  tail -1 "$work/time"
}

read -r inspect_s inspect_kb < <(timed "$bin" inspect "$dataset")
read -r plan_s plan_kb < <(timed "$bin" plan "$dataset" --constraint-field lad_code --out "$work/england.gpkg" --quiet)
read -r tiles_s tiles_kb < <(timed "$bin" tiles "$dataset" --constraint-field lad_code --maxzoom 14 --out "$work/england.pmtiles")
read -r peer_s peer_kb < <(timed ogr2ogr -f MBTiles "$work/peer.mbtiles" "$work/england.gpkg" networks -dsco MAXZOOM=14)

echo "All England (32,844 areas, 6,476 practices, 865,965 registration rows) on $(nproc) cores"
printf '  inspect                                %7.2f s  peak RSS %7.1f MB  goal < 5 s: %s\n' "$inspect_s" "$(mb "$inspect_kb")" "$(meets "$inspect_s" 5)"
printf '  plan, lad_code                         %7.2f s  peak RSS %7.1f MB\n' "$plan_s" "$(mb "$plan_kb")"
printf '  tiles z0-14 (every layer) to PMTiles   %7.2f s  peak RSS %7.1f MB  goals < 30 s: %s, < 1 GB: %s\n' \
  "$tiles_s" "$(mb "$tiles_kb")" "$(meets "$tiles_s" 30)" "$(meets "$tiles_kb" 1048576)"
printf '  peer: ogr2ogr -f MBTiles, networks only %6.2f s  peak RSS %7.1f MB  ratio catchment/peer %.2f\n' \
  "$peer_s" "$(mb "$peer_kb")" "$(echo "$tiles_s/$peer_s" | bc -l)"

serve_until_ready "$work/serve.log" "$dataset" --constraint-field lad_code --quiet --store none
loaded_kb=$(ps -o rss= -p "$serve_pid")
# Browse: every tile z0-8 over England, then 2,000 tiles z9-14 along the diagonal Penzance - Berwick.
python3 - "$port" > "$work/urls" <<'EOF'
import math, sys
port = sys.argv[1]
def tile(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y
urls = []
for z in range(0, 9):
    x0, y0 = tile(-6.5, 55.9, z); x1, y1 = tile(1.8, 49.9, z)
    urls += [f"http://127.0.0.1:{port}/tiles/{z}/{x}/{y}.mvt" for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
for i in range(2000):
    t = i / 1999
    z = 9 + i % 6
    x, y = tile(-5.5 + t * 7.5, 50.1 + t * 5.6, z)
    urls.append(f"http://127.0.0.1:{port}/tiles/{z}/{x}/{y}.mvt")
print("\n".join(urls))
EOF
xargs -P 4 -I{} curl -s -o /dev/null {} < "$work/urls"
for collection in practices areas catchments networks network_borders gaps; do
  url="http://127.0.0.1:$port/collections/$collection/items?limit=10000"
  while [ -n "$url" ]; do
    url=$(curl -s "$url" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(next((l["href"] for l in d.get("links",[]) if l.get("rel")=="next"), ""))')
  done
done
browsed_kb=$(ps -o rss= -p "$serve_pid")
printf '  serve: ready after                     %7.2f s\n' "$ready_s"
printf '  serve: RSS once loaded                 %7.1f MB\n' "$(mb "$loaded_kb")"
printf '  serve: RSS after browsing and paging   %7.1f MB  goal < 1 GB: %s\n' "$(mb "$browsed_kb")" "$(meets "$browsed_kb" 1048576)"
