#include "geo/catchments.hpp"

#include "geo/area_index.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <iterator>
#include <unordered_map>

namespace geo {

RegistrationIndex index_registrations(const Dataset& dataset) {
    RegistrationIndex index;
    index.by_area.resize(dataset.areas.size());
    index.by_practice.resize(dataset.practices.size());
    index.practice_in_areas.assign(dataset.practices.size(), 0);
    index.area_registered.assign(dataset.areas.size(), 0);
    for (const Registration& row : dataset.registrations) {
        if (row.area < 0) continue;
        const auto area = static_cast<std::uint32_t>(row.area);
        index.by_area[area].push_back({row.practice, &row.practice_code, row.patients});
        index.area_registered[area] += row.patients;
        if (row.practice >= 0) {
            index.by_practice[static_cast<std::size_t>(row.practice)].emplace_back(area, row.patients);
            index.practice_in_areas[static_cast<std::size_t>(row.practice)] += row.patients;
        }
    }
    // Each area's registrants by code, repeated rows of one practice summed: the dominant practice is
    // then the first largest (ties go to the lower code) and cannot depend on how rows were split.
    for (auto& registrants : index.by_area) {
        std::sort(registrants.begin(), registrants.end(), [](const auto& x, const auto& y) { return *x.code < *y.code; });
        std::size_t kept = 0;
        for (std::size_t i = 0; i < registrants.size(); ++i) {
            if (kept > 0 && *registrants[kept - 1].code == *registrants[i].code) {
                registrants[kept - 1].patients += registrants[i].patients;
            } else {
                registrants[kept++] = registrants[i];
            }
        }
        registrants.resize(kept);
    }
    return index;
}

std::vector<std::int32_t> standing_areas(GeosContext& context, const Dataset& dataset) {
    const AreaIndex locator(context, dataset.areas);
    std::vector<std::int32_t> standing(dataset.practices.size(), -1);
    for (std::size_t p = 0; p < dataset.practices.size(); ++p) {
        const Point at = dataset.practices[p].location;
        if (auto area = locator.locate(at)) {
            standing[p] = static_cast<std::int32_t>(*area);
            continue;
        }
        // Outside every area: the nearest one (rare: a practice just over the study boundary).
        const Geometry point = make_point(context, at.x, at.y);
        double best = std::numeric_limits<double>::infinity();
        for (std::size_t a = 0; a < dataset.areas.size(); ++a) {
            double d = 0;
            GEOSDistance_r(context.handle(), point.get(), dataset.areas[a].geometry.get(), &d);
            if (d < best) {
                best = d;
                standing[p] = static_cast<std::int32_t>(a);
            }
        }
    }
    return standing;
}

ConstraintValues constraint_values(const Dataset& dataset, const std::string& field,
                                   const std::vector<std::int32_t>& standing_area) {
    ConstraintValues values;
    values.area.assign(dataset.areas.size(), "");
    values.practice.assign(dataset.practices.size(), "");
    if (field.empty()) return values;
    if (const int f = dataset.area_field(field); f >= 0) {
        values.on_areas = true;
        for (std::size_t a = 0; a < dataset.areas.size(); ++a) values.area[a] = dataset.areas[a].attributes[static_cast<std::size_t>(f)];
        for (std::size_t p = 0; p < dataset.practices.size(); ++p) {
            if (standing_area[p] >= 0) values.practice[p] = values.area[static_cast<std::size_t>(standing_area[p])];
        }
    } else if (const int g = dataset.practice_field(field); g >= 0) {
        for (std::size_t p = 0; p < dataset.practices.size(); ++p) values.practice[p] = dataset.practices[p].attributes[static_cast<std::size_t>(g)];
    }
    return values;
}

std::vector<std::int32_t> dominant_practices(const RegistrationIndex& index, const Dataset& dataset,
                                             const std::vector<bool>& active, const ConstraintValues& constraint,
                                             std::vector<bool>& external) {
    std::vector<std::int32_t> dominant(dataset.areas.size(), -1);
    external.assign(dataset.areas.size(), false);
    for (std::size_t a = 0; a < dataset.areas.size(); ++a) {
        // Registrants are in code order, one entry per code: ties go to the lower code.
        std::int64_t best_candidate = 0, best_outside = 0;
        for (const auto& r : index.by_area[a]) {
            const bool loaded_and_active = r.practice >= 0 && active[static_cast<std::size_t>(r.practice)];
            const bool candidate = loaded_and_active &&
                                   (!constraint.on_areas || constraint.practice[static_cast<std::size_t>(r.practice)] == constraint.area[a]);
            if (candidate && r.patients > best_candidate) {
                best_candidate = r.patients;
                dominant[a] = r.practice;
            } else if (!loaded_and_active) {
                best_outside = std::max(best_outside, r.patients);
            }
        }
        // Only practices outside the study (or excluded) count as external; a loaded practice of
        // another constraint group is simply not a candidate here.
        if (best_outside > best_candidate) {
            external[a] = true;
            dominant[a] = -1;
        }
    }
    return dominant;
}

namespace {

/// Points on a uniform grid, for nearest-point queries in about constant time.
class PointGrid {
public:
    PointGrid(const std::vector<Practice>& practices, std::vector<std::uint32_t> ids) : practices_(practices), ids_(std::move(ids)) {
        Envelope box;
        for (const std::uint32_t p : ids_) box.expand(practices[p].location.x, practices[p].location.y);
        min_x_ = box.min_x;
        min_y_ = box.min_y;
        cell_ = std::max(std::sqrt(std::max(box.width() * box.height(), 1.0) / static_cast<double>(ids_.size())), 1.0);
        columns_ = cell_index(box.width(), kMaxCells) + 1;
        rows_ = cell_index(box.height(), kMaxCells) + 1;
        cells_.resize(static_cast<std::size_t>(columns_ * rows_));
        for (const std::uint32_t p : ids_) cells_[static_cast<std::size_t>(index(column(practices[p].location.x), row(practices[p].location.y)))].push_back(p);
    }

