// The OGC API - Features handlers, called directly on the hand-made two-squares plan.
#include "geo/crs.hpp"
#include "plan_fixture.hpp"
#include "server/api/features.hpp"
#include "server/api/plan_request.hpp"
#include "features_fixture.hpp"
#include "service_fixture.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using namespace server;
namespace json = boost::json;

using namespace features_fixture;

TEST_CASE("The landing page links to the API, conformance and the collections with absolute hrefs", "[features]") {
    Fixture f;
    const json::value page = f.call(&FeatureHandlers::landing, {}, {}, "application/json");
    CHECK(page.at("title").as_string() == "catchment: two squares");
    CHECK(page.at("attribution").as_string() == "Contains hand-made test data © nobody");
    CHECK(page.at("description").is_string());
    const json::object* desc = find_link(page, "service-desc");
    REQUIRE(desc != nullptr);
    CHECK(desc->at("href").as_string() == "http://example.test:8080/api");
    CHECK(desc->at("type").as_string() == "application/vnd.oai.openapi+json;version=3.0");
    REQUIRE(find_link(page, "self") != nullptr);
    REQUIRE(find_link(page, "conformance") != nullptr);
    CHECK(find_link(page, "conformance")->at("href").as_string() == "http://example.test:8080/conformance");
    REQUIRE(find_link(page, "data") != nullptr);
    CHECK(find_link(page, "data")->at("href").as_string() == "http://example.test:8080/collections");
}

TEST_CASE("Conformance lists Core, OpenAPI 3.0, GeoJSON, CRS by reference, queryables, CQL2 text, sorting and properties", "[features]") {
    Fixture f;
    const json::value page = f.call(&FeatureHandlers::conformance);
    std::vector<std::string> classes;
    for (const json::value& c : page.at("conformsTo").as_array()) classes.emplace_back(c.as_string());
    CHECK(classes == std::vector<std::string>{"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
                                              "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
                                              "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
                                              "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
                                              "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
                                              "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
                                              "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
                                              "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
                                              "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
                                              "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
                                              "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
                                              "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
                                              "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
                                              "http://www.opengis.net/spec/ogcapi-features-8/1.0/conf/sorting",
                                              "http://www.opengis.net/spec/ogcapi-features-6/1.0/conf/properties"});
}

TEST_CASE("Queryables are each collection's fields with their JSON types, and each one filters the items", "[features]") {
    Fixture f;
    const json::value collections = f.call(&FeatureHandlers::collections);
    for (const json::value& c : collections.at("collections").as_array()) {
        const std::string id(c.at("id").as_string());
        INFO("collection " << id);
        const json::object* link = find_link(c, "http://www.opengis.net/def/rel/ogc/1.0/queryables");
        REQUIRE(link != nullptr);
        CHECK(link->at("href").as_string() == "http://example.test:8080/collections/" + id + "/queryables");
        const json::value schema = f.call(&FeatureHandlers::queryables, {{"id", id}}, {}, "application/schema+json");
        CHECK(schema.at("$id").as_string() == link->at("href").as_string());
        CHECK(schema.at("additionalProperties") == false);
        const json::object& properties = schema.at("properties").as_object();
        CHECK(properties.at("geometry").at("x-ogc-role").as_string() == "primary-geometry");
        // The items' properties: the same names, and values of the declared JSON types.
        const json::value items = f.items(id, {{"limit", "1000"}});
        std::vector<std::string> queryable_names;
        for (const auto& property : properties) {
            if (property.key() != "geometry") queryable_names.emplace_back(property.key());
        }
        for (const json::value& feature : items.at("features").as_array()) {
            std::vector<std::string> names;
            for (const auto& [name, value] : feature.at("properties").as_object()) {
                names.emplace_back(name);
                if (value.is_null()) continue;
                const std::string type(properties.at(name).at("type").as_string());
                INFO(name << " = " << json::serialize(value));
                CHECK((type == "string" ? value.is_string()
                       : type == "integer" ? value.is_int64()
                       : type == "number"  ? value.is_number()
                                           : value.is_bool()));
            }
            CHECK(names == queryable_names);
        }
        // Filtering by a queryable with the first feature's value keeps that feature.
        const json::array& features = items.at("features").as_array();
        if (features.empty()) continue;
        const std::string& first = queryable_names.front();
        const json::value& value = features.at(0).at("properties").at(first);
        if (!value.is_string()) continue;
        const json::value filtered = f.items(id, {{first, std::string(value.as_string())}});
        CHECK(filtered.at("numberMatched").to_number<std::int64_t>() >= 1);
    }
    CHECK(f.error(&FeatureHandlers::queryables, {{"id", "nowhere"}}).status() == http::status::not_found);
}

