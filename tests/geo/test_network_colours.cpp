// Palette slots for networks: neighbours across a border never share one while the palette allows it.
#include "geo/network_colours.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <stdexcept>
#include <utility>

namespace {

/// A plan with `count` networks and a border for each pair (no geometry: colouring reads only the borders).
geo::Plan plan_with(std::size_t count, const std::vector<std::pair<std::uint32_t, std::uint32_t>>& borders) {
    geo::Plan plan;
    plan.networks.resize(count);
    for (const auto& [a, b] : borders) {
        geo::NetworkBorder border;
        border.network_a = a;
        border.network_b = b;
        plan.borders.push_back(std::move(border));
    }
    return plan;
}

}  // namespace

TEST_CASE("Networks sharing a border get different colour slots", "[network_colours]") {
    // A wheel: network 0 in the middle, 1 to 6 around it in a ring; 7 stands alone.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> borders;
    for (std::uint32_t i = 1; i <= 6; ++i) {
        borders.emplace_back(0, i);
        borders.emplace_back(i, i % 6 + 1);
    }
    const geo::Plan plan = plan_with(8, borders);
    for (const std::size_t palette : {std::size_t{3}, std::size_t{4}, std::size_t{12}}) {
        INFO("palette of " << palette);
        const std::vector<std::int64_t> slots = geo::network_colour_slots(plan, palette);
        REQUIRE(slots.size() == 8);
        for (const auto& [a, b] : borders) CHECK(slots[a] != slots[b]);
        for (const std::int64_t slot : slots) CHECK((slot >= 0 && slot < static_cast<std::int64_t>(palette)));
        CHECK(geo::network_colour_slots(plan, palette) == slots);  // deterministic
    }
    // With 12 colours and 8 networks, each takes a colour of its own: the palette is spread, not reused.
    const std::vector<std::int64_t> spread = geo::network_colour_slots(plan, 12);
    CHECK(std::set<std::int64_t>(spread.begin(), spread.end()).size() == 8);
}

TEST_CASE("Colour slots stay in range when a network has more neighbours than colours", "[network_colours]") {
    const geo::Plan triangle = plan_with(3, {{0, 1}, {1, 2}, {0, 2}});
    for (const std::int64_t slot : geo::network_colour_slots(triangle, 2)) CHECK((slot >= 0 && slot < 2));
    CHECK(geo::network_colour_slots(plan_with(0, {}), 12).empty());
    CHECK_THROWS_AS(geo::network_colour_slots(triangle, 0), std::invalid_argument);
}
