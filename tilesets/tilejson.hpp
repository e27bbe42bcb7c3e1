#pragma once
// TileJSON 3.0.0 and a MapLibre GL style generated from the tile set's layer schema, so that the two
// always describe the layers the encoder really writes.
#include "geo/output_layers.hpp"

#include <boost/json/value.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tilesets {

enum class FieldType { number, string, boolean };

struct VectorField {
    std::string name;
    FieldType type = FieldType::string;
    std::string description;
};

/// One vector layer as the encoder writes it.
struct VectorLayer {
    std::string id;            // "networks", "network_borders", "catchments", "practices", "areas", "gaps", ...
    std::string description;
    std::string geometry;      // "polygon", "line" or "point"
    int minzoom = 0;
    int maxzoom = 14;
    std::vector<VectorField> fields;
};

struct TileSetInfo {
    std::string name;
    std::string description;
    std::string attribution;
    std::string version = "1.0.0";
    std::vector<std::string> tile_urls;  // e.g. "http://localhost:8080/tiles/{z}/{x}/{y}.mvt"
    int minzoom = 0;
    int maxzoom = 14;
    std::array<double, 4> bounds{-180, -85.0511, 180, 85.0511};  // west, south, east, north
    std::array<double, 3> center{0, 0, 0};                       // lon, lat, zoom
};

/// The TileJSON 3.0.0 document, with `vector_layers` listing every layer and its fields.
boost::json::value tilejson(const TileSetInfo& info, const std::vector<VectorLayer>& layers);

/// The `vector_layers` array alone (also stored in MBTiles metadata).
boost::json::value vector_layers(const std::vector<VectorLayer>& layers);

/// How many colours the style's network palette has (a network's `colour` is a slot in it).
inline constexpr std::size_t kNetworkPaletteSize = geo::kNetworkPaletteSize;

/// A MapLibre GL style (spec version 8) drawing the layers: networks filled in distinct colours with
/// outlines from `network_borders`, practices as circles sized by list size, gap areas marked, and the
/// other layers drawn quietly. `source_url` is the TileJSON URL (or `pmtiles://...`). With a `glyphs_url`
/// ("https://host/fonts/{fontstack}/{range}.pbf", serving kLabelFont and kLabelFontBold) the style labels
/// constraint groups (boroughs), networks and, close in, practices; without one it has no text.
boost::json::value maplibre_style(const TileSetInfo& info, const std::vector<VectorLayer>& layers, const std::string& source_url,
                                  const std::string& glyphs_url = {});

/// The layers catchment's tiles hold: the output layers published in tiles (geo/output_layers.hpp) with
/// their tile fields, zoom ranges up to `maxzoom`, in the order the tiles list them.
std::vector<VectorLayer> catchment_layers(int maxzoom);

/// The lowest zoom whose tiles hold the layer.
int tile_minzoom(std::string_view layer);

}  // namespace tilesets
