#include "geo/region_growth.hpp"

#include <algorithm>

namespace geo {

bool grow_region(RegionState& state, std::uint32_t seed, std::int64_t target) {
    const PartProblem& p = state.problem();
    const std::int32_t r = state.new_region();
    state.assign(seed, r);
    std::vector<std::uint32_t> frontier;
    while (state.weight(r) < target) {
        frontier.clear();
        for (const std::uint32_t m : state.members(r)) {
            for (const auto& [v, length] : p.neighbours[m]) {
                if (state.region_of(v) == kNoRegion && state.weight(r) + p.weight[v] <= p.max_weight) frontier.push_back(v);
            }
        }
        if (frontier.empty()) break;
        std::sort(frontier.begin(), frontier.end());
        frontier.erase(std::unique(frontier.begin(), frontier.end()), frontier.end());
        std::uint32_t best = frontier.front();
        double best_affinity = -1;
        for (const std::uint32_t v : frontier) {
            const double affinity = static_cast<double>(state.overlap(v, r)) / static_cast<double>(p.weight[v] + 1);
            if (affinity > best_affinity) {
                best_affinity = affinity;
                best = v;
            }
        }
        state.assign(best, r);
    }
    if (state.weight(r) >= p.min_weight) return true;
    for (const std::uint32_t m : std::vector<std::uint32_t>(state.members(r))) state.unassign(m);
    return false;
}

std::int32_t best_region_with_room(const RegionState& state, std::uint32_t u, std::int32_t excluded) {
    const PartProblem& p = state.problem();
    std::int32_t best = kNoRegion;
    std::int64_t best_gain = 0;
    for (const auto& [v, length] : p.neighbours[u]) {
        const std::int32_t r = state.region_of(v);
        if (r == kNoRegion || r == excluded || r == state.region_of(u) || state.weight(r) + p.weight[u] > p.max_weight) continue;
        const std::int64_t gain = state.gain(u, r);
        if (best == kNoRegion || gain > best_gain || (gain == best_gain && r < best)) {
            best = r;
            best_gain = gain;
        }
    }
    return best;
}

void place_leftovers(RegionState& state, const std::vector<std::uint32_t>& units) {
    const PartProblem& p = state.problem();
    for (bool changed = true; changed;) {
        changed = false;
        for (const std::uint32_t u : units) {
            if (state.region_of(u) != kNoRegion) continue;
            const std::int32_t best = best_region_with_room(state, u, kNoRegion);
            if (best != kNoRegion) {
                state.assign(u, best);
                changed = true;
            }
        }
    }
    for (const std::uint32_t u : units) {
        if (state.region_of(u) != kNoRegion) continue;
        const std::int32_t r = state.new_region();
        state.assign(u, r);
        std::vector<std::uint32_t> stack{u};
        while (!stack.empty()) {
            const std::uint32_t v = stack.back();
            stack.pop_back();
            for (const auto& [w, length] : p.neighbours[v]) {
                if (state.region_of(w) != kNoRegion) continue;
                state.assign(w, r);
                stack.push_back(w);
            }
        }
    }
}

bool bisect(RegionState& state, Random& random, const std::vector<std::uint32_t>& units, std::int64_t regions) {
    const PartProblem& p = state.problem();
    std::int64_t total = 0;
    for (const std::uint32_t u : units) total += p.weight[u];
    if (regions <= 1) {
        const std::int32_t r = state.new_region();
        for (const std::uint32_t u : units) state.assign(u, r);
        return true;
    }
    const std::int64_t left = regions / 2, right = regions - left;
    const std::int64_t low = std::max(left * p.min_weight, total - right * p.max_weight);
    const std::int64_t high = std::min(left * p.max_weight, total - right * p.min_weight);
    if (low > high) return false;
    const std::int64_t target = std::clamp(total * left / regions, low, high);
    std::vector<char> inside(p.size(), 0), taken(p.size(), 0);
    for (const std::uint32_t u : units) inside[u] = 1;
    // The seed: a unit farthest (in steps) from a random one.
    std::vector<std::uint32_t> queue{units[random.below(units.size())]};
    std::vector<char> seen(p.size(), 0);
    seen[queue.front()] = 1;
    for (std::size_t k = 0; k < queue.size(); ++k) {
        for (const auto& [v, length] : p.neighbours[queue[k]]) {
            if (inside[v] && !seen[v]) {
                seen[v] = 1;
                queue.push_back(v);
            }
        }
    }
    const auto rest_connected_without = [&](std::uint32_t out) {
        std::uint32_t start = RegionState::kNoUnit;
        std::size_t remaining = 0;
        for (const std::uint32_t u : units) {
            if (taken[u] || u == out) continue;
            ++remaining;
            if (start == RegionState::kNoUnit) start = u;
        }
        if (remaining <= 1) return true;
        std::vector<std::uint32_t> stack{start};
        std::fill(seen.begin(), seen.end(), 0);
        seen[start] = 1;
        std::size_t reached = 1;
        while (!stack.empty()) {
            const std::uint32_t v = stack.back();
            stack.pop_back();
            for (const auto& [w, length] : p.neighbours[v]) {
                if (!inside[w] || taken[w] || w == out || seen[w]) continue;
                seen[w] = 1;
                ++reached;
                stack.push_back(w);
            }
        }
        return reached == remaining;
    };
    const std::int32_t side = state.new_region();
    state.assign(queue.back(), side);
    taken[queue.back()] = 1;
    std::vector<std::uint32_t> grown{queue.back()};
    while (state.weight(side) < target) {
        std::vector<std::pair<double, std::uint32_t>> candidates;  // (-affinity, unit)
        for (const std::uint32_t m : grown) {
            for (const auto& [v, length] : p.neighbours[m]) {
                if (!inside[v] || taken[v] || state.weight(side) + p.weight[v] > high) continue;
                candidates.emplace_back(-static_cast<double>(state.overlap(v, side)) / static_cast<double>(p.weight[v] + 1), v);
            }
        }
        std::sort(candidates.begin(), candidates.end());
        candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
        std::uint32_t next = RegionState::kNoUnit;
        for (const auto& [score, v] : candidates) {
            if (rest_connected_without(v)) {
                next = v;
                break;
            }
        }
        if (next == RegionState::kNoUnit) break;
        // Stop short when taking it would overshoot the share by more than stopping undershoots it.
        const std::int64_t with = state.weight(side) + p.weight[next];
        if (state.weight(side) >= low && with - target > target - state.weight(side)) break;
        state.assign(next, side);
        taken[next] = 1;
        grown.push_back(next);
    }
    if (state.weight(side) < low) return false;
    std::vector<std::uint32_t> rest;
    for (const std::uint32_t u : units) {
        if (!taken[u]) rest.push_back(u);
    }
    for (const std::uint32_t u : grown) state.unassign(u);
    return bisect(state, random, grown, left) && bisect(state, random, rest, right);
}

}  // namespace geo
