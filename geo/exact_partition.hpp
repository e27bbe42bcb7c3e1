#pragma once
// Exact answers for parts small enough to have them. For a handful of units, the fewest regions
// outside the band over every partition into connected regions: a dynamic programme over subsets,
// in O(3^n). For up to 64 units, whether every region can be in the band: a depth-first search over
// connected regions with failures memoised, within a budget. Either tells a region forced outside
// the band by the data (its part cannot do better) from one the search merely did not bring in,
// and gives the search a start that is never worse.
#include "geo/region_state.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace geo {

inline constexpr std::size_t kExactPartitionUnits = 14;

struct ExactPartition {
    std::size_t out_of_band = 0;
    std::vector<std::int32_t> region;  // per local unit: region 0..k-1
};

/// nullopt for parts of more than kExactPartitionUnits units.
std::optional<ExactPartition> exact_partition(const PartProblem& part);

inline constexpr std::size_t kBandSearchUnits = 64;
inline constexpr std::int64_t kBandSearchBudget = 50000;    // regions tried before giving up

/// Whether the part can be split into connected regions all inside the band.
struct BandSearch {
    enum class Answer { found, impossible, unknown } answer = Answer::unknown;  // unknown: past the budget, or too large
    ExactPartition partition;  // when found (out_of_band 0)
};
BandSearch search_all_in_band(const PartProblem& part, std::int64_t budget = kBandSearchBudget);

}  // namespace geo
