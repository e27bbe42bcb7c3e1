#pragma once
// Points bucketed in square cells, for "every point within this distance" searches whose reach is at
// most a cell: the answer lies in the cell of the query point and the eight around it.
#include "geo/geos.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace geo {

class PointBuckets {
public:
    /// Buckets `points` (kept by reference) in cells `cell` wide; with `include`, only those it marks.
    PointBuckets(const std::vector<Point>& points, double cell, const std::vector<bool>* include = nullptr) : points_(points), cell_(cell) {
        for (std::uint32_t i = 0; i < points.size(); ++i) {
            if (include == nullptr || (*include)[i]) cells_[key(column(points[i].x), column(points[i].y))].push_back(i);
        }
    }

    /// Calls `visit(index, distance)` for every bucketed point within `reach` (at most the cell) of `at`.
    template <class Visit>
    void near(Point at, double reach, Visit&& visit) const {
        const std::int64_t cx = column(at.x), cy = column(at.y);
        for (std::int64_t x = cx - 1; x <= cx + 1; ++x) {
            for (std::int64_t y = cy - 1; y <= cy + 1; ++y) {
                const auto found = cells_.find(key(x, y));
                if (found == cells_.end()) continue;
                for (const std::uint32_t i : found->second) {
                    const double d = std::hypot(points_[i].x - at.x, points_[i].y - at.y);
                    if (d <= reach) visit(i, d);
                }
            }
        }
    }

private:
    /// The cell of a coordinate, saturated (NaN to the lowest): a tiny cell cannot overflow the cast.
    std::int64_t column(double v) const {
        constexpr double kFar = 1e15;
        const double c = std::floor(v / cell_);
        if (!(c > -kFar)) return -static_cast<std::int64_t>(kFar);
        return static_cast<std::int64_t>(std::min(c, kFar));
    }
    static std::uint64_t key(std::int64_t x, std::int64_t y) { return (static_cast<std::uint64_t>(x) << 32) ^ static_cast<std::uint64_t>(y & 0xffffffff); }

    const std::vector<Point>& points_;
    double cell_;
    std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> cells_;
};

}  // namespace geo
