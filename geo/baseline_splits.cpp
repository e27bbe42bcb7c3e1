// The splits of the baseline repair: by recursive bisection, by exhaustive search for small
// networks, and for networks in pieces (see baseline_repair.hpp).
#include "geo/baseline_repair_detail.hpp"

#include <algorithm>
#include <functional>
#include <numeric>
#include <optional>
#include <set>

namespace geo::repair_detail {

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

/// Moves each of `units` (all r's) to the region of its group: group 0 stays in r, the others get new
/// regions; the one with most of r's baseline members keeps r's identity.
std::vector<std::int32_t> Repair::split_into(std::int32_t r, const std::vector<std::uint32_t>& units, const std::vector<std::size_t>& group,
                                             std::size_t groups) {
    const std::int32_t id = identity(r);
    std::vector<std::int32_t> regions{r};
    for (std::size_t g = 1; g < groups; ++g) {
        const std::int32_t next = state_.new_region();
        set_identity(next, -1);
        regions.push_back(next);
    }
    for (std::size_t i = 0; i < units.size(); ++i) {
        if (group[i] != 0) shift(units[i], regions[group[i]]);
    }
    hand_on_identity(id, regions);
    return regions;
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
        std::vector<std::uint32_t> units;
        std::vector<std::size_t> unit_group;
        for (std::size_t i = 0; i < pieces.size(); ++i) {
            for (const std::uint32_t u : pieces[i]) {
                units.push_back(u);
                unit_group.push_back(group[i]);
            }
        }
        split_into(r, units, unit_group, static_cast<std::size_t>(k));
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
        if (best) split_into(r, order, best_group, static_cast<std::size_t>(k));
    }
    return best.has_value();
}

/// A region in several pieces becomes one region per piece (the piece with most of its baseline
/// members keeps the identity), and each piece outside the band is then repaired on its own.
bool Repair::split_pieces(std::int32_t r) {
    if (pieces(r) <= 1) return false;
    const auto parts = pieces_of(r);
    std::vector<std::uint32_t> units;
    std::vector<std::size_t> group;
    for (std::size_t k = 0; k < parts.size(); ++k) {
        units.insert(units.end(), parts[k].begin(), parts[k].end());
        group.insert(group.end(), parts[k].size(), k);
    }
    const std::vector<std::int32_t> regions = split_into(r, units, group, parts.size());
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

}  // namespace geo::repair_detail
