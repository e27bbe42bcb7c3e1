#!/usr/bin/env bash
# Benchmark: `catchment plan` on all London (bundled sample, borough constraint), on all England
# (../shared/data/england, district constraint; real data, when present) and on an England-sized
# synthetic dataset generated here. Prints the median wall time and peak RSS of each against its goal.
# Peer, measured in the same run: GDAL with SpatiaLite dissolving the same London areas by the plan's
# network ids (ST_Union ... GROUP BY), i.e. only the boundary step a GIS script would still do after
# choosing the groups; and the quality of each plan counted by the independent evaluator
# (tests/tools/cohesion.py) beside the real PCNs'.
# Usage: tests/bench/plan.sh [runs]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-3}
bin=${CATCHMENT_BIN:-$root/build/catchment}
gen=${SYNTHETIC_BIN:-$root/build/tests/make_synthetic_dataset}
shared=${CATCHMENT_SHARED_DATA:-$root/../shared/data}
python=${CATCHMENT_PYTHON:-/usr/bin/python3}
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
meets() { echo "$1 < $2" | bc -l | sed 's/1/met/; s/0/NOT MET/'; }
quality() {  # quality REGISTRATIONS AREAS (--plan CSV | --reference ...)
  "$python" "$root/tests/tools/cohesion.py" --registrations "$1" --areas "$2" "${@:3}"
}

read -r london_s london_kb < <(measure "$bin" plan "$root/data/sample" --constraint-field lad11cd --out "$work/london.gpkg" --quiet)
read -r peer_s peer_kb < <(measure ogrinfo -ro -q -dialect SQLite \
  -sql "SELECT network_id, ST_Union(geom) FROM areas GROUP BY network_id" "$work/london.gpkg")
"$gen" "$work/synthetic" >/dev/null
read -r synthetic_s synthetic_kb < <(measure "$bin" plan "$work/synthetic" --constraint-field grp --out "$work/synthetic.gpkg" --quiet)

echo "catchment plan, median of $runs runs on $(nproc) cores"
printf '  London (4,835 areas, 1,183 practices), lad11cd     %6.2f s  peak RSS %7.1f MB  goal < 1 s: %s\n' "$london_s" "$(mb "$london_kb")" "$(meets "$london_s" 1)"
printf '  peer: GDAL/SpatiaLite dissolve of London by network %6.2f s  peak RSS %7.1f MB\n' "$peer_s" "$(mb "$peer_kb")"
printf '  ratio whole plan / peer dissolve alone              %6.2f\n' "$(echo "$london_s/$peer_s" | bc -l)"
if [ -d "$shared/england" ]; then
  read -r england_s england_kb < <(measure "$bin" plan "$root/data/descriptions/england-shared.toml" --constraint-field lad_code \
    --out "$work/england.gpkg" --quiet)
  printf '  England (32,844 areas, 6,476 practices), lad_code   %6.2f s  peak RSS %7.1f MB  goals < 10 s: %s, < 1 GB: %s\n' \
    "$england_s" "$(mb "$england_kb")" "$(meets "$england_s" 10)" "$(meets "$england_kb" 1048576)"
fi
printf '  England-sized synthetic (33,124 areas, 6,500 pr.)   %6.2f s  peak RSS %7.1f MB\n' "$synthetic_s" "$(mb "$synthetic_kb")"

if [ -d "$shared/london_gp_pcn" ]; then
  echo
  echo "Quality, counted by tests/tools/cohesion.py (cohesion as Beaney et al. 2022 define it):"
  l=$shared/london_gp_pcn
  lreg=$l/gp_registrations/gp-reg-pat-prac-lsoa-jul2022-london.csv lareas=$l/population/london-mid2020-pop.csv:LSOA11CD
  "$bin" plan "$root/data/sample" --out "$work/london-free.gpkg" --quiet
  echo "  London, unconstrained:    $(quality "$lreg" "$lareas" --plan "$work/london-free-networks.csv")"
  echo "  London, lad11cd:          $(quality "$lreg" "$lareas" --plan "$work/london-networks.csv")"
  echo "  London, real PCNs:        $(quality "$lreg" "$lareas" --reference "$l/practices/practices-jul2022-london-subset.csv:practice_code:pcn_code_epcn_2022_07_01:in_london_lad=True")"
  if [ -d "$shared/england" ]; then
    e=$shared/england
    echo "  England, lad_code:        $(quality "$e/gp-reg-pat-prac-lsoa-jul2022-england.csv" "$e/england_lsoa11.gpkg:lsoa11cd" --plan "$work/england-networks.csv")"
    echo "  England, real PCNs:       $(quality "$e/gp-reg-pat-prac-lsoa-jul2022-england.csv" "$e/england_lsoa11.gpkg:lsoa11cd" --reference "$e/practices-jul2022-england.csv:practice_code:pcn_code")"
  fi
fi
