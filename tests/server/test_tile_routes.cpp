// The tile endpoints as pure handlers: request in, response out, no sockets.
#include "server/api/routes.hpp"
#include "tilesets/tile_math.hpp"
#include "tilesets/two_squares.hpp"
#include "plan_fixture.hpp"

#include <boost/json.hpp>

#include <catch2/catch.hpp>

using namespace server;

namespace {

/// A state of two square networks near London.
std::shared_ptr<ServiceState> two_squares_state(std::uint64_t version, std::uint64_t cache_key) {
    auto state = std::make_shared<ServiceState>();
    state->version = version;
    state->cache_key = cache_key;
    auto dataset = std::make_shared<geo::Dataset>();
    dataset->name = "two squares";
    state->dataset = dataset;
    auto source = two_square_networks();
    state->tiles = source;
    tilesets::TileOptions options;
    options.maxzoom = 14;
    state->renderer = std::make_unique<tilesets::TileRenderer>(source, options);
    return state;
}

/// A service holding them.
std::unique_ptr<Service> two_squares() {
    auto service = std::make_unique<Service>(16 << 20);
    service->install(two_squares_state(3, 7));
    return service;
}

/// A service whose default state is the plan fixture's dataset planned for real: it has a stored id.
std::unique_ptr<Service> planned_squares() {
    auto service = std::make_unique<Service>(16 << 20);
    geo::PlanOptions options;
    options.method = geo::CatchmentMethod::nearest;
    options.min_list_size = 1000;
    options.max_list_size = 5000;
    options.construction_runs = 1;
    service->install(make_state(std::make_shared<const geo::Dataset>(std::move(plan_fixture::example().dataset)), options, 3, 14));
    return service;
}

Request get(const std::string& target, const std::string& accept_encoding = {}) {
    Request request{http::verb::get, target, 11};
    request.set(http::field::host, "maps.example:8080");
    if (!accept_encoding.empty()) request.set(http::field::accept_encoding, accept_encoding);
    return request;
}

std::string tile_target(int z, const std::string& prefix = "/tiles") {
    const tilesets::TileId t = tilesets::tile_at(0, 6710000, z);
    return prefix + "/" + std::to_string(z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y) + ".mvt";
}

}  // namespace

TEST_CASE("A tile is gzipped for clients that accept it and raw for others", "[tile-routes]") {
    auto service = two_squares();
    Router router;
    add_tile_routes(router, *service);
    const Response zipped = router.handle(get(tile_target(8), "gzip, deflate"));
    REQUIRE(zipped.result() == http::status::ok);
    CHECK(zipped[http::field::content_type] == "application/vnd.mapbox-vector-tile");
    CHECK(zipped[http::field::content_encoding] == "gzip");
    CHECK(body_text(zipped).substr(0, 2) == "\x1f\x8b");
    CHECK(zipped[http::field::vary] == "Accept-Encoding");
    CHECK_FALSE(zipped[http::field::etag].empty());
    CHECK(zipped[http::field::access_control_allow_origin] == "*");
    const Response raw = router.handle(get(tile_target(8)));
    REQUIRE(raw.result() == http::status::ok);
    CHECK(raw[http::field::content_encoding].empty());
    CHECK(body_text(raw).substr(0, 1) == "\x1a");  // Tile.layers, field 3, length-delimited
    CHECK(raw[http::field::etag] != zipped[http::field::etag]);
    CHECK(service->cache().stats().hits >= 1);  // the second request came from the cache
}

TEST_CASE("A cached tile is answered with the cache's bytes, not a copy", "[tile-routes][stream]") {
    auto service = two_squares();
    Router router;
    add_tile_routes(router, *service);
    const Response first = router.handle(get(tile_target(9), "gzip"));
    const Response second = router.handle(get(tile_target(9), "gzip"));
    const Response raw = router.handle(get(tile_target(9)));
    REQUIRE(first.result() == http::status::ok);
    const auto cached = service->cache().find(service->current()->cache_key * 64, tilesets::tile_at(0, 6710000, 9));
    REQUIRE(cached);
    REQUIRE(second.body().piece_count() == 1);
    CHECK(second.body().owned_bytes() == 0);
    CHECK(second.body().pieces()[0].data == cached->gzip.data());
    CHECK(first.body().pieces()[0].data == cached->gzip.data());
    CHECK(raw.body().pieces()[0].data == cached->raw.data());
    CHECK(second[http::field::content_length] == std::to_string(cached->gzip.size()));
    CHECK(body_text(second) == cached->gzip);
    // A HEAD answer carries the length and no body.
    Request head = get(tile_target(9), "gzip");
    head.method(http::verb::head);
    const Response headed = router.handle(head);
    CHECK(headed.body().empty());
    CHECK(headed[http::field::content_length] == std::to_string(cached->gzip.size()));
}

TEST_CASE("A matching If-None-Match is answered 304 without a body", "[tile-routes]") {
    auto service = two_squares();
    Router router;
    add_tile_routes(router, *service);
    const Response first = router.handle(get(tile_target(10), "gzip"));
    Request again = get(tile_target(10), "gzip");
    again.set(http::field::if_none_match, first[http::field::etag]);
    const Response second = router.handle(again);
    CHECK(second.result() == http::status::not_modified);
    CHECK(body_text(second).empty());
}

