#include "tilesets/tile_renderer.hpp"

#include "geo/parallel.hpp"

#include <protozero/pbf_builder.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_map>

#ifdef __GLIBC__
#include <malloc.h>  // malloc_trim
#endif

namespace tilesets {

namespace {

enum class TileField : protozero::pbf_tag_type { layers = 3 };

constexpr double kScreenPixelsPerTile = 256;
/// The feature index's cells are the tiles of this zoom (about 10 km across): deep tiles look at a
/// handful of features, and a feature is listed under few cells.
constexpr int kIndexZoom = 12;

/// Tile-grid geometry for one feature: the tile's frame and what happened to the feature.
struct Frame {
    MercatorBox box;        // the tile itself
    double unit = 1;        // metres per tile unit
    double pad = 0;         // metres of buffer
    std::int32_t extent = 4096;
    std::int32_t buffer = 64;
    bool already_tile_units = false;  // coordinates are tile units already (repairs): only round them

    TilePoint to_tile(double x, double y) const {
        if (already_tile_units) return {static_cast<std::int32_t>(std::llround(x)), static_cast<std::int32_t>(std::llround(y))};
        return {static_cast<std::int32_t>(std::llround((x - box.min_x) / unit)),
                static_cast<std::int32_t>(std::llround((box.max_y - y) / unit))};
    }
};

std::vector<TilePoint> quantise(GEOSContextHandle_t h, const GEOSGeometry* line, const Frame& frame, bool ring) {
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, line);
    unsigned size = 0;
    GEOSCoordSeq_getSize_r(h, seq, &size);
    std::vector<TilePoint> points;
    points.reserve(size);
    for (unsigned i = 0; i < size; ++i) {
        double x = 0, y = 0;
        GEOSCoordSeq_getXY_r(h, seq, i, &x, &y);
        const TilePoint p = frame.to_tile(x, y);
        if (points.empty() || !(points.back() == p)) points.push_back(p);
    }
    if (ring) {
        while (points.size() > 1 && points.front() == points.back()) points.pop_back();
    }
    return points;
}

/// Appends the polygons of `g` to `out` with the spec's winding; drops rings that collapse.
void append_polygons(GEOSContextHandle_t h, const GEOSGeometry* g, const Frame& frame, TileGeometry& out) {
    const int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0, n = GEOSGetNumGeometries_r(h, g); i < n; ++i) append_polygons(h, GEOSGetGeometryN_r(h, g, i), frame, out);
        return;
    }
    if (type != GEOS_POLYGON || GEOSisEmpty_r(h, g) == 1) return;
    auto shell = quantise(h, GEOSGetExteriorRing_r(h, g), frame, true);
    if (shell.size() < 3) return;
    const std::int64_t area = ring_area2(shell);
    if (area == 0) return;
    if (area < 0) std::reverse(shell.begin(), shell.end());  // exterior: positive area (MVT 2.1 4.3.4.4)
    out.parts.push_back(std::move(shell));
    for (int k = 0, holes = GEOSGetNumInteriorRings_r(h, g); k < holes; ++k) {
        auto hole = quantise(h, GEOSGetInteriorRingN_r(h, g, k), frame, true);
        if (hole.size() < 3) continue;
        const std::int64_t hole_area = ring_area2(hole);
        if (hole_area == 0) continue;
        if (hole_area > 0) std::reverse(hole.begin(), hole.end());  // interior: negative area
        out.parts.push_back(std::move(hole));
    }
}

