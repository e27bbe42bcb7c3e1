#include "geo/baseline_repair.hpp"

#include "geo/region_growth.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <optional>
#include <tuple>
#include <set>

namespace geo {

namespace {

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
    void set_identity(std::int32_t r, std::int32_t id);
    void log_assigned(const std::vector<std::uint32_t>& units);

    Score score() const;
    std::int64_t moved() const;
    std::int64_t displaced() const;
    std::size_t changed() const;
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

    const PartProblem& p_;
    RegionState state_;
    Random random_;
    std::vector<std::int32_t> home_, practices_;
    std::vector<std::int32_t> identity_;                          // per region slot
    std::vector<std::int32_t> initial_;                           // per unit: its region when the repair began
    std::vector<std::pair<std::uint32_t, std::int32_t>> log_;     // (unit, region it was in)
    std::vector<std::pair<std::int32_t, std::int32_t>> identity_log_;  // (slot, identity it had)
    mutable std::vector<std::uint32_t> seen_;
    mutable std::uint32_t visit_ = 0;
};

void Repair::shift(std::uint32_t u, std::int32_t to) {
    const std::int32_t from = state_.region_of(u);
    log_.emplace_back(u, from);
    if (to == kNoRegion) {
        state_.unassign(u);
    } else if (from == kNoRegion) {
        state_.assign(u, to);
    } else {
        state_.move(u, to);
    }
}

void Repair::log_assigned(const std::vector<std::uint32_t>& units) {
    for (const std::uint32_t u : units) {
        if (state_.region_of(u) != kNoRegion) log_.emplace_back(u, kNoRegion);
    }
}

void Repair::set_identity(std::int32_t r, std::int32_t id) {
    if (static_cast<std::size_t>(r) >= identity_.size()) identity_.resize(static_cast<std::size_t>(r) + 1, -1);
    identity_log_.emplace_back(r, identity_[static_cast<std::size_t>(r)]);
    identity_[static_cast<std::size_t>(r)] = id;
}

void Repair::rollback(Mark m) {
    while (log_.size() > m.moves) {
        const auto [u, was] = log_.back();
        log_.pop_back();
        const std::int32_t now = state_.region_of(u);
        if (was == kNoRegion) {
            if (now != kNoRegion) state_.unassign(u);
        } else if (now == kNoRegion) {
            state_.assign(u, was);
        } else if (now != was) {
            state_.move(u, was);
        }
    }
    while (identity_log_.size() > m.identities) {
        const auto [r, was] = identity_log_.back();
        identity_log_.pop_back();
        identity_[static_cast<std::size_t>(r)] = was;
    }
}

std::int64_t Repair::moved() const {
    std::int64_t n = 0;
    for (std::uint32_t u = 0; u < p_.size(); ++u) {
        if (home_[u] >= 0 && identity(state_.region_of(u)) != home_[u]) n += practices_[u];
    }
    return n;
}

std::size_t Repair::changed() const {
    std::set<std::int32_t> regions;
    for (std::uint32_t u = 0; u < p_.size(); ++u) {
        if (state_.region_of(u) == initial_[u]) continue;
        regions.insert(initial_[u]);
        regions.insert(state_.region_of(u));
    }
    return regions.size();
}

std::vector<std::int32_t> Repair::touched(Mark since) const {
    std::set<std::int32_t> regions;
    for (std::size_t i = since.moves; i < log_.size(); ++i) {
        regions.insert(log_[i].second);
        regions.insert(state_.region_of(log_[i].first));
    }
    regions.erase(kNoRegion);
    return {regions.begin(), regions.end()};
}

std::int64_t Repair::displaced() const {
    std::map<std::pair<std::int32_t, std::int32_t>, std::int64_t> by_home;  // (region, home) -> practices
    std::map<std::int32_t, std::int64_t> total;                            // region -> practices
    for (std::uint32_t u = 0; u < p_.size(); ++u) {
        by_home[{state_.region_of(u), home_[u]}] += practices_[u];
        total[state_.region_of(u)] += practices_[u];
    }
    std::int64_t n = 0;
    for (const auto& [key, count] : by_home) {
        if (key.second >= 0 && 2 * count <= total[key.first]) n += count;
    }
    return n;
}

Score Repair::score() const { return {state_.out_of_band(), displaced(), moved(), changed(), state_.dominant_patients()}; }

std::size_t Repair::pieces(std::int32_t r, std::uint32_t without) const {
    if (seen_.size() != p_.size()) seen_.assign(p_.size(), 0);
    if (++visit_ == 0) {
        std::fill(seen_.begin(), seen_.end(), 0);
        visit_ = 1;
    }
    std::size_t count = 0;
    std::vector<std::uint32_t> stack;
    for (const std::uint32_t start : state_.members(r)) {
        if (start == without || seen_[start] == visit_) continue;
        ++count;
        seen_[start] = visit_;
        stack.assign(1, start);
        while (!stack.empty()) {
            const std::uint32_t v = stack.back();
            stack.pop_back();
            for (const auto& [w, length] : p_.neighbours[v]) {
                if (w == without || seen_[w] == visit_ || state_.region_of(w) != r) continue;
                seen_[w] = visit_;
                stack.push_back(w);
            }
        }
    }
    return count;
}

void Repair::hand_on_identity(std::int32_t id, const std::vector<std::int32_t>& regions) {
    std::int32_t keeper = kNoRegion;
    std::int64_t most = -1;
    for (const std::int32_t r : regions) {
        std::int64_t home = 0;
        for (const std::uint32_t u : state_.members(r)) home += home_[u] == id ? practices_[u] : 0;
        if (home > most) {
            most = home;
            keeper = r;
        }
        set_identity(r, -1);
    }
    if (keeper != kNoRegion && id >= 0) set_identity(keeper, id);
}

/// Every unit in its baseline network, one region per (network, constraint value); units new to the
/// baseline join a neighbouring region with room, or form regions of their own.
void Repair::start(const std::vector<std::string>& constraint) {
    std::map<std::pair<std::int32_t, std::string>, std::int32_t> slot;
    std::map<std::int32_t, std::vector<std::int32_t>> pieces_of;  // baseline network -> its regions
    std::vector<std::uint32_t> newcomers;
    for (std::uint32_t u = 0; u < p_.size(); ++u) {
        if (home_[u] < 0) {
            newcomers.push_back(u);
            continue;
        }
        auto [it, added] = slot.emplace(std::pair(home_[u], constraint[u]), kNoRegion);
        if (added) {
            it->second = state_.new_region();
            pieces_of[home_[u]].push_back(it->second);
        }
        state_.assign(u, it->second);
    }
    for (const auto& [id, regions] : pieces_of) hand_on_identity(id, regions);
    place_leftovers(state_, newcomers);
    identity_.resize(static_cast<std::size_t>(state_.slots()), -1);
    initial_.resize(p_.size());
    for (std::uint32_t u = 0; u < p_.size(); ++u) initial_[u] = state_.region_of(u);
    log_.clear();
    identity_log_.clear();
}

/// Tops r up to the minimum with neighbouring units; a giver left below the minimum tops itself up in turn.
bool Repair::fill(std::int32_t r, int depth, std::vector<std::int32_t> banned, bool one_step) {
    banned.push_back(r);
    while (state_.weight(r) < p_.min_weight) {
        struct Candidate {
            bool chain;
            std::int64_t cost;
            bool enough;  // brings r into the band on its own
            std::int64_t gain;
            std::uint32_t unit;
            bool one_step;
            auto key() const {
                using I = std::int64_t;
                return one_step ? std::tuple(I{!enough}, I{chain}, cost, -gain, unit) : std::tuple(I{chain}, cost, I{!enough}, -gain, unit);
            }
        };
        std::vector<Candidate> candidates;
        for (const std::uint32_t m : state_.members(r)) {
            for (const auto& [v, length] : p_.neighbours[m]) {
                const std::int32_t q = state_.region_of(v);
                if (q == r || q == kNoRegion || std::find(banned.begin(), banned.end(), q) != banned.end()) continue;
                const std::int64_t w = p_.weight[v], wq = state_.weight(q);
                if (state_.weight(r) + w > p_.max_weight) continue;
                const bool alone = state_.members(q).size() == 1;
                bool chain = false;
                if (alone) {
                    if (in_band(q)) continue;  // would dissolve a network inside the band
                } else {
                    if (wq < p_.min_weight) continue;  // never take from a network that is short itself
                    if (wq - w < p_.min_weight) {
                        if (depth <= 0) continue;
                        chain = true;
                    }
                    if (!may_leave(v, q)) continue;
                }
                candidates.push_back({chain, cost(v, q, r), state_.weight(r) + w >= p_.min_weight, state_.gain(v, r), v, one_step});
            }
        }
        std::sort(candidates.begin(), candidates.end(), [](const Candidate& x, const Candidate& y) { return x.key() < y.key(); });
        candidates.erase(std::unique(candidates.begin(), candidates.end(), [](const Candidate& x, const Candidate& y) { return x.unit == y.unit; }),
                         candidates.end());
        bool done = false;
        for (const Candidate& c : candidates) {
            const Mark m = mark();
            const std::int32_t giver = state_.region_of(c.unit);
            shift(c.unit, r);
            if (c.chain && !fill(giver, depth - 1, banned, one_step)) {
                rollback(m);
                continue;
            }
            done = true;
            break;
        }
        if (!done) return false;
    }
    return true;
}

/// Brings r down to the maximum by handing border units to neighbours with room; a taker pushed above
/// the maximum drains itself in turn.
bool Repair::drain(std::int32_t r, int depth, std::vector<std::int32_t> banned, bool one_step) {
    banned.push_back(r);
    while (state_.weight(r) > p_.max_weight) {
        struct Candidate {
            bool chain;
            std::int64_t cost;
            bool enough;  // brings r into the band on its own
            bool short_taker;
            std::int64_t gain;
            std::uint32_t unit;
            std::int32_t to;
            bool one_step;
            auto key() const {
                using I = std::int64_t;
                return one_step ? std::tuple(I{!enough}, I{chain}, cost, !short_taker, -gain, unit, to)
                                : std::tuple(I{chain}, cost, I{!enough}, !short_taker, -gain, unit, to);
            }
        };
        std::vector<Candidate> candidates;
        for (const std::uint32_t u : state_.members(r)) {
            const std::int64_t w = p_.weight[u];
            if (state_.weight(r) - w < p_.min_weight || !may_leave(u, r)) continue;
            for (const auto& [v, length] : p_.neighbours[u]) {
                const std::int32_t q = state_.region_of(v);
                if (q == r || q == kNoRegion || std::find(banned.begin(), banned.end(), q) != banned.end()) continue;
                const bool chain = state_.weight(q) + w > p_.max_weight;
                if (chain && (depth <= 0 || state_.weight(q) > p_.max_weight)) continue;
                candidates.push_back({chain, cost(u, r, q), state_.weight(r) - w <= p_.max_weight, state_.weight(q) < p_.min_weight,
                                      state_.gain(u, q), u, q, one_step});
            }
        }
        std::sort(candidates.begin(), candidates.end(), [](const Candidate& x, const Candidate& y) { return x.key() < y.key(); });
        bool done = false;
        for (const Candidate& c : candidates) {
            const Mark m = mark();
            shift(c.unit, c.to);
            if (c.chain && !drain(c.to, depth - 1, banned, one_step)) {
                rollback(m);
                continue;
            }
            done = true;
            break;
        }
        if (!done) return false;
    }
    return true;
}

/// Hands every unit of r to a neighbouring region with room: its own baseline network first, then the one that gains most.
bool Repair::dissolve(std::int32_t r) {
    std::vector<std::uint32_t> remaining = state_.members(r);
    for (bool progress = true; progress && !remaining.empty();) {
        progress = false;
        for (auto it = remaining.begin(); it != remaining.end();) {
            std::int32_t best = kNoRegion;
            std::tuple<std::int64_t, std::int64_t, std::int32_t> best_key{};
            for (const auto& [v, length] : p_.neighbours[*it]) {
                const std::int32_t q = state_.region_of(v);
                if (q == r || q == kNoRegion || state_.weight(q) + p_.weight[*it] > p_.max_weight) continue;
                const auto key = std::tuple(cost(*it, r, q), -state_.gain(*it, q), q);
                if (best == kNoRegion || key < best_key) {
                    best = q;
                    best_key = key;
                }
            }
            if (best == kNoRegion) {
                ++it;
                continue;
            }
            shift(*it, best);
            it = remaining.erase(it);
            progress = true;
        }
    }
    return remaining.empty();
}

/// Splits r into as many regions as its weight needs by recursive bisection; the best of a few attempts.
bool Repair::split(std::int32_t r) {
    const std::int64_t w = state_.weight(r);
    const std::int64_t fewest = (w + p_.max_weight - 1) / p_.max_weight, most = w / p_.min_weight;
    if (most < 2 || fewest > most || pieces(r) > 1) return false;
    const std::int32_t id = identity(r);
    const std::vector<std::uint32_t> units = state_.members(r);
    const Mark m = mark();
    std::optional<Score> best;
    Random best_random = random_;
    std::int64_t best_k = fewest;
    // A few attempts at each count of regions the weight allows, fewest first.
    for (int attempt = 0; attempt < kSplitAttempts * static_cast<int>(std::min<std::int64_t>(most - fewest + 1, 3)); ++attempt) {
        const std::int64_t k = fewest + attempt / kSplitAttempts;
        const Random before = random_;
        for (const std::uint32_t u : units) shift(u, kNoRegion);
        const bool ok = bisect(state_, random_, units, k);
        log_assigned(units);
        if (ok) {
            std::vector<std::int32_t> regions;
            for (const std::uint32_t u : units) regions.push_back(state_.region_of(u));
            std::sort(regions.begin(), regions.end());
            regions.erase(std::unique(regions.begin(), regions.end()), regions.end());
            hand_on_identity(id, regions);
            const Score s = score();
            if (!best || s.better_than(*best)) {
                best = s;
                best_random = before;
                best_k = k;
            }
        }
        rollback(m);
    }
    if (!best) return false;
    // Again with the winning attempt's draws.
    random_ = best_random;
    for (const std::uint32_t u : units) shift(u, kNoRegion);
    bisect(state_, random_, units, best_k);
    log_assigned(units);
    std::vector<std::int32_t> regions;
    for (const std::uint32_t u : units) regions.push_back(state_.region_of(u));
    std::sort(regions.begin(), regions.end());
    regions.erase(std::unique(regions.begin(), regions.end()), regions.end());
    hand_on_identity(id, regions);
    return true;
}

/// The connected pieces of r, each sorted, in order of their lowest unit.
std::vector<std::vector<std::uint32_t>> Repair::pieces_of(std::int32_t r) const {
    std::vector<std::vector<std::uint32_t>> out;
    std::set<std::uint32_t> seen;
    for (const std::uint32_t start : state_.members(r)) {
        if (seen.contains(start)) continue;
        std::vector<std::uint32_t> piece{start}, stack{start};
        seen.insert(start);
        while (!stack.empty()) {
            const std::uint32_t v = stack.back();
            stack.pop_back();
            for (const auto& [w, length] : p_.neighbours[v]) {
                if (state_.region_of(w) != r || seen.contains(w)) continue;
                seen.insert(w);
                piece.push_back(w);
                stack.push_back(w);
            }
        }
        std::sort(piece.begin(), piece.end());
        out.push_back(std::move(piece));
    }
    return out;
}

/// A region in several pieces split into groups of whole pieces, each group inside the band: its
/// practices stay together as the baseline had them (the groups are no more contiguous than it was).
bool Repair::split_groups(std::int32_t r) {
    auto pieces = pieces_of(r);
    if (pieces.size() < 2 || pieces.size() > 16) return false;
    std::vector<std::int64_t> weight;
    for (const auto& piece : pieces) {
        std::int64_t w = 0;
        for (const std::uint32_t u : piece) w += p_.weight[u];
        weight.push_back(w);
    }
    std::vector<std::size_t> order(pieces.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return weight[x] > weight[y]; });
    const std::int64_t total = state_.weight(r);
    for (std::int64_t k = (total + p_.max_weight - 1) / p_.max_weight; k >= 2 && k <= total / p_.min_weight; ++k) {
        std::vector<std::int64_t> load(static_cast<std::size_t>(k), 0);
        std::vector<std::size_t> group(pieces.size(), 0);
        // Depth-first: the largest pieces first, each into a group with room; every group must reach the minimum.
        const std::function<bool(std::size_t)> place = [&](std::size_t i) -> bool {
            if (i == order.size()) return std::all_of(load.begin(), load.end(), [&](std::int64_t l) { return l >= p_.min_weight; });
            for (std::size_t g = 0; g < load.size(); ++g) {
                if (load[g] + weight[order[i]] > p_.max_weight) continue;
                load[g] += weight[order[i]];
                group[order[i]] = g;
                if (place(i + 1)) return true;
                load[g] -= weight[order[i]];
                if (load[g] == 0) break;  // empty groups are alike: trying the next one repeats this
            }
            return false;
        };
        if (!place(0)) continue;
        std::vector<std::int32_t> regions{r};
        for (std::int64_t g = 1; g < k; ++g) {
            const std::int32_t next = state_.new_region();
            set_identity(next, -1);
            regions.push_back(next);
        }
        const std::int32_t id = identity(r);
        for (std::size_t i = 0; i < pieces.size(); ++i) {
            for (const std::uint32_t u : pieces[i]) {
                if (group[i] != 0) shift(u, regions[group[i]]);
            }
        }
        hand_on_identity(id, regions);
        return true;
    }
    return false;
}

