// The MVT encoder, the coverage generalisation and the tile cache. Encoded tiles are decoded with
// @mapbox/vector-tile (tests/js/decode_tile.mjs), not with our own code.
#include "integration/process.hpp"
#include "paths.hpp"
#include "tilesets/coverage_simplifier.hpp"
#include "tilesets/mvt_encoder.hpp"
#include "tilesets/tile_cache.hpp"
#include "tilesets/prerender.hpp"
#include "tilesets/tile_renderer.hpp"
#include "tilesets/tile_source.hpp"
#include "tilesets/two_squares.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <cmath>

#include <fstream>

using namespace tilesets;

namespace {

/// Decodes tile bytes with the JS reader; returns the first file's entry.
boost::json::value decode(const std::string& bytes) {
    const std::filesystem::path file = std::filesystem::temp_directory_path() / ("catchment-mvt-" + std::to_string(::getpid()) + ".mvt");
    std::ofstream(file, std::ios::binary) << bytes;
    const auto r = integration::run("node", {(test_paths::source_dir() / "tests/js/decode_tile.mjs").string(), file.string()});
    std::filesystem::remove(file);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return boost::json::parse(r.out).as_array().at(0);
}

}  // namespace

TEST_CASE("Command integers and zig-zag parameters follow MVT 2.1 section 4.3", "[mvt]") {
    CHECK(command_integer(1, 1) == 9);    // MoveTo(1), the spec's example
    CHECK(command_integer(2, 3) == 26);   // LineTo(3)
    CHECK(command_integer(7, 1) == 15);   // ClosePath
    CHECK(zigzag(0) == 0);
    CHECK(zigzag(-1) == 1);
    CHECK(zigzag(1) == 2);
    CHECK(zigzag(-2) == 3);
    CHECK(zigzag(2147483647) == 4294967294u);
}

TEST_CASE("An encoded layer decodes with @mapbox/vector-tile to the same features and properties", "[mvt][js]") {
    const std::vector<std::string> keys = {"name", "size", "share", "gap"};
    LayerEncoder layer("things", keys, 4096);
    TileGeometry square{GeometryType::polygon, {{{0, 0}, {10, 0}, {10, 10}, {0, 10}}, {{2, 2}, {2, 4}, {4, 4}, {4, 2}}}};
    TileGeometry line{GeometryType::linestring, {{{1, 1}, {5, 1}, {5, 9}}}};
    TileGeometry points{GeometryType::point, {{{25, 17}, {3, -2}}}};
    layer.add(7, square, {std::string("a"), std::int64_t{40000}, 0.5, true});
    layer.add(8, line, {std::string("a"), std::int64_t{-3}, 0.25, false});
    layer.add(9, points, {std::string(), std::int64_t{40000}, std::nan(""), true});  // no value (geo::is_null): the key is left out
    const boost::json::value tile = decode(encode_tile({layer.finish()}));
    const auto& l = tile.at("layers").as_array().at(0);
    CHECK(l.at("name").as_string() == "things");
    CHECK(l.at("version").to_number<int>() == 2);
    CHECK(l.at("extent").to_number<int>() == 4096);
    CHECK(l.at("values").as_array().size() == 7);  // "a" 40000 0.5 true -3 0.25 false: the third feature adds none
    const auto& f = l.at("features").as_array();
    REQUIRE(f.size() == 3);
    CHECK(f[0].at("id").to_number<int>() == 7);
    CHECK(f[0].at("type").to_number<int>() == 3);
    CHECK(f[0].at("properties").at("size").to_number<std::int64_t>() == 40000);
    CHECK(f[0].at("properties").at("gap").as_bool());
    CHECK(f[0].at("ring_area").as_array().at(0).to_number<double>() > 0);   // exterior: clockwise with y down
    CHECK(f[0].at("ring_area").as_array().at(1).to_number<double>() < 0);   // hole
    CHECK(f[0].at("polygons").as_array().size() == 1);
    CHECK(f[1].at("properties").at("size").to_number<std::int64_t>() == -3);
    CHECK(boost::json::serialize(f[1].at("geometry")) == "[[[1,1],[5,1],[5,9]]]");
    CHECK(boost::json::serialize(f[2].at("geometry")) == "[[[25,17]],[[3,-2]]]");
    CHECK_FALSE(f[2].at("properties").as_object().contains("name"));
    CHECK_FALSE(f[2].at("properties").as_object().contains("share"));
    CHECK(f[2].at("properties").at("size").to_number<std::int64_t>() == 40000);
}

