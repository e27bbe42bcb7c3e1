// Polygon rings: the validity proof the tile builder uses instead of GEOS, checked against GEOS's
// IsValidOp (WKT cases, then thousands of random polygons rounded onto coarse grids, where rounding
// makes spikes, collapses, touches and crossings); the area against GEOSArea to the bit; and the
// packed store's window, which leaves out only rings that miss it.
#include "tilesets/packed_polygons.hpp"
#include "tilesets/polygon_rings.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>

using namespace tilesets;

namespace {

bool geos_valid(geo::GeosContext& context, const PolygonRings& rings) {
    return GEOSisValid_r(context.handle(), to_geos(context, rings).get()) == 1;
}

PolygonRings from(geo::GeosContext& context, const std::string& wkt) { return rings_of(context.handle(), geo::from_wkt(context, wkt).get()); }

/// A star-shaped ring around (cx, cy): `n` points at sorted angles, radii in [r0, r1).
void add_star(PolygonRings& out, std::mt19937& random, double cx, double cy, double r0, double r1, int n, bool shell) {
    std::uniform_real_distribution<double> radius(r0, r1), angle(0, 2 * M_PI);
    std::vector<double> angles(static_cast<std::size_t>(n));
    for (double& a : angles) a = angle(random);
    std::sort(angles.begin(), angles.end());
    if (!shell) std::reverse(angles.begin(), angles.end());
    for (const double a : angles) {
        const double r = radius(random);
        out.points.push_back({cx + r * std::cos(a), cy + r * std::sin(a)});
    }
    out.end_ring(shell);
}

}  // namespace

TEST_CASE("Polygon rings are proven valid only when GEOS finds them valid", "[tiles][validity]") {
    geo::GeosContext context;
    struct Case {
        const char* wkt;
        bool proven;  // what certainly_valid answers
        bool valid;   // what GEOS answers
    };
    const std::vector<Case> cases{
        {"POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))", true, true},
        {"POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2))", true, true},
        {"POLYGON ((0 0, 5 0, 5 0, 10 0, 10 10, 0 10, 0 0))", true, true},                       // a repeated point is no fault
        {"POLYGON ((0 0, 5 0, 10 0, 10 10, 0 10, 0 0))", true, true},                            // nor a straight one
        {"POLYGON ((0.1 0.2, 10.3 0.1, 9.7 10.9, 0.2 9.8, 0.1 0.2))", true, true},               // off the grid: filtered orientation
        {"POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (0 5, 3 4, 3 6, 0 5))", false, true},          // hole touching the shell: GEOS decides
        {"POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))", false, false},                               // bow-tie
        {"POLYGON ((0 0, 10 0, 10 10, 5 10, 5 15, 5 10, 0 10, 0 0))", false, false},             // spike
        {"POLYGON ((0 0, 5 0, 10 0, 0 0))", false, false},                                       // collapsed
        {"POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (20 20, 20 22, 22 22, 20 20))", false, false}, // hole outside its shell
        {"POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (1 1, 1 9, 9 9, 9 1, 1 1), (2 2, 2 3, 3 3, 2 2))", false, false},  // nested holes
        {"POLYGON ((0 0, 10 0, 5 5, 10 10, 0 10, 5 5, 0 0))", false, false},                     // a ring through one vertex twice
        {"POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 4 2, 4 4, 2 2), (4 4, 6 4, 6 6, 4 4))", false, true},  // holes meeting at a point
        {"MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0)), ((20 0, 30 0, 30 10, 20 0)))", true, true},
        {"MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0)), ((5 5, 15 5, 15 15, 5 15, 5 5)))", false, false},  // overlapping parts
        {"MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0)), ((2 2, 3 2, 3 3, 2 2)))", false, false},          // a part inside another
        {"MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0), (1 1, 9 1, 9 9, 1 9, 1 1)), ((2 2, 3 2, 3 3, 2 2)))", true, true},  // in a hole
        {"MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0)), ((10 0, 20 0, 20 10, 10 10, 10 0)))", false, false},  // sharing an edge
        {"MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0)), ((10 10, 20 10, 20 20, 10 10)))", false, true},      // meeting at a point
    };
    for (const Case& c : cases) {
        INFO(c.wkt);
        const PolygonRings rings = from(context, c.wkt);
        CHECK(geos_valid(context, rings) == c.valid);
        CHECK(certainly_valid(rings) == c.proven);
    }
    PolygonRings not_finite = from(context, "POLYGON ((0 0, 10 0, 10 10, 0 0))");
    not_finite.points[1].x = std::numeric_limits<double>::quiet_NaN();
    CHECK_FALSE(certainly_valid(not_finite));
    CHECK_FALSE(certainly_valid(PolygonRings{}));
}

