#include "geo/networks.hpp"

#include "geo/baseline_repair.hpp"
#include "geo/exact_partition.hpp"
#include "geo/parallel.hpp"
#include "geo/region_search.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <unordered_map>

namespace geo {

std::string_view to_string(BandCause cause) {
    switch (cause) {
        case BandCause::none: return "";
        case BandCause::locked: return "locked";
        case BandCause::alone_above_max:
        case BandCause::part_below_min:
        case BandCause::part_unsplittable: return "forced";
        case BandCause::not_reached: return "not_reached";
    }
    return {};
}

namespace {

constexpr double kRefineSweepShare = 0.5;  // the second pass: half the sweeps...
constexpr double kRefineHeat = 1.0;        // ...from the usual starting temperature
constexpr int kRefineRestart = 1000;       // its seeds differ from every first-pass restart's
constexpr int kSettleRestart = 2000;       // likewise for a part searched again from a partition all in the band

// The search counts, for each unit, the areas holding this share of its patients, most first (in
// London about a third of the rows). The rest are patients scattered one or two to an area, which
// hardly ever decide which network dominates an area, and would triple the work of every move.
// Reported cohesion counts every row.
constexpr double kSearchedPatientShare = 0.95;


using partition_detail::fixed_alone;

/// Connected groups of free units that share a constraint value, each sorted.
std::vector<std::vector<std::uint32_t>> find_parts(const PartitionProblem& p) {
    const std::size_t n = p.weight.size();
    std::vector<bool> seen(n, false);
    std::vector<std::vector<std::uint32_t>> parts;
    for (std::uint32_t start = 0; start < n; ++start) {
        if (seen[start] || fixed_alone(p, start)) continue;
        std::vector<std::uint32_t> part, stack{start};
        seen[start] = true;
        while (!stack.empty()) {
            const std::uint32_t u = stack.back();
            stack.pop_back();
            part.push_back(u);
            for (const auto& [v, length] : p.neighbours[u]) {
                if (seen[v] || fixed_alone(p, v) || p.constraint[v] != p.constraint[u]) continue;
                seen[v] = true;
                stack.push_back(v);
            }
        }
        std::sort(part.begin(), part.end());
        parts.push_back(std::move(part));
    }
    return parts;
}

}  // namespace

namespace partition_detail {

bool fixed_alone(const PartitionProblem& p, std::uint32_t u) { return p.locked_region[u] >= 0 || p.weight[u] > p.max_weight; }

/// Per area, the most patients any fixed region (locked, or a unit alone above the maximum) has there.
std::vector<std::int64_t> fixed_background(const PartitionProblem& p) {
    std::map<std::pair<std::uint32_t, std::int64_t>, std::int64_t> counts;  // (area, fixed region key) -> patients
    for (std::uint32_t u = 0; u < p.weight.size(); ++u) {
        if (!fixed_alone(p, u)) continue;
        const std::int64_t key = p.locked_region[u] >= 0 ? p.locked_region[u] : p.locked_regions + static_cast<std::int64_t>(u);
        for (const auto& [area, n] : p.patients[u]) counts[{area, key}] += n;
    }
    std::vector<std::int64_t> background(p.areas, 0);
    for (const auto& [key, n] : counts) background[key.first] = std::max(background[key.first], n);
    return background;
}

PartProblem make_part(const PartitionProblem& p, const std::vector<std::uint32_t>& units, const std::vector<std::int64_t>& background) {
    PartProblem part;
    part.units = units;
    part.min_weight = p.min_weight;
    part.max_weight = p.max_weight;
    const std::size_t n = units.size();
    std::unordered_map<std::uint32_t, std::uint32_t> local;
    for (std::uint32_t i = 0; i < n; ++i) local.emplace(units[i], i);
    // The search scores each unit on the areas that hold most of its patients (see kSearchedPatientShare).
    std::vector<std::vector<std::pair<std::uint32_t, std::int64_t>>> kept(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        auto rows = p.patients[units[i]];
        std::sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) { return x.second != y.second ? x.second > y.second : x.first < y.first; });
        std::int64_t total = 0, sum = 0;
        for (const auto& r : rows) total += r.second;
        for (const auto& r : rows) {
            if (static_cast<double>(sum) >= kSearchedPatientShare * static_cast<double>(total) && sum > 0) break;
            kept[i].push_back(r);
            sum += r.second;
        }
        std::sort(kept[i].begin(), kept[i].end());
    }
    std::map<std::uint32_t, std::uint32_t> areas;  // global -> local, in global order
    for (std::uint32_t i = 0; i < n; ++i) {
        for (const auto& [area, patients] : kept[i]) areas.emplace(area, 0);
    }
    std::uint32_t next = 0;
    for (auto& [area, index] : areas) {
        index = next++;
        part.background.push_back(background[area]);
        part.area_ids.push_back(area);
    }
    part.weight.resize(n);
    part.neighbours.resize(n);
    part.area.resize(n);
    part.perimeter.resize(n);
    part.patients.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint32_t u = units[i];
        part.weight[i] = p.weight[u];
        part.area[i] = p.area[u];
        part.perimeter[i] = p.perimeter[u];
        for (const auto& [v, length] : p.neighbours[u]) {
            if (const auto it = local.find(v); it != local.end()) part.neighbours[i].emplace_back(it->second, length);
        }
        for (const auto& [area, patients] : kept[i]) part.patients[i].push_back({areas.at(area), patients});
    }
    return part;
}

}  // namespace partition_detail

