#include "geo/region_search.hpp"

#include "geo/region_growth.hpp"

#include <algorithm>
#include <cmath>

namespace geo {

bool SearchResult::better_than(const SearchResult& other, double compactness_patients) const {
    if (out_of_band != other.out_of_band) return out_of_band < other.out_of_band;
    const double mine = static_cast<double>(dominant_patients) + compactness_patients * compactness;
    const double theirs = static_cast<double>(other.dominant_patients) + compactness_patients * other.compactness;
    return mine > theirs;
}

namespace {

/// A change of state measured as the search sees it.
struct Change {
    std::int64_t out = 0;         // regions outside the band
    std::int64_t distance = 0;    // patients by which regions miss the band
    std::int64_t patients = 0;    // dominant patients
    double compactness = 0;
};

class Search {
public:
    Search(const PartProblem& part, std::uint64_t seed, const SearchSettings& settings, const SearchStart& start)
        : p_(part), s_(settings), random_(seed), state_(part), start_(start) {}

    SearchResult run();
    void load(const std::vector<std::int32_t>& layout);

private:
    // Construction
    void construct();
    std::int64_t construction_target();
    bool regrow(const std::vector<std::int32_t>& regions, int attempts, bool first_fewer);
    void repair(bool quick);
    // Annealing
    void anneal();
    void polish();
    bool accept(const Change& change, double temperature);
    double energy(const Change& change) const {
        return -(static_cast<double>(change.patients) + s_.compactness_patients * change.compactness) +
               kDistanceWeight * static_cast<double>(change.distance);
    }
    Change move_change(std::uint32_t u, std::int32_t to) const;
    bool try_move(std::uint32_t u, std::int32_t to, double temperature);
    bool try_swap(std::uint32_t u, std::uint32_t v, double temperature);
    bool try_dissolve(std::int32_t r, double temperature);
    bool try_resplit(std::int32_t a, std::int32_t b, double temperature);
    Change since(const Change& before) const {
        return {static_cast<std::int64_t>(state_.out_of_band()) - before.out, state_.band_distance() - before.distance,
                state_.dominant_patients() - before.patients, 0};
    }
    Change now() const {
        return {static_cast<std::int64_t>(state_.out_of_band()), state_.band_distance(), state_.dominant_patients(), 0};
    }
    void undo(std::vector<std::pair<std::uint32_t, std::int32_t>>& log) {
        for (auto it = log.rbegin(); it != log.rend(); ++it) state_.move(it->first, it->second);
        log.clear();
    }
    std::int32_t other_region_beside(std::uint32_t u, std::uint32_t* neighbour);
    SearchResult snapshot() const;

    static constexpr double kDistanceWeight = 1.0;  // a patient closer to the band is worth a dominant patient
    static constexpr int kRepairAttempts = 12;      // regrowths tried per region outside the band
    static constexpr double kBalancedFill = 0.9;    // balanced constructions aim at this share of the maximum
    static constexpr double kSweepGrowth = 0.3;     // sweeps grow with part size as (units / 100)^this
    static constexpr double kFewestIterations = 2000;
    static constexpr double kFinalTemperature = 0.5;  // patients: the last moves are all but greedy
    // Shares of the annealing moves: dissolving a region, re-splitting two, swapping two units; the
    // rest move one unit. The region moves cost most and change the most.
    static constexpr double kDissolveShare = 0.004;
    static constexpr double kResplitShare = 0.016;
    static constexpr double kSwapShare = 0.23;

    const PartProblem& p_;
    const SearchSettings& s_;
    Random random_;
    RegionState state_;
    const SearchStart& start_;
    std::int64_t accepted_ = 0;
    std::vector<std::pair<std::uint32_t, std::int32_t>> log_;  // (unit, region it left) for undo
};

void Search::construct() {
    std::vector<std::uint32_t> order(p_.size());
    for (std::uint32_t u = 0; u < order.size(); ++u) order[u] = u;
    if (start_.balanced) {
        // Regions of about 90% of the maximum by recursive bisection: fuller than max-p's, as cohesion likes.
        std::int64_t total = 0;
        for (const std::int64_t w : p_.weight) total += w;
        const auto regions = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(static_cast<double>(total) / (kBalancedFill * static_cast<double>(p_.max_weight)))));
        if (regions * p_.min_weight <= total && bisect(state_, random_, order, regions)) return;
        for (const std::uint32_t u : order) {
            if (state_.region_of(u) != kNoRegion) state_.unassign(u);
        }
    }
    random_.shuffle(order);
    for (const std::uint32_t u : order) {
        if (state_.region_of(u) == kNoRegion) grow_region(state_, u, construction_target());
    }
    place_leftovers(state_, order);
}

