// The coverage topology: shared edges, unions walked from boundary segments, and borders; each
// checked against GEOS's own answer on small WKT cases.
#include "geo/coverage.hpp"

#include <catch2/catch.hpp>

using namespace geo;

namespace {

std::vector<Area> areas_from(GeosContext& context, const std::vector<std::string>& wkts) {
    std::vector<Area> areas;
    for (std::size_t i = 0; i < wkts.size(); ++i) {
        Area a;
        a.code = "A";
        a.code += std::to_string(i);  // (not "A" + ...: GCC 12 warns falsely, -Wrestrict)
        a.geometry = from_wkt(context, wkts[i]);
        areas.push_back(std::move(a));
    }
    return areas;
}

/// The unit square with corners (x, y) and (x + 1, y + 1), scaled by `size`.
std::string square(double x, double y, double size = 1) {
    const double x0 = x * size, y0 = y * size, x1 = (x + 1) * size, y1 = (y + 1) * size;
    return "POLYGON ((" + std::to_string(x0) + " " + std::to_string(y0) + ", " + std::to_string(x1) + " " + std::to_string(y0) + ", " +
           std::to_string(x1) + " " + std::to_string(y1) + ", " + std::to_string(x0) + " " + std::to_string(y1) + ", " +
           std::to_string(x0) + " " + std::to_string(y0) + "))";
}

/// GEOS's union of the same areas, to compare with.
Geometry geos_union(GeosContext& context, const std::vector<Area>& areas, const std::vector<std::uint32_t>& set) {
    std::vector<GEOSGeometry*> parts;
    for (const std::uint32_t a : set) parts.push_back(GEOSGeom_clone_r(context.handle(), areas[a].geometry.get()));
    const Geometry all = adopt(context, GEOSGeom_createCollection_r(context.handle(), GEOS_GEOMETRYCOLLECTION, parts.data(),
                                                                    static_cast<unsigned>(parts.size())), "collecting");
    return adopt(context, GEOSUnaryUnion_r(context.handle(), all.get()), "uniting");
}

/// Our union is valid and covers exactly what GEOS's does.
void check_union(GeosContext& context, const std::vector<Area>& areas, const std::vector<std::uint32_t>& set, const std::string& type) {
    const Coverage coverage(context, areas);
    const Geometry ours = coverage.union_of(context, set);
    REQUIRE(ours);
    CHECK(GEOSisValid_r(context.handle(), ours.get()) == 1);
    CHECK(type_name(context, ours.get()) == type);
    const Geometry reference = geos_union(context, areas, set);
    const Geometry difference = adopt(context, GEOSSymDifference_r(context.handle(), ours.get(), reference.get()), "comparing");
    CHECK(area_of(context, difference.get()) == Approx(0).margin(1e-9));
    CHECK(area_of(context, ours.get()) == Approx(area_of(context, reference.get())));
}

}  // namespace

TEST_CASE("Coverage: neighbours share exactly their common edges", "[coverage]") {
    GeosContext context;
    // Two squares side by side, and a third below the first only.
    const auto areas = areas_from(context, {square(0, 1, 100), square(1, 1, 100), square(0, 0, 100)});
    const Coverage coverage(context, areas);
    REQUIRE(coverage.links().size() == 2);
    CHECK(coverage.links()[0].a == 0);
    CHECK(coverage.links()[0].b == 1);
    CHECK(coverage.links()[0].length == Approx(100));
    CHECK(coverage.links()[1].a == 0);
    CHECK(coverage.links()[1].b == 2);
    CHECK(coverage.area(1) == Approx(10000));
    CHECK(coverage.perimeter(1) == Approx(400));
    CHECK(coverage.irregular_neighbours(0).empty());
}

