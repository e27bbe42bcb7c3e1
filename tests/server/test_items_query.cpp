// The items' CQL2 filter, sortby, properties and f=csv, and byte ranges, through the handlers on the
// hand-made two-squares plan (P1 list 1000 at x 530500, P2 "Two, "the" surgery" 2000, P3 excluded 500).
#include "features_fixture.hpp"
#include "geo/crs.hpp"
#include "server/api/cql2.hpp"
#include "server/api/items_query.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace features_fixture;

namespace {

/// The items' ids for a CQL2 text filter.
std::vector<std::string> filtered(Fixture& f, const std::string& collection, const std::string& filter, Query more = {}) {
    more.emplace_back("filter", filter);
    return ids(f.items(collection, std::move(more)));
}

}  // namespace

TEST_CASE("A CQL2 filter keeps what the equivalent property filter keeps", "[features][cql2]") {
    Fixture f;
    CHECK(filtered(f, "practices", "excluded = true") == ids(f.items("practices", {{"excluded", "true"}})));
    CHECK(filtered(f, "areas", "network_id = 'N002'") == ids(f.items("areas", {{"network_id", "N002"}})));
    CHECK(filtered(f, "practices", "list_size >= 1000") == std::vector<std::string>{"P1", "P2"});
    CHECK(filtered(f, "practices", "list_size BETWEEN 400 AND 1500 AND NOT excluded") == std::vector<std::string>{"P1"});
    CHECK(filtered(f, "practices", "practice_name LIKE 'Two,%'") == std::vector<std::string>{"P2"});
    CHECK(filtered(f, "practices", "practice_code IN ('P3', 'P1')") == std::vector<std::string>{"P1", "P3"});
    CHECK(filtered(f, "practices", "network_id IS NULL") == std::vector<std::string>{"P3"});
    CHECK(filtered(f, "practices", "list_size > 0", {{"filter-lang", "cql2-text"}, {"limit", "1"}}) == std::vector<std::string>{"P1"});
    const json::value page = f.items("practices", {{"filter", "list_size > 0"}, {"limit", "1"}});
    CHECK(page.at("numberMatched").as_int64() == 3);
    // The next page keeps the filter.
    CHECK(std::string(find_link(page, "next")->at("href").as_string()).find("filter=list_size%20%3E%200") != std::string::npos);
}

TEST_CASE("S_INTERSECTS reads literals in CRS84 or filter-crs and agrees with bbox", "[features][cql2]") {
    Fixture f;
    const geo::CrsTransform to_crs84("EPSG:27700", "OGC:CRS84");
    const geo::Point low = to_crs84.transform({530200, 180200});
    const geo::Point high = to_crs84.transform({530800, 180800});
    const std::string box = std::to_string(low.x) + "," + std::to_string(low.y) + "," + std::to_string(high.x) + "," + std::to_string(high.y);
    CHECK(filtered(f, "areas", "S_INTERSECTS(geometry, BBOX(" + box + "))") == ids(f.items("areas", {{"bbox", box}})));
    CHECK(filtered(f, "areas", "S_INTERSECTS(geometry, POINT(531500 180500))", {{"filter-crs", "EPSG:27700"}}) ==
          std::vector<std::string>{"A2"});
    CHECK(filtered(f, "practices", "S_INTERSECTS(geometry, BBOX(530000, 180000, 532000, 181000)) AND list_size < 1500",
                   {{"filter-crs", "http://www.opengis.net/def/crs/EPSG/0/27700"}}) == std::vector<std::string>{"P1"});
}

