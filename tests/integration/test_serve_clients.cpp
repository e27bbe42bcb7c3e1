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
#include <cstdio>
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
    // The input areas' own fields, the one that clashes prefixed, typed as in the sample's GeoPackage.
    CHECK(areas.out.find("lad11nm: String") != std::string::npos);
    CHECK(areas.out.find("msoa11cd: String") != std::string::npos);
    CHECK(areas.out.find("src_population: Integer") != std::string::npos);

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

TEST_CASE("GDAL reads /gaps as a layer called gaps for every criterion, and the gaps collection over OAPIF", "[serve][clients][gdal][gaps]") {
    Server server;
    // The collection carries every criterion's fields.
    const ProcessResult collection = run_bounded("120", {"ogrinfo", "-ro", "-so", "OAPIF:" + server.url(""), "gaps"});
    INFO(collection.err);
    REQUIRE(collection.exit_code == 0);
    for (const char* field : {"accessibility: Real", "access_rank: Integer", "rural: Integer(Boolean)", "nearest_practice_min: ",
                              "gap_criteria: String", "gap_reason: String", "constraint_group: String"}) {
        CHECK_THAT(collection.out, Catch::Contains(field));
    }
    // Each criterion through /gaps: GDAL's GeoJSON driver names the layer from the collection's name.
    const auto count_of = [&](const std::string& query, const std::string& where) {
        const ProcessResult r = run_bounded("120", {"ogrinfo", "-ro", "-q", "-dialect", "SQLite", "-sql",
                                                    "SELECT COUNT(*) AS n, SUM(" + where + ") AS meeting FROM gaps", server.url("/gaps" + query)});
        INFO(query << "\n" << r.err);
        REQUIRE(r.exit_code == 0);
        const std::smatch found = [&] {
            std::smatch m;
            std::regex_search(r.out, m, std::regex(R"(n \(Integer\) = (\d+)[\s\S]*meeting \(Integer\) = (\d+|\(null\)))"));
            return m;
        }();
        REQUIRE(found.size() == 3);
        return std::pair<long, std::string>(std::stol(found[1]), found[2]);
    };
    const ProcessResult layer = run_bounded("120", {"ogrinfo", "-ro", "-so", server.url("/gaps?max_distance_m=800")});
    INFO(layer.err);
    REQUIRE(layer.exit_code == 0);
    CHECK_THAT(layer.out, Catch::Contains("1: gaps"));

    const auto distance = count_of("?max_distance_m=800&criteria=distance", "gap_criteria = 'distance' AND nearest_practice_m > 800");
    CHECK(distance.first > 0);
    CHECK(distance.second == std::to_string(distance.first));
    const auto threshold = count_of("?criteria=accessibility&min_accessibility=700", "gap_criteria = 'accessibility' AND accessibility < 700");
    CHECK(threshold.first > 0);
    CHECK(threshold.second == std::to_string(threshold.first));
    const auto percentile = count_of("?criteria=accessibility&accessibility_percentile=10", "instr(gap_reason, 'poorest 10%') > 0");
    CHECK(percentile.first > 0);
    CHECK(percentile.second == std::to_string(percentile.first));
    const auto both = count_of("?criteria=distance,accessibility&max_distance_m=800&min_accessibility=700",
                               "gap_criteria IN ('distance', 'accessibility', 'distance,accessibility')");
    CHECK(both.first >= std::max(distance.first, threshold.first));
    CHECK(both.first <= distance.first + threshold.first);
    CHECK(both.second == std::to_string(both.first));
    // Every London area is in a network: an empty collection, which GDAL still opens as the gaps layer.
    CHECK_THAT(server.body_and_status("/gaps?criteria=outside_network"), Catch::Contains("\"numberMatched\":0") && Catch::EndsWith("\n200"));
    const ProcessResult empty = run_bounded("120", {"ogrinfo", "-ro", "-so", server.url("/gaps?criteria=outside_network"), "gaps"});
    CHECK(empty.exit_code == 0);
    CHECK_THAT(empty.out, Catch::Contains("Feature Count: 0"));

    // A bad parameter is a 400 naming it.
    const std::string bad = server.body_and_status("/gaps?criteria=travel_time&max_minutes=10");
    CHECK_THAT(bad, Catch::EndsWith("\n400") && Catch::Contains("max_minutes") && Catch::Contains("InvalidParameterValue"));
}