/// Small regions: the partition of r's units into groups inside the band with the fewest pieces (then
/// the most even), found by exhaustive search. Its practices all stay with their own network's.
bool Repair::split_exactly(std::int32_t r) {
    const std::vector<std::uint32_t> units = state_.members(r);
    if (units.size() > kExactSplitUnits) return false;
    const std::int64_t total = state_.weight(r);
    const std::int64_t fewest = std::max<std::int64_t>(2, (total + p_.max_weight - 1) / p_.max_weight), most = std::min<std::int64_t>(3, total / p_.min_weight);
    std::vector<std::uint32_t> order = units;
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) { return p_.weight[x] > p_.weight[y]; });
    std::optional<std::pair<std::size_t, std::int64_t>> best;  // (pieces, spread)
    std::vector<std::size_t> best_group;
    for (std::int64_t k = fewest; k <= most && !best; ++k) {
        std::vector<std::int64_t> load(static_cast<std::size_t>(k), 0);
        std::vector<std::size_t> group(order.size(), 0);
        int leaves = 0;
        const auto pieces_in = [&](std::size_t g) {
            std::set<std::uint32_t> members, seen;
            for (std::size_t i = 0; i < order.size(); ++i) {
                if (group[i] == g) members.insert(order[i]);
            }
            std::size_t count = 0;
            for (const std::uint32_t start : members) {
                if (seen.contains(start)) continue;
                ++count;
                std::vector<std::uint32_t> stack{start};
                seen.insert(start);
                while (!stack.empty()) {
                    const std::uint32_t v = stack.back();
                    stack.pop_back();
                    for (const auto& [w, length] : p_.neighbours[v]) {
                        if (!members.contains(w) || seen.contains(w)) continue;
                        seen.insert(w);
                        stack.push_back(w);
                    }
                }
            }
            return count;
        };
        const std::function<void(std::size_t)> place = [&](std::size_t i) {
            if (leaves > kExactSplitLeaves) return;
            if (i == order.size()) {
                ++leaves;
                if (!std::all_of(load.begin(), load.end(), [&](std::int64_t l) { return l >= p_.min_weight; })) return;
                std::size_t count = 0;
                for (std::size_t g = 0; g < load.size(); ++g) count += pieces_in(g);
                const auto [lo, hi] = std::minmax_element(load.begin(), load.end());
                const std::pair<std::size_t, std::int64_t> key{count, *hi - *lo};
                if (!best || key < *best) {
                    best = key;
                    best_group = group;
                }
                return;
            }
            for (std::size_t g = 0; g < load.size(); ++g) {
                if (load[g] + p_.weight[order[i]] > p_.max_weight) continue;
                const bool was_empty = load[g] == 0;
                load[g] += p_.weight[order[i]];
                group[i] = g;
                place(i + 1);
                load[g] -= p_.weight[order[i]];
                if (was_empty) break;  // empty groups are alike
            }
        };
        place(0);
        if (best) {
            std::vector<std::int32_t> regions{r};
            for (std::int64_t g = 1; g < k; ++g) {
                const std::int32_t next = state_.new_region();
                set_identity(next, -1);
                regions.push_back(next);
            }
            const std::int32_t id = identity(r);
            for (std::size_t i = 0; i < order.size(); ++i) {
                if (best_group[i] != 0) shift(order[i], regions[best_group[i]]);
            }
            hand_on_identity(id, regions);
        }
    }
    return best.has_value();
}

