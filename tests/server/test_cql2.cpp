// CQL2 text filters (server/api/cql2): the grammar, SQL's three-valued logic with nulls, the advanced
// comparison operators and S_INTERSECTS with WKT-in literals, each against hand-made features whose
// answers are known; and every refusal says what was wrong.
#include "server/api/cql2.hpp"

#include "geo/crs.hpp"
#include "geo/geos.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace {

using server::cql2::Error;
using server::cql2::Filter;

const geo::LayerSchema& schema() {
    static const geo::LayerSchema kLayer{"things", "Things", "hand-made features", geo::LayerGeometry::polygon, geo::everywhere,
                                         {{"name", "name", geo::FieldType::text, "a name"},
                                          {"size", "size", geo::FieldType::integer, "a whole number"},
                                          {"share", "share", geo::FieldType::real, "a real"},
                                          {"open", "open", geo::FieldType::boolean, "a flag"}}};
    return kLayer;
}

struct Thing {
    std::vector<geo::FieldValue> values;
    std::string wkt;
};

/// Four features: a unit square at the origin, one beside it, one far off, and one with nulls.
std::vector<Thing> things() {
    const double unknown = std::numeric_limits<double>::quiet_NaN();
    return {{{std::string("Bow Health Centre"), std::int64_t{12000}, 0.25, true}, "POLYGON((0 0,1 0,1 1,0 1,0 0))"},
            {{std::string("Bromley by Bow"), std::int64_t{8000}, 0.5, false}, "POLYGON((1 0,2 0,2 1,1 1,1 0))"},
            {{std::string("Céline's 100% practice"), std::int64_t{30000}, 0.75, true}, "POLYGON((10 10,11 10,11 11,10 11,10 10))"},
            {{std::string(), std::int64_t{0}, unknown, false}, "POLYGON((5 5,6 5,6 6,5 6,5 5))"}};
}

/// The indices (0-3) of the things `text` keeps.
std::string kept(const std::string& text) {
    const Filter filter(text, schema());
    geo::GeosContext geos;
    std::string out;
    const std::vector<Thing> all = things();
    for (std::size_t i = 0; i < all.size(); ++i) {
        const geo::Geometry g = geo::from_wkt(geos, all[i].wkt);
        if (filter.matches(all[i].values, g.get())) out += std::to_string(i);
    }
    return out;
}

std::string refusal(const std::string& text) {
    try {
        Filter(text, schema());
    } catch (const Error& e) {
        return e.what();
    }
    return "(accepted)";
}

}  // namespace

TEST_CASE("CQL2 comparisons follow each property's type", "[cql2]") {
    CHECK(kept("size > 10000") == "02");
    CHECK(kept("size >= 8000 AND size <= 12000") == "01");
    CHECK(kept("size <> 8000") == "023");  // size 0 is a value, not null
    CHECK(kept("share < 0.6") == "01");    // NaN is null: neither below nor above
    CHECK(kept("share >= 0.6") == "2");
    CHECK(kept("name = 'Bromley by Bow'") == "1");
    CHECK(kept("name < 'C'") == "01");
    CHECK(kept("open = TRUE") == "02");
    CHECK(kept("open <> true") == "13");
    CHECK(kept("\"size\" = 8000") == "1");
    CHECK(kept("name = 'Céline''s 100% practice'") == "2");
    CHECK(kept("size = 1.2e4") == "0");
}

TEST_CASE("CQL2 AND OR NOT and parentheses with nulls unknown", "[cql2]") {
    CHECK(kept("size > 10000 OR open = FALSE") == "0123");
    CHECK(kept("(size > 10000 OR open = FALSE) AND share < 0.6") == "01");
    CHECK(kept("NOT size > 10000") == "13");
    CHECK(kept("NOT share < 0.6") == "2");  // NOT unknown stays unknown: thing 3 is out
    CHECK(kept("NOT (share < 0.6 OR share >= 0.6)") == "");
    CHECK(kept("share < 0.6 OR size = 0") == "013");  // unknown OR true is true
    CHECK(kept("TRUE") == "0123");
    CHECK(kept("FALSE OR size = 8000") == "1");
    CHECK(kept("open") == "02");  // a boolean property alone is a predicate
    CHECK(kept("NOT open AND size > 0") == "1");
    CHECK(kept("name IS NULL") == "3");
    CHECK(kept("share IS NOT NULL") == "012");
    CHECK(kept("not name is null and size > 9000") == "02");  // keywords in any case
}

TEST_CASE("CQL2 LIKE BETWEEN and IN", "[cql2]") {
    CHECK(kept("name LIKE 'B%'") == "01");
    CHECK(kept("name LIKE '%Bow'") == "1");
    CHECK(kept("name LIKE '%Bow%'") == "01");
    CHECK(kept("name NOT LIKE 'B%'") == "2");  // null is neither like nor not like
    CHECK(kept("name LIKE 'C_line%'") == "2");  // '_' is one character, though 'é' is two bytes
    CHECK(kept("name LIKE '%100\\% practice'") == "2");
    CHECK(kept("name LIKE '%100\\%x%'") == "");
    CHECK(kept("size BETWEEN 8000 AND 12000") == "01");
    CHECK(kept("size NOT BETWEEN 8000 AND 12000") == "23");
    CHECK(kept("share BETWEEN 0 AND 1") == "012");
    CHECK(kept("size IN (8000, 30000)") == "12");
    CHECK(kept("name NOT IN ('Bromley by Bow', 'x')") == "02");
}

