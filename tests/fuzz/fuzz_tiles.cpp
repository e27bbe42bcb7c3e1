// libFuzzer target: random geometries through the tile path. The input is read as records of a kind
// byte, a point count and 16-bit coordinates around one tile (two tile widths either side, so edges,
// corners and the buffer are crossed), made into polygons (repaired as the loader repairs areas; the
// coverage layer's polygons made disjoint, as a coverage is), lines and points; then the tile, its
// parent and one child are rendered (clipping, generalisation, snapping, encoding) and each must be
// valid MVT 2.1 by an independent reader (mvt_check.hpp). A crash, an exception or an invalid tile is a finding.
#include "fuzz/mvt_check.hpp"
#include "geo/geos.hpp"
#include "tilesets/tile_math.hpp"
#include "tilesets/tile_renderer.hpp"
#include "tilesets/tile_source.hpp"

#include <geos_c.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace {

struct Reader {
    const std::uint8_t* data;
    std::size_t size;
    std::size_t at = 0;
    bool more(std::size_t n = 1) const { return at + n <= size; }
    std::uint8_t byte() { return data[at++]; }
    std::int16_t int16() {
        const auto value = static_cast<std::int16_t>(data[at] | (data[at + 1] << 8));
        at += 2;
        return value;
    }
};

GEOSCoordSequence* sequence(GEOSContextHandle_t h, const std::vector<std::pair<double, double>>& points, bool close) {
    const auto n = static_cast<unsigned>(points.size() + (close ? 1 : 0));
    GEOSCoordSequence* seq = GEOSCoordSeq_create_r(h, n, 2);
    for (unsigned i = 0; i < n; ++i) {
        const auto& [x, y] = points[i % points.size()];
        GEOSCoordSeq_setXY_r(h, seq, i, x, y);
    }
    return seq;
}

tilesets::SourceLayer layer(std::string name, tilesets::GeometryType type) {
    tilesets::SourceLayer out;
    out.name = std::move(name);
    out.type = type;
    out.keys = {"name", "rank"};
    return out;
}

void add(geo::GeosContext& context, tilesets::SourceLayer& to, geo::Geometry geometry) {
    if (!geometry || GEOSisEmpty_r(context.handle(), geometry.get())) return;
    tilesets::SourceFeature feature;
    feature.id = to.features.size() + 1;
    feature.box = geo::envelope_of(context, geometry.get());
    feature.values = {std::string("f") + std::to_string(feature.id), static_cast<std::int64_t>(feature.id)};
    feature.geometry = std::move(geometry);
    to.features.push_back(std::move(feature));
}

void check(const std::string& tile, const tilesets::TileId& id) {
    const std::string problem = fuzz::mvt_problem(tile);
    if (problem.empty()) return;
    std::fprintf(stderr, "fuzz finding: tile %d/%u/%u is not valid MVT 2.1: %s\n", id.z, id.x, id.y, problem.c_str());
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Reader in{data, size};
    if (!in.more()) return 0;
    const int z = in.byte() % 17;
    double cx = 0, cy = 0;
    tilesets::lonlat_to_mercator(-0.1, 51.5, cx, cy);
    const tilesets::TileId tile = tilesets::tile_at(cx, cy, z);
    const tilesets::MercatorBox box = tilesets::tile_bounds(tile);
    const double width = box.max_x - box.min_x;
    const double mid_x = (box.min_x + box.max_x) / 2, mid_y = (box.min_y + box.max_y) / 2;

    geo::GeosContext context;
    const GEOSContextHandle_t h = context.handle();
    auto source = std::make_shared<tilesets::TileSource>();
    tilesets::SourceLayer coverage = layer("coverage", tilesets::GeometryType::polygon);
    coverage.is_coverage = true;
    tilesets::SourceLayer overlapping = layer("overlapping", tilesets::GeometryType::polygon);
    overlapping.may_drop_small = true;
    tilesets::SourceLayer lines = layer("lines", tilesets::GeometryType::linestring);
    tilesets::SourceLayer points = layer("points", tilesets::GeometryType::point);
    geo::Geometry covered;  // the union of the coverage so far

    while (in.more(2)) {
        const std::uint8_t kind = in.byte();
        const std::size_t count = 1 + in.byte() % 64;
        std::vector<std::pair<double, double>> xy;
        while (xy.size() < count && in.more(2 * 2)) {
            const double dx = in.int16() / 16384.0 * width, dy = in.int16() / 16384.0 * width;
            xy.emplace_back(mid_x + dx, mid_y + dy);
        }
        if (xy.empty()) break;
        switch (kind % 4) {
            case 0:
            case 1: {
                if (xy.size() < 3) break;
                GEOSGeometry* shell = GEOSGeom_createLinearRing_r(h, sequence(h, xy, true));
                geo::Geometry polygon = geo::adopt(context, GEOSGeom_createPolygon_r(h, shell, nullptr, 0), "fuzz polygon");
                geo::PolygonalRepair valid;
                try {
                    valid = geo::make_valid_polygonal(context, std::move(polygon));
                } catch (const geo::GeosError&) {
                    break;  // nothing polygonal (a loader refuses such an area)
                }
                if (kind % 4 == 1) {
                    add(context, overlapping, std::move(valid.geometry));
                    break;
                }
                geo::Geometry part;
                try {  // the coverage is built with GEOS's overlay, which may give up on such input: skip it
                    part = covered ? geo::adopt(context, GEOSDifference_r(h, valid.geometry.get(), covered.get()), "difference")
                                   : geo::adopt(context, GEOSGeom_clone_r(h, valid.geometry.get()), "clone");
                    geo::Geometry grown = covered ? geo::adopt(context, GEOSUnion_r(h, covered.get(), valid.geometry.get()), "union")
                                                  : std::move(valid.geometry);
                    part = geo::make_valid_polygonal(context, std::move(part)).geometry;
                    covered = std::move(grown);
                } catch (const geo::GeosError&) {
                    break;
                }
                add(context, coverage, std::move(part));
                break;
            }
            case 2:
                if (xy.size() < 2) break;
                add(context, lines, geo::adopt(context, GEOSGeom_createLineString_r(h, sequence(h, xy, false)), "fuzz line"));
                break;
            case 3:
                add(context, points, geo::make_point(context, xy.front().first, xy.front().second));
                break;
        }
    }
    for (tilesets::SourceLayer* l : {&coverage, &overlapping, &lines, &points}) {
        for (const auto& f : l->features) {
            source->bounds.expand(f.box);
        }
        source->layers.push_back(std::move(*l));
    }
    source->name = "fuzz";
    tilesets::TileOptions options;
    options.maxzoom = 17;
    const tilesets::TileRenderer renderer(source, options);
    check(renderer.render(tile), tile);
    if (z > 0) {
        const tilesets::TileId parent{z - 1, tile.x / 2, tile.y / 2};
        check(renderer.render(parent), parent);
    }
    const tilesets::TileId child{z + 1, tile.x * 2 + 1, tile.y * 2};
    check(renderer.render(child), child);
    return 0;
}
