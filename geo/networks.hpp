#pragma once
// Partitioning practices into networks whose summed list sizes lie in [min, max] and whose
// territories are contiguous.
//
// The method follows the max-p-regions problem (Duque, Anselin and Rey, "The max-p-regions problem",
// Journal of Regional Science 52(3), 2012): maximise the number of regions that reach a threshold,
// subject to contiguity, by repeated randomised region growing; then improve the best construction
// with a local search in the manner of AZP (Openshaw, "A geographical solution to scale and
// aggregation problems in region-building, partitioning and spatial modelling", Transactions of the
// IBG 2(4), 1977) with a tabu list (Openshaw and Rao, "Algorithms for reengineering 1991 census
// geography", Environment and Planning A 27(3), 1995): border units move between neighbouring
// regions when that keeps both contiguous and improves, in this order, the number of regions in
// band, then cohesion, with compactness (Polsby-Popper) breaking near-ties.
//
// The units moved are practices; a practice whose territory is empty (it dominates no area) is
// welded to the practice whose territory holds the area it stands in, so that every practice lies
// inside its network's territory.
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace geo {

/// The partitioning problem on units (groups of practices that move together).
struct PartitionProblem {
    std::vector<std::int64_t> weight;                   // list size per unit
    std::vector<std::vector<std::pair<std::uint32_t, double>>> neighbours;  // unit -> (unit, shared boundary m), sorted
    std::vector<double> area;                           // territory m2 per unit
    std::vector<double> perimeter;                      // territory perimeter m per unit
    std::vector<std::vector<std::pair<std::uint32_t, std::int64_t>>> lives_in;  // unit u -> (v, patients of u living in v's territory)
    std::vector<std::int64_t> patients_in_areas;        // per unit: patients living in any study area
    std::vector<std::string> constraint;                // per unit; units with different values never share a region
    std::vector<std::int32_t> locked_region;            // per unit: fixed region index, or -1 when free
    std::int32_t locked_regions = 0;                    // regions 0..locked_regions-1 are fixed
    std::int64_t min_weight = 30000;
    std::int64_t max_weight = 50000;
};

struct PartitionSettings {
    std::uint64_t seed = 1;
    int construction_runs = 24;
    int local_search_passes = 40;
    double compactness_weight = 0.001;  // cohesion comes first; compactness only breaks near-ties
    int tabu_tenure = 3;              // passes during which a unit may not return to the region it left
    double growth_slack = 0.0;        // regions grow to min + slack * (max - min) before they stop
    std::function<void()> checkpoint; // called between restarts and local-search passes; may throw to abandon the search
};

struct PartitionResult {
    std::vector<std::int32_t> region;  // per unit
    std::int32_t regions = 0;
    std::size_t in_band = 0;
    double score = 0;                  // cohesion + weight * mean compactness
    int construction_run = 0;          // which restart won
    int local_search_moves = 0;
};

/// Partitions the units. Deterministic for a given problem and settings.
PartitionResult partition_units(const PartitionProblem& problem, const PartitionSettings& settings);

}  // namespace geo
