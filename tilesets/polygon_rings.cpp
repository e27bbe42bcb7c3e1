#include "tilesets/polygon_rings.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace tilesets {

PolygonRings rings_of(GEOSContextHandle_t handle, const GEOSGeometry* g) {
    PolygonRings out;
    if (g == nullptr || GEOSisEmpty_r(handle, g) == 1) return out;
    const int type = GEOSGeomTypeId_r(handle, g);
    if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) {
        throw std::invalid_argument("polygon rings: expected a Polygon or MultiPolygon, got geometry type " + std::to_string(type));
    }
    out.multi = type == GEOS_MULTIPOLYGON;
    std::vector<double> buffer;
    auto add_ring = [&](const GEOSGeometry* ring, bool shell) {
        const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(handle, ring);
        unsigned size = 0;
        GEOSCoordSeq_getSize_r(handle, seq, &size);
        if (size == 0) return;
        buffer.resize(2 * static_cast<std::size_t>(size));
        GEOSCoordSeq_copyToBuffer_r(handle, seq, buffer.data(), 0, 0);
        for (unsigned k = 0; k + 1 < size; ++k) out.points.push_back({buffer[2 * k], buffer[2 * k + 1]});  // open: the closing point goes
        out.end_ring(shell);
    };
    for (int i = 0, n = out.multi ? GEOSGetNumGeometries_r(handle, g) : 1; i < n; ++i) {
        const GEOSGeometry* polygon = out.multi ? GEOSGetGeometryN_r(handle, g, i) : g;
        if (GEOSisEmpty_r(handle, polygon) == 1) continue;
        add_ring(GEOSGetExteriorRing_r(handle, polygon), true);
        for (int h = 0, holes = GEOSGetNumInteriorRings_r(handle, polygon); h < holes; ++h) add_ring(GEOSGetInteriorRingN_r(handle, polygon, h), false);
    }
    return out;
}

geo::Geometry to_geos(geo::GeosContext& context, const PolygonRings& polygons) {
    auto* h = context.handle();
    if (polygons.empty()) return geo::Geometry(nullptr, geo::GeometryDeleter{});
    std::vector<GEOSGeometry*> parts, rings;
    auto finish_polygon = [&] {
        if (rings.empty()) return;
        parts.push_back(GEOSGeom_createPolygon_r(h, rings.front(), rings.data() + 1, static_cast<unsigned>(rings.size() - 1)));
        rings.clear();
    };
    std::vector<double> buffer;
    for (std::size_t r = 0; r < polygons.rings.size(); ++r) {
        if (polygons.rings[r].shell) finish_polygon();
        const std::uint32_t begin = polygons.begin_of(r), end = polygons.rings[r].end;
        buffer.clear();
        for (std::uint32_t k = begin; k <= end; ++k) {
            const XY& p = polygons.points[k < end ? k : begin];  // closed again
            buffer.push_back(p.x);
            buffer.push_back(p.y);
        }
        rings.push_back(GEOSGeom_createLinearRing_r(h, GEOSCoordSeq_copyFromBuffer_r(h, buffer.data(), end - begin + 1, 0, 0)));
    }
    finish_polygon();
    if (!polygons.multi && parts.size() == 1) return geo::adopt(context, parts.front(), "making a polygon");
    return geo::adopt(context, GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts.data(), static_cast<unsigned>(parts.size())),
                      "making a multipolygon");
}

double area_of(const PolygonRings& polygons) {
    double total = 0, polygon = 0;
    for (std::size_t r = 0; r < polygons.rings.size(); ++r) {
        const std::uint32_t begin = polygons.begin_of(r), end = polygons.rings[r].end;
        const std::size_t m = end - begin;  // the closed ring has m + 1 points
        double sum = 0;
        if (m >= 2) {
            // GEOS's Area::ofRingSigned on the closed ring, term for term.
            const XY* p = polygons.points.data() + begin;
            const double x0 = p[0].x;
            for (std::size_t i = 1; i < m; ++i) sum += (p[i].x - x0) * (p[i - 1].y - p[i + 1 < m ? i + 1 : 0].y);
        }
        const double ring = std::abs(sum / 2.0);
        if (polygons.rings[r].shell) {
            if (r > 0) total += polygon;
            polygon = ring;
        } else {
            polygon -= ring;
        }
    }
    return polygons.rings.empty() ? 0 : total + polygon;
}

