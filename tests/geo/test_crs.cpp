#include "geo/crs.hpp"

#include <catch2/catch.hpp>

using namespace geo;

// Albion Health Centre (F84012): Code-Point Open gives E1 1BU at 534859 E, 181910 N; the ONS
// postcode directory gives -0.057658, 51.520017.
TEST_CASE("British National Grid to WGS 84 in GIS axis order", "[crs]") {
    const CrsTransform to_lonlat("EPSG:27700", "OGC:CRS84");
    const Point p = to_lonlat.transform({534859, 181910});
    CHECK(p.x == Approx(-0.057658).margin(2e-5));
    CHECK(p.y == Approx(51.520017).margin(2e-5));

    const CrsTransform back("EPSG:4326", "EPSG:27700");  // EPSG:4326 is lat/lon officially; we still pass lon, lat
    const Point q = back.transform({-0.057658, 51.520017});
    CHECK(std::hypot(q.x - 534859, q.y - 181910) < 2.0);
}

TEST_CASE("Bounds transform covers the whole box", "[crs]") {
    const CrsTransform to_lonlat("EPSG:27700", "OGC:CRS84");
    Envelope box;
    box.expand(503574, 155850);
    box.expand(561957, 200934);
    const Envelope out = to_lonlat.transform_bounds(box);
    CHECK(out.min_x == Approx(-0.516).margin(0.01));
    CHECK(out.max_y == Approx(51.698).margin(0.01));
    CHECK(to_lonlat.transform_bounds(Envelope{}).is_empty);
}

TEST_CASE("An unknown CRS is a clear error", "[crs]") {
    CHECK_THROWS_WITH(CrsTransform("EPSG:999999", "OGC:CRS84"), Catch::Contains("EPSG:999999"));
}
