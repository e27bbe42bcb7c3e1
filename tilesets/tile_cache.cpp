#include "tilesets/tile_cache.hpp"

namespace tilesets {

std::uint64_t content_hash(std::string_view bytes) {
    std::uint64_t hash = 1469598103934665603ULL;
    for (const unsigned char c : bytes) hash = (hash ^ c) * 1099511628211ULL;
    return hash;
}

namespace {
constexpr std::size_t kEntryOverhead = 128;  // list node, hash node, shared_ptr control block (approximate)
}

std::size_t TileCache::KeyHash::operator()(const Key& k) const noexcept {
    std::uint64_t h = k.version * 0x9E3779B97F4A7C15ULL;
    h ^= (static_cast<std::uint64_t>(k.tile.z) << 58) ^ (static_cast<std::uint64_t>(k.tile.x) << 29) ^ k.tile.y;
    return static_cast<std::size_t>(h * 0xBF58476D1CE4E5B9ULL);
}

TileCache::TileCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

std::size_t TileCache::cost(const CachedTile& tile) { return tile.raw.size() + tile.gzip.size() + kEntryOverhead; }

std::shared_ptr<const CachedTile> TileCache::find(std::uint64_t version, const TileId& tile) { return look_up(Key{version, tile}, true); }

std::shared_ptr<const CachedTile> TileCache::probe(std::uint64_t version, const TileId& tile) { return look_up(Key{version, tile}, false); }

std::shared_ptr<const CachedTile> TileCache::look_up(const Key& key, bool count_miss) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = index_.find(key);
    if (it == index_.end()) {
        if (count_miss) ++stats_.misses;
        return nullptr;
    }
    ++stats_.hits;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->value;
}

std::shared_ptr<const CachedTile> TileCache::find_or_make(std::uint64_t version, const TileId& tile,
                                                          const std::function<std::shared_ptr<const CachedTile>()>& make) {
    if (auto found = find(version, tile)) return found;
    return making_.run(Key{version, tile}, [&]() -> std::shared_ptr<const CachedTile> {
        {
            const std::lock_guard<std::mutex> lock(mutex_);  // made and stored just before this flight began?
            if (const auto it = index_.find(Key{version, tile}); it != index_.end()) return it->second->value;
        }
        auto made = make();
        insert(version, tile, made);  // stored before the flight ends, so no later caller makes it again
        return made;
    });
}

void TileCache::insert(std::uint64_t version, const TileId& tile, std::shared_ptr<const CachedTile> value) {
    const std::size_t bytes = cost(*value);
    if (bytes > max_bytes_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    const Key key{version, tile};
    if (const auto it = index_.find(key); it != index_.end()) {
        stats_.bytes -= it->second->bytes;
        order_.erase(it->second);
        index_.erase(it);
    }
    while (stats_.bytes + bytes > max_bytes_ && !order_.empty()) {
        stats_.bytes -= order_.back().bytes;
        index_.erase(order_.back().key);
        order_.pop_back();
        ++stats_.evictions;
    }
    order_.push_front(Entry{key, std::move(value), bytes});
    index_.emplace(key, order_.begin());
    stats_.bytes += bytes;
    stats_.tiles = order_.size();
}

std::size_t TileCache::erase_versions(std::uint64_t first, std::uint64_t last) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::size_t erased = 0;
    for (auto it = order_.begin(); it != order_.end();) {
        if (it->key.version < first || it->key.version > last) {
            ++it;
            continue;
        }
        stats_.bytes -= it->bytes;
        index_.erase(it->key);
        it = order_.erase(it);
        ++erased;
    }
    stats_.tiles = order_.size();
    return erased;
}

TileCacheStats TileCache::stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    TileCacheStats s = stats_;
    s.tiles = order_.size();
    return s;
}

}  // namespace tilesets