namespace {

using partition_detail::fixed_background;
using partition_detail::make_part;

/// The fewest regions outside the band a part can have: exact for small parts (contiguity
/// included), from its total alone for larger ones.
std::size_t fewest_out_of_band(const PartProblem& part, const std::optional<ExactPartition>& exact) {
    if (exact) return exact->out_of_band;
    const std::int64_t total = std::accumulate(part.weight.begin(), part.weight.end(), std::int64_t{0});
    const std::int64_t fewest = (total + part.max_weight - 1) / part.max_weight, most = total / part.min_weight;
    return fewest > most ? 1 : 0;
}

std::uint64_t task_seed(std::uint64_t seed, std::uint32_t first_unit, int restart) {
    std::uint64_t x = seed * 0x9E3779B97F4A7C15ULL ^ (static_cast<std::uint64_t>(first_unit) << 20) ^ static_cast<std::uint64_t>(restart);
    x ^= x >> 31;  // splitmix64 finaliser: nearby inputs give unrelated seeds
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/// Larger parts the search left with more regions outside the band than their totals need: a
/// depth-first search for a partition all in the band settles it. Found, the part is searched again
/// from it; proven impossible, its one region outside the band is forced.
void settle_out_of_band(const std::vector<PartProblem>& parts, const std::vector<std::optional<ExactPartition>>& exact,
                        std::vector<std::size_t>& fewest, std::vector<SearchResult>& chosen, const PartitionSettings& settings,
                        const SearchSettings& search) {
    std::vector<std::size_t> open;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (!exact[i] && fewest[i] == 0 && chosen[i].out_of_band > 0) open.push_back(i);
    }
    parallel_for(open.size(), settings.threads, [&](std::size_t k, unsigned) {
        const std::size_t i = open[k];
        const BandSearch band = search_all_in_band(parts[i]);
        if (band.answer == BandSearch::Answer::impossible) {
            fewest[i] = 1;
        } else if (band.answer == BandSearch::Answer::found) {
            const SearchStart start{0, &band.partition, false};
            SearchResult again = search_part(parts[i], task_seed(settings.seed, parts[i].units.front(), kSettleRestart), search, start);
            if (again.better_than(chosen[i], settings.compactness_patients)) chosen[i] = std::move(again);
        }
    });
}

/// The second pass (see partition_units): each part annealed again, for half as long, from its
/// chosen layout, with every other part's networks (as the first pass left them) in the background.
void refine_against_each_other(const PartitionProblem& problem, const std::vector<std::int64_t>& fixed, const std::vector<PartProblem>& parts,
                               std::vector<SearchResult>& chosen, const PartitionSettings& settings, const SearchSettings& search) {
    // Per area, every first-pass network's patients there, keyed by (part, region).
    std::vector<std::vector<std::pair<std::uint64_t, std::int64_t>>> counts(problem.areas);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        for (std::size_t local = 0; local < parts[i].size(); ++local) {
            const std::uint64_t key = (static_cast<std::uint64_t>(i) << 32) | static_cast<std::uint32_t>(chosen[i].region[local]);
            for (const auto& [area, n] : problem.patients[parts[i].units[local]]) {
                auto& list = counts[area];
                const auto it = std::find_if(list.begin(), list.end(), [key](const auto& c) { return c.first == key; });
                if (it == list.end()) {
                    list.emplace_back(key, n);
                } else {
                    it->second += n;
                }
            }
        }
    }
    SearchSettings shorter = search;
    shorter.sweeps = search.sweeps * kRefineSweepShare;
    std::vector<SearchResult> refined(parts.size());
    parallel_for(parts.size(), settings.threads, [&](std::size_t i, unsigned) {
        PartProblem part = parts[i];
        bool contested = false;
        for (std::size_t local = 0; local < part.area_ids.size(); ++local) {
            const std::uint32_t area = part.area_ids[local];
            std::int64_t others = fixed[area];
            for (const auto& [key, n] : counts[area]) {
                if ((key >> 32) != i) others = std::max(others, n);
            }
            contested = contested || others > part.background[local];
            part.background[local] = others;
        }
        if (!contested || part.size() <= 1) {
            refined[i] = chosen[i];
            return;
        }
        const SearchStart start{0, nullptr, false, &chosen[i].region, kRefineHeat};
        // Annealing never adds a region outside the band, so the first pass's count stands.
        refined[i] = search_part(part, task_seed(settings.seed, part.units.front(), kRefineRestart), shorter, start);
    });
    chosen = std::move(refined);
}

}  // namespace

