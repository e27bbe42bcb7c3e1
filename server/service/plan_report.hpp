#pragma once
// Renders a plan's quality report for people (a table of networks, then the plan and the reference
// networks side by side) and for programs (JSON with every figure).
#include "geo/dataset.hpp"
#include "geo/output_layers.hpp"
#include "geo/plan.hpp"

#include <boost/json/value.hpp>

#include <string>

namespace server {

boost::json::value plan_report_json(const geo::Dataset& dataset, const geo::Plan& plan);
/// The headline figures GET /plans lists and the store keeps: networks, in band, cohesion, gaps.
boost::json::object plan_headline(const geo::Plan& plan);
std::string plan_report_text(const geo::Dataset& dataset, const geo::Plan& plan);

/// Suggested practice sites (the gap_suggestions layer's features) as JSON objects named by its
/// fields, and as a table for people.
boost::json::value suggestions_json(const geo::LayerFeatures& sites);
std::string suggestions_text(const geo::LayerFeatures& sites);

}  // namespace server
