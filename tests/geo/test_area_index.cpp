#include "geo/area_index.hpp"
#include "geo/point_buckets.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace geo;

namespace {
std::vector<Area> two_squares(GeosContext& context) {
    std::vector<Area> areas(2);
    areas[0].code = "west";
    areas[0].geometry = from_wkt(context, "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))");
    areas[1].code = "east";
    areas[1].geometry = from_wkt(context, "POLYGON ((10 0, 20 0, 20 10, 10 10, 10 0), (14 4, 16 4, 16 6, 14 6, 14 4))");
    return areas;
}
}  // namespace

TEST_CASE("AreaIndex finds the area under a point", "[area-index]") {
    GeosContext context;
    const std::vector<Area> areas = two_squares(context);
    const AreaIndex index(context, areas);
    CHECK(index.locate({5, 5}) == std::optional<std::size_t>(0));
    CHECK(index.locate({12, 8}) == std::optional<std::size_t>(1));
    SECTION("a point on a shared edge goes to the lower index") { CHECK(index.locate({10, 5}) == std::optional<std::size_t>(0)); }
    SECTION("holes and the outside belong to no area") {
        CHECK_FALSE(index.locate({15, 5}).has_value());
        CHECK_FALSE(index.locate({-1, 5}).has_value());
        CHECK_FALSE(index.locate({5, 10.5}).has_value());
    }
}

TEST_CASE("PointBuckets finds the points within reach, also with cells far smaller than the coordinates", "[point-buckets]") {
    const std::vector<Point> points{{530000, 180000}, {530400, 180000}, {531000, 180000}, {-1e8, 1e8}};
    const auto within = [&](double cell, Point at, double reach) {
        const PointBuckets buckets(points, cell);
        std::vector<std::uint32_t> found;
        buckets.near(at, reach, [&](std::uint32_t i, double) { found.push_back(i); });
        std::sort(found.begin(), found.end());
        return found;
    };
    CHECK(within(500, {530100, 180000}, 500) == std::vector<std::uint32_t>{0, 1});
    CHECK(within(500, {-1e8, 1e8}, 1).size() == 1);
    // A cell of 1e-300 m puts every coordinate beyond the cells' range: they saturate, never overflow the cast
    // (UBSan's float-cast-overflow), and a query still finds a point where it stands.
    CHECK(within(1e-300, {-1e8, 1e8}, 1e-300) == std::vector<std::uint32_t>{3});
}
