#include "geo/territories.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <unordered_map>

namespace geo {

namespace {

/// Keeps each practice's connected part that holds its standing area (or most of its patients).
void keep_connected_parts(const AreaGraph& graph, std::vector<std::int32_t>& owner, const std::vector<std::int32_t>& standing_area,
                          const RegistrationIndex& index, std::vector<std::string>& notes) {
    std::map<std::int32_t, std::vector<std::uint32_t>> owned;
    for (std::uint32_t a = 0; a < owner.size(); ++a) {
        if (owner[a] >= 0) owned[owner[a]].push_back(a);
    }
    std::size_t released = 0;
    for (const auto& [owning_practice, areas] : owned) {
        const auto practice = owning_practice;
        const auto parts = connected_groups(graph, areas);
        if (parts.size() < 2) continue;
        std::unordered_map<std::uint32_t, std::int64_t> patients;
        for (const auto& [area, n] : index.by_practice[static_cast<std::size_t>(practice)]) patients[area] += n;
        auto score = [&](const std::vector<std::uint32_t>& part) {
            const bool holds_standing = std::binary_search(part.begin(), part.end(),
                                                           static_cast<std::uint32_t>(std::max(standing_area[static_cast<std::size_t>(practice)], 0)));
            std::int64_t sum = 0;
            for (const std::uint32_t a : part) sum += patients[a];
            return std::pair(holds_standing && standing_area[static_cast<std::size_t>(practice)] >= 0, sum);
        };
        const auto keep = std::max_element(parts.begin(), parts.end(), [&](const auto& x, const auto& y) { return score(x) < score(y); });
        for (auto part = parts.begin(); part != parts.end(); ++part) {
            if (part == keep) continue;
            for (const std::uint32_t a : *part) owner[a] = -1;
            released += part->size();
        }
    }
    if (released > 0) notes.push_back(std::to_string(released) + " areas detached from practices' main territory and given to neighbours");
}

}  // namespace

std::vector<std::int32_t> make_territories(const AreaGraph& graph, std::vector<std::int32_t> owner,
                                           const std::vector<std::int32_t>& standing_area, const RegistrationIndex& index,
                                           const ConstraintValues& constraint, const std::vector<bool>& closed,
                                           std::vector<std::string>& notes) {
    keep_connected_parts(graph, owner, standing_area, index, notes);
    // Grow territories into unowned areas round by round; each round decides from the previous
    // round's state, so the result does not depend on the order areas are visited. Closed
    // territories take areas in only when no other can, and the constraint gives way last.
    std::size_t filled = 0;
    bool relax_constraint = false, open_closed = false;
    for (;;) {
        std::vector<std::pair<std::uint32_t, std::int32_t>> decisions;
        bool any_unowned = false;
        for (std::uint32_t a = 0; a < owner.size(); ++a) {
            if (owner[a] >= 0) continue;
            any_unowned = true;
            std::map<std::int32_t, double> shared;  // ordered: ties go to the lower practice index
            for (const AreaNeighbour& n : graph.neighbours[a]) {
                const std::int32_t o = owner[n.area];
                if (o < 0 || (closed[static_cast<std::size_t>(o)] && !open_closed)) continue;
                if (constraint.on_areas && !relax_constraint && constraint.practice[static_cast<std::size_t>(o)] != constraint.area[a]) continue;
                shared[o] += n.shared_length + 1e-9;  // bridges (length 0) still count, just least
            }
            if (shared.empty()) continue;
            const auto best = std::max_element(shared.begin(), shared.end(),
                                               [](const auto& x, const auto& y) { return x.second < y.second; });
            decisions.emplace_back(a, best->first);
        }
        if (!any_unowned) break;
        if (decisions.empty()) {
            if (relax_constraint) break;  // nothing owned anywhere near: leave them
            if (open_closed) {
                relax_constraint = true;  // a constraint group with no practice: let neighbours take it
            } else {
                open_closed = true;
            }
            continue;
        }
        for (const auto& [area, practice] : decisions) owner[area] = practice;
        filled += decisions.size();
    }
    if (filled > 0) notes.push_back(std::to_string(filled) + " areas without an owning practice joined the neighbouring territory with the longest shared boundary");
    return owner;
}

namespace {
constexpr std::size_t kSeedRings = 3;
}  // namespace

std::size_t seed_empty_territories(const AreaGraph& graph, std::vector<std::int32_t>& owner,
                                   const std::vector<std::int32_t>& standing_area, const std::vector<bool>& active,
                                   const Dataset& dataset, const ConstraintValues& constraint) {
    std::vector<std::vector<std::uint32_t>> territory(dataset.practices.size());
    for (std::uint32_t a = 0; a < owner.size(); ++a) {
        if (owner[a] >= 0) territory[static_cast<std::size_t>(owner[a])].push_back(a);
    }
    // Largest practices first: they need the room most; then by code for a stable order.
    std::vector<std::uint32_t> empty;
    for (std::uint32_t p = 0; p < dataset.practices.size(); ++p) {
        if (active[p] && territory[p].empty() && standing_area[p] >= 0) empty.push_back(p);
    }
    std::sort(empty.begin(), empty.end(), [&](std::uint32_t x, std::uint32_t y) {
        const auto& px = dataset.practices[x];
        const auto& py = dataset.practices[y];
        return px.list_size != py.list_size ? px.list_size > py.list_size : px.code < py.code;
    });
    std::size_t seeded_count = 0;
    for (const std::uint32_t p : empty) {
        // Candidates in rings around the area it stands in, nearest ring first (at most three rings).
        const auto here = static_cast<std::uint32_t>(standing_area[p]);
        std::vector<std::uint32_t> candidates{here};
        for (std::size_t ring_start = 0, ring = 0; ring < kSeedRings; ++ring) {
            const std::size_t ring_end = candidates.size();
            for (std::size_t i = ring_start; i < ring_end; ++i) {
                for (const AreaNeighbour& n : graph.neighbours[candidates[i]]) {
                    if (std::find(candidates.begin(), candidates.end(), n.area) == candidates.end()) candidates.push_back(n.area);
                }
            }
            ring_start = ring_end;
        }
        for (const std::uint32_t a : candidates) {
            const std::int32_t host = owner[a];
            if (host < 0 || (constraint.on_areas && constraint.area[a] != constraint.practice[p])) continue;
            auto& host_areas = territory[static_cast<std::size_t>(host)];
            if (host_areas.size() < 2 || standing_area[static_cast<std::size_t>(host)] == static_cast<std::int32_t>(a)) continue;
            std::vector<std::uint32_t> rest;
            std::copy_if(host_areas.begin(), host_areas.end(), std::back_inserter(rest), [a](std::uint32_t x) { return x != a; });
            if (connected_groups(graph, rest).size() != 1) continue;
            host_areas = std::move(rest);
            owner[a] = static_cast<std::int32_t>(p);
            territory[p] = {a};
            ++seeded_count;
            break;
        }
    }
    return seeded_count;
}

namespace {

constexpr std::size_t kClaimSearchLimit = 5000;  // areas visited to prove a claim cuts nothing apart

/// True when the unclaimed areas beside `a` (of a's constraint group) stay connected without `a`.
/// Searches at most kClaimSearchLimit areas, and says no when that is not enough to tell.
bool leaves_neighbours_connected(const AreaGraph& graph, std::uint32_t a, const std::vector<char>& claimed,
                                 const ConstraintValues& constraint, std::vector<std::uint32_t>& seen_at, std::uint32_t stamp) {
    const auto open = [&](std::uint32_t b) {
        return b != a && !claimed[b] && (!constraint.on_areas || constraint.area[b] == constraint.area[a]);
    };
    std::vector<std::uint32_t> targets;
    for (const AreaNeighbour& n : graph.neighbours[a]) {
        if (open(n.area)) targets.push_back(n.area);
    }
    if (targets.size() <= 1) return true;
    std::size_t found = 1, visited = 1;
    std::vector<std::uint32_t> queue{targets.front()};
    seen_at[targets.front()] = stamp;
    for (std::size_t k = 0; k < queue.size() && found < targets.size(); ++k) {
        if (++visited > kClaimSearchLimit) return false;
        for (const AreaNeighbour& n : graph.neighbours[queue[k]]) {
            if (!open(n.area) || seen_at[n.area] == stamp) continue;
            seen_at[n.area] = stamp;
            queue.push_back(n.area);
            found += std::find(targets.begin(), targets.end(), n.area) != targets.end();
        }
    }
    return found == targets.size();
}

}  // namespace

std::size_t claim_dominated_areas(const AreaGraph& graph, std::vector<std::int32_t>& owner, const std::vector<std::int32_t>& dominant,
                                  const std::vector<std::int32_t>& standing_area, const std::vector<std::uint32_t>& large,
                                  const RegistrationIndex& index, const std::vector<bool>& active, const ConstraintValues& constraint) {
    std::vector<char> claimed(owner.size(), 0), someone_stands(owner.size(), 0);
    for (std::size_t p = 0; p < standing_area.size(); ++p) {
        if (active[p] && standing_area[p] >= 0) someone_stands[static_cast<std::size_t>(standing_area[p])] = 1;
    }
    std::vector<std::uint32_t> seen_at(owner.size(), 0);
    std::uint32_t stamp = 0;
    std::size_t count = 0;
    for (const std::uint32_t p : large) {
        if (standing_area[p] < 0) continue;
        const auto home = static_cast<std::uint32_t>(standing_area[p]);
        if (claimed[home]) continue;  // another large practice stands here too
        std::unordered_map<std::uint32_t, std::int64_t> patients;
        for (const auto& [area, n] : index.by_practice[p]) patients[area] += n;
        claimed[home] = 1;
        owner[home] = static_cast<std::int32_t>(p);
        ++count;
        // Grow from home: of the dominated areas beside the territory, the one with most of its patients.
        std::vector<std::pair<std::int64_t, std::uint32_t>> frontier;  // (-patients, area), kept sorted
        const auto offer = [&](std::uint32_t from) {
            for (const AreaNeighbour& n : graph.neighbours[from]) {
                const std::uint32_t b = n.area;
                if (claimed[b] || someone_stands[b] || dominant[b] != static_cast<std::int32_t>(p)) continue;
                const std::pair<std::int64_t, std::uint32_t> entry{-patients[b], b};
                const auto at = std::lower_bound(frontier.begin(), frontier.end(), entry);
                if (at == frontier.end() || *at != entry) frontier.insert(at, entry);
            }
        };
        offer(home);
        while (!frontier.empty()) {
            const std::uint32_t a = frontier.front().second;
            frontier.erase(frontier.begin());
            if (claimed[a] || !leaves_neighbours_connected(graph, a, claimed, constraint, seen_at, ++stamp)) continue;
            claimed[a] = 1;
            owner[a] = static_cast<std::int32_t>(p);
            ++count;
            offer(a);
        }
    }
    return count;
}

}  // namespace geo