TEST_CASE("The encoder refuses geometry the spec forbids and cites the section", "[mvt]") {
    const std::vector<std::string> keys;
    LayerEncoder layer("bad", keys, 4096);
    TileGeometry backwards{GeometryType::polygon, {{{0, 0}, {0, 10}, {10, 10}, {10, 0}}}};  // negative area first
    CHECK_THROWS_WITH(layer.add(1, backwards, {}), Catch::Contains("MVT 2.1 section 4.3.4.4"));
    TileGeometry short_line{GeometryType::linestring, {{{0, 0}}}};
    CHECK_THROWS_WITH(layer.add(2, short_line, {}), Catch::Contains("MVT 2.1 section 4.3.4.3"));
    CHECK(layer.finish().empty());
}

TEST_CASE("Neighbouring polygons keep identical shared vertices when generalised", "[generalisation]") {
    geo::GeosContext context;
    // Two squares sharing a wiggly edge; the left one has a hole.
    const std::string edge = "10 0, 10.3 1, 9.8 2, 10.2 3, 9.9 4, 10.4 5, 10 6, 9.7 7, 10.1 8, 10.2 9, 10 10";
    const auto left = geo::from_wkt(context, "POLYGON ((0 0, " + edge + ", 0 10, 0 0), (2 2, 4 2, 4 4, 2 4, 2 2))");
    const auto right = geo::from_wkt(context, "POLYGON ((" + edge + ", 20 10, 20 0, 10 0))");
    REQUIRE(GEOSisValid_r(context.handle(), left.get()) == 1);
    REQUIRE(GEOSisValid_r(context.handle(), right.get()) == 1);
    const CoverageSimplifier simplifier(context, {left.get(), right.get()});
    CHECK(simplifier.arc_count() == 4);  // the shared edge, each square's outer edge, and the hole
    for (const double tolerance : {0.1, 0.5, 2.0}) {
        const auto result = simplifier.simplify(context, tolerance, true);
        REQUIRE(result.polygons.size() == 2);
        const geo::Geometry a = to_geos(context, result.polygons[0]);
        const geo::Geometry b = to_geos(context, result.polygons[1]);
        CHECK(GEOSisValid_r(context.handle(), a.get()) == 1);
        CHECK(GEOSisValid_r(context.handle(), b.get()) == 1);
        const geo::Geometry overlap = geo::adopt(context, GEOSIntersection_r(context.handle(), a.get(), b.get()), "");
        CHECK(geo::area_of(context, overlap.get()) == Approx(0).margin(1e-12));
        const geo::Geometry both = geo::adopt(context, GEOSUnion_r(context.handle(), a.get(), b.get()), "");
        CHECK(geo::area_of(context, both.get()) == Approx(200 - 4));  // no sliver opened between them
        REQUIRE(result.shared.size() == 1);
        CHECK(result.shared[0].a == 0);
        CHECK(result.shared[0].b == 1);
        // The shared line lies exactly on both polygons' boundaries.
        const geo::Geometry boundary = geo::adopt(context, GEOSBoundary_r(context.handle(), b.get()), "");
        CHECK(GEOSCovers_r(context.handle(), boundary.get(), result.shared[0].lines.get()) == 1);
    }
    CHECK(simplifier.simplify(context, 2.0).stats.points_out < simplifier.simplify(context, 0.0).stats.points_out);
}