TEST_CASE("The OpenAPI document's enums and limits are the ones the handlers check", "[features]") {
    Fixture f;
    const json::value api = f.call(&FeatureHandlers::api, {}, {}, "application/vnd.oai.openapi+json;version=3.0");
    const json::object& parameters = api.at("components").at("parameters").as_object();
    json::array ids, uris;
    for (const CollectionInfo& info : feature_collections()) ids.emplace_back(info.id);
    for (const ServedCrs& crs : served_crss()) uris.emplace_back(crs.uri);
    CHECK(parameters.at("collectionId").at("schema").at("enum") == ids);
    CHECK(parameters.at("crs").at("schema").at("enum") == uris);
    CHECK(parameters.at("bbox-crs").at("schema").at("enum") == uris);
    CHECK(parameters.at("limit").at("schema").at("maximum").to_number<std::int64_t>() == FeatureHandlers::kMaxLimit);
    const json::value& body =
        api.at("paths").at("/plans").at("post").at("requestBody").at("content").at("application/json").at("schema").at("properties");
    CHECK(body.at("construction_runs").at("maximum").to_number<int>() == PlanRequestLimits::kMaxConstructionRuns);
    CHECK(body.at("sweeps").at("maximum").to_number<int>() == PlanRequestLimits::kMaxSweeps);
    CHECK(body.at("new_practices").at("maxItems").to_number<std::size_t>() == PlanRequestLimits::kMaxNewPractices);
    for (const json::value& method : body.at("method").at("enum").as_array()) {
        CHECK_NOTHROW(geo::catchment_method_from(std::string(method.as_string())));
    }
    CHECK(body.at("method").at("enum").as_array().size() == 3);
}

TEST_CASE("The OpenAPI document declares limit with its default, minimum and maximum", "[features]") {
    Fixture f;
    const json::value api = f.call(&FeatureHandlers::api, {}, {}, "application/vnd.oai.openapi+json;version=3.0");
    CHECK(api.at("openapi").as_string().starts_with("3.0"));
    const json::object& parameters = api.at("components").at("parameters").as_object();
    const json::value& limit = parameters.at("limit").at("schema");
    CHECK(limit.at("default").to_number<int>() == 100);
    CHECK(limit.at("minimum").to_number<int>() == 1);
    CHECK(limit.at("maximum").to_number<int>() == 10000);
    CHECK(parameters.contains("bbox"));
    CHECK(parameters.contains("offset"));
    CHECK(api.at("paths").as_object().contains("/collections/{collectionId}/items"));
    CHECK(parameters.contains("crs"));
    CHECK(parameters.contains("bbox-crs"));
    const std::string items_parameters =
        json::serialize(api.at("paths").at("/collections/{collectionId}/items").at("get").at("parameters"));
    CHECK(items_parameters.find("#/components/parameters/crs") != std::string::npos);
    CHECK(items_parameters.find("#/components/parameters/bbox-crs") != std::string::npos);
    const std::string item_parameters =
        json::serialize(api.at("paths").at("/collections/{collectionId}/items/{featureId}").at("get").at("parameters"));
    CHECK(item_parameters.find("#/components/parameters/crs") != std::string::npos);
    // No remote references.
    CHECK(json::serialize(api).find("\"$ref\":\"http") == std::string::npos);
}

