#pragma once
// Where would a new practice help most? Each candidate site (an area's representative point near the
// gaps) is tried as a new practice of a given list size, with the what-if's model: it draws patients
// from its neighbours by Huff's gravity model (distance_decay.hpp, what_if.hpp), each practice's
// supply moving with the patients it loses. The site's score is the accessibility (accessibility.hpp)
// gained by the residents of the gap areas, weighted by population:
//
//   gain = sum over gap areas i of P_i * dA_i / 1000
//        = S_new * sum_gap P_i W_ic / D_c  -  sum_p dS_p * sum_gap P_i W_ip / D_p
//
// (demand D does not change when supply moves, so the E2SFCA sums stay linear): the capacity, in
// patients' worth of list, that newly reaches the people in gaps. Sites are ranked by it and kept
// at least min_spacing_m apart, so that the list is not one town's areas over and over (each site is
// scored alone: the second does not assume the first was built).
#include "geo/accessibility.hpp"
#include "geo/plan.hpp"

#include <cstdint>
#include <vector>

namespace geo {

struct SuggestionOptions {
    std::size_t count = 5;        // sites wanted
    std::int64_t list_size = 0;   // the new practice's list size; 0: the median practice's
    double min_spacing_m = 0;     // sites at least this far apart; 0: half the decay's reach (5 km by default)
    PlanCheckpoint checkpoint;    // called between candidates; may throw to abandon the search (a server's deadline)
};

struct SiteSuggestion {
    std::uint32_t area = 0;          // the candidate area, whose representative point is the site
    Point location;                  // working CRS
    double gap_capacity_gained = 0;  // the gain above
    double gain_per_1000 = 0;        // ... per 1,000 residents of the gaps
    double patients_drawn = 0;       // what the new practice would gain from its neighbours
    std::int64_t gap_people_in_reach = 0;  // gap residents within the decay's reach of the site
};

/// The list size suggest_sites tries: options.list_size, or the median active practice's.
std::int64_t suggestion_list_size(const Dataset& dataset, const Plan& plan, const SuggestionOptions& options);

/// The best `options.count` sites for `plan` of `dataset` (its Plan::dataset), with `gap` marking the gap areas (per area). Sites with
/// no gain are left out. Deterministic: ties go to the lower area index.
std::vector<SiteSuggestion> suggest_sites(const Dataset& dataset, const Plan& plan, const std::vector<bool>& gap, const SuggestionOptions& options);

}  // namespace geo
