// The coverage endpoints as pure handlers over the hand-made two-squares plan: /gaps and
// /practices/{code}/catchment.
#include "server/api/routes.hpp"

#include "plan_fixture.hpp"
#include "service_fixture.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <functional>
#include <set>

using namespace server;
namespace json = boost::json;

namespace {

/// A service holding the fixture's dataset and plan, after `edit` changes the plan.
std::unique_ptr<Service> fixture_service(const std::function<void(plan_fixture::Example&)>& edit = {}) {
    plan_fixture::Example example = plan_fixture::example();
    if (edit) edit(example);
    auto service = std::make_unique<Service>(1 << 20);
    service->install(service_fixture::state_of(std::move(example)));
    return service;
}

Request get(const std::string& target) {
    Request request{http::verb::get, target, 11};
    request.set(http::field::host, "maps.example:8080");
    return request;
}

struct Answer {
    http::status status;
    json::value body;
};

Answer ask(const Service& service, const std::string& target) {
    Router router;
    add_coverage_routes(router, service);
    const Response response = router.handle(get(target));
    if (response.result() == http::status::ok) CHECK(response[http::field::content_type] == "application/geo+json");
    return {response.result(), json::parse(body_text(response))};
}

std::set<std::string> codes(const json::value& collection) {
    std::set<std::string> out;
    for (const json::value& feature : collection.at("features").as_array()) {
        out.insert(std::string(feature.at("properties").at("area_code").as_string()));
    }
    return out;
}

std::int64_t feature_people(const json::value& collection) {
    std::int64_t sum = 0;
    for (const json::value& feature : collection.at("features").as_array()) {
        sum += feature.at("properties").at("population").as_int64();
    }
    return sum;
}

}  // namespace

TEST_CASE("/gaps with the default threshold returns exactly the plan's gap areas", "[coverage-routes]") {
    auto service = fixture_service();
    const Answer answer = ask(*service, "/gaps");
    REQUIRE(answer.status == http::status::ok);
    const json::value& body = answer.body;
    CHECK(body.at("type").as_string() == "FeatureCollection");
    CHECK(codes(body) == std::set<std::string>{"A2"});
    const json::value& feature = body.at("features").at(0);
    CHECK(feature.at("id").as_string() == "A2");
    const json::value& properties = feature.at("properties");
    CHECK(properties.at("area_name").as_string() == "east");
    CHECK(properties.at("network_id").as_string() == "N002");
    CHECK(properties.at("nearest_practice").as_string() == "P2");
    CHECK(properties.at("nearest_practice_m").to_number<double>() == 1700);
    CHECK(properties.at("gap_reason").as_string() == "farther than 1600 m from any practice (urban area)");
    CHECK(properties.at("gap_criteria").as_string() == "distance");
    CHECK(properties.at("accessibility").to_number<double>() == 4.0);
    CHECK(properties.at("rural").as_bool() == false);
    // The east square in CRS84: a MultiPolygon near London with 7 decimals at most.
    const json::value& geometry = feature.at("geometry");
    CHECK(geometry.at("type").as_string() == "MultiPolygon");
    const json::array& ring = geometry.at("coordinates").at(0).at(0).as_array();
    CHECK(ring.size() == 5);
    const double lon = ring.at(0).at(0).to_number<double>();
    const double lat = ring.at(0).at(1).to_number<double>();
    CHECK(lon > -0.2);
    CHECK(lon < 0.0);
    CHECK(lat > 51.4);
    CHECK(lat < 51.6);

    const json::value& summary = body.at("summary");
    CHECK(summary.at("thresholds").at("urban_distance_m").to_number<double>() == 1600);
    CHECK(body.at("name").as_string() == "gaps");  // GDAL names the layer after it
    CHECK(body.at("numberMatched").as_int64() == 1);
    CHECK(body.at("numberReturned").as_int64() == 1);
    CHECK(summary.at("areas").as_int64() == 1);
    CHECK(summary.at("people").as_int64() == feature_people(body));
    CHECK(summary.at("people").as_int64() == 200);
    const json::array& by_network = summary.at("by_network").as_array();
    REQUIRE(by_network.size() == 1);
    CHECK(by_network.at(0).at("network_id").as_string() == "N002");
    CHECK(by_network.at(0).at("areas").as_int64() == 1);
    CHECK(by_network.at(0).at("people").as_int64() == 200);

    // A repeated request (served from the cached geometries) answers the same.
    Router router;
    add_coverage_routes(router, *service);
    const Response first = router.handle(get("/gaps"));
    const Response second = router.handle(get("/gaps"));
    CHECK(body_text(first) == body_text(second));
}

