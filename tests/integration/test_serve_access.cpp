// `catchment serve` as deployed: links that follow the public URL (a flag, or a reverse proxy's
// headers), a read-only public address, writes refused to other sites' pages and to bodies that are
// not JSON, reloads that read the description again, and a port in use as a usage error. Driven with
// curl against the real binary.
#include "integration/process.hpp"
#include "integration/served.hpp"
#include "paths.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>

namespace json = boost::json;
using integration::Server;

namespace {

struct Reply {
    std::string body;
    std::string status;
};

Reply split(const std::string& text) {
    const auto newline = text.rfind('\n');
    return {text.substr(0, newline), text.substr(newline + 1)};
}

Reply request(const Server& server, const std::string& target, std::vector<std::string> extra = {}) {
    return split(server.body_and_status(target, std::move(extra)));
}

std::vector<std::string> post_json(const std::string& body, std::vector<std::string> more = {}) {
    std::vector<std::string> extra = {"-X", "POST", "-H", "Content-Type: application/json", "--data-binary", body};
    extra.insert(extra.end(), more.begin(), more.end());
    return extra;
}

/// Every "href" and URL-valued string in a JSON document.
void collect_urls(const json::value& v, std::vector<std::string>& out) {
    if (v.is_object()) {
        for (const auto& [key, value] : v.as_object()) collect_urls(value, out);
    } else if (v.is_array()) {
        for (const auto& value : v.as_array()) collect_urls(value, out);
    } else if (v.is_string()) {
        const std::string text(v.as_string());
        if (text.rfind("http://", 0) == 0 || text.rfind("https://", 0) == 0) out.push_back(text);
    }
}

std::string code_of(const Reply& reply) { return std::string(json::parse(reply.body).at("code").as_string()); }

}  // namespace

TEST_CASE("Behind a proxy every link, tile URL and style source points at the proxy's public URL", "[serve][proxy]") {
    Server server;
    const std::vector<std::string> proxied = {"-H", "X-Forwarded-Host: maps.example.org", "-H", "X-Forwarded-Proto: https", "-H",
                                              "X-Forwarded-Prefix: /catchment/"};
    const std::string public_url = "https://maps.example.org/catchment";
    for (const std::string target : {"/", "/collections", "/collections/networks", "/collections/networks/items?limit=2", "/tiles.json",
                                     "/style.json", "/api", "/plans"}) {
        INFO(target);
        const Reply reply = request(server, target, [&] {
            auto extra = proxied;
            extra.insert(extra.end(), {"-H", "Accept: application/json"});
            return extra;
        }());
        REQUIRE(reply.status == "200");
        std::vector<std::string> urls;
        collect_urls(json::parse(reply.body), urls);
        CHECK_FALSE(urls.empty());
        for (const std::string& url : urls) {
            if (url.find("opengis.net") != std::string::npos || url.find("geojson.org") != std::string::npos) continue;  // identifiers
            INFO(url);
            CHECK((url == public_url || url.rfind(public_url + "/", 0) == 0));
        }
    }
    // RFC 7239's Forwarded header does the same; a header that is not a plain host is never copied.
    const Reply forwarded = request(server, "/tiles.json", {"-H", "Forwarded: for=10.0.0.1;host=tiles.example.net;proto=https"});
    CHECK(json::parse(forwarded.body).at("tiles").at(0).as_string().starts_with("https://tiles.example.net/plans/p"));
    const Reply hostile = request(server, "/tiles.json", {"-H", "X-Forwarded-Host: evil.example/\"><script>"});
    CHECK(json::parse(hostile.body).at("tiles").at(0).as_string().starts_with("http://127.0.0.1:"));
}