TEST_CASE("CQL2 S_INTERSECTS with WKT and BBOX literals", "[cql2]") {
    CHECK(kept("S_INTERSECTS(geometry, POINT(0.5 0.5))") == "0");
    CHECK(kept("S_INTERSECTS(geometry, POINT(1 0.5))") == "01");  // on the shared edge
    CHECK(kept("S_INTERSECTS(geometry, BBOX(0.5, 0.5, 5.5, 5.5))") == "013");
    CHECK(kept("S_INTERSECTS(BBOX(9, 9, 20, 20), geometry)") == "2");
    CHECK(kept("S_INTERSECTS(geometry, LINESTRING(-1 -1, 0.1 0.1))") == "0");
    CHECK(kept("S_INTERSECTS(geometry, POLYGON((1.5 0.5, 3 0.5, 3 3, 1.5 0.5)))") == "1");
    CHECK(kept("S_INTERSECTS(geometry, MULTIPOINT((0.5 0.5), (10.5 10.5)))") == "02");
    CHECK(kept("S_INTERSECTS(geometry, BBOX(0, 0, 2, 2)) AND size > 9000") == "0");
    CHECK(kept("NOT S_INTERSECTS(\"geometry\", BBOX(0, 0, 2, 2))") == "23");
}

TEST_CASE("CQL2 literals are carried from the filter CRS into the working CRS", "[cql2]") {
    // A point given in CRS84 finds the British National Grid square around Big Ben (530268, 179640).
    const geo::CrsTransform to_working("OGC:CRS84", "EPSG:27700");
    const Filter filter("S_INTERSECTS(geometry, POINT(-0.1245 51.5007))", schema(), &to_working);
    geo::GeosContext geos;
    const std::vector<geo::FieldValue> values{std::string("x"), std::int64_t{1}, 0.0, true};
    const geo::Geometry around = geo::from_wkt(geos, "POLYGON((530200 179600,530350 179600,530350 179700,530200 179700,530200 179600))");
    const geo::Geometry elsewhere = geo::from_wkt(geos, "POLYGON((0 0,100 0,100 100,0 100,0 0))");
    CHECK(filter.matches(values, around.get()));
    CHECK_FALSE(filter.matches(values, elsewhere.get()));
    CHECK_FALSE(filter.matches(values, nullptr));  // no geometry: unknown, so out
}

TEST_CASE("CQL2 refusals say what was wrong and where", "[cql2]") {
    CHECK_THAT(refusal("sise > 1"), Catch::Contains("unknown property 'sise'"));
    CHECK_THAT(refusal("size > 'big'"), Catch::Contains("size is a number and cannot be compared with 'big', a string"));
    CHECK_THAT(refusal("name = 3"), Catch::Contains("name is a string"));
    CHECK_THAT(refusal("open > TRUE"), Catch::Contains("booleans are compared with = and <> only"));
    CHECK_THAT(refusal("size >"), Catch::Contains("expected a property, a string, a number or a boolean at character 7"));
    CHECK_THAT(refusal("size > 1 size < 2"), Catch::Contains("expected AND, OR or the end of the filter at character 10"));
    CHECK_THAT(refusal("(size > 1"), Catch::Contains("expected ')'"));
    CHECK_THAT(refusal("name = 'open"), Catch::Contains("a string is not closed"));
    CHECK_THAT(refusal("size LIKE 'x'"), Catch::Contains("LIKE needs a string"));
    CHECK_THAT(refusal("name BETWEEN 'a' AND 'b'"), Catch::Contains("BETWEEN compares numbers"));
    CHECK_THAT(refusal("size IN (1, 'x')"), Catch::Contains("cannot be compared"));
    CHECK_THAT(refusal("S_WITHIN(geometry, POINT(0 0))"), Catch::Contains("only S_INTERSECTS"));
    CHECK_THAT(refusal("S_INTERSECTS(geometry, POINT(0))"), Catch::Contains("is not valid WKT"));
    CHECK_THAT(refusal("S_INTERSECTS(geometry, BBOX(1, 1, 0, 0))"), Catch::Contains("the minimum must not exceed the maximum"));
    CHECK_THAT(refusal("S_INTERSECTS(geometry, BBOX(0, 0, 0, 1, 1, 1))"), Catch::Contains("six numbers"));
    CHECK_THAT(refusal("S_INTERSECTS(name, POINT(0 0))"), Catch::Contains("expected a geometry literal"));
    CHECK_THAT(refusal("geometry = 1"), Catch::Contains("only be tested with S_INTERSECTS"));
    CHECK_THAT(refusal("T_AFTER(x, TIMESTAMP('2020-01-01T00:00:00Z'))"), Catch::Contains("temporal filters are not supported"));
    CHECK_THAT(refusal("CASEI(name) = 'x'"), Catch::Contains("CASEI is not supported"));
    CHECK_THAT(refusal("upper(name) = 'x'"), Catch::Contains("unknown function 'upper'"));
    CHECK_THAT(refusal("size > 1e999"), Catch::Contains("expected a number"));
    CHECK_THAT(refusal("size = 1 AND"), Catch::Contains("at character 13"));
}