TEST_CASE("/gaps thresholds: max_distance_m and min_population filter the areas", "[coverage-routes]") {
    auto service = fixture_service();
    const Answer zero = ask(*service, "/gaps?max_distance_m=0");
    REQUIRE(zero.status == http::status::ok);
    CHECK(codes(zero.body) == std::set<std::string>{"A2"});  // A1 is 0 m from P1
    CHECK(zero.body.at("features").at(0).at("properties").at("gap_reason").as_string() == "farther than 0 m from any practice (urban area)");
    CHECK(zero.body.at("summary").at("thresholds").at("rural_distance_m").to_number<double>() == 0);

    const Answer far = ask(*service, "/gaps?max_distance_m=2000");
    REQUIRE(far.status == http::status::ok);
    CHECK(codes(far.body).empty());
    CHECK(far.body.at("summary").at("areas").as_int64() == 0);
    CHECK(far.body.at("summary").at("people").as_int64() == 0);
    CHECK(far.body.at("summary").at("by_network").as_array().empty());

    const Answer big = ask(*service, "/gaps?max_distance_m=0&min_population=201");
    REQUIRE(big.status == http::status::ok);
    CHECK(codes(big.body).empty());
    const Answer enough = ask(*service, "/gaps?min_population=200");
    REQUIRE(enough.status == http::status::ok);
    CHECK(codes(enough.body) == std::set<std::string>{"A2"});
}

TEST_CASE("/gaps includes areas outside every network whatever the distance", "[coverage-routes]") {
    auto service = fixture_service([](plan_fixture::Example& e) { e.plan.areas[0].network = -1; });
    const Answer answer = ask(*service, "/gaps?max_distance_m=5000");
    REQUIRE(answer.status == http::status::ok);
    CHECK(codes(answer.body) == std::set<std::string>{"A1"});
    const json::value& properties = answer.body.at("features").at(0).at("properties");
    CHECK(properties.at("network_id").is_null());
    CHECK(properties.at("gap_reason").as_string() == "outside every network");

    const Answer both = ask(*service, "/gaps");
    REQUIRE(both.status == http::status::ok);
    CHECK(codes(both.body) == std::set<std::string>{"A1", "A2"});
    const json::value& summary = both.body.at("summary");
    CHECK(summary.at("areas").as_int64() == 2);
    CHECK(summary.at("people").as_int64() == feature_people(both.body));
    const json::array& by_network = summary.at("by_network").as_array();
    REQUIRE(by_network.size() == 2);
    CHECK(by_network.at(0).at("network_id").as_string() == "N002");
    CHECK(by_network.at(1).at("network_id").is_null());
    CHECK(by_network.at(1).at("people").as_int64() == 100);
}

TEST_CASE("/gaps rejects bad and unknown parameters with 400 naming them", "[coverage-routes]") {
    auto service = fixture_service();
    for (const std::string target : {"/gaps?max_distance_m=-1", "/gaps?max_distance_m=abc", "/gaps?max_distance_m=",
                                     "/gaps?max_distance_m=nan", "/gaps?max_distance_m=12m"}) {
        const Answer answer = ask(*service, target);
        INFO(target);
        CHECK(answer.status == http::status::bad_request);
        CHECK(answer.body.at("code").as_string() == "InvalidParameterValue");
        CHECK(std::string(answer.body.at("description").as_string()).find("max_distance_m") != std::string::npos);
    }
    const Answer population = ask(*service, "/gaps?min_population=-5");
    CHECK(population.status == http::status::bad_request);
    CHECK(std::string(population.body.at("description").as_string()).find("min_population") != std::string::npos);
    const Answer unknown = ask(*service, "/gaps?radius=3");
    CHECK(unknown.status == http::status::bad_request);
    CHECK(unknown.body.at("code").as_string() == "InvalidParameterValue");
    CHECK(std::string(unknown.body.at("description").as_string()).find("radius") != std::string::npos);
}

