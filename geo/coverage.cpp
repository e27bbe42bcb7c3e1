#include "geo/coverage.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <numbers>
#include <unordered_map>

namespace geo {

namespace {

constexpr double kOverlapTolerance = 1e-3;  // metres: edges this close and collinear are shared
constexpr double kAreaTolerance = 1e-7;     // relative: a union's rings must add up to its areas' total
constexpr double kNearTolerance = 0.05;     // metres: unmatched edges this close may cross in a union

double point_segment_distance(double px, double py, double x0, double y0, double x1, double y1) {
    const double dx = x1 - x0, dy = y1 - y0, length2 = dx * dx + dy * dy;
    const double t = length2 > 0 ? std::clamp(((px - x0) * dx + (py - y0) * dy) / length2, 0.0, 1.0) : 0.0;
    return std::hypot(px - (x0 + t * dx), py - (y0 + t * dy));
}

/// True when segments p0-p1 and q0-q1 cross or come within `tolerance` of each other.
bool segments_near(double p0x, double p0y, double p1x, double p1y, double q0x, double q0y, double q1x, double q1y, double tolerance) {
    const auto side = [](double ax, double ay, double bx, double by, double cx, double cy) { return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax); };
    const double d1 = side(q0x, q0y, q1x, q1y, p0x, p0y), d2 = side(q0x, q0y, q1x, q1y, p1x, p1y);
    const double d3 = side(p0x, p0y, p1x, p1y, q0x, q0y), d4 = side(p0x, p0y, p1x, p1y, q1x, q1y);
    if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
    return std::min({point_segment_distance(p0x, p0y, q0x, q0y, q1x, q1y), point_segment_distance(p1x, p1y, q0x, q0y, q1x, q1y),
                     point_segment_distance(q0x, q0y, p0x, p0y, p1x, p1y), point_segment_distance(q1x, q1y, p0x, p0y, p1x, p1y)}) <= tolerance;
}

double signed_area(const double* x, const double* y, std::size_t n) {
    double sum = 0;
    for (std::size_t i = 0; i + 1 < n; ++i) sum += x[i] * y[i + 1] - x[i + 1] * y[i];
    return sum / 2;
}

std::uint64_t mix(std::uint64_t h, double v) {
    h ^= std::bit_cast<std::uint64_t>(v) + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    return h * 0xBF58476D1CE4E5B9ULL;
}

/// Where a point lies against a closed ring: -1 outside, 0 on its boundary, 1 inside.
int locate(double px, double py, const std::vector<double>& x, const std::vector<double>& y) {
    bool inside = false;
    for (std::size_t i = 0, j = x.size() - 1; i < x.size(); j = i++) {
        const double cross = (x[j] - x[i]) * (py - y[i]) - (px - x[i]) * (y[j] - y[i]);
        if (cross == 0 && std::min(x[i], x[j]) <= px && px <= std::max(x[i], x[j]) && std::min(y[i], y[j]) <= py &&
            py <= std::max(y[i], y[j])) {
            return 0;
        }
        if ((y[i] > py) != (y[j] > py) && px < (x[j] - x[i]) * (py - y[i]) / (y[j] - y[i]) + x[i]) inside = !inside;
    }
    return inside ? 1 : -1;
}

struct Ring {
    std::vector<double> x, y;
    double area = 0;
    double min_x = 0, min_y = 0, max_x = 0, max_y = 0;
    void finish() {
        area = signed_area(x.data(), y.data(), x.size());
        min_x = *std::min_element(x.begin(), x.end());
        max_x = *std::max_element(x.begin(), x.end());
        min_y = *std::min_element(y.begin(), y.end());
        max_y = *std::max_element(y.begin(), y.end());
    }
    bool bounds(const Ring& other) const {
        return min_x <= other.min_x && min_y <= other.min_y && other.max_x <= max_x && other.max_y <= max_y;
    }
};

/// Splits a walked ring (not yet closed) where it passes through a vertex twice, so that every ring
/// is simple: where a shell pinches round a hole, the walk goes round both, and the pieces are the
/// shell (counter-clockwise) and the hole (clockwise) touching at that vertex. Each piece is closed.
std::vector<Ring> split_at_repeated_vertices(const Ring& walked) {
    std::vector<std::size_t> order(walked.x.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    const auto vertex = [&walked](std::size_t i) { return std::pair(walked.x[i], walked.y[i]); };
    std::sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return vertex(i) < vertex(j); });
    bool repeats = false;
    for (std::size_t k = 1; k < order.size() && !repeats; ++k) repeats = vertex(order[k - 1]) == vertex(order[k]);
    if (!repeats) {
        Ring closed = walked;
        closed.x.push_back(closed.x.front());
        closed.y.push_back(closed.y.front());
        return {std::move(closed)};
    }
    std::vector<Ring> pieces;
    std::vector<std::size_t> stack;  // indices into walked, the ring so far
    std::map<std::pair<double, double>, std::size_t> at;  // vertex -> its place on the stack
    const auto close = [&](std::size_t from) {
        Ring piece;
        for (std::size_t k = from; k < stack.size(); ++k) {
            piece.x.push_back(walked.x[stack[k]]);
            piece.y.push_back(walked.y[stack[k]]);
            if (k > from) at.erase(vertex(stack[k]));
        }
        piece.x.push_back(piece.x.front());
        piece.y.push_back(piece.y.front());
        stack.resize(from + 1);
        pieces.push_back(std::move(piece));
    };
    for (std::size_t i = 0; i < walked.x.size(); ++i) {
        const auto [found, inserted] = at.try_emplace(vertex(i), stack.size());
        if (inserted) {
            stack.push_back(i);
        } else {
            close(found->second);
        }
    }
    if (!stack.empty()) close(0);
    return pieces;
}

