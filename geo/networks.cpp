#include "geo/networks.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <set>
#include <unordered_map>

namespace geo {

namespace {

/// A uniform index below `n` from a 64-bit engine, identical on every platform (std::uniform_int_distribution is not).
std::size_t random_below(std::mt19937_64& rng, std::size_t n) { return static_cast<std::size_t>(rng() % n); }

/// Regions with their running totals, so that a move is evaluated and applied in time proportional
/// to the unit's neighbourhood rather than the region's size.
class Regions {
public:
    Regions(const PartitionProblem& problem, std::vector<std::int32_t> region, std::int32_t count)
        : p_(problem), region_(std::move(region)), lived_by_(problem.weight.size()) {
        for (std::uint32_t u = 0; u < p_.lives_in.size(); ++u) {
            for (const auto& [v, n] : p_.lives_in[u]) lived_by_[v].emplace_back(u, n);
        }
        total_patients_ = std::max<std::int64_t>(1, std::accumulate(p_.patients_in_areas.begin(), p_.patients_in_areas.end(), std::int64_t{0}));
        resize(count);
        for (std::uint32_t u = 0; u < region_.size(); ++u) {
            if (region_[u] >= 0) add(u, region_[u]);
        }
        scored_regions_ = std::max(1, count);
    }

    std::int32_t count() const { return static_cast<std::int32_t>(weight_.size()); }
    std::int32_t new_region() {
        resize(count() + 1);
        return count() - 1;
    }
    std::int32_t of(std::uint32_t u) const { return region_[u]; }
    const std::vector<std::int32_t>& assignment() const { return region_; }
    std::int64_t weight(std::int32_t r) const { return weight_[static_cast<std::size_t>(r)]; }
    const std::vector<std::uint32_t>& members(std::int32_t r) const { return members_[static_cast<std::size_t>(r)]; }
    bool in_band(std::int32_t r) const { return in_band_weight(weight(r)); }
    bool in_band_weight(std::int64_t w) const { return w >= p_.min_weight && w <= p_.max_weight; }

    std::size_t in_band_count() const {
        std::size_t n = 0;
        for (std::int32_t r = 0; r < count(); ++r) n += members(r).empty() ? 0 : in_band(r);
        return n;
    }
    double score(double compactness_weight) const {
        double inside = 0, compactness = 0;
        for (std::int32_t r = 0; r < count(); ++r) {
            inside += static_cast<double>(inside_[static_cast<std::size_t>(r)]);
            compactness += polsby_popper(area_[static_cast<std::size_t>(r)], perimeter_[static_cast<std::size_t>(r)]);
        }
        return inside / static_cast<double>(total_patients_) + compactness_weight * compactness / scored_regions_;
    }

    /// Patients of u living in r's territory plus patients of r living in u's (u itself excluded).
    std::int64_t interaction(std::uint32_t u, std::int32_t r) const {
        std::int64_t sum = 0;
        for (const auto& [v, n] : p_.lives_in[u]) sum += (v != u && region_[v] == r) ? n : 0;
        for (const auto& [v, n] : lived_by_[u]) sum += (v != u && region_[v] == r) ? n : 0;
        return sum;
    }
    double shared_boundary(std::uint32_t u, std::int32_t r) const {
        double sum = 0;
        for (const auto& [v, length] : p_.neighbours[u]) sum += region_[v] == r ? length : 0;
        return sum;
    }

    /// Change in score if u moves to `to` (u's own region loses it).
    double score_change(std::uint32_t u, std::int32_t to, double compactness_weight) const {
        const std::int32_t from = region_[u];
        const auto f = static_cast<std::size_t>(from), t = static_cast<std::size_t>(to);
        // u's patients living in its own territory move with it, so they do not change the score.
        const double inside_change = static_cast<double>(interaction(u, to) - interaction(u, from));
        const double from_perimeter = perimeter_[f] - p_.perimeter[u] + 2 * shared_boundary(u, from);
        const double to_perimeter = perimeter_[t] + p_.perimeter[u] - 2 * shared_boundary(u, to);
        const double compactness_change = polsby_popper(area_[f] - p_.area[u], from_perimeter) +
                                          polsby_popper(area_[t] + p_.area[u], to_perimeter) -
                                          polsby_popper(area_[f], perimeter_[f]) - polsby_popper(area_[t], perimeter_[t]);
        return inside_change / static_cast<double>(total_patients_) + compactness_weight * compactness_change / scored_regions_;
    }