TEST_CASE("/gaps criteria: accessibility threshold and percentile, several criteria, and travel times", "[coverage-routes]") {
    auto service = fixture_service([](plan_fixture::Example& e) {
        // Minutes to the nearest practice: A1 is 3 minutes away, A2 12.
        e.plan.coverage[0].nearest_practice_min = 3;
        e.plan.coverage[1].nearest_practice_min = 12;
        e.dataset.travel_times = {{0, 0, 3.0}, {1, 1, 12.0}};
    });
    // A1 has 12.5 per 1,000, A2 4.0.
    const Answer poor = ask(*service, "/gaps?criteria=accessibility&min_accessibility=5");
    REQUIRE(poor.status == http::status::ok);
    CHECK(codes(poor.body) == std::set<std::string>{"A2"});
    const json::value& p = poor.body.at("features").at(0).at("properties");
    CHECK(p.at("gap_criteria").as_string() == "accessibility");
    CHECK(p.at("gap_reason").as_string() == "accessibility 4 per 1,000 residents, below 5");
    CHECK(poor.body.at("summary").at("thresholds").at("accessibility_cut").to_number<double>() == 5);
    const Answer all = ask(*service, "/gaps?criteria=accessibility&min_accessibility=13");
    CHECK(codes(all.body) == std::set<std::string>{"A1", "A2"});
    // Percentile by residents: A2's 200 of 300 residents are the poorest two thirds.
    const Answer percentile = ask(*service, "/gaps?criteria=accessibility&accessibility_percentile=50");
    CHECK(codes(percentile.body) == std::set<std::string>{"A2"});
    CHECK(percentile.body.at("summary").at("thresholds").at("accessibility_cut").to_number<double>() == 4.0);
    // Travel time: beyond 10 minutes.
    const Answer minutes = ask(*service, "/gaps?criteria=travel_time&max_minutes=10");
    REQUIRE(minutes.status == http::status::ok);
    CHECK(codes(minutes.body) == std::set<std::string>{"A2"});
    CHECK(minutes.body.at("features").at(0).at("properties").at("gap_reason").as_string() == "more than 10 minutes from any practice");
    CHECK(minutes.body.at("features").at(0).at("properties").at("nearest_practice_min").to_number<double>() == 12);
    // Several criteria: each gap says which it meets, and the summary counts people per criterion.
    const Answer several = ask(*service, "/gaps?max_distance_m=1000&max_minutes=2&min_accessibility=5");
    REQUIRE(several.status == http::status::ok);
    CHECK(codes(several.body) == std::set<std::string>{"A1", "A2"});
    const json::array& features = several.body.at("features").as_array();
    CHECK(features.at(0).at("properties").at("gap_criteria").as_string() == "travel_time");
    CHECK(features.at(1).at("properties").at("gap_criteria").as_string() == "distance,travel_time,accessibility");
    const json::value& summary = several.body.at("summary");
    CHECK(summary.at("criteria").as_array().size() == 4);  // the plan's two, and the two the query sets
    const json::array& by_criterion = summary.at("by_criterion").as_array();
    REQUIRE(by_criterion.size() == 3);
    CHECK(by_criterion.at(0).at("criterion").as_string() == "distance");
    CHECK(by_criterion.at(0).at("people").as_int64() == 200);
    CHECK(by_criterion.at(1).at("criterion").as_string() == "travel_time");
    CHECK(by_criterion.at(1).at("people").as_int64() == 300);
    CHECK(summary.at("share").to_number<double>() == 1.0);
    // Groups: the default constraint group, or any area field of the layer.
    const json::array& groups = summary.at("by_group").as_array();
    REQUIRE(groups.size() == 1);
    CHECK(groups.at(0).at("group").as_string() == "B1");
    CHECK(groups.at(0).at("population").as_int64() == 300);
    const Answer by_name = ask(*service, "/gaps?max_distance_m=0&group_by=area_name");
    CHECK(by_name.body.at("summary").at("by_group").as_array().size() == 1);  // A1 is 0 m from P1: only east
    CHECK(by_name.body.at("summary").at("by_group").at(0).at("group").as_string() == "east");
    // Without travel times in the study the criterion is refused.
    auto plain = fixture_service();
    const Answer refused = ask(*plain, "/gaps?criteria=travel_time&max_minutes=10");
    CHECK(refused.status == http::status::bad_request);
    CHECK_THAT(std::string(refused.body.at("description").as_string()), Catch::Contains("max_minutes") && Catch::Contains("no travel times"));
    const Answer missing = ask(*plain, "/gaps?criteria=accessibility");
    CHECK(missing.status == http::status::bad_request);
    CHECK_THAT(std::string(missing.body.at("description").as_string()), Catch::Contains("min_accessibility or accessibility_percentile"));
    const Answer both = ask(*plain, "/gaps?max_distance_m=100&rural_distance_m=300");
    CHECK(both.status == http::status::bad_request);
}

