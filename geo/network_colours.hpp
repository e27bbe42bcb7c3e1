#pragma once
// Colours for a map of networks: a palette slot per network such that networks sharing a border differ.
#include "geo/plan.hpp"

#include <cstdint>
#include <vector>

namespace geo {

/// One slot in [0, palette_size) per network, in plan order. Greedy colouring of the border graph, most
/// connected networks first (Welsh and Powell), ties in plan order, each taking the least used slot that
/// no coloured neighbour has (so every colour shows): neighbours get different slots
/// whenever a network has fewer than `palette_size` neighbours (a planar map of networks rarely has more).
/// The same plan gives the same slots. Throws std::invalid_argument for a palette_size of 0.
std::vector<std::int64_t> network_colour_slots(const Plan& plan, std::size_t palette_size);

}  // namespace geo