PartitionResult partition_units(const PartitionProblem& problem, const PartitionSettings& settings) {
    if (!problem.home.empty()) return repair_from_baseline(problem, settings);
    const std::size_t n = problem.weight.size();
    const auto unit_parts = find_parts(problem);
    const auto background = fixed_background(problem);
    std::vector<PartProblem> parts;
    parts.reserve(unit_parts.size());
    for (const auto& units : unit_parts) parts.push_back(make_part(problem, units, background));
    // Small parts: the fewest regions outside the band, exactly.
    std::vector<std::optional<ExactPartition>> exact(parts.size());
    parallel_for(parts.size(), settings.threads, [&](std::size_t i, unsigned) { exact[i] = exact_partition(parts[i]); });

    // Tasks: every restart of every part, largest parts first so the threads finish together.
    struct Task {
        std::size_t part;
        int restart;
    };
    std::vector<Task> tasks;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const int restarts = parts[i].size() == 1 ? 1 : std::max(1, settings.restarts);
        for (int r = 0; r < restarts; ++r) tasks.push_back({i, r});
    }
    std::stable_sort(tasks.begin(), tasks.end(), [&](const Task& x, const Task& y) { return parts[x.part].size() > parts[y.part].size(); });
    SearchSettings search;
    search.sweeps = settings.sweeps;
    search.compactness_patients = settings.compactness_patients;
    search.checkpoint = settings.checkpoint;
    std::vector<std::vector<SearchResult>> results(parts.size());
    for (std::size_t i = 0; i < parts.size(); ++i) results[i].resize(parts[i].size() == 1 ? 1 : static_cast<std::size_t>(std::max(1, settings.restarts)));
    std::vector<std::size_t> fewest(parts.size());
    for (std::size_t i = 0; i < parts.size(); ++i) fewest[i] = fewest_out_of_band(parts[i], exact[i]);
    parallel_for(tasks.size(), settings.threads, [&](std::size_t t, unsigned) {
        const Task& task = tasks[t];
        // Restarts alternate between max-p growth and recursive bisection, for variety.
        const SearchStart start{fewest[task.part], exact[task.part] ? &*exact[task.part] : nullptr, task.restart % 2 == 1};
        results[task.part][static_cast<std::size_t>(task.restart)] =
            search_part(parts[task.part], task_seed(settings.seed, parts[task.part].units.front(), task.restart), search, start);
    });

    // Each part kept its best restart, judged without the other parts' networks. A second, shorter
    // pass refines each one against them: an area another part's network dominates is not worth
    // contesting, and one it barely holds is. It reads only the first pass, so it is as deterministic.
    std::vector<SearchResult> chosen(parts.size());
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto& runs = results[i];
        std::size_t best = 0;
        for (std::size_t r = 1; r < runs.size(); ++r) {
            if (runs[r].better_than(runs[best], settings.compactness_patients)) best = r;
        }
        chosen[i] = runs[best];
    }
    settle_out_of_band(parts, exact, fewest, chosen, settings, search);
    if (parts.size() > 1) refine_against_each_other(problem, background, parts, chosen, settings, search);

    // Assemble: locked regions first, then units alone above the maximum, then each part's best restart.
    PartitionResult out;
    out.region.assign(n, -1);
    out.parts = parts.size();
    std::int32_t next = problem.locked_regions;
    out.cause.assign(static_cast<std::size_t>(next), BandCause::locked);
    out.part_weight.assign(static_cast<std::size_t>(next), 0);
    for (std::uint32_t u = 0; u < n; ++u) {
        if (problem.locked_region[u] >= 0) {
            out.region[u] = problem.locked_region[u];
            out.part_weight[static_cast<std::size_t>(problem.locked_region[u])] += problem.weight[u];
        } else if (problem.weight[u] > problem.max_weight) {
            out.region[u] = next++;
            out.cause.push_back(BandCause::alone_above_max);
            out.part_weight.push_back(problem.weight[u]);
        }
    }
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const SearchResult& best = chosen[i];
        out.moves += best.moves;
        const std::int64_t total = std::accumulate(parts[i].weight.begin(), parts[i].weight.end(), std::int64_t{0});
        const std::size_t forced = fewest[i];
        const BandCause cause = best.out_of_band > forced ? BandCause::not_reached
                                : total < problem.min_weight ? BandCause::part_below_min
                                                             : BandCause::part_unsplittable;
        for (std::size_t local = 0; local < parts[i].size(); ++local) out.region[parts[i].units[local]] = next + best.region[local];
        out.cause.insert(out.cause.end(), best.regions, cause);
        out.part_weight.insert(out.part_weight.end(), best.regions, total);
        next += static_cast<std::int32_t>(best.regions);
    }
    out.regions = next;
    // Regions inside the band have no cause; count them.
    std::vector<std::int64_t> weight(static_cast<std::size_t>(next), 0);
    std::vector<bool> used(static_cast<std::size_t>(next), false);
    for (std::uint32_t u = 0; u < n; ++u) {
        weight[static_cast<std::size_t>(out.region[u])] += problem.weight[u];
        used[static_cast<std::size_t>(out.region[u])] = true;
    }
    for (std::size_t r = 0; r < weight.size(); ++r) {
        if (used[r] && weight[r] >= problem.min_weight && weight[r] <= problem.max_weight) {
            out.cause[r] = BandCause::none;
            ++out.in_band;
        }
    }
    return out;
}

}  // namespace geo
