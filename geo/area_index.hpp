#pragma once
// Point-in-area lookup over a set of polygons: a GEOS STRtree for candidates, prepared geometries
// (built lazily, once per area) for the exact test.
#include "geo/dataset.hpp"

#include <optional>
#include <vector>

namespace geo {

class AreaIndex {
public:
    /// Indexes `areas`, which must outlive the index. Uses `context` for every query.
    AreaIndex(GeosContext& context, const std::vector<Area>& areas);
    ~AreaIndex();
    AreaIndex(const AreaIndex&) = delete;
    AreaIndex& operator=(const AreaIndex&) = delete;

    /// The index of the area covering `p` (boundary included); the lowest index when areas share
    /// the boundary the point lies on. std::nullopt when no area covers it.
    std::optional<std::size_t> locate(Point p) const;
    /// Distance from `p` to the nearest area (0 inside one); infinity when there are no areas.
    double distance_to_nearest(Point p) const;

private:
    const GEOSPreparedGeometry* prepared(std::size_t index) const;

    GeosContext& context_;
    const std::vector<Area>& areas_;
    GEOSSTRtree* tree_;
    mutable std::vector<const GEOSPreparedGeometry*> prepared_;
};

}  // namespace geo
