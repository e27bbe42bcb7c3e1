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

}  // namespace geo
