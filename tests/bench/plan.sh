#!/usr/bin/env bash
# Benchmark: `catchment plan` on all London (bundled sample, borough constraint) and on an
# England-sized synthetic dataset (about 33,000 areas and 6,500 practices) generated here.
# Peer, measured in the same run: GDAL with SpatiaLite dissolving the same London areas by the plan's
# network ids (ST_Union ... GROUP BY), i.e. only the boundary step a GIS script would still do after
# choosing the groups. Prints median wall time and peak RSS, and the ratio.
# Usage: tests/bench/plan.sh [runs]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-3}
bin=${CATCHMENT_BIN:-$root/build/catchment}
gen=${SYNTHETIC_BIN:-$root/build/tests/make_synthetic_dataset}
[ -x "$bin" ] && [ -x "$gen" ] || { echo "build first: $bin and $gen" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# measure COMMAND...: runs it $runs times, prints "median_seconds peak_rss_kb".
measure() {
  local times=() rss=0 out="$work/time"
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$out" -f '%e %M' "$@" >/dev/null 2>&1
    local line
    line=$(tail -1 "$out")
    times+=("${line% *}")
    if (( ${line#* } > rss )); then rss=${line#* }; fi
  done
  printf '%s %s\n' "$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" "$rss"
}
mb() { echo "scale=1; $1/1024" | bc; }

read -r london_s london_kb < <(measure "$bin" plan "$root/data/sample" --constraint-field lad11cd --out "$work/london.gpkg" --quiet)
read -r peer_s peer_kb < <(measure ogrinfo -ro -q -dialect SQLite \
  -sql "SELECT network_id, ST_Union(geom) FROM areas GROUP BY network_id" "$work/london.gpkg")

"$gen" "$work/england" >/dev/null
read -r england_s england_kb < <(measure "$bin" plan "$work/england" --constraint-field grp --out "$work/england.gpkg" --quiet)

echo "catchment plan, median of $runs runs"
printf '  London (4,835 areas, 1,183 practices), whole plan   %6.2f s  peak RSS %7.1f MB  (goal < 3 s, < 500 MB)\n' "$london_s" "$(mb "$london_kb")"
printf '  peer: GDAL/SpatiaLite dissolve of London by network %6.2f s  peak RSS %7.1f MB\n' "$peer_s" "$(mb "$peer_kb")"
printf '  ratio whole plan / peer dissolve alone              %6.2f\n' "$(echo "$london_s/$peer_s" | bc -l)"
printf '  England-sized synthetic (33,124 areas, 6,500 pr.)   %6.2f s  peak RSS %7.1f MB  (goal < 30 s, < 2 GB)\n' "$england_s" "$(mb "$england_kb")"
echo
echo "London quality (plan vs the real PCNs):"
"$bin" plan "$root/data/sample" --constraint-field lad11cd --out "$work/london2.gpkg" | sed -n '/Plan .*Reference/,/^Runtime/p'