    /// The nearest point (ties to the lowest id) and its distance; -1 when there are none.
    std::pair<std::int32_t, double> nearest(double x, double y) const {
        std::int32_t best = -1;
        double best_d = std::numeric_limits<double>::infinity();
        const std::int64_t cx = column(x), cy = row(y);
        auto visit = [&](std::int64_t i, std::int64_t j) {
            for (const std::uint32_t p : cells_[static_cast<std::size_t>(index(i, j))]) {
                const double d = std::hypot(practices_[p].location.x - x, practices_[p].location.y - y);
                if (d < best_d || (d == best_d && static_cast<std::int32_t>(p) < best)) {
                    best_d = d;
                    best = static_cast<std::int32_t>(p);
                }
            }
        };
        for (std::int64_t ring = 0; ring <= std::max(columns_, rows_); ++ring) {
            // The cells at exactly `ring` steps (Chebyshev) from (cx, cy), within the grid: its top and
            // bottom rows, then its side columns between them. (Scanning the whole square each ring
            // took cubic time for a far point and a long thin grid.)
            const std::int64_t i0 = std::max<std::int64_t>(cx - ring, 0), i1 = std::min(cx + ring, columns_ - 1);
            for (const std::int64_t j : {cy - ring, cy + ring}) {
                if (j < 0 || j >= rows_ || (ring == 0 && j != cy)) continue;
                for (std::int64_t i = i0; i <= i1; ++i) visit(i, j);
                if (ring == 0) break;
            }
            const std::int64_t j0 = std::max<std::int64_t>(cy - ring + 1, 0), j1 = std::min(cy + ring - 1, rows_ - 1);
            for (const std::int64_t i : {cx - ring, cx + ring}) {
                if (ring == 0 || i < 0 || i >= columns_) continue;
                for (std::int64_t j = j0; j <= j1; ++j) visit(i, j);
            }
            // Every point not yet seen lies at least `ring` cells away in x or y.
            if (best >= 0 && best_d < static_cast<double>(ring) * cell_) break;
        }
        return {best, best_d};
    }

private:
    static constexpr std::int64_t kMaxCells = 2048;
    /// Which of `count` cells an offset from the grid's corner falls in. Clamped before the cast, so a
    /// point far off the grid (or NaN) cannot overflow it.
    std::int64_t cell_index(double offset, std::int64_t count) const {
        const double cells = offset / cell_;
        return cells >= 1 ? static_cast<std::int64_t>(std::min(cells, static_cast<double>(count - 1))) : 0;
    }
    std::int64_t column(double x) const { return cell_index(x - min_x_, columns_); }
    std::int64_t row(double y) const { return cell_index(y - min_y_, rows_); }
    std::int64_t index(std::int64_t i, std::int64_t j) const { return j * columns_ + i; }

