#pragma once
// For parts of a handful of units the fewest regions outside the band can be found exactly, over
// every partition into connected regions: a dynamic programme over subsets, in O(3^n). It tells a
// region forced outside the band by the data (its part cannot do better) from one the search merely
// did not bring in, and gives the search a start that is never worse.
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

}  // namespace geo
