#include "geo/exact_partition.hpp"

#include <functional>

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

}  // namespace geo