TEST_CASE("The collections carry ids, CRS84 extents and items links", "[features]") {
    Fixture f;
    const json::value page = f.call(&FeatureHandlers::collections);
    std::vector<std::string> names;
    for (const json::value& c : page.at("collections").as_array()) {
        names.emplace_back(c.at("id").as_string());
        CHECK(c.at("itemType").as_string() == "feature");
        CHECK(c.at("attribution").as_string() == "Contains hand-made test data © nobody");
        CHECK(c.at("crs").at(0).as_string() == "http://www.opengis.net/def/crs/OGC/1.3/CRS84");
        const json::object* items = find_link(c, "items");
        REQUIRE(items != nullptr);
        CHECK(items->at("type").as_string() == "application/geo+json");
        CHECK(items->at("href").as_string() == "http://example.test:8080/collections/" + std::string(c.at("id").as_string()) + "/items");
    }
    CHECK(names == std::vector<std::string>{"practices", "areas", "catchments", "networks", "network_borders", "gaps"});

    const json::value areas = f.call(&FeatureHandlers::collection, {{"id", "areas"}});
    const json::array& bbox = areas.at("extent").at("spatial").at("bbox").at(0).as_array();
    REQUIRE(bbox.size() == 4);
    // Two 1 km squares in central London, in lon/lat.
    CHECK(bbox[0].as_double() == Approx(-0.13).margin(0.02));
    CHECK(bbox[1].as_double() == Approx(51.51).margin(0.02));
    CHECK(bbox[2].as_double() > bbox[0].as_double());
    CHECK(bbox[3].as_double() > bbox[1].as_double());
}

TEST_CASE("Items are GeoJSON in CRS84 with the plan writer's properties", "[features]") {
    Fixture f;
    const json::value areas = f.items("areas");
    CHECK(areas.at("type").as_string() == "FeatureCollection");
    CHECK(ids(areas) == std::vector<std::string>{"A1", "A2"});
    const json::value& a1 = areas.at("features").at(0);
    CHECK(a1.at("geometry").at("type").as_string() == "MultiPolygon");
    const json::value& corner = a1.at("geometry").at("coordinates").at(0).at(0).at(0);
    const geo::CrsTransform to_crs84("EPSG:27700", "OGC:CRS84");
    const geo::Point expected = to_crs84.transform({530000, 180000});
    CHECK(corner.at(0).to_number<double>() == Approx(expected.x).margin(1e-7));
    CHECK(corner.at(1).to_number<double>() == Approx(expected.y).margin(1e-7));
    const json::object& properties = a1.at("properties").as_object();
    CHECK(properties.at("area_code").as_string() == "A1");
    CHECK(properties.at("population").as_int64() == 100);
    CHECK(properties.at("network_id").as_string() == "N001");
    CHECK(properties.at("gap").as_bool() == false);
    CHECK(areas.at("numberMatched").as_int64() == 2);
    CHECK(areas.at("numberReturned").as_int64() == 2);
    CHECK(areas.at("timeStamp").is_string());

    const json::value practices = f.items("practices");
    CHECK(ids(practices) == std::vector<std::string>{"P1", "P2", "P3"});
    CHECK(practices.at("features").at(1).at("properties").at("practice_name").as_string() == "Two, \"the\" surgery");
    CHECK(practices.at("features").at(0).at("geometry").at("type").as_string() == "Point");
    CHECK(practices.at("features").at(2).at("properties").at("excluded").as_bool());

    CHECK(ids(f.items("network_borders")) == std::vector<std::string>{"N001-N002"});
    CHECK(ids(f.items("gaps")) == std::vector<std::string>{"A2"});
    const json::value catchments = f.items("catchments");
    CHECK(ids(catchments) == std::vector<std::string>{"P1", "P2", "P3"});
    CHECK(catchments.at("features").at(2).at("geometry").is_null());
}