TEST_CASE("/gaps pages with limit and offset, filters by bbox and links the pages", "[coverage-routes]") {
    auto service = fixture_service();
    const Answer first = ask(*service, "/gaps?max_distance_m=0&limit=1");
    REQUIRE(first.status == http::status::ok);
    CHECK(first.body.at("numberMatched").as_int64() == 1);
    auto everything = fixture_service([](plan_fixture::Example& e) { e.plan.areas[0].network = -1; });
    const Answer page1 = ask(*everything, "/gaps?limit=1");
    REQUIRE(page1.status == http::status::ok);
    CHECK(page1.body.at("numberMatched").as_int64() == 2);
    CHECK(page1.body.at("numberReturned").as_int64() == 1);
    CHECK(codes(page1.body) == std::set<std::string>{"A1"});
    CHECK(page1.body.at("summary").at("areas").as_int64() == 2);  // the summary covers every page
    std::string next;
    for (const json::value& link : page1.body.at("links").as_array()) {
        if (link.at("rel").as_string() == "next") next = std::string(link.at("href").as_string());
    }
    CHECK(next == "http://maps.example:8080/gaps?limit=1&offset=1");
    const Answer page2 = ask(*everything, "/gaps?limit=1&offset=1");
    CHECK(codes(page2.body) == std::set<std::string>{"A2"});
    bool has_prev = false, has_next = false;
    for (const json::value& link : page2.body.at("links").as_array()) {
        has_prev = has_prev || link.at("rel").as_string() == "prev";
        has_next = has_next || link.at("rel").as_string() == "next";
    }
    CHECK(has_prev);
    CHECK_FALSE(has_next);
    // A box on the west square only (530000-531000 E, 180000-181000 N: -0.1284 to -0.1136 lon).
    const Answer boxed = ask(*everything, "/gaps?bbox=-0.15,51.49,-0.12,51.52");
    REQUIRE(boxed.status == http::status::ok);
    CHECK(codes(boxed.body) == std::set<std::string>{"A1"});
    CHECK(ask(*everything, "/gaps?bbox=1,2,3").status == http::status::bad_request);
    CHECK(ask(*everything, "/gaps?offset=-1").status == http::status::bad_request);
}

TEST_CASE("/gaps/suggestions answers points with the suggestion layer's fields", "[coverage-routes]") {
    auto service = fixture_service();
    const Answer answer = ask(*service, "/gaps/suggestions?count=2&list_size=500");
    REQUIRE(answer.status == http::status::ok);
    CHECK(answer.body.at("name").as_string() == "gap_suggestions");
    CHECK(answer.body.at("summary").at("people").as_int64() == 200);
    for (const json::value& f : answer.body.at("features").as_array()) {
        CHECK(f.at("geometry").at("type").as_string() == "Point");
        CHECK(f.at("properties").at("list_size").as_int64() == 500);
        CHECK(f.at("properties").at("gap_capacity_gained").to_number<double>() > 0);
    }
    CHECK(ask(*service, "/gaps/suggestions?count=0").status == http::status::bad_request);
    CHECK(ask(*service, "/gaps/suggestions?count=101").status == http::status::bad_request);
    CHECK(ask(*service, "/gaps/suggestions?limit=3").status == http::status::bad_request);
    CHECK(ask(*service, "/gaps?count=3").status == http::status::bad_request);  // only suggestions take count
}

