// The viewer's static files and GET / content negotiation, as pure handlers on the route table: files the
// test writes into a temporary folder (with a secret beside it that no path may reach), and the real
// server/web folder.
#include "paths.hpp"
#include "plan_fixture.hpp"
#include "server/api/routes.hpp"
#include "server/api/web_assets.hpp"
#include "service_fixture.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

using namespace server;
namespace fs = std::filesystem;

namespace {

const std::string kBrowserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

void write(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
}

/// root/secret.txt beside root/web (index.html, app.js, app.css, a large script, a hidden file) and
/// root/web/node_modules/maplibre-gl/dist/maplibre-gl.mjs; removed on destruction.
struct WebFolder {
    fs::path root;
    fs::path web;
    std::string big_script;

    WebFolder() {
        std::string pattern = (fs::temp_directory_path() / "catchment-web-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        root = pattern;
        web = root / "web";
        write(root / "secret.txt", "TOP SECRET");
        write(web / "index.html", "<!doctype html><title>viewer</title>");
        write(web / "app.js", "export const answer = 42;\n");
        write(web / "app.css", "body { margin: 0; }\n");
        write(web / ".env", "TOKEN=hidden");
        for (int i = 0; i < 2000; ++i) big_script += "console.log('line " + std::to_string(i) + "');\n";
        write(web / "big.js", big_script);
        write(web / "node_modules" / "maplibre-gl" / "dist" / "maplibre-gl.mjs", "export default {};\n");
        write(web / "node_modules" / "maplibre-gl" / "package.json", "{\"name\":\"maplibre-gl\"}");
    }
    ~WebFolder() {
        std::error_code ignored;
        fs::remove_all(root, ignored);
    }
    WebFolder(const WebFolder&) = delete;
    WebFolder& operator=(const WebFolder&) = delete;
};

Request get(const std::string& target, const std::string& accept = {}) {
    Request request{http::verb::get, target, 11};
    request.set(http::field::host, "maps.example:8080");
    if (!accept.empty()) request.set(http::field::accept, accept);
    return request;
}

Router web_router(const fs::path& web_dir) {
    Router router;
    add_web_routes(router, std::make_shared<const WebAssets>(web_dir));
    return router;
}

/// Parses an error body; fails the test when it is not {"code","description"}.
boost::json::object error_body(const Response& response) {
    const boost::json::value body = boost::json::parse(body_text(response));
    REQUIRE(body.is_object());
    REQUIRE(body.as_object().contains("code"));
    REQUIRE(body.as_object().contains("description"));
    return body.as_object();
}

}  // namespace

TEST_CASE("Static files are served with their content type and cache headers", "[web]") {
    WebFolder folder;
    const Router router = web_router(folder.web);
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"/web/index.html", "text/html; charset=utf-8"},
        {"/web/app.js", "text/javascript; charset=utf-8"},
        {"/web/app.css", "text/css; charset=utf-8"},
        {"/web/maplibre-gl/maplibre-gl.mjs", "text/javascript; charset=utf-8"},
    };
    for (const auto& [target, type] : cases) {
        INFO(target);
        const Response response = router.handle(get(target));
        REQUIRE(response.result() == http::status::ok);
        CHECK(response[http::field::content_type] == type);
        CHECK(response["X-Content-Type-Options"] == "nosniff");
        CHECK_FALSE(response[http::field::etag].empty());
    }
    CHECK(body_text(router.handle(get("/web/app.js"))) == "export const answer = 42;\n");
    CHECK(router.handle(get("/web/app.js"))[http::field::cache_control] == "no-cache");
    CHECK(router.handle(get("/web/maplibre-gl/maplibre-gl.mjs"))[http::field::cache_control] == "public, max-age=3600");
    // MapLibre asks for its worker with ?v=<version>: the query does not change the file.
    CHECK(body_text(router.handle(get("/web/maplibre-gl/maplibre-gl.mjs?v=6.17.0"))) == "export default {};\n");
    CHECK(content_type_for("x.mjs.map") == "application/json");
    CHECK(content_type_for("x.bin") == "application/octet-stream");
}