/// Whether clipping and rounding may have made the polygon invalid. The geometry was valid on the grid
/// before clipping, so only segments near the clip edge (whose new end points were rounded) can now
/// touch or cross another segment; each of those is tested against every other segment, exactly, on
/// the integer grid.
bool may_be_invalid_after_clipping(const TileGeometry& g, std::int32_t low, std::int32_t high) {
    struct Segment {
        TilePoint a, b;
        std::size_t ring, index;
    };
    auto near_edge = [&](const TilePoint& p) { return p.x <= low + 1 || p.x >= high - 1 || p.y <= low + 1 || p.y >= high - 1; };
    std::vector<Segment> all, near;
    std::vector<std::size_t> ring_sizes;
    for (std::size_t r = 0; r < g.parts.size(); ++r) {
        const auto& ring = g.parts[r];
        ring_sizes.push_back(ring.size());
        for (std::size_t i = 0; i < ring.size(); ++i) {
            const Segment s{ring[i], ring[(i + 1) % ring.size()], r, i};
            all.push_back(s);
            if (near_edge(s.a) || near_edge(s.b)) near.push_back(s);
        }
    }
    auto orient = [](const TilePoint& a, const TilePoint& b, const TilePoint& c) {
        const std::int64_t cross = static_cast<std::int64_t>(b.x - a.x) * (c.y - a.y) - static_cast<std::int64_t>(b.y - a.y) * (c.x - a.x);
        return (cross > 0) - (cross < 0);
    };
    auto within = [](const TilePoint& a, const TilePoint& b, const TilePoint& p) {
        return std::min(a.x, b.x) <= p.x && p.x <= std::max(a.x, b.x) && std::min(a.y, b.y) <= p.y && p.y <= std::max(a.y, b.y);
    };
    auto touch = [&](const Segment& s, const Segment& t) {
        const int o1 = orient(s.a, s.b, t.a), o2 = orient(s.a, s.b, t.b), o3 = orient(t.a, t.b, s.a), o4 = orient(t.a, t.b, s.b);
        if (o1 != o2 && o3 != o4) return true;
        return (o1 == 0 && within(s.a, s.b, t.a)) || (o2 == 0 && within(s.a, s.b, t.b)) || (o3 == 0 && within(t.a, t.b, s.a)) ||
               (o4 == 0 && within(t.a, t.b, s.b));
    };
    // A ring touching itself at a vertex anywhere (GEOS's clipping can rebuild rings that way).
    std::vector<std::uint64_t> vertices;
    for (const Segment& s : all) vertices.push_back(static_cast<std::uint64_t>(static_cast<std::uint32_t>(s.a.x)) << 32 | static_cast<std::uint32_t>(s.a.y));
    std::sort(vertices.begin(), vertices.end());
    if (std::adjacent_find(vertices.begin(), vertices.end()) != vertices.end()) return true;
    for (const Segment& s : near) {
        for (const Segment& t : all) {
            if (s.ring == t.ring) {
                const std::size_t n = ring_sizes[s.ring];
                if (s.index == t.index || (s.index + 1) % n == t.index || (t.index + 1) % n == s.index) continue;  // itself or a neighbour
            }
            if (touch(s, t)) return true;
        }
    }
    return false;
}

/// The polygons of a TileGeometry as GEOS, in tile coordinates, for the validity check: each ring with a
/// positive winding starts a polygon (MVT 2.1 4.3.4.4), the negative ones after it are its holes.
geo::Geometry to_geos(geo::GeosContext& context, const TileGeometry& g) {
    PolygonRings rings;
    for (std::size_t i = 0; i < g.parts.size(); ++i) {
        for (const TilePoint& p : g.parts[i]) rings.points.push_back({static_cast<double>(p.x), static_cast<double>(p.y)});
        rings.end_ring(i == 0 || ring_area2(g.parts[i]) >= 0);
    }
    return to_geos(context, rings);
}

