#pragma once
// Measures of a network and of a whole partition: list size, territory, cohesion, Polsby-Popper
// compactness, contiguity, band status; and the adjusted Rand index between two partitions.
//
// Cohesion follows Beaney et al. ("Identifying potential primary care networks in England", BJGP
// Open 2022): each area's dominant network is the one whose practices have most registered patients
// living there, and a network's cohesion is the share of its patients (living in study areas) who
// live in an area it dominates. The territory share is the same share for the network's territory.
#include "geo/adjacency.hpp"
#include "geo/catchments.hpp"
#include "geo/plan.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace geo {

NetworkMetrics measure_network(const Dataset& dataset, const AreaGraph& graph, const RegistrationIndex& index,
                               const std::vector<std::uint32_t>& practices, const std::vector<std::uint32_t>& areas,
                               std::int64_t min_list_size, std::int64_t max_list_size);

/// Each area's dominant network and what it gives each network.
struct Dominance {
    std::vector<std::int32_t> area_network;      // per area; -1 when no network has patients there
    std::vector<std::int64_t> network_patients;  // per network: members' patients living in study areas
    std::vector<std::int64_t> network_dominant;  // per network: of those, living in areas it dominates
};
/// Dominance of the networks given by `practice_network` (per practice, -1 for none); ties go to the
/// network whose id comes first.
Dominance dominance(const RegistrationIndex& index, const std::vector<std::int32_t>& practice_network,
                    const std::vector<std::string>& network_ids);

/// Summary over networks (empty networks are not counted).
PartitionSummary summarize_partition(const std::vector<Network>& networks);

/// Hubert and Arabie's adjusted Rand index ("Comparing partitions", Journal of Classification 2,
/// 1985) between two labelings of the same items; items with a negative label in either are left out.
double adjusted_rand_index(const std::vector<std::int32_t>& a, const std::vector<std::int32_t>& b);

}  // namespace geo
