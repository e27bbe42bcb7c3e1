#include "geo/exact_partition.hpp"

#include <functional>
#include <unordered_map>
#include <unordered_set>

namespace geo {

std::optional<ExactPartition> exact_partition(const PartProblem& part) {
    const std::size_t n = part.size();
    if (n == 0 || n > kExactPartitionUnits) return std::nullopt;
    const std::uint32_t all = (1u << n) - 1;
    std::vector<std::uint32_t> adjacent(n, 0);
    for (std::size_t u = 0; u < n; ++u) {
        for (const auto& [v, length] : part.neighbours[u]) adjacent[u] |= 1u << v;
    }
    std::vector<std::int64_t> weight(all + 1, 0);
    std::vector<char> connected(all + 1, 0);
    for (std::uint32_t set = 1; set <= all; ++set) {
        const auto low = static_cast<std::size_t>(__builtin_ctz(set));
        weight[set] = weight[set & (set - 1)] + part.weight[low];
        std::uint32_t reached = 1u << low, grown = 0;
        while (grown != reached) {
            grown = reached;
            for (std::uint32_t rest = reached; rest != 0; rest &= rest - 1) reached |= adjacent[static_cast<std::size_t>(__builtin_ctz(rest))] & set;
        }
        connected[set] = reached == set;
    }
    // fewest[mask]: fewest regions outside the band over partitions of `mask` into connected regions;
    // the region holding mask's lowest unit is `choice[mask]`.
    constexpr std::uint8_t kUnknown = 0xff;
    std::vector<std::uint8_t> fewest(all + 1, kUnknown);
    std::vector<std::uint32_t> choice(all + 1, 0);
    fewest[0] = 0;
    const std::function<std::uint8_t(std::uint32_t)> solve = [&](std::uint32_t mask) -> std::uint8_t {
        if (fewest[mask] != kUnknown) return fewest[mask];
        const std::uint32_t low = mask & (~mask + 1), rest = mask ^ low;
        std::uint8_t best = kUnknown;
        for (std::uint32_t sub = rest;; sub = (sub - 1) & rest) {
            const std::uint32_t region = sub | low;
            if (connected[region]) {
                const auto cost = static_cast<std::uint8_t>((part.in_band(weight[region]) ? 0 : 1) + solve(mask ^ region));
                if (cost < best) {
                    best = cost;
                    choice[mask] = region;
                    if (best == 0) break;
                }
            }
            if (sub == 0) break;
        }
        return fewest[mask] = best;
    };
    ExactPartition out;
    out.out_of_band = solve(all);
    out.region.assign(n, -1);
    std::int32_t next = 0;
    for (std::uint32_t mask = all; mask != 0; mask ^= choice[mask], ++next) {
        for (std::uint32_t bits = choice[mask]; bits != 0; bits &= bits - 1) out.region[static_cast<std::size_t>(__builtin_ctz(bits))] = next;
    }
    return out;
}

namespace {

/// The depth-first search behind search_all_in_band, on units as bits of a 64-bit mask.
class AllInBand {
public:
    AllInBand(const PartProblem& part, std::int64_t budget) : p_(part), budget_(budget), adjacent_(part.size(), 0) {
        for (std::size_t u = 0; u < part.size(); ++u) {
            for (const auto& [v, length] : part.neighbours[u]) adjacent_[u] |= bit(v);
        }
    }

    /// The regions of a partition of `mask` all in the band, or nullopt; throws Exhausted past the budget.
    std::optional<std::vector<std::uint64_t>> solve(std::uint64_t mask) {
        if (mask == 0) return std::vector<std::uint64_t>{};
        if (failed_.contains(mask)) return std::nullopt;
        std::vector<std::uint64_t> regions;
        const auto parts = components(mask);
        if (parts.size() > 1) {
            for (const std::uint64_t part : parts) {
                auto found = solve(part);
                if (!found) return fail(mask);
                regions.insert(regions.end(), found->begin(), found->end());
            }
            return regions;
        }
        if (!fits(weight(mask))) return fail(mask);
        // Regions holding the lowest unit, grown one neighbour at a time; each connected set once.
        const std::uint64_t first = mask & (~mask + 1);
        std::optional<std::vector<std::uint64_t>> answer;
        grow(mask, first, weight(first), adjacent_of(first) & mask, 0, answer);
        if (!answer) return fail(mask);
        return answer;
    }