TEST_CASE("With travel times /gaps takes max_minutes, and GDAL reads the travel-time gaps", "[serve][clients][gdal][gaps][travel-times]") {
    TempDir dir;
    const std::string sample = (test_paths::sample_dir() / "london.gpkg").string();
    // Minutes at 15 km/h from each Tower Hamlets area's point on surface to the practices within 4 km.
    const ProcessResult made = run_bounded(
        "120", {"ogr2ogr", "-f", "CSV", (dir / "travel.csv"), sample, "-dialect", "SQLite", "-sql",
                "SELECT a.lsoa11cd AS area, p.practice_code AS practice, ST_Distance(ST_PointOnSurface(a.geom), p.geom) / 250.0 AS minutes "
                "FROM areas a, practices p WHERE a.lad11cd = 'E09000030' AND ST_Distance(ST_PointOnSurface(a.geom), p.geom) < 4000"});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    std::string toml = "name = \"Tower Hamlets with travel times\"\nworking_crs = \"EPSG:27700\"\n";
    toml += "[areas]\nsource = \"" + sample + "\"\nlayer = \"areas\"\nwhere = \"lad11cd = 'E09000030'\"\nid_field = \"lsoa11cd\"\n";
    toml += "group_field = \"lad11cd\"\npopulation_field = \"population\"\n";
    toml += "[practices]\nsource = \"" + sample + "\"\nlayer = \"practices\"\nid_field = \"practice_code\"\nlist_size_field = \"list_size\"\n";
    toml += "[registrations]\nsource = \"" + sample + "\"\nlayer = \"registrations\"\npractice_field = \"practice_code\"\n";
    toml += "area_field = \"lsoa11cd\"\npatients_field = \"patients\"\nno_area_codes = [\"NO2011\"]\n";
    toml += "[travel_times]\nsource = \"" + (dir / "travel.csv") + "\"\narea_field = \"area\"\npractice_field = \"practice\"\nminutes_field = \"minutes\"\n";
    {
        std::FILE* file = std::fopen((dir / "dataset.toml").c_str(), "w");
        REQUIRE(file != nullptr);
        std::fputs(toml.c_str(), file);
        std::fclose(file);
    }
    Server server({"--min", "20000", "--max", "80000"}, dir / "dataset.toml");
    const std::string url = server.url("/gaps?criteria=travel_time&max_minutes=2");
    const ProcessResult r = run_bounded("120", {"ogrinfo", "-ro", "-q", "-dialect", "SQLite", "-sql",
                                                "SELECT COUNT(*) AS n, SUM(gap_criteria = 'travel_time' AND nearest_practice_min > 2) AS meeting, "
                                                "MIN(nearest_practice_min) AS least FROM gaps", url});
    INFO(r.err << "\n" << server.log());
    REQUIRE(r.exit_code == 0);
    std::smatch m;
    REQUIRE(std::regex_search(r.out, m, std::regex(R"(n \(Integer\) = (\d+)[\s\S]*meeting \(Integer\) = (\d+))")));
    CHECK(std::stol(m[1]) > 0);
    CHECK(m[1] == m[2]);
    // Every area has its nearest practice in minutes; the default gaps (by distance) still answer.
    const std::string areas = server.body_and_status("/collections/areas/items?limit=1");
    CHECK_THAT(areas, Catch::Contains("\"nearest_practice_min\":") && !Catch::Contains("\"nearest_practice_min\":null") && Catch::EndsWith("\n200"));
    CHECK_THAT(server.body_and_status("/gaps?max_minutes=-1"), Catch::Contains("max_minutes") && Catch::EndsWith("\n400"));
}