/// A packed polygon wholly inside the tile, straight from its grid points (as append_polygons would
/// from the same polygon in GEOS): rings that collapse are dropped, windings as the spec wants.
void append_packed(const PackedPolygons& packed, std::size_t index, const Frame& frame, TileGeometry& out) {
    const auto left = static_cast<std::int64_t>(frame.box.min_x), top = static_cast<std::int64_t>(frame.box.max_y);
    bool shell_dropped = false;
    std::vector<TilePoint> points;
    packed.for_each_ring(index, [&](std::size_t, std::size_t ring, const std::vector<GridPoint>& grid_points) {
        if (ring == 0) shell_dropped = false;
        if (shell_dropped) return;  // the holes of a dropped shell go with it
        points.clear();
        for (const GridPoint& p : grid_points) {
            const TilePoint t{static_cast<std::int32_t>(p.x - left), static_cast<std::int32_t>(top - p.y)};
            if (points.empty() || !(points.back() == t)) points.push_back(t);
        }
        while (points.size() > 1 && points.front() == points.back()) points.pop_back();
        const std::int64_t area = points.size() < 3 ? 0 : ring_area2(points);
        if (area == 0) {
            shell_dropped = ring == 0;
            return;
        }
        // Exterior rings positive, interior negative (MVT 2.1 4.3.4.4).
        if ((ring == 0) == (area < 0)) std::reverse(points.begin(), points.end());
        out.parts.push_back(points);
    });
}

TileGeometry polygon_on_tile(geo::GeosContext& context, const PackedPolygons& packed, std::size_t index, const geo::Envelope& feature_box,
                             const Frame& frame, RenderStats& stats) {
    auto* h = context.handle();
    TileGeometry out;
    out.type = GeometryType::polygon;
    const double x0 = frame.box.min_x - frame.pad, y0 = frame.box.min_y - frame.pad;
    const double x1 = frame.box.max_x + frame.pad, y1 = frame.box.max_y + frame.pad;
    const bool inside = feature_box.min_x >= x0 && feature_box.max_x <= x1 && feature_box.min_y >= y0 && feature_box.max_y <= y1;
    if (inside) {
        // Already snapped to this zoom's grid and valid there (see pack_on_grid): nothing more to do.
        append_packed(packed, index, frame, out);
        return out;
    }
    const PackedPolygons::Window window{x0, y0, x1, y1};
    const geo::Geometry whole = packed.geometry(context, index, &window);
    if (!whole) return out;  // no part of it comes near the tile
    const geo::Geometry clipped = geo::adopt(context, GEOSClipByRect_r(h, whole.get(), x0, y0, x1, y1), "clipping to a tile");
    if (GEOSisEmpty_r(h, clipped.get()) == 1) return out;
    double area = 0;
    GEOSArea_r(h, clipped.get(), &area);
    const bool one_ring = GEOSGeomTypeId_r(h, clipped.get()) == GEOS_POLYGON && GEOSGetNumInteriorRings_r(h, clipped.get()) == 0;
    if (one_ring && area >= (x1 - x0) * (y1 - y0) * (1 - 1e-9)) {
        // Covers the whole tile: one square (the spec's recommended form for full tiles).
        const std::int32_t lo = -frame.buffer, hi = frame.extent + frame.buffer;
        out.parts.push_back({{lo, lo}, {hi, lo}, {hi, hi}, {lo, hi}});
        ++stats.whole_tile;
        return out;
    }
    // A clipped polygon gets new points on the clip edge, and rounding those can make a ring touch
    // itself there: check it on the grid, repair once.
    append_polygons(h, clipped.get(), frame, out);
    if (out.empty() || !may_be_invalid_after_clipping(out, -frame.buffer - 1, frame.extent + frame.buffer + 1)) return out;
    const geo::Geometry check = to_geos(context, out);
    if (GEOSisValid_r(h, check.get()) == 1) return out;
    GEOSMakeValidParams* params = GEOSMakeValidParams_create_r(h);
    GEOSMakeValidParams_setMethod_r(h, params, GEOS_MAKE_VALID_STRUCTURE);
    GEOSGeometry* raw = GEOSMakeValidWithParams_r(h, check.get(), params);
    GEOSMakeValidParams_destroy_r(h, params);
    TileGeometry repaired;
    repaired.type = GeometryType::polygon;
    if (raw != nullptr) {
        const geo::Geometry fixed(raw, geo::GeometryDeleter{});
        Frame on_grid = frame;
        on_grid.already_tile_units = true;
        append_polygons(h, fixed.get(), on_grid, repaired);
    }
    if (!repaired.empty() && GEOSisValid_r(h, to_geos(context, repaired).get()) == 1) {
        ++stats.repaired;
        return repaired;
    }
    ++stats.dropped_invalid;
    return {};
}

