// POST /plans on the real `catchment serve` of the bundled London sample, read back with curl and with
// GDAL's OAPIF driver: a plan with a hypothetical practice, the token, the bounded store and the time
// limit. Every client runs under `timeout`; the server is killed when each test case ends.
#include "integration/process.hpp"
#include "integration/served.hpp"
#include "paths.hpp"

#include <boost/json.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <future>
#include <regex>
#include <set>
#include <string>
#include <unistd.h>

namespace {

namespace json = boost::json;
using integration::run_bounded;
using integration::Server;

struct Answer {
    std::string status;
    std::string body;
};

Answer split(const std::string& body_and_status) {
    const std::size_t newline = body_and_status.rfind('\n');
    REQUIRE(newline != std::string::npos);
    return {body_and_status.substr(newline + 1), body_and_status.substr(0, newline)};
}

Answer post_plan(const Server& server, const std::string& body, const std::string& token = "secret") {
    std::vector<std::string> extra = {"-X", "POST", "-H", "Content-Type: application/json", "--data-binary", body};
    if (!token.empty()) {
        extra.push_back("-H");
        extra.push_back("Authorization: Bearer " + token);
    }
    return split(server.body_and_status("/plans", extra));
}

Answer get(const Server& server, const std::string& target) { return split(server.body_and_status(target)); }

/// "Feature Count: N" of one OAPIF layer, as GDAL sees it.
std::int64_t oapif_count(const std::string& url, const std::string& layer) {
    const auto info = run_bounded("120", {"ogrinfo", "-ro", "-so", "OAPIF:" + url, layer});
    REQUIRE(info.exit_code == 0);
    std::smatch match;
    const std::regex count("Feature Count: ([0-9]+)");
    REQUIRE(std::regex_search(info.out, match, count));
    return std::stoll(match[1].str());
}

// A practice site on Mile End Road, Tower Hamlets (inside the study area).
constexpr const char* kNewPractice =
    R"({"code":"NEW1","name":"Hypothetical Mile End surgery","lon":-0.0415,"lat":51.5215,"list_size":9000})";

}  // namespace

TEST_CASE("POST /plans with a hypothetical practice makes a plan GDAL opens over OAPIF", "[serve][plans]") {
    Server server({"--token", "secret", "--max-plans", "2"});

    const Answer unauthorised = post_plan(server, "{}", "");
    CHECK(unauthorised.status == "401");
    CHECK(json::parse(unauthorised.body).at("code") == "Unauthorized");

    const Answer bad = post_plan(server, R"({"new_practices":[{"code":"X","lon":-0.04,"lat":95,"list_size":10}]})");
    CHECK(bad.status == "400");
    CHECK(std::string(json::parse(bad.body).at("description").as_string()).find("new_practices[0].lat") == 0);

    const Answer created = post_plan(server, std::string(R"({"min_list_size":25000,"new_practices":[)") + kNewPractice + "]}");
    REQUIRE(created.status == "201");
    const json::value plan = json::parse(created.body);
    const std::string p1(plan.at("id").as_string());
    CHECK(p1.size() == 17);
    CHECK(plan.at("new_practices").as_array().size() == 1);
    CHECK(plan.at("report").at("options").at("min_list_size").to_number<std::int64_t>() == 25000);
    // The band moved: every network the plan counts in band holds at least 25,000 patients.
    std::size_t in_band = 0;
    for (const auto& network : plan.at("report").at("networks").as_array()) {
        if (network.at("status") != "in_band") continue;
        ++in_band;
        CHECK(network.at("list_size").to_number<std::int64_t>() >= 25000);
    }
    CHECK(static_cast<std::int64_t>(in_band) == plan.at("report").at("summary").at("plan").at("in_band").to_number<std::int64_t>());
    CHECK(server.headers("/plans/" + p1).find("200") != std::string::npos);

    // GDAL opens the plan as an OGC API landing page and counts one more practice than the default plan.
    const std::int64_t default_practices = oapif_count(server.url(""), "practices");
    CHECK(oapif_count(server.url("/plans/" + p1), "practices") == default_practices + 1);
    CHECK(oapif_count(server.url("/plans/" + p1), "networks") == plan.at("report").at("summary").at("plan").at("networks").to_number<std::int64_t>());

    // The new practice stands where it was put and belongs to a network.
    const Answer practice = get(server, "/plans/" + p1 + "/collections/practices/items/NEW1");
    REQUIRE(practice.status == "200");
    const json::value feature = json::parse(practice.body);
    CHECK(feature.at("geometry").at("coordinates").at(0).to_number<double>() == Approx(-0.0415).margin(1e-6));
    CHECK(feature.at("geometry").at("coordinates").at(1).to_number<double>() == Approx(51.5215).margin(1e-6));
    CHECK(feature.at("properties").at("network_id").is_string());
    CHECK(get(server, "/collections/practices/items/NEW1").status == "404");

    // Its tiles come from the plan: GDAL's MVT driver reads one through /vsicurl/.
    const auto tile = run_bounded("60", {"ogrinfo", "-ro", "-so", "/vsicurl/" + server.url("/plans/" + p1 + "/tiles/12/2047/1361.mvt"), "-oo",
                                         "METADATA_FILE=", "networks"});
    CHECK(tile.exit_code == 0);
    CHECK(tile.out.find("Feature Count") != std::string::npos);
    const json::value tilejson = json::parse(get(server, "/plans/" + p1 + "/tiles.json").body);
    CHECK(std::string(tilejson.at("tiles").at(0).as_string()).find("/plans/" + p1 + "/tiles/{z}/{x}/{y}.mvt") != std::string::npos);

    // Memory keeps two plans: a third evicts the least recently used (p1 was read last, so p2 goes). The
    // plan store keeps every one, so p2 is restored from it when asked for again.
    const Answer second = post_plan(server, R"({"construction_runs":1})");
    REQUIRE(second.status == "201");
    const std::string p2(json::parse(second.body).at("id").as_string());
    CHECK(get(server, "/plans/" + p1).status == "200");
    const Answer third = post_plan(server, R"({"construction_runs":1,"seed":2})");
    REQUIRE(third.status == "201");
    const std::string p3(json::parse(third.body).at("id").as_string());
    const json::value list = json::parse(get(server, "/plans").body);
    CHECK(list.at("evicted").to_number<int>() == 1);
    std::set<std::string> requested;
    for (const auto& entry : list.at("plans").as_array()) {
        if (entry.as_object().contains("kind") && entry.at("kind") == "request") requested.emplace(entry.at("id").as_string());
    }
    CHECK(requested == std::set<std::string>{p1, p2, p3});
    CHECK(list.at("plans").at(0).at("id") == "default");
    CHECK(get(server, "/plans/" + p2).status == "200");
    CHECK(json::parse(get(server, "/plans").body).at("evicted").to_number<int>() == 2);  // p2 back in memory: p1 or p3 went
}