/// A little above the minimum, at random: max-p's many regions, with slack for the search.
std::int64_t Search::construction_target() {
    return p_.min_weight + static_cast<std::int64_t>(random_.unit() * s_.growth_slack * static_cast<double>(p_.max_weight - p_.min_weight));
}

/// Destroys the given regions and builds them again, by recursive bisection or max-p growth from
/// random seeds, a few times; keeps the best attempt when it has fewer regions outside the band, or
/// as many and more dominant patients (with `first_fewer`, the first attempt with fewer); otherwise
/// puts everything back.
bool Search::regrow(const std::vector<std::int32_t>& regions, int attempts, bool first_fewer) {
    std::vector<std::pair<std::uint32_t, std::int32_t>> original;  // (unit, its region)
    for (const std::int32_t r : regions) {
        for (const std::uint32_t u : state_.members(r)) original.emplace_back(u, r);
    }
    std::sort(original.begin(), original.end());
    std::vector<std::uint32_t> units;
    for (const auto& [u, r] : original) units.push_back(u);
    const auto restore = [&](const std::vector<std::pair<std::uint32_t, std::int32_t>>& layout) {
        for (const std::uint32_t u : units) {
            if (state_.region_of(u) != kNoRegion) state_.unassign(u);
        }
        for (const auto& [u, r] : layout) state_.assign(u, r);
    };
    const auto key = [this] { return std::pair(-static_cast<std::int64_t>(state_.out_of_band()), state_.dominant_patients()); };
    const auto start = key();
    // Attempts aim at equal regions: the fewest that fit, then one more, each a few per cent either way.
    std::int64_t total = 0;
    for (const std::uint32_t u : units) total += p_.weight[u];
    const std::int64_t fewest = std::max<std::int64_t>(1, (total + p_.max_weight - 1) / p_.max_weight);
    auto best = start;
    std::vector<std::pair<std::uint32_t, std::int32_t>> best_layout;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        for (const std::uint32_t u : units) state_.unassign(u);
        std::vector<std::uint32_t> order = units;
        random_.shuffle(order);
        const std::int64_t count = std::min(fewest + attempt % 3, std::max<std::int64_t>(fewest, total / p_.min_weight));
        if (attempt % 4 == 3 || !bisect(state_, random_, units, count)) {
            for (const std::uint32_t u : units) {
                if (state_.region_of(u) != kNoRegion) state_.unassign(u);
            }
            for (const std::uint32_t u : order) {
                const double spread = 0.94 + 0.06 * random_.unit();
                if (state_.region_of(u) == kNoRegion) grow_region(state_, u, static_cast<std::int64_t>(spread * static_cast<double>(total) / static_cast<double>(count)));
            }
            place_leftovers(state_, order);
        }
        if (key() > best) {
            best = key();
            best_layout.clear();
            for (const std::uint32_t u : units) best_layout.emplace_back(u, state_.region_of(u));
            if (first_fewer && best.first > start.first) return true;  // keep this one as it stands
        }
        restore(original);
    }
    if (best_layout.empty()) return false;
    // Regions other than the destroyed ones may have taken units in: put the layout back by region.
    restore(best_layout);
    return true;
}

