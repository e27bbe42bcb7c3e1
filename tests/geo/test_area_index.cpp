#include "geo/area_index.hpp"

#include <catch2/catch.hpp>

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