GEOSGeometry* make_ring(GeosContext& context, const Ring& ring) {
    auto* h = context.handle();
    std::vector<double> xy(2 * ring.x.size());
    for (std::size_t i = 0; i < ring.x.size(); ++i) {
        xy[2 * i] = ring.x[i];
        xy[2 * i + 1] = ring.y[i];
    }
    GEOSCoordSequence* sequence = GEOSCoordSeq_copyFromBuffer_r(h, xy.data(), ring.x.size(), 0, 0);
    if (sequence == nullptr) context.fail("building a ring");
    GEOSGeometry* made = GEOSGeom_createLinearRing_r(h, sequence);
    if (made == nullptr) context.fail("building a ring");
    return made;
}

}  // namespace

Coverage::Coverage(GeosContext& context, const std::vector<Area>& areas) {
    auto* h = context.handle();
    perimeter_.assign(areas.size(), 0);
    area_.assign(areas.size(), 0);
    irregular_.resize(areas.size());
    std::vector<double> buffer;
    const auto add_ring = [&](std::uint32_t owner, const GEOSGeometry* ring, bool shell) {
        const GEOSCoordSequence* sequence = GEOSGeom_getCoordSeq_r(h, ring);
        unsigned int n = 0;
        if (sequence == nullptr || GEOSCoordSeq_getSize_r(h, sequence, &n) == 0) context.fail("reading an area's ring");
        buffer.resize(2 * static_cast<std::size_t>(n));
        if (n == 0 || GEOSCoordSeq_copyToBuffer_r(h, sequence, buffer.data(), 0, 0) == 0) return;
        const std::size_t first = x_.size();
        for (std::size_t i = 0; i < n; ++i) {
            const double px = buffer[2 * i] + 0.0, py = buffer[2 * i + 1] + 0.0;  // + 0.0: no negative zero
            if (x_.size() > first && x_.back() == px && y_.back() == py) continue;  // repeated vertex
            x_.push_back(px);
            y_.push_back(py);
        }
        if (x_.size() - first < 4) {  // not a ring once repeats are gone
            x_.resize(first);
            y_.resize(first);
            return;
        }
        const double ring_area = signed_area(x_.data() + first, y_.data() + first, x_.size() - first);
        if ((ring_area < 0) == shell) {  // shells counter-clockwise, holes clockwise
            std::reverse(x_.begin() + static_cast<std::ptrdiff_t>(first), x_.end());
            std::reverse(y_.begin() + static_cast<std::ptrdiff_t>(first), y_.end());
        }
        area_[owner] += std::abs(ring_area) * (shell ? 1 : -1);
        for (std::size_t i = first; i + 1 < x_.size(); ++i) perimeter_[owner] += std::hypot(x_[i + 1] - x_[i], y_[i + 1] - y_[i]);
        ring_start_.push_back(static_cast<std::uint32_t>(first));
    };
    for (std::uint32_t a = 0; a < areas.size(); ++a) {
        area_ring_.push_back(static_cast<std::uint32_t>(ring_start_.size()));
        const GEOSGeometry* g = areas[a].geometry.get();
        const int type = GEOSGeomTypeId_r(h, g);
        const int polygons = type == GEOS_POLYGON ? 1 : GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < polygons; ++i) {
            const GEOSGeometry* polygon = type == GEOS_POLYGON ? g : GEOSGetGeometryN_r(h, g, i);
            if (GEOSGeomTypeId_r(h, polygon) != GEOS_POLYGON || GEOSisEmpty_r(h, polygon) == 1) continue;
            add_ring(a, GEOSGetExteriorRing_r(h, polygon), true);
            for (int k = 0, holes = GEOSGetNumInteriorRings_r(h, polygon); k < holes; ++k) {
                add_ring(a, GEOSGetInteriorRingN_r(h, polygon, k), false);
            }
        }
        const std::size_t owned = x_.size() - owner_.size();
        owner_.insert(owner_.end(), owned, a);
    }
    area_ring_.push_back(static_cast<std::uint32_t>(ring_start_.size()));
    ring_start_.push_back(static_cast<std::uint32_t>(x_.size()));
    partner_.assign(x_.size(), kOutside);
    suspect_.assign(areas.size(), 0);
    match_exact();
    match_overlaps();
}

