#!/usr/bin/env python3
"""Independent check of a plan's quality, written apart from the engine (tests and benchmarks use it).

Cohesion as in Beaney et al. 2022 (BJGP Open): every area's dominant network is the network whose
member practices have most registered patients living there (ties to the lower network id); cohesion
is the share of the networks' patients, living in study areas, who live in an area dominated by their
own practice's network.

Usage: cohesion.py --registrations CSV --areas SOURCE[:FIELD] (--plan NETWORKS.csv | --reference PRACTICES.csv:CODE:PCN[:FIELD=VALUE])
                   [--min 30000] [--max 50000] [--json]
                   [--require-share-in-band S] [--require-cohesion C] [--compare-report REPORT.json]
                   [--own-reference PRACTICES.csv:CODE:PCN [--require-with-own-reference S]]
The --require options exit 1 when the plan falls short; --compare-report exits 1 when the engine's
own report (catchment plan --report) gives another cohesion than this independent count.
--plan reads the ePCN-style CSV `catchment plan` writes (Partner Organisation Code, PCN Code, List Size).
--reference reads a practice table, grouping practices by a network column (only rows where FIELD is VALUE).
--own-reference counts the practices (with a network in that table) whose plan network's members mostly
(more than half) share their network there: how far a plan repaired from the real PCNs keeps them together.
"""
import argparse, csv, json, statistics, sys
from collections import defaultdict


def read_area_codes(spec):
    path, _, field = spec.partition(":")
    if path.endswith(".csv"):
        with open(path, newline="", encoding="utf-8-sig") as f:
            return {row[field] for row in csv.DictReader(f)}
    from osgeo import ogr  # Debian python3-gdal
    ds = ogr.Open(path)
    layer = ds.GetLayer(0)
    return {feature.GetField(field) for feature in layer}


def read_registrations(path, practice="OrganisationCode", area="LSOA11CD", patients="Patient"):
    rows = []
    with open(path, newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            rows.append((row[practice], row[area], int(row[patients])))
    return rows


def read_plan(path):
    network, list_size = {}, {}
    with open(path, newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            network[row["Partner Organisation Code"]] = row["PCN Code"]
            list_size[row["Partner Organisation Code"]] = int(row["List Size"])
    return network, list_size


def read_reference(spec, registrations):
    path, code_field, network_field, *only = spec.split(":")
    keep = dict(condition.split("=", 1) for condition in only)
    network = {}
    with open(path, newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if row[network_field] and all(row[k] == v for k, v in keep.items()):
                network[row[code_field]] = row[network_field]
    list_size = defaultdict(int)
    for practice, _, patients in registrations:
        list_size[practice] += patients
    return network, list_size


def evaluate(network, list_size, registrations, study_areas, low, high):
    by_area = defaultdict(lambda: defaultdict(int))
    for practice, area, patients in registrations:
        if area in study_areas and practice in network:
            by_area[area][network[practice]] += patients
    total = inside = 0
    for counts in by_area.values():
        dominant = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        inside += dominant[1]
        total += sum(counts.values())
    sizes = defaultdict(int)
    for practice, n in network.items():
        sizes[n] += list_size.get(practice, 0)
    values = sorted(sizes.values())
    in_band = sum(low <= v <= high for v in values)
    return {"networks": len(values), "in_band": in_band, "share_in_band": in_band / len(values),
            "median_list_size": statistics.median(values), "cohesion": inside / total,
            "patients_counted": total}


def with_own_reference(network, spec):
    path, code_field, network_field = spec.split(":")[:3]
    with open(path, newline="", encoding="utf-8-sig") as f:
        own = {row[code_field]: row[network_field] for row in csv.DictReader(f) if row[network_field]}
    members = defaultdict(list)
    for practice, n in network.items():
        members[n].append(practice)
    counted = kept = 0
    for practices in members.values():
        for p in practices:
            if p not in own:
                continue
            counted += 1
            kept += 2 * sum(own.get(q) == own[p] for q in practices) > len(practices)
    return kept / counted if counted else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registrations", required=True)
    parser.add_argument("--areas", required=True, help="SOURCE:FIELD naming the study areas' codes")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--plan")
    group.add_argument("--reference")
    parser.add_argument("--min", type=int, default=30000)
    parser.add_argument("--max", type=int, default=50000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--require-share-in-band", type=float)
    parser.add_argument("--require-cohesion", type=float)
    parser.add_argument("--compare-report")
    parser.add_argument("--own-reference")
    parser.add_argument("--require-with-own-reference", type=float)
    args = parser.parse_args()
    registrations = read_registrations(args.registrations)
    study_areas = read_area_codes(args.areas)
    network, list_size = read_plan(args.plan) if args.plan else read_reference(args.reference, registrations)
    result = evaluate(network, list_size, registrations, study_areas, args.min, args.max)
    if args.own_reference:
        result["with_own_reference"] = with_own_reference(network, args.own_reference)
    failures = []
    if args.require_with_own_reference is not None and result.get("with_own_reference", 0) < args.require_with_own_reference:
        failures.append(f"practices mostly among their own reference network {result.get('with_own_reference', 0):.4f} < {args.require_with_own_reference}")
    if args.require_share_in_band is not None and result["share_in_band"] < args.require_share_in_band:
        failures.append(f"share in band {result['share_in_band']:.4f} < {args.require_share_in_band}")
    if args.require_cohesion is not None and result["cohesion"] < args.require_cohesion:
        failures.append(f"cohesion {result['cohesion']:.4f} < {args.require_cohesion}")
    if args.compare_report:
        with open(args.compare_report, encoding="utf-8") as f:
            reported = json.load(f)["summary"]["plan"]
        if abs(reported["cohesion"] - result["cohesion"]) > 1e-9 or reported["networks"] != result["networks"]:
            failures.append(f"the engine reports {reported['networks']} networks and cohesion {reported['cohesion']:.6f}; "
                            f"counted here: {result['networks']} and {result['cohesion']:.6f}")
    if args.json:
        json.dump(result, sys.stdout)
        print()
    else:
        r = result
        print(f"networks {r['networks']}, in band {r['in_band']} ({100 * r['share_in_band']:.1f}%), "
              f"median list {r['median_list_size']:.0f}, cohesion {100 * r['cohesion']:.2f}%"
              + (f", practices mostly among their own reference network {100 * r['with_own_reference']:.1f}%" if "with_own_reference" in r else ""))
    for failure in failures:
        print("FAIL:", failure, file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
