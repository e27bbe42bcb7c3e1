#pragma once
// One zoom's polygons of one layer on the zoom's tile grid, packed: every coordinate there is an
// integer, so a ring is stored as zigzag varints of the steps between its points (the encoding MVT
// itself uses), a few bytes a point where a GEOS ring takes some 30. Features are read back as GEOS
// geometries (to clip) or ring by ring (a feature wholly inside a tile needs no GEOS at all).
#include "geo/geos.hpp"
#include "tilesets/polygon_rings.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace tilesets {

/// A point on a zoom's tile grid (grid units: metres over the zoom's unit; beyond 32 bits deep down).
struct GridPoint {
    std::int64_t x = 0;
    std::int64_t y = 0;
    friend bool operator==(const GridPoint&, const GridPoint&) = default;
};

class PackedPolygons {
public:
    /// Appends the next feature: `g` a Polygon or MultiPolygon whose coordinates are integers (held in
    /// doubles), or null when the feature has nothing at this zoom. Throws std::invalid_argument for
    /// a coordinate that is not a whole number.
    void add(GEOSContextHandle_t handle, const GEOSGeometry* g);
    /// The same from rings on the grid, with the area to keep for them (see area_of).
    void add(const PolygonRings& polygons, double area);

    std::size_t size() const { return areas_.size(); }
    /// Whether feature i has a polygon at this zoom.
    bool present(std::size_t i) const { return starts_[i + 1] > starts_[i]; }
    /// Feature i's area in grid units squared, as GEOS computed it when packed (0 when absent).
    double area(std::size_t i) const { return areas_[i]; }
    std::size_t bytes() const { return data_.capacity() + starts_.capacity() * sizeof(std::uint64_t) + areas_.capacity() * sizeof(double); }

    /// Calls `visit(polygon, ring, points)` for every ring of feature i in order, the shell of each
    /// polygon first (ring 0); `points` are open (the first point is not repeated at the end).
    template <class Visit>
    void for_each_ring(std::size_t i, Visit&& visit) const {
        Reader reader{std::string_view(data_).substr(starts_[i], starts_[i + 1] - starts_[i])};
        std::vector<GridPoint> points;
        const std::uint64_t polygons = reader.varint() >> 1;
        for (std::uint64_t p = 0; p < polygons; ++p) {
            const std::uint64_t rings = reader.varint();
            for (std::uint64_t r = 0; r < rings; ++r) {
                reader.ring(points);
                visit(static_cast<std::size_t>(p), static_cast<std::size_t>(r), points);
            }
        }
    }

    /// A box in grid units.
    struct Window {
        double min_x, min_y, max_x, max_y;
    };
    /// Feature i's rings in grid units (empty when absent). With a window, the rings whose box misses
    /// it are left out (a shell with its holes): clipping to that window would drop them anyway.
    PolygonRings rings(std::size_t i, const Window* window = nullptr) const;
    /// Feature i as GEOS in grid units, a Polygon or MultiPolygon as it was added (null when absent
    /// or, with a window, when every polygon misses it).
    geo::Geometry geometry(geo::GeosContext& context, std::size_t i, const Window* window = nullptr) const;

private:
    struct Reader {
        std::string_view bytes;
        std::size_t at = 0;
        std::uint64_t varint();
        void ring(std::vector<GridPoint>& points);
    };
    void append(const PolygonRings& polygons);
    void put_varint(std::uint64_t value);
    bool multi_polygon(std::size_t i) const;

    std::string data_;                   // every feature's polygons, one after the other
    std::vector<std::uint64_t> starts_{0};  // per feature: where it starts in data_; one past the end last
    std::vector<double> areas_;
};

}  // namespace tilesets