/// A region in several pieces becomes one region per piece (the piece with most of its baseline
/// members keeps the identity), and each piece outside the band is then repaired on its own.
bool Repair::split_pieces(std::int32_t r) {
    if (pieces(r) <= 1) return false;
    const std::int32_t id = identity(r);
    std::vector<std::uint32_t> left = state_.members(r);
    std::vector<std::int32_t> regions{r};
    // The piece holding the lowest unit stays in r; every other piece moves to a new region.
    while (true) {
        std::vector<std::uint32_t> piece{left.front()}, stack{left.front()};
        std::set<std::uint32_t> in_piece{left.front()};
        while (!stack.empty()) {
            const std::uint32_t v = stack.back();
            stack.pop_back();
            for (const auto& [w, length] : p_.neighbours[v]) {
                if (state_.region_of(w) != r || in_piece.contains(w)) continue;
                in_piece.insert(w);
                piece.push_back(w);
                stack.push_back(w);
            }
        }
        std::erase_if(left, [&](std::uint32_t u) { return in_piece.contains(u); });
        if (left.empty()) break;
        // What is left moves out of r, so the next piece is found among r's remaining members.
        const std::int32_t next = state_.new_region();
        set_identity(next, -1);
        regions.push_back(next);
        for (const std::uint32_t u : left) shift(u, next);
        r = next;
    }
    hand_on_identity(id, regions);
    for (const std::int32_t piece : regions) {
        if (state_.empty(piece) || in_band(piece)) continue;
        if (state_.weight(piece) < p_.min_weight) {
            const Mark m = mark();
            if (!fill(piece, kChainDepth, {})) {
                rollback(m);
                dissolve(piece);
            }
        } else {
            const Mark m = mark();
            if (!drain(piece, kChainDepth, {})) {
                rollback(m);
                split(piece);
            }
        }
    }
    return true;
}

