#include "server/http/router.hpp"
#include "server/http/utf8.hpp"

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>

using namespace server;

namespace {

Request make_request(http::verb method, const std::string& target) {
    Request request{method, target, 11};
    request.set(http::field::host, "localhost");
    if (method == http::verb::post) request.set(http::field::content_type, "application/json");
    return request;
}

Router make_router() {
    Router router;
    router.add(http::verb::get, "/collections/{id}/items/{featureId}", "feature", [](const RouteContext& context) {
        boost::json::object body;
        body["id"] = context.path.at("id");
        body["featureId"] = context.path.at("featureId");
        const std::string* limit = context.parameter("limit");
        body["limit"] = limit ? *limit : "none";
        boost::json::array query;
        for (const auto& [key, value] : context.query) query.push_back(boost::json::array{key, value});
        body["query"] = query;
        return json_response(context.request, http::status::ok, body);
    });
    router.add(http::verb::get, "/collections", "collections", [](const RouteContext& context) {
        return json_response(context.request, http::status::ok, boost::json::object{{"collections", boost::json::array{}}});
    });
    router.add(http::verb::post, "/collections", "create", [](const RouteContext& context) {
        return json_response(context.request, http::status::created, boost::json::object{});
    });
    router.add(http::verb::get, "/bad", "bad", [](const RouteContext&) -> Response {
        throw HttpError(http::status::bad_request, "InvalidParameterValue", "limit must be a number");
    });
    router.add(http::verb::get, "/boom", "boom", [](const RouteContext&) -> Response {
        throw std::runtime_error("secret internals: /etc/passwd");
    });
    router.add(http::verb::get, "/", "landing", [](const RouteContext& context) {
        return json_response(context.request, http::status::ok, boost::json::object{{"title", "catchment"}});
    });
    return router;
}

boost::json::value body_of(const Response& response) { return boost::json::parse(body_text(response)); }

void check_cors(const Response& response) {
    CHECK(response[http::field::access_control_allow_origin] == "*");
    const std::string expose(response[http::field::access_control_expose_headers]);
    CHECK(expose.find("ETag") != std::string::npos);
    CHECK(expose.find("Content-Crs") != std::string::npos);
    CHECK(expose.find("Content-Encoding") != std::string::npos);
}

}  // namespace

TEST_CASE("placeholders match one segment each and decoded query pairs keep their order", "[router]") {
    const Router router = make_router();
    const Response response = router.handle(make_request(http::verb::get, "/collections/net%20works/items/F8%2F4?limit=10&q=a%26b&flag"));
    REQUIRE(response.result() == http::status::ok);
    CHECK(response[http::field::content_type] == "application/json");
    const auto body = body_of(response);
    CHECK(body.at("id") == "net works");
    CHECK(body.at("featureId") == "F8/4");
    CHECK(body.at("limit") == "10");
    CHECK(body.at("query") == boost::json::parse(R"([["limit","10"],["q","a&b"],["flag",""]])"));
    check_cors(response);
    CHECK(router.route_name(make_request(http::verb::get, "/collections/x/items/y")) == "feature");
    CHECK(router.route_name(make_request(http::verb::get, "/collections/x/items")) == "unknown");
    // handle() names the route it matched, as route_name() does, from the same single match.
    Router::Routed route;
    CHECK(router.handle(make_request(http::verb::get, "/collections/x/items/y"), route).result() == http::status::ok);
    CHECK(route.name == "feature");
    CHECK(router.handle(make_request(http::verb::head, "/collections/x/items/y"), route).result() == http::status::ok);
    CHECK(route.name == "feature");
    CHECK(router.handle(make_request(http::verb::get, "/collections/x/items"), route).result() == http::status::not_found);
    CHECK(route.name == "unknown");
    CHECK(router.handle(make_request(http::verb::get, "/%zz"), route).result() == http::status::bad_request);
    CHECK(route.name == "unknown");
}

