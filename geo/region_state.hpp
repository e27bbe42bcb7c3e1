#pragma once
// The working state of the network search on one independent part: which region each unit is in,
// the regions' list sizes and shapes, and the dominance bookkeeping behind cohesion.
//
// Cohesion (Beaney et al., "Identifying potential primary care networks...", BJGP Open 2022): each
// area's dominant network is the one whose practices have most registered patients living there,
// and cohesion is the share of patients who live in an area dominated by their own network. The
// state keeps, per area, each region's patients there and the largest and second largest of those,
// so that the change a move makes is found from the moved units' own areas alone.
#include <cstdint>
#include <vector>

namespace geo {

/// Patients of one unit living in one area.
struct AreaPatients {
    std::uint32_t area;
    std::int64_t patients;
};

/// One independent part of the partitioning problem, in local indices.
struct PartProblem {
    std::vector<std::uint32_t> units;  // global unit index of each local unit
    std::vector<std::int64_t> weight;  // list size per unit
    std::vector<std::vector<std::pair<std::uint32_t, double>>> neighbours;  // local unit -> (local unit, shared boundary m)
    std::vector<double> area, perimeter;  // territory m2 and m per unit
    std::vector<std::vector<AreaPatients>> patients;  // per unit, sorted by local area
    std::vector<std::int64_t> background;  // per local area: the largest count of a network outside the part (locked ones)
    std::vector<std::uint32_t> area_ids;   // per local area: its index among all areas
    std::int64_t min_weight = 30000;
    std::int64_t max_weight = 50000;

    std::size_t size() const { return weight.size(); }
    bool in_band(std::int64_t w) const { return w >= min_weight && w <= max_weight; }
};

inline constexpr std::int32_t kNoRegion = -1;

class RegionState {
public:
    explicit RegionState(const PartProblem& problem);

    const PartProblem& problem() const { return p_; }
    std::int32_t region_of(std::uint32_t u) const { return region_[u]; }
    std::int32_t slots() const { return static_cast<std::int32_t>(weight_.size()); }
    std::int64_t weight(std::int32_t r) const { return weight_[static_cast<std::size_t>(r)]; }
    const std::vector<std::uint32_t>& members(std::int32_t r) const { return members_[static_cast<std::size_t>(r)]; }
    bool empty(std::int32_t r) const { return members(r).empty(); }
    std::size_t out_of_band() const { return out_of_band_; }
    /// Sum over regions of the patients by which each misses the band.
    std::int64_t band_distance() const { return band_distance_; }
    std::int64_t band_distance(std::int64_t w) const {
        return w < p_.min_weight ? p_.min_weight - w : w > p_.max_weight ? w - p_.max_weight : 0;
    }

    /// Patients living in an area dominated by their own region (or the background's).
    std::int64_t dominant_patients() const { return score_; }
    /// Sum of the regions' Polsby-Popper compactness.
    double compactness() const;

    /// An empty region slot (reused or new).
    std::int32_t new_region();
    /// Puts u (in no region) into r.
    void assign(std::uint32_t u, std::int32_t r);
    /// Takes u out of its region.
    void unassign(std::uint32_t u);
    /// Moves u (in a region) to another region.
    void move(std::uint32_t u, std::int32_t to);

    /// Change in dominant_patients() if u left its region (or none) for `to` (kNoRegion: for none).
    std::int64_t gain(std::uint32_t u, std::int32_t to) const;
    /// Change in dominant_patients() if u and v (in different regions) traded places.
    std::int64_t swap_gain(std::uint32_t u, std::uint32_t v) const;
    /// Change in compactness() if u moved to `to`.
    double compactness_change(std::uint32_t u, std::int32_t to) const;
    /// Change in compactness() if u and v traded places.
    double swap_compactness_change(std::uint32_t u, std::uint32_t v) const;
    /// How much u and r draw on the same neighbourhoods: the smaller of u's and r's patients, summed over u's areas.
    std::int64_t overlap(std::uint32_t u, std::int32_t r) const;

    /// True when u's region stays connected without u.
    bool connected_without(std::uint32_t u) const;
    /// True when r's members plus `add` minus `remove` are connected (either may be kNoUnit).
    bool connected_with(std::int32_t r, std::uint32_t add, std::uint32_t remove) const;

    static constexpr std::uint32_t kNoUnit = 0xffffffffu;

private:
    struct Count {
        std::int32_t region;
        std::int64_t patients;
    };
    /// Per area: the largest count of a region there, the largest of any other region, and the background.
    struct Top {
        std::int64_t best = 0, second = 0, background = 0;
        std::int32_t best_region = kNoRegion, second_region = kNoRegion;
        std::int64_t value() const { return best > background ? best : background; }
    };
    std::int64_t count_in(std::uint32_t area, std::int32_t r) const;
    /// Adds `n` patients to region `to` and takes them from `from` (either may be kNoRegion) in one pass.
    void shift(std::uint32_t area, std::int32_t from, std::int32_t to, std::int64_t n);
    double shared_boundary(std::uint32_t u, std::int32_t r) const;
    void join(std::uint32_t u, std::int32_t r);   // region bookkeeping only
    void leave(std::uint32_t u);                  // region bookkeeping only

    const PartProblem& p_;
    std::vector<std::int32_t> region_;
    std::vector<std::int64_t> weight_;
    std::vector<double> area_, perimeter_;
    std::vector<std::vector<std::uint32_t>> members_;
    std::vector<std::int32_t> free_slots_;
    std::vector<std::vector<Count>> counts_;  // per area: patients per region living there
    std::vector<Top> top_;                    // per area
    std::int64_t score_ = 0;
    std::size_t out_of_band_ = 0;
    std::int64_t band_distance_ = 0;
    mutable std::vector<std::uint32_t> stack_, seen_;  // scratch for connectivity checks
    mutable std::uint32_t visit_ = 0;
};

}  // namespace geo