/// Regions outside the band are destroyed and grown again with their neighbours (then with the
/// neighbours' neighbours) while that brings regions into the band. `quick` takes the first regrowth
/// that does, for a start that annealing will improve anyway.
void Search::repair(bool quick) {
    for (bool improved = true; improved && state_.out_of_band() > start_.fewest_out_of_band;) {
        improved = false;
        for (std::int32_t r = 0; r < state_.slots() && state_.out_of_band() > start_.fewest_out_of_band; ++r) {
            if (state_.empty(r) || p_.in_band(state_.weight(r))) continue;
            std::vector<std::int32_t> cluster{r};
            for (int ring = 0; ring < 2 && !improved; ++ring) {
                const std::size_t known = cluster.size();
                for (std::size_t k = 0; k < known; ++k) {
                    for (const std::uint32_t u : state_.members(cluster[k])) {
                        for (const auto& [v, length] : p_.neighbours[u]) cluster.push_back(state_.region_of(v));
                    }
                }
                std::sort(cluster.begin(), cluster.end());
                cluster.erase(std::unique(cluster.begin(), cluster.end()), cluster.end());
                const std::size_t before = state_.out_of_band();
                if (regrow(cluster, quick ? kRepairAttempts / 2 : kRepairAttempts, quick) && state_.out_of_band() < before) improved = true;
            }
            if (s_.checkpoint) s_.checkpoint();
        }
    }
}

/// The change moving u to `to` would make; patients and compactness only when it adds no region
/// outside the band (otherwise it is refused anyway).
Change Search::move_change(std::uint32_t u, std::int32_t to) const {
    const std::int32_t from = state_.region_of(u);
    const std::int64_t w = p_.weight[u], wf = state_.weight(from), wt = state_.weight(to);
    const bool from_empties = state_.members(from).size() == 1, to_empty = state_.empty(to);
    Change c;
    c.out = (from_empties ? 0 : !p_.in_band(wf - w)) + !p_.in_band(wt + w) - !p_.in_band(wf) - (to_empty ? 0 : !p_.in_band(wt));
    c.distance = (from_empties ? 0 : state_.band_distance(wf - w)) + state_.band_distance(wt + w) - state_.band_distance(wf) -
                 (to_empty ? 0 : state_.band_distance(wt));
    if (c.out <= 0) {
        c.patients = state_.gain(u, to);
        c.compactness = state_.compactness_change(u, to);
    }
    return c;
}

/// Never more regions outside the band; fewer always; otherwise the Metropolis rule.
bool Search::accept(const Change& change, double temperature) {
    if (change.out > 0) return false;
    if (change.out < 0) return true;
    const double e = energy(change);
    if (e <= 0) return e < 0 || change.patients > 0;
    return temperature > 0 && random_.unit() < std::exp(-e / temperature);
}

bool Search::try_move(std::uint32_t u, std::int32_t to, double temperature) {
    if (state_.weight(to) + p_.weight[u] > p_.max_weight && p_.in_band(state_.weight(to))) return false;  // would leave the band
    if (!accept(move_change(u, to), temperature) || !state_.connected_without(u)) return false;
    state_.move(u, to);
    return true;
}

bool Search::try_swap(std::uint32_t u, std::uint32_t v, double temperature) {
    const std::int32_t a = state_.region_of(u), b = state_.region_of(v);
    if (state_.members(a).size() == 1 || state_.members(b).size() == 1) return false;
    const std::int64_t wa = state_.weight(a) - p_.weight[u] + p_.weight[v], wb = state_.weight(b) - p_.weight[v] + p_.weight[u];
    Change c;
    c.out = !p_.in_band(wa) + !p_.in_band(wb) - !p_.in_band(state_.weight(a)) - !p_.in_band(state_.weight(b));
    if (c.out > 0) return false;
    c.distance = state_.band_distance(wa) + state_.band_distance(wb) - state_.band_distance(state_.weight(a)) -
                 state_.band_distance(state_.weight(b));
    c.patients = state_.swap_gain(u, v);
    c.compactness = state_.swap_compactness_change(u, v);
    if (!accept(c, temperature) || !state_.connected_with(a, v, u) || !state_.connected_with(b, u, v)) return false;
    state_.move(u, b);
    state_.move(v, a);
    return true;
}

/// Hands every unit of r to the neighbouring region that gains most from it and has room.
bool Search::try_dissolve(std::int32_t r, double temperature) {
    const Change before = now();
    double compactness = 0;
    std::vector<std::uint32_t> remaining = state_.members(r);
    log_.clear();
    for (bool progress = true; progress && !remaining.empty();) {
        progress = false;
        for (auto it = remaining.begin(); it != remaining.end();) {
            const std::int32_t best = best_region_with_room(state_, *it, r);
            if (best == kNoRegion) {
                ++it;
                continue;
            }
            compactness += state_.compactness_change(*it, best);
            log_.emplace_back(*it, r);
            state_.move(*it, best);
            it = remaining.erase(it);
            progress = true;
        }
    }
    Change c = since(before);
    c.compactness = compactness;
    if (remaining.empty() && accept(c, temperature)) return true;
    undo(log_);
    return false;
}

