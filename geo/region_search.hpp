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
    double sweeps = 300;                 // annealing moves tried per unit
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

/// One restart on one part. Deterministic for a given part and seed. `fallback`, when given (an
/// exact answer for a small part), replaces the construction when that has more regions outside the
/// band. `balanced` constructs by recursive bisection into fuller regions instead of max-p growth.
SearchResult search_part(const PartProblem& part, std::uint64_t seed, const SearchSettings& settings,
                         const ExactPartition* fallback = nullptr, bool balanced = false);

}  // namespace geo
