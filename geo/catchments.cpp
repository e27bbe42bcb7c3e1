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
        // Summed by code, so that repeated rows for one practice cannot change the winner.
        std::map<std::string, std::pair<std::int64_t, std::int32_t>> by_code;
        for (const auto& r : index.by_area[a]) {
            auto& entry = by_code[*r.code];
            entry.first += r.patients;
            entry.second = r.practice;
        }
        std::int64_t best_candidate = 0, best_other = 0;
        for (const auto& [code, entry] : by_code) {  // map order: ties go to the lower code
            const auto [patients, practice] = entry;
            const bool candidate = practice >= 0 && active[static_cast<std::size_t>(practice)] &&
                                   (!constraint.on_areas || constraint.practice[static_cast<std::size_t>(practice)] == constraint.area[a]);
            if (candidate && patients > best_candidate) {
                best_candidate = patients;
                dominant[a] = practice;
            } else if (!candidate) {
                best_other = std::max(best_other, patients);
            }
        }
        const bool foreign_practice_wins = best_other > best_candidate;
        if (foreign_practice_wins) {
            // Only practices outside the study (or excluded) count as external; a loaded practice of
            // another constraint group is simply not a candidate here.
            std::int64_t outside = 0;
            for (const auto& [code, entry] : by_code) {
                if (entry.second < 0 || !active[static_cast<std::size_t>(entry.second)]) outside = std::max(outside, entry.first);
            }
            external[a] = outside > best_candidate;
            if (external[a]) dominant[a] = -1;
        }
    }
    return dominant;
}

std::vector<std::int32_t> nearest_practices(GeosContext& context, const Dataset& dataset, const std::vector<bool>& active,
                                            const ConstraintValues& constraint, std::vector<double>* distances) {
    auto* h = context.handle();
    std::vector<std::int32_t> nearest(dataset.areas.size(), -1);
    if (distances != nullptr) distances->assign(dataset.areas.size(), 0);
    // Practices grouped by constraint value, so each area searches only its own group.
    std::map<std::string, std::vector<std::uint32_t>> groups;
    for (std::uint32_t p = 0; p < dataset.practices.size(); ++p) {
        if (active[p]) groups[constraint.on_areas ? constraint.practice[p] : std::string()].push_back(p);
    }
    for (std::size_t a = 0; a < dataset.areas.size(); ++a) {
        const Geometry point = adopt(context, GEOSPointOnSurface_r(h, dataset.areas[a].geometry.get()), "finding a representative point");
        double x = 0, y = 0;
        GEOSGeomGetX_r(h, point.get(), &x);
        GEOSGeomGetY_r(h, point.get(), &y);
        auto group = groups.find(constraint.on_areas ? constraint.area[a] : std::string());
        if (group == groups.end()) group = groups.find(std::string());
        if (group == groups.end()) continue;
        double best = std::numeric_limits<double>::infinity();
        for (const std::uint32_t p : group->second) {
            const double d = std::hypot(dataset.practices[p].location.x - x, dataset.practices[p].location.y - y);
            if (d < best) {
                best = d;
                nearest[a] = static_cast<std::int32_t>(p);
            }
        }
        if (distances != nullptr) (*distances)[a] = best;
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
        Geometry result(coverage, GeometryDeleter{h});
        if (GEOSisValid_r(h, result.get()) == 1) return result;
    }
    return adopt(context, GEOSUnaryUnion_r(h, collection.get()), "uniting areas");
}

}  // namespace

Geometry union_areas(GeosContext& context, const std::vector<Area>& areas, const std::vector<std::uint32_t>& indices,
                     const AreaGraph* graph) {
    auto* h = context.handle();
    if (indices.empty()) return Geometry(nullptr, GeometryDeleter{h});
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
