#include "geo/network_colours.hpp"

#include <algorithm>
#include <numeric>
#include <set>
#include <stdexcept>

namespace geo {

std::vector<std::int64_t> network_colour_slots(const Plan& plan, std::size_t palette_size) {
    if (palette_size == 0) throw std::invalid_argument("network_colour_slots: the palette is empty");
    const std::size_t count = plan.networks.size();
    std::vector<std::set<std::size_t>> neighbours(count);
    for (const NetworkBorder& border : plan.borders) {
        if (border.network_a >= count || border.network_b >= count || border.network_a == border.network_b) continue;
        neighbours[border.network_a].insert(border.network_b);
        neighbours[border.network_b].insert(border.network_a);
    }
    std::vector<std::size_t> order(count);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return neighbours[a].size() > neighbours[b].size(); });
    std::vector<std::int64_t> slot(count, -1);
    std::vector<std::size_t> used(palette_size, 0);
    for (const std::size_t network : order) {
        std::vector<bool> taken(palette_size, false);
        for (const std::size_t other : neighbours[network]) {
            if (slot[other] >= 0) taken[static_cast<std::size_t>(slot[other])] = true;
        }
        // The least used free slot (the lowest on a tie), so the whole palette shows rather than a few colours.
        std::size_t chosen = palette_size;
        for (std::size_t s = 0; s < palette_size; ++s) {
            if (!taken[s] && (chosen == palette_size || used[s] < used[chosen])) chosen = s;
        }
        if (chosen == palette_size) chosen = network % palette_size;  // more neighbours than colours
        slot[network] = static_cast<std::int64_t>(chosen);
        ++used[chosen];
    }
    return slot;
}

}  // namespace geo