TEST_CASE("POST /plans from the served plan closes a practice, and the API diff matches catchment diff", "[serve][plans][what-if]") {
    Server server({"--token", "secret"});
    const Answer bad = post_plan(server, R"({"baseline":"p99"})");
    CHECK(bad.status == "400");
    CHECK(std::string(json::parse(bad.body).at("description").as_string()).rfind("baseline: no plan 'p99'", 0) == 0);
    const Answer unknown = post_plan(server, R"({"excluded_practices":["F84012","NOPE"]})");
    CHECK(unknown.status == "400");
    CHECK(std::string(json::parse(unknown.body).at("description").as_string()).rfind("excluded_practices[1]: unknown practice code", 0) == 0);

    const Answer created = post_plan(server, R"({"baseline":"default","excluded_practices":["F84012"],"title":"F84012 closes"})");
    REQUIRE(created.status == "201");
    const json::value plan = json::parse(created.body);
    CHECK(plan.at("title") == "F84012 closes");
    const std::string id(plan.at("id").as_string());
    const Answer diff = get(server, "/plans/" + id + "/diff?against=default");
    REQUIRE(diff.status == "200");
    const json::value api = json::parse(diff.body);
    CHECK(get(server, "/plans/" + id + "/diff?against=nope").status == "400");
    CHECK(get(server, "/plans/" + id + "/diff?colour=red").status == "400");
    CHECK(get(server, "/plans/default/diff").status == "200");

    // The same what-if from the command line, diffed by `catchment diff`.
    const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("catchment-api-diff-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string binary = test_paths::catchment_binary().string(), sample = test_paths::sample_dir().string();
    const std::string base = (dir / "base.gpkg").string(), closed = (dir / "closed.gpkg").string();
    REQUIRE(integration::run(binary, {"plan", sample, "--constraint-field", "lad11cd", "--quiet", "--out", base}).exit_code == 0);
    REQUIRE(integration::run(binary, {"plan", sample, "--constraint-field", "lad11cd", "--quiet", "--baseline", base, "--exclude", "F84012",
                                      "--out", closed})
                .exit_code == 0);
    const auto cli = integration::run(binary, {"diff", base, closed, "--format", "json"});
    std::filesystem::remove_all(dir);
    REQUIRE(cli.exit_code == 0);
    const json::value local = json::parse(cli.out);
    for (const char* member : {"summary", "moved_practices", "removed_practices", "added_practices", "networks"}) {
        INFO(member);
        CHECK(api.at(member) == local.at(member));
    }
    CHECK(api.at("removed_practices") == json::array{"F84012"});
}
