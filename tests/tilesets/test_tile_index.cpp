// The renderer's two stores: the grid index of feature boxes (checked against a scan of every box)
// and the packed grid polygons (WKT in, the same geometry out).
#include "tilesets/feature_grid.hpp"
#include "tilesets/packed_polygons.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace tilesets;

TEST_CASE("The feature grid finds exactly the boxes a scan finds, in feature order, at every zoom", "[tiles][index]") {
    std::mt19937 random(7);
    // Boxes over southern England, from a few metres to 80 km across, and one empty.
    std::uniform_real_distribution<double> x(-600000, 200000), y(6400000, 7000000), size(5, 80000);
    std::vector<MercatorBox> boxes;
    for (int i = 0; i < 3000; ++i) {
        const double x0 = x(random), y0 = y(random);
        boxes.push_back({x0, y0, x0 + size(random), y0 + size(random)});
    }
    boxes.push_back({1, 1, 0, 0});
    // A box the size of the world and one of southern England, amid the others: millions of z12 cells
    // (found by fuzzing: listing them under every cell took minutes), kept apart and still found in order.
    boxes.insert(boxes.begin() + 1000, {-2e7, -2e7, 2e7, 2e7});
    boxes.insert(boxes.begin() + 2000, {-600000, 6400000, 200000, 7000000});
    const FeatureGrid grid(boxes, 12);
    CHECK(grid.entries() >= boxes.size() - 3);
    CHECK(grid.entries() < 100 * boxes.size());  // the world box alone would be 16.7 million
    std::vector<std::uint32_t> found;
    for (int z = 5; z <= 16; ++z) {
        for (int q = 0; q < 40; ++q) {
            const TileId tile = tile_at(x(random), y(random), z);
            MercatorBox box = tile_bounds(tile);
            const double pad = (box.max_x - box.min_x) * 64.5 / 4096;
            box = {box.min_x - pad, box.min_y - pad, box.max_x + pad, box.max_y + pad};
            std::vector<std::uint32_t> expected;
            for (std::uint32_t i = 0; i < boxes.size(); ++i) {
                const MercatorBox& b = boxes[i];
                if (b.min_x <= b.max_x && b.min_x <= box.max_x && box.min_x <= b.max_x && b.min_y <= box.max_y && box.min_y <= b.max_y) {
                    expected.push_back(i);
                }
            }
            grid.candidates(box, found);
            INFO("tile " << tile.z << "/" << tile.x << "/" << tile.y);
            CHECK(found == expected);
        }
    }
}

TEST_CASE("Packed grid polygons come back as the polygons packed, type, holes and area kept", "[tiles][packed]") {
    geo::GeosContext context;
    const auto polygon = geo::from_wkt(context, "POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0), (10 10, 10 20, 20 20, 10 10))");
    const auto multi = geo::from_wkt(context, "MULTIPOLYGON (((-5000000000 7, -4999999990 7, -4999999990 17, -5000000000 7)), ((3 3, 4 3, 4 4, 3 3)))");
    PackedPolygons packed;
    packed.add(context.handle(), polygon.get());
    packed.add(context.handle(), nullptr);
    packed.add(context.handle(), multi.get());
    REQUIRE(packed.size() == 3);
    CHECK(packed.present(0));
    CHECK_FALSE(packed.present(1));
    CHECK(packed.area(0) == Approx(100 * 100 - 50));
    CHECK(packed.area(2) == Approx(50.5));
    const auto first = packed.geometry(context, 0);
    const auto third = packed.geometry(context, 2);
    CHECK(GEOSEqualsExact_r(context.handle(), first.get(), polygon.get(), 0) == 1);
    CHECK(GEOSGeomTypeId_r(context.handle(), first.get()) == GEOS_POLYGON);
    CHECK(GEOSEqualsExact_r(context.handle(), third.get(), multi.get(), 0) == 1);
    CHECK(GEOSGeomTypeId_r(context.handle(), third.get()) == GEOS_MULTIPOLYGON);
    CHECK(packed.geometry(context, 1) == nullptr);
    std::vector<std::size_t> ring_sizes;
    packed.for_each_ring(0, [&](std::size_t, std::size_t, const std::vector<GridPoint>& points) { ring_sizes.push_back(points.size()); });
    CHECK(ring_sizes == std::vector<std::size_t>{4, 3});  // open rings: the closing point is not stored
    CHECK(packed.bytes() < 200);

    const auto off_grid = geo::from_wkt(context, "POLYGON ((0 0, 1.5 0, 1 1, 0 0))");
    CHECK_THROWS_WITH(packed.add(context.handle(), off_grid.get()), Catch::Contains("not a whole grid unit"));
}