TEST_CASE("Static files answer 304 to their ETag and change ETag when the file changes", "[web]") {
    WebFolder folder;
    const Router router = web_router(folder.web);
    const std::string etag(router.handle(get("/web/app.js"))[http::field::etag]);
    Request again = get("/web/app.js");
    again.set(http::field::if_none_match, etag);
    const Response not_modified = router.handle(again);
    CHECK(not_modified.result() == http::status::not_modified);
    CHECK(body_text(not_modified).empty());
    CHECK(not_modified[http::field::etag] == etag);
    again.set(http::field::if_none_match, "\"other\", " + etag);
    CHECK(router.handle(again).result() == http::status::not_modified);

    write(folder.web / "app.js", "export const answer = 43; // changed, and longer\n");
    const Response changed = router.handle(again);
    REQUIRE(changed.result() == http::status::ok);
    CHECK(body_text(changed) == "export const answer = 43; // changed, and longer\n");
    CHECK(changed[http::field::etag] != etag);
}

TEST_CASE("Large text files are gzipped only for clients that accept it", "[web]") {
    WebFolder folder;
    const Router router = web_router(folder.web);
    Request zipped_request = get("/web/big.js");
    zipped_request.set(http::field::accept_encoding, "gzip, deflate, br");
    const Response zipped = router.handle(zipped_request);
    REQUIRE(zipped.result() == http::status::ok);
    CHECK(zipped[http::field::content_encoding] == "gzip");
    CHECK(body_text(zipped).substr(0, 2) == "\x1f\x8b");
    CHECK(body_text(zipped).size() < folder.big_script.size() / 4);
    CHECK(zipped[http::field::vary] == "Accept-Encoding");
    const Response raw = router.handle(get("/web/big.js"));
    CHECK(raw[http::field::content_encoding].empty());
    CHECK(body_text(raw) == folder.big_script);
    CHECK(raw[http::field::etag] != zipped[http::field::etag]);
}

TEST_CASE("No path reaches outside the web folder or a hidden file", "[web]") {
    WebFolder folder;
    const Router router = web_router(folder.web);
    const std::vector<std::string> attacks = {
        "/web/..%2Fsecret.txt",
        "/web/%2e%2e%2fsecret.txt",
        "/web/..%5Csecret.txt",
        "/web/../secret.txt",
        "/web/%2e%2e",
        "/web/.env",
        "/web/%2eenv",
        "/web/maplibre-gl/..%2Fpackage.json",
        "/web/maplibre-gl/..%2F..%2F..%2F..%2Fsecret.txt",
        "/web/maplibre-gl/..",
        "/web/node_modules",
        "/web/maplibre-gl/%00maplibre-gl.mjs",
        "/web/%2Fetc%2Fpasswd",
    };
    for (const std::string& target : attacks) {
        INFO(target);
        const Response response = router.handle(get(target));
        CHECK(response.result() == http::status::not_found);
        CHECK(body_text(response).find("SECRET") == std::string::npos);
        CHECK(body_text(response).find("TOKEN") == std::string::npos);
        CHECK(body_text(response).find("root:") == std::string::npos);
        CHECK(error_body(response).at("code").as_string() == "NotFound");
    }
    CHECK_FALSE(is_plain_file_name(".."));
    CHECK_FALSE(is_plain_file_name("a/b"));
    CHECK_FALSE(is_plain_file_name(""));
    CHECK(is_plain_file_name("maplibre-gl-worker.mjs"));
}

TEST_CASE("A missing file is a 404 JSON error and a missing MapLibre says how to install it", "[web]") {
    WebFolder folder;
    const Router router = web_router(folder.web);
    const Response missing = router.handle(get("/web/nothing.js"));
    CHECK(missing.result() == http::status::not_found);
    CHECK(missing[http::field::content_type] == "application/json");
    CHECK(error_body(missing).at("code").as_string() == "NotFound");

    fs::remove_all(folder.web / "node_modules");
    const Response no_maplibre = router.handle(get("/web/maplibre-gl/maplibre-gl.mjs"));
    CHECK(no_maplibre.result() == http::status::not_found);
    CHECK(std::string(error_body(no_maplibre).at("description").as_string()).find("npm ci") != std::string::npos);
}