TEST_CASE("Random polygons rounded onto coarse grids: every proof holds in GEOS, and most valid ones are proven", "[tiles][validity]") {
    geo::GeosContext context;
    std::mt19937 random(2026);
    std::uniform_real_distribution<double> centre(-50, 50), unit_of(0.5, 12);
    std::uniform_int_distribution<int> points(3, 60), shape(0, 3);
    std::size_t geos_valid_count = 0, proven = 0, rounded_invalid = 0;
    for (int i = 0; i < 4000; ++i) {
        PolygonRings metres;
        const double cx = centre(random) + 1e5, cy = centre(random) - 3e5;  // away from the origin, like metres in a CRS
        add_star(metres, random, cx, cy, 20, 60, points(random), true);
        const int kind = shape(random);
        if (kind >= 1) add_star(metres, random, cx + centre(random) / 5, cy + centre(random) / 5, 2, 15, points(random), false);  // a hole, maybe astray
        if (kind >= 2) add_star(metres, random, cx + 70 + centre(random), cy + centre(random), 5, 40, points(random), true);      // a second part, maybe overlapping
        if (kind == 3) add_star(metres, random, cx + 3, cy - 2, 1, 6, points(random), false);
        const double unit = unit_of(random);
        for (const bool round : {false, true}) {
            PolygonRings g = metres;
            if (round) {
                for (XY& p : g.points) p = {std::round(p.x / unit), std::round(p.y / unit)};
            }
            const bool valid = geos_valid(context, g);
            const bool sure = certainly_valid(g);
            INFO("polygon " << i << (round ? " on a grid of " + std::to_string(unit) : std::string(" in metres")));
            if (sure) CHECK(valid);  // never a proof of an invalid polygon
            geos_valid_count += valid ? 1 : 0;
            proven += sure ? 1 : 0;
            rounded_invalid += round && !valid ? 1 : 0;
            double geos_area = 0;
            GEOSArea_r(context.handle(), to_geos(context, g).get(), &geos_area);
            CHECK(area_of(g) == geos_area);  // the same sums in the same order: equal to the bit
        }
    }
    CHECK(rounded_invalid > 500);  // the grids do break polygons: the test sees both kinds
    CHECK(static_cast<double>(proven) >= 0.9 * static_cast<double>(geos_valid_count));
}

TEST_CASE("A packed polygon read through a window loses only the rings that miss it", "[tiles][packed]") {
    geo::GeosContext context;
    const auto multi = geo::from_wkt(context,
                                     "MULTIPOLYGON (((0 0, 100 0, 100 100, 0 100, 0 0), (10 10, 10 20, 20 20, 10 10), (80 80, 80 90, 90 90, 80 80)),"
                                     " ((200 0, 300 0, 300 50, 200 0)))");
    PackedPolygons packed;
    packed.add(context.handle(), multi.get());
    CHECK(packed.rings(0).rings.size() == 4);
    const PackedPolygons::Window corner{0, 0, 50, 50};  // the first shell and its first hole only
    const PolygonRings near = packed.rings(0, &corner);
    REQUIRE(near.rings.size() == 2);
    CHECK(near.rings[0].shell);
    CHECK_FALSE(near.rings[1].shell);
    CHECK(near.multi);
    const geo::Geometry whole = packed.geometry(context, 0);
    const geo::Geometry windowed = packed.geometry(context, 0, &corner);
    const geo::Geometry a = geo::adopt(context, GEOSClipByRect_r(context.handle(), whole.get(), 0, 0, 50, 50), "");
    const geo::Geometry b = geo::adopt(context, GEOSClipByRect_r(context.handle(), windowed.get(), 0, 0, 50, 50), "");
    CHECK(GEOSEqualsExact_r(context.handle(), a.get(), b.get(), 0) == 1);
    const PackedPolygons::Window far{1000, 1000, 2000, 2000};
    CHECK(packed.geometry(context, 0, &far) == nullptr);
}