    const std::vector<Practice>& practices_;
    std::vector<std::uint32_t> ids_;
    double min_x_ = 0, min_y_ = 0, cell_ = 1;
    std::int64_t columns_ = 1, rows_ = 1;
    std::vector<std::vector<std::uint32_t>> cells_;
};

}  // namespace

std::vector<Point> representative_points(GeosContext& context, const std::vector<Area>& areas) {
    auto* h = context.handle();
    std::vector<Point> points(areas.size());
    for (std::size_t a = 0; a < areas.size(); ++a) {
        const Geometry point = adopt(context, GEOSPointOnSurface_r(h, areas[a].geometry.get()), "finding a representative point");
        GEOSGeomGetX_r(h, point.get(), &points[a].x);
        GEOSGeomGetY_r(h, point.get(), &points[a].y);
    }
    return points;
}

std::vector<std::int32_t> nearest_practices(const std::vector<Point>& area_points, const Dataset& dataset, const std::vector<bool>& active,
                                            const ConstraintValues& constraint, std::vector<double>* distances) {
    std::vector<std::int32_t> nearest(dataset.areas.size(), -1);
    if (distances != nullptr) distances->assign(dataset.areas.size(), 0);
    // Practices grouped by constraint value, so each area searches only its own group.
    std::map<std::string, std::vector<std::uint32_t>> groups;
    for (std::uint32_t p = 0; p < dataset.practices.size(); ++p) {
        if (active[p]) groups[constraint.on_areas ? constraint.practice[p] : std::string()].push_back(p);
    }
    std::map<std::string, PointGrid> grids;
    for (auto& [value, members] : groups) grids.emplace(value, PointGrid(dataset.practices, std::move(members)));
    for (std::size_t a = 0; a < dataset.areas.size(); ++a) {
        auto grid = grids.find(constraint.on_areas ? constraint.area[a] : std::string());
        if (grid == grids.end()) grid = grids.find(std::string());
        if (grid == grids.end()) continue;
        const auto [practice, distance] = grid->second.nearest(area_points[a].x, area_points[a].y);
        nearest[a] = practice;
        if (distances != nullptr) (*distances)[a] = distance;
    }
    return nearest;
}

namespace {

Geometry coverage_union(GeosContext& context, const std::vector<Area>& areas, const std::vector<std::uint32_t>& indices) {
    auto* h = context.handle();
    if (indices.size() == 1) return adopt(context, GEOSGeom_clone_r(h, areas[indices.front()].geometry.get()), "copying an area");
    std::vector<GEOSGeometry*> parts;
    parts.reserve(indices.size());
    for (const std::uint32_t i : indices) parts.push_back(GEOSGeom_clone_r(h, areas[i].geometry.get()));
    const Geometry collection = adopt(context,
                                      GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts.data(), static_cast<unsigned>(parts.size())),
                                      "collecting areas");
    if (GEOSGeometry* coverage = GEOSCoverageUnion_r(h, collection.get())) {
        Geometry result(coverage, GeometryDeleter{});
        if (GEOSisValid_r(h, result.get()) == 1) return result;
    }
    return adopt(context, GEOSUnaryUnion_r(h, collection.get()), "uniting areas");
}

}  // namespace