TEST_CASE("Items page with limit and offset and link next and prev", "[features]") {
    Fixture f;
    const json::value first = f.items("practices", {{"limit", "1"}});
    CHECK(ids(first) == std::vector<std::string>{"P1"});
    CHECK(first.at("numberMatched").as_int64() == 3);
    CHECK(first.at("numberReturned").as_int64() == 1);
    REQUIRE(find_link(first, "next") != nullptr);
    CHECK(find_link(first, "next")->at("href").as_string() ==
          "http://example.test:8080/collections/practices/items?limit=1&offset=1");
    CHECK(find_link(first, "prev") == nullptr);
    CHECK(find_link(first, "self")->at("href").as_string() == "http://example.test:8080/collections/practices/items?limit=1");

    const json::value middle = f.items("practices", {{"offset", "1"}, {"limit", "1"}});
    CHECK(ids(middle) == std::vector<std::string>{"P2"});
    REQUIRE(find_link(middle, "prev") != nullptr);
    CHECK(find_link(middle, "prev")->at("href").as_string() ==
          "http://example.test:8080/collections/practices/items?limit=1&offset=0");
    REQUIRE(find_link(middle, "next") != nullptr);

    const json::value last = f.items("practices", {{"offset", "2"}, {"limit", "5"}});
    CHECK(ids(last) == std::vector<std::string>{"P3"});
    CHECK(find_link(last, "next") == nullptr);
    CHECK(last.at("numberMatched").as_int64() == 3);

    const json::value beyond = f.items("practices", {{"offset", "10"}});
    CHECK(beyond.at("numberReturned").as_int64() == 0);
    CHECK(beyond.at("numberMatched").as_int64() == 3);

    // Above the maximum: clamped, not refused.
    CHECK(f.items("practices", {{"limit", "50000"}}).at("numberReturned").as_int64() == 3);
}

TEST_CASE("The bbox keeps exactly the features that intersect it", "[features]") {
    Fixture f;
    const geo::CrsTransform to_crs84("EPSG:27700", "OGC:CRS84");
    // A box well inside the west square.
    const geo::Point low = to_crs84.transform({530200, 180200});
    const geo::Point high = to_crs84.transform({530800, 180800});
    const std::string west = std::to_string(low.x) + "," + std::to_string(low.y) + "," + std::to_string(high.x) + "," +
                             std::to_string(high.y);
    CHECK(ids(f.items("areas", {{"bbox", west}})) == std::vector<std::string>{"A1"});
    CHECK(ids(f.items("practices", {{"bbox", west}})) == std::vector<std::string>{"P1"});
    CHECK(f.items("network_borders", {{"bbox", west}}).at("numberMatched").as_int64() == 0);
    // Across the shared edge: both squares and the border.
    const geo::Point a = to_crs84.transform({530900, 180400});
    const geo::Point b = to_crs84.transform({531100, 180600});
    const std::string across = std::to_string(a.x) + "," + std::to_string(a.y) + "," + std::to_string(b.x) + "," + std::to_string(b.y);
    CHECK(ids(f.items("areas", {{"bbox", across}})) == std::vector<std::string>{"A1", "A2"});
    CHECK(ids(f.items("network_borders", {{"bbox", across}})) == std::vector<std::string>{"N001-N002"});
    CHECK(f.items("practices", {{"bbox", across}}).at("numberMatched").as_int64() == 0);
    // Far away.
    CHECK(f.items("areas", {{"bbox", "10,10,11,11"}}).at("numberMatched").as_int64() == 0);
}

TEST_CASE("No value is null in the items, not an empty text", "[features]") {
    Fixture f;
    const json::value p3 = f.call(&FeatureHandlers::item, {{"id", "practices"}, {"featureId", "P3"}});
    CHECK(p3.at("properties").at("network_id").is_null());  // excluded: in no network
    CHECK(p3.at("properties").at("network_status").is_null());
    CHECK(p3.at("properties").at("excluded") == true);
    const json::value a1 = f.call(&FeatureHandlers::item, {{"id", "areas"}, {"featureId", "A1"}});
    CHECK(a1.at("properties").at("gap_reason").is_null());
    CHECK(a1.at("properties").at("density").is_null());  // the fixture plan has no area sizes
}

