#pragma once
// A byte-bounded least-recently-used cache of encoded tiles (raw and gzip), keyed by dataset version
// and tile, so that a reload (new version) never serves a stale tile. Thread-safe.
#include "geo/single_flight.hpp"
#include "tilesets/tile_math.hpp"

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tilesets {

struct CachedTile {
    std::string raw;   // uncompressed MVT (may be empty: an empty tile is worth caching too)
    std::string gzip;  // the same, gzip-compressed
    std::uint64_t raw_hash = 0;  // content_hash(raw) once computed (for ETags, not per request); 0: not yet
};

/// FNV-1a (64 bit) of `bytes`: tiles' ETags are derived from it.
std::uint64_t content_hash(std::string_view bytes);

struct TileCacheStats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t evictions = 0;
    std::size_t bytes = 0;
    std::size_t tiles = 0;
};

class TileCache {
public:
    explicit TileCache(std::size_t max_bytes);

    std::shared_ptr<const CachedTile> find(std::uint64_t version, const TileId& tile);
    /// find() for a caller that goes on to find_or_make() when the tile is not cached: a hit counts, a
    /// miss is left for find_or_make() to count, so that each request counts once.
    std::shared_ptr<const CachedTile> probe(std::uint64_t version, const TileId& tile);
    /// The tile from the cache, else `make()`'s, stored: one caller makes a missing tile, the others
    /// asking for it meanwhile wait for that one (a map opening asks for the same tiles at once).
    std::shared_ptr<const CachedTile> find_or_make(std::uint64_t version, const TileId& tile,
                                                   const std::function<std::shared_ptr<const CachedTile>()>& make);
    /// Stores the tile, evicting the least recently used ones until the cache fits its budget. A tile
    /// larger than the whole budget is not stored.
    void insert(std::uint64_t version, const TileId& tile, std::shared_ptr<const CachedTile> value);
    /// Drops every tile of the versions from `first` to `last` (a state that can no longer be asked for);
    /// the number dropped. They would otherwise hold the budget until evicted, one by one.
    std::size_t erase_versions(std::uint64_t first, std::uint64_t last);
    TileCacheStats stats() const;
    std::size_t max_bytes() const { return max_bytes_; }

private:
    struct Key {
        std::uint64_t version;
        TileId tile;
        friend bool operator==(const Key&, const Key&) = default;
        friend auto operator<=>(const Key&, const Key&) = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const noexcept;
    };
    struct Entry {
        Key key;
        std::shared_ptr<const CachedTile> value;
        std::size_t bytes;
    };
    static std::size_t cost(const CachedTile& tile);
    std::shared_ptr<const CachedTile> look_up(const Key& key, bool count_miss);

    std::size_t max_bytes_;
    mutable std::mutex mutex_;
    std::list<Entry> order_;  // most recently used first
    std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> index_;
    TileCacheStats stats_;
    geo::SingleFlight<Key, std::shared_ptr<const CachedTile>> making_;
};

}  // namespace tilesets
