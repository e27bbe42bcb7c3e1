#include "tilesets/coverage_simplifier.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <unordered_map>

namespace tilesets {

namespace {

struct CoordHash {
    std::size_t operator()(const std::pair<double, double>& c) const noexcept {
        const auto a = std::bit_cast<std::uint64_t>(c.first), b = std::bit_cast<std::uint64_t>(c.second);
        return static_cast<std::size_t>(a * 0x9E3779B97F4A7C15ULL ^ (b + 0x7F4A7C159E3779B9ULL + (a << 6) + (a >> 2)));
    }
};

double segment_distance(double px, double py, double ax, double ay, double bx, double by) {
    const double dx = bx - ax, dy = by - ay;
    const double length2 = dx * dx + dy * dy;
    double t = length2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / length2 : 0;
    t = std::clamp(t, 0.0, 1.0);
    return std::hypot(px - (ax + t * dx), py - (ay + t * dy));
}

}  // namespace

std::vector<std::size_t> douglas_peucker(const std::vector<double>& xs, const std::vector<double>& ys, double tolerance) {
    const std::size_t n = xs.size();
    if (n <= 2) {
        std::vector<std::size_t> all(n);
        for (std::size_t i = 0; i < n; ++i) all[i] = i;
        return all;
    }
    std::vector<bool> keep(n, false);
    keep.front() = keep.back() = true;
    std::vector<std::pair<std::size_t, std::size_t>> stack{{0, n - 1}};
    while (!stack.empty()) {
        const auto [first, last] = stack.back();
        stack.pop_back();
        double worst = -1;
        std::size_t at = first;
        for (std::size_t i = first + 1; i < last; ++i) {
            const double d = segment_distance(xs[i], ys[i], xs[first], ys[first], xs[last], ys[last]);
            if (d > worst) {
                worst = d;
                at = i;
            }
        }
        if (worst > tolerance) {
            keep[at] = true;
            stack.emplace_back(first, at);
            stack.emplace_back(at, last);
        }
    }
    std::vector<std::size_t> kept;
    for (std::size_t i = 0; i < n; ++i) {
        if (keep[i]) kept.push_back(i);
    }
    return kept;
}

CoverageSimplifier::CoverageSimplifier(geo::GeosContext& context, const std::vector<const GEOSGeometry*>& polygons)  {
    auto* h = context.handle();
    // 1. Rings as coordinate lists (without the closing repeat).
    std::vector<std::vector<Coord>> rings;
    std::vector<std::vector<std::vector<std::size_t>>> layout(polygons.size());  // polygon -> part -> ring ids
    present_.assign(polygons.size(), false);
    auto read_ring = [&](const GEOSGeometry* ring) {
        const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, ring);
        unsigned size = 0;
        GEOSCoordSeq_getSize_r(h, seq, &size);
        std::vector<Coord> coords;
        coords.reserve(size);
        for (unsigned i = 0; i + 1 < size; ++i) {
            double x = 0, y = 0;
            GEOSCoordSeq_getXY_r(h, seq, i, &x, &y);
            if (coords.empty() || !(coords.back() == Coord{x, y})) coords.push_back({x, y});
        }
        rings.push_back(std::move(coords));
        return rings.size() - 1;
    };
    for (std::size_t p = 0; p < polygons.size(); ++p) {
        const GEOSGeometry* g = polygons[p];
        if (g == nullptr || GEOSisEmpty_r(h, g) == 1) continue;
        present_[p] = true;
        const int type = GEOSGeomTypeId_r(h, g);
        const int count = type == GEOS_POLYGON ? 1 : GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < count; ++i) {
            const GEOSGeometry* part = type == GEOS_POLYGON ? g : GEOSGetGeometryN_r(h, g, i);
            if (GEOSGeomTypeId_r(h, part) != GEOS_POLYGON || GEOSisEmpty_r(h, part) == 1) continue;
            std::vector<std::size_t> ids{read_ring(GEOSGetExteriorRing_r(h, part))};
            for (int k = 0, holes = GEOSGetNumInteriorRings_r(h, part); k < holes; ++k) ids.push_back(read_ring(GEOSGetInteriorRingN_r(h, part, k)));
            layout[p].push_back(std::move(ids));
        }
    }

    // 2. Junctions: a point whose neighbours along one ring differ from its neighbours along another.
    struct Seen {
        Coord a, b;
        bool junction = false;
    };
    std::unordered_map<std::pair<double, double>, Seen, CoordHash> seen;
    for (const auto& ring : rings) {
        const std::size_t n = ring.size();
        for (std::size_t i = 0; i < n; ++i) {
            Coord prev = ring[(i + n - 1) % n], next = ring[(i + 1) % n];
            if (next < prev) std::swap(prev, next);
            auto [it, inserted] = seen.try_emplace({ring[i].x, ring[i].y}, Seen{prev, next});
            if (!inserted && !(it->second.a == prev && it->second.b == next)) it->second.junction = true;
        }
    }
    auto is_junction = [&](const Coord& c) { return seen.at({c.x, c.y}).junction; };

    // 3. Cut rings into arcs at junctions; store each distinct arc once, in a canonical direction.
    std::map<std::vector<Coord>, std::uint32_t> arc_ids;
    auto intern = [&](std::vector<Coord> arc, bool closed) -> ArcUse {
        bool reversed = false;
        std::vector<Coord> backwards(arc.rbegin(), arc.rend());
        if (closed) {
            // A whole ring: start at its smallest point so both rings sharing it agree; direction by
            // the neighbour of that start.
            const auto smallest = std::min_element(arc.begin(), arc.end());
            std::rotate(arc.begin(), smallest, arc.end());
            backwards.assign(arc.rbegin(), arc.rend());
            std::rotate(backwards.begin(), backwards.end() - 1, backwards.end());
        }
        if (backwards < arc) {
            arc.swap(backwards);
            reversed = true;
        }
        const auto [it, inserted] = arc_ids.try_emplace(arc, static_cast<std::uint32_t>(arcs_.size()));
        if (inserted) {
            arcs_.push_back(std::move(arc));
            closed_.push_back(closed);
        }
        return {it->second, reversed};
    };
    std::vector<Ring> ring_arcs(rings.size());
    for (std::size_t r = 0; r < rings.size(); ++r) {
        const auto& ring = rings[r];
        const std::size_t n = ring.size();
        std::size_t start = n;
        for (std::size_t i = 0; i < n; ++i) {
            if (is_junction(ring[i])) {
                start = i;
                break;
            }
        }
        if (start == n) {
            ring_arcs[r].arcs.push_back(intern(ring, true));
            continue;
        }
        std::vector<Coord> current{ring[start]};
        for (std::size_t step = 1; step <= n; ++step) {
            const Coord& c = ring[(start + step) % n];
            current.push_back(c);
            if (is_junction(c)) {
                ring_arcs[r].arcs.push_back(intern(current, false));
                current = {c};
            }
        }
    }
    polygons_.resize(polygons.size());
    users_.resize(arcs_.size());
    for (std::size_t p = 0; p < polygons.size(); ++p) {
        for (const auto& part : layout[p]) {
            Part out;
            for (const std::size_t r : part) {
                out.rings.push_back(ring_arcs[r]);
                for (const ArcUse& use : ring_arcs[r].arcs) {
                    auto& users = users_[use.arc];
                    if (users.empty() || users.back() != p) users.push_back(static_cast<std::uint32_t>(p));
                }
            }
            polygons_[p].parts.push_back(std::move(out));
        }
    }
}