TEST_CASE("Items filter on property equality", "[features]") {
    Fixture f;
    CHECK(ids(f.items("areas", {{"network_id", "N002"}})) == std::vector<std::string>{"A2"});
    CHECK(ids(f.items("networks", {{"status", "in_band"}})) == std::vector<std::string>{"N002"});
    CHECK(ids(f.items("practices", {{"excluded", "true"}})) == std::vector<std::string>{"P3"});
    CHECK(ids(f.items("practices", {{"list_size", "2000"}, {"f", "json"}})) == std::vector<std::string>{"P2"});
    const json::value none = f.items("networks", {{"status", "above_band"}});
    CHECK(none.at("numberMatched").as_int64() == 0);
    const json::value filtered = f.items("areas", {{"network_id", "N001"}, {"limit", "1"}});
    CHECK(find_link(filtered, "self")->at("href").as_string() ==
          "http://example.test:8080/collections/areas/items?network_id=N001&limit=1");
}

TEST_CASE("Bad items parameters are refused with 400 naming the parameter", "[features]") {
    Fixture f;
    const auto check_bad = [&f](const std::string& name, const std::string& value) {
        const HttpError e = f.error(&FeatureHandlers::items, {{"id", "areas"}}, {{name, value}});
        CHECK(e.status() == http::status::bad_request);
        CHECK(e.code() == "InvalidParameterValue");
        CHECK(std::string(e.what()).find("'" + name + "'") != std::string::npos);
    };
    check_bad("bbox", "1,2,3");
    check_bad("bbox", "1,2,3,4,5");
    check_bad("bbox", "a,b,c,d");
    check_bad("bbox", "3,2,1,4");
    check_bad("bbox", "-0.1,51.5,0.0,51051.55");  // found by fuzzing: PROJ's failure was a 500
    check_bad("bbox", "-200,-100,200,100");
    check_bad("bbox", "-5.1,0.5,150,51.55");  // beyond what PROJ carries into EPSG:27700 (leaked a GEOS sequence: make sanitize)
    check_bad("limit", "-1");
    check_bad("limit", "0");
    check_bad("limit", "ten");
    check_bad("limit", "1.5");
    check_bad("offset", "-3");
    check_bad("colour", "red");
    check_bad("f", "html");
    check_bad("practice_code", "P1");  // a property of another collection
}

TEST_CASE("Unknown collections and features are 404", "[features]") {
    Fixture f;
    for (const auto method : {&FeatureHandlers::collection, &FeatureHandlers::items}) {
        const HttpError e = f.error(method, {{"id", "hospitals"}});
        CHECK(e.status() == http::status::not_found);
        CHECK(e.code() == "NotFound");
    }
    const HttpError missing = f.error(&FeatureHandlers::item, {{"id", "areas"}, {"featureId", "E99999999"}});
    CHECK(missing.status() == http::status::not_found);
    CHECK(missing.code() == "NotFound");

    const json::value one = f.call(&FeatureHandlers::item, {{"id", "network_borders"}, {"featureId", "N001-N002"}}, {},
                                   "application/geo+json");
    CHECK(one.at("type").as_string() == "Feature");
    CHECK(one.at("properties").at("network_a").as_string() == "N001");
    CHECK(find_link(one, "self")->at("href").as_string() ==
          "http://example.test:8080/collections/network_borders/items/N001-N002");
}

TEST_CASE("A new state version is served from a fresh cache", "[features]") {
    Fixture f;
    CHECK(f.items("areas").at("numberMatched").as_int64() == 2);
    plan_fixture::Example example = plan_fixture::example();
    example.dataset.areas.pop_back();
    example.plan.areas.pop_back();
    example.plan.coverage.pop_back();
    f.service.install(service_fixture::state_of(std::move(example), 2));
    CHECK(f.items("areas").at("numberMatched").as_int64() == 1);
}

namespace {

constexpr const char* kCrs84Uri = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
constexpr const char* kBngUri = "http://www.opengis.net/def/crs/EPSG/0/27700";
constexpr const char* kMercatorUri = "http://www.opengis.net/def/crs/EPSG/0/3857";

}  // namespace

