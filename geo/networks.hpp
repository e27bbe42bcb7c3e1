#pragma once
// Partitioning practices into networks whose summed list sizes lie in [min, max], whose territories
// are contiguous, and whose patients live in areas their own network dominates (cohesion, as Beaney
// et al. define it for primary care networks, BJGP Open 2022).
//
// The units moved are practices with their territories (a practice that holds no area is welded to
// the one whose territory it stands in). The problem falls apart into independent parts: connected
// groups of units that share a constraint value, once locked units and units above the maximum (each
// a network of its own) are set aside. Every part is searched from several randomised max-p
// constructions (Duque, Anselin and Rey, "The max-p-regions problem", Journal of Regional Science
// 52(3), 2012), each improved by simulated annealing (see region_search.hpp), and keeps its own best
// restart. Parts and restarts run in parallel; the result depends on the seed, never on the number
// of threads.
#include "geo/region_state.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace geo {

/// The partitioning problem on units (groups of practices that move together).
struct PartitionProblem {
    std::vector<std::int64_t> weight;  // list size per unit
    std::vector<std::vector<std::pair<std::uint32_t, double>>> neighbours;  // unit -> (unit, shared boundary m), sorted
    std::vector<double> area;       // territory m2 per unit
    std::vector<double> perimeter;  // territory perimeter m per unit
    std::vector<std::vector<std::pair<std::uint32_t, std::int64_t>>> patients;  // unit -> (area, its patients living there), sorted
    std::size_t areas = 0;                   // areas are numbered 0..areas-1
    std::vector<std::string> constraint;     // per unit; units with different values never share a region
    std::vector<std::int32_t> locked_region; // per unit: fixed region index, or -1 when free
    std::int32_t locked_regions = 0;         // regions 0..locked_regions-1 are fixed
    std::int64_t min_weight = 30000;
    std::int64_t max_weight = 50000;
    // Re-planning from a baseline (see baseline_repair.hpp); both empty when planning afresh.
    std::vector<std::int32_t> home;        // per unit: its practices' baseline network, or -1 (new to the baseline)
    std::vector<std::int32_t> practices;   // per unit: how many practices it holds (moves are counted in practices)
};

/// Why a region lies outside the band.
enum class BandCause {
    none,               // it is inside the band
    locked,             // a locked network, kept as given
    alone_above_max,    // one unit alone above the maximum
    part_below_min,     // its part (constraint group or connected group) has fewer patients than the minimum
    part_unsplittable,  // its part's units cannot be grouped into networks that are all inside the band
    not_reached,        // the search did not find a way into the band
};
/// "forced" for the causes the data impose, "not_reached", "locked", or "" inside the band.
std::string_view to_string(BandCause cause);
constexpr bool is_forced(BandCause cause) {
    return cause == BandCause::alone_above_max || cause == BandCause::part_below_min || cause == BandCause::part_unsplittable;
}

struct PartitionSettings {
    std::uint64_t seed = 1;
    int restarts = 2;                    // per part; each part keeps its best
    double sweeps = 200;                 // annealing moves tried per unit and restart (more for larger parts)
    unsigned threads = 0;                // 0: one per core
    double compactness_patients = 20;    // worth of one unit of Polsby-Popper, in patients: breaks near-ties only
    std::function<void()> checkpoint;    // called often from the workers; may throw to abandon the search
};

struct PartitionResult {
    std::vector<std::int32_t> region;  // per unit
    std::int32_t regions = 0;
    std::vector<BandCause> cause;      // per region
    std::vector<std::int64_t> part_weight;  // per region: total list size of the part it was planned in
    std::size_t in_band = 0;
    std::size_t parts = 0;             // independent parts searched
    std::int64_t moves = 0;            // annealing moves accepted in the chosen restarts
    std::vector<std::int32_t> identity;  // per region, from a baseline: the baseline network it continues, or -1
};

/// Internal to partitioning (networks.cpp, baseline_repair.cpp).
namespace partition_detail {
/// A unit that is a network whatever happens: locked, or alone above the maximum.
bool fixed_alone(const PartitionProblem& p, std::uint32_t u);
/// Per area, the most patients any fixed region has there.
std::vector<std::int64_t> fixed_background(const PartitionProblem& p);
/// The part of `units` in local indices: neighbours among them, each unit's areas holding most of its patients.
PartProblem make_part(const PartitionProblem& p, const std::vector<std::uint32_t>& units, const std::vector<std::int64_t>& background);
}  // namespace partition_detail

/// Partitions the units. Deterministic for a given problem and seed, whatever the thread count.
PartitionResult partition_units(const PartitionProblem& problem, const PartitionSettings& settings);

}  // namespace geo
