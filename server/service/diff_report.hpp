#pragma once
// Two plans compared (geo::diff) as JSON, for `catchment diff --format json` and
// GET /plans/{plan}/diff, and as text for the terminal. Both give the same figures.
#include "geo/baseline.hpp"

#include <boost/json/value.hpp>

#include <string>

namespace server {

/// {"before", "after", "summary": {moved, removed, added, created, dissolved, changed, unchanged},
///  "moved_practices": [{practice, from, to}], "removed_practices": [..], "added_practices": [{practice, to}],
///  "networks": [{id, name, change, list_size_before, list_size_after, joined, left}] (every network but the unchanged),
///  "unchanged_networks": [ids]}
boost::json::value diff_json(const geo::PlanDiff& diff, const std::string& before, const std::string& after);

std::string diff_text(const geo::PlanDiff& diff, const std::string& before, const std::string& after);

}  // namespace server