TileGeometry line_on_tile(geo::GeosContext& context, const GEOSGeometry* g, const Frame& frame) {
    auto* h = context.handle();
    TileGeometry out;
    out.type = GeometryType::linestring;
    const geo::Geometry clipped = geo::adopt(context,
                                             GEOSClipByRect_r(h, g, frame.box.min_x - frame.pad, frame.box.min_y - frame.pad,
                                                              frame.box.max_x + frame.pad, frame.box.max_y + frame.pad),
                                             "clipping a line to a tile");
    auto add = [&](auto&& self, const GEOSGeometry* part) -> void {
        const int type = GEOSGeomTypeId_r(h, part);
        if (type == GEOS_LINESTRING) {
            auto points = quantise(h, part, frame, false);
            if (points.size() >= 2) out.parts.push_back(std::move(points));
        } else if (type == GEOS_MULTILINESTRING || type == GEOS_GEOMETRYCOLLECTION) {
            for (int i = 0, n = GEOSGetNumGeometries_r(h, part); i < n; ++i) self(self, GEOSGetGeometryN_r(h, part, i));
        }
    };
    add(add, clipped.get());
    return out;
}

TileGeometry point_on_tile(geo::GeosContext& context, const GEOSGeometry* g, const Frame& frame) {
    auto* h = context.handle();
    TileGeometry out;
    out.type = GeometryType::point;
    double x = 0, y = 0;
    GEOSGeomGetX_r(h, g, &x);
    GEOSGeomGetY_r(h, g, &y);
    if (x < frame.box.min_x - frame.pad || x > frame.box.max_x + frame.pad || y < frame.box.min_y - frame.pad ||
        y > frame.box.max_y + frame.pad) {
        return out;
    }
    out.parts.push_back({frame.to_tile(x, y)});
    return out;
}

/// Packs the polygon (in metres) in this zoom's grid coordinates: metres divided by `unit` and rounded,
/// so integers held exactly in doubles (tile edges are grid lines). Validity is decided there, exactly,
/// most often without GEOS (certainly_valid); an invalid polygon goes through GEOS's precision reducer
/// on the same grid, which returns a valid one (or an empty one when nothing survives at this zoom,
/// then packed as absent and counted). Shared vertices round alike, so a coverage stays a coverage.
void pack_on_grid(geo::GeosContext& context, const PolygonRings& metres, double unit, PackedPolygons& packed, std::size_t& repaired,
                  std::size_t& dropped) {
    auto* h = context.handle();
    PolygonRings grid = metres;
    for (XY& p : grid.points) p = {std::round(p.x / unit), std::round(p.y / unit)};
    if (grid.empty() || certainly_valid(grid)) {
        packed.add(grid, area_of(grid));
        return;
    }
    if (const geo::Geometry snapped = to_geos(context, grid); GEOSisValid_r(h, snapped.get()) == 1) {
        packed.add(h, snapped.get());
        return;
    }
    PolygonRings scaled = metres;
    for (XY& p : scaled.points) p = {p.x / unit, p.y / unit};
    if (GEOSGeometry* raw = GEOSGeom_setPrecision_r(h, to_geos(context, scaled).get(), 1.0, 0)) {
        const geo::Geometry reduced(raw, geo::GeometryDeleter{});
        if (GEOSisEmpty_r(h, reduced.get()) == 0 && GEOSisValid_r(h, reduced.get()) == 1) {
            ++repaired;
            packed.add(h, reduced.get());  // packed right away: the precision reducer's own factory goes with it
            return;
        }
    }
    ++dropped;  // collapsed to nothing on this grid
    packed.add(PolygonRings{}, 0);
}

double units_per_metre(int z, std::uint32_t extent) {
    return static_cast<double>(tiles_per_side(z)) * extent / (2 * kMercatorHalfWorld);
}

}  // namespace

