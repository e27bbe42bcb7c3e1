// The real `catchment serve` on an ephemeral port, read by real clients: GDAL's OAPIF driver (ogr2ogr),
// GDAL's MVT driver over /vsicurl/, and curl for HTTP semantics. Every client runs under `timeout` and
// the child server is killed when each test case ends.
#include "integration/served.hpp"
#include "paths.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <regex>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using namespace std::chrono_literals;
using integration::ProcessResult;
using integration::Server;
using integration::TempDir;
using integration::header_value;
using integration::run_bounded;

}  // namespace

TEST_CASE("ogr2ogr copies all networks over OAPIF and they match `catchment plan`", "[serve][clients]") {
    Server server;
    TempDir dir;
    const std::string copy = dir / "oapif.gpkg";
    const std::string plan = dir / "plan.gpkg";

    const ProcessResult fetched = run_bounded("120", {"ogr2ogr", "-f", "GPKG", copy, "OAPIF:" + server.url(""), "networks",
                                                      "-t_srs", "EPSG:27700", "-nln", "oapif"});
    REQUIRE(fetched.exit_code == 0);
    const ProcessResult planned = run_bounded("300", {test_paths::catchment_binary().string(), "plan", test_paths::sample_dir().string(),
                                                      "--constraint-field", "lad11cd", "--out", plan});
    INFO(planned.err);
    REQUIRE(planned.exit_code == 0);
    const ProcessResult merged = run_bounded("60", {"ogr2ogr", "-update", "-append", plan, copy, "oapif", "-nln", "oapif"});
    INFO(merged.err);
    REQUIRE(merged.exit_code == 0);

    const std::int64_t planned_count = integration::ogr_sql_number(plan, "SELECT COUNT(*) FROM networks");
    CHECK(planned_count > 0);
    CHECK(integration::ogr_sql_number(plan, "SELECT COUNT(*) FROM oapif") == planned_count);
    const std::string joined = " FROM oapif a JOIN networks b ON a.network_id = b.network_id";
    const ProcessResult matched = run_bounded(
        "120", {"ogrinfo", "-ro", "-q", "-dialect", "SQLite", "-sql",
                "SELECT COUNT(*) AS matched, SUM(CASE WHEN ST_Area(ST_SymDifference(a.geom, b.geom)) < 0.001 * ST_Area(b.geom) "
                "THEN 1 ELSE 0 END) AS close" + joined,
                plan});
    INFO(matched.out << matched.err);
    REQUIRE(matched.exit_code == 0);
    std::smatch m;
    REQUIRE(std::regex_search(matched.out, m, std::regex(R"(matched \(Integer\) = ([0-9]+))")));
    CHECK(std::stoll(m[1]) == planned_count);
    REQUIRE(std::regex_search(matched.out, m, std::regex(R"(close \(Integer\) = ([0-9]+))")));
    CHECK(std::stoll(m[1]) == planned_count);
}

TEST_CASE("GDAL's OAPIF driver lists the collections and counts the areas", "[serve][clients][gdal]") {
    Server server;
    const std::string source = "OAPIF:" + server.url("");

    const ProcessResult listing = run_bounded("120", {"ogrinfo", "-ro", "-so", source});
    INFO(listing.err);
    REQUIRE(listing.exit_code == 0);
    for (const char* layer : {"1: practices (title: GP practices) (Point)", "2: areas (title: Small areas) (Multi Polygon)",
                              "3: catchments", "4: networks", "5: network_borders (title: Network borders) (Multi Line String)",
                              "6: gaps"}) {
        CHECK(listing.out.find(layer) != std::string::npos);
    }

    const ProcessResult areas = run_bounded("120", {"ogrinfo", "-ro", "-so", source, "areas"});
    INFO(areas.err);
    REQUIRE(areas.exit_code == 0);
    CHECK(areas.out.find("Feature Count: 4835") != std::string::npos);
    CHECK(areas.out.find("area_code: String") != std::string::npos);
    CHECK(areas.out.find("population: Integer") != std::string::npos);

    // Reading every practice follows the next links page by page.
    const ProcessResult every = run_bounded("120", {"ogrinfo", "-ro", "-q", source, "practices"});
    INFO(every.err);
    REQUIRE(every.exit_code == 0);
    std::size_t features = 0;
    for (std::size_t at = every.out.find("OGRFeature(practices)"); at != std::string::npos;
         at = every.out.find("OGRFeature(practices)", at + 1)) {
        ++features;
    }
    CHECK(features == 1183);
}