TEST_CASE("Collections list the three CRSs and the storage CRS", "[features][crs]") {
    Fixture f;
    const std::vector<std::string> expected{kCrs84Uri, kBngUri, kMercatorUri};
    const json::value page = f.call(&FeatureHandlers::collections);
    std::vector<std::string> top;
    for (const json::value& c : page.at("crs").as_array()) top.emplace_back(c.as_string());
    CHECK(top == expected);
    for (const json::value& c : page.at("collections").as_array()) {
        std::vector<std::string> listed;
        for (const json::value& crs : c.at("crs").as_array()) listed.emplace_back(crs.as_string());
        CHECK(listed == expected);
        CHECK(c.at("storageCrs").as_string() == kBngUri);  // the fixture's working CRS
    }
    CHECK(f.call(&FeatureHandlers::collection, {{"id", "areas"}}).at("storageCrs").as_string() == kBngUri);
}

TEST_CASE("Items in EPSG:27700 come back at the fixture's easting and northing with Content-Crs", "[features][crs]") {
    Fixture f;
    const Response response = f.raw(&FeatureHandlers::items, {{"id", "practices"}}, {{"crs", kBngUri}});
    CHECK(response[http::field::content_type] == "application/geo+json");
    CHECK(response["Content-Crs"] == std::string("<") + kBngUri + ">");
    const json::value practices = json::parse(body_text(response));
    const json::value& p1 = practices.at("features").at(0).at("geometry").at("coordinates");
    CHECK(p1.at(0).to_number<double>() == Approx(530500).margin(0.01));
    CHECK(p1.at(1).to_number<double>() == Approx(180500).margin(0.01));
    const json::value& p3 = practices.at("features").at(2).at("geometry").at("coordinates");
    CHECK(p3.at(0).to_number<double>() == Approx(532500).margin(0.01));
    // The next link keeps the crs.
    const json::value paged = f.items("practices", {{"crs", kBngUri}, {"limit", "1"}});
    REQUIRE(find_link(paged, "next") != nullptr);
    CHECK(std::string(find_link(paged, "next")->at("href").as_string()).find("crs=http") != std::string::npos);

    const json::value areas = f.items("areas", {{"crs", kBngUri}});
    const json::value& corner = areas.at("features").at(0).at("geometry").at("coordinates").at(0).at(0).at(0);
    CHECK(corner.at(0).to_number<double>() == Approx(530000).margin(0.01));
    CHECK(corner.at(1).to_number<double>() == Approx(180000).margin(0.01));

    // The default is CRS84, said so in the header too.
    const Response plain = f.raw(&FeatureHandlers::items, {{"id", "practices"}});
    CHECK(plain["Content-Crs"] == std::string("<") + kCrs84Uri + ">");

    const Response one = f.raw(&FeatureHandlers::item, {{"id", "practices"}, {"featureId", "P2"}}, {{"crs", kBngUri}});
    CHECK(one["Content-Crs"] == std::string("<") + kBngUri + ">");
    const json::value p2 = json::parse(body_text(one));
    CHECK(p2.at("geometry").at("coordinates").at(0).to_number<double>() == Approx(531500).margin(0.01));
    CHECK(p2.at("geometry").at("coordinates").at(1).to_number<double>() == Approx(180500).margin(0.01));
    const Response default_one = f.raw(&FeatureHandlers::item, {{"id", "practices"}, {"featureId", "P2"}});
    CHECK(default_one["Content-Crs"] == std::string("<") + kCrs84Uri + ">");
}

TEST_CASE("Items in EPSG:3857 are in web mercator metres", "[features][crs]") {
    Fixture f;
    const Response response = f.raw(&FeatureHandlers::items, {{"id", "practices"}}, {{"crs", kMercatorUri}});
    CHECK(response["Content-Crs"] == std::string("<") + kMercatorUri + ">");
    const json::value practices = json::parse(body_text(response));
    const json::value& p1 = practices.at("features").at(0).at("geometry").at("coordinates");
    const geo::CrsTransform to_mercator("EPSG:27700", "EPSG:3857");
    const geo::Point expected = to_mercator.transform({530500, 180500});
    CHECK(p1.at(0).to_number<double>() == Approx(expected.x).margin(0.01));
    CHECK(p1.at(1).to_number<double>() == Approx(expected.y).margin(0.01));
    // Central London: about -14,000 m east, 6.7 million m north.
    CHECK(p1.at(0).to_number<double>() == Approx(-14000).margin(5000));
    CHECK(p1.at(1).to_number<double>() == Approx(6711000).margin(10000));
}

