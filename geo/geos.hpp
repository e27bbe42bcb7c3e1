#pragma once
// Thin RAII layer over the reentrant GEOS C API: one context per thread, owning geometry handles,
// WKT/WKB conversion and polygon repair. Everything else in geo/ builds on these few types.
#ifndef GEOS_USE_ONLY_R_API
#define GEOS_USE_ONLY_R_API
#endif
#include <geos_c.h>

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace geo {

/// A GEOS operation failed; the message carries GEOS's own words.
class GeosError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// One GEOS context handle. GEOS contexts are not thread-safe: give each thread its own.
/// Geometries made in one context may be read from another, so a loaded dataset can be shared.
class GeosContext {
public:
    GeosContext();
    ~GeosContext();
    GeosContext(const GeosContext&) = delete;
    GeosContext& operator=(const GeosContext&) = delete;

    GEOSContextHandle_t handle() const noexcept { return handle_; }
    /// Throws GeosError naming what we were doing and the last message GEOS reported.
    [[noreturn]] void fail(std::string_view doing) const;

private:
    static void on_error(const char* message, void* self);
    GEOSContextHandle_t handle_;
    std::string last_error_;
};

/// The GEOS context geometries are destroyed through: one for the process, never finished. GEOS uses a
/// handle only to report an error while destroying (none can occur), so any thread may use it, and a
/// geometry never depends on the context that made it still being alive, whatever the order in which
/// members or objects go.
GEOSContextHandle_t destroying_context() noexcept;

struct GeometryDeleter {
    void operator()(GEOSGeometry* geometry) const noexcept {
        if (geometry != nullptr) GEOSGeom_destroy_r(destroying_context(), geometry);
    }
};
/// An owned GEOS geometry (one pointer: the deleter has no state).
using Geometry = std::unique_ptr<GEOSGeometry, GeometryDeleter>;

/// Takes ownership of a geometry GEOS returned, throwing GeosError when GEOS returned null.
Geometry adopt(GeosContext& context, GEOSGeometry* raw, std::string_view doing);

Geometry from_wkt(GeosContext& context, std::string_view wkt);
Geometry from_wkb(GeosContext& context, std::span<const unsigned char> wkb);
/// WKT with trailing zeros trimmed; `decimals` < 0 keeps full precision.
std::string to_wkt(GeosContext& context, const GEOSGeometry* geometry, int decimals = -1);
Geometry make_point(GeosContext& context, double x, double y);

struct Point {
    double x = 0;
    double y = 0;
};

/// An axis-aligned box; empty until the first expand().
struct Envelope {
    double min_x = 0, min_y = 0, max_x = 0, max_y = 0;
    bool is_empty = true;

    void expand(double x, double y);
    void expand(const Envelope& other);
    double width() const { return max_x - min_x; }
    double height() const { return max_y - min_y; }
};
Envelope envelope_of(GeosContext& context, const GEOSGeometry* geometry);

double area_of(GeosContext& context, const GEOSGeometry* geometry);
/// GEOS's name for the geometry's type ("Polygon", "LineString", ...).
std::string type_name(GeosContext& context, const GEOSGeometry* geometry);
bool is_polygonal(GeosContext& context, const GEOSGeometry* geometry);
/// Number of polygons in a Polygon (1) or MultiPolygon (n).
int polygon_count(GeosContext& context, const GEOSGeometry* geometry);
/// Total number of interior rings over all polygons.
int hole_count(GeosContext& context, const GEOSGeometry* geometry);

/// A valid polygonal geometry, and whether it had to be repaired (with GEOS's reason).
struct PolygonalRepair {
    Geometry geometry;
    bool repaired = false;
    std::string reason;
};

/// Returns `input` when it is a valid Polygon or MultiPolygon; otherwise repairs it with GEOS
/// make-valid using the STRUCTURE method (rings are unioned as areas, so polygons stay polygons) and
/// keeps only the polygonal part. Throws GeosError for non-polygonal input or when nothing
/// polygonal is left.
PolygonalRepair make_valid_polygonal(GeosContext& context, Geometry input);

}  // namespace geo
