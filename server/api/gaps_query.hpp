#pragma once
// The query of GET /gaps and GET /gaps/suggestions: which gap criteria apply with which thresholds,
// which areas (bbox, min_population), which page, how the summary groups them, and (suggestions)
// how many sites of what list size. Starts from the plan's own criteria; a bad value is the 400
// "InvalidParameterValue" naming the parameter.
#include "server/api/route_helpers.hpp"

#include "geo/gaps.hpp"
#include "geo/plan.hpp"

#include <cstdint>
#include <limits>
#include <string>

namespace server {

struct GapsQuery {
    geo::GapCriteria criteria;       // thresholds: the plan's, with the query's instead where given
    unsigned use = 0;                // GapCriterion flags in use
    double min_population = 0;
    bool has_bbox = false;
    double bbox[4] = {0, 0, 0, 0};   // CRS84 lon/lat
    std::int64_t limit = std::numeric_limits<std::int64_t>::max();  // every gap unless limited
    std::int64_t offset = 0;
    bool limited = false;            // limit or offset given: the page carries next/prev links
    std::string group_by = "constraint_group";  // an areas-layer field or an area attribute
    // /gaps/suggestions only:
    std::size_t count = 5;
    std::int64_t list_size = 0;
    double min_spacing_m = 0;
};

/// Most sites one request may ask for.
inline constexpr std::size_t kMaxSuggestions = 100;

/// The query for `plan` of `dataset`; `suggestions` allows count, list_size and min_spacing_m.
GapsQuery parse_gaps_query(const RouteContext& context, const geo::Dataset& dataset, const geo::Plan& plan, bool suggestions);

/// The names of the parameters parse_gaps_query takes, for messages and the OpenAPI document.
std::string gaps_parameter_names(bool suggestions);

}  // namespace server
