#pragma once
// Re-planning from a baseline: the networks a plan starts from (an earlier plan, or the real PCNs)
// are kept, and only those the change leaves outside the band are repaired, moving as few practices
// as it can.
//
// Every network starts as the baseline has it (split where it crosses the constraint; practices
// new to it join the neighbouring network that gains most and has room). Then each network outside
// the band is repaired by the cheapest of a few operations, judged by (1) fewest networks outside
// the band, (2) fewest practices among strangers (in a network most of whose members come from
// another baseline network), (3) fewest practices away from their baseline network, (4) fewest
// networks changed, (5) most patients living in areas their own network dominates (cohesion):
//   - below the minimum: top up with neighbouring practices that the giver can spare (a giver left
//     short may top itself up in turn, two steps deep), or dissolve into neighbours with room;
//   - above the maximum: hand border practices to neighbours with room (two steps deep likewise), or
//     split by recursive bisection (a network that is not contiguous is first cut into its pieces).
// A repair is taken only when it brings networks into the band. Networks that need none stay as they
// were, contiguous or not. The regions that continue a baseline network keep its identity; the piece
// of a split with most of the original members keeps it.
#include "geo/networks.hpp"

namespace geo {

/// Partitions `problem` (whose `home` is set) from its baseline. Deterministic for a given seed.
PartitionResult repair_from_baseline(const PartitionProblem& problem, const PartitionSettings& settings);

}  // namespace geo
