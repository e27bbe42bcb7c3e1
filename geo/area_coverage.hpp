#pragma once
// Per-area coverage of a plan: distances to the nearest practice (straight line and travel time),
// E2SFCA accessibility with its ranks, rural or urban, and the gap criteria each area meets.
#include "geo/plan.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace geo {

struct CoverageInputs {
    const Dataset& dataset;
    const std::vector<Point>& points;              // per area: where distances are measured from
    const std::vector<bool>& active;               // per practice: open in this plan
    const std::vector<std::string>& groups;        // per area: its constraint group, for ranks
    const std::vector<std::int64_t>& area_registered;  // per area: registered patients living there
};

/// What the gap criteria look at in area `area` of a planned `plan` (coverage and areas filled).
GapFacts gap_facts(const Plan& plan, std::size_t area);

/// Fills out.coverage, the report's gap and accessibility figures and each network's people in gaps;
/// out.areas, out.networks and out.graph must be planned already.
void assess_coverage(const CoverageInputs& in, Plan& out);

}  // namespace geo
