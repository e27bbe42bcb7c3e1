// POST /plans, GET /plans and the plan-scoped routes as pure handlers over the two-squares dataset,
// the request parser's errors, and the plan store's bounds.
#include "server/api/features.hpp"
#include "server/api/plan_request.hpp"
#include "server/api/routes.hpp"
#include "server/http/metrics.hpp"

#include "geo/crs.hpp"
#include "plan_fixture.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <memory>
#include <set>
#include <string>

using namespace server;
namespace json = boost::json;

namespace {

/// The server's defaults for the two squares: their three practices fit one band of 1,000 to 5,000.
geo::PlanOptions fixture_defaults() {
    geo::PlanOptions options;
    options.method = geo::CatchmentMethod::nearest;
    options.min_list_size = 1000;
    options.max_list_size = 5000;
    options.construction_runs = 1;
    return options;
}

/// A service whose default state is the fixture's dataset planned for real with fixture_defaults().
std::unique_ptr<Service> planned_service(PlanStore::Limits limits = {}) {
    auto service = std::make_unique<Service>(1 << 20, limits);
    auto dataset = std::make_shared<const geo::Dataset>(std::move(plan_fixture::example().dataset));
    service->install(make_state(dataset, fixture_defaults(), 1, 14));
    return service;
}

Request post(const std::string& body, const std::string& token = {}) {
    Request request{http::verb::post, "/plans", 11};
    request.set(http::field::host, "plans.test");
    request.set(http::field::content_type, "application/json");
    if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
    request.body() = body;
    request.prepare_payload();
    return request;
}

Request get(const std::string& target) {
    Request request{http::verb::get, target, 11};
    request.set(http::field::host, "plans.test");
    return request;
}

/// The description of the 400 that parsing `body` throws.
std::string parse_error(const std::string& body) {
    const geo::Dataset dataset = std::move(plan_fixture::example().dataset);
    try {
        parse_plan_request(body, fixture_defaults(), dataset);
    } catch (const HttpError& error) {
        CHECK(error.status() == http::status::bad_request);
        CHECK(error.code() == "InvalidParameterValue");
        return error.what();
    }
    FAIL("no error for " << body);
    return {};
}

}  // namespace

TEST_CASE("A bad plan request is a 400 naming the member", "[plan-routes]") {
    struct Case {
        const char* body;
        const char* starts;
    };
    const Case cases[] = {
        {"[1]", "body: expected a JSON object"},
        {"{\"min_list_size\":", "body: not valid JSON"},
        {R"({"min_list_size":-5})", "min_list_size: expected a whole number"},
        {R"({"min_list_size":9000})", "min_list_size: 9000 is greater than max_list_size 5000"},
        {R"({"method":"voronoi"})", "method: expected registrations, nearest or radius"},
        {R"({"core_share":1.5})", "core_share: expected a share"},
        {R"({"seed":"one"})", "seed: expected a whole number"},
        {R"({"construction_runs":1000})", "construction_runs: expected a whole number from 1 to 64"},
        {R"({"sweeps":-1})", "sweeps: expected a whole number from 0 to 5000"},
        {R"({"excluded_practices":"P1"})", "excluded_practices: expected an array"},
        {R"({"excluded_practices":["P9"]})", "excluded_practices[0]: unknown practice code 'P9'"},
        {R"({"constraint_field":"borough"})", "parameters: unknown constraint field 'borough'"},
        {R"({"locked_networks":["PCN1"]})", "locked_networks: names values of a practice field"},
        {R"({"colour":"red"})", "colour: unknown parameter"},
        {R"({"new_practices":{}})", "new_practices: expected an array"},
        {R"({"new_practices":[{"code":"P1","lon":-0.13,"lat":51.5,"list_size":10}]})", "new_practices[0].code: 'P1' is already"},
        {R"({"new_practices":[{"code":"N1","lon":-0.13,"list_size":10}]})", "new_practices[0].lat: is required"},
        {R"({"new_practices":[{"code":"N1","lon":-0.13,"lat":91,"list_size":10}]})", "new_practices[0].lat: expected a latitude"},
        {R"({"new_practices":[{"code":"N1","lon":-0.13,"lat":51.5,"list_size":-1}]})", "new_practices[0].list_size: expected a whole number"},
        {R"({"new_practices":[{"code":"N1","lon":-0.13,"lat":51.5,"x":1,"y":2}]})", "new_practices[0]: give lon and lat, or x and y"},
        {R"({"new_practices":[{"code":"N1","x":1,"y":2}]})", "new_practices[0]: new practice 1 ('N1'): its location (1.0, 2.0) in EPSG:27700 lies outside every study area"},
        {R"({"excluded_practices":["P1","NOPE"]})", "excluded_practices[1]: unknown practice code 'NOPE'"},
        {R"({"baseline":""})", "baseline: expected \"default\""},
        {R"({"new_practices":[{"code":"N1","lon":-0.13,"lat":51.5,"list_size":5,"beds":2}]})", "new_practices[0].beds: unknown member"},
        {R"({"rural_gap_distance_m":0})", "rural_gap_distance_m: expected a positive number"},
        {R"({"gap_accessibility_percentile":100})", "gap_accessibility_percentile: expected a percentage"},
        {R"({"gap_min_accessibility":-1})", "gap_min_accessibility: expected a number of 0 or more"},
        {R"({"access_bands":"1600:1,800:0.5"})", "access_bands: decay band 2: upper bounds must increase"},
        {R"({"access_time_bands":"ten"})", "access_time_bands: decay band 'ten'"},
        {R"({"supply_field":"fte"})", "parameters: supply field 'fte' is not a field of the practices layer"},
        {R"({"rural_field":"kind"})", "parameters: gap criterion rural_field: 'kind' is not a field of the areas layer"},
    };
    for (const Case& c : cases) {
        INFO(c.body);
        CHECK_THAT(parse_error(c.body), Catch::StartsWith(c.starts));
    }
}

