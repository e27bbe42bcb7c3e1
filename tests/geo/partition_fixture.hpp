#pragma once
// Hand-made partitioning problems for the tests of the network search and the baseline repair.
#include "geo/networks.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace partition_fixture {

using Edges = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

/// A problem on units of the given list sizes and adjacency; every unit's patients live in an area
/// of its own (so cohesion cannot tell partitions apart and only the band matters).
inline geo::PartitionProblem problem_of(const std::vector<std::int64_t>& weights, const Edges& edges) {
    geo::PartitionProblem p;
    const std::size_t n = weights.size();
    p.weight = weights;
    p.neighbours.resize(n);
    for (const auto& [a, b] : edges) {
        p.neighbours[a].emplace_back(b, 100.0);
        p.neighbours[b].emplace_back(a, 100.0);
    }
    for (auto& list : p.neighbours) std::sort(list.begin(), list.end());
    p.area.assign(n, 1e6);
    p.perimeter.assign(n, 4000);
    p.patients.resize(n);
    for (std::uint32_t u = 0; u < n; ++u) p.patients[u] = {{u, weights[u]}};
    p.areas = n;
    p.constraint.assign(n, "");
    p.locked_region.assign(n, -1);
    return p;
}

}  // namespace partition_fixture
