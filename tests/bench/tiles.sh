#!/usr/bin/env bash
# Benchmark: vector tiles of all London (bundled sample, borough constraint).
#  - cold tile encode, median and p99, at z8, z12 and z14 (tests/bench/tile_timing.cpp);
#  - the full z0-z14 MBTiles export by `catchment tiles`;
#  - peer, in the same run: GDAL's own MVT writer (`ogr2ogr -f MBTiles`) writing the same layers of the same
#    plan (networks, network_borders, catchments, practices, areas, gaps from `catchment plan`) for z0-z14.
# Prints the times and the ratio. Usage: tests/bench/tiles.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CATCHMENT_BIN:-$root/build/catchment}
timing=${TIMING_BIN:-$root/build/tests/tile_timing}
[ -x "$bin" ] && [ -x "$timing" ] || { echo "build first: $bin and $timing" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seconds() { /usr/bin/time -o "$work/t" -f '%e %M' "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }; cat "$work/t"; }

echo "Cold tile encode (every tile with data over London, no cache):"
"$timing" "$root/data/sample" --constraint-field lad11cd --zooms 8,12,14 | sed 's/^/  /'

read -r ours ours_kb < <(seconds "$bin" tiles "$root/data/sample" --constraint-field lad11cd --minzoom 0 --maxzoom 14 --out "$work/ours.mbtiles")
"$bin" plan "$root/data/sample" --constraint-field lad11cd --out "$work/plan.gpkg" --quiet
read -r gdal gdal_kb < <(seconds ogr2ogr -f MBTiles "$work/gdal.mbtiles" "$work/plan.gpkg" networks network_borders catchments practices areas gaps \
  -dsco MINZOOM=0 -dsco MAXZOOM=14)
echo "Full z0-z14 MBTiles export of the same London layers:"
printf '  catchment tiles (plans too)     %7.2f s  peak RSS %7.1f MB  %8d tiles\n' "$ours" "$(echo "scale=1; $ours_kb/1024" | bc)" \
  "$(sqlite3 "$work/ours.mbtiles" 'SELECT COUNT(*) FROM tiles')"
printf '  peer: GDAL ogr2ogr -f MBTiles   %7.2f s  peak RSS %7.1f MB  %8d tiles\n' "$gdal" "$(echo "scale=1; $gdal_kb/1024" | bc)" \
  "$(sqlite3 "$work/gdal.mbtiles" 'SELECT COUNT(*) FROM tiles')"
printf '  speed-up over GDAL              %7.2fx  (goal: at least 3x)\n' "$(echo "$gdal/$ours" | bc -l)"