void TileOptions::validate() const {
    if (extent < 256 || extent > 65536) throw std::invalid_argument("tile extent must be 256 to 65536, got " + std::to_string(extent));
    if (buffer > extent / 2) throw std::invalid_argument("tile buffer must be at most half the extent, got " + std::to_string(buffer));
    if (maxzoom < 0 || maxzoom > 22) throw std::invalid_argument("max zoom must be 0 to 22, got " + std::to_string(maxzoom));
    if (!(simplify_units >= 0)) throw std::invalid_argument("simplification must be non-negative");
}

std::string encode_tile(const std::vector<std::string>& layers) {
    std::string tile;
    protozero::pbf_builder<TileField> builder(tile);
    for (const std::string& layer : layers) builder.add_message(TileField::layers, layer);
    return tile;
}

TileRenderer::TileRenderer(std::shared_ptr<const TileSource> source, TileOptions options) : source_(std::move(source)), options_(options) {
    options_.validate();
    const auto& layers = source_->layers;
    simplifiers_.resize(layers.size());
    std::unordered_map<std::string, std::uint32_t> network_index;
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const SourceLayer& layer = layers[l];
        std::vector<MercatorBox> boxes;
        boxes.reserve(layer.features.size());
        for (const SourceFeature& f : layer.features) {
            boxes.push_back(f.box.is_empty ? MercatorBox{1, 1, 0, 0} : MercatorBox{f.box.min_x, f.box.min_y, f.box.max_x, f.box.max_y});
        }
        grids_.emplace_back(boxes, kIndexZoom);
        if (layer.name == "networks") networks_layer_ = static_cast<int>(l);
        if (layer.name == "network_borders") borders_layer_ = static_cast<int>(l);
    }
    simplifier_once_ = std::make_unique<std::once_flag[]>(layers.size());
    if (networks_layer_ >= 0 && borders_layer_ >= 0) {
        const auto& networks = layers[static_cast<std::size_t>(networks_layer_)].features;
        for (std::uint32_t i = 0; i < networks.size(); ++i) network_index[std::get<std::string>(networks[i].values[0])] = i;
        for (const SourceFeature& b : layers[static_cast<std::size_t>(borders_layer_)].features) {
            const auto pair = std::minmax(network_index.at(std::get<std::string>(b.values[0])), network_index.at(std::get<std::string>(b.values[1])));
            border_pairs_.emplace_back(pair.first, pair.second);
        }
    }
}

std::shared_ptr<const TileRenderer::ZoomLayers> TileRenderer::at_zoom(int z) const {
    {
        const std::lock_guard<std::mutex> lock(zoom_mutex_);
        if (const auto it = zooms_.find(z); it != zooms_.end()) return it->second;
    }
    return building_.run(z, [&]() -> std::shared_ptr<const ZoomLayers> {
        {
            const std::lock_guard<std::mutex> lock(zoom_mutex_);
            if (const auto it = zooms_.find(z); it != zooms_.end()) return it->second;  // built just before this flight
        }
        auto built = build_zoom(z);  // outside the lock: other zooms build and serve meanwhile
        const std::lock_guard<std::mutex> lock(zoom_mutex_);
        zooms_[z] = built;
        return built;
    });
}

