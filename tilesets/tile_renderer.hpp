#pragma once
// Cuts one Mapbox Vector Tile out of a TileSource: per zoom, coverage layers are generalised on their
// shared arcs (and network borders drawn from the same arcs); each feature is clipped to the tile plus
// a buffer, quantised to the tile grid, given the spec's winding, checked for validity (fixed or
// dropped, counted) and encoded. Safe to call from several threads at once.
#include "geo/single_flight.hpp"
#include "tilesets/coverage_simplifier.hpp"
#include "tilesets/feature_grid.hpp"
#include "tilesets/mvt_encoder.hpp"
#include "tilesets/packed_polygons.hpp"
#include "tilesets/tile_math.hpp"
#include "tilesets/tile_source.hpp"

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace tilesets {

struct TileOptions {
    std::uint32_t extent = 4096;
    std::uint32_t buffer = 64;        // tile units around the tile that features are kept in
    int maxzoom = 16;
    double simplify_units = 1.0;      // Douglas-Peucker tolerance, in tile units at each zoom
    double drop_below_px2 = 1.0;      // polygons of droppable layers under this many screen pixels go
    /// Hands the memory a zoom's generalisation went through back to the system once it is built (a
    /// server, which builds a zoom once and then serves it for hours); a batch export that reuses it
    /// for the next zoom at once leaves it off (trimming costs it about 8 s of 34 on England).
    bool release_memory_after_zoom = false;
    /// Throws std::invalid_argument naming the bad option.
    void validate() const;
};

struct RenderStats {
    std::size_t features = 0;
    std::size_t dropped_small = 0;    // sub-pixel polygons of layers that allow it
    std::size_t repaired = 0;         // clipped polygons made invalid by rounding and repaired
    std::size_t dropped_invalid = 0;  // clipped polygons that could not be repaired on the grid
    std::size_t whole_tile = 0;       // polygons covering the whole tile, written as one square
    RenderStats& operator+=(const RenderStats& other) {
        features += other.features;
        dropped_small += other.dropped_small;
        repaired += other.repaired;
        dropped_invalid += other.dropped_invalid;
        whole_tile += other.whole_tile;
        return *this;
    }
};

class TileRenderer {
public:
    TileRenderer(std::shared_ptr<const TileSource> source, TileOptions options);

    /// The tile's MVT bytes (uncompressed); empty when no feature falls in it. Throws TileError for a
    /// tile outside the zoom range.
    std::string render(const TileId& tile, RenderStats* stats = nullptr) const;
    /// The same with only the layer named `layer` (an OGC API collection's tiles).
    std::string render_layer(const TileId& tile, std::string_view layer, RenderStats* stats = nullptr) const;

    /// Polygons of zoom z that the tile grid made invalid: (repaired, dropped), counted once per zoom.
    std::pair<std::size_t, std::size_t> zoom_repairs(int z) const;
    /// Drops zoom z's generalised geometries (built again if a tile of z is asked for later): a batch
    /// export that renders zoom by zoom then holds one zoom's, not every zoom's.
    void forget_zoom(int z) const;
    /// Builds zoom z's generalised geometries now (on this thread) unless built or being built: a
    /// batch export prepares the next zoom while the current one renders.
    void prepare_zoom(int z) const;
    /// Memory held by the generalised zooms built so far.
    std::size_t zoom_bytes() const;
    /// Zoom generalisations made so far (each zoom once, however many tiles ask for it at the same time).
    std::size_t zoom_builds() const { return zoom_builds_; }

    const TileSource& source() const { return *source_; }
    const TileOptions& options() const { return options_; }

private:
    /// Zoom z's features: polygon layers generalised (coverages on their shared arcs) and held packed
    /// on the zoom's grid, network borders drawn from the networks' arcs; other layers use the source.
    struct ZoomLayers {
        std::vector<PackedPolygons> polygons;              // [layer]; empty (size 0) for a layer not generalised
        std::vector<geo::Geometry> borders;                // network borders, per border feature; null where none
        std::size_t repaired = 0;                          // polygons repaired on this zoom's grid
        std::size_t dropped_invalid = 0;                   // polygons that could not be
        std::size_t bytes() const;
    };
    /// Zoom z's layers, built on first use by the first caller (others wait for that build only:
    /// different zooms build at once).
    std::shared_ptr<const ZoomLayers> at_zoom(int z) const;
    std::shared_ptr<const ZoomLayers> build_zoom(int z) const;
    std::string render_layers(const TileId& tile, std::string_view only, RenderStats* stats) const;

    std::shared_ptr<const TileSource> source_;
    TileOptions options_;
    /// The layer's arc topology (null for a layer that is not a coverage), built on first use: a
    /// detail layer's (areas, catchments) only once its first zoom is asked for.
    const CoverageSimplifier* simplifier_of(std::size_t layer) const;

    mutable std::vector<std::unique_ptr<CoverageSimplifier>> simplifiers_;  // per layer, for coverage layers
    mutable std::unique_ptr<std::once_flag[]> simplifier_once_;
    std::vector<FeatureGrid> grids_;                                 // per layer: the features near a tile
    int networks_layer_ = -1, borders_layer_ = -1;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> border_pairs_;  // per border feature: network feature indices
    mutable std::atomic<std::size_t> zoom_builds_{0};
    mutable std::mutex zoom_mutex_;                                          // covers looking up and storing zooms only
    mutable std::map<int, std::shared_ptr<const ZoomLayers>> zooms_;         // built, until forget_zoom
    mutable geo::SingleFlight<int, std::shared_ptr<const ZoomLayers>> building_;
};

/// Wraps encoded layers into a Tile message (MVT 2.1 section 4.1).
std::string encode_tile(const std::vector<std::string>& layers);

}  // namespace tilesets