TEST_CASE("GDAL's MVT driver reads a served tile through /vsicurl/", "[serve][clients]") {
    Server server;
    const ProcessResult info = run_bounded("60", {"ogrinfo", "-ro", "-so", "/vsicurl/" + server.url("/tiles/12/2047/1361.mvt"), "-oo",
                                                  "X=2047", "-oo", "Y=1361", "-oo", "Z=12", "networks"});
    INFO(info.out << info.err);
    REQUIRE(info.exit_code == 0);
    std::smatch m;
    REQUIRE(std::regex_search(info.out, m, std::regex(R"(Feature Count: ([0-9]+))")));
    CHECK(std::stoll(m[1]) > 0);
}

TEST_CASE("curl sees ETag/304, gzip, CORS and JSON errors", "[serve][clients]") {
    Server server;
    const std::string tile = "/tiles/12/2047/1361.mvt";

    SECTION("ETag then If-None-Match gives 304") {
        const std::string etag = header_value(server.headers(tile), "etag");
        REQUIRE_FALSE(etag.empty());
        CHECK(server.status(tile, {"-H", "If-None-Match: " + etag}) == "304");
        CHECK(server.status(tile, {"-H", "If-None-Match: \"something-else\""}) == "200");
    }
    SECTION("gzip only when accepted") {
        CHECK(header_value(server.headers(tile, {"-H", "Accept-Encoding: gzip"}), "content-encoding") == "gzip");
        CHECK(header_value(server.headers(tile), "content-encoding").empty());
    }
    SECTION("CORS on GET and on a preflight") {
        CHECK(header_value(server.headers("/collections/networks/items?limit=1"), "access-control-allow-origin") == "*");
        const std::string preflight = server.headers("/collections/networks/items", {"-X", "OPTIONS", "-H", "Origin: http://example.org",
                                                                                    "-H", "Access-Control-Request-Method: GET"});
        CHECK(preflight.rfind("http/1.1 204", 0) == 0);
        CHECK(header_value(preflight, "access-control-allow-origin") == "*");
    }
    SECTION("a page of items is streamed: chunked on HTTP/1.1, to the connection's close on HTTP/1.0, whole either way") {
        const std::string target = "/collections/areas/items?limit=10000";
        const std::string http11 = server.headers(target);
        CHECK(header_value(http11, "transfer-encoding") == "chunked");
        CHECK(header_value(http11, "content-length").empty());
        const std::string http10 = server.headers(target, {"--http1.0"});
        CHECK(header_value(http10, "transfer-encoding").empty());
        CHECK(header_value(http10, "connection") != "keep-alive");  // HTTP/1.0 closes unless asked otherwise
        // The same document both ways, but for its timeStamp.
        const auto without_time = [](const std::string& text) {
            return std::regex_replace(text, std::regex(R"("timeStamp":"[^"]*")"), "");
        };
        const std::string chunked = server.body_and_status(target);
        const std::string closed = server.body_and_status(target, {"--http1.0"});
        CHECK(chunked.size() > 100000);
        CHECK(chunked.substr(chunked.rfind('\n')) == "\n200");
        CHECK(without_time(chunked) == without_time(closed));
        CHECK(chunked.find(R"("numberReturned":)") != std::string::npos);
        // HEAD: the headers of the GET, no body.
        CHECK(server.body_and_status(target, {"-I"}).find(R"("features")") == std::string::npos);
    }
    SECTION("bad parameters and unknown resources give JSON errors") {
        struct Case {
            std::string target, code;
            std::vector<std::string> curl;
        };
        const std::vector<Case> cases = {
            {"/collections/networks/items?bbox=1,2,3", "400", {}},
            {"/collections/networks/items?limit=-1", "400", {}},
            {"/collections/elephants/items", "404", {}},
            {"/tiles/40/0/0.mvt", "404", {}},
            {"/collections/networks/items", "406", {"-H", "Accept: text/csv"}},
            {"/collections/networks/items", "405", {"-X", "DELETE"}},
        };
        for (const auto& [target, code, curl] : cases) {
            const std::string answer = server.body_and_status(target, curl);
            INFO(target << " -> " << answer);
            const auto newline = answer.rfind('\n');
            REQUIRE(newline != std::string::npos);
            CHECK(answer.substr(newline + 1) == code);
            const std::string body = answer.substr(0, newline);
            CHECK(std::regex_search(body, std::regex(R"(^\s*\{.*"code"\s*:\s*"[^"]+".*"description"\s*:\s*"[^"]+)")));
        }
    }
}