TEST_CASE("Bad tile addresses get 404 or 400 naming the problem", "[tile-routes]") {
    auto service = two_squares();
    Router router;
    add_tile_routes(router, *service);
    const Response deep = router.handle(get("/tiles/40/0/0.mvt"));
    CHECK(deep.result() == http::status::not_found);
    CHECK(boost::json::parse(body_text(deep)).at("code").as_string() == "NotFound");
    CHECK_THAT(body_text(deep), Catch::Contains("zoom 40 is outside"));
    const Response letters = router.handle(get("/tiles/6/abc/0.mvt"));
    CHECK(letters.result() == http::status::bad_request);
    CHECK_THAT(body_text(letters), Catch::Contains("tile x must be a whole number"));
    CHECK(router.handle(get("/tiles/6/0/0.png")).result() == http::status::not_found);
    CHECK(router.handle(get("/tiles/2/9/0.mvt")).result() == http::status::not_found);  // x beyond 2^2
}

TEST_CASE("A tile with no data is an empty 200 and a collection's tiles hold only its layer", "[tile-routes]") {
    auto service = two_squares();
    Router router;
    add_tile_routes(router, *service);
    const Response empty = router.handle(get("/tiles/10/0/0.mvt", "gzip"));
    CHECK(empty.result() == http::status::ok);
    CHECK(body_text(empty).empty());
    const Response networks = router.handle(get(tile_target(8, "/collections/networks/tiles")));
    CHECK(networks.result() == http::status::ok);
    CHECK_FALSE(body_text(networks).empty());
    CHECK(router.handle(get(tile_target(8, "/collections/elephants/tiles"))).result() == http::status::not_found);
}

TEST_CASE("TileJSON and the style point at this server", "[tile-routes]") {
    auto service = planned_squares();
    Router router;
    add_tile_routes(router, *service);
    const Response tilejson = router.handle(get("/tiles.json"));
    REQUIRE(tilejson.result() == http::status::ok);
    const auto doc = boost::json::parse(body_text(tilejson));
    CHECK(doc.at("tilejson").as_string() == "3.0.0");
    // The tiles of the plan's stored id: immutable, so a new default plan has new tile URLs.
    const std::string stored = service->current()->stored_id;
    CHECK(doc.at("tiles").as_array().at(0).as_string() == "http://maps.example:8080/plans/" + stored + "/tiles/{z}/{x}/{y}.mvt");
    CHECK(doc.at("maxzoom").to_number<int>() == 14);
    CHECK(doc.at("vector_layers").as_array().size() == 9);
    CHECK(doc.at("attribution").as_string() == "Contains hand-made test data © nobody");  // from the dataset description
    const Response style = router.handle(get("/style.json"));
    REQUIRE(style.result() == http::status::ok);
    const auto style_doc = boost::json::parse(body_text(style));
    const auto source = style_doc.at("sources").at("catchment");
    CHECK(source.at("url").as_string() == "http://maps.example:8080/tiles.json");
    CHECK(source.at("attribution").as_string() == "Contains hand-made test data © nobody");
    // Labels, with glyphs from this server's /fonts/ (the host's, also for a plan's style).
    CHECK(style_doc.at("glyphs").as_string() == "http://maps.example:8080/fonts/{fontstack}/{range}.pbf");
    const auto plan_style = boost::json::parse(body_text(router.handle(get("/plans/default/style.json"))));
    CHECK(plan_style.at("glyphs").as_string() == "http://maps.example:8080/fonts/{fontstack}/{range}.pbf");
}

TEST_CASE("A stored plan's tiles are immutable with the bytes' own ETag and the root's are not", "[tile-routes]") {
    auto service = planned_squares();
    Router router;
    add_plan_routes(router, *service, [] {
        PlanSettings settings;
        settings.tile_maxzoom = 14;
        return settings;
    }());
    add_tile_routes(router, *service);
    const std::string stored = service->current()->stored_id;
    const std::string target = tile_target(8, "/tiles");
    const Response root = router.handle(get(target));
    const Response immutable = router.handle(get("/plans/" + stored + target));
    const Response by_alias = router.handle(get("/plans/default" + target));
    REQUIRE(immutable.result() == http::status::ok);
    CHECK(body_text(immutable) == body_text(root));
    CHECK(immutable[http::field::cache_control] == "public, max-age=31536000, immutable");
    CHECK(root[http::field::cache_control] == "public, max-age=300");
    CHECK(by_alias[http::field::cache_control] == "public, max-age=300");
    // The same bytes in another version of the state (a reload of the same data) keep the same ETag there.
    auto reloaded = make_state(service->current()->dataset, service->current()->plan.options, 7, 14);
    CHECK(reloaded->stored_id == stored);
    service->install(std::move(reloaded));
    const Response again = router.handle(get("/plans/" + stored + target));
    CHECK(again[http::field::etag] == immutable[http::field::etag]);
    CHECK(router.handle(get(target))[http::field::etag] != root[http::field::etag]);
}

TEST_CASE("A new state drops the replaced state's tiles from the cache, whole sets and single layers", "[tile-routes][cache]") {
    auto service = two_squares();
    Router router;
    add_tile_routes(router, *service);
    REQUIRE(router.handle(get(tile_target(8))).result() == http::status::ok);
    REQUIRE(router.handle(get(tile_target(9))).result() == http::status::ok);
    REQUIRE(router.handle(get(tile_target(8, "/collections/networks/tiles"))).result() == http::status::ok);
    const auto cached = service->cache().stats();
    CHECK(cached.tiles == 3);
    CHECK(cached.bytes > 0);
    // A reload: the same tiles, a new state.
    service->install(two_squares_state(4, 8));
    const auto after = service->cache().stats();
    CHECK(after.tiles == 0);
    CHECK(after.bytes == 0);
    REQUIRE(router.handle(get(tile_target(8))).result() == http::status::ok);
    CHECK(service->cache().stats().tiles == 1);
}
