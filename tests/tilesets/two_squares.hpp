#pragma once
// A tile source of two square networks side by side near London (20 km each, EPSG:3857): enough for
// tile, cache and endpoint tests that need real geometry without a dataset.
#include "tilesets/tile_source.hpp"

#include <memory>
#include <string>
#include <utility>

inline std::shared_ptr<tilesets::TileSource> two_square_networks() {
    auto source = std::make_shared<tilesets::TileSource>();
    geo::GeosContext context;
    tilesets::SourceLayer networks;
    networks.name = "networks";
    networks.type = tilesets::GeometryType::polygon;
    networks.keys = {"network_id"};
    networks.is_coverage = true;
    for (const auto& [id, wkt] : {std::pair{"N1", "POLYGON ((-20000 6700000, 0 6700000, 0 6720000, -20000 6720000, -20000 6700000))"},
                                  std::pair{"N2", "POLYGON ((0 6700000, 20000 6700000, 20000 6720000, 0 6720000, 0 6700000))"}}) {
        tilesets::SourceFeature f;
        f.id = networks.features.size() + 1;
        f.geometry = geo::from_wkt(context, wkt);
        f.box = geo::envelope_of(context, f.geometry.get());
        f.values = {std::string(id)};
        source->bounds.expand(f.box);
        networks.features.push_back(std::move(f));
    }
    source->layers.push_back(std::move(networks));
    source->bounds_lonlat.expand(-0.18, 51.4);
    source->bounds_lonlat.expand(0.18, 51.6);
    return source;
}