TEST_CASE("A blocking route's handler is left for the blocking pool when asked", "[router]") {
    Router router;
    int runs = 0;
    router.add(http::verb::post, "/slow", "slow", [&runs](const RouteContext& context) {
        ++runs;
        return json_response(context.request, http::status::created, boost::json::object{});
    }, Execution::blocking);
    Router::Routed routed;
    router.handle(make_request(http::verb::post, "/slow"), routed, false);
    CHECK(routed.deferred);
    CHECK(routed.name == "slow");
    CHECK(runs == 0);
    CHECK(router.handle(make_request(http::verb::post, "/slow"), routed).result() == http::status::created);
    CHECK_FALSE(routed.deferred);
    CHECK(runs == 1);
    CHECK(router.route_info(make_request(http::verb::post, "/slow")).execution == Execution::blocking);
}

TEST_CASE("the root and a trailing slash route", "[router]") {
    const Router router = make_router();
    CHECK(router.handle(make_request(http::verb::get, "/")).result() == http::status::ok);
    CHECK(router.handle(make_request(http::verb::get, "/collections/")).result() == http::status::ok);
    CHECK(router.route_name(make_request(http::verb::get, "/")) == "landing");
}

TEST_CASE("A target that is not UTF-8 once percent-decoded is a 400, and errors quoting bytes stay valid JSON", "[router]") {
    const Router router = make_router();
    for (const char* target : {"/collections/%FF/items", "/nothing?x=%C3%28", "/a%ED%A0%80b"}) {
        const Response response = router.handle(make_request(http::verb::get, target));
        INFO(target);
        CHECK(response.result() == http::status::bad_request);
        CHECK(body_of(response).at("code") == "InvalidRequest");
    }
    // An error that quotes bytes which are not UTF-8 (from a header, say) has them replaced by U+FFFD.
    const Response mended = error_response(make_request(http::verb::get, "/"),
                                           HttpError(http::status::bad_request, "InvalidParameterValue", "got 'a\xAC" "b'"));
    CHECK(body_of(mended).at("description") == "got 'a\xEF\xBF\xBD" "b'");
    CHECK(mend_utf8("caf\xC3\xA9 \xF0\x9F\x8C\x8D") == "caf\xC3\xA9 \xF0\x9F\x8C\x8D");  // valid text unchanged
    CHECK(mend_utf8("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");                              // an overlong '/'
    CHECK(invalid_utf8_at("ab\xED\xA0\x80") == 2);                                            // a surrogate
}

TEST_CASE("an unknown path is a 404 with a JSON error", "[router]") {
    const Router router = make_router();
    for (const char* target : {"/nothing", "/collections/a/items", "/collections/a/items/b/c"}) {
        const Response response = router.handle(make_request(http::verb::get, target));
        CHECK(response.result() == http::status::not_found);
        CHECK(body_of(response).at("code") == "NotFound");
        check_cors(response);
    }
}

TEST_CASE("a known path with another method is a 405 naming the allowed ones", "[router]") {
    const Router router = make_router();
    const Response response = router.handle(make_request(http::verb::delete_, "/collections"));
    CHECK(response.result() == http::status::method_not_allowed);
    const std::string allow(response[http::field::allow]);
    CHECK(allow.find("GET") != std::string::npos);
    CHECK(allow.find("POST") != std::string::npos);
    CHECK(allow.find("DELETE") == std::string::npos);
    CHECK(body_of(response).at("code") == "MethodNotAllowed");
    CHECK(response[http::field::access_control_allow_origin].empty());  // a write: no grant to every origin
    CHECK(router.handle(make_request(http::verb::post, "/collections")).result() == http::status::created);
}

TEST_CASE("a method the server does not know at all is a 501, on any path", "[router]") {
    const Router router = make_router();
    for (const std::string target : {"/collections", "/nowhere"}) {
        Request request = make_request(http::verb::get, target);
        request.method_string("BREW");
        const Response response = router.handle(request);
        CHECK(response.result() == http::status::not_implemented);
        CHECK(body_of(response).at("code") == "NotImplemented");
        CHECK_THAT(std::string(body_of(response).at("description").as_string()), Catch::Contains("method BREW is not implemented (methods: GET"));
    }
}

TEST_CASE("writes need JSON and come from the server's own pages, clients without an Origin, or allowed origins", "[router][access]") {
    Router router = make_router();
    router.set_write_origins({"https://planner.example.org"});
    auto post = [&](std::string_view origin, std::string_view type) {
        Request request = make_request(http::verb::post, "/collections");
        request.set(http::field::host, "maps.example.org");
        if (type.empty()) request.erase(http::field::content_type);
        else request.set(http::field::content_type, type);
        if (!origin.empty()) request.set(http::field::origin, origin);
        return router.handle(request);
    };
    CHECK(post("", "application/json").result() == http::status::created);                    // curl, QGIS, scripts
    CHECK(post("", "Application/JSON; charset=utf-8").result() == http::status::created);
    CHECK(post("http://maps.example.org", "application/json").result() == http::status::created);  // the server's own page
    const Response allowed = post("https://planner.example.org", "application/json");
    CHECK(allowed.result() == http::status::created);
    CHECK(allowed[http::field::access_control_allow_origin] == "https://planner.example.org");
    CHECK(allowed[http::field::vary] == "Origin");
    const Response foreign = post("https://evil.example", "application/json");
    CHECK(foreign.result() == http::status::forbidden);
    CHECK(body_of(foreign).at("code") == "CrossOriginRefused");
    CHECK(foreign[http::field::access_control_allow_origin].empty());
    for (const std::string_view type : {"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"}) {
        INFO(type);
        const Response refused = post("", type);
        CHECK(refused.result() == http::status::unsupported_media_type);
        CHECK(body_of(refused).at("code") == "UnsupportedMediaType");
    }
    // Preflights: granted to the allowed origin only; reads stay open to all.
    auto preflight = [&](std::string_view origin, std::string_view method) {
        Request request = make_request(http::verb::options, "/collections");
        request.set(http::field::origin, origin);
        request.set(http::field::access_control_request_method, method);
        return router.handle(request);
    };
    CHECK(preflight("https://planner.example.org", "POST")[http::field::access_control_allow_origin] == "https://planner.example.org");
    CHECK(preflight("https://evil.example", "POST")[http::field::access_control_allow_origin].empty());
    CHECK(preflight("https://evil.example", "GET")[http::field::access_control_allow_origin] == "*");
}

TEST_CASE("OPTIONS on a known path is a CORS preflight", "[router]") {
    const Router router = make_router();
    const Response response = router.handle(make_request(http::verb::options, "/collections/a/items/b"));
    CHECK(response.result() == http::status::no_content);
    CHECK(std::string(response[http::field::access_control_allow_methods]).find("GET") != std::string::npos);
    CHECK(!response[http::field::access_control_allow_headers].empty());
    CHECK(!response[http::field::access_control_max_age].empty());
    CHECK(body_text(response).empty());
    check_cors(response);
    CHECK(router.handle(make_request(http::verb::options, "/nowhere")).result() == http::status::not_found);
}

TEST_CASE("HEAD answers like GET without a body", "[router]") {
    const Router router = make_router();
    const Response get = router.handle(make_request(http::verb::get, "/collections"));
    const Response head = router.handle(make_request(http::verb::head, "/collections"));
    CHECK(head.result() == http::status::ok);
    CHECK(body_text(head).empty());
    CHECK(head[http::field::content_length] == std::to_string(body_text(get).size()));
}

TEST_CASE("the error boundary: HttpError keeps its status, anything else is a 500 that leaks nothing", "[router]") {
    const Router router = make_router();
    const Response bad = router.handle(make_request(http::verb::get, "/bad"));
    CHECK(bad.result() == http::status::bad_request);
    CHECK(body_of(bad) == boost::json::parse(R"({"code":"InvalidParameterValue","description":"limit must be a number"})"));
    check_cors(bad);

    const Response boom = router.handle(make_request(http::verb::get, "/boom"));
    CHECK(boom.result() == http::status::internal_server_error);
    CHECK(body_of(boom) == boost::json::parse(R"({"code":"InternalServerError","description":"internal error"})"));
    CHECK(body_text(boom).find("secret") == std::string::npos);
    check_cors(boom);
}

TEST_CASE("responses keep the request's version and keep-alive", "[router]") {
    const Router router = make_router();
    Request request = make_request(http::verb::get, "/collections");
    request.version(10);
    request.keep_alive(false);
    const Response response = router.handle(request);
    CHECK(response.version() == 10);
    CHECK(!response.keep_alive());
}

TEST_CASE("Accept headers that rule out every offered type are a 406", "[router]") {
    auto with_accept = [](const std::string& accept) {
        Request request{http::verb::get, "/", 11};
        if (!accept.empty()) request.set(http::field::accept, accept);
        return request;
    };
    const auto accepted = [&](const std::string& accept) {
        try {
            require_acceptable(with_accept(accept), {"application/geo+json", "application/json"});
            return true;
        } catch (const HttpError& error) {
            CHECK(error.status() == http::status::not_acceptable);
            CHECK(error.code() == "NotAcceptable");
            CHECK(std::string(error.what()).find("application/geo+json") != std::string::npos);
            return false;
        }
    };
    CHECK(accepted(""));
    CHECK(accepted("*/*"));
    CHECK(accepted("application/*"));
    CHECK(accepted("Application/GEO+JSON"));
    CHECK(accepted("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"));  // a browser
    CHECK(accepted("application/geo+json, application/json"));                         // GDAL's OAPIF driver
    CHECK(accepted("text/csv;q=1, application/json;q=0.5"));
    CHECK_FALSE(accepted("text/csv"));
    CHECK_FALSE(accepted("text/html, application/xml"));
    CHECK_FALSE(accepted("application/json;q=0, text/plain"));
    CHECK_FALSE(accepted("*/*;q=0.0"));
}

TEST_CASE("public_base_url: the flag, then a proxy's headers, then Host, and nothing that is not a plain host or path", "[router][proxy]") {
    auto with = [](std::initializer_list<std::pair<std::string_view, std::string_view>> headers) {
        Request request = make_request(http::verb::get, "/");
        request.set(http::field::host, "127.0.0.1:8080");
        for (const auto& [name, value] : headers) request.set(name, value);
        return request;
    };
    CHECK(public_base_url(with({})) == "http://127.0.0.1:8080");
    CHECK(public_base_url(with({{"X-Forwarded-Host", "maps.example.org"}}), "https://fixed.example/base") == "https://fixed.example/base");
    CHECK(public_base_url(with({{"X-Forwarded-Host", "maps.example.org, proxy.internal"}, {"X-Forwarded-Proto", "HTTPS"}})) ==
          "https://maps.example.org");
    CHECK(public_base_url(with({{"X-Forwarded-Host", "maps.example.org:8443"}, {"X-Forwarded-Prefix", "/gp/tools/"}})) ==
          "http://maps.example.org:8443/gp/tools");
    CHECK(public_base_url(with({{"Forwarded", "for=10.1.2.3;proto=https;host=\"tiles.example.net\", for=10.0.0.1"}})) ==
          "https://tiles.example.net");
    CHECK(public_base_url(with({{"Forwarded", "host=a.example"}, {"X-Forwarded-Host", "b.example"}})) == "http://a.example");
    // Hostile values are not copied into links.
    CHECK(public_base_url(with({{"X-Forwarded-Host", "evil.example/\"><script>"}})) == "http://127.0.0.1:8080");
    CHECK(public_base_url(with({{"X-Forwarded-Proto", "javascript"}})) == "http://127.0.0.1:8080");
    CHECK(public_base_url(with({{"X-Forwarded-Prefix", "/a b"}})) == "http://127.0.0.1:8080");
    Request hostless = make_request(http::verb::get, "/");
    hostless.erase(http::field::host);
    CHECK(public_base_url(hostless) == "http://localhost");
}

TEST_CASE("accepts_encoding follows q values: a coding refused with q=0 stays refused", "[router]") {
    auto with = [](std::string_view accept_encoding) {
        Request request = make_request(http::verb::get, "/");
        if (!accept_encoding.empty()) request.set(http::field::accept_encoding, accept_encoding);
        return accepts_encoding(request, "gzip");
    };
    CHECK(with("gzip"));
    CHECK(with("deflate, GZIP;q=0.5"));
    CHECK(with("x-gzip"));
    CHECK(with("*"));
    CHECK_FALSE(with(""));
    CHECK_FALSE(with("gzip;q=0"));
    CHECK_FALSE(with("gzip;q=0.000"));
    CHECK_FALSE(with("*;q=1, gzip;q=0"));
    CHECK_FALSE(with("br, deflate"));
    CHECK_FALSE(with("gzipped"));
}
