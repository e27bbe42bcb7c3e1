#pragma once
// The body of POST /plans: planning options over the server's defaults, and hypothetical practices to
// add. Parsing is pure and checks everything against the dataset before any planning starts, so a bad
// request is a 400 naming the field, never a failed computation.
#include "geo/dataset.hpp"
#include "geo/plan.hpp"

#include <boost/json/object.hpp>

#include <string_view>
#include <vector>

namespace server {

/// Bounds on what a request may ask for (named so that the OpenAPI text and the errors agree).
struct PlanRequestLimits {
    static constexpr std::size_t kMaxNewPractices = 100;
    static constexpr std::int64_t kMaxListSize = 1'000'000;  // of a new practice
    static constexpr int kMaxConstructionRuns = 64;
    static constexpr int kMaxSweeps = 5000;  // annealing moves per practice; the plan time limit applies as well
};

struct PlanRequest {
    geo::PlanOptions options;   // new practices located in the dataset's working CRS
    std::string baseline;       // "default", a plan id or "reference"; empty: plan afresh (resolved by the route)
    boost::json::object given;  // the body as sent, for the plan's document
};

/// Parses and checks `body` (a JSON object; every member optional):
///   min_list_size, max_list_size, method ("registrations" | "nearest" | "radius"), core_share, radius_m,
///   constraint_field, lock_field, locked_networks [..], excluded_practices [..], seed, construction_runs, sweeps,
///   gap_distance_m, new_practices [{code, name, lon, lat | x, y, list_size}], baseline, title.
/// Throws HttpError 400 "InvalidParameterValue" naming the member (e.g. "new_practices[1].lat").
PlanRequest parse_plan_request(std::string_view body, const geo::PlanOptions& defaults, const geo::Dataset& dataset);

}  // namespace server
