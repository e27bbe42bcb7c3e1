#include "geo/geos.hpp"

#include <catch2/catch.hpp>

using namespace geo;

TEST_CASE("WKT round-trips through GEOS", "[geos]") {
    GeosContext context;
    const Geometry polygon = from_wkt(context, "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))");
    CHECK(to_wkt(context, polygon.get()) == "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))");
    CHECK(area_of(context, polygon.get()) == Approx(100));
    CHECK_THROWS_WITH(from_wkt(context, "POLYGON ((0 0, 10"), Catch::Contains("reading WKT"));
}

TEST_CASE("A valid polygon is returned unchanged and not counted as repaired", "[geos][make-valid]") {
    GeosContext context;
    const std::string wkt = "MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2)), ((20 0, 30 0, 30 10, 20 0)))";
    PolygonalRepair result = make_valid_polygonal(context, from_wkt(context, wkt));
    CHECK_FALSE(result.repaired);
    CHECK(to_wkt(context, result.geometry.get()) == wkt);
    CHECK(polygon_count(context, result.geometry.get()) == 2);
    CHECK(hole_count(context, result.geometry.get()) == 1);
}

TEST_CASE("A self-intersecting bow-tie is repaired into its two triangles", "[geos][make-valid]") {
    GeosContext context;
    PolygonalRepair result = make_valid_polygonal(context, from_wkt(context, "POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))"));
    CHECK(result.repaired);
    CHECK_THAT(result.reason, Catch::Contains("Self-intersection"));
    CHECK(GEOSisValid_r(context.handle(), result.geometry.get()) == 1);
    CHECK(polygon_count(context, result.geometry.get()) == 2);
    CHECK(area_of(context, result.geometry.get()) == Approx(50));
    // The ring crosses itself at (5 5): the lobes are the left and right triangles.
    const Geometry expected = from_wkt(context, "MULTIPOLYGON (((0 0, 0 10, 5 5, 0 0)), ((5 5, 10 10, 10 0, 5 5)))");
    CHECK(GEOSEquals_r(context.handle(), result.geometry.get(), expected.get()) == 1);
}

TEST_CASE("A polygon whose hole touches its shell is repaired without losing area", "[geos][make-valid]") {
    GeosContext context;
    // The hole shares the shell's edge from (0,5) to (0,8): invalid, but make-valid keeps the area.
    PolygonalRepair result =
        make_valid_polygonal(context, from_wkt(context, "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (0 5, 5 5, 5 8, 0 8, 0 5))"));
    CHECK(result.repaired);
    CHECK(GEOSisValid_r(context.handle(), result.geometry.get()) == 1);
    CHECK(area_of(context, result.geometry.get()) == Approx(100 - 15));
}

TEST_CASE("Non-polygonal input is refused rather than repaired", "[geos][make-valid]") {
    GeosContext context;
    CHECK_THROWS_WITH(make_valid_polygonal(context, from_wkt(context, "LINESTRING (0 0, 1 1)")),
                      Catch::Contains("expected a Polygon or MultiPolygon, got a LineString"));
}

TEST_CASE("Envelopes grow from empty", "[geos]") {
    GeosContext context;
    Envelope box;
    CHECK(box.is_empty);
    box.expand(envelope_of(context, from_wkt(context, "LINESTRING (1 2, 3 -4)").get()));
    box.expand(10, 0);
    CHECK_FALSE(box.is_empty);
    CHECK(box.min_x == 1);
    CHECK(box.min_y == -4);
    CHECK(box.max_x == 10);
    CHECK(box.max_y == 2);
    CHECK(envelope_of(context, from_wkt(context, "POLYGON EMPTY").get()).is_empty);
}