void Coverage::match_exact() {
    struct Key {
        std::uint64_t hash;
        std::uint32_t segment;
    };
    std::vector<Key> keys;
    keys.reserve(x_.size());
    for (std::uint32_t r = 0; r + 1 < ring_start_.size(); ++r) {
        for (std::uint32_t i = ring_start_[r]; i + 1 < ring_end(r); ++i) {
            const bool forward = std::pair(x_[i], y_[i]) < std::pair(x_[i + 1], y_[i + 1]);
            const std::uint32_t p = forward ? i : i + 1, q = forward ? i + 1 : i;
            keys.push_back({mix(mix(mix(mix(0, x_[p]), y_[p]), x_[q]), y_[q]), i});
        }
    }
    std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) { return a.hash != b.hash ? a.hash < b.hash : a.segment < b.segment; });
    std::vector<Link> raw;
    for (std::size_t k = 0; k < keys.size();) {
        std::size_t end = k + 1;
        while (end < keys.size() && keys[end].hash == keys[k].hash) ++end;
        // Two segments of different areas running opposite ways between the same two vertices share an edge.
        // Anything else (a lone segment, three alike) is left to the overlap search.
        if (end - k == 2) {
            const std::uint32_t s = keys[k].segment, t = keys[k + 1].segment;
            if (owner_[s] != owner_[t] && x_[s] == x_[t + 1] && y_[s] == y_[t + 1] && x_[s + 1] == x_[t] && y_[s + 1] == y_[t]) {
                partner_[s] = static_cast<std::int32_t>(owner_[t]);
                partner_[t] = static_cast<std::int32_t>(owner_[s]);
                raw.push_back({std::min(owner_[s], owner_[t]), std::max(owner_[s], owner_[t]), std::hypot(x_[s + 1] - x_[s], y_[s + 1] - y_[s])});
            }
        }
        k = end;
    }
    links_ = std::move(raw);
}

