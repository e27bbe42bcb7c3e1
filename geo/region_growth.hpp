#pragma once
// Building regions on a part: max-p growth from a seed, placing what is left over, and recursive
// bisection into regions of about equal weight. The search (region_search.cpp) constructs with
// them and regrows regions outside the band with them.
#include "geo/region_state.hpp"

#include <cstdint>
#include <random>
#include <vector>

namespace geo {

/// Uniform draws from a 64-bit engine, identical on every platform (the standard distributions are not).
class Random {
public:
    explicit Random(std::uint64_t seed) : engine_(seed) {}
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(engine_() % n); }
    double unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
    template <typename T>
    void shuffle(std::vector<T>& items) {
        for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[below(i)]);  // Fisher-Yates
    }

private:
    std::mt19937_64 engine_;
};

/// Grows a new region from `seed` (in no region) until it reaches `target`, taking the free
/// neighbour that shares most patients' neighbourhoods with it (never passing the maximum); releases
/// it and returns false when it cannot reach the minimum.
bool grow_region(RegionState& state, std::uint32_t seed, std::int64_t target);

/// The region beside u (other than `excluded` and u's own) that gains most dominant patients from
/// taking u in and has room for it (ties to the lower region); kNoRegion when none has.
std::int32_t best_region_with_room(const RegionState& state, std::uint32_t u, std::int32_t excluded);

/// Units of `units` in no region: to a neighbouring region with room (the one that gains most), and
/// what is still left forms regions of its own, one per connected group.
void place_leftovers(RegionState& state, const std::vector<std::uint32_t>& units);

/// Splits connected `units` (in no region) into `regions` connected regions of about equal weight by
/// recursive bisection: one side grows from a unit on the edge of the set, taking the neighbour that
/// shares most patients' neighbourhoods with it among those whose loss leaves the rest connected,
/// until it holds its share. False when a side cannot be kept connected within its bounds (some
/// units may then be in regions: the caller puts them back).
bool bisect(RegionState& state, Random& random, const std::vector<std::uint32_t>& units, std::int64_t regions);

}  // namespace geo