namespace {

constexpr double kOrientErrorBound = (3.0 + 16.0 * 0x1p-53) * 0x1p-53;  // Shewchuk's ccwerrboundA
constexpr double kExactLimit = 0x1p25;  // whole numbers up to here: every product and sum below is exact
constexpr int kUnsure = 2;

struct Checker {
    std::vector<XY> points;         // the rings with consecutive repeats removed
    std::vector<std::uint32_t> begins, ends;
    std::vector<bool> shells;
    bool exact = true;

    /// Sign of the turn a -> b -> c: 1 left, -1 right, 0 straight, kUnsure when rounding could decide it.
    int orient(const XY& a, const XY& b, const XY& c) const {
        const double left = (b.x - a.x) * (c.y - a.y), right = (b.y - a.y) * (c.x - a.x);
        const double det = left - right;
        if (exact) return (det > 0) - (det < 0);
        if (left == 0 && right == 0) return 0;  // a difference is exactly zero only for equal numbers
        const double bound = kOrientErrorBound * (std::abs(left) + std::abs(right));
        if (det > bound) return 1;
        if (-det > bound) return -1;
        return kUnsure;
    }

    /// 1 inside ring r, 0 outside, kUnsure; `p` is known not to lie on the ring.
    int inside(const XY& p, std::size_t r) const {
        int winding = 0;
        const std::uint32_t b = begins[r], e = ends[r];
        for (std::uint32_t i = b; i < e; ++i) {
            const XY& u = points[i];
            const XY& v = points[i + 1 < e ? i + 1 : b];
            if (u.y <= p.y) {
                if (v.y > p.y) {
                    const int o = orient(u, v, p);
                    if (o == kUnsure || o == 0) return kUnsure;
                    if (o > 0) ++winding;
                }
            } else if (v.y <= p.y) {
                const int o = orient(u, v, p);
                if (o == kUnsure || o == 0) return kUnsure;
                if (o < 0) --winding;
            }
        }
        return winding != 0 ? 1 : 0;
    }

    /// Whether segments (a, b) and (c, d) share any point, or might.
    bool may_meet(const XY& a, const XY& b, const XY& c, const XY& d) const {
        const int o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b);
        if (o1 == kUnsure || o2 == kUnsure || o3 == kUnsure || o4 == kUnsure) return true;
        if (o1 != o2 && o3 != o4 && o1 != 0 && o2 != 0 && o3 != 0 && o4 != 0) return true;  // a proper crossing
        auto on = [](const XY& s, const XY& t, const XY& p) {
            return std::min(s.x, t.x) <= p.x && p.x <= std::max(s.x, t.x) && std::min(s.y, t.y) <= p.y && p.y <= std::max(s.y, t.y);
        };
        return (o1 == 0 && on(a, b, c)) || (o2 == 0 && on(a, b, d)) || (o3 == 0 && on(c, d, a)) || (o4 == 0 && on(c, d, b));
    }

    bool rings_simple_and_apart() const {
        struct Segment {
            double min_x, max_x, min_y, max_y;
            std::uint32_t from, ring;
        };
        std::vector<Segment> segments;
        segments.reserve(points.size());
        for (std::uint32_t r = 0; r < begins.size(); ++r) {
            for (std::uint32_t i = begins[r]; i < ends[r]; ++i) {
                const XY& a = points[i];
                const XY& b = points[i + 1 < ends[r] ? i + 1 : begins[r]];
                const XY& before = points[i > begins[r] ? i - 1 : ends[r] - 1];
                // Consecutive segments meet at their shared point only, unless they fold back on themselves.
                const int turn = orient(before, a, b);
                if (turn == kUnsure) return false;
                if (turn == 0 && (a.x - before.x) * (b.x - a.x) + (a.y - before.y) * (b.y - a.y) < 0) return false;
                segments.push_back({std::min(a.x, b.x), std::max(a.x, b.x), std::min(a.y, b.y), std::max(a.y, b.y), i, r});
            }
        }
        std::sort(segments.begin(), segments.end(), [](const Segment& s, const Segment& t) { return s.min_x < t.min_x; });
        auto next_of = [&](std::uint32_t i, std::uint32_t r) { return i + 1 < ends[r] ? i + 1 : begins[r]; };
        for (std::size_t s = 0; s < segments.size(); ++s) {
            const Segment& u = segments[s];
            for (std::size_t t = s + 1; t < segments.size() && segments[t].min_x <= u.max_x; ++t) {
                const Segment& v = segments[t];
                if (v.max_y < u.min_y || v.min_y > u.max_y) continue;
                if (u.ring == v.ring && (next_of(u.from, u.ring) == v.from || next_of(v.from, v.ring) == u.from)) continue;  // consecutive
                if (may_meet(points[u.from], points[next_of(u.from, u.ring)], points[v.from], points[next_of(v.from, v.ring)])) return false;
            }
        }
        return true;
    }
};

}  // namespace

