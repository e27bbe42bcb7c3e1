// POST /plans, GET /plans and the plan-scoped routes as pure handlers over the two-squares dataset,
// the request parser's errors, and the plan store's bounds.
#include "server/api/features.hpp"
#include "server/api/plan_request.hpp"
#include "server/api/routes.hpp"
#include "server/http/metrics.hpp"

#include "geo/crs.hpp"
#include "plan_fixture.hpp"
#include "temp_dir.hpp"

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
std::unique_ptr<Service> planned_service(PlanCache::Limits limits = {}, std::shared_ptr<data::PlanStore> store = nullptr) {
    auto service = std::make_unique<Service>(1 << 20, limits, std::move(store));
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
    const json::value plan = json::parse(body_text(created));
    // The id is the data's and the options' fingerprint: the same request makes the same plan, answered again as it is.
    const std::string p1(plan.at("id").as_string());
    CHECK(p1.size() == 17);
    CHECK(p1 == stored_plan_id(service->current()->served_fingerprint, [] {
              geo::PlanOptions o = fixture_defaults();
              o.min_list_size = 1500;
              o.max_list_size = 4000;
              return o;
          }()));
    CHECK(created[http::field::location] == "http://plans.test/plans/" + p1);
    const Response again = router.handle(post(R"({"max_list_size":4000,"min_list_size":1500})", "let-me-plan"));
    CHECK(again.result() == http::status::ok);
    CHECK(json::parse(body_text(again)).at("id").as_string() == p1);
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
    CHECK(list.at("plans").at(1).at("id").as_string() == p1);
    CHECK(list.at("plans").at(1).at("stale") == false);
    CHECK(list.at("store").is_null());

    const Response items = router.handle(get("/plans/" + p1 + "/collections/practices/items"));
    REQUIRE(items.result() == http::status::ok);
    const json::value collection = json::parse(body_text(items));
    CHECK(collection.at("numberMatched").to_number<int>() == 3);
    CHECK(std::string(collection.at("links").at(0).at("href").as_string()).rfind("http://plans.test/plans/" + p1 + "/collections/practices/items", 0) == 0);
    CHECK(router.handle(get("/plans/default/collections/networks")).result() == http::status::ok);
    CHECK(router.handle(get("/plans/p7/collections")).result() == http::status::not_found);
    const json::value tilejson = json::parse(body_text(router.handle(get("/plans/" + p1 + "/tiles.json"))));
    CHECK(tilejson.at("tiles").at(0).as_string() == "http://plans.test/plans/" + p1 + "/tiles/{z}/{x}/{y}.mvt");

    const std::string metrics = Metrics().render() + service_metrics(*service);
    CHECK(metrics.find("\ncatchment_plans_stored 1\n") != std::string::npos);
    CHECK(metrics.find("\ncatchment_plans_evicted_total 0\n") != std::string::npos);
}

TEST_CASE("The plan cache keeps the most recently used plans within its count and memory", "[plan-routes]") {
    auto service = planned_service();
    const auto base = service->current();
    auto stored = [&base](PlanCache& cache, const std::string& id) {
        StoredPlan plan;
        plan.id = id;
        plan.state = make_state(base->dataset, fixture_defaults(), 1, 14);
        return cache.add(std::move(plan))->id;
    };
    PlanCache::Limits limits;
    limits.max_plans = 2;
    PlanCache by_count(limits);
    CHECK(stored(by_count, "p1") == "p1");
    CHECK(stored(by_count, "p2") == "p2");
    CHECK(by_count.find("p1") != nullptr);  // p1 used last: p2 goes next
    CHECK(stored(by_count, "p3") == "p3");
    CHECK(by_count.find("p2") == nullptr);
    CHECK(by_count.find("p1") != nullptr);
    CHECK(by_count.evicted() == 1);
    CHECK(stored(by_count, "p1") == "p1");  // the same id again replaces it
    CHECK(by_count.list().size() == 2);
    CHECK(by_count.remove("p1"));
    CHECK_FALSE(by_count.remove("p1"));

    // A state whose feature cache holds 700 kB: two of them exceed 1 MB, so the older goes.
    limits.max_plans = 10;
    limits.max_bytes = 1 << 20;
    PlanCache by_memory(limits);
    int made = 0;
    auto heavy = [&base, &made](PlanCache& cache) {
        auto state = make_state(base->dataset, fixture_defaults(), 1, 14);
        auto features = std::make_shared<CollectionFeatures>();
        features->features.emplace_back().properties.assign(700 * 1024, ' ');
        auto collection = std::make_shared<CachedCollection>();
        collection->base = features;
        state->feature_cache.push_back(collection);
        CHECK(approximate_bytes(*state, false) > 700 * 1024);
        StoredPlan plan;
        plan.id = "p" + std::to_string(++made);
        plan.state = state;
        return cache.add(std::move(plan))->id;
    };
    heavy(by_memory);
    heavy(by_memory);
    const auto kept = by_memory.list();
    REQUIRE(kept.size() == 1);
    CHECK(kept.front()->id == "p2");
    CHECK_THROWS_AS(PlanCache(PlanCache::Limits{0, 1 << 20}), std::invalid_argument);
}