/// Merges two neighbouring regions and splits them again: one grows from a random unit to a
/// random size that leaves both in the band, the other takes the rest (when connected).
bool Search::try_resplit(std::int32_t a, std::int32_t b, double temperature) {
    const std::int64_t total = state_.weight(a) + state_.weight(b);
    const std::int64_t low = std::max(p_.min_weight, total - p_.max_weight), high = std::min(p_.max_weight, total - p_.min_weight);
    if (low > high) return false;
    const auto target = low + static_cast<std::int64_t>(random_.unit() * static_cast<double>(high - low));
    std::vector<std::uint32_t> pool = state_.members(a);
    pool.insert(pool.end(), state_.members(b).begin(), state_.members(b).end());
    std::sort(pool.begin(), pool.end());
    const Change before = now();
    double compactness = 0;
    log_.clear();
    const auto shift = [&](std::uint32_t u, std::int32_t to) {
        compactness += state_.compactness_change(u, to);
        log_.emplace_back(u, state_.region_of(u));
        state_.move(u, to);
    };
    const std::int32_t grown = state_.new_region();
    shift(pool[random_.below(pool.size())], grown);
    while (state_.weight(grown) < target) {
        std::uint32_t best = RegionState::kNoUnit;
        std::int64_t best_gain = 0;
        for (const std::uint32_t m : state_.members(grown)) {
            for (const auto& [v, length] : p_.neighbours[m]) {
                const std::int32_t at = state_.region_of(v);
                if ((at != a && at != b) || state_.weight(grown) + p_.weight[v] > high) continue;
                const std::int64_t gain = state_.gain(v, grown);
                if (best == RegionState::kNoUnit || gain > best_gain || (gain == best_gain && v < best)) {
                    best = v;
                    best_gain = gain;
                }
            }
        }
        if (best == RegionState::kNoUnit) break;
        shift(best, grown);
    }
    // The rest goes to whichever of a and b still has members (a when both do).
    const std::int32_t rest = state_.empty(a) ? b : a;
    const std::int32_t other = rest == a ? b : a;
    for (const std::uint32_t u : pool) {
        if (state_.region_of(u) == other) shift(u, rest);
    }
    bool ok = state_.weight(grown) >= low && !state_.empty(rest) && state_.connected_with(rest, RegionState::kNoUnit, RegionState::kNoUnit);
    if (ok) {
        Change c = since(before);
        c.compactness = compactness;
        ok = accept(c, temperature);
    }
    if (!ok) undo(log_);
    return ok;
}

/// A region other than u's among u's neighbours, starting the scan at a random neighbour.
std::int32_t Search::other_region_beside(std::uint32_t u, std::uint32_t* neighbour) {
    const auto& list = p_.neighbours[u];
    if (list.empty()) return kNoRegion;
    const std::int32_t own = state_.region_of(u);
    const std::size_t start = random_.below(list.size());
    for (std::size_t k = 0; k < list.size(); ++k) {
        const std::uint32_t v = list[(start + k) % list.size()].first;
        if (state_.region_of(v) != own) {
            *neighbour = v;
            return state_.region_of(v);
        }
    }
    return kNoRegion;
}

