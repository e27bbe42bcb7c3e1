#pragma once
// Measures of a network and of a whole partition: list size, territory, cohesion (share of members'
// patients living inside the territory), Polsby-Popper compactness, contiguity, band status; and the
// adjusted Rand index between two partitions.
#include "geo/adjacency.hpp"
#include "geo/catchments.hpp"
#include "geo/plan.hpp"

#include <cstdint>
#include <vector>

namespace geo {

NetworkMetrics measure_network(const Dataset& dataset, const AreaGraph& graph, const RegistrationIndex& index,
                               const std::vector<std::uint32_t>& practices, const std::vector<std::uint32_t>& areas,
                               std::int64_t min_list_size, std::int64_t max_list_size);

/// Summary over networks (empty networks are not counted).
PartitionSummary summarize_partition(const std::vector<Network>& networks, const RegistrationIndex& index);

/// Hubert and Arabie's adjusted Rand index ("Comparing partitions", Journal of Classification 2,
/// 1985) between two labelings of the same items; items with a negative label in either are left out.
double adjusted_rand_index(const std::vector<std::int32_t>& a, const std::vector<std::int32_t>& b);

}  // namespace geo