/// Tries each basic repair of r and applies the best one, if any brings networks into the band.
bool Repair::fix_greedily(std::int32_t r) {
    const Score now = score();
    std::vector<std::function<bool()>> repairs;
    if (state_.weight(r) < p_.min_weight) {
        repairs = {[&] { return fill(r, kChainDepth, {}); }, [&] { return fill(r, kChainDepth, {}, true); }, [&] { return dissolve(r); }};
    } else {
        repairs = {[&] { return drain(r, kChainDepth, {}); }, [&] { return drain(r, kChainDepth, {}, true); }, [&] { return split(r); },
                   [&] { return split_exactly(r); }, [&] { return split_groups(r); },
                   [&] { return split_pieces(r); }};
    }
    std::optional<Score> best;
    std::size_t chosen = 0;
    Random chosen_random = random_;
    for (std::size_t i = 0; i < repairs.size(); ++i) {
        const Mark m = mark();
        const Random before = random_;
        if (repairs[i]()) {
            const Score s = score();
            if (s.out < now.out && (!best || s.better_than(*best))) {
                best = s;
                chosen = i;
                chosen_random = before;
            }
        }
        rollback(m);
    }
    if (!best) return false;
    random_ = chosen_random;
    repairs[chosen]();
    return true;
}

/// Greedy repairs of the networks outside the band among, and beside, those changed since `since`.
void Repair::settle(Mark since) {
    for (int pass = 0; pass < 4; ++pass) {
        std::set<std::int32_t> near;
        for (const std::int32_t r : touched(since)) {
            near.insert(r);
            for (const std::uint32_t u : state_.members(r)) {
                for (const auto& [v, length] : p_.neighbours[u]) near.insert(state_.region_of(v));
            }
        }
        near.erase(kNoRegion);
        bool repaired = false;
        for (const std::int32_t r : near) {
            if (!state_.empty(r) && !in_band(r)) repaired = fix_greedily(r) || repaired;
        }
        if (!repaired) break;
    }
}