TEST_CASE("Browsers prefer HTML and JSON clients keep JSON", "[web]") {
    auto prefers = [](const std::string& accept, std::vector<std::pair<std::string, std::string>> query = {}) {
        const Request request = get("/", accept);
        const RouteContext context{request, {}, std::move(query)};
        return prefers_html(context);
    };
    CHECK(prefers(kBrowserAccept));
    CHECK(prefers("text/html"));
    CHECK_FALSE(prefers("application/json"));
    CHECK_FALSE(prefers("application/json, text/html;q=0.5"));
    CHECK_FALSE(prefers("*/*"));
    CHECK_FALSE(prefers(""));
    CHECK_FALSE(prefers("text/html;q=0"));
    CHECK_FALSE(prefers(kBrowserAccept, {{"f", "json"}}));
    CHECK(prefers("application/json", {{"f", "html"}}));
}

TEST_CASE("GET / answers the viewer to browsers and the OGC landing page to JSON clients", "[web]") {
    WebFolder folder;
    Service service(1 << 20);
    service.install(service_fixture::state_of(plan_fixture::example()));
    Router router;
    const auto assets = std::make_shared<const WebAssets>(folder.web);
    add_feature_routes(router, service, viewer_page(assets));
    add_web_routes(router, assets);

    const Response page = router.handle(get("/", kBrowserAccept));
    REQUIRE(page.result() == http::status::ok);
    CHECK(page[http::field::content_type] == "text/html; charset=utf-8");
    CHECK(body_text(page) == "<!doctype html><title>viewer</title>");
    CHECK(page[http::field::vary].find("Accept") != boost::beast::string_view::npos);

    for (const auto& [target, accept] : std::vector<std::pair<std::string, std::string>>{
             {"/", "application/json"}, {"/", ""}, {"/", "*/*"}, {"/?f=json", kBrowserAccept}}) {
        INFO(target << " Accept: " << accept);
        const Response landing = router.handle(get(target, accept));
        REQUIRE(landing.result() == http::status::ok);
        CHECK(landing[http::field::content_type] == "application/json");
        CHECK(landing[http::field::vary] == "Accept");
        const boost::json::value body = boost::json::parse(body_text(landing));
        CHECK(body.at("title").as_string() == "catchment: two squares");
        bool has_viewer_link = false, has_html_link = false;
        for (const auto& link : body.at("links").as_array()) {
            has_viewer_link = has_viewer_link || (link.at("rel").as_string() == "related" && link.at("href").as_string() == "http://maps.example:8080/");
            has_html_link = has_html_link || (link.at("rel").as_string() == "alternate" && link.at("type").as_string() == "text/html");
        }
        CHECK(has_viewer_link);
        CHECK(has_html_link);
    }
    // ?f=html asks for the OGC landing page as HTML, not the viewer.
    const Response landing_html = router.handle(get("/?f=html"));
    REQUIRE(landing_html.result() == http::status::ok);
    CHECK(landing_html[http::field::content_type] == "text/html; charset=utf-8");
    CHECK_THAT(body_text(landing_html), Catch::Contains("<h1>catchment: two squares</h1>") && Catch::Contains("/collections?f=html"));
}

TEST_CASE("The real viewer's page loads its script and style and MapLibre from this server", "[web]") {
    const fs::path web = test_paths::source_dir() / "server" / "web";
    const Router router = web_router(web);
    const Response page = router.handle(get("/web/index.html"));
    REQUIRE(page.result() == http::status::ok);
    const std::string html = body_text(page);
    for (const std::string asset : {"/web/app.js", "/web/app.css", "/web/maplibre-gl/maplibre-gl.css"}) {
        INFO(asset);
        CHECK(html.find(asset) != std::string::npos);
        CHECK(router.handle(get(asset)).result() == http::status::ok);
    }
    CHECK(html.find("http://") == std::string::npos);  // nothing from a CDN
    CHECK(html.find("https://") == std::string::npos);
    const Response script = router.handle(get("/web/app.js"));
    CHECK(body_text(script).find("/web/maplibre-gl/maplibre-gl.mjs") != std::string::npos);
    CHECK(router.handle(get("/web/maplibre-gl/maplibre-gl.mjs")).result() == http::status::ok);
    CHECK(router.handle(get("/web/maplibre-gl/maplibre-gl-worker.mjs")).result() == http::status::ok);
}