void Coverage::match_overlaps() {
    std::vector<std::uint32_t> open;  // segments with nothing matched on their other side
    double total_length = 0;
    for (std::uint32_t r = 0; r + 1 < ring_start_.size(); ++r) {
        for (std::uint32_t i = ring_start_[r]; i + 1 < ring_end(r); ++i) {
            if (partner_[i] != kOutside) continue;
            open.push_back(i);
            total_length += std::hypot(x_[i + 1] - x_[i], y_[i + 1] - y_[i]);
        }
    }
    std::vector<Link> raw = std::move(links_);
    if (!open.empty()) {
        // A grid of cells about twice the mean open segment: candidates share a cell.
        const double cell = std::max(2 * total_length / static_cast<double>(open.size()), 1.0);
        constexpr double kReach = std::max(kOverlapTolerance, kNearTolerance);
        std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> grid;
        const auto cell_of = [cell](double v) { return static_cast<std::int64_t>(std::floor(v / cell)); };
        for (const std::uint32_t s : open) {
            const std::int64_t x0 = cell_of(std::min(x_[s], x_[s + 1]) - kReach), x1 = cell_of(std::max(x_[s], x_[s + 1]) + kReach);
            const std::int64_t y0 = cell_of(std::min(y_[s], y_[s + 1]) - kReach), y1 = cell_of(std::max(y_[s], y_[s + 1]) + kReach);
            for (std::int64_t cx = x0; cx <= x1; ++cx) {
                for (std::int64_t cy = y0; cy <= y1; ++cy) {
                    grid[(static_cast<std::uint64_t>(cx) << 32) ^ static_cast<std::uint64_t>(cy & 0xffffffff)].push_back(s);
                }
            }
        }
        std::vector<std::pair<std::uint32_t, std::uint32_t>> candidates;
        for (const auto& [key, list] : grid) {
            for (std::size_t i = 0; i < list.size(); ++i) {
                for (std::size_t j = i + 1; j < list.size(); ++j) {
                    if (owner_[list[i]] != owner_[list[j]]) candidates.emplace_back(std::min(list[i], list[j]), std::max(list[i], list[j]));
                }
            }
        }
        std::sort(candidates.begin(), candidates.end());
        candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
        for (const auto& candidate : candidates) {
            const std::uint32_t s = candidate.first, t = candidate.second;
            const double dx = x_[s + 1] - x_[s], dy = y_[s + 1] - y_[s], length = std::hypot(dx, dy);
            if (length == 0) continue;
            const auto across = [&](std::uint32_t p) { return (dx * (y_[p] - y_[s]) - dy * (x_[p] - x_[s])) / length; };
            const auto along = [&](std::uint32_t p) { return (dx * (x_[p] - x_[s]) + dy * (y_[p] - y_[s])) / length; };
            const auto same = [&](std::uint32_t p, std::uint32_t q) { return x_[p] == x_[q] && y_[p] == y_[q]; };
            const bool joined = same(s, t) || same(s, t + 1) || same(s + 1, t) || same(s + 1, t + 1);
            const bool collinear = std::abs(across(t)) <= kOverlapTolerance && std::abs(across(t + 1)) <= kOverlapTolerance;
            const double low = std::max(0.0, std::min(along(t), along(t + 1))), high = std::min(length, std::max(along(t), along(t + 1)));
            if (!collinear || high - low <= kOverlapTolerance) {
                // Not a shared stretch; edges that cross or nearly touch away from a common vertex
                // could make a union invalid, so unions holding either area are checked.
                if (!joined && segments_near(x_[s], y_[s], x_[s + 1], y_[s + 1], x_[t], y_[t], x_[t + 1], y_[t + 1], kNearTolerance)) {
                    suspect_[owner_[s]] = suspect_[owner_[t]] = 1;
                }
                continue;
            }
            const std::uint32_t a = std::min(owner_[s], owner_[t]), b = std::max(owner_[s], owner_[t]);
            partner_[s] = partner_[t] = kIrregular;
            pieces_.push_back({a, b, x_[s] + dx * low / length, y_[s] + dy * low / length, x_[s] + dx * high / length, y_[s] + dy * high / length});
            raw.push_back({a, b, high - low});
            irregular_[a].push_back(b);
            irregular_[b].push_back(a);
        }
    }
    for (auto& list : irregular_) {
        std::sort(list.begin(), list.end());
        list.erase(std::unique(list.begin(), list.end()), list.end());
    }
    finish_links(std::move(raw));
}

void Coverage::finish_links(std::vector<Link> raw) {
    std::sort(raw.begin(), raw.end(), [](const Link& x, const Link& y) { return std::pair(x.a, x.b) < std::pair(y.a, y.b); });
    links_.clear();
    for (const Link& l : raw) {
        if (!links_.empty() && links_.back().a == l.a && links_.back().b == l.b) {
            links_.back().length += l.length;
        } else {
            links_.push_back(l);
        }
    }
}