/// Repairs r with one step of look-ahead: every first move (a unit into or out of r), every
/// dissolution and split of r, each followed by greedy repairs of what it pushes outside the band
/// nearby; the best outcome for the whole neighbourhood is kept, if it brings networks into the band.
bool Repair::fix(std::int32_t r) {
    const Score now = score();
    std::vector<std::function<void()>> firsts;
    const bool small = state_.weight(r) < p_.min_weight;
    std::set<std::pair<std::uint32_t, std::int32_t>> steps;  // (unit, to)
    for (const std::uint32_t m : state_.members(r)) {
        for (const auto& [v, length] : p_.neighbours[m]) {
            const std::int32_t q = state_.region_of(v);
            if (q == r || q == kNoRegion) continue;
            if (small) {
                if (state_.weight(r) + p_.weight[v] <= p_.max_weight && state_.members(q).size() > 1 && may_leave(v, q)) steps.insert({v, r});
            } else if (state_.weight(r) - p_.weight[m] >= p_.min_weight && may_leave(m, r)) {
                steps.insert({m, q});
            }
        }
    }
    for (const auto& [u, to] : steps) firsts.push_back([this, u = u, to = to] { shift(u, to); });
    if (small) {
        firsts.push_back([this, r] { dissolve(r); });
    } else {
        firsts.push_back([this, r] { split(r); });
        firsts.push_back([this, r] { split_exactly(r); });
        firsts.push_back([this, r] { split_groups(r); });
        firsts.push_back([this, r] { split_pieces(r); });
    }
    std::optional<Score> best;
    std::size_t chosen = 0;
    Random chosen_random = random_;
    for (std::size_t i = 0; i < firsts.size(); ++i) {
        const Mark m = mark();
        const Random before = random_;
        firsts[i]();
        settle(m);
        const Score s = score();
        if (s.out < now.out && (!best || s.better_than(*best))) {
            best = s;
            chosen = i;
            chosen_random = before;
        }
        rollback(m);
    }
    if (!best) return false;
    random_ = chosen_random;
    const Mark m = mark();
    firsts[chosen]();
    settle(m);
    return true;
}