TEST_CASE("A bbox in EPSG:27700 with bbox-crs selects what the CRS84 bbox does", "[features][crs]") {
    Fixture f;
    const geo::CrsTransform to_crs84("EPSG:27700", "OGC:CRS84");
    for (const auto& [low, high] : std::vector<std::pair<geo::Point, geo::Point>>{
             {{530200, 180200}, {530800, 180800}}, {{530900, 180400}, {531100, 180600}}, {{531200, 180100}, {532900, 180900}}}) {
        const geo::Point a = to_crs84.transform(low);
        const geo::Point b = to_crs84.transform(high);
        const std::string lonlat = std::to_string(a.x) + "," + std::to_string(a.y) + "," + std::to_string(b.x) + "," + std::to_string(b.y);
        const std::string metres = std::to_string(low.x) + "," + std::to_string(low.y) + "," + std::to_string(high.x) + "," +
                                   std::to_string(high.y);
        for (const char* collection : {"areas", "practices", "network_borders"}) {
            INFO(collection << " " << metres);
            const auto expected = ids(f.items(collection, {{"bbox", lonlat}}));
            CHECK(ids(f.items(collection, {{"bbox", metres}, {"bbox-crs", kBngUri}})) == expected);
            // Output in another CRS than the bbox's.
            CHECK(ids(f.items(collection, {{"bbox", metres}, {"bbox-crs", kBngUri}, {"crs", kMercatorUri}})) == expected);
            CHECK(ids(f.items(collection, {{"bbox", lonlat}, {"crs", kBngUri}})) == expected);
        }
    }
    CHECK(ids(f.items("practices", {{"bbox", "530200,180200,530800,180800"}, {"bbox-crs", kBngUri}})) ==
          std::vector<std::string>{"P1"});
    // bbox-crs alone is allowed.
    CHECK(f.items("practices", {{"bbox-crs", kBngUri}}).at("numberMatched").as_int64() == 3);
}

TEST_CASE("An unsupported crs or bbox-crs is a 400 naming it", "[features][crs]") {
    Fixture f;
    for (const char* name : {"crs", "bbox-crs"}) {
        for (const char* value : {"EPSG:4326", "http://www.opengis.net/def/crs/EPSG/0/4326", "[EPSG:2157]", ""}) {
            const HttpError e = f.error(&FeatureHandlers::items, {{"id", "areas"}}, {{name, value}});
            CHECK(e.status() == http::status::bad_request);
            CHECK(e.code() == "InvalidParameterValue");
            CHECK(std::string(e.what()).find(std::string("'") + name + "'") != std::string::npos);
        }
    }
    const HttpError e = f.error(&FeatureHandlers::item, {{"id", "practices"}, {"featureId", "P1"}}, {{"crs", "EPSG:4326"}});
    CHECK(e.status() == http::status::bad_request);
    CHECK(std::string(e.what()).find("'crs'") != std::string::npos);
}

namespace {

/// The body as a client reads it: the whole message as Beast serialises it onto the wire.
template <class Message>
std::string wire_bytes(const Message& message) {
    std::ostringstream out;
    out << message;
    return out.str();
}

}  // namespace

