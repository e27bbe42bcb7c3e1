#include "geo/baseline_repair.hpp"

#include "geo/baseline_repair_detail.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <tuple>

namespace geo {

namespace repair_detail {

void Books::reset(const std::vector<std::int32_t>* home, const std::vector<std::int32_t>* practices, std::vector<std::int32_t> initial) {
    home_ = home;
    practices_ = practices;
    initial_ = std::move(initial);
    regions_.clear();
    for (const std::int32_t r : initial_) {
        if (r != kNoRegion) ++at(r).missing;  // every unit is missing until added
    }
    displaced_ = moved_ = 0;
    changed_ = 0;
}

Books::Region& Books::at(std::int32_t r) {
    if (static_cast<std::size_t>(r) >= regions_.size()) regions_.resize(static_cast<std::size_t>(r) + 1);
    return regions_[static_cast<std::size_t>(r)];
}

void Books::take_out(const Region& region) {
    displaced_ -= region.displaced;
    moved_ -= region.moved;
    changed_ -= region.changed();
}

void Books::put_back(Region& region, std::int32_t identity) {
    region.displaced = 0;
    for (const auto& [home, count] : region.by_home) {
        if (home >= 0 && 2 * count <= region.total) region.displaced += count;
    }
    const auto kept = identity >= 0 ? region.by_home.find(identity) : region.by_home.end();
    region.moved = region.homed - (kept == region.by_home.end() ? 0 : kept->second);
    displaced_ += region.displaced;
    moved_ += region.moved;
    changed_ += region.changed();
}

void Books::add(std::uint32_t u, std::int32_t r, std::int32_t identity) {
    Region& region = at(r);
    take_out(region);
    const std::int32_t home = (*home_)[u];
    const std::int64_t n = (*practices_)[u];
    region.by_home[home] += n;
    region.total += n;
    if (home >= 0) region.homed += n;
    if (initial_[u] == r) {
        --region.missing;
    } else {
        ++region.foreign;
    }
    put_back(region, identity);
}

void Books::remove(std::uint32_t u, std::int32_t r, std::int32_t identity) {
    Region& region = at(r);
    take_out(region);
    const std::int32_t home = (*home_)[u];
    const std::int64_t n = (*practices_)[u];
    if ((region.by_home[home] -= n) == 0) region.by_home.erase(home);
    region.total -= n;
    if (home >= 0) region.homed -= n;
    if (initial_[u] == r) {
        ++region.missing;
    } else {
        --region.foreign;
    }
    put_back(region, identity);
}

void Books::identity_changed(std::int32_t r, std::int32_t identity) {
    Region& region = at(r);
    take_out(region);
    put_back(region, identity);
}

void Repair::apply(std::uint32_t u, std::int32_t to) {
    const std::int32_t from = state_.region_of(u);
    if (from == to) return;
    if (from != kNoRegion) books_.remove(u, from, identity(from));
    if (to == kNoRegion) {
        state_.unassign(u);
    } else if (from == kNoRegion) {
        state_.assign(u, to);
    } else {
        state_.move(u, to);
    }
    if (to != kNoRegion) books_.add(u, to, identity(to));
}

void Repair::shift(std::uint32_t u, std::int32_t to) {
    log_.emplace_back(u, state_.region_of(u));
    apply(u, to);
}

/// Units that region_growth's functions put into regions (behind the books' back): booked and logged.
void Repair::log_assigned(const std::vector<std::uint32_t>& units) {
    for (const std::uint32_t u : units) {
        if (state_.region_of(u) == kNoRegion) continue;
        books_.add(u, state_.region_of(u), identity(state_.region_of(u)));
        log_.emplace_back(u, kNoRegion);
    }
}

void Repair::set_identity(std::int32_t r, std::int32_t id) {
    if (static_cast<std::size_t>(r) >= identity_.size()) identity_.resize(static_cast<std::size_t>(r) + 1, -1);
    identity_log_.emplace_back(r, identity_[static_cast<std::size_t>(r)]);
    identity_[static_cast<std::size_t>(r)] = id;
    books_.identity_changed(r, id);
}

void Repair::rollback(Mark m) {
    while (log_.size() > m.moves) {
        const auto [u, was] = log_.back();
        log_.pop_back();
        apply(u, was);
    }
    while (identity_log_.size() > m.identities) {
        const auto [r, was] = identity_log_.back();
        identity_log_.pop_back();
        identity_[static_cast<std::size_t>(r)] = was;
        books_.identity_changed(r, was);
    }
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
    books_.reset(&home_, &practices_, initial_);
    for (std::uint32_t u = 0; u < p_.size(); ++u) books_.add(u, initial_[u], identity(initial_[u]));
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
        const bool done = first_that_holds(candidates, [&](const Candidate& c) {
            const std::int32_t giver = state_.region_of(c.unit);
            shift(c.unit, r);
            return !c.chain || fill(giver, depth - 1, banned, one_step);
        });
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
        const bool done = first_that_holds(candidates, [&](const Candidate& c) {
            shift(c.unit, c.to);
            return !c.chain || drain(c.to, depth - 1, banned, one_step);
        });
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

/// Tries each option from the current state (each followed by settle() with `look_ahead`), keeps
/// the best outcome if it brings networks into the band, and applies it again. An option returns
/// false when it could not be done.
bool Repair::apply_best(const std::vector<std::function<bool()>>& options, bool look_ahead) {
    const Score now = score();
    std::optional<Score> best;
    std::size_t chosen = 0;
    Random chosen_random = random_;
    for (std::size_t i = 0; i < options.size(); ++i) {
        const Mark m = mark();
        const Random before = random_;
        if (options[i]()) {
            if (look_ahead) settle(m);
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
    random_ = chosen_random;  // the same draws again
    const Mark m = mark();
    options[chosen]();
    if (look_ahead) settle(m);
    return true;
}

/// Tries each basic repair of r and applies the best one, if any brings networks into the band.
bool Repair::fix_greedily(std::int32_t r) {
    if (state_.weight(r) < p_.min_weight) {
        return apply_best({[&] { return fill(r, kChainDepth, {}); }, [&] { return fill(r, kChainDepth, {}, true); }, [&] { return dissolve(r); }},
                          false);
    }
    return apply_best({[&] { return drain(r, kChainDepth, {}); }, [&] { return drain(r, kChainDepth, {}, true); }, [&] { return split(r); },
                       [&] { return split_exactly(r); }, [&] { return split_groups(r); }, [&] { return split_pieces(r); }},
                      false);
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
    std::vector<std::function<bool()>> firsts;
    for (const auto& [u, to] : steps) {
        firsts.push_back([this, u = u, to = to] {
            shift(u, to);
            return true;
        });
    }
    if (small) {
        firsts.push_back([this, r] { return dissolve(r); });
    } else {
        firsts.push_back([this, r] { return split(r); });
        firsts.push_back([this, r] { return split_exactly(r); });
        firsts.push_back([this, r] { return split_groups(r); });
        firsts.push_back([this, r] { return split_pieces(r); });
    }
    return apply_best(firsts, true);
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

}  // namespace repair_detail

namespace {

using repair_detail::Repair;

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
