#include "geo/region_state.hpp"

#include <algorithm>
#include <numbers>

namespace geo {

namespace {

double polsby_popper(double area, double perimeter) { return perimeter > 0 ? 4 * std::numbers::pi * area / (perimeter * perimeter) : 0; }

}  // namespace

RegionState::RegionState(const PartProblem& problem)
    : p_(problem), region_(problem.size(), kNoRegion), seen_(problem.size(), 0) {
    counts_.resize(problem.background.size());
    top_.resize(problem.background.size());
    for (std::size_t a = 0; a < top_.size(); ++a) {
        top_[a].background = problem.background[a];
        score_ += problem.background[a];
    }
}

double RegionState::compactness() const {
    double sum = 0;
    for (std::size_t r = 0; r < weight_.size(); ++r) {
        if (!members_[r].empty()) sum += polsby_popper(area_[r], perimeter_[r]);
    }
    return sum;
}

std::int32_t RegionState::new_region() {
    if (!free_slots_.empty()) {
        const std::int32_t r = free_slots_.back();
        free_slots_.pop_back();
        return r;
    }
    weight_.push_back(0);
    area_.push_back(0);
    perimeter_.push_back(0);
    members_.emplace_back();
    return static_cast<std::int32_t>(weight_.size() - 1);
}

std::int64_t RegionState::count_in(std::uint32_t area, std::int32_t r) const {
    for (const Count& c : counts_[area]) {
        if (c.region == r) return c.patients;
    }
    return 0;
}

void RegionState::shift(std::uint32_t area, std::int32_t from, std::int32_t to, std::int64_t n) {
    Top& top = top_[area];
    const std::int64_t before = top.value();
    auto& list = counts_[area];
    // Find and update the two counts, then the top two: from the counts alone when `from` held neither.
    std::int64_t to_count = n;
    bool found_from = from == kNoRegion, found_to = to == kNoRegion;
    for (std::size_t i = 0; i < list.size() && !(found_from && found_to); ++i) {
        Count& c = list[i];
        if (c.region == from) {
            found_from = true;
            if ((c.patients -= n) == 0) {
                c = list.back();
                list.pop_back();
                --i;
            }
        } else if (c.region == to) {
            found_to = true;
            to_count = c.patients += n;
        }
    }
    if (!found_to) list.push_back({to, n});
    if (from != kNoRegion && (from == top.best_region || from == top.second_region)) {
        std::int64_t best = 0, second = 0;
        std::int32_t best_region = kNoRegion, second_region = kNoRegion;
        for (const Count& c : list) {
            if (c.patients > best || (c.patients == best && c.region < best_region)) {
                second = best;
                second_region = best_region;
                best = c.patients;
                best_region = c.region;
            } else if (c.patients > second) {
                second = c.patients;
                second_region = c.region;
            }
        }
        top.best = best;
        top.second = second;
        top.best_region = best_region;
        top.second_region = second_region;
    } else if (to != kNoRegion) {
        if (to == top.best_region) {
            top.best = to_count;
        } else if (to_count > top.best || (to_count == top.best && to < top.best_region)) {
            top.second = top.best;
            top.second_region = top.best_region;
            top.best = to_count;
            top.best_region = to;
        } else if (to == top.second_region || to_count > top.second) {
            top.second = to_count;
            top.second_region = to;
        }
    }
    score_ += top.value() - before;
}

double RegionState::shared_boundary(std::uint32_t u, std::int32_t r) const {
    double sum = 0;
    for (const auto& [v, length] : p_.neighbours[u]) sum += region_[v] == r ? length : 0;
    return sum;
}

void RegionState::join(std::uint32_t u, std::int32_t r) {
    const auto i = static_cast<std::size_t>(r);
    const bool was_empty = members_[i].empty();
    if (was_empty) {
        // Refilling a slot that had emptied (e.g. when a move is undone): it is no longer free.
        if (const auto slot = std::find(free_slots_.begin(), free_slots_.end(), r); slot != free_slots_.end()) free_slots_.erase(slot);
    } else {
        out_of_band_ -= !p_.in_band(weight_[i]);
        band_distance_ -= band_distance(weight_[i]);
    }
    perimeter_[i] += p_.perimeter[u] - 2 * shared_boundary(u, r);
    area_[i] += p_.area[u];
    weight_[i] += p_.weight[u];
    region_[u] = r;
    members_[i].push_back(u);
    out_of_band_ += !p_.in_band(weight_[i]);
    band_distance_ += band_distance(weight_[i]);
}

void RegionState::leave(std::uint32_t u) {
    const std::int32_t r = region_[u];
    const auto i = static_cast<std::size_t>(r);
    out_of_band_ -= !p_.in_band(weight_[i]);
    band_distance_ -= band_distance(weight_[i]);
    region_[u] = kNoRegion;
    perimeter_[i] -= p_.perimeter[u] - 2 * shared_boundary(u, r);
    area_[i] -= p_.area[u];
    weight_[i] -= p_.weight[u];
    auto& m = members_[i];
    *std::find(m.begin(), m.end(), u) = m.back();
    m.pop_back();
    if (m.empty()) {
        area_[i] = perimeter_[i] = 0;
        weight_[i] = 0;
        free_slots_.push_back(r);
    } else {
        out_of_band_ += !p_.in_band(weight_[i]);
        band_distance_ += band_distance(weight_[i]);
    }
}

void RegionState::assign(std::uint32_t u, std::int32_t r) {
    for (const auto& [area, n] : p_.patients[u]) shift(area, kNoRegion, r, n);
    join(u, r);
}

void RegionState::unassign(std::uint32_t u) {
    for (const auto& [area, n] : p_.patients[u]) shift(area, region_[u], kNoRegion, n);
    leave(u);
}

void RegionState::move(std::uint32_t u, std::int32_t to) {
    for (const auto& [area, n] : p_.patients[u]) shift(area, region_[u], to, n);
    leave(u);
    join(u, to);
}

namespace {

/// The largest count in an area after `n` patients leave `from` for `to`, from the area's top two.
template <typename Top, typename CountIn>
std::int64_t best_after(const Top& top, std::int32_t from, std::int32_t to, std::int64_t n, const CountIn& count_in) {
    if (from != kNoRegion && top.best_region == from) {
        const std::int64_t next = std::max(top.best - n, top.second);
        return to != kNoRegion ? std::max(next, count_in(to) + n) : next;
    }
    if (to == kNoRegion) return top.best;
    if (to == top.best_region) return top.best + n;
    if (top.second + n <= top.best) return top.best;  // `to` has at most `second` here
    return std::max(top.best, count_in(to) + n);
}

}  // namespace

std::int64_t RegionState::gain(std::uint32_t u, std::int32_t to) const {
    const std::int32_t from = region_[u];
    if (from == to) return 0;
    std::int64_t delta = 0;
    for (const auto& [patients_area, n] : p_.patients[u]) {
        const auto area = patients_area;
        const Top& top = top_[area];
        const std::int64_t next = best_after(top, from, to, n, [&](std::int32_t r) { return count_in(area, r); });
        delta += std::max(top.background, next) - top.value();
    }
    return delta;
}

std::int64_t RegionState::swap_gain(std::uint32_t u, std::uint32_t v) const {
    const std::int32_t a = region_[u], b = region_[v];
    const auto& pu = p_.patients[u];
    const auto& pv = p_.patients[v];
    std::int64_t delta = 0;
    const auto single = [&](std::uint32_t area, std::int32_t from, std::int32_t to, std::int64_t n) {
        const Top& top = top_[area];
        const std::int64_t next = best_after(top, from, to, n, [&](std::int32_t r) { return count_in(area, r); });
        delta += std::max(top.background, next) - top.value();
    };
    std::size_t i = 0, j = 0;
    while (i < pu.size() || j < pv.size()) {
        if (j == pv.size() || (i < pu.size() && pu[i].area < pv[j].area)) {
            single(pu[i].area, a, b, pu[i].patients);
            ++i;
        } else if (i == pu.size() || pv[j].area < pu[i].area) {
            single(pv[j].area, b, a, pv[j].patients);
            ++j;
        } else {
            // Both have patients here: a loses u's and gains v's, b the reverse.
            const std::uint32_t area = pu[i].area;
            std::int64_t in_a = 0, in_b = 0, others = 0;
            for (const Count& c : counts_[area]) {
                if (c.region == a) in_a = c.patients;
                else if (c.region == b) in_b = c.patients;
                else others = std::max(others, c.patients);
            }
            const std::int64_t shift = pv[j].patients - pu[i].patients;
            const std::int64_t next = std::max({in_a + shift, in_b - shift, others});
            const Top& top = top_[area];
            delta += std::max(top.background, next) - top.value();
            ++i;
            ++j;
        }
    }
    return delta;
}

double RegionState::compactness_change(std::uint32_t u, std::int32_t to) const {
    const std::int32_t from = region_[u];
    double change = 0;
    if (from != kNoRegion) {
        const auto f = static_cast<std::size_t>(from);
        change -= polsby_popper(area_[f], perimeter_[f]);
        if (members_[f].size() > 1) {
            change += polsby_popper(area_[f] - p_.area[u], perimeter_[f] - p_.perimeter[u] + 2 * shared_boundary(u, from));
        }
    }
    if (to != kNoRegion) {
        const auto t = static_cast<std::size_t>(to);
        if (members_[t].empty()) {
            change += polsby_popper(p_.area[u], p_.perimeter[u]);
        } else {
            change += polsby_popper(area_[t] + p_.area[u], perimeter_[t] + p_.perimeter[u] - 2 * shared_boundary(u, to)) -
                      polsby_popper(area_[t], perimeter_[t]);
        }
    }
    return change;
}

double RegionState::swap_compactness_change(std::uint32_t u, std::uint32_t v) const {
    const std::int32_t a = region_[u], b = region_[v];
    double between = 0;  // boundary u and v share
    for (const auto& [w, length] : p_.neighbours[u]) between += w == v ? length : 0;
    const auto ia = static_cast<std::size_t>(a), ib = static_cast<std::size_t>(b);
    // a without u, with v: v's boundary with a no longer counts what it shared with u; b likewise.
    const double perimeter_a = perimeter_[ia] - p_.perimeter[u] + 2 * shared_boundary(u, a) + p_.perimeter[v] -
                               2 * (shared_boundary(v, a) - between);
    const double perimeter_b = perimeter_[ib] - p_.perimeter[v] + 2 * shared_boundary(v, b) + p_.perimeter[u] -
                               2 * (shared_boundary(u, b) - between);
    return polsby_popper(area_[ia] - p_.area[u] + p_.area[v], perimeter_a) +
           polsby_popper(area_[ib] - p_.area[v] + p_.area[u], perimeter_b) - polsby_popper(area_[ia], perimeter_[ia]) -
           polsby_popper(area_[ib], perimeter_[ib]);
}

std::int64_t RegionState::overlap(std::uint32_t u, std::int32_t r) const {
    std::int64_t sum = 0;
    for (const auto& [area, n] : p_.patients[u]) {
        const Top& top = top_[area];
        if (top.second == 0 && top.best_region != r) continue;  // r has no one here
        sum += std::min(n, count_in(area, r));
    }
    return sum;
}

bool RegionState::connected_without(std::uint32_t u) const { return connected_with(region_[u], kNoUnit, u); }

bool RegionState::connected_with(std::int32_t r, std::uint32_t add, std::uint32_t remove) const {
    const auto& group = members(r);
    std::size_t size = group.size() + (add != kNoUnit) - (remove != kNoUnit);
    if (size <= 1) return true;
    if (++visit_ == 0) {
        std::fill(seen_.begin(), seen_.end(), 0);
        visit_ = 1;
    }
    const auto inside = [&](std::uint32_t v) { return v == add || (region_[v] == r && v != remove); };
    const std::uint32_t start = add != kNoUnit ? add : (group[0] != remove ? group[0] : group[1]);
    stack_.assign(1, start);
    seen_[start] = visit_;
    std::size_t reached = 1;
    while (!stack_.empty()) {
        const std::uint32_t v = stack_.back();
        stack_.pop_back();
        for (const auto& [w, length] : p_.neighbours[v]) {
            if (seen_[w] == visit_ || !inside(w)) continue;
            seen_[w] = visit_;
            ++reached;
            stack_.push_back(w);
        }
    }
    return reached == size;
}

}  // namespace geo