void Search::anneal() {
    const std::size_t n = p_.size();
    // Larger parts get more sweeps per unit, as annealing needs: (n / 100)^0.3 more (London unconstrained: 2.1 times).
    const double sweeps = s_.sweeps * std::pow(static_cast<double>(n) / 100.0, kSweepGrowth);
    const auto iterations = static_cast<std::int64_t>(std::max(kFewestIterations, sweeps * static_cast<double>(n)));
    // Starting temperature: a typical worsening single move is accepted about a third of the time.
    std::vector<double> worse;
    for (int k = 0; k < 200; ++k) {
        const auto u = static_cast<std::uint32_t>(random_.below(n));
        std::uint32_t v = 0;
        const std::int32_t to = other_region_beside(u, &v);
        if (to == kNoRegion) continue;
        const Change c = move_change(u, to);
        if (c.out == 0 && energy(c) > 0) worse.push_back(energy(c));
    }
    if (worse.empty()) return;
    std::sort(worse.begin(), worse.end());
    const double start = std::max(start_.heat * worse[worse.size() / 2] / std::log(3.0), 2 * kFinalTemperature), end = kFinalTemperature;
    const double cooling = std::pow(end / start, 1.0 / static_cast<double>(iterations));
    double temperature = start;
    SearchResult best = snapshot();
    for (std::int64_t i = 0; i < iterations; ++i, temperature *= cooling) {
        if ((i & 4095) == 0) {
            if (s_.checkpoint) s_.checkpoint();
            if (i > iterations / 2) {
                SearchResult current = snapshot();
                if (current.better_than(best, s_.compactness_patients)) best = std::move(current);
            }
        }
        const auto u = static_cast<std::uint32_t>(random_.below(n));
        std::uint32_t v = 0;
        const std::int32_t to = other_region_beside(u, &v);
        if (to == kNoRegion) continue;
        const double kind = random_.unit();
        bool moved;
        if (kind < kDissolveShare) {
            moved = try_dissolve(state_.region_of(u), temperature);
        } else if (kind < kDissolveShare + kResplitShare) {
            moved = try_resplit(state_.region_of(u), to, temperature);
        } else if (kind < kDissolveShare + kResplitShare + kSwapShare) {
            moved = try_swap(u, v, temperature);
        } else {
            moved = try_move(u, to, temperature);
        }
        accepted_ += moved;
    }
    polish();
    SearchResult current = snapshot();
    if (!current.better_than(best, s_.compactness_patients)) load(best.region);  // back to the best state seen
}

/// Replaces the state with a layout (regions numbered from 0).
void Search::load(const std::vector<std::int32_t>& layout) {
    for (std::uint32_t u = 0; u < p_.size(); ++u) {
        if (state_.region_of(u) != kNoRegion) state_.unassign(u);
    }
    std::vector<std::int32_t> slot(static_cast<std::size_t>(*std::max_element(layout.begin(), layout.end()) + 1), kNoRegion);
    for (std::uint32_t u = 0; u < p_.size(); ++u) {
        auto& s = slot[static_cast<std::size_t>(layout[u])];
        if (s == kNoRegion) s = state_.new_region();
        state_.assign(u, s);
    }
}

/// Greedy descent to a local optimum: single moves that improve, until none does.
void Search::polish() {
    for (int sweep = 0; sweep < 20; ++sweep) {
        bool improved = false;
        for (std::uint32_t u = 0; u < p_.size(); ++u) {
            for (const auto& [v, length] : p_.neighbours[u]) {
                const std::int32_t to = state_.region_of(v);
                if (to == state_.region_of(u)) continue;
                if (try_move(u, to, 0)) {
                    improved = true;
                    ++accepted_;
                    break;
                }
            }
        }
        if (!improved) break;
    }
}

SearchResult Search::snapshot() const {
    SearchResult result;
    result.region.assign(p_.size(), kNoRegion);
    std::vector<std::int32_t> number(static_cast<std::size_t>(state_.slots()), kNoRegion);
    std::int32_t next = 0;
    for (std::uint32_t u = 0; u < p_.size(); ++u) {
        auto& k = number[static_cast<std::size_t>(state_.region_of(u))];
        if (k == kNoRegion) k = next++;
        result.region[u] = k;
    }
    result.regions = static_cast<std::size_t>(next);
    result.out_of_band = state_.out_of_band();
    result.dominant_patients = state_.dominant_patients();
    result.compactness = state_.compactness();
    result.moves = accepted_;
    return result;
}

SearchResult Search::run() {
    if (p_.size() == 0) return {};
    if (start_.layout != nullptr) {
        load(*start_.layout);
        anneal();
        return snapshot();
    }
    construct();
    repair(true);
    if (const ExactPartition* exact = start_.exact; exact != nullptr && exact->out_of_band < state_.out_of_band()) {
        load(exact->region);
    }
    anneal();
    repair(false);
    return snapshot();
}

}  // namespace

SearchResult search_part(const PartProblem& part, std::uint64_t seed, const SearchSettings& settings, const SearchStart& start) {
    return Search(part, seed, settings, start).run();
}

}  // namespace geo
