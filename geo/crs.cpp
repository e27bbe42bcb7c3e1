#include "geo/crs.hpp"

#include <vector>

#include <cmath>
#include <proj.h>

namespace geo {

namespace {

std::string proj_message(PJ_CONTEXT* context) {
    const int code = proj_context_errno(context);
    return code == 0 ? std::string("unknown error") : std::string(proj_context_errno_string(context, code));
}

}  // namespace

CrsTransform::CrsTransform(const std::string& from, const std::string& to)
    : context_(proj_context_create()), transform_(nullptr) {
    proj_log_level(context_, PJ_LOG_NONE);  // failures reach the caller as CrsError, not as stderr lines
    PJ* raw = proj_create_crs_to_crs(context_, from.c_str(), to.c_str(), nullptr);
    if (raw == nullptr) {
        const std::string why = proj_message(context_);
        proj_context_destroy(context_);
        throw CrsError("PROJ cannot transform from '" + from + "' to '" + to + "': " + why);
    }
    // Traditional GIS order (x = easting or longitude) whatever the CRS's official axis order.
    transform_ = proj_normalize_for_visualization(context_, raw);
    proj_destroy(raw);
    if (transform_ == nullptr) {
        const std::string why = proj_message(context_);
        proj_context_destroy(context_);
        throw CrsError("PROJ cannot normalise the axis order from '" + from + "' to '" + to + "': " + why);
    }
}

CrsTransform::~CrsTransform() {
    proj_destroy(transform_);
    proj_context_destroy(context_);
}

Point CrsTransform::transform(Point p) const {
    const PJ_COORD out = proj_trans(transform_, PJ_FWD, proj_coord(p.x, p.y, 0, 0));
    if (out.xy.x == HUGE_VAL) throw CrsError("PROJ could not transform a point: " + proj_message(context_));
    return {out.xy.x, out.xy.y};
}

Envelope CrsTransform::transform_bounds(const Envelope& box) const {
    Envelope out;
    if (box.is_empty) return out;
    double min_x = 0, min_y = 0, max_x = 0, max_y = 0;
    constexpr int densify_points = 21;
    if (proj_trans_bounds(context_, transform_, PJ_FWD, box.min_x, box.min_y, box.max_x, box.max_y, &min_x, &min_y,
                          &max_x, &max_y, densify_points) == 0) {
        throw CrsError("PROJ could not transform a bounding box: " + proj_message(context_));
    }
    out.expand(min_x, min_y);
    out.expand(max_x, max_y);
    return out;
}

Geometry transform_geometry(GeosContext& context, const GEOSGeometry* geometry, const CrsTransform& transform) {
    auto callback = [](double* x, double* y, void* user) -> int {
        try {  // nothing may be thrown through GEOS's C frames
            const Point p = static_cast<const CrsTransform*>(user)->transform({*x, *y});
            *x = p.x;
            *y = p.y;
            return 1;
        } catch (...) {
            return 0;
        }
    };
    return adopt(context, GEOSGeom_transformXY_r(context.handle(), geometry, callback, const_cast<CrsTransform*>(&transform)),
                 "transforming coordinates");
}

Geometry transform_box(GeosContext& context, const Envelope& box, const CrsTransform& transform) {
    constexpr int kStepsPerEdge = 32;
    const double corners[5][2] = {{box.min_x, box.min_y}, {box.max_x, box.min_y}, {box.max_x, box.max_y}, {box.min_x, box.max_y}, {box.min_x, box.min_y}};
    // Every point first: a transform that fails (throws) must not leave a GEOS sequence behind.
    std::vector<Point> points;
    points.reserve(4 * kStepsPerEdge + 1);
    for (int edge = 0; edge < 4; ++edge) {
        for (int step = 0; step < kStepsPerEdge; ++step) {
            const double t = static_cast<double>(step) / kStepsPerEdge;
            points.push_back(transform.transform({corners[edge][0] + t * (corners[edge + 1][0] - corners[edge][0]),
                                                  corners[edge][1] + t * (corners[edge + 1][1] - corners[edge][1])}));
        }
    }
    points.push_back(points.front());
    auto* h = context.handle();
    GEOSCoordSequence* ring = GEOSCoordSeq_create_r(h, static_cast<unsigned>(points.size()), 2);
    if (ring == nullptr) context.fail("making a box");
    for (unsigned at = 0; at < points.size(); ++at) GEOSCoordSeq_setXY_r(h, ring, at, points[at].x, points[at].y);
    GEOSGeometry* shell = GEOSGeom_createLinearRing_r(h, ring);
    return adopt(context, shell != nullptr ? GEOSGeom_createPolygon_r(h, shell, nullptr, 0) : nullptr, "making a box");
}

}  // namespace geo