TEST_CASE("Bad filters are 400s naming the parameter and the fault", "[features][cql2]") {
    Fixture f;
    const auto description = [&](Query query) {
        const HttpError e = f.error(&FeatureHandlers::items, {{"id", "practices"}}, std::move(query));
        CHECK(e.status() == http::status::bad_request);
        return std::string(e.what());
    };
    CHECK_THAT(description({{"filter", "list_sise > 1"}}), Catch::Contains("parameter 'filter': unknown property 'list_sise'"));
    CHECK_THAT(description({{"filter", "list_size > 'many'"}}), Catch::Contains("cannot be compared"));
    CHECK_THAT(description({{"filter", " "}}), Catch::Contains("parameter 'filter': is empty"));
    CHECK_THAT(description({{"filter", "list_size > 1"}, {"filter-lang", "cql2-json"}}),
               Catch::Contains("parameter 'filter-lang': unsupported filter language 'cql2-json'"));
    CHECK_THAT(description({{"filter", "list_size > 1"}, {"filter-crs", "EPSG:4326x"}}), Catch::Contains("parameter 'filter-crs'"));
    CHECK_THAT(description({{"sortby", "-nothing"}}), Catch::Contains("parameter 'sortby': no property 'nothing'"));
    CHECK_THAT(description({{"sortby", "list_size,,"}}), Catch::Contains("parameter 'sortby': expected a comma-separated list"));
    CHECK_THAT(description({{"properties", "list_size,geometry"}}), Catch::Contains("parameter 'properties': no property 'geometry'"));
    CHECK_THAT(description({{"f", "xml"}}), Catch::Contains("expected json or csv"));
}

TEST_CASE("sortby orders by each key in turn with nulls last", "[features]") {
    Fixture f;
    CHECK(ids(f.items("practices", {{"sortby", "-list_size"}})) == std::vector<std::string>{"P2", "P1", "P3"});
    CHECK(ids(f.items("practices", {{"sortby", "+list_size"}})) == std::vector<std::string>{"P3", "P1", "P2"});
    CHECK(ids(f.items("practices", {{"sortby", "practice_name"}})) == std::vector<std::string>{"P1", "P3", "P2"});
    // network_id is null for P3: last whichever the direction; P1 and P2 tie on network name order, then list size.
    CHECK(ids(f.items("practices", {{"sortby", "-network_id"}})).back() == "P3");
    CHECK(ids(f.items("practices", {{"sortby", "network_id"}})).back() == "P3");
    CHECK(ids(f.items("practices", {{"sortby", "excluded,-list_size"}})) == std::vector<std::string>{"P2", "P1", "P3"});
    // Paging applies to the sorted list.
    CHECK(ids(f.items("practices", {{"sortby", "-list_size"}, {"offset", "1"}, {"limit", "1"}})) == std::vector<std::string>{"P1"});
}

TEST_CASE("properties selects the properties written", "[features]") {
    Fixture f;
    const json::value page = f.items("practices", {{"properties", "list_size, practice_code,list_size"}});
    for (const json::value& feature : page.at("features").as_array()) {
        const json::object& properties = feature.at("properties").as_object();
        CHECK(properties.size() == 2);
        CHECK(properties.contains("practice_code"));
        CHECK(properties.at("list_size").is_int64());
        CHECK(feature.at("geometry").at("type").as_string() == "Point");
    }
    // Nulls stay null.
    const json::value p3 = f.items("practices", {{"properties", "network_id"}, {"excluded", "true"}});
    CHECK(p3.at("features").at(0).at("properties").at("network_id").is_null());
}

TEST_CASE("f=csv writes a row per feature with the geometry as WKT", "[features]") {
    Fixture f;
    const RouteContext context{f.request, {{"id", "practices"}}, {{"f", "csv"}, {"sortby", "-list_size"}, {"limit", "2"}}};
    const Response response = f.handlers.items(context);
    CHECK(response.result() == http::status::ok);
    CHECK(response[http::field::content_type] == "text/csv; charset=utf-8");
    CHECK(response["OGC-NumberMatched"] == "3");
    CHECK(response["OGC-NumberReturned"] == "2");
    CHECK(std::string(response[http::field::link]).find(R"(rel="next")") != std::string::npos);
    CHECK(response[http::field::content_length] == std::to_string(response.body().size()));
    const std::string text = body_text(response);
    INFO(text);
    CHECK(text.rfind("id,practice_code,practice_name,list_size,", 0) == 0);
    CHECK(text.find(",WKT\r\n") != std::string::npos);
    CHECK(text.find("\r\nP2,P2,\"Two, \"\"the\"\" surgery\",2000,") != std::string::npos);  // RFC 4180 quoting
    CHECK(text.find("POINT (") != std::string::npos);
    CHECK(text.find("P3") == std::string::npos);  // beyond the limit

    const RouteContext selected{f.request, {{"id", "practices"}}, {{"f", "csv"}, {"properties", "list_size"}, {"crs", "EPSG:27700"}}};
    const std::string rows = body_text(f.handlers.items(selected));
    CHECK(rows.rfind("id,list_size,WKT\r\nP1,1000,POINT (530500 180500)\r\n", 0) == 0);
}