    /// True when u's region stays connected without u.
    bool stays_connected_without(std::uint32_t u) const {
        const auto& group = members(region_[u]);
        if (group.size() <= 1) return true;
        const std::uint32_t start = group[0] == u ? group[1] : group[0];
        std::vector<std::uint32_t> stack{start};
        std::unordered_map<std::uint32_t, bool> seen{{start, true}};
        while (!stack.empty()) {
            const std::uint32_t v = stack.back();
            stack.pop_back();
            for (const auto& [w, length] : p_.neighbours[v]) {
                if (w == u || region_[w] != region_[u] || seen.contains(w)) continue;
                seen[w] = true;
                stack.push_back(w);
            }
        }
        return seen.size() == group.size() - 1;
    }

    void move(std::uint32_t u, std::int32_t to) {
        remove(u);
        add(u, to);
    }
    void assign(std::uint32_t u, std::int32_t to) { add(u, to); }
    void release(std::uint32_t u) { remove(u); }

private:
    static double polsby_popper(double area, double perimeter) {
        return perimeter > 0 ? 4 * std::numbers::pi * area / (perimeter * perimeter) : 0;
    }
    std::int64_t self_patients(std::uint32_t u) const {
        for (const auto& [v, n] : p_.lives_in[u]) {
            if (v == u) return n;
        }
        return 0;
    }
    void resize(std::int32_t n) {
        const auto size = static_cast<std::size_t>(n);
        weight_.resize(size, 0);
        area_.resize(size, 0);
        perimeter_.resize(size, 0);
        inside_.resize(size, 0);
        members_.resize(size);
    }
    void add(std::uint32_t u, std::int32_t r) {
        const auto i = static_cast<std::size_t>(r);
        inside_[i] += self_patients(u) + interaction(u, r);
        perimeter_[i] += p_.perimeter[u] - 2 * shared_boundary(u, r);
        region_[u] = r;
        weight_[i] += p_.weight[u];
        area_[i] += p_.area[u];
        auto& m = members_[i];
        m.insert(std::lower_bound(m.begin(), m.end(), u), u);
    }
    void remove(std::uint32_t u) {
        const std::int32_t r = region_[u];
        const auto i = static_cast<std::size_t>(r);
        region_[u] = -1;
        inside_[i] -= self_patients(u) + interaction(u, r);
        perimeter_[i] -= p_.perimeter[u] - 2 * shared_boundary(u, r);
        weight_[i] -= p_.weight[u];
        area_[i] -= p_.area[u];
        auto& m = members_[i];
        m.erase(std::lower_bound(m.begin(), m.end(), u));
    }