std::vector<CoverageSimplifier::Coord> CoverageSimplifier::ring_coords(const Ring& ring, const std::vector<std::vector<Coord>>& arcs) const {
    std::vector<Coord> coords;
    for (const ArcUse& use : ring.arcs) {
        const auto& arc = arcs[use.arc];
        const std::size_t skip_last = closed_[use.arc] ? 0 : 1;  // the next arc starts where this one ends
        if (use.reversed) {
            for (std::size_t i = arc.size(); i-- > skip_last;) coords.push_back(arc[i]);
        } else {
            for (std::size_t i = 0; i + skip_last < arc.size(); ++i) coords.push_back(arc[i]);
        }
    }
    coords.erase(std::unique(coords.begin(), coords.end()), coords.end());
    while (coords.size() > 1 && coords.front() == coords.back()) coords.pop_back();
    return coords;
}

PolygonRings CoverageSimplifier::build(const Polygon& polygon, const std::vector<std::vector<Coord>>& arcs, std::size_t* collapsed) const {
    PolygonRings out;  // a MultiPolygon, as the coverage's polygons may have several parts
    auto add_ring = [&](const std::vector<Coord>& c, bool shell) {
        for (const Coord& p : c) out.points.push_back({p.x, p.y});
        out.end_ring(shell);
    };
    for (const Part& part : polygon.parts) {
        const auto shell = ring_coords(part.rings.front(), arcs);
        if (shell.size() < 3) {
            ++*collapsed;
            continue;
        }
        add_ring(shell, true);
        for (std::size_t k = 1; k < part.rings.size(); ++k) {
            const auto hole = ring_coords(part.rings[k], arcs);
            if (hole.size() < 3) {
                ++*collapsed;
                continue;
            }
            add_ring(hole, false);
        }
    }
    return out;
}