std::shared_ptr<const TileRenderer::ZoomLayers> TileRenderer::build_zoom(int z) const {
    ++zoom_builds_;
    auto built = std::make_shared<ZoomLayers>();
    const double tolerance = options_.simplify_units / units_per_metre(z, options_.extent);
    const double unit = 1 / units_per_metre(z, options_.extent);
    const auto& layers = source_->layers;
    built->polygons.resize(layers.size());
    // One task per polygon layer (the networks' also draws the borders), each with its own GEOS context.
    std::vector<std::size_t> tasks;
    for (std::size_t l = 0; l < layers.size(); ++l) {
        if (z >= layers[l].minzoom && layers[l].type == GeometryType::polygon) tasks.push_back(l);
    }
    std::vector<std::size_t> repaired(layers.size(), 0), dropped(layers.size(), 0);
    auto run = [&](std::size_t l) {
        geo::GeosContext context;
        const SourceLayer& layer = layers[l];
        PackedPolygons& packed = built->polygons[l];
        const CoverageSimplifier* simplifier = simplifier_of(l);
        if (simplifier == nullptr) {
            for (const SourceFeature& f : layer.features) {
                pack_on_grid(context, rings_of(context.handle(), f.geometry.get()), unit, packed, repaired[l], dropped[l]);
            }
            return;
        }
        const bool networks = static_cast<int>(l) == networks_layer_;
        // Simplified (and kept valid) in metres, then snapped: rounding first and restoring arcs on the
        // grid instead drops whole networks at low zooms, where restored arcs collapse there.
        CoverageSimplifier::Result result = simplifier->simplify(context, tolerance, networks && borders_layer_ >= 0);
        for (PolygonRings& rings : result.polygons) {
            pack_on_grid(context, rings, unit, packed, repaired[l], dropped[l]);
            rings = {};
        }
        if (!networks || borders_layer_ < 0) return;
        // Borders from the very arcs the network polygons were rebuilt from: outlines and fills agree.
        std::map<std::pair<std::uint32_t, std::uint32_t>, geo::Geometry> shared;
        for (auto& sb : result.shared) shared.emplace(std::pair(sb.a, sb.b), std::move(sb.lines));
        built->borders.resize(border_pairs_.size());
        for (std::size_t b = 0; b < border_pairs_.size(); ++b) {
            auto it = shared.find(border_pairs_[b]);
            if (it != shared.end()) built->borders[b] = std::move(it->second);
        }
    };
    geo::parallel_for(tasks.size(), kBuildThreads, [&](std::size_t t, unsigned) { run(tasks[t]); });
    for (std::size_t l = 0; l < layers.size(); ++l) {
        built->repaired += repaired[l];
        built->dropped_invalid += dropped[l];
    }
#ifdef __GLIBC__
    // The GEOS polygons the build went through are freed, but glibc's allocator keeps freed memory in
    // its per-thread arenas: a server would hold a whole zoom's worth of it for good. (The catchment
    // binary links jemalloc, which returns it by itself; then this trims glibc's unused arena only.)
    if (options_.release_memory_after_zoom) malloc_trim(0);
#endif
    return built;
}

const CoverageSimplifier* TileRenderer::simplifier_of(std::size_t l) const {
    const SourceLayer& layer = source_->layers[l];
    if (!layer.is_coverage) return nullptr;
    std::call_once(simplifier_once_[l], [&] {
        std::vector<const GEOSGeometry*> polygons;
        for (const SourceFeature& f : layer.features) polygons.push_back(f.geometry.get());
        geo::GeosContext context;
        simplifiers_[l] = std::make_unique<CoverageSimplifier>(context, polygons);
    });
    return simplifiers_[l].get();
}

void TileRenderer::forget_zoom(int z) const {
    const std::lock_guard<std::mutex> lock(zoom_mutex_);
    zooms_.erase(z);
}

void TileRenderer::prepare_zoom(int z) const {
    if (z >= 0 && z <= options_.maxzoom) at_zoom(z);
}

std::size_t TileRenderer::ZoomLayers::bytes() const {
    std::size_t total = sizeof(*this);
    for (const PackedPolygons& p : polygons) total += p.bytes();
    return total + borders.size() * sizeof(geo::Geometry);  // the border lines are few: their points are not counted
}

std::size_t TileRenderer::zoom_bytes() const {
    const std::lock_guard<std::mutex> lock(zoom_mutex_);
    std::size_t total = 0;
    for (const auto& [z, zoom] : zooms_) total += zoom->bytes();
    return total;
}

std::pair<std::size_t, std::size_t> TileRenderer::zoom_repairs(int z) const {
    const auto zoom = at_zoom(z);
    return {zoom->repaired, zoom->dropped_invalid};
}

std::string TileRenderer::render(const TileId& tile, RenderStats* stats) const { return render_layers(tile, {}, stats); }

