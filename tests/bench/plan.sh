#!/usr/bin/env bash
# Benchmark: `catchment plan` on all London (bundled sample, borough constraint), on all England
# (../shared/data/england, district constraint; real data, when present) and on an England-sized
# synthetic dataset generated here. Prints the median wall time and peak RSS of each against its goal.
# Peer, measured in the same run: GDAL with SpatiaLite dissolving the same London areas by the plan's
# network ids (ST_Union ... GROUP BY), i.e. only the boundary step a GIS script would still do after
# choosing the groups; and the quality of each plan counted by the independent evaluator
# (tests/tools/cohesion.py) beside the real PCNs'. What-ifs (re-planning from the plain plan with a
# practice closed; the real PCNs repaired) against planning afresh, and the repaired PCNs' quality.
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

# What-ifs: re-planning from a baseline, against planning afresh (the peer) in the same run.
read -r closed_s closed_kb < <(measure "$bin" plan "$root/data/sample" --constraint-field lad11cd --baseline "$work/london.gpkg" \
  --exclude F84012 --out "$work/london-closed.gpkg" --quiet)
read -r repair_s repair_kb < <(measure "$bin" plan "$root/data/sample" --baseline reference --out "$work/london-repair.gpkg" --quiet)
echo
echo "What-ifs, median of $runs runs"
printf '  London lad11cd, F84012 closes, from the plain plan %6.2f s  peak RSS %7.1f MB  ratio to planning afresh %.2f\n' \
  "$closed_s" "$(mb "$closed_kb")" "$(echo "$closed_s/$london_s" | bc -l)"
printf '  London, the real PCNs repaired (--baseline reference) %6.2f s  peak RSS %7.1f MB\n' "$repair_s" "$(mb "$repair_kb")"
if [ -d "$shared/england" ]; then
  read -r erepair_s erepair_kb < <(measure "$bin" plan "$root/data/descriptions/england-shared.toml" --baseline reference \
    --out "$work/england-repair.gpkg" --quiet)
  printf '  England, the real PCNs repaired                    %6.2f s  peak RSS %7.1f MB  ratio to planning afresh %.2f\n' \
    "$erepair_s" "$(mb "$erepair_kb")" "$(echo "$erepair_s/$england_s" | bc -l)"
fi

if [ -d "$shared/london_gp_pcn" ]; then
  echo
  echo "Quality, counted by tests/tools/cohesion.py (cohesion as Beaney et al. 2022 define it):"
  l=$shared/london_gp_pcn
  lreg=$l/gp_registrations/gp-reg-pat-prac-lsoa-jul2022-london.csv lareas=$l/population/london-mid2020-pop.csv:LSOA11CD
  "$bin" plan "$root/data/sample" --out "$work/london-free.gpkg" --quiet
  echo "  London, unconstrained:    $(quality "$lreg" "$lareas" --plan "$work/london-free-networks.csv")"
  echo "  London, lad11cd:          $(quality "$lreg" "$lareas" --plan "$work/london-networks.csv")"
  echo "  London, real PCNs:        $(quality "$lreg" "$lareas" --reference "$l/practices/practices-jul2022-london-subset.csv:practice_code:pcn_code_epcn_2022_07_01:in_london_lad=True")"
  echo "  London, real PCNs repaired: $(quality "$lreg" "$lareas" --plan "$work/london-repair-networks.csv" \
    --own-reference "$l/practices/practices-jul2022-london-subset.csv:practice_code:pcn_code_epcn_2022_07_01")"
  if [ -d "$shared/england" ]; then
    e=$shared/england
    echo "  England, lad_code:        $(quality "$e/gp-reg-pat-prac-lsoa-jul2022-england.csv" "$e/england_lsoa11.gpkg:lsoa11cd" --plan "$work/england-networks.csv")"
    echo "  England, real PCNs:       $(quality "$e/gp-reg-pat-prac-lsoa-jul2022-england.csv" "$e/england_lsoa11.gpkg:lsoa11cd" --reference "$e/practices-jul2022-england.csv:practice_code:pcn_code")"
    echo "  England, real PCNs repaired: $(quality "$e/gp-reg-pat-prac-lsoa-jul2022-england.csv" "$e/england_lsoa11.gpkg:lsoa11cd" \
      --plan "$work/england-repair-networks.csv" --own-reference "$e/practices-jul2022-england.csv:practice_code:pcn_code")"
  fi
fi
