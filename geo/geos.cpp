#include "geo/geos.hpp"

#include <algorithm>
#include <vector>

namespace geo {

GEOSContextHandle_t destroying_context() noexcept {
    static const GEOSContextHandle_t handle = GEOS_init_r();  // deliberately never finished: see geos.hpp
    return handle;
}

GeosContext::GeosContext() : handle_(GEOS_init_r()) {
    if (handle_ == nullptr) throw GeosError("could not create a GEOS context");
    GEOSContext_setErrorMessageHandler_r(handle_, &GeosContext::on_error, this);
}

GeosContext::~GeosContext() { GEOS_finish_r(handle_); }

void GeosContext::on_error(const char* message, void* self) {
    static_cast<GeosContext*>(self)->last_error_ = message != nullptr ? message : "";
}

void GeosContext::fail(std::string_view doing) const {
    std::string message = "GEOS failed while " + std::string(doing);
    if (!last_error_.empty()) message += ": " + last_error_;
    throw GeosError(message);
}

Geometry adopt(GeosContext& context, GEOSGeometry* raw, std::string_view doing) {
    if (raw == nullptr) context.fail(doing);
    return Geometry(raw, GeometryDeleter{});
}

Geometry from_wkt(GeosContext& context, std::string_view wkt) {
    auto* h = context.handle();
    GEOSWKTReader* raw_reader = GEOSWKTReader_create_r(h);
    std::string text(wkt);
    GEOSGeometry* raw = GEOSWKTReader_read_r(h, raw_reader, text.c_str());
    GEOSWKTReader_destroy_r(h, raw_reader);
    return adopt(context, raw, "reading WKT");
}

Geometry from_wkb(GeosContext& context, std::span<const unsigned char> wkb) {
    auto* h = context.handle();
    GEOSWKBReader* reader = GEOSWKBReader_create_r(h);
    GEOSGeometry* raw = GEOSWKBReader_read_r(h, reader, wkb.data(), wkb.size());
    GEOSWKBReader_destroy_r(h, reader);
    return adopt(context, raw, "reading WKB");
}

std::string to_wkt(GeosContext& context, const GEOSGeometry* geometry, int decimals) {
    auto* h = context.handle();
    GEOSWKTWriter* writer = GEOSWKTWriter_create_r(h);
    GEOSWKTWriter_setTrim_r(h, writer, 1);
    if (decimals >= 0) GEOSWKTWriter_setRoundingPrecision_r(h, writer, decimals);
    char* raw = GEOSWKTWriter_write_r(h, writer, geometry);
    GEOSWKTWriter_destroy_r(h, writer);
    if (raw == nullptr) context.fail("writing WKT");
    std::string text(raw);
    GEOSFree_r(h, raw);
    return text;
}

Geometry make_point(GeosContext& context, double x, double y) {
    return adopt(context, GEOSGeom_createPointFromXY_r(context.handle(), x, y), "making a point");
}

void Envelope::expand(double x, double y) {
    if (is_empty) {
        min_x = max_x = x;
        min_y = max_y = y;
        is_empty = false;
        return;
    }
    min_x = std::min(min_x, x);
    min_y = std::min(min_y, y);
    max_x = std::max(max_x, x);
    max_y = std::max(max_y, y);
}

void Envelope::expand(const Envelope& other) {
    if (other.is_empty) return;
    expand(other.min_x, other.min_y);
    expand(other.max_x, other.max_y);
}

Envelope envelope_of(GeosContext& context, const GEOSGeometry* geometry) {
    Envelope box;
    if (GEOSisEmpty_r(context.handle(), geometry) == 1) return box;
    double min_x = 0, min_y = 0, max_x = 0, max_y = 0;
    if (GEOSGeom_getXMin_r(context.handle(), geometry, &min_x) == 0 ||
        GEOSGeom_getYMin_r(context.handle(), geometry, &min_y) == 0 ||
        GEOSGeom_getXMax_r(context.handle(), geometry, &max_x) == 0 ||
        GEOSGeom_getYMax_r(context.handle(), geometry, &max_y) == 0) {
        context.fail("computing an envelope");
    }
    box.expand(min_x, min_y);
    box.expand(max_x, max_y);
    return box;
}

double area_of(GeosContext& context, const GEOSGeometry* geometry) {
    double area = 0;
    if (GEOSArea_r(context.handle(), geometry, &area) == 0) context.fail("computing an area");
    return area;
}

bool is_polygonal(GeosContext& context, const GEOSGeometry* geometry) {
    const int type = GEOSGeomTypeId_r(context.handle(), geometry);
    return type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON;
}

int polygon_count(GeosContext& context, const GEOSGeometry* geometry) {
    return GEOSGeomTypeId_r(context.handle(), geometry) == GEOS_POLYGON
               ? 1
               : GEOSGetNumGeometries_r(context.handle(), geometry);
}

int hole_count(GeosContext& context, const GEOSGeometry* geometry) {
    auto* h = context.handle();
    if (GEOSGeomTypeId_r(h, geometry) == GEOS_POLYGON) return GEOSGetNumInteriorRings_r(h, geometry);
    int holes = 0;
    for (int i = 0, n = GEOSGetNumGeometries_r(h, geometry); i < n; ++i) {
        holes += GEOSGetNumInteriorRings_r(h, GEOSGetGeometryN_r(h, geometry, i));
    }
    return holes;
}

namespace {

// Collects the polygons of any geometry (including nested collections) into one MultiPolygon, or a
// Polygon when there is just one. Make-valid may return a collection mixing polygons with collapsed
// lines or points; only the polygonal part is an area.
Geometry polygonal_part(GeosContext& context, const GEOSGeometry* geometry) {
    auto* h = context.handle();
    std::vector<GEOSGeometry*> polygons;
    auto collect = [&](auto&& self, const GEOSGeometry* g) -> void {
        const int type = GEOSGeomTypeId_r(h, g);
        if (type == GEOS_POLYGON) {
            if (GEOSisEmpty_r(h, g) == 0) polygons.push_back(GEOSGeom_clone_r(h, g));
        } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
            for (int i = 0, n = GEOSGetNumGeometries_r(h, g); i < n; ++i) self(self, GEOSGetGeometryN_r(h, g, i));
        }
    };
    collect(collect, geometry);
    if (polygons.empty()) return Geometry(nullptr, GeometryDeleter{});
    if (polygons.size() == 1) return adopt(context, polygons.front(), "keeping a polygon");
    return adopt(context,
                 GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polygons.data(),
                                             static_cast<unsigned>(polygons.size())),
                 "assembling a multipolygon");
}

}  // namespace

