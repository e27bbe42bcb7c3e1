#pragma once
// The layers a tile set is cut from: every output layer published in tiles, transformed once into Web
// Mercator (EPSG:3857), with its tile fields' values in the order of its keys (catchment_layers() in
// tilejson.hpp).
#include "geo/dataset.hpp"
#include "geo/output_layers.hpp"
#include "geo/plan.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace tilesets {

/// An MVT property value (MVT 2.1 section 4.1: string, int, double, bool are the kinds we write).
using PropertyValue = geo::FieldValue;

/// MVT 2.1 section 4.3.4: the geometry types.
enum class GeometryType : std::uint32_t { point = 1, linestring = 2, polygon = 3 };

struct SourceFeature {
    std::uint64_t id = 0;              // MVT feature id, unique within its layer
    geo::Geometry geometry;            // EPSG:3857 metres
    geo::Envelope box;
    std::vector<PropertyValue> values; // aligned with SourceLayer::keys
};

struct SourceLayer {
    std::string name;
    GeometryType type = GeometryType::polygon;
    std::vector<std::string> keys;
    std::vector<SourceFeature> features;
    bool is_coverage = false;     // polygons that tile without overlap: generalised on their shared arcs
    bool may_drop_small = false;  // sub-pixel polygons may be left out at low zooms (a label layer keeps them findable)
    int minzoom = 0;              // detail layers start deeper so that low-zoom tiles stay small
};

/// Threads that build the tile source's layers and each zoom's generalised layers (geo::parallel_for):
/// the machines catchment is sized for have two cores.
inline constexpr unsigned kBuildThreads = 2;

struct TileSource {
    std::vector<SourceLayer> layers;
    geo::Envelope bounds;         // EPSG:3857
    geo::Envelope bounds_lonlat;  // degrees
    std::string name;
};

/// Builds the tile layers (networks, network_borders, catchments, catchment_labels, practices, areas,
/// gaps) from a dataset and its plan. The dataset's working CRS is transformed with PROJ.
TileSource make_tile_source(const geo::Dataset& dataset, const geo::Plan& plan);

/// A hash of everything the tiles are cut from: layers, keys, feature ids, values and geometries (WKB).
/// Two sources with the same fingerprint make the same tiles (a reload of unchanged data keeps its cache).
std::uint64_t fingerprint(const TileSource& source);

}  // namespace tilesets