std::string TileRenderer::render_layer(const TileId& tile, std::string_view layer, RenderStats* stats) const {
    return render_layers(tile, layer, stats);
}

std::string TileRenderer::render_layers(const TileId& tile, std::string_view only, RenderStats* stats) const {
    check_tile(tile);
    if (tile.z > options_.maxzoom) {
        throw TileError("zoom " + std::to_string(tile.z) + " is above the tile set's maximum " + std::to_string(options_.maxzoom));
    }
    const std::shared_ptr<const ZoomLayers> zoom = at_zoom(tile.z);  // held: a forget_zoom meanwhile frees nothing we use
    RenderStats local;
    geo::GeosContext context;
    Frame frame;
    frame.box = tile_bounds(tile);
    frame.extent = static_cast<std::int32_t>(options_.extent);
    frame.buffer = static_cast<std::int32_t>(options_.buffer);
    frame.unit = 1 / units_per_metre(tile.z, options_.extent);
    // Half a unit off the grid: snapped edges never lie on the clip rectangle, where GEOS's fast
    // rectangle clipping can return an invalid ring.
    frame.pad = (options_.buffer + 0.5) * frame.unit;
    // Generalised polygons are held in grid units (see pack_on_grid): the same tile in those units.
    Frame grid = frame;
    grid.unit = 1;
    grid.box = {frame.box.min_x / frame.unit, frame.box.min_y / frame.unit, frame.box.max_x / frame.unit, frame.box.max_y / frame.unit};
    for (double* v : {&grid.box.min_x, &grid.box.min_y, &grid.box.max_x, &grid.box.max_y}) *v = std::round(*v);  // tile edges are grid lines
    grid.pad = options_.buffer + 0.5;
    const double min_area_units = options_.drop_below_px2 * std::pow(options_.extent / kScreenPixelsPerTile, 2);
    std::vector<std::string> layers;
    std::vector<std::uint32_t> candidates;
    for (std::size_t l = 0; l < source_->layers.size(); ++l) {
        const SourceLayer& layer = source_->layers[l];
        if (tile.z < layer.minzoom || (!only.empty() && layer.name != only)) continue;
        LayerEncoder encoder(layer.name, layer.keys, options_.extent);
        const PackedPolygons& packed = zoom->polygons[l];
        const bool border_layer = static_cast<int>(l) == borders_layer_ && !zoom->borders.empty();
        grids_[l].candidates({frame.box.min_x - frame.pad, frame.box.min_y - frame.pad, frame.box.max_x + frame.pad, frame.box.max_y + frame.pad},
                             candidates);
        for (const std::uint32_t i : candidates) {
            const SourceFeature& f = layer.features[i];
            TileGeometry geometry;
            switch (layer.type) {
                case GeometryType::polygon: {
                    if (packed.size() == 0) break;  // polygon layers are always generalised
                    if (!packed.present(i)) continue;  // collapsed at this zoom
                    if (layer.may_drop_small && packed.area(i) < min_area_units) {
                        ++local.dropped_small;
                        continue;
                    }
                    const geo::Envelope box{f.box.min_x / frame.unit, f.box.min_y / frame.unit, f.box.max_x / frame.unit,
                                            f.box.max_y / frame.unit, false};
                    geometry = polygon_on_tile(context, packed, i, box, grid, local);
                    break;
                }
                case GeometryType::linestring: {
                    const GEOSGeometry* g = border_layer ? zoom->borders[i].get() : f.geometry.get();
                    if (g == nullptr) continue;  // collapsed at this zoom
                    geometry = line_on_tile(context, g, frame);
                    break;
                }
                case GeometryType::point: geometry = point_on_tile(context, f.geometry.get(), frame); break;
            }
            if (geometry.empty()) continue;
            encoder.add(f.id, geometry, f.values);
            ++local.features;
        }
        std::string bytes = encoder.finish();
        if (!bytes.empty()) layers.push_back(std::move(bytes));
    }
    if (stats != nullptr) *stats = local;
    return layers.empty() ? std::string() : encode_tile(layers);
}

}  // namespace tilesets