    struct Exhausted {};

private:
    static std::uint64_t bit(std::uint32_t u) { return std::uint64_t{1} << u; }
    static std::uint32_t lowest(std::uint64_t mask) { return static_cast<std::uint32_t>(__builtin_ctzll(mask)); }
    std::uint64_t adjacent_of(std::uint64_t set) const {
        std::uint64_t out = 0;
        for (std::uint64_t rest = set; rest != 0; rest &= rest - 1) out |= adjacent_[lowest(rest)];
        return out & ~set;
    }
    std::int64_t weight(std::uint64_t set) const {
        std::int64_t w = 0;
        for (std::uint64_t rest = set; rest != 0; rest &= rest - 1) w += p_.weight[lowest(rest)];
        return w;
    }
    /// Whether a connected group of this weight could be split into regions in the band (totals alone).
    bool fits(std::int64_t w) const { return (w + p_.max_weight - 1) / p_.max_weight <= w / p_.min_weight; }
    std::vector<std::uint64_t> components(std::uint64_t mask) const {
        std::vector<std::uint64_t> out;
        while (mask != 0) {
            std::uint64_t reached = mask & (~mask + 1), grown = 0;
            while (grown != reached) {
                grown = reached;
                reached |= adjacent_of(reached) & mask;
            }
            out.push_back(reached);
            mask &= ~reached;
        }
        return out;
    }
    std::optional<std::vector<std::uint64_t>> fail(std::uint64_t mask) {
        failed_.insert(mask);
        return std::nullopt;
    }
    /// Tries `region` (connected, holding mask's lowest unit) and every connected extension of it by
    /// units of `frontier`, never units of `forbidden`; stops at the first that leaves a solvable rest.
    void grow(std::uint64_t mask, std::uint64_t region, std::int64_t w, std::uint64_t frontier, std::uint64_t forbidden,
              std::optional<std::vector<std::uint64_t>>& answer) {
        if (answer) return;
        if (++steps_ > budget_) throw Exhausted{};
        if (w >= p_.min_weight) {
            if (auto rest = solve(mask & ~region)) {
                rest->push_back(region);
                answer = std::move(rest);
                return;
            }
        }
        for (std::uint64_t candidates = frontier; candidates != 0 && !answer;) {
            const std::uint64_t v = candidates & (~candidates + 1);
            candidates &= ~v;
            const std::int64_t with = w + p_.weight[lowest(v)];
            if (with <= p_.max_weight) {
                const std::uint64_t next_frontier = (candidates | (adjacent_[lowest(v)] & mask)) & ~region & ~v & ~forbidden;
                grow(mask, region | v, with, next_frontier, forbidden, answer);
            }
            forbidden |= v;
        }
    }

    const PartProblem& p_;
    std::int64_t budget_;
    std::int64_t steps_ = 0;
    std::vector<std::uint64_t> adjacent_;
    std::unordered_set<std::uint64_t> failed_;
};

}  // namespace

BandSearch search_all_in_band(const PartProblem& part, std::int64_t budget) {
    BandSearch out;
    const std::size_t n = part.size();
    if (n == 0 || n > kBandSearchUnits) return out;
    AllInBand search(part, budget);
    try {
        const std::uint64_t all = n == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
        const auto regions = search.solve(all);
        if (!regions) {
            out.answer = BandSearch::Answer::impossible;
            return out;
        }
        out.answer = BandSearch::Answer::found;
        out.partition.region.assign(n, -1);
        std::int32_t next = 0;
        for (const std::uint64_t region : *regions) {
            for (std::uint64_t bits = region; bits != 0; bits &= bits - 1) out.partition.region[static_cast<std::size_t>(__builtin_ctzll(bits))] = next;
            ++next;
        }
    } catch (const AllInBand::Exhausted&) {
        out.answer = BandSearch::Answer::unknown;
    }
    return out;
}

}  // namespace geo
