#pragma once
// Internal to the baseline repair (baseline_repair.cpp, baseline_splits.cpp): the repair's state and
// the running totals behind its score.
#include "geo/region_growth.hpp"
#include "geo/region_state.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace geo::repair_detail {

constexpr int kChainDepth = 2;      // a giver or taker left outside the band may repair itself, this deep
constexpr int kSplitAttempts = 8;   // bisections tried per split
constexpr int kMaxRounds = 50;      // passes over the networks outside the band
constexpr std::size_t kExactSplitUnits = 14;  // regions of at most this many units may be split by exhaustive search
constexpr int kExactSplitLeaves = 50000;      // ... within this many complete assignments

/// How good a state is, in the order the repair cares.
struct Score {
    std::size_t out = 0;           // networks outside the band
    std::int64_t displaced = 0;    // practices in a network most of whose members come from another baseline network
    std::int64_t moved = 0;        // practices away from their baseline network
    std::size_t changed = 0;       // networks whose membership the repair changed
    std::int64_t dominant = 0;     // patients living in areas their own network dominates

    bool better_than(const Score& o) const {
        if (out != o.out) return out < o.out;
        if (displaced != o.displaced) return displaced < o.displaced;
        if (moved != o.moved) return moved < o.moved;
        if (changed != o.changed) return changed < o.changed;
        return dominant > o.dominant;
    }
};

/// Running totals behind the score, kept per region as units come and go, so that a candidate
/// repair is judged from the regions it touched alone.
class Books {
public:
    /// Sets up for units with these baseline networks, practice counts and starting regions.
    void reset(const std::vector<std::int32_t>* home, const std::vector<std::int32_t>* practices, std::vector<std::int32_t> initial);
    void add(std::uint32_t u, std::int32_t r, std::int32_t identity);
    void remove(std::uint32_t u, std::int32_t r, std::int32_t identity);
    void identity_changed(std::int32_t r, std::int32_t identity);

    std::int64_t displaced() const { return displaced_; }
    std::int64_t moved() const { return moved_; }
    std::size_t changed() const { return changed_; }

private:
    struct Region {
        std::map<std::int32_t, std::int64_t> by_home;  // baseline network -> practices
        std::int64_t total = 0, homed = 0;             // practices; those with a baseline network
        std::int64_t displaced = 0, moved = 0;         // this region's share of the totals
        std::int32_t foreign = 0, missing = 0;         // units that came in / left since the start
        bool changed() const { return foreign > 0 || missing > 0; }
    };
    Region& at(std::int32_t r);
    void take_out(const Region& region);
    void put_back(Region& region, std::int32_t identity);

    const std::vector<std::int32_t>* home_ = nullptr;
    const std::vector<std::int32_t>* practices_ = nullptr;
    std::vector<std::int32_t> initial_;
    std::vector<Region> regions_;
    std::int64_t displaced_ = 0, moved_ = 0;
    std::size_t changed_ = 0;
};

/// The repair of one problem (see baseline_repair.hpp); its operations are split between
/// baseline_repair.cpp (start, top-ups, drains, dissolutions, the search) and baseline_splits.cpp.
class Repair {
public:
    Repair(const PartProblem& part, std::vector<std::int32_t> home, std::vector<std::int32_t> practices, std::uint64_t seed)
        : p_(part), state_(part), random_(seed), home_(std::move(home)), practices_(std::move(practices)) {}

    void start(const std::vector<std::string>& constraint);
    void run();
    const RegionState& state() const { return state_; }
    std::int32_t identity(std::int32_t r) const { return static_cast<std::size_t>(r) < identity_.size() ? identity_[static_cast<std::size_t>(r)] : -1; }

private:
    struct Mark {
        std::size_t moves, identities;
    };
    Mark mark() const { return {log_.size(), identity_log_.size()}; }
    void rollback(Mark m);
    void shift(std::uint32_t u, std::int32_t to);  // logged move, assign (from none) or unassign (to kNoRegion)
    void apply(std::uint32_t u, std::int32_t to);  // the same, unlogged, keeping the books
    void set_identity(std::int32_t r, std::int32_t id);
    void log_assigned(const std::vector<std::uint32_t>& units);

    Score score() const { return {state_.out_of_band(), books_.displaced(), books_.moved(), books_.changed(), state_.dominant_patients()}; }
    /// Regions the log touched since `since`.
    std::vector<std::int32_t> touched(Mark since) const;
    /// Connected pieces of r's members, leaving out `without` (kNoUnit: none).
    std::size_t pieces(std::int32_t r, std::uint32_t without = RegionState::kNoUnit) const;
    /// Practices u takes away from (+) or back to (-) its baseline network by moving from `from` to `to`.
    std::int64_t cost(std::uint32_t u, std::int32_t from, std::int32_t to) const {
        if (home_[u] < 0) return 0;
        return (identity(from) == home_[u] ? practices_[u] : 0) - (identity(to) == home_[u] ? practices_[u] : 0);
    }
    bool in_band(std::int32_t r) const { return p_.in_band(state_.weight(r)); }
    /// The region keeping a baseline identity among `regions`: the one with most of its home practices.
    void hand_on_identity(std::int32_t id, const std::vector<std::int32_t>& regions);

    bool fix(std::int32_t r);
    bool fix_greedily(std::int32_t r);
    bool apply_best(const std::vector<std::function<bool()>>& options, bool look_ahead);
    /// Applies `step` to each candidate in turn, undoing it when it fails, until one holds.
    template <typename Candidate, typename Step>
    bool first_that_holds(const std::vector<Candidate>& candidates, Step step) {
        for (const Candidate& c : candidates) {
            const Mark m = mark();
            if (step(c)) return true;
            rollback(m);
        }
        return false;
    }
    void settle(Mark since);
    /// `one_step`: prefer a single move that brings r into the band (even through a chain) to several smaller ones.
    bool fill(std::int32_t r, int depth, std::vector<std::int32_t> banned, bool one_step = false);
    bool drain(std::int32_t r, int depth, std::vector<std::int32_t> banned, bool one_step = false);
    /// May u leave r? Not when that cuts a contiguous region in two (a region already in pieces may lose any unit).
    bool may_leave(std::uint32_t u, std::int32_t r) const {
        const std::size_t now = pieces(r);
        return now > 1 || pieces(r, u) <= now;
    }
    bool dissolve(std::int32_t r);
    bool split(std::int32_t r);
    bool split_pieces(std::int32_t r);
    bool split_groups(std::int32_t r);
    bool split_exactly(std::int32_t r);
    std::vector<std::vector<std::uint32_t>> pieces_of(std::int32_t r) const;
    std::vector<std::int32_t> split_into(std::int32_t r, const std::vector<std::uint32_t>& units, const std::vector<std::size_t>& group,
                                         std::size_t groups);

    const PartProblem& p_;
    RegionState state_;
    Random random_;
    std::vector<std::int32_t> home_, practices_;
    std::vector<std::int32_t> identity_;                          // per region slot
    std::vector<std::int32_t> initial_;                           // per unit: its region when the repair began
    std::vector<std::pair<std::uint32_t, std::int32_t>> log_;     // (unit, region it was in)
    std::vector<std::pair<std::int32_t, std::int32_t>> identity_log_;  // (slot, identity it had)
    Books books_;
    mutable std::vector<std::uint32_t> seen_;
    mutable std::uint32_t visit_ = 0;
};

}  // namespace geo::repair_detail