std::vector<std::vector<CoverageSimplifier::Coord>> CoverageSimplifier::simplified_arcs(double tolerance, CoverageSimplifyStats* stats) const {
    std::vector<std::vector<Coord>> simplified(arcs_.size());
    CoverageSimplifyStats& local = *stats;
    for (std::size_t a = 0; a < arcs_.size(); ++a) {
        const auto& arc = arcs_[a];
        local.points_in += arc.size();
        std::vector<double> xs, ys;
        for (const Coord& c : arc) {
            xs.push_back(c.x);
            ys.push_back(c.y);
        }
        if (closed_[a]) {  // close it so both ends are the fixed start point
            xs.push_back(arc.front().x);
            ys.push_back(arc.front().y);
        }
        for (const std::size_t i : douglas_peucker(xs, ys, tolerance)) {
            if (!closed_[a] || i + 1 < xs.size()) simplified[a].push_back(arc[i]);
        }
        if (closed_[a] && simplified[a].size() < 3) simplified[a] = arc;  // a whole ring never vanishes by its own simplification
        local.points_out += simplified[a].size();
    }
    local.arcs = arcs_.size();
    return simplified;
}

CoverageSimplifier::Result CoverageSimplifier::simplify(geo::GeosContext& context, double tolerance, bool with_shared_boundaries) const {
    auto* h = context.handle();
    Result result;
    CoverageSimplifyStats& local = result.stats;
    std::vector<std::vector<Coord>> simplified = simplified_arcs(tolerance, &local);
    std::vector<PolygonRings>& out = result.polygons;
    out.resize(polygons_.size());
    for (std::size_t p = 0; p < polygons_.size(); ++p) {
        if (present_[p]) out[p] = build(polygons_[p], simplified, &local.collapsed_rings);
    }
    // Polygons that simplification made invalid get their arcs back at full detail; their neighbours,
    // sharing those arcs, are rebuilt with them too. Validity is tested once per polygon built.
    constexpr int kRestoreRounds = 3;
    std::vector<signed char> valid(polygons_.size(), -1);  // -1: not tested since built
    for (int round = 0; round < kRestoreRounds; ++round) {
        std::vector<bool> restore(arcs_.size(), false);
        bool any = false;
        for (std::size_t p = 0; p < polygons_.size(); ++p) {
            if (out[p].empty()) continue;
            if (valid[p] < 0) valid[p] = certainly_valid(out[p]) || GEOSisValid_r(h, to_geos(context, out[p]).get()) == 1 ? 1 : 0;
            if (valid[p] == 1) continue;
            any = true;
            ++local.restored_polygons;
            for (const Part& part : polygons_[p].parts) {
                for (const Ring& ring : part.rings) {
                    for (const ArcUse& use : ring.arcs) restore[use.arc] = true;
                }
            }
        }
        if (!any) break;
        for (std::size_t a = 0; a < arcs_.size(); ++a) {
            if (restore[a]) simplified[a] = arcs_[a];
        }
        for (std::size_t p = 0; p < polygons_.size(); ++p) {
            bool touched = false;
            for (const Part& part : polygons_[p].parts) {
                for (const Ring& ring : part.rings) {
                    for (const ArcUse& use : ring.arcs) touched = touched || restore[use.arc];
                }
            }
            if (touched && present_[p]) {
                out[p] = build(polygons_[p], simplified, &local.collapsed_rings);
                valid[p] = -1;
            }
        }
    }
    if (with_shared_boundaries) result.shared = shared_boundaries(context, simplified);
    return result;
}

}  // namespace tilesets

namespace tilesets {

std::vector<CoverageSimplifier::SharedBoundary> CoverageSimplifier::shared_boundaries(geo::GeosContext& context,
                                                                                     const std::vector<std::vector<Coord>>& arcs) const {
    auto* h = context.handle();
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<GEOSGeometry*>> lines;
    for (std::size_t a = 0; a < arcs_.size(); ++a) {
        if (users_[a].size() != 2 || arcs[a].size() < 2) continue;
        const auto& c = arcs[a];
        const bool closed = closed_[a];
        GEOSCoordSequence* seq = GEOSCoordSeq_create_r(h, static_cast<unsigned>(c.size() + (closed ? 1 : 0)), 2);
        for (std::size_t i = 0; i < c.size(); ++i) GEOSCoordSeq_setXY_r(h, seq, static_cast<unsigned>(i), c[i].x, c[i].y);
        if (closed) GEOSCoordSeq_setXY_r(h, seq, static_cast<unsigned>(c.size()), c[0].x, c[0].y);
        const auto key = std::minmax(users_[a][0], users_[a][1]);
        lines[{key.first, key.second}].push_back(GEOSGeom_createLineString_r(h, seq));
    }
    std::vector<SharedBoundary> out;
    for (auto& [key, parts] : lines) {
        SharedBoundary b;
        b.a = key.first;
        b.b = key.second;
        b.lines = geo::adopt(context, GEOSGeom_createCollection_r(h, GEOS_MULTILINESTRING, parts.data(), static_cast<unsigned>(parts.size())),
                             "collecting shared arcs");
        out.push_back(std::move(b));
    }
    return out;
}

}  // namespace tilesets