bool certainly_valid(const PolygonRings& polygons) {
    if (polygons.empty() || !polygons.rings.front().shell) return false;
    Checker c;
    c.points.reserve(polygons.points.size());
    for (std::size_t r = 0; r < polygons.rings.size(); ++r) {
        const auto begin = static_cast<std::uint32_t>(c.points.size());
        for (std::uint32_t k = polygons.begin_of(r); k < polygons.rings[r].end; ++k) {
            const XY& p = polygons.points[k];
            if (!std::isfinite(p.x) || !std::isfinite(p.y)) return false;
            if (c.points.size() > begin && c.points.back() == p) continue;
            c.points.push_back(p);
            c.exact = c.exact && std::abs(p.x) <= kExactLimit && std::abs(p.y) <= kExactLimit && p.x == std::trunc(p.x) &&
                      p.y == std::trunc(p.y);
        }
        while (c.points.size() > begin + 1 && c.points.back() == c.points[begin]) c.points.pop_back();
        if (c.points.size() < begin + 3) return false;  // fewer than three distinct points
        c.begins.push_back(begin);
        c.ends.push_back(static_cast<std::uint32_t>(c.points.size()));
        c.shells.push_back(polygons.rings[r].shell);
    }
    if (!c.rings_simple_and_apart()) return false;
    // No ring meets another, so one point of a ring tells on which side of any other ring all of it lies.
    const std::size_t n = c.begins.size();
    std::vector<std::size_t> shell_of(n);
    std::vector<XY> low(n), high(n);
    for (std::size_t r = 0; r < n; ++r) {
        shell_of[r] = c.shells[r] ? r : shell_of[r - 1];
        low[r] = high[r] = c.points[c.begins[r]];
        for (std::uint32_t i = c.begins[r]; i < c.ends[r]; ++i) {
            low[r] = {std::min(low[r].x, c.points[i].x), std::min(low[r].y, c.points[i].y)};
            high[r] = {std::max(high[r].x, c.points[i].x), std::max(high[r].y, c.points[i].y)};
        }
    }
    // Where the first point of ring `inner` lies with respect to ring `outer`: 1 inside, 0 outside, kUnsure.
    auto inside = [&](std::size_t inner, std::size_t outer) {
        const XY& p = c.points[c.begins[inner]];
        if (p.x < low[outer].x || p.x > high[outer].x || p.y < low[outer].y || p.y > high[outer].y) return 0;
        return c.inside(p, outer);
    };
    for (std::size_t r = 0; r < n; ++r) {
        if (c.shells[r]) {
            // A polygon lies in no other's interior: outside its shell, or inside one of its holes.
            for (std::size_t o = 0; o < n; ++o) {
                if (!c.shells[o] || o == r) continue;
                const int in_shell = inside(r, o);
                if (in_shell != 0) {
                    if (in_shell == kUnsure) return false;
                    bool in_hole = false;
                    for (std::size_t h = o + 1; h < n && !c.shells[h] && !in_hole; ++h) {
                        const int in = inside(r, h);
                        if (in == kUnsure) return false;
                        in_hole = in == 1;
                    }
                    if (!in_hole) return false;
                }
            }
            continue;
        }
        // A hole lies in its own shell and in none of its polygon's other holes.
        if (inside(r, shell_of[r]) != 1) return false;
        for (std::size_t h = shell_of[r] + 1; h < n && !c.shells[h]; ++h) {
            if (h != r && inside(r, h) != 0) return false;
        }
    }
    return true;
}

}  // namespace tilesets