std::string type_name(GeosContext& context, const GEOSGeometry* geometry) {
    char* name = GEOSGeomType_r(context.handle(), geometry);  // GEOS allocates the name: free it
    std::string text = name != nullptr ? name : "geometry";
    GEOSFree_r(context.handle(), name);
    return text;
}

PolygonalRepair make_valid_polygonal(GeosContext& context, Geometry input) {
    auto* h = context.handle();
    PolygonalRepair result;
    if (!is_polygonal(context, input.get())) {
        throw GeosError("expected a Polygon or MultiPolygon, got a " + type_name(context, input.get()));
    }
    if (GEOSisValid_r(h, input.get()) == 1) {
        result.geometry = std::move(input);
        return result;
    }
    result.repaired = true;
    char* reason = GEOSisValidReason_r(h, input.get());
    result.reason = reason != nullptr ? reason : "invalid";
    GEOSFree_r(h, reason);
    GEOSMakeValidParams* params = GEOSMakeValidParams_create_r(h);
    GEOSMakeValidParams_setMethod_r(h, params, GEOS_MAKE_VALID_STRUCTURE);
    GEOSMakeValidParams_setKeepCollapsed_r(h, params, 0);
    GEOSGeometry* raw = GEOSMakeValidWithParams_r(h, input.get(), params);
    GEOSMakeValidParams_destroy_r(h, params);
    Geometry repaired = adopt(context, raw, "repairing a polygon (make-valid)");
    result.geometry = polygonal_part(context, repaired.get());
    if (!result.geometry) throw GeosError("make-valid left no polygon (" + result.reason + ")");
    if (GEOSisValid_r(h, result.geometry.get()) != 1) {
        // GEOS 3.11's make-valid can leave a self-intersection at the limit of precision (found by
        // fuzz_tiles): buffer(0) settles it, or the polygon is refused rather than passed on invalid.
        const Geometry settled = adopt(context, GEOSBuffer_r(h, result.geometry.get(), 0, 8), "repairing a polygon (buffer 0)");
        result.geometry = polygonal_part(context, settled.get());
        if (!result.geometry || GEOSisValid_r(h, result.geometry.get()) != 1) {
            throw GeosError("make-valid left an invalid polygon (" + result.reason + ")");
        }
    }
    return result;
}

}  // namespace geo
