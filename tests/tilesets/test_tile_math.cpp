#include "tilesets/tile_math.hpp"

#include <catch2/catch.hpp>

using namespace tilesets;

TEST_CASE("Tile bounds: z0 is the whole Mercator square", "[tile-math]") {
    const MercatorBox world = tile_bounds({0, 0, 0});
    CHECK(world.min_x == Approx(-kMercatorHalfWorld));
    CHECK(world.max_y == Approx(kMercatorHalfWorld));
    const MercatorBox north_west = tile_bounds({1, 0, 0});
    CHECK(north_west.max_x == Approx(0).margin(1e-6));
    CHECK(north_west.min_y == Approx(0).margin(1e-6));
}

TEST_CASE("The tile under Albion Health Centre at z14 is the published one", "[tile-math]") {
    double x = 0, y = 0;
    lonlat_to_mercator(-0.057658, 51.520017, x, y);
    // z14 tile for lon -0.057658, lat 51.520017: x = floor((lon+180)/360 * 2^14) = 8189,
    // y = floor((1 - ln(tan(lat) + sec(lat))/pi) / 2 * 2^14) = 5447.
    CHECK(tile_at(x, y, 14) == TileId{14, 8189, 5447});
    const MercatorBox box = tile_bounds({14, 8189, 5447});
    CHECK(box.min_x <= x);
    CHECK(x < box.max_x);
    CHECK(box.min_y < y);
    CHECK(y <= box.max_y);
}

TEST_CASE("Mercator round-trips and clamps the poles", "[tile-math]") {
    double x = 0, y = 0, lon = 0, lat = 0;
    lonlat_to_mercator(-0.5, 51.5, x, y);
    mercator_to_lonlat(x, y, lon, lat);
    CHECK(lon == Approx(-0.5));
    CHECK(lat == Approx(51.5));
    lonlat_to_mercator(0, 90, x, y);
    CHECK(y == Approx(kMercatorHalfWorld));
}

TEST_CASE("Tile ranges over a box - and the TMS flip", "[tile-math]") {
    const TileRange all = tiles_covering({-kMercatorHalfWorld, -kMercatorHalfWorld, kMercatorHalfWorld, kMercatorHalfWorld}, 3);
    CHECK(all.count() == 64);
    CHECK(flip_row(0, 3) == 7);
    CHECK(flip_row(flip_row(5, 10), 10) == 5);
}

TEST_CASE("Out-of-range tiles are refused", "[tile-math]") {
    CHECK_THROWS_AS(check_tile({2, 4, 0}), TileError);
    CHECK_THROWS_WITH(check_tile({40, 0, 0}), Catch::Contains("zoom 40 is outside 0..30"));
    CHECK_NOTHROW(check_tile({2, 3, 3}));
}