TEST_CASE("Items at the maximum limit are streamed in pieces of about 64 kB, never whole, and framed as HTTP/1.1 chunks", "[features][stream]") {
    Fixture f;
    // 10,000 more areas (10 m squares) in the fixture's state, all owned by P1 in network N001.
    {
        plan_fixture::Example example = plan_fixture::example();
        geo::GeosContext& context = *example.dataset.geos;
        for (int i = 0; i < 10000; ++i) {
            geo::Area a;
            a.code = "X";
            a.code += std::to_string(i);
            a.name = "small";
            a.group = "B1";
            a.population = i;
            const int x = 530000 + (i % 100) * 10;
            const int y = 182000 + (i / 100) * 10;
            std::ostringstream wkt;
            wkt << "POLYGON ((" << x << ' ' << y << ", " << x + 10 << ' ' << y << ", " << x + 10 << ' ' << y + 10 << ", " << x << ' '
                << y + 10 << ", " << x << ' ' << y << "))";
            a.geometry = geo::from_wkt(context, wkt.str());
            example.dataset.areas.push_back(std::move(a));
            example.plan.areas.push_back({.dominant_practice = 0, .dominated_externally = false, .owner = 0, .network = 0});
            example.plan.coverage.emplace_back();
            example.plan.networks[0].areas.push_back(static_cast<std::uint32_t>(example.dataset.areas.size() - 1));
        }
        f.service.install(service_fixture::state_of(std::move(example), 2));
    }
    const Response first = f.raw(&FeatureHandlers::items, {{"id", "areas"}}, {{"limit", "10000"}});
    CHECK(first.chunked());
    CHECK(first.find(http::field::content_length) == first.end());
    REQUIRE(first.body().streamed());
    CHECK(first.body().size() == 0);  // nothing made yet
    // Piece by piece, as the server writes them: none much above 64 kB, together one document.
    std::string whole;
    std::size_t pieces = 0, largest = 0;
    for (bool more = true; more;) {
        std::string piece;
        more = first.body().body_stream()->next(piece);
        whole += piece;
        largest = std::max(largest, piece.size());
        ++pieces;
    }
    CHECK(whole.size() > 2'000'000);
    CHECK(largest < 64 * 1024 + 2048);
    CHECK(pieces >= whole.size() / (64 * 1024 + 2048));  // no piece above the bound, so at least this many
    const json::value document = json::parse(whole);
    CHECK(document.at("numberReturned").as_int64() == 10000);
    CHECK(document.at("numberMatched").as_int64() == 10002);
    CHECK(document.at("features").as_array().size() == 10000);

    // On the wire, through Beast's own serializer, then read back by Beast's parser: the same document.
    const Response second = f.raw(&FeatureHandlers::items, {{"id", "areas"}}, {{"limit", "10000"}});
    const std::string wire = wire_bytes(second);
    CHECK(wire.find("Transfer-Encoding: chunked") != std::string::npos);
    http::response_parser<http::string_body> parser;
    parser.body_limit(100'000'000);
    boost::beast::error_code ec;
    std::size_t used = 0;
    while (used < wire.size() && !ec && !parser.is_done()) used += parser.put(boost::asio::buffer(wire.data() + used, wire.size() - used), ec);
    REQUIRE_FALSE(ec);
    REQUIRE(parser.is_done());
    const json::value reread = json::parse(parser.get().body());
    CHECK(reread.at("features") == document.at("features"));
}

TEST_CASE("Collections too large to keep as GeoJSON are written as they are sent, the same features in every CRS", "[features][stream]") {
    Fixture kept;
    Fixture written;
    auto state = service_fixture::state_of(plan_fixture::example_with_input_fields(), 2);
    state->feature_json_budget = 0;  // nothing kept: every geometry reprojected as the page is written
    written.service.install(state);
    const auto without_time = [](json::value document) {
        document.as_object().erase("timeStamp");
        return document;
    };
    for (const char* collection : {"practices", "areas", "catchments", "networks", "network_borders"}) {
        for (const char* crs : {kCrs84Uri, kBngUri, kMercatorUri}) {
            INFO(collection << " in " << crs);
            const json::value expected = without_time(kept.items(collection, {{"crs", crs}}));
            CHECK(expected.at("numberReturned").as_int64() > 0);
            CHECK(without_time(written.items(collection, {{"crs", crs}})) == expected);
        }
    }
    // A bbox inside the west square picks it alone, either way.
    const Query box{{"bbox", "530100,180100,530900,180900"}, {"bbox-crs", kBngUri}};
    const json::value inside = without_time(written.items("areas", box));
    CHECK(inside.at("numberMatched").as_int64() == 1);
    CHECK(inside == without_time(kept.items("areas", box)));
    const auto one = [](Fixture& f) {
        return json::parse(body_text(f.raw(&FeatureHandlers::item, {{"id", "areas"}, {"featureId", "A1"}})));
    };
    CHECK(one(written) == one(kept));
}
