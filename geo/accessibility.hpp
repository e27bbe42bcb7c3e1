#pragma once
// Spatial accessibility to GP capacity: the enhanced two-step floating catchment area method (E2SFCA;
// Luo and Wang 2003, with distance-decay weights after Luo and Qi 2009).
//
//   Step 1, per practice j:  R_j = S_j / sum_k P_k W(c_kj)   (supply per weighted resident in reach)
//   Step 2, per area i:      A_i = 1000 * sum_j W(c_ij) R_j  (capacity per 1,000 residents)
//
// S is the practice's supply (its list size, or a capacity field such as GP FTE), P an area's
// population, c the cost between them and W the decay bands (distance_decay.hpp). The cost is the
// travel time where the study gives one for the pair of a practice that has any (the time bands),
// and otherwise the straight-line distance from the area's representative point (GEOS's point on
// surface, see catchments.hpp) to the practice (the distance bands); a practice with no travel-time
// rows at all, such as a new practice in a what-if, is reached by straight line.
//
// Supply is conserved: sum_i P_i A_i / 1000 equals the total supply of the practices with anyone in
// reach. Algorithms apart from data: two_step_fca works on links, which tests can write by hand.
#include "geo/dataset.hpp"
#include "geo/distance_decay.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace geo {

/// The accessibility options are wrong (a supply field that is missing or not a number).
class AccessError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

struct AccessOptions {
    std::string supply_field;  // practice field holding capacity (e.g. GP FTE); empty: the list size
    DistanceDecay distance_decay = default_distance_decay();  // metres
    DistanceDecay time_decay = default_time_decay();          // minutes, for travel times

    bool operator==(const AccessOptions&) const = default;
};

/// A practice within reach of an area, with its decay weight.
struct AccessLink {
    std::uint32_t area = 0;
    std::uint32_t practice = 0;
    double weight = 0;  // in (0, 1]
};

/// Each practice's supply: the supply field's value or its list size; 0 for practices not `active`. A
/// practice whose field is empty (a new practice of a what-if has no fields) gets the study's capacity
/// per listed patient times its list size, and its code goes to `imputed`. Throws AccessError naming
/// the practice, the field and the value for a missing field or a value that is not a number >= 0.
std::vector<double> practice_supply(const Dataset& dataset, const std::vector<bool>& active, const std::string& supply_field,
                                    std::vector<std::string>* imputed = nullptr);

/// Every (area, practice) pair in reach, sorted by (area, practice), with its weight; see the header comment.
std::vector<AccessLink> access_links(const Dataset& dataset, const std::vector<Point>& area_points, const std::vector<bool>& active,
                                     const AccessOptions& options);

struct Accessibility {
    std::vector<double> area;             // per area: A_i, capacity per 1,000 residents
    std::vector<double> practice_demand;  // per practice: decay-weighted residents in reach
    std::vector<double> practice_ratio;   // per practice: R_j (0 with no one in reach)
    double supply_total = 0;              // all practices' supply
    double supply_reached = 0;            // of practices with anyone in reach
};

/// E2SFCA over `links` (area and practice indices into `population` and `supply`).
Accessibility two_step_fca(const std::vector<double>& population, const std::vector<double>& supply, const std::vector<AccessLink>& links);

/// Each area's minutes to the nearest active practice by the travel times; NaN where none is given.
std::vector<double> nearest_minutes(const Dataset& dataset, const std::vector<bool>& active, std::vector<std::int32_t>* practice = nullptr);

/// The value under which half the weight lies (the lower of two middle values); 0 for no weight.
double weighted_median(const std::vector<double>& values, const std::vector<double>& weights);

/// Ranks from 1 for the lowest value (the poorest access), ties sharing the lower rank, within each
/// value of `groups` (one rank list per distinct value) when given, else over all.
std::vector<std::int64_t> rank_lowest_first(const std::vector<double>& values, const std::vector<std::string>* groups = nullptr);

}  // namespace geo
