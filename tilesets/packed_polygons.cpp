#include "tilesets/packed_polygons.hpp"

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
    const std::size_t start = data_.size();
    try {
        append(handle, g);
    } catch (...) {
        data_.resize(start);  // the store stays as it was
        throw;
    }
}

void PackedPolygons::append(GEOSContextHandle_t handle, const GEOSGeometry* g) {
    double area = 0;
    if (g != nullptr && GEOSisEmpty_r(handle, g) == 0) {
        GEOSArea_r(handle, g, &area);
        std::vector<const GEOSGeometry*> polygons;
        const int type = GEOSGeomTypeId_r(handle, g);
        if (type == GEOS_POLYGON) {
            polygons.push_back(g);
        } else if (type == GEOS_MULTIPOLYGON) {
            for (int i = 0, n = GEOSGetNumGeometries_r(handle, g); i < n; ++i) polygons.push_back(GEOSGetGeometryN_r(handle, g, i));
        } else {
            throw std::invalid_argument("packed polygons: expected a Polygon or MultiPolygon, got geometry type " + std::to_string(type));
        }
        put_varint(polygons.size() << 1 | (type == GEOS_MULTIPOLYGON ? 1 : 0));  // rebuilt as the same type
        for (const GEOSGeometry* polygon : polygons) {
            const int holes = GEOSGetNumInteriorRings_r(handle, polygon);
            put_varint(static_cast<std::uint64_t>(holes) + 1);
            for (int r = -1; r < holes; ++r) {
                const GEOSGeometry* ring = r < 0 ? GEOSGetExteriorRing_r(handle, polygon) : GEOSGetInteriorRingN_r(handle, polygon, r);
                const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(handle, ring);
                unsigned size = 0;
                GEOSCoordSeq_getSize_r(handle, seq, &size);
                if (size < 4) throw std::invalid_argument("packed polygons: a ring of " + std::to_string(size) + " points");
                const unsigned open = size - 1;  // the closing point is the first one again
                put_varint(open);
                GridPoint last;
                for (unsigned k = 0; k < open; ++k) {
                    double x = 0, y = 0;
                    GEOSCoordSeq_getXY_r(handle, seq, k, &x, &y);
                    const GridPoint p{whole(x), whole(y)};
                    put_varint(zigzag(p.x - last.x));
                    put_varint(zigzag(p.y - last.y));
                    last = p;
                }
            }
        }
    }
    starts_.push_back(data_.size());
    areas_.push_back(area);
}

bool PackedPolygons::multi_polygon(std::size_t i) const {
    Reader reader{std::string_view(data_).substr(starts_[i], starts_[i + 1] - starts_[i])};
    return (reader.varint() & 1) != 0;
}

geo::Geometry PackedPolygons::geometry(geo::GeosContext& context, std::size_t i) const {
    auto* h = context.handle();
    if (!present(i)) return geo::Geometry(nullptr, geo::GeometryDeleter{h});
    std::vector<GEOSGeometry*> polygons;
    std::vector<GEOSGeometry*> rings;
    auto finish_polygon = [&] {
        if (rings.empty()) return;
        polygons.push_back(GEOSGeom_createPolygon_r(h, rings.front(), rings.data() + 1, static_cast<unsigned>(rings.size() - 1)));
        rings.clear();
    };
    for_each_ring(i, [&](std::size_t, std::size_t ring, const std::vector<GridPoint>& points) {
        if (ring == 0) finish_polygon();
        GEOSCoordSequence* seq = GEOSCoordSeq_create_r(h, static_cast<unsigned>(points.size() + 1), 2);
        for (std::size_t k = 0; k <= points.size(); ++k) {
            const GridPoint& p = points[k % points.size()];
            GEOSCoordSeq_setXY_r(h, seq, static_cast<unsigned>(k), static_cast<double>(p.x), static_cast<double>(p.y));
        }
        rings.push_back(GEOSGeom_createLinearRing_r(h, seq));
    });
    finish_polygon();
    if (!multi_polygon(i)) return geo::adopt(context, polygons.front(), "unpacking a polygon");
    return geo::adopt(context, GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polygons.data(), static_cast<unsigned>(polygons.size())),
                      "unpacking a polygon");
}

}  // namespace tilesets