TEST_CASE("Douglas-Peucker keeps the ends and the far points", "[generalisation]") {
    const std::vector<double> xs = {0, 1, 2, 3, 4}, ys = {0, 0.1, 5, 0.1, 0};
    CHECK(douglas_peucker(xs, ys, 1.0) == std::vector<std::size_t>{0, 2, 4});  // (1, 0.1) is 0.89 from the chord (0 0)-(2 5)
    CHECK(douglas_peucker(xs, ys, 10) == std::vector<std::size_t>{0, 4});
    CHECK(douglas_peucker(xs, ys, 0) == std::vector<std::size_t>{0, 1, 2, 3, 4});
}

TEST_CASE("The tile cache is bounded by bytes and evicts the least recently used", "[cache]") {
    TileCache cache(3 * (1000 + 128));
    auto tile = [](char c) { return std::make_shared<CachedTile>(CachedTile{std::string(600, c), std::string(400, c)}); };
    cache.insert(1, {1, 0, 0}, tile('a'));
    cache.insert(1, {1, 0, 1}, tile('b'));
    cache.insert(1, {1, 1, 0}, tile('c'));
    CHECK(cache.find(1, {1, 0, 0}) != nullptr);  // 'a' is now the most recent
    cache.insert(1, {1, 1, 1}, tile('d'));       // evicts 'b'
    CHECK(cache.find(1, {1, 0, 1}) == nullptr);
    CHECK(cache.find(1, {1, 0, 0})->raw[0] == 'a');
    CHECK(cache.find(2, {1, 0, 0}) == nullptr);  // another dataset version never sees it
    const TileCacheStats s = cache.stats();
    CHECK(s.tiles == 3);
    CHECK(s.evictions == 1);
    CHECK(s.bytes <= cache.max_bytes());
    CHECK(s.hits == 2);
    CHECK(s.misses == 2);
    cache.insert(1, {2, 0, 0}, std::make_shared<CachedTile>(CachedTile{std::string(10000, 'x'), {}}));  // larger than the budget
    CHECK(cache.find(1, {2, 0, 0}) == nullptr);
}

TEST_CASE("Pre-rendering fills the cache with the low zooms of a small coverage", "[cache][prerender]") {
    const auto source = two_square_networks();
    const TileRenderer renderer(source, TileOptions{});
    TileCache cache(64 << 20);
    const std::size_t rendered = prerender(renderer, cache, 7, 0, 6, 2);
    CHECK(rendered >= 7);  // at least one tile a zoom
    CHECK(cache.stats().tiles == rendered);
    const auto z6 = cache.find(7, tile_at(0, 6710000, 6));
    REQUIRE(z6 != nullptr);
    CHECK_FALSE(z6->raw.empty());
    CHECK(z6->gzip.substr(0, 2) == "\x1f\x8b");
    const boost::json::value decoded = decode(z6->raw);
    CHECK(decoded.at("layers").as_array().at(0).at("features").as_array().size() == 2);
    CHECK(cache.find(8, tile_at(0, 6710000, 6)) == nullptr);  // another version
}

TEST_CASE("A tile source's fingerprint is the same for the same content and changes with any value or geometry", "[tiles][fingerprint]") {
    const auto a = two_square_networks();
    const auto b = two_square_networks();
    CHECK(fingerprint(*a) == fingerprint(*b));
    auto value = two_square_networks();
    value->layers.front().features.front().values.front() = PropertyValue(std::string("renamed"));
    CHECK(fingerprint(*value) != fingerprint(*a));
    auto geometry = two_square_networks();
    geo::GeosContext context;
    geometry->layers.front().features.front().geometry =
        geo::from_wkt(context, "POLYGON ((0 6700000, 1000 6700000, 1000 6701000, 0 6701000, 0 6700000))");
    CHECK(fingerprint(*geometry) != fingerprint(*a));
    auto order = two_square_networks();
    std::swap(order->layers.front().features.front().id, order->layers.front().features.back().id);
    CHECK(fingerprint(*order) != fingerprint(*a));
}
