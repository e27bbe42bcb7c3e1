#pragma once
// Rook adjacency between areas: two areas are neighbours when they share a boundary of positive
// length, found from the areas' coverage topology (geo/coverage.hpp). Islands and separate groups of
// areas are joined to their nearest area (found with a GEOS STRtree) so the graph is connected.
#include "geo/coverage.hpp"
#include "geo/dataset.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace geo {

struct AreaNeighbour {
    std::uint32_t area = 0;
    double shared_length = 0;  // metres of common boundary; 0 for a bridge (see AreaGraph::bridges)
};

/// A link added between two areas that share no boundary, so that every area is reachable.
struct AreaBridge {
    std::uint32_t from = 0;  // an area of the smaller group (an island or enclave group)
    std::uint32_t to = 0;    // its nearest area outside that group
    double distance = 0;     // metres between the two geometries
};

struct AreaGraph {
    std::vector<std::vector<AreaNeighbour>> neighbours;  // per area, sorted by area index
    std::vector<double> perimeter;                       // per area, metres
    std::vector<double> area;                            // per area, square metres
    std::vector<AreaBridge> bridges;
    std::shared_ptr<const Coverage> coverage;            // shared edges, for unions and borders

    std::size_t size() const { return neighbours.size(); }
    /// Shared boundary between a and b (0 when not neighbours or only bridged).
    double shared_length(std::uint32_t a, std::uint32_t b) const;
};

/// Builds the graph. Deterministic: the same areas give the same graph.
AreaGraph build_area_graph(GeosContext& context, const std::vector<Area>& areas);

/// Connected groups of `members` (area indices) using only links inside the set; each group sorted.
std::vector<std::vector<std::uint32_t>> connected_groups(const AreaGraph& graph,
                                                         const std::vector<std::uint32_t>& members);

}  // namespace geo