    const PartitionProblem& p_;
    std::vector<std::int32_t> region_;
    std::vector<std::vector<std::pair<std::uint32_t, std::int64_t>>> lived_by_;  // transpose of lives_in
    std::int64_t total_patients_ = 1;
    int scored_regions_ = 1;
    std::vector<std::int64_t> weight_, inside_;
    std::vector<double> area_, perimeter_;
    std::vector<std::vector<std::uint32_t>> members_;
};

bool compatible(const PartitionProblem& p, std::uint32_t u, std::uint32_t v) { return p.constraint[u] == p.constraint[v]; }

/// How much unit u belongs with region r: shared patients relative to its own, plus shared boundary.
double affinity(const PartitionProblem& p, const Regions& regions, std::uint32_t u, std::int32_t r) {
    const double patients = static_cast<double>(regions.interaction(u, r)) / static_cast<double>(p.weight[u] + 1);
    const double boundary = p.perimeter[u] > 0 ? regions.shared_boundary(u, r) / p.perimeter[u] : 0;
    return patients + 0.5 * boundary;
}

/// Neighbouring free regions of u (same constraint), sorted.
std::vector<std::int32_t> neighbour_regions(const PartitionProblem& p, const Regions& regions, std::uint32_t u) {
    std::vector<std::int32_t> out;
    for (const auto& [v, length] : p.neighbours[u]) {
        const std::int32_t r = regions.of(v);
        if (r >= p.locked_regions && r != regions.of(u) && compatible(p, u, v)) out.push_back(r);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

/// Grows one region from `seed` until it reaches the minimum; returns false (and releases it) when it cannot.
bool grow_region(const PartitionProblem& p, Regions& regions, std::uint32_t seed, double growth_slack) {
    const std::int32_t r = regions.new_region();
    regions.assign(seed, r);
    // Grow a little past the minimum so that regions have slack to lend to stuck neighbours later.
    const auto target = p.min_weight + static_cast<std::int64_t>(growth_slack * static_cast<double>(p.max_weight - p.min_weight));
    while (regions.weight(r) < target) {
        std::int32_t best = -1;
        double best_affinity = -1;
        for (const std::uint32_t m : regions.members(r)) {
            for (const auto& [v, length] : p.neighbours[m]) {
                if (regions.of(v) != -1 || p.locked_region[v] >= 0 || !compatible(p, seed, v) ||
                    regions.weight(r) + p.weight[v] > p.max_weight) {
                    continue;
                }
                const double a = affinity(p, regions, v, r);
                if (a > best_affinity || (a == best_affinity && static_cast<std::int32_t>(v) < best)) {
                    best_affinity = a;
                    best = static_cast<std::int32_t>(v);
                }
            }
        }
        if (best < 0) break;
        regions.assign(static_cast<std::uint32_t>(best), r);
    }
    if (regions.weight(r) >= p.min_weight) return true;
    for (const std::uint32_t m : std::vector<std::uint32_t>(regions.members(r))) regions.release(m);
    return false;
}

/// Gives unassigned units to a neighbouring region that has room; what is left forms its own regions.
void place_enclaves(const PartitionProblem& p, Regions& regions) {
    for (bool changed = true; changed;) {
        changed = false;
        for (std::uint32_t u = 0; u < p.weight.size(); ++u) {
            if (regions.of(u) != -1) continue;
            std::int32_t best = -1;
            double best_affinity = -1;
            for (const std::int32_t r : neighbour_regions(p, regions, u)) {
                if (regions.weight(r) + p.weight[u] > p.max_weight) continue;
                const double a = affinity(p, regions, u, r);
                if (a > best_affinity) {
                    best_affinity = a;
                    best = r;
                }
            }
            if (best >= 0) {
                regions.assign(u, best);
                changed = true;
            }
        }
    }
    // Leftovers: each connected group of them (same constraint) becomes a region, in band or not.
    for (std::uint32_t u = 0; u < p.weight.size(); ++u) {
        if (regions.of(u) != -1) continue;
        const std::int32_t r = regions.new_region();
        std::vector<std::uint32_t> stack{u};
        regions.assign(u, r);
        while (!stack.empty()) {
            const std::uint32_t v = stack.back();
            stack.pop_back();
            for (const auto& [w, length] : p.neighbours[v]) {
                if (regions.of(w) == -1 && compatible(p, u, w) && p.locked_region[w] < 0) {
                    regions.assign(w, r);
                    stack.push_back(w);
                }
            }
        }
    }
}

Regions construct(const PartitionProblem& p, std::mt19937_64& rng, double growth_slack) {
    Regions regions(p, p.locked_region, p.locked_regions);
    std::vector<std::uint32_t> order;
    for (std::uint32_t u = 0; u < p.weight.size(); ++u) {
        if (p.locked_region[u] < 0) order.push_back(u);
    }
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[random_below(rng, i)]);  // Fisher-Yates
    for (const std::uint32_t u : order) {
        if (regions.of(u) == -1) grow_region(p, regions, u, growth_slack);
    }
    place_enclaves(p, regions);
    return regions;
}

/// Where a region stands against the band; the search compares these lexicographically: more
/// regions in band, then fewer outside it, then a smaller total distance to the band.
struct BandTerms {
    int in_band = 0;
    int out_of_band = 0;
    std::int64_t deficit = 0;

    BandTerms operator+(const BandTerms& o) const { return {in_band + o.in_band, out_of_band + o.out_of_band, deficit + o.deficit}; }
    BandTerms operator-(const BandTerms& o) const { return {in_band - o.in_band, out_of_band - o.out_of_band, deficit - o.deficit}; }
    /// -1 worse, 0 equal, +1 better (as a change).
    int direction() const {
        if (in_band != 0) return in_band > 0 ? 1 : -1;
        if (out_of_band != 0) return out_of_band < 0 ? 1 : -1;
        if (deficit != 0) return deficit < 0 ? 1 : -1;
        return 0;
    }
};

BandTerms band_terms(const PartitionProblem& p, std::int64_t weight, bool empty) {
    if (empty) return {};
    if (weight < p.min_weight) return {0, 1, p.min_weight - weight};
    if (weight > p.max_weight) return {0, 1, weight - p.max_weight};
    return {1, 0, 0};
}

/// The change in band terms if u moves from its region to `to`.
BandTerms band_change(const PartitionProblem& p, const Regions& regions, std::uint32_t u, std::int32_t to) {
    const std::int32_t from = regions.of(u);
    const std::int64_t w = p.weight[u];
    const bool from_empties = regions.members(from).size() == 1;
    const BandTerms before = band_terms(p, regions.weight(from), false) + band_terms(p, regions.weight(to), regions.members(to).empty());
    const BandTerms after = band_terms(p, regions.weight(from) - w, from_empties) + band_terms(p, regions.weight(to) + w, false);
    return after - before;
}

/// Tries to hand every unit of a region outside the band to neighbouring regions with room; keeps
/// the result only when the band terms improve, else puts everything back.
bool dissolve(const PartitionProblem& p, Regions& regions, std::int32_t r) {
    std::vector<std::uint32_t> remaining = regions.members(r);
    BandTerms before;
    std::vector<std::pair<std::uint32_t, std::int32_t>> moved;  // (unit, region it went to)
    std::set<std::int32_t> touched{r};
    for (bool progress = true; progress && !remaining.empty();) {
        progress = false;
        for (auto it = remaining.begin(); it != remaining.end();) {
            std::int32_t best = -1;
            double best_affinity = -1;
            for (const std::int32_t to : neighbour_regions(p, regions, *it)) {
                if (to == r || regions.weight(to) + p.weight[*it] > p.max_weight) continue;
                const double a = affinity(p, regions, *it, to);
                if (a > best_affinity) {
                    best_affinity = a;
                    best = to;
                }
            }
            if (best < 0) {
                ++it;
                continue;
            }
            if (touched.insert(best).second) before = before + band_terms(p, regions.weight(best), regions.members(best).empty());
            moved.emplace_back(*it, best);
            regions.move(*it, best);
            it = remaining.erase(it);
            progress = true;
        }
    }
    BandTerms after;
    for (const std::int32_t t : touched) after = after + band_terms(p, regions.weight(t), regions.members(t).empty());
    before = before + band_terms(p, regions.weight(r) + [&] {
        std::int64_t w = 0;
        for (const auto& [u, to] : moved) w += p.weight[u];
        return w;
    }(), false);
    if (remaining.empty() && (after - before).direction() > 0) return true;
    for (auto it = moved.rbegin(); it != moved.rend(); ++it) regions.move(it->first, r);
    return false;
}

/// An ejection chain for a region stuck below the band whose neighbours are too full to take it:
/// a neighbour sheds border units to its other neighbours with room, then the stuck region
/// dissolves into it. Everything is put back when that does not improve the band terms.
bool make_room_and_dissolve(const PartitionProblem& p, Regions& regions, std::int32_t stuck) {
    const std::int64_t need = regions.weight(stuck);
    std::vector<std::int32_t> around;
    for (const std::uint32_t u : regions.members(stuck)) {
        for (const std::int32_t r : neighbour_regions(p, regions, u)) around.push_back(r);
    }
    std::sort(around.begin(), around.end());
    around.erase(std::unique(around.begin(), around.end()), around.end());
    for (const std::int32_t host : around) {
        const std::int64_t excess = regions.weight(host) + need - p.max_weight;
        if (excess <= 0) continue;  // dissolve() already had the chance
        std::vector<std::pair<std::uint32_t, std::int32_t>> shed;  // (unit, where it went)
        std::int64_t freed = 0;
        for (bool progress = true; progress && freed < excess;) {
            progress = false;
            for (const std::uint32_t u : std::vector<std::uint32_t>(regions.members(host))) {
                if (freed >= excess || regions.members(host).size() <= 1) break;
                std::int32_t best = -1;
                double best_affinity = -1;
                for (const std::int32_t to : neighbour_regions(p, regions, u)) {
                    if (to == stuck || regions.weight(to) + p.weight[u] > p.max_weight || !regions.in_band(to)) continue;
                    const double a = affinity(p, regions, u, to);
                    if (a > best_affinity) {
                        best_affinity = a;
                        best = to;
                    }
                }
                if (best < 0 || !regions.stays_connected_without(u)) continue;
                regions.move(u, best);
                shed.emplace_back(u, best);
                freed += p.weight[u];
                progress = true;
            }
        }
        if (freed >= excess && regions.weight(host) + need >= p.min_weight && dissolve(p, regions, stuck)) return true;
        for (auto it = shed.rbegin(); it != shed.rend(); ++it) regions.move(it->first, host);
    }
    return false;
}

/// Tabu local search: moves border units when the band terms improve, or stay equal while the score
/// rises; regions below the band are dissolved into neighbours when that helps.
int improve(const PartitionProblem& p, Regions& regions, const PartitionSettings& settings, std::mt19937_64& rng) {
    std::vector<std::pair<std::int32_t, int>> tabu(p.weight.size(), {-1, -1});  // (region left, until pass)
    std::vector<std::uint32_t> order;
    for (std::uint32_t u = 0; u < p.weight.size(); ++u) {
        if (p.locked_region[u] < 0) order.push_back(u);
    }
    int moves = 0;
    for (int pass = 0; pass < settings.local_search_passes; ++pass) {
        if (settings.checkpoint) settings.checkpoint();
        for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[random_below(rng, i)]);
        bool moved = false;
        for (const std::uint32_t u : order) {
            const std::int32_t from = regions.of(u);
            std::int32_t best = -1;
            BandTerms best_band;
            double best_score = 1e-12;
            bool connected_checked = false;
            for (const std::int32_t to : neighbour_regions(p, regions, u)) {
                if (tabu[u].first == to && tabu[u].second >= pass) continue;
                if (regions.weight(to) + p.weight[u] > p.max_weight) continue;  // a region above the band stays as it is
                const BandTerms change = band_change(p, regions, u, to);
                const int versus_best = (change - best_band).direction();
                if (change.direction() < 0 || versus_best < 0) continue;
                const double score = regions.score_change(u, to, settings.compactness_weight);
                if (versus_best == 0 && score <= best_score) continue;
                if (!connected_checked) {
                    if (!regions.stays_connected_without(u)) break;
                    connected_checked = true;
                }
                best = to;
                best_band = change;
                best_score = versus_best > 0 && change.direction() > 0 ? score : std::max(score, best_score);
            }
            if (best < 0) continue;
            regions.move(u, best);
            tabu[u] = {from, pass + settings.tabu_tenure};
            ++moves;
            moved = true;
        }
        for (std::int32_t r = p.locked_regions; r < regions.count(); ++r) {
            if (!regions.members(r).empty() && regions.weight(r) < p.min_weight &&
                (dissolve(p, regions, r) || make_room_and_dissolve(p, regions, r))) {
                ++moves;
                moved = true;
            }
        }
        if (!moved) break;
    }
    return moves;
}

}  // namespace

PartitionResult partition_units(const PartitionProblem& problem, const PartitionSettings& settings) {
    // Every restart is constructed and then improved; the best final partition wins, judged by fewest
    // regions outside the band, then most inside it, then score.
    PartitionResult best;
    std::vector<std::int32_t> best_assignment;
    std::size_t best_out_of_band = 0;
    bool have_best = false;
    for (int run = 0; run < std::max(1, settings.construction_runs); ++run) {
        if (settings.checkpoint) settings.checkpoint();
        std::mt19937_64 rng(settings.seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(run));
        Regions candidate = construct(problem, rng, settings.growth_slack);
        Regions regions(problem, candidate.assignment(), candidate.count());
        const int moves = improve(problem, regions, settings, rng);
        const std::size_t in_band = regions.in_band_count();
        std::size_t non_empty = 0;
        for (std::int32_t r = 0; r < regions.count(); ++r) non_empty += !regions.members(r).empty();
        const std::size_t out_of_band = non_empty - in_band;
        const double score = regions.score(settings.compactness_weight);
        const bool better = !have_best || out_of_band < best_out_of_band ||
                            (out_of_band == best_out_of_band && (in_band > best.in_band || (in_band == best.in_band && score > best.score)));
        if (!better) continue;
        have_best = true;
        best_out_of_band = out_of_band;
        best.in_band = in_band;
        best.score = score;
        best.construction_run = run;
        best.local_search_moves = moves;
        best_assignment = regions.assignment();
        best.regions = regions.count();
    }
    Regions regions(problem, best_assignment, best.regions);

    // Renumber regions that are not empty, keeping locked ones first.
    std::vector<std::int32_t> renumber(static_cast<std::size_t>(regions.count()), -1);
    std::int32_t next = 0;
    for (std::int32_t r = 0; r < regions.count(); ++r) {
        if (r < problem.locked_regions || !regions.members(r).empty()) renumber[static_cast<std::size_t>(r)] = next++;
    }
    best.region = regions.assignment();
    for (auto& r : best.region) r = renumber[static_cast<std::size_t>(r)];
    best.regions = next;
    best.in_band = regions.in_band_count();
    best.score = regions.score(settings.compactness_weight);
    return best;
}

}  // namespace geo