TEST_CASE("Coverage: an edge with a vertex on one side only is shared all the same, and marked irregular", "[coverage]") {
    GeosContext context;
    // The left square's right edge has an extra vertex at (100 50); the right square's does not.
    const auto areas = areas_from(context, {"POLYGON ((0 0, 100 0, 100 50, 100 100, 0 100, 0 0))", square(1, 0, 100)});
    const Coverage coverage(context, areas);
    REQUIRE(coverage.links().size() == 1);
    CHECK(coverage.links()[0].length == Approx(100));
    CHECK(coverage.irregular_neighbours(0) == std::vector<std::uint32_t>{1});
    // A union holding both sides of an irregular edge is left to GEOS.
    CHECK_FALSE(coverage.union_of(context, std::vector<std::uint32_t>{0, 1}));
    CHECK(coverage.union_of(context, std::vector<std::uint32_t>{0}));
}

TEST_CASE("Coverage unions: a block, an L, a ring with a hole, squares touching at a corner, a pinched hole", "[coverage]") {
    GeosContext context;
    std::vector<std::string> grid;  // a 3 x 3 grid of 10 m squares, row by row from the bottom left
    for (int y = 0; y < 3; ++y) {
        for (int x = 0; x < 3; ++x) grid.push_back(square(x, y, 10));
    }
    const auto areas = areas_from(context, grid);
    check_union(context, areas, {0, 1, 3, 4}, "Polygon");                    // a 2 x 2 block
    check_union(context, areas, {0, 1, 2, 5, 8}, "Polygon");                 // an L
    check_union(context, areas, {0, 1, 2, 3, 5, 6, 7, 8}, "Polygon");        // the ring round the centre: a hole
    check_union(context, areas, {0, 4}, "MultiPolygon");                     // touching at one corner only
    check_union(context, areas, {0, 2, 6, 8}, "MultiPolygon");               // apart
    check_union(context, areas, {0, 1, 2, 3, 5, 6, 7}, "Polygon");           // a C round the centre
    check_union(context, areas, {1, 3, 4, 5, 7}, "Polygon");                 // a plus
    const Coverage coverage(context, areas);
    const Geometry ring = coverage.union_of(context, std::vector<std::uint32_t>{0, 1, 2, 3, 5, 6, 7, 8});
    CHECK(GEOSGetNumInteriorRings_r(context.handle(), ring.get()) == 1);
}

TEST_CASE("Coverage unions: a shell pinched round a hole at one vertex becomes a shell and a touching hole", "[coverage]") {
    GeosContext context;
    // A 4 x 4 grid of 10 m squares. The set is everything but square (1,1) and square (2,2); those
    // two meet at one corner, so the outside they form is one hole pinched at (20 20).
    std::vector<std::string> grid;
    for (int y = 0; y < 4; ++y) {
        for (int x = 0; x < 4; ++x) grid.push_back(square(x, y, 10));
    }
    const auto areas = areas_from(context, grid);
    std::vector<std::uint32_t> set;
    for (std::uint32_t i = 0; i < 16; ++i) {
        if (i != 5 && i != 10) set.push_back(i);
    }
    check_union(context, areas, set, "Polygon");
}

TEST_CASE("Coverage borders: the lines between differently labelled groups, merged", "[coverage]") {
    GeosContext context;
    std::vector<std::string> grid;  // 2 x 2 squares of 10 m
    for (int y = 0; y < 2; ++y) {
        for (int x = 0; x < 2; ++x) grid.push_back(square(x, y, 10));
    }
    const auto areas = areas_from(context, grid);
    const Coverage coverage(context, areas);
    // Left column one group, right column another: one straight 20 m border.
    const auto borders = coverage.borders(context, {0, 1, 0, 1});
    REQUIRE(borders.size() == 1);
    CHECK(borders[0].label_a == 0);
    CHECK(borders[0].label_b == 1);
    CHECK(borders[0].length == Approx(20));
    CHECK(type_name(context, borders[0].line.get()) == "LineString");
    // Areas labelled -1 are left out.
    CHECK(coverage.borders(context, {0, -1, 0, -1}).empty());
}
