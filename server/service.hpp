#pragma once
// What the server serves: a loaded dataset, its default plan, the tile source cut from it and a
// renderer, behind a version number. A reload builds a new state and swaps it in atomically; requests
// in flight keep the state they started with.
#include "geo/dataset.hpp"
#include "geo/plan.hpp"
#include "tilesets/tile_cache.hpp"
#include "tilesets/tile_renderer.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

namespace server {

struct ServiceState {
    std::uint64_t version = 0;
    geo::Dataset dataset;
    geo::Plan plan;
    std::shared_ptr<const tilesets::TileSource> tiles;
    std::unique_ptr<tilesets::TileRenderer> renderer;
};

/// Builds a state: plans the dataset with `options` and prepares its tiles.
std::shared_ptr<const ServiceState> make_state(geo::Dataset dataset, const geo::PlanOptions& options, std::uint64_t version,
                                               int tile_maxzoom);

class Service {
public:
    explicit Service(std::size_t tile_cache_bytes) : cache_(tile_cache_bytes) {}
    std::shared_ptr<const ServiceState> current() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return state_;
    }
    void install(std::shared_ptr<const ServiceState> state) {
        std::lock_guard<std::mutex> lock(mutex_);
        state_ = std::move(state);
    }
    tilesets::TileCache& cache() { return cache_; }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const ServiceState> state_;
    tilesets::TileCache cache_;
};

}  // namespace server