Geometry union_areas(GeosContext& context, const std::vector<Area>& areas, const std::vector<std::uint32_t>& indices,
                     const AreaGraph* graph) {
    auto* h = context.handle();
    if (indices.empty()) return Geometry(nullptr, GeometryDeleter{});
    if (graph != nullptr && graph->coverage) {
        if (Geometry united = graph->coverage->union_of(context, indices)) return united;
    }
    if (graph == nullptr) return coverage_union(context, areas, indices);
    const auto groups = connected_groups(*graph, indices);
    if (groups.size() == 1) return coverage_union(context, areas, indices);
    std::vector<GEOSGeometry*> polygons;
    for (const auto& group : groups) {
        const Geometry united = coverage_union(context, areas, group);
        const int type = GEOSGeomTypeId_r(h, united.get());
        const int count = type == GEOS_POLYGON ? 1 : GEOSGetNumGeometries_r(h, united.get());
        for (int i = 0; i < count; ++i) {
            const GEOSGeometry* part = type == GEOS_POLYGON ? united.get() : GEOSGetGeometryN_r(h, united.get(), i);
            if (GEOSGeomTypeId_r(h, part) == GEOS_POLYGON) polygons.push_back(GEOSGeom_clone_r(h, part));
        }
    }
    return adopt(context, GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polygons.data(), static_cast<unsigned>(polygons.size())),
                 "assembling a multipolygon");
}

Catchment make_catchment(GeosContext& context, const Dataset& dataset, const AreaGraph& graph, const RegistrationIndex& index,
                         std::uint32_t practice, std::vector<std::uint32_t> areas) {
    std::sort(areas.begin(), areas.end());
    Catchment c;
    c.practice = practice;
    for (const std::uint32_t a : areas) c.population += dataset.areas[a].population;
    for (const auto& [area, patients] : index.by_practice[practice]) {
        if (std::binary_search(areas.begin(), areas.end(), area)) c.registered += patients;
    }
    const std::int64_t total = index.practice_in_areas[practice];
    c.share = total > 0 ? static_cast<double>(c.registered) / static_cast<double>(total) : 0;
    c.polygon = union_areas(context, dataset.areas, areas, &graph);
    c.areas = std::move(areas);
    return c;
}

std::vector<std::uint32_t> core_areas(const RegistrationIndex& index, std::uint32_t practice, double share) {
    auto rows = index.by_practice[practice];
    std::sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) {
        return x.second != y.second ? x.second > y.second : x.first < y.first;
    });
    const double target = share * static_cast<double>(index.practice_in_areas[practice]);
    std::vector<std::uint32_t> core;
    std::int64_t sum = 0;
    for (const auto& [area, patients] : rows) {
        if (static_cast<double>(sum) >= target && !core.empty()) break;
        core.push_back(area);
        sum += patients;
    }
    std::sort(core.begin(), core.end());
    core.erase(std::unique(core.begin(), core.end()), core.end());
    return core;
}

std::vector<std::vector<std::uint32_t>> radius_areas(GeosContext& context, const Dataset& dataset, double radius_m) {
    auto* h = context.handle();
    std::vector<std::vector<std::uint32_t>> result(dataset.practices.size());
    GEOSSTRtree* tree = GEOSSTRtree_create_r(h, 10);
    for (std::size_t a = 0; a < dataset.areas.size(); ++a) {
        GEOSSTRtree_insert_r(h, tree, dataset.areas[a].geometry.get(), reinterpret_cast<void*>(a));
    }
    for (std::size_t p = 0; p < dataset.practices.size(); ++p) {
        const Point at = dataset.practices[p].location;
        const Geometry point = make_point(context, at.x, at.y);
        const Geometry reach = adopt(context, GEOSBuffer_r(h, point.get(), radius_m, 8), "buffering a practice");
        std::vector<std::uint32_t> candidates;
        GEOSSTRtree_query_r(
            h, tree, reach.get(),
            [](void* item, void* out) {
                static_cast<std::vector<std::uint32_t>*>(out)->push_back(static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(item)));
            },
            &candidates);
        for (const std::uint32_t a : candidates) {
            double d = 0;
            GEOSDistance_r(h, point.get(), dataset.areas[a].geometry.get(), &d);
            if (d <= radius_m) result[p].push_back(a);
        }
        std::sort(result[p].begin(), result[p].end());
    }
    GEOSSTRtree_destroy_r(h, tree);
    return result;
}

}  // namespace geo