TEST_CASE("A plan request sets the gap criteria and the accessibility options", "[plan-routes]") {
    const geo::Dataset dataset = std::move(plan_fixture::example().dataset);
    const PlanRequest request = parse_plan_request(
        R"({"gap_distance_m":1200,"rural_gap_distance_m":6000,"rural_density":300,"gap_min_accessibility":2.5,)"
        R"("gap_accessibility_percentile":5,"access_bands":"2000:1,8000:0.5","radius_minutes":12})",
        fixture_defaults(), dataset);
    const geo::PlanOptions& o = request.options;
    CHECK(o.gaps.urban_distance_m == 1200);
    CHECK(o.gaps.rural_distance_m == 6000);
    CHECK(o.gaps.rural_density == 300);
    CHECK(o.gaps.min_accessibility == 2.5);
    CHECK(o.gaps.accessibility_percentile == 5);
    CHECK(o.gaps.in_use() == (geo::gap_outside_network | geo::gap_distance | geo::gap_accessibility));
    CHECK(o.access.distance_decay.text() == "2000:1,8000:0.5");
    CHECK(o.access.time_decay == geo::default_time_decay());
    CHECK(o.radius_minutes == 12);
}

TEST_CASE("A new practice is placed in the working CRS and planned on a copy of the dataset", "[plan-routes]") {
    auto base = std::make_shared<const geo::Dataset>(std::move(plan_fixture::example().dataset));
    // Where the first square's middle is in lon/lat, by PROJ.
    const geo::Point lonlat = geo::CrsTransform("EPSG:27700", "OGC:CRS84").transform({530500, 180400});
    const std::string body = R"({"new_practices":[{"code":"N1","name":"New","lon":)" + std::to_string(lonlat.x) + R"(,"lat":)" +
                             std::to_string(lonlat.y) + R"(,"list_size":1200}]})";
    const PlanRequest request = parse_plan_request(body, fixture_defaults(), *base);
    REQUIRE(request.options.new_practices.size() == 1);
    CHECK(request.options.new_practices[0].location.x == Approx(530500).margin(0.01));
    CHECK(request.options.new_practices[0].location.y == Approx(180400).margin(0.01));
    // The same place given in the dataset's CRS.
    const PlanRequest same = parse_plan_request(R"({"new_practices":[{"code":"N1","x":530500,"y":180400}]})", fixture_defaults(), *base);
    REQUIRE(same.options.new_practices.size() == 1);
    CHECK(same.options.new_practices[0].location.x == 530500);
    CHECK(same.options.new_practices[0].list_size == 0);

    geo::GeosContext context;
    const geo::Plan planned = geo::plan(base, request.options, context);
    CHECK(planned.dataset != base);
    CHECK(planned.dataset->practices.size() == base->practices.size() + 1);
    CHECK(base->practices.size() == 3);
    REQUIRE(planned.dataset->areas.size() == base->areas.size());
    CHECK(geo::to_wkt(*planned.dataset->geos, planned.dataset->areas[1].geometry.get()) == geo::to_wkt(*base->geos, base->areas[1].geometry.get()));
    CHECK(geo::plan(base, parse_plan_request("{}", fixture_defaults(), *base).options, context).dataset == base);
}