TEST_CASE("/practices/{code}/catchment returns the catchment and core catchment", "[coverage-routes]") {
    auto service = fixture_service();
    const Answer one = ask(*service, "/practices/P1/catchment");
    REQUIRE(one.status == http::status::ok);
    const json::array& features = one.body.at("features").as_array();
    REQUIRE(features.size() == 2);
    CHECK(features.at(0).at("id").as_string() == "P1-catchment");
    CHECK(features.at(1).at("id").as_string() == "P1-core");
    const json::value& properties = features.at(0).at("properties");
    CHECK(properties.at("practice_code").as_string() == "P1");
    CHECK(properties.at("practice_name").as_string() == "One");
    CHECK(properties.at("kind").as_string() == "catchment");
    CHECK(properties.at("method").as_string() == "registrations");
    CHECK(properties.at("area_count").as_int64() == 1);
    CHECK(properties.at("population").as_int64() == 100);
    CHECK(properties.at("registered").as_int64() == 800);
    CHECK(properties.at("share").to_number<double>() == Approx(0.8));
    CHECK(properties.at("network_id").as_string() == "N001");
    CHECK(features.at(1).at("properties").at("kind").as_string() == "core");
    CHECK(features.at(0).at("geometry").at("type").as_string() == "MultiPolygon");
    CHECK(features.at(0).at("geometry").at("coordinates").as_array().size() == 1);

    // P2 has a catchment but no core catchment; its name needs escaping.
    const Answer two = ask(*service, "/practices/P2/catchment");
    REQUIRE(two.status == http::status::ok);
    REQUIRE(two.body.at("features").as_array().size() == 1);
    CHECK(two.body.at("features").at(0).at("properties").at("practice_name").as_string() == "Two, \"the\" surgery");
    CHECK(two.body.at("features").at(0).at("properties").at("population").as_int64() == 200);

    // P3 (excluded) has an empty catchment: no geometry, no network.
    const Answer three = ask(*service, "/practices/P3/catchment");
    REQUIRE(three.status == http::status::ok);
    REQUIRE(three.body.at("features").as_array().size() == 1);
    CHECK(three.body.at("features").at(0).at("geometry").is_null());
    CHECK(three.body.at("features").at(0).at("properties").at("area_count").as_int64() == 0);
    CHECK(three.body.at("features").at(0).at("properties").at("network_id").is_null());
}

TEST_CASE("/practices/{code}/catchment matches by practice index, not position", "[coverage-routes]") {
    // Only the active practices have catchments: drop P1's, so P2's is first in the list.
    auto service = fixture_service([](plan_fixture::Example& e) {
        e.plan.catchments.erase(e.plan.catchments.begin());
        e.plan.core_catchments.clear();
    });
    const Answer two = ask(*service, "/practices/P2/catchment");
    REQUIRE(two.status == http::status::ok);
    REQUIRE(two.body.at("features").as_array().size() == 1);
    CHECK(two.body.at("features").at(0).at("properties").at("population").as_int64() == 200);
    const Answer one = ask(*service, "/practices/P1/catchment");
    REQUIRE(one.status == http::status::ok);
    CHECK(one.body.at("features").as_array().empty());
}

TEST_CASE("/practices/{code}/catchment answers 404 for an unknown practice", "[coverage-routes]") {
    auto service = fixture_service();
    const Answer answer = ask(*service, "/practices/NOPE/catchment");
    CHECK(answer.status == http::status::not_found);
    CHECK(answer.body.at("code").as_string() == "NotFound");
}

TEST_CASE("The coverage routes answer 503 before a dataset is loaded", "[coverage-routes]") {
    Service service(1 << 20);
    CHECK(ask(service, "/gaps").status == http::status::service_unavailable);
    CHECK(ask(service, "/practices/P1/catchment").status == http::status::service_unavailable);
}