Geometry Coverage::union_of(GeosContext& context, std::span<const std::uint32_t> areas) const {
    auto* h = context.handle();
    Geometry none(nullptr, GeometryDeleter{});
    const auto member = [&areas](std::int32_t a) { return a >= 0 && std::binary_search(areas.begin(), areas.end(), static_cast<std::uint32_t>(a)); };
    std::vector<std::uint32_t> edges;  // boundary segments of the set, by their first vertex
    double expected = 0;
    bool check = false;  // whether the result needs GEOS's validity check
    for (const std::uint32_t a : areas) {
        check = check || suspect_[a] || !irregular_[a].empty();
        for (const std::uint32_t b : irregular_[a]) {
            if (member(static_cast<std::int32_t>(b))) return none;
        }
        expected += area_[a];
        for (std::uint32_t r = area_ring_[a]; r < area_ring_[a + 1]; ++r) {
            for (std::uint32_t i = ring_start_[r]; i + 1 < ring_end(r); ++i) {
                if (!member(partner_[i])) edges.push_back(i);
            }
        }
    }
    if (edges.empty()) return none;
    const auto start_less = [this](std::uint32_t p, std::uint32_t q) { return std::pair(x_[p], y_[p]) < std::pair(x_[q], y_[q]); };
    std::sort(edges.begin(), edges.end(), [&](std::uint32_t p, std::uint32_t q) { return start_less(p, q) || (!start_less(q, p) && p < q); });
    std::vector<char> used(edges.size(), 0);
    // The edge after `k`: of those leaving its end, the first clockwise from the way back, which keeps
    // every ring simple where the union touches itself at a vertex.
    const auto successor = [&](std::size_t k) -> std::size_t {
        const std::uint32_t e = edges[k];
        const double ex = x_[e + 1], ey = y_[e + 1];
        const auto first = std::lower_bound(edges.begin(), edges.end(), 0u, [&](std::uint32_t p, std::uint32_t) {
            return std::pair(x_[p], y_[p]) < std::pair(ex, ey);
        });
        auto last = first;
        while (last != edges.end() && x_[*last] == ex && y_[*last] == ey) ++last;
        if (last - first == 1) return static_cast<std::size_t>(first - edges.begin());
        std::size_t best = edges.size();
        double best_turn = 10;
        const double back = std::atan2(y_[e] - ey, x_[e] - ex);
        for (auto it = first; it != last; ++it) {
            double turn = back - std::atan2(y_[*it + 1] - ey, x_[*it + 1] - ex);
            while (turn <= 0) turn += 2 * std::numbers::pi;
            while (turn > 2 * std::numbers::pi) turn -= 2 * std::numbers::pi;
            if (turn < best_turn) {
                best_turn = turn;
                best = static_cast<std::size_t>(it - edges.begin());
            }
        }
        return best;
    };
    std::vector<Ring> shells, holes;
    for (std::size_t start = 0; start < edges.size(); ++start) {
        if (used[start]) continue;
        Ring ring;
        std::size_t k = start, steps = 0;
        do {
            used[k] = 1;
            ring.x.push_back(x_[edges[k]]);
            ring.y.push_back(y_[edges[k]]);
            k = successor(k);
            if (k == edges.size() || (used[k] && k != start) || ++steps > edges.size()) return none;  // not a proper coverage here
        } while (k != start);
        for (Ring& simple : split_at_repeated_vertices(ring)) {
            if (simple.x.size() < 4) return none;
            simple.finish();
            if (simple.area == 0) return none;
            (simple.area > 0 ? shells : holes).push_back(std::move(simple));
        }
    }
    double total = 0;
    for (const Ring& r : shells) total += r.area;
    for (const Ring& r : holes) total += r.area;
    if (shells.empty() || std::abs(total - expected) > kAreaTolerance * std::max(expected, 1.0)) return none;
    // Each hole goes to the smallest shell holding it.
    std::vector<std::vector<std::size_t>> holes_of(shells.size());
    for (std::size_t k = 0; k < holes.size(); ++k) {
        std::size_t home = shells.size();
        for (std::size_t s = 0; s < shells.size(); ++s) {
            if (shells.size() > 1 && !shells[s].bounds(holes[k])) continue;
            if (shells.size() > 1) {
                int where = 0;
                for (std::size_t v = 0; v < holes[k].x.size() && where == 0; ++v) where = locate(holes[k].x[v], holes[k].y[v], shells[s].x, shells[s].y);
                if (where < 0) continue;
            }
            if (home == shells.size() || shells[s].area < shells[home].area) home = s;
        }
        if (home == shells.size()) return none;
        holes_of[home].push_back(k);
    }
    std::vector<GEOSGeometry*> polygons;
    for (std::size_t s = 0; s < shells.size(); ++s) {
        std::vector<GEOSGeometry*> inner;
        for (const std::size_t k : holes_of[s]) inner.push_back(make_ring(context, holes[k]));
        GEOSGeometry* polygon = GEOSGeom_createPolygon_r(h, make_ring(context, shells[s]), inner.data(), static_cast<unsigned>(inner.size()));
        if (polygon == nullptr) context.fail("building a polygon");
        polygons.push_back(polygon);
    }
    Geometry united = polygons.size() == 1
                          ? Geometry(polygons.front(), GeometryDeleter{})
                          : adopt(context, GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polygons.data(), static_cast<unsigned>(polygons.size())),
                                  "assembling a multipolygon");
    // Edges a few millimetres apart that are not matched can still cross: leave those to GEOS.
    return !check || GEOSisValid_r(h, united.get()) == 1 ? std::move(united) : std::move(none);
}