TEST_CASE("The --public-url flag fixes every link whatever the request says", "[serve][proxy]") {
    Server server({"--public-url", "https://gp.example.org/maps/"});
    const Reply tilejson = request(server, "/tiles.json", {"-H", "X-Forwarded-Host: other.example"});
    CHECK(std::regex_match(std::string(json::parse(tilejson.body).at("tiles").at(0).as_string()),
                           std::regex(R"(https://gp\.example\.org/maps/plans/p[0-9a-f]{16}/tiles/\{z\}/\{x\}/\{y\}\.mvt)")));
    const Reply style = request(server, "/style.json");
    CHECK(json::parse(style.body).at("sources").at("catchment").at("url").as_string() == "https://gp.example.org/maps/tiles.json");
    const Reply created = request(server, "/plans", post_json(R"({"construction_runs": 1})", {"-D", "-"}));
    CHECK(std::regex_search(created.body, std::regex("\nlocation: https://gp\\.example\\.org/maps/plans/p[0-9a-f]{16}\r?\n", std::regex::icase)));

    const auto bad = integration::run_bounded("60", {test_paths::catchment_binary().string(), "serve", test_paths::sample_dir().string(),
                                                     "--port", "0", "--public-url", "maps.example.org"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("--public-url maps.example.org: expected http(s)://HOST") != std::string::npos);
}

TEST_CASE("A public address without a token serves every read and refuses every write with 403", "[serve][access]") {
    Server server({"--host", "0.0.0.0"});
    CHECK(server.log().find("read-only") != std::string::npos);
    CHECK(server.status("/collections/networks/items?limit=1") == "200");
    CHECK(server.status("/tiles/10/511/340.mvt") == "200");
    const Reply plan = request(server, "/plans", post_json(R"({"construction_runs": 1})"));
    CHECK(plan.status == "403");
    CHECK(code_of(plan) == "ReadOnly");
    const Reply reload = request(server, "/admin/reload", post_json("{}"));
    CHECK(reload.status == "403");
    CHECK(code_of(reload) == "ReadOnly");
}

TEST_CASE("Writes need a JSON body and come from the server's own pages or an allowed origin", "[serve][access]") {
    Server server({"--cors-origin", "https://planner.example.org"});
    // No Content-Type (what a plain HTML form or a text/plain fetch sends): 415.
    const Reply form = request(server, "/plans", {"-X", "POST", "-H", "Content-Type: text/plain", "--data-binary", "{}"});
    CHECK(form.status == "415");
    CHECK(code_of(form) == "UnsupportedMediaType");
    // A page of another site: 403 and no CORS grant, to the request or to its preflight.
    const std::string evil = "Origin: https://evil.example";
    const std::string refused_headers = server.headers("/plans", post_json("{}", {"-H", evil}));
    CHECK(refused_headers.find("http/1.1 403") != std::string::npos);
    CHECK(integration::header_value(refused_headers, "access-control-allow-origin").empty());
    const std::string preflight = server.headers("/plans", {"-X", "OPTIONS", "-H", evil, "-H", "Access-Control-Request-Method: POST"});
    CHECK(integration::header_value(preflight, "access-control-allow-origin").empty());
    // The allowed origin, and the server's own pages, may.
    const std::string allowed = "Origin: https://planner.example.org";
    const std::string granted = server.headers("/plans", {"-X", "OPTIONS", "-H", allowed, "-H", "Access-Control-Request-Method: POST"});
    CHECK(integration::header_value(granted, "access-control-allow-origin") == "https://planner.example.org");
    CHECK(request(server, "/plans", post_json(R"({"construction_runs": 1})", {"-H", allowed})).status == "201");
    CHECK(request(server, "/plans", post_json(R"({"construction_runs": 1,"seed": 2})", {"-H", "Origin: " + server.url("")})).status == "201");
    // Reading stays open to every page.
    CHECK(integration::header_value(server.headers("/collections", {"-H", evil}), "access-control-allow-origin") == "*");
}

TEST_CASE("A reload reads the description again, and a broken one answers 422 while the old state keeps serving", "[serve][reload]") {
    integration::TempDir dir;
    const std::string gpkg = (test_paths::sample_dir() / "london.gpkg").string();
    std::ifstream original(test_paths::sample_dir() / "dataset.toml");
    std::stringstream text;
    text << original.rdbuf();
    std::string description = text.str();
    for (std::size_t at = description.find("\"london.gpkg\""); at != std::string::npos; at = description.find("\"london.gpkg\"", at + 1)) {
        description.replace(at, 13, "\"" + gpkg + "\"");
    }
    auto with_name = [&](const std::string& name) {
        std::string out = description;
        const auto start = out.find("name = \"");
        out.replace(start, out.find('\n', start) - start, "name = \"" + name + "\"");
        return out;
    };
    const std::string file = dir.write("dataset.toml", with_name("First edition"));
    Server server({"--quiet"}, file);
    CHECK(json::parse(request(server, "/", {"-H", "Accept: application/json"}).body).at("title").as_string().find("First edition") !=
          std::string::npos);

    dir.write("dataset.toml", with_name("Second edition"));
    const Reply reloaded = request(server, "/admin/reload", post_json("{}"));
    REQUIRE(reloaded.status == "200");
    CHECK(json::parse(reloaded.body).at("version").as_int64() == 2);
    CHECK(json::parse(request(server, "/", {"-H", "Accept: application/json"}).body).at("title").as_string().find("Second edition") !=
          std::string::npos);

    dir.write("dataset.toml", "name = \"broken\n[areas\n");
    const Reply failed = request(server, "/admin/reload", post_json("{}"));
    CHECK(failed.status == "422");
    CHECK(code_of(failed) == "ReloadFailed");
    CHECK(json::parse(failed.body).at("description").as_string().find("dataset.toml") != std::string::npos);
    CHECK(json::parse(request(server, "/ready").body).at("version").as_int64() == 2);
    CHECK(server.status("/collections/networks/items?limit=1") == "200");
}

TEST_CASE("A port in use is a usage error naming the port", "[serve]") {
    Server first;
    const auto second = integration::run_bounded("60", {test_paths::catchment_binary().string(), "serve", test_paths::sample_dir().string(),
                                                        "--port", std::to_string(first.port()), "--store", "none"});
    CHECK(second.exit_code == 2);
    CHECK(second.err.find("port " + std::to_string(first.port()) + " is in use") != std::string::npos);
}

TEST_CASE("Protocol details: Accept-Encoding q values, CRS short names, tile numbers beyond 32 bits", "[serve]") {
    Server server;
    const std::string tile = "/tiles/10/511/340.mvt";
    CHECK(integration::header_value(server.headers(tile, {"-H", "Accept-Encoding: gzip"}), "content-encoding") == "gzip");
    CHECK(integration::header_value(server.headers(tile, {"-H", "Accept-Encoding: gzip;q=0"}), "content-encoding").empty());
    CHECK(integration::header_value(server.headers(tile, {"-H", "Accept-Encoding: *;q=0.5, gzip;q=0"}), "content-encoding").empty());
    CHECK(integration::header_value(server.headers(tile, {"-H", "Accept-Encoding: br, *"}), "content-encoding") == "gzip");
    // The README's ?crs=EPSG:27700, and the safe CURIE, mean the same as the URI.
    for (const std::string crs : {"EPSG:27700", "epsg:27700", "%5BEPSG:27700%5D", "http://www.opengis.net/def/crs/EPSG/0/27700"}) {
        INFO(crs);
        const std::string headers = server.headers("/collections/networks/items?limit=1&crs=" + crs);
        CHECK(integration::header_value(headers, "content-crs") == "<http://www.opengis.net/def/crs/epsg/0/27700>");
    }
    CHECK(server.status("/collections/networks/items?crs=EPSG:4326") == "400");
    // Tiles beyond the set are 404 however large the number; a non-number is a 400.
    for (const std::string z : {"17", "2147483648", "4294967296", "99999999999999999999"}) CHECK(server.status("/tiles/" + z + "/0/0.mvt") == "404");
    CHECK(server.status("/tiles/1/4294967296/0.mvt") == "404");
    CHECK(server.status("/tiles/x/0/0.mvt") == "400");
}

TEST_CASE("A plan whose client hangs up is abandoned, freeing the plan pool for the next", "[serve][plans]") {
    Server server({"--plan-timeout-s", "60"});
    // curl gives up after one second of a plan that would take far longer, and closes its connection.
    const auto gave_up = integration::run_bounded("30", {"curl", "-s", "--max-time", "1", "-X", "POST", "-H", "Content-Type: application/json",
                                                         "--data-binary", R"({"construction_runs":64,"sweeps":5000})", server.url("/plans")});
    CHECK(gave_up.exit_code != 0);
    // The next plan runs at once on the (one-thread) plan pool instead of waiting for the abandoned one.
    const auto started = std::chrono::steady_clock::now();
    const Reply next = request(server, "/plans", post_json(R"({"construction_runs":1})"));
    CHECK(next.status == "201");
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(20));
    const std::string metrics = request(server, "/metrics").body;
    CHECK(metrics.find("catchment_requests_total{route=\"create_plan\",status=\"499\"} 1") != std::string::npos);
}
