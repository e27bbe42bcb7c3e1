#pragma once
// Territories: the contiguous, gap-free tessellation of the study area that networks are built
// from. Each practice's territory starts from the areas where it has the most patients (or that are
// nearest to it); a practice above the maximum list size, a network of its own, claims its areas
// only where that encloses no other practice.
#include "geo/adjacency.hpp"
#include "geo/catchments.hpp"
#include "geo/dataset.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace geo {

/// Makes a tessellation into territories: each practice keeps the connected part of its areas
/// holding its standing area (else its most-registered part), and every area left without an owner
/// joins the neighbouring territory with which it shares the longest boundary, preferring one with
/// the same constraint value and one not `closed` (per practice: a territory that takes no more
/// areas unless nothing else can). Returns the owner of every area; notes say what moved.
std::vector<std::int32_t> make_territories(const AreaGraph& graph, std::vector<std::int32_t> owner,
                                           const std::vector<std::int32_t>& standing_area,
                                           const RegistrationIndex& index, const ConstraintValues& constraint,
                                           const std::vector<bool>& closed, std::vector<std::string>& notes);

/// Gives each active practice that owns no area one area of its own: the area it stands in, or a
/// neighbour of it, taken from the practice owning it when that practice keeps a connected territory
/// (and keeps its own standing area). Returns how many practices were given an area.
std::size_t seed_empty_territories(const AreaGraph& graph, std::vector<std::int32_t>& owner,
                                   const std::vector<std::int32_t>& standing_area, const std::vector<bool>& active,
                                   const Dataset& dataset, const ConstraintValues& constraint);

/// Gives each practice in `large` (each a network of its own) the areas it dominates that join the
/// area it stands in, most of its patients first, writing them into `owner`. An area is left to the
/// others when another practice stands in it, or when taking it would cut the remaining areas of its
/// constraint group apart, so that a large practice never encloses its neighbours. Returns how
/// many areas were claimed.
std::size_t claim_dominated_areas(const AreaGraph& graph, std::vector<std::int32_t>& owner, const std::vector<std::int32_t>& dominant,
                                  const std::vector<std::int32_t>& standing_area, const std::vector<std::uint32_t>& large,
                                  const RegistrationIndex& index, const std::vector<bool>& active, const ConstraintValues& constraint);

}  // namespace geo