std::vector<Coverage::Border> Coverage::borders(GeosContext& context, const std::vector<std::int32_t>& label) const {
    auto* h = context.handle();
    struct Segment {
        double x0, y0, x1, y1;
    };
    std::map<std::pair<std::int32_t, std::int32_t>, std::vector<Segment>> between;
    for (std::uint32_t a = 0; a + 1 < area_ring_.size(); ++a) {
        const std::int32_t la = label[a];
        if (la < 0) continue;
        for (std::uint32_t r = area_ring_[a]; r < area_ring_[a + 1]; ++r) {
            for (std::uint32_t i = ring_start_[r]; i + 1 < ring_end(r); ++i) {
                if (partner_[i] < 0) continue;
                const std::int32_t lb = label[static_cast<std::size_t>(partner_[i])];
                if (lb > la) between[{la, lb}].push_back({x_[i], y_[i], x_[i + 1], y_[i + 1]});
            }
        }
    }
    for (const Piece& p : pieces_) {
        const std::int32_t la = label[p.a], lb = label[p.b];
        if (la >= 0 && lb >= 0 && la != lb) between[{std::min(la, lb), std::max(la, lb)}].push_back({p.x0, p.y0, p.x1, p.y1});
    }
    std::vector<Border> out;
    out.reserve(between.size());
    for (auto& entry : between) {
        const auto& pair = entry.first;
        auto& segments = entry.second;
        // Chain segments end to start into polylines; GEOS's line merger joins what is left.
        std::sort(segments.begin(), segments.end(), [](const Segment& s, const Segment& t) { return std::pair(s.x0, s.y0) < std::pair(t.x0, t.y0); });
        std::vector<char> used(segments.size(), 0), has_predecessor(segments.size(), 0);
        const auto next_of = [&](double x, double y) -> std::size_t {
            const auto it = std::lower_bound(segments.begin(), segments.end(), std::pair(x, y),
                                             [](const Segment& s, const std::pair<double, double>& p) { return std::pair(s.x0, s.y0) < p; });
            for (auto j = it; j != segments.end() && j->x0 == x && j->y0 == y; ++j) {
                if (!used[static_cast<std::size_t>(j - segments.begin())]) return static_cast<std::size_t>(j - segments.begin());
            }
            return segments.size();
        };
        for (std::size_t k = 0; k < segments.size(); ++k) {
            const std::size_t n = next_of(segments[k].x1, segments[k].y1);
            if (n < segments.size()) has_predecessor[n] = 1;
        }
        double length = 0;
        std::vector<GEOSGeometry*> lines;
        for (int pass = 0; pass < 2; ++pass) {
            for (std::size_t k = 0; k < segments.size(); ++k) {
                if (used[k] || (pass == 0 && has_predecessor[k])) continue;
                std::vector<double> xy{segments[k].x0, segments[k].y0};
                for (std::size_t c = k; c < segments.size(); c = next_of(segments[c].x1, segments[c].y1)) {
                    used[c] = 1;
                    xy.push_back(segments[c].x1);
                    xy.push_back(segments[c].y1);
                    length += std::hypot(segments[c].x1 - segments[c].x0, segments[c].y1 - segments[c].y0);
                }
                GEOSCoordSequence* sequence = GEOSCoordSeq_copyFromBuffer_r(h, xy.data(), xy.size() / 2, 0, 0);
                GEOSGeometry* line = sequence != nullptr ? GEOSGeom_createLineString_r(h, sequence) : nullptr;
                if (line == nullptr) {
                    for (GEOSGeometry* made : lines) GEOSGeom_destroy_r(h, made);
                    context.fail("building a border line");
                }
                lines.push_back(line);
            }
        }
        const Geometry collected = adopt(context, GEOSGeom_createCollection_r(h, GEOS_MULTILINESTRING, lines.data(), static_cast<unsigned>(lines.size())),
                                         "collecting border lines");
        out.push_back({pair.first, pair.second, length, adopt(context, GEOSLineMerge_r(h, collected.get()), "merging border lines")});
    }
    return out;
}

}  // namespace geo