TEST_CASE("POST /plans answers 201 and the plan is served under /plans/{plan}", "[plan-routes]") {
    auto service = planned_service();
    Router router;
    PlanSettings settings;
    settings.defaults = fixture_defaults();
    settings.tile_maxzoom = 14;
    settings.access.token = "let-me-plan";
    add_plan_routes(router, *service, settings);
    add_feature_routes(router, *service);
    add_tile_routes(router, *service);

    const Response refused = router.handle(post("{}"));
    CHECK(refused.result() == http::status::unauthorized);
    CHECK(router.route_info(post("{}")).execution == Execution::blocking);
    CHECK(router.route_info(get("/plans")).execution == Execution::io);

    Request form = post("min=1", "let-me-plan");
    form.set(http::field::content_type, "application/x-www-form-urlencoded");
    CHECK(router.handle(form).result() == http::status::unsupported_media_type);

    const Response created = router.handle(post(R"({"min_list_size":1500,"max_list_size":4000})", "let-me-plan"));
    REQUIRE(created.result() == http::status::created);
    CHECK(created[http::field::location] == "http://plans.test/plans/p1");
    const json::value plan = json::parse(body_text(created));
    CHECK(plan.at("id") == "p1");
    CHECK(plan.at("parameters").at("max_list_size").to_number<int>() == 4000);
    CHECK(plan.at("report").at("options").at("max_list_size").to_number<int>() == 4000);
    std::set<std::string> rels;
    for (const auto& link : plan.at("links").as_array()) rels.insert(std::string(link.at("rel").as_string()));
    CHECK(rels.count("service-desc") == 1);
    CHECK(rels.count("data") == 1);
    CHECK(rels.count("conformance") == 1);

    const json::value list = json::parse(body_text(router.handle(get("/plans"))));
    REQUIRE(list.at("plans").as_array().size() == 2);
    CHECK(list.at("plans").at(0).at("id") == "default");
    CHECK(list.at("plans").at(1).at("id") == "p1");

    const Response items = router.handle(get("/plans/p1/collections/practices/items"));
    REQUIRE(items.result() == http::status::ok);
    const json::value collection = json::parse(body_text(items));
    CHECK(collection.at("numberMatched").to_number<int>() == 3);
    CHECK(std::string(collection.at("links").at(0).at("href").as_string()).rfind("http://plans.test/plans/p1/collections/practices/items", 0) == 0);
    CHECK(router.handle(get("/plans/default/collections/networks")).result() == http::status::ok);
    CHECK(router.handle(get("/plans/p7/collections")).result() == http::status::not_found);
    const json::value tilejson = json::parse(body_text(router.handle(get("/plans/p1/tiles.json"))));
    CHECK(tilejson.at("tiles").at(0) == "http://plans.test/plans/p1/tiles/{z}/{x}/{y}.mvt");

    const std::string metrics = Metrics().render() + service_metrics(*service);
    CHECK(metrics.find("\ncatchment_plans_stored 1\n") != std::string::npos);
    CHECK(metrics.find("\ncatchment_plans_evicted_total 0\n") != std::string::npos);
}

TEST_CASE("The plan store keeps the most recently used plans within its count and memory", "[plan-routes]") {
    auto service = planned_service();
    const auto base = service->current();
    auto stored = [&base](PlanStore& store) {
        StoredPlan plan;
        plan.id = store.reserve_id();
        plan.state = make_state(base->dataset, fixture_defaults(), 1, 14);
        return store.add(std::move(plan))->id;
    };
    PlanStore::Limits limits;
    limits.max_plans = 2;
    PlanStore by_count(limits);
    CHECK(stored(by_count) == "p1");
    CHECK(stored(by_count) == "p2");
    CHECK(by_count.find("p1") != nullptr);  // p1 used last: p2 goes next
    CHECK(stored(by_count) == "p3");
    CHECK(by_count.find("p2") == nullptr);
    CHECK(by_count.find("p1") != nullptr);
    CHECK(by_count.evicted() == 1);

    // A state whose feature cache holds 700 kB: two of them exceed 1 MB, so the older goes.
    limits.max_plans = 10;
    limits.max_bytes = 1 << 20;
    PlanStore by_memory(limits);
    auto heavy = [&base](PlanStore& store) {
        auto state = make_state(base->dataset, fixture_defaults(), 1, 14);
        auto features = std::make_shared<CollectionFeatures>();
        features->features.emplace_back().properties.assign(700 * 1024, ' ');
        auto collection = std::make_shared<CachedCollection>();
        collection->base = features;
        state->feature_cache.push_back(collection);
        CHECK(approximate_bytes(*state, false) > 700 * 1024);
        StoredPlan plan;
        plan.id = store.reserve_id();
        plan.state = state;
        return store.add(std::move(plan))->id;
    };
    heavy(by_memory);
    heavy(by_memory);
    const auto kept = by_memory.list();
    REQUIRE(kept.size() == 1);
    CHECK(kept.front()->id == "p2");
    CHECK_THROWS_AS(PlanStore(PlanStore::Limits{0, 1 << 20}), std::invalid_argument);
}
