// The items' CQL2 filters, sortby and CSV against independent readings on the sample (London): GDAL's
// OAPIF driver counting the same selection with its own attribute filter, GDAL's CSV driver reading
// f=csv through /vsicurl/, and the whole collection sorted here.
#include "integration/served.hpp"
#include "paths.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

namespace {

using integration::ProcessResult;
using integration::run_bounded;
namespace json = boost::json;

/// Percent-encodes a query value.
std::string encoded(const std::string& text) {
    std::string out;
    for (const unsigned char c : text) {
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.') {
            out += static_cast<char>(c);
        } else {
            static constexpr char kHex[] = "0123456789ABCDEF";
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        }
    }
    return out;
}

json::value get_json(const integration::Server& server, const std::string& target) {
    const std::string answer = server.body_and_status(target);
    const auto newline = answer.rfind('\n');
    INFO(target << ": " << answer.substr(0, 300));
    REQUIRE(answer.substr(newline + 1) == "200");
    return json::parse(answer.substr(0, newline));
}

/// "Feature Count: N" of an ogrinfo summary.
long feature_count(const std::vector<std::string>& command) {
    const ProcessResult info = run_bounded("300", command);
    INFO(info.err);
    REQUIRE(info.exit_code == 0);
    std::smatch match;
    static const std::regex count(R"(Feature Count: (\d+))");
    REQUIRE(std::regex_search(info.out, match, count));
    return std::stol(match[1]);
}

}  // namespace

TEST_CASE("CQL2 filters count what GDAL's own attribute filter counts over OAPIF", "[serve][clients][gdal][cql2]") {
    integration::Server server;
    struct Case {
        std::string collection, cql2, ogr_where;
    };
    const std::vector<Case> cases = {
        {"practices", "network_status = 'in_band'", "network_status = 'in_band'"},
        {"areas", "population > 2000 AND gap = FALSE", "population > 2000 AND gap = 0"},
        {"networks", "list_size BETWEEN 30000 AND 50000", "list_size BETWEEN 30000 AND 50000"},
        {"practices", "practice_name LIKE '%MEDICAL CENTRE%' OR list_size < 3000", "practice_name LIKE '%MEDICAL CENTRE%' OR list_size < 3000"},
        // The input areas' own fields: the borough's name, and the population the areas file had.
        {"areas", "lad11nm = 'Tower Hamlets' AND src_population > 1500", "lad11nm = 'Tower Hamlets' AND src_population > 1500"},
    };
    for (const Case& c : cases) {
        const json::value page = get_json(server, "/collections/" + c.collection + "/items?limit=1&filter=" + encoded(c.cql2));
        const std::int64_t matched = page.at("numberMatched").as_int64();
        const long by_gdal = feature_count({"ogrinfo", "-ro", "-so", "OAPIF:" + server.url("/"), c.collection, "-where", c.ogr_where});
        INFO(c.collection << ": " << c.cql2);
        CHECK(matched == by_gdal);
        CHECK(matched > 0);
    }
    // ... and the sample itself, read by GDAL, has as many (its population field is areas.population_field).
    CHECK(feature_count({"ogrinfo", "-ro", "-so", (test_paths::sample_dir() / "london.gpkg").string(), "areas", "-where", "lad11nm = 'Tower Hamlets' AND population > 1500"}) ==
          get_json(server, "/collections/areas/items?limit=1&filter=" + encoded("lad11nm = 'Tower Hamlets' AND src_population > 1500"))
              .at("numberMatched")
              .as_int64());
    // The bbox parameter and S_INTERSECTS with the same box agree.
    const std::string box = "-0.08,51.50,-0.02,51.53";
    const json::value by_bbox = get_json(server, "/collections/areas/items?limit=1&bbox=" + box);
    const json::value by_filter =
        get_json(server, "/collections/areas/items?limit=1&filter=" + encoded("S_INTERSECTS(geometry, BBOX(" + box + "))"));
    CHECK(by_bbox.at("numberMatched").as_int64() == by_filter.at("numberMatched").as_int64());
    CHECK(by_bbox.at("numberMatched").as_int64() > 10);
    // A filter the server cannot evaluate is a 400 naming it, never ignored.
    const std::string refused = server.body_and_status("/collections/areas/items?filter=" + encoded("population > 'x'"));
    CHECK_THAT(refused, Catch::EndsWith("\n400") && Catch::Contains("parameter 'filter'"));
}

TEST_CASE("GDAL reads f=csv through /vsicurl/ with every matched feature and its WKT geometry", "[serve][clients][gdal]") {
    integration::Server server;
    const std::string query = "limit=10000&filter=" + encoded("population >= 1500") + "&properties=area_code,population,network_id";
    const json::value page = get_json(server, "/collections/areas/items?" + query);
    const std::int64_t matched = page.at("numberMatched").as_int64();
    REQUIRE(matched > 100);
    const std::string source = "CSV:/vsicurl/" + server.url("/collections/areas/items?f=csv&crs=EPSG:27700&" + query);
    const ProcessResult info = run_bounded("120", {"ogrinfo", "-ro", "-so", "-al", source});
    INFO(info.err);
    REQUIRE(info.exit_code == 0);
    CHECK_THAT(info.out, Catch::Contains("Feature Count: " + std::to_string(matched)));
    CHECK_THAT(info.out, Catch::Contains("area_code: String") && Catch::Contains("population: String") &&
                             Catch::Contains("network_id: String"));
    // The WKT column is read as the geometry: the extent is in British National Grid metres.
    std::smatch extent;
    REQUIRE(std::regex_search(info.out, extent, std::regex(R"(Extent: \((\d+)\.\d+, (\d+)\.\d+\))")));
    CHECK(std::stol(extent[1]) > 500000);
    CHECK(std::stol(extent[2]) > 150000);
}

TEST_CASE("sortby pages through the collection in the order a full sort gives", "[serve][clients]") {
    integration::Server server;
    const json::value all = get_json(server, "/collections/practices/items?limit=10000&properties=list_size");
    std::vector<std::int64_t> sizes;
    for (const json::value& f : all.at("features").as_array()) sizes.push_back(f.at("properties").at("list_size").as_int64());
    std::sort(sizes.rbegin(), sizes.rend());
    std::vector<std::int64_t> paged;
    for (int offset = 0; offset < 30; offset += 10) {
        const json::value page = get_json(server, "/collections/practices/items?sortby=-list_size&limit=10&offset=" + std::to_string(offset));
        for (const json::value& f : page.at("features").as_array()) paged.push_back(f.at("properties").at("list_size").as_int64());
    }
    REQUIRE(paged.size() == 30);
    CHECK(std::equal(paged.begin(), paged.end(), sizes.begin()));
}
