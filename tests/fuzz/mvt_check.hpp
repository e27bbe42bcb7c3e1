#pragma once
// An MVT 2.1 validator written from the specification, apart from our encoder, for the fuzzers: what
// a tile breaks, or nothing.
#include <string>
#include <string_view>

namespace fuzz {

/// The first rule of the Mapbox Vector Tile specification 2.1 that `tile` (uncompressed) breaks, with its
/// section, or "" when it follows them all: layers with version 2, a name unique in the tile, an extent;
/// tags in pairs that index the layer's keys and values; each value with exactly one field; geometry
/// commands as the geometry type needs them (4.3.4), polygons' rings of four or more points with
/// non-zero area, each polygon's first ring exterior (positive area, 4.3.4.4); feature ids unique in a layer.
std::string mvt_problem(std::string_view tile);

}  // namespace fuzz
