// The OGC API HTML pages as pure handlers on the hand-made plan: each route's HTML twin (by ?f=html and by a
// browser's Accept), built from the same JSON document, with text escaped and links to the HTML pages.
// The Nu Html Checker and Chromium read the real pages in tests/js/html_pages.mjs.
#include "plan_fixture.hpp"
#include "server/api/html_pages.hpp"
#include "server/api/routes.hpp"
#include "service_fixture.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <string>

using namespace server;

namespace {

const std::string kBrowserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

Request get(const std::string& target, const std::string& accept = {}) {
    Request request{http::verb::get, target, 11};
    request.set(http::field::host, "maps.example:8080");
    if (!accept.empty()) request.set(http::field::accept, accept);
    return request;
}

struct Served {
    Service service{1 << 20};
    Router router;
    Served() {
        service.install(service_fixture::state_of(plan_fixture::example()));
        add_feature_routes(router, service, nullptr);
    }
    std::string html(const std::string& target) {
        const Response response = router.handle(get(target));
        INFO(target << ": " << body_text(response));
        REQUIRE(response.result() == http::status::ok);
        REQUIRE(response[http::field::content_type] == "text/html; charset=utf-8");
        return body_text(response);
    }
};

}  // namespace

TEST_CASE("Every OGC page has an HTML twin by ?f=html and by a browser's Accept", "[html]") {
    Served served;
    for (const std::string target : {"/conformance", "/collections", "/collections/practices", "/collections/practices/queryables",
                                     "/collections/practices/items", "/collections/practices/items/P1"}) {
        INFO(target);
        const std::string by_parameter = served.html(target + "?f=html");
        CHECK(by_parameter.rfind("<!doctype html>\n<html lang=\"en\">", 0) == 0);
        CHECK_THAT(by_parameter, Catch::Contains("Contains hand-made test data © nobody"));  // the attribution in every footer
        const Response by_accept = served.router.handle(get(target, kBrowserAccept));
        CHECK(by_accept[http::field::content_type] == "text/html; charset=utf-8");
        CHECK(by_accept[http::field::vary] == "Accept");
        const Response as_json = served.router.handle(get(target, "application/json"));
        CHECK(as_json[http::field::content_type] != "text/html; charset=utf-8");
    }
    CHECK_THAT(served.html("/?f=html"), Catch::Contains("<h1>catchment: two squares</h1>"));
    // Formats other than json and html are still refused, naming the parameter.
    CHECK(served.router.handle(get("/collections?f=xml")).result() == http::status::bad_request);
    CHECK(served.router.handle(get("/api?f=html")).result() == http::status::bad_request);  // the OpenAPI document is JSON only
}

TEST_CASE("The items page lists the JSON page's features with escaped text and a map of them", "[html]") {
    Served served;
    const std::string page = served.html("/collections/practices/items?f=html&limit=2");
    const boost::json::object items = boost::json::parse(body_text(served.router.handle(get("/collections/practices/items?limit=2")))).as_object();
    CHECK_THAT(page, Catch::Contains("2 of " + std::to_string(items.at("numberMatched").as_int64()) + " features."));
    CHECK_THAT(page, Catch::Contains("href=\"http://maps.example:8080/collections/practices/items/P1?f=html\">P1</a>"));
    CHECK_THAT(page, Catch::Contains("Two, &quot;the&quot; surgery"));                // escaped in the table
    CHECK_THAT(page, Catch::Contains("rel=\"next\""));                                   // a third practice follows
    CHECK_THAT(page, Catch::Contains("offset=2&amp;f=html"));                            // the next page's HTML twin
    CHECK_THAT(page, Catch::Contains("<script type=\"application/json\" id=\"features\">"));
    CHECK_THAT(page, Catch::Contains("http://maps.example:8080/web/maplibre-gl/maplibre-gl.mjs"));
    CHECK(page.find("P3") == std::string::npos);                                        // only the page's features
    // Filters and sorting reach the JSON handler.
    const std::string sorted = served.html("/collections/practices/items?f=html&sortby=-list_size&limit=1");
    CHECK_THAT(sorted, Catch::Contains(">P2</a>"));
}

TEST_CASE("HTML text is escaped and links keep their query with f=html", "[html]") {
    CHECK(html::escape("<a href=\"x\">Tom & Jerry's</a>") == "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
    CHECK(html::html_url("http://h/collections/x/items") == "http://h/collections/x/items?f=html");
    CHECK(html::html_url("http://h/items?limit=10&f=json&offset=10") == "http://h/items?limit=10&offset=10&f=html");
    // A name that could close the embedded JSON cannot end its script.
    html::PageContext page{"http://h", "http://h", "d", ""};
    boost::json::object feature{{"type", "Feature"}, {"id", "x"}, {"geometry", nullptr}, {"properties", {{"name", "</script><b>"}}}};
    const std::string out = html::item_page(page, "practices", "GP practices", feature);
    CHECK(out.find("</script><b>") == std::string::npos);
    CHECK_THAT(out, Catch::Contains("\\u003c/script>\\u003cb>"));
}
