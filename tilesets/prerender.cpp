#include "tilesets/prerender.hpp"

#include "geo/parallel.hpp"
#include "tilesets/tile_archive.hpp"

#include <algorithm>
#include <atomic>
#include <vector>

namespace tilesets {

std::shared_ptr<const CachedTile> render_cached(const TileRenderer& renderer, const TileId& tile) {
    auto cached = std::make_shared<CachedTile>();
    cached->raw = renderer.render(tile);
    cached->gzip = gzip(cached->raw);
    cached->raw_hash = content_hash(cached->raw);
    return cached;
}

std::size_t prerender(const TileRenderer& renderer, TileCache& cache, std::uint64_t version, int minzoom, int maxzoom, unsigned threads,
                      const std::function<bool()>& stop) {
    const auto& b = renderer.source().bounds;
    std::vector<TileId> tiles;
    for (int z = minzoom; z <= maxzoom; ++z) {
        const TileRange range = tiles_covering({b.min_x, b.min_y, b.max_x, b.max_y}, z);
        for (std::uint32_t x = range.min_x; x <= range.max_x; ++x) {
            for (std::uint32_t y = range.min_y; y <= range.max_y; ++y) tiles.push_back({z, x, y});
        }
    }
    std::atomic<std::size_t> done{0};
    geo::parallel_for(tiles.size(), std::max(1u, threads), [&](std::size_t i, unsigned) {
        if (stop && stop()) return;
        cache.find_or_make(version, tiles[i], [&] { return render_cached(renderer, tiles[i]); });
        ++done;
    });
    return done;
}

}  // namespace tilesets