namespace {

Request with_token(Request request, const std::string& token) {
    request.set(http::field::authorization, "Bearer " + token);
    return request;
}

/// A service of the two squares (with `population_change` added to one area) serving from `store`.
std::unique_ptr<Service> stored_service(std::shared_ptr<data::PlanStore> store, std::int64_t population_change = 0) {
    auto service = std::make_unique<Service>(1 << 20, PlanCache::Limits{}, std::move(store));
    geo::Dataset dataset = std::move(plan_fixture::example().dataset);
    dataset.areas[0].population += population_change;
    service->install(make_state(std::make_shared<const geo::Dataset>(std::move(dataset)), fixture_defaults(), 1, 14));
    return service;
}

Router plan_router(Service& service) {
    Router router;
    PlanSettings settings;
    settings.defaults = fixture_defaults();
    settings.tile_maxzoom = 14;
    settings.access.token = "let-me-plan";
    add_plan_routes(router, service, settings);
    add_feature_routes(router, service);
    return router;
}

}  // namespace

TEST_CASE("Plans persist in a folder store: another service lists serves and deletes them and refuses stale ones", "[plan-routes][store]") {
    test_support::TempDir dir;
    std::shared_ptr<data::PlanStore> store = data::open_folder_store(dir.path() / "store");
    auto first = stored_service(store);
    Router first_router = plan_router(*first);
    const Response created = first_router.handle(post(R"({"max_list_size":4000,"title":"kept"})", "let-me-plan"));
    REQUIRE(created.result() == http::status::created);
    const json::value made = json::parse(body_text(created));
    const std::string id(made.at("id").as_string());
    REQUIRE(store->list().plans.size() == 1);
    CHECK(store->list().plans[0].id == id);
    CHECK(store->list().plans[0].kind == "request");
    CHECK(store->list().plans[0].title == "kept");

    // A new process of the same data: nothing in memory, everything in the store.
    auto second = stored_service(store);
    Router router = plan_router(*second);
    const json::value list = json::parse(body_text(router.handle(get("/plans"))));
    REQUIRE(list.at("plans").as_array().size() == 2);
    CHECK(list.at("plans").at(1).at("id").as_string() == id);
    CHECK(list.at("plans").at(1).at("stale") == false);
    CHECK(list.at("plans").at(1).at("title") == "kept");
    CHECK(list.at("plans").at(1).at("parameters").at("max_list_size").to_number<int>() == 4000);
    CHECK(list.at("store").as_string() == store->location());
    const Response restored = router.handle(get("/plans/" + id));
    REQUIRE(restored.result() == http::status::ok);
    json::object restored_report = json::parse(body_text(restored)).at("report").as_object();
    json::object made_report = made.at("report").as_object();
    CHECK(restored_report.at("runtime_s") == made.at("seconds"));  // the store's time: the snapshot has none
    restored_report.erase("runtime_s");
    made_report.erase("runtime_s");
    CHECK(restored_report == made_report);
    CHECK(router.handle(get("/plans/" + id + "/collections/practices/items")).result() == http::status::ok);
    const Response file = router.handle(get("/plans/" + id + ".gpkg"));
    REQUIRE(file.result() == http::status::ok);
    CHECK(file[http::field::content_type] == "application/geopackage+sqlite3");
    CHECK(file.body().streamed());

    Request remove{http::verb::delete_, "/plans/" + id, 11};
    CHECK(router.handle(remove).result() == http::status::unauthorized);
    CHECK(router.handle(with_token(Request{http::verb::delete_, "/plans/default", 11}, "let-me-plan")).result() == http::status::conflict);
    CHECK(router.handle(with_token(remove, "let-me-plan")).result() == http::status::no_content);
    CHECK(router.handle(with_token(remove, "let-me-plan")).result() == http::status::not_found);
    CHECK(router.handle(get("/plans/" + id)).result() == http::status::not_found);
    CHECK(store->list().plans.empty());

    // Asked again of the first process, which still holds it: stored again. Then served by a process whose
    // data changed: listed as stale, never served.
    REQUIRE(first_router.handle(post(R"({"max_list_size":4000,"title":"kept"})", "let-me-plan")).result() == http::status::ok);
    CHECK(store->contains(id));
    auto changed = stored_service(store, 5);
    Router changed_router = plan_router(*changed);
    const json::value stale_list = json::parse(body_text(changed_router.handle(get("/plans"))));
    REQUIRE(stale_list.at("plans").as_array().size() == 2);
    CHECK(stale_list.at("plans").at(1).at("stale") == true);
    const Response stale = changed_router.handle(get("/plans/" + id));
    CHECK(stale.result() == http::status::conflict);
    CHECK(json::parse(body_text(stale)).at("code") == "StalePlan");
}
