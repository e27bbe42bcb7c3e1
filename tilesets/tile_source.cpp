#include "tilesets/tile_source.hpp"

#include "geo/crs.hpp"
#include "geo/output_layers.hpp"
#include "geo/parallel.hpp"
#include "tilesets/tile_math.hpp"
#include "tilesets/tilejson.hpp"

#include <geos_c.h>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>

namespace tilesets {

namespace {

GeometryType geometry_type(geo::LayerGeometry geometry) {
    switch (geometry) {
        case geo::LayerGeometry::point: return GeometryType::point;
        case geo::LayerGeometry::line: return GeometryType::linestring;
        case geo::LayerGeometry::polygon: return GeometryType::polygon;
    }
    throw std::logic_error("tile source: unknown geometry");
}

/// One tile layer from its output layer's features: geometries into Web Mercator through PROJ, the tile
/// fields' values picked out. Features without a geometry are left out: nothing to draw.
SourceLayer build_layer(const VectorLayer& tile_layer, const geo::Dataset& dataset, const geo::Plan& plan, geo::Envelope& bounds) {
    const geo::LayerSchema& schema = geo::output_layer(tile_layer.id);
    SourceLayer layer;
    layer.name = tile_layer.id;
    layer.type = geometry_type(schema.geometry);
    layer.is_coverage = schema.geometry == geo::LayerGeometry::polygon;  // each polygon layer tiles without overlap
    // Sub-pixel areas and catchments may go at low zooms: catchment_labels keep the catchments findable.
    layer.may_drop_small = tile_layer.id == "areas" || tile_layer.id == "catchments";
    layer.minzoom = tile_layer.minzoom;
    std::vector<std::size_t> picked;
    for (const VectorField& field : tile_layer.fields) {
        layer.keys.push_back(field.name);
        picked.push_back(schema.field_index(field.name));
    }
    geo::GeosContext context;
    const geo::CrsTransform transform(dataset.working_crs, "EPSG:3857");
    geo::LayerFeatures features = geo::layer_features(schema, dataset, plan);
    for (geo::LayerFeature& feature : features.features) {
        if (feature.geometry == nullptr || GEOSisEmpty_r(context.handle(), feature.geometry) == 1) continue;
        SourceFeature f;
        f.id = layer.features.size() + 1;
        f.geometry = geo::transform_geometry(context, feature.geometry, transform);
        f.box = geo::envelope_of(context, f.geometry.get());
        for (const std::size_t k : picked) f.values.push_back(std::move(feature.values[k]));
        bounds.expand(f.box);
        layer.features.push_back(std::move(f));
    }
    return layer;
}

}  // namespace

std::uint64_t fingerprint(const TileSource& source) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a, 64 bit
    auto bytes = [&hash](const void* data, std::size_t size) {
        const auto* p = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < size; ++i) hash = (hash ^ p[i]) * 0x100000001b3ULL;
    };
    auto text = [&bytes](std::string_view s) {
        const std::size_t size = s.size();
        bytes(&size, sizeof size);
        bytes(s.data(), s.size());
    };
    auto number = [&bytes](auto value) { bytes(&value, sizeof value); };
    geo::GeosContext context;
    const auto writer = std::unique_ptr<GEOSWKBWriter, std::function<void(GEOSWKBWriter*)>>(
        GEOSWKBWriter_create_r(context.handle()), [&context](GEOSWKBWriter* w) { GEOSWKBWriter_destroy_r(context.handle(), w); });
    text(source.name);
    for (const SourceLayer& layer : source.layers) {
        text(layer.name);
        number(static_cast<std::uint32_t>(layer.type));
        number(layer.minzoom);
        number(static_cast<int>(layer.is_coverage) * 2 + static_cast<int>(layer.may_drop_small));
        for (const std::string& key : layer.keys) text(key);
        number(layer.features.size());
        for (const SourceFeature& feature : layer.features) {
            number(feature.id);
            for (const PropertyValue& value : feature.values) {
                number(value.index());
                std::visit([&](const auto& v) {
                    if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>) {
                        text(v);
                    } else {
                        number(v);
                    }
                }, value);
            }
            std::size_t size = 0;
            unsigned char* wkb = feature.geometry ? GEOSWKBWriter_write_r(context.handle(), writer.get(), feature.geometry.get(), &size) : nullptr;
            number(size);
            if (wkb != nullptr) {
                bytes(wkb, size);
                GEOSFree_r(context.handle(), wkb);
            }
        }
    }
    return hash;
}

TileSource make_tile_source(const geo::Dataset& dataset, const geo::Plan& plan) {
    TileSource source;
    source.name = dataset.name;
    const std::vector<VectorLayer> tile_layers = catchment_layers(kMaxZoom);
    source.layers.resize(tile_layers.size());
    std::vector<geo::Envelope> bounds(tile_layers.size());
    geo::parallel_for(tile_layers.size(), kBuildThreads,
                      [&](std::size_t i, unsigned) { source.layers[i] = build_layer(tile_layers[i], dataset, plan, bounds[i]); });
    for (const geo::Envelope& box : bounds) source.bounds.expand(box);
    source.bounds_lonlat = geo::CrsTransform("EPSG:3857", "OGC:CRS84").transform_bounds(source.bounds);
    return source;
}

}  // namespace tilesets
