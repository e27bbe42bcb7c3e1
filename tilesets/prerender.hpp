#pragma once
// Filling the tile cache ahead of requests: low zooms cover the most data per tile and are asked for
// first by every map that opens, so rendering them once at start-up takes the slowest tiles off the
// request path.
#include "tilesets/tile_cache.hpp"
#include "tilesets/tile_renderer.hpp"

#include <cstdint>
#include <functional>

namespace tilesets {

/// Renders every tile over the source's extent from `minzoom` to `maxzoom` into `cache` (raw and
/// gzip, empty tiles included), using `threads` threads; a tile already cached (or being made for a
/// request) is not made again. Stops early once `stop()` (when given) answers true. Returns how many
/// tiles were rendered or found.
std::size_t prerender(const TileRenderer& renderer, TileCache& cache, std::uint64_t version, int minzoom, int maxzoom,
                      unsigned threads = 1, const std::function<bool()>& stop = {});

/// Renders one tile into its cached form (raw and gzip).
std::shared_ptr<const CachedTile> render_cached(const TileRenderer& renderer, const TileId& tile);

}  // namespace tilesets
