#pragma once
// Coordinate transformations with PROJ, in traditional GIS axis order (x = easting/longitude).
#include "geo/geos.hpp"

#include <stdexcept>
#include <string>

struct pj_ctx;
struct PJconsts;

namespace geo {

class CrsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A PROJ transformation between two CRSs given as any string PROJ accepts ("EPSG:27700",
/// "OGC:CRS84", WKT). Not thread-safe: one per thread.
class CrsTransform {
public:
    CrsTransform(const std::string& from, const std::string& to);
    ~CrsTransform();
    CrsTransform(const CrsTransform&) = delete;
    CrsTransform& operator=(const CrsTransform&) = delete;

    Point transform(Point p) const;
    /// The box in the target CRS that holds the whole source box (edges densified, not just corners).
    Envelope transform_bounds(const Envelope& box) const;

private:
    pj_ctx* context_;
    PJconsts* transform_;
};

/// A copy of `geometry` with every coordinate carried through `transform`. Throws GeosError when a
/// coordinate cannot be transformed (PROJ's reason is not kept: GEOS only hears that it failed).
Geometry transform_geometry(GeosContext& context, const GEOSGeometry* geometry, const CrsTransform& transform);

/// The box of the transform's source CRS as a polygon in its target CRS, each edge densified first, so
/// that it follows the curve a rectangle of one CRS makes in another. Throws CrsError when a point of
/// it cannot be transformed.
Geometry transform_box(GeosContext& context, const Envelope& box, const CrsTransform& transform);

}  // namespace geo
