#pragma once
// Coverage gaps as criteria the planner chooses. An area is a gap when it meets any criterion in use:
//
// - outside_network: no network's territory holds it;
// - distance: its representative point is farther from every practice than the urban or the rural
//   threshold. An area is rural when its rural field says so (see is_rural_value) or, without one,
//   when fewer than rural_density residents live on each km2 of it. The default 500 per km2 makes
//   16.1% of England's residents rural (2011 LSOAs, mid-2019 population), near the 17% that ONS's
//   2011 rural-urban classification counts;
// - travel_time: the nearest practice by the study's travel times is farther than max_minutes, or
//   no travel time reaches the area at all (only with travel times, and only when max_minutes > 0);
// - accessibility: its E2SFCA accessibility (accessibility.hpp) is below min_accessibility, or at or
//   below the population-weighted accessibility_percentile (the value under which that share of the
//   study's residents live).
#include "geo/dataset.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace geo {

enum GapCriterion : unsigned {
    gap_outside_network = 1u,
    gap_distance = 2u,
    gap_travel_time = 4u,
    gap_accessibility = 8u,
};
/// "outside_network,distance": the criteria in `set`, in the order above.
std::string gap_criteria_text(unsigned set);
/// The criterion named (as above), or 0 for an unknown name.
unsigned gap_criterion_from(std::string_view name);

/// Options are wrong: names the option.
class GapCriteriaError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

struct GapCriteria {
    double urban_distance_m = 1600;
    double rural_distance_m = 5000;
    std::string rural_field;         // area field marking rural areas; empty: decided by density
    double rural_density = 500;      // residents per km2 under which an area is rural
    double max_minutes = 0;          // travel-time criterion; 0: not in use
    double min_accessibility = 0;    // accessibility criterion (per 1,000 residents); 0: not in use
    double accessibility_percentile = 0;  // accessibility criterion, in (0, 100); 0: not in use

    /// The criteria in use.
    unsigned in_use() const;
    /// Throws GapCriteriaError naming the option: thresholds must be finite and >= 0 (distances > 0),
    /// the percentile below 100, the rural field one of the areas' fields.
    void validate(const Dataset& dataset) const;
    bool operator==(const GapCriteria&) const = default;
};

/// Whether a field value marks a rural area: "rural", "true", "yes", "1", a value starting with
/// "Rural" (ONS RUC 2011 class names such as "Rural town and fringe") or an RUC 2011 code D1-F2; any case.
bool is_rural_value(std::string_view value);

/// Per area: whether it is rural, by `criteria`. `density` holds residents per km2 per area.
std::vector<bool> rural_areas(const Dataset& dataset, const std::vector<double>& density, const GapCriteria& criteria);

/// What the criteria look at in one area.
struct GapFacts {
    bool outside = false;       // in no network
    bool rural = false;
    double nearest_m = 0;       // straight line to the nearest practice
    double nearest_minutes = 0; // NaN: no travel time reaches it
    double accessibility = 0;
};

/// The criteria with their accessibility cut worked out for a study.
class GapRule {
public:
    /// `accessibility` and `population` per area, for the percentile; `has_travel_times` tells
    /// whether the travel-time criterion can apply.
    GapRule(const GapCriteria& criteria, unsigned use, const std::vector<double>& accessibility, const std::vector<std::int64_t>& population,
            bool has_travel_times);

    /// The criteria the area meets (0: not a gap).
    unsigned judge(const GapFacts& facts) const;
    /// Why, in words: "farther than 5000 m from any practice (rural area); accessibility 0.3 per 1,000
    /// residents, below 0.5".
    std::string reason(const GapFacts& facts, unsigned met) const;
    /// Areas at or below this accessibility meet the accessibility criterion (NaN when not in use).
    double accessibility_cut() const { return cut_; }
    bool strict_cut() const { return strict_; }
    unsigned in_use() const { return use_; }
    const GapCriteria& criteria() const { return criteria_; }

private:
    GapCriteria criteria_;
    unsigned use_ = 0;
    double cut_;
    bool strict_ = false;  // the cut is the threshold (below it), not the percentile (at or below)
};

}  // namespace geo