void Repair::run() {
    for (int round = 0; round < kMaxRounds && state_.out_of_band() > 0; ++round) {
        bool repaired = false;
        for (std::int32_t r = 0; r < state_.slots(); ++r) {
            if (state_.empty(r) || in_band(r)) continue;
            repaired = fix(r) || repaired;
        }
        if (!repaired) break;
        log_.clear();
        identity_log_.clear();
    }
}

/// A baseline network in pieces (its practices' territories do not touch) is held together by links
/// of no length between its pieces, so that the repair treats it as one: its pieces may be split
/// apart or topped up like any network's, and practices can return to it.
void link_baseline_pieces(PartProblem& part, const std::vector<std::int32_t>& home, const std::vector<std::string>& constraint) {
    std::map<std::pair<std::int32_t, std::string>, std::vector<std::uint32_t>> groups;
    for (std::uint32_t u = 0; u < part.size(); ++u) {
        if (home[u] >= 0) groups[{home[u], constraint[u]}].push_back(u);
    }
    for (const auto& [key, units] : groups) {
        std::vector<std::uint32_t> heads;  // the lowest unit of each piece
        std::set<std::uint32_t> seen;
        for (const std::uint32_t start : units) {
            if (seen.contains(start)) continue;
            heads.push_back(start);
            std::vector<std::uint32_t> stack{start};
            seen.insert(start);
            while (!stack.empty()) {
                const std::uint32_t v = stack.back();
                stack.pop_back();
                for (const auto& [w, length] : part.neighbours[v]) {
                    if (home[w] != key.first || seen.contains(w)) continue;
                    seen.insert(w);
                    stack.push_back(w);
                }
            }
        }
        for (std::size_t i = 1; i < heads.size(); ++i) {
            part.neighbours[heads[i - 1]].emplace_back(heads[i], 0.0);
            part.neighbours[heads[i]].emplace_back(heads[i - 1], 0.0);
        }
    }
    for (auto& list : part.neighbours) std::sort(list.begin(), list.end());
}

}  // namespace

