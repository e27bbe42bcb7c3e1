#include "server/service.hpp"

#include "tilesets/tile_source.hpp"

namespace server {

std::shared_ptr<const ServiceState> make_state(geo::Dataset dataset, const geo::PlanOptions& options, std::uint64_t version,
                                               int tile_maxzoom) {
    auto state = std::make_shared<ServiceState>();
    state->version = version;
    state->dataset = std::move(dataset);
    state->plan = geo::plan(state->dataset, options, *state->dataset.geos);
    state->tiles = std::make_shared<const tilesets::TileSource>(tilesets::make_tile_source(state->dataset, state->plan));
    tilesets::TileOptions tile_options;
    tile_options.maxzoom = tile_maxzoom;
    tile_options.validate();
    state->renderer = std::make_unique<tilesets::TileRenderer>(state->tiles, tile_options);
    return state;
}

}  // namespace server
