#include "tilesets/packed_polygons.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace tilesets {

namespace {

std::uint64_t zigzag(std::int64_t v) { return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63); }
std::int64_t unzigzag(std::uint64_t v) { return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1); }

std::int64_t whole(double v) {
    if (!(std::abs(v) < 9.0e15) || v != std::floor(v)) {
        throw std::invalid_argument("packed polygons: coordinate " + std::to_string(v) + " is not a whole grid unit");
    }
    return static_cast<std::int64_t>(v);
}

}  // namespace

void PackedPolygons::put_varint(std::uint64_t value) {
    while (value >= 0x80) {
        data_.push_back(static_cast<char>((value & 0x7f) | 0x80));
        value >>= 7;
    }
    data_.push_back(static_cast<char>(value));
}

std::uint64_t PackedPolygons::Reader::varint() {
    std::uint64_t value = 0;
    for (int shift = 0;; shift += 7) {
        const auto byte = static_cast<std::uint8_t>(bytes[at++]);
        value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) return value;
    }
}

void PackedPolygons::Reader::ring(std::vector<GridPoint>& points) {
    points.resize(varint());
    GridPoint at_point;
    for (GridPoint& p : points) {
        at_point.x += unzigzag(varint());
        at_point.y += unzigzag(varint());
        p = at_point;
    }
}

void PackedPolygons::add(GEOSContextHandle_t handle, const GEOSGeometry* g) {
    double area = 0;
    if (g != nullptr) GEOSArea_r(handle, g, &area);
    add(rings_of(handle, g), area);
}

void PackedPolygons::add(const PolygonRings& polygons, double area) {
    const std::size_t start = data_.size();
    try {
        append(polygons);
    } catch (...) {
        data_.resize(start);  // the store stays as it was
        throw;
    }
    starts_.push_back(data_.size());
    areas_.push_back(polygons.empty() ? 0 : area);
}

void PackedPolygons::append(const PolygonRings& polygons) {
    if (polygons.empty()) return;
    std::size_t count = 0;
    for (const auto& ring : polygons.rings) count += ring.shell ? 1 : 0;
    if (!polygons.rings.front().shell || (!polygons.multi && count != 1)) {
        throw std::invalid_argument("packed polygons: rings that do not start with a shell, or a Polygon with " + std::to_string(count) + " shells");
    }
    put_varint(count << 1 | (polygons.multi ? 1 : 0));  // rebuilt as the same type
    for (std::size_t r = 0; r < polygons.rings.size(); ++r) {
        if (polygons.rings[r].shell) {
            std::size_t rings = 1;
            while (r + rings < polygons.rings.size() && !polygons.rings[r + rings].shell) ++rings;
            put_varint(rings);
        }
        const std::uint32_t begin = polygons.begin_of(r), end = polygons.rings[r].end;
        if (end - begin < 3) throw std::invalid_argument("packed polygons: a ring of " + std::to_string(end - begin + 1) + " points");
        put_varint(end - begin);
        GridPoint last;
        for (std::uint32_t k = begin; k < end; ++k) {
            const GridPoint p{whole(polygons.points[k].x), whole(polygons.points[k].y)};
            put_varint(zigzag(p.x - last.x));
            put_varint(zigzag(p.y - last.y));
            last = p;
        }
    }
}

bool PackedPolygons::multi_polygon(std::size_t i) const {
    Reader reader{std::string_view(data_).substr(starts_[i], starts_[i + 1] - starts_[i])};
    return (reader.varint() & 1) != 0;
}

PolygonRings PackedPolygons::rings(std::size_t i, const Window* window) const {
    PolygonRings out;
    if (!present(i)) return out;
    out.multi = multi_polygon(i);
    bool skipping = false;  // the current polygon's shell misses the window: so do its holes
    for_each_ring(i, [&](std::size_t, std::size_t ring, const std::vector<GridPoint>& points) {
        if (window != nullptr) {
            if (ring > 0 && skipping) return;
            std::int64_t min_x = points[0].x, max_x = min_x, min_y = points[0].y, max_y = min_y;
            for (const GridPoint& p : points) {
                min_x = std::min(min_x, p.x);
                max_x = std::max(max_x, p.x);
                min_y = std::min(min_y, p.y);
                max_y = std::max(max_y, p.y);
            }
            const bool misses = static_cast<double>(max_x) < window->min_x || static_cast<double>(min_x) > window->max_x ||
                                static_cast<double>(max_y) < window->min_y || static_cast<double>(min_y) > window->max_y;
            if (ring == 0) skipping = misses;
            if (misses) return;
        }
        for (const GridPoint& p : points) out.points.push_back({static_cast<double>(p.x), static_cast<double>(p.y)});
        out.end_ring(ring == 0);
    });
    return out;
}

geo::Geometry PackedPolygons::geometry(geo::GeosContext& context, std::size_t i, const Window* window) const {
    return to_geos(context, rings(i, window));
}

}  // namespace tilesets