PartitionResult repair_from_baseline(const PartitionProblem& problem, const PartitionSettings& settings) {
    using partition_detail::fixed_alone;
    const std::size_t n = problem.weight.size();
    std::vector<std::uint32_t> free;
    for (std::uint32_t u = 0; u < n; ++u) {
        if (!fixed_alone(problem, u)) free.push_back(u);
    }
    PartProblem part = partition_detail::make_part(problem, free, partition_detail::fixed_background(problem));
    // Moves never cross the constraint: neighbours with another value are dropped.
    std::vector<std::string> constraint;
    std::vector<std::int32_t> home, practices;
    for (std::size_t i = 0; i < free.size(); ++i) {
        constraint.push_back(problem.constraint[free[i]]);
        home.push_back(problem.home[free[i]]);
        practices.push_back(problem.practices.empty() ? 1 : problem.practices[free[i]]);
    }
    for (std::size_t i = 0; i < free.size(); ++i) {
        std::erase_if(part.neighbours[i], [&](const auto& nb) { return constraint[nb.first] != constraint[i]; });
    }
    link_baseline_pieces(part, home, constraint);
    Repair repair(part, home, practices, settings.seed);
    repair.start(constraint);
    repair.run();
    if (settings.checkpoint) settings.checkpoint();

    PartitionResult out;
    out.region.assign(n, -1);
    out.parts = 1;
    std::int32_t next = problem.locked_regions;
    out.cause.assign(static_cast<std::size_t>(next), BandCause::locked);
    out.part_weight.assign(static_cast<std::size_t>(next), 0);
    out.identity.assign(static_cast<std::size_t>(next), -1);
    // Regions of the repair first, so that they claim their identities before units alone above the maximum.
    const RegionState& state = repair.state();
    std::vector<std::int32_t> number(static_cast<std::size_t>(state.slots()), -1);
    std::set<std::int32_t> claimed;
    for (std::size_t i = 0; i < free.size(); ++i) {
        const std::int32_t slot = state.region_of(static_cast<std::uint32_t>(i));
        auto& k = number[static_cast<std::size_t>(slot)];
        if (k < 0) {
            k = next++;
            const std::int32_t id = repair.identity(slot);
            out.identity.push_back(id);
            if (id >= 0) claimed.insert(id);
            out.cause.push_back(BandCause::not_reached);
            out.part_weight.push_back(state.weight(slot));
        }
        out.region[free[i]] = k;
    }
    for (std::uint32_t u = 0; u < n; ++u) {
        if (problem.locked_region[u] >= 0) {
            out.region[u] = problem.locked_region[u];
            out.part_weight[static_cast<std::size_t>(problem.locked_region[u])] += problem.weight[u];
        } else if (out.region[u] < 0) {
            out.region[u] = next++;
            const std::int32_t id = problem.home[u];
            out.identity.push_back(id >= 0 && claimed.insert(id).second ? id : -1);
            out.cause.push_back(BandCause::alone_above_max);
            out.part_weight.push_back(problem.weight[u]);
        }
    }
    out.regions = next;
    std::vector<std::int64_t> weight(static_cast<std::size_t>(next), 0);
    for (std::uint32_t u = 0; u < n; ++u) weight[static_cast<std::size_t>(out.region[u])] += problem.weight[u];
    for (std::size_t r = 0; r < weight.size(); ++r) {
        if (weight[r] >= problem.min_weight && weight[r] <= problem.max_weight) {
            out.cause[r] = BandCause::none;
            ++out.in_band;
        }
    }
    return out;
}

}  // namespace geo
