#!/usr/bin/env bash
# Benchmark: accessibility (E2SFCA) over every area of the bundled London sample, against the same
# E2SFCA written as one SpatiaLite SQL query through GDAL (what an analyst would run in a GIS), measured
# in the same run; then all England (when ../shared/data/england is there) with five suggested sites.
# Usage: tests/bench/access.sh  (needs the build's access_timing and GDAL's ogrinfo)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
timing=${ACCESS_TIMING:-$root/build/tests/access_timing}
shared=${CATCHMENT_SHARED_DATA:-$root/../shared/data}
[ -x "$timing" ] || { echo "build first: $timing" >&2; exit 2; }

london=$("$timing" "$root/data/sample" --constraint-field lad11cd)
ours=$(echo "$london" | awk '/^e2sfca/ {print $8}')
sql="WITH pts AS (SELECT lsoa11cd AS area, population AS pop, ST_PointOnSurface(geom) AS pt FROM areas),
pairs AS (SELECT a.area, a.pop, p.practice_code AS practice, p.list_size AS supply, ST_Distance(a.pt, p.geom) AS d
          FROM pts a, practices p WHERE ST_Distance(a.pt, p.geom) <= 10000),
weighted AS (SELECT area, pop, practice, supply, CASE WHEN d <= 1600 THEN 1.0 WHEN d <= 5000 THEN 0.68 ELSE 0.22 END AS w FROM pairs),
ratio AS (SELECT practice, MAX(supply) / SUM(pop * w) AS r FROM weighted GROUP BY practice)
SELECT SUM(weighted.pop * weighted.w * ratio.r) AS conserved FROM weighted JOIN ratio USING (practice)"
start=$(date +%s.%N)
peer_out=$(ogrinfo -ro -q -dialect SQLite -sql "$sql" "$root/data/sample/london.gpkg")
peer=$(echo "$(date +%s.%N) - $start" | bc)
peer_conserved=$(echo "$peer_out" | awk -F'= ' '/conserved/ {printf "%.0f", $2}')

echo "Accessibility (E2SFCA, bands 1.6/5/10 km) on $(nproc) cores"
echo "$london" | sed 's/^/  London: /'
printf '  London peer, SpatiaLite SQL through GDAL: %.3f s, conserved %s\n' "$peer" "$peer_conserved"
printf '  ratio peer / catchment: %.0fx\n' "$(echo "$peer / $ours" | bc -l)"
if [ -d "$shared/england" ]; then
  echo "  England: $("$timing" "$root/data/descriptions/england-shared.toml" --constraint-field lad_code | tr '\n' ';' | sed 's/;/; /g')"
fi
