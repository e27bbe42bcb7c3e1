#!/usr/bin/env bash
# Benchmark: `catchment inspect` on all London (shapefile + CSVs from ../shared/data) against GDAL
# doing comparable work on the same files in the same run: reading every feature of the four
# sources, checking polygon validity (SpatiaLite ST_IsValid) and summing population and patients.
# Prints median wall time and peak RSS of each, and the ratios. Usage: tests/bench/inspect_london.sh [runs]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-5}
bin=${CATCHMENT_BIN:-$root/build/catchment}
data=${CATCHMENT_SHARED_DATA:-$root/../shared/data}/london_gp_pcn
[ -x "$bin" ] || { echo "build first: $bin not found" >&2; exit 2; }
[ -d "$data" ] || { echo "London data not found at $data" >&2; exit 2; }

# measure NAME COMMAND...: runs it $runs times, prints "median_seconds peak_rss_kb".
measure() {
  local times=() rss=0 out
  out=$(mktemp)
  for _ in $(seq "$runs"); do
    local line
    /usr/bin/time -o "$out" -f '%e %M' "$@" >/dev/null 2>&1
    line=$(tail -1 "$out")
    times+=("${line% *}")
    if (( ${line#* } > rss )); then rss=${line#* }; fi
  done
  rm -f "$out"
  printf '%s %s\n' "$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" "$rss"
}

peer() {
  ogrinfo -ro -q -dialect SQLite -sql "SELECT SUM(ST_IsValid(GEOMETRY)), COUNT(*) FROM \"london-2011-lsoa-gen20\"" \
    "$data/boundaries/london-2011-lsoa-gen20.shp" &&
  ogrinfo -ro -q -dialect SQLite -sql "SELECT SUM(CAST(\"Persons_All-Ages\" AS INTEGER)) FROM \"london-mid2020-pop\"" \
    "$data/population/london-mid2020-pop.csv" &&
  ogrinfo -ro -q -dialect SQLite -sql "SELECT SUM(CAST(patients_jul2022 AS INTEGER)) FROM \"practices-jul2022-london-subset\" WHERE in_london_lad = 'True'" \
    "$data/practices/practices-jul2022-london-subset.csv" &&
  ogrinfo -ro -q -dialect SQLite -sql "SELECT SUM(CAST(Patient AS INTEGER)) FROM \"gp-reg-pat-prac-lsoa-jul2022-london\"" \
    "$data/gp_registrations/gp-reg-pat-prac-lsoa-jul2022-london.csv"
}
export -f peer
export data

read -r ours_s ours_kb < <(measure "$bin" inspect "$root/data/descriptions/london-shared.toml")
read -r peer_s peer_kb < <(measure bash -c peer)
echo "catchment inspect, all London (4,835 LSOAs, 1,183 practices, 304,958 registration rows), median of $runs runs"
printf '  catchment inspect      %6.2f s   peak RSS %6.1f MB\n' "$ours_s" "$(echo "$ours_kb/1024" | bc -l)"
printf '  peer: GDAL ogrinfo x4  %6.2f s   peak RSS %6.1f MB (largest of the four)\n' "$peer_s" "$(echo "$peer_kb/1024" | bc -l)"
printf '  ratio catchment/peer   time %.2f   memory %.2f\n' "$(echo "$ours_s/$peer_s" | bc -l)" "$(echo "$ours_kb/$peer_kb" | bc -l)"
printf '  goals: under 1 s (%s) and under 300 MB (%s)\n' \
  "$(echo "$ours_s < 1" | bc -l | sed 's/1/met/;s/0/missed/')" "$(echo "$ours_kb < 300*1024" | bc -l | sed 's/1/met/;s/0/missed/')"
