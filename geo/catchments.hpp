#pragma once
// Catchments: which areas each practice serves. The dominant-practice tessellation gives each area
// to the practice with most registered patients living there; core catchments hold a share of a
// practice's patients; nearest and radius catchments work without registrations. Territories are
// the contiguous, gap-free version of a tessellation that networks are built from.
#include "geo/adjacency.hpp"
#include "geo/dataset.hpp"
#include "geo/plan.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace geo {

/// Registrations regrouped by area and by practice.
struct RegistrationIndex {
    struct Registrant {
        std::int32_t practice;       // index into practices, or kUnmatched for a practice not loaded
        const std::string* code;     // the practice code as registered
        std::int64_t patients;
    };
    std::vector<std::vector<Registrant>> by_area;                                 // per area
    std::vector<std::vector<std::pair<std::uint32_t, std::int64_t>>> by_practice;  // per practice: (area, patients)
    std::vector<std::int64_t> practice_in_areas;  // per practice: patients living in any study area
    std::vector<std::int64_t> area_registered;    // per area: registered patients of every practice living there
};
RegistrationIndex index_registrations(const Dataset& dataset);

/// Per area and per practice value of the plan's constraint field ("" everywhere when none). An
/// area field gives practices the value of the area they stand in; a practice field leaves areas free.
struct ConstraintValues {
    std::vector<std::string> area;
    std::vector<std::string> practice;
    bool on_areas = false;
};
ConstraintValues constraint_values(const Dataset& dataset, const std::string& field,
                                   const std::vector<std::int32_t>& standing_area);

/// The area each practice stands in: the covering area, or the nearest one for a practice outside them all.
std::vector<std::int32_t> standing_areas(GeosContext& context, const Dataset& dataset);

/// The dominant practice of each area among `active` practices whose constraint value matches the
/// area's (ties go to the lower practice code). `external[a]` is set when a practice not loaded or
/// not active has more patients there than any candidate.
std::vector<std::int32_t> dominant_practices(const RegistrationIndex& index, const Dataset& dataset,
                                             const std::vector<bool>& active, const ConstraintValues& constraint,
                                             std::vector<bool>& external);

/// A point inside each area (GEOS's point on surface), from which distances are measured.
std::vector<Point> representative_points(GeosContext& context, const std::vector<Area>& areas);

/// Each area to the nearest active practice (from its representative point) with a matching constraint.
std::vector<std::int32_t> nearest_practices(const std::vector<Point>& area_points, const Dataset& dataset, const std::vector<bool>& active,
                                            const ConstraintValues& constraint, std::vector<double>* distances = nullptr);

/// The catchment of `practice` made of `areas`, with its union polygon.
Catchment make_catchment(GeosContext& context, const Dataset& dataset, const AreaGraph& graph, const RegistrationIndex& index,
                         std::uint32_t practice, std::vector<std::uint32_t> areas);
/// The smallest set of areas holding at least `share` of the practice's patients living in study areas.
std::vector<std::uint32_t> core_areas(const RegistrationIndex& index, std::uint32_t practice, double share);
/// Areas within `radius_m` of each practice.
std::vector<std::vector<std::uint32_t>> radius_areas(GeosContext& context, const Dataset& dataset, double radius_m);

/// Union of the given areas: coverage union (areas that only share edges), falling back to a full
/// union when the result is not valid. Null for no areas. With `graph`, each connected group is
/// united on its own and the groups assembled into one MultiPolygon: groups share no edge, so the
/// result is valid without noding scattered pieces against each other (much faster for catchments
/// spread over a city).
Geometry union_areas(GeosContext& context, const std::vector<Area>& areas, const std::vector<std::uint32_t>& indices,
                     const AreaGraph* graph = nullptr);

}  // namespace geo