TEST_CASE("The input areas' fields are queryables that filter and sort and go into CSV", "[features][cql2]") {
    Fixture f;  // areas with borough_name, src_population (population clashes), households (null in A2), imd_score
    const json::value schema = f.call(&FeatureHandlers::queryables, {{"id", "areas"}}, {}, "application/schema+json");
    const json::object& properties = schema.at("properties").as_object();
    CHECK(properties.at("borough_name").at("type").as_string() == "string");
    CHECK(properties.at("src_population").at("type").as_string() == "integer");
    CHECK(properties.at("imd_score").at("type").as_string() == "number");
    CHECK(properties.at("borough_name").at("description").as_string() == "The field 'borough_name' of the input areas");
    CHECK(filtered(f, "areas", "borough_name = 'Camden'") == std::vector<std::string>{"A2"});
    CHECK(filtered(f, "areas", "src_population < 150 AND imd_score > 10") == std::vector<std::string>{"A1"});
    CHECK(filtered(f, "areas", "households IS NULL") == std::vector<std::string>{"A2"});
    CHECK(ids(f.items("areas", {{"borough_name", "Westminster"}})) == std::vector<std::string>{"A1"});
    CHECK(ids(f.items("areas", {{"sortby", "-imd_score"}})) == std::vector<std::string>{"A2", "A1"});
    CHECK(ids(f.items("areas", {{"sortby", "-households"}})) == std::vector<std::string>{"A1", "A2"});  // null last
    const json::value a2 = f.items("areas", {{"properties", "borough_name,households"}, {"borough_name", "Camden"}});
    CHECK(a2.at("features").at(0).at("properties").at("households").is_null());
    const RouteContext csv{f.request, {{"id", "areas"}}, {{"f", "csv"}, {"properties", "area_code,borough_name,src_population"}}};
    const std::string rows = body_text(f.handlers.items(csv));
    INFO(rows);
    CHECK(rows.rfind("id,area_code,borough_name,src_population,WKT\r\nA1,A1,Westminster,110,\"POLYGON", 0) == 0);
    // The practices too; the networks have no input layer.
    CHECK(f.items("practices", {{"limit", "1"}}).at("features").at(0).at("properties").at("postcode").as_string() == "E1 1BU");
    CHECK(f.error(&FeatureHandlers::items, {{"id", "networks"}}, {{"filter", "borough_name = 'Camden'"}}).status() == http::status::bad_request);
}

TEST_CASE("Byte ranges of whole responses follow RFC 9110", "[features][http]") {
    Fixture f;
    const RouteContext context{f.request, {}, {}};
    const Response whole = f.handlers.collections(context);
    const std::string all = body_text(whole);
    const auto ranged = [&](const std::string& range) {
        Request request = f.request;
        request.set(http::field::range, range);
        Response response = f.handlers.collections(RouteContext{request, {}, {}});
        apply_byte_range(request, response);
        return response;
    };
    const Response first = ranged("bytes=0-9");
    CHECK(first.result() == http::status::partial_content);
    CHECK(body_text(first) == all.substr(0, 10));
    CHECK(first[http::field::content_range] == "bytes 0-9/" + std::to_string(all.size()));
    CHECK(body_text(ranged("bytes=-5")) == all.substr(all.size() - 5));
    CHECK(body_text(ranged("bytes=10-")) == all.substr(10));
    CHECK(body_text(ranged("bytes=5-999999999")) == all.substr(5));
    const Response beyond = ranged("bytes=999999999-");
    CHECK(beyond.result() == http::status::range_not_satisfiable);
    CHECK(beyond[http::field::content_range] == "bytes */" + std::to_string(all.size()));
    CHECK_THAT(body_text(beyond), Catch::Contains("RangeNotSatisfiable"));
    // Several ranges, or nonsense: the whole body, as the RFC allows.
    CHECK(ranged("bytes=0-1,5-6").result() == http::status::ok);
    CHECK(ranged("lines=1-2").result() == http::status::ok);
    CHECK(ranged("bytes=9-3").result() == http::status::ok);
    CHECK(ranged("bytes=0-9")[http::field::accept_ranges] == "bytes");
}
