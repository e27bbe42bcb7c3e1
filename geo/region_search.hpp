#pragma once
// The search for one independent part: a randomised max-p construction (Duque, Anselin and Rey
// 2012) followed by simulated annealing (Kirkpatrick, Gelatt and Vecchi, "Optimization by
// simulated annealing", Science 220, 1983) over contiguity-preserving moves: a unit to a
// neighbouring region, two neighbouring units swapped, a region dissolved into its neighbours, and
// two neighbouring regions merged and re-split. The objective is lexicographic: fewest regions
// outside the band (never allowed to grow once reached), then most patients living in areas their
// own region dominates (cohesion), with compactness only breaking near-ties.
#include "geo/exact_partition.hpp"
#include "geo/region_state.hpp"

#include <cstdint>
#include <functional>
#include <vector>

namespace geo {

struct SearchSettings {
    double sweeps = 200;                 // annealing moves tried per unit (more in larger parts)
    double compactness_patients = 20;    // worth of one unit of Polsby-Popper, in patients
    double growth_slack = 0.3;           // construction grows regions to min + up to this share of (max - min)
    std::function<void()> checkpoint;    // called now and then; may throw to abandon the search
};

struct SearchResult {
    std::vector<std::int32_t> region;    // per local unit: region 0..regions-1
    std::size_t regions = 0;
    std::size_t out_of_band = 0;
    std::int64_t dominant_patients = 0;  // the part's patients living in areas their own region dominates
    double compactness = 0;              // sum of Polsby-Popper over regions
    std::int64_t moves = 0;              // moves accepted

    /// Better: fewer regions out of band, then more dominant patients, then more compact.
    bool better_than(const SearchResult& other, double compactness_patients) const;
};

/// How one restart begins, and what is known of its part beforehand.
struct SearchStart {
    std::size_t fewest_out_of_band = 0;     // no partition of the part has fewer regions outside the band
    const ExactPartition* exact = nullptr;  // small parts: a partition achieving that, used when the construction does worse
    bool balanced = false;                  // construct by recursive bisection into fuller regions, not max-p growth
    const std::vector<std::int32_t>* layout = nullptr;  // refine this layout (regions 0..k-1) instead of constructing
    double heat = 1;                        // starting temperature, as a share of the usual one
};

/// One restart on one part. Deterministic for a given part, seed and start.
SearchResult search_part(const PartProblem& part, std::uint64_t seed, const SearchSettings& settings, const SearchStart& start);

}  // namespace geo
