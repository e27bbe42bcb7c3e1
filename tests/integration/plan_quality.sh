#!/usr/bin/env bash
# Plan quality on real data, judged by an evaluator written apart from the engine
# (tests/tools/cohesion.py reads the plan's ePCN CSV and the raw NHS registrations itself).
# Usage: plan_quality.sh CATCHMENT SOURCE_DIR SHARED_DATA PYTHON CASE
#   CASE: london (unconstrained), london-boroughs (--constraint-field lad11cd), england-districts,
#         london-repair (--baseline reference: the real PCNs brought into the band, moving few practices)
set -euo pipefail
bin=$1 src=$2 shared=$3 python=$4 case=$5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
london=$shared/london_gp_pcn england=$shared/england
extra=()
case $case in
  london)
    dataset=$src/data/sample args=() band=0.97 cohesion=0.650
    registrations=$london/gp_registrations/gp-reg-pat-prac-lsoa-jul2022-london.csv areas=$london/population/london-mid2020-pop.csv:LSOA11CD ;;
  london-boroughs)
    dataset=$src/data/sample args=(--constraint-field lad11cd) band=0.96 cohesion=0.645
    registrations=$london/gp_registrations/gp-reg-pat-prac-lsoa-jul2022-london.csv areas=$london/population/london-mid2020-pop.csv:LSOA11CD ;;
  england-districts)
    dataset=$src/data/descriptions/england-shared.toml args=(--constraint-field lad_code) band=0.95 cohesion=0.735
    registrations=$england/gp-reg-pat-prac-lsoa-jul2022-england.csv areas=$england/england_lsoa11.gpkg:lsoa11cd ;;
  london-repair)
    dataset=$src/data/sample args=(--baseline reference) band=0.90 cohesion=0.58
    extra=(--own-reference "$london/practices/practices-jul2022-london-subset.csv:practice_code:pcn_code_epcn_2022_07_01" --require-with-own-reference 0.90)
    registrations=$london/gp_registrations/gp-reg-pat-prac-lsoa-jul2022-london.csv areas=$london/population/london-mid2020-pop.csv:LSOA11CD ;;
  *) echo "unknown case $case" >&2; exit 2 ;;
esac
"$bin" plan "$dataset" "${args[@]}" --out "$work/plan.gpkg" --report "$work/report.json" --quiet
result=$("$python" "$src/tests/tools/cohesion.py" --registrations "$registrations" --areas "$areas" --plan "$work/plan-networks.csv" \
  --require-share-in-band "$band" --require-cohesion "$cohesion" --compare-report "$work/report.json" "${extra[@]}")
if [ "$case" = london-repair ]; then  # networks kept from the real PCNs may stay in pieces, as those were
  echo "$case: $result (required: $band in band, cohesion $cohesion, 90% of practices mostly among their own PCN)"
  exit 0
fi
contiguity=$("$python" -c 'import json, sys; s = json.load(open(sys.argv[1]))["summary"]["plan"]; print(s["non_contiguous"])' "$work/report.json")
[ "$contiguity" = 0 ] || { echo "$case: $contiguity networks are not contiguous" >&2; exit 1; }
echo "$case: $result (required: $band in band, cohesion $cohesion; every network contiguous)"
