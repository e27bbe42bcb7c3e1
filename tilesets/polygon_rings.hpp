#pragma once
// Polygons as plain coordinate rings: the form generalisation and snapping work in, between the
// simplifier's arcs and a zoom's packed polygons. Building a GEOS geometry only to test its validity
// took a quarter of the national tile run; certainly_valid() proves most polygons valid on its own
// and leaves only the doubtful ones to GEOS.
#include "geo/geos.hpp"

#include <cstdint>
#include <vector>

namespace tilesets {

struct XY {
    double x = 0;
    double y = 0;
    friend bool operator==(const XY&, const XY&) = default;
};

/// One feature's polygons: open rings (the first point is not repeated at the end), each polygon's
/// shell first and then its holes.
struct PolygonRings {
    struct Ring {
        std::uint32_t end = 0;  // one past its last point in `points`; it starts where the previous ring ends
        bool shell = false;
    };
    std::vector<XY> points;
    std::vector<Ring> rings;
    bool multi = true;  // made into a MultiPolygon (false: a Polygon, one shell)

    bool empty() const { return rings.empty(); }
    std::uint32_t begin_of(std::size_t r) const { return r == 0 ? 0 : rings[r - 1].end; }
    /// Closes the points added since the last ring as the next ring.
    void end_ring(bool shell) { rings.push_back({static_cast<std::uint32_t>(points.size()), shell}); }
};

/// The rings of a Polygon or MultiPolygon (empty for null or empty geometries). Throws
/// std::invalid_argument for another geometry type.
PolygonRings rings_of(GEOSContextHandle_t handle, const GEOSGeometry* g);

/// The rings as a GEOS Polygon or MultiPolygon (null when there are none).
geo::Geometry to_geos(geo::GeosContext& context, const PolygonRings& polygons);

/// The area GEOS's GEOSArea gives for the same geometry, computed the same way (so equal to the bit):
/// shells minus holes, whatever the rings' orientation.
double area_of(const PolygonRings& polygons);

/// True when the polygons are certainly valid as GEOS's IsValidOp decides it: every ring has three
/// distinct points, no two segments meet other than consecutive ones at their shared point (no
/// crossing, touching, spike or repeated vertex), each hole lies in its own shell and in no other
/// hole, and no polygon lies in another's interior. False means "not sure", not "invalid": rings that
/// touch at a point are valid in OGC terms but answered false here, for GEOS to decide. Orientation
/// tests are exact for whole numbers up to 2^25 (a zoom's grid) and otherwise filtered by a forward
/// error bound (Shewchuk's orient2d), so rounding never turns an invalid polygon into a proven one.
bool certainly_valid(const PolygonRings& polygons);

}  // namespace tilesets
