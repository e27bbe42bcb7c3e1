// The plan store through the real server: plans survive a restart, a start restores the stored plan
// instead of planning, a plan downloads as a GeoPackage GDAL opens with its styles, `serve --plan`
// serves a plan file, and unusable stores and plan files stop the server with exit code 2.
#include "integration/process.hpp"
#include "integration/served.hpp"
#include "paths.hpp"
#include "pg_cluster.hpp"

#include <boost/json.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using integration::run_bounded;
using integration::Server;
using namespace std::chrono_literals;

struct Answer {
    std::string status;
    std::string body;
};

Answer request(const Server& server, const std::string& target, std::vector<std::string> extra = {}) {
    const std::string text = server.body_and_status(target, std::move(extra));
    const std::size_t newline = text.rfind('\n');
    REQUIRE(newline != std::string::npos);
    return {text.substr(newline + 1), text.substr(0, newline)};
}

std::vector<std::string> with_token(std::vector<std::string> extra) {
    extra.insert(extra.end(), {"-H", "Authorization: Bearer secret"});
    return extra;
}

/// The entries of GET /plans of one kind ("default", "request").
std::vector<json::object> plans_of_kind(const Server& server, const std::string& kind) {
    std::vector<json::object> out;
    const json::value list = json::parse(request(server, "/plans").body);
    for (const auto& entry : list.at("plans").as_array()) {
        const json::object& plan = entry.as_object();
        if (plan.contains("kind") && plan.at("kind") == kind.c_str()) out.push_back(plan);
    }
    return out;
}

/// Waits (bounded) until the served plan is in the store: it is written in the background.
void wait_until_default_stored(const Server& server) {
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (plans_of_kind(server, "default").empty() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(200ms);
    REQUIRE(plans_of_kind(server, "default").size() == 1);
}

}  // namespace

TEST_CASE("Plans survive a restart with the folder store and a start from a stored plan does no planning", "[serve][store]") {
    integration::TempDir dir;
    const std::string store = (dir.path() / "plans").string();
    std::string id;
    std::string default_id;
    {
        Server first({"--token", "secret", "--store", store});
        CHECK(first.log().find("planned now") != std::string::npos);
        const Answer created = request(first, "/plans", with_token({"-X", "POST", "-H", "Content-Type: application/json", "--data-binary",
                                                                     R"({"construction_runs":1,"title":"kept across restarts"})"}));
        REQUIRE(created.status == "201");
        id = std::string(json::parse(created.body).at("id").as_string());
        wait_until_default_stored(first);
        default_id = std::string(plans_of_kind(first, "default").front().at("id").as_string());
    }
    CHECK(fs::exists(fs::path(store) / (id + ".gpkg")));

    Server second({"--token", "secret", "--store", store});
    INFO(second.log());
    CHECK(second.log().find("(plan " + default_id + ", restored from the plan store)") != std::string::npos);
    const auto requested = plans_of_kind(second, "request");
    REQUIRE(requested.size() == 1);
    CHECK(requested.front().at("id").as_string() == id);
    CHECK(requested.front().at("title") == "kept across restarts");
    CHECK(requested.front().at("stale") == false);
    CHECK(plans_of_kind(second, "default").front().at("default") == true);
    CHECK(plans_of_kind(second, "default").front().at("parameters").at("constraint_field") == "lad11cd");
    CHECK(plans_of_kind(second, "default").front().at("summary").at("networks").to_number<int>() > 200);
    CHECK(request(second, "/plans/" + id).status == "200");
    CHECK(second.status("/plans/" + id + "/tiles/12/2047/1361.mvt") == "200");
    CHECK(second.status("/tiles/12/2047/1361.mvt") == "200");

    // The download is the GeoPackage `catchment plan` writes: GDAL opens its layers, styles and record.
    const fs::path download = dir.path() / "download.gpkg";
    REQUIRE(run_bounded("60", {"curl", "-sf", "-o", download.string(), second.url("/plans/" + id + ".gpkg")}).exit_code == 0);
    CHECK(integration::ogr_sql_number(download.string(), "SELECT COUNT(*) FROM layer_styles WHERE f_table_name = 'networks'") == 1);
    CHECK(integration::ogr_sql_number(download.string(), "SELECT COUNT(*) FROM networks") ==
          json::parse(request(second, "/plans/" + id).body).at("report").at("summary").at("plan").at("networks").to_number<std::int64_t>());
    CHECK(integration::ogr_sql_number(download.string(), "SELECT COUNT(*) FROM catchment_plan WHERE id = '" + id + "'") == 1);
    const fs::path served = dir.path() / "default.gpkg";
    REQUIRE(run_bounded("60", {"curl", "-sf", "-o", served.string(), second.url("/plans/default.gpkg")}).exit_code == 0);
    CHECK(integration::ogr_sql_number(served.string(), "SELECT COUNT(*) FROM catchment_plan WHERE id = '" + default_id + "'") == 1);

    // Another server on the same store holds the plan in memory once asked for it.
    Server third({"--token", "secret", "--store", store, "--store-poll-s", "1"});
    CHECK(request(third, "/plans/" + id).status == "200");

    // Deleting needs the token and leaves the served plan alone.
    CHECK(request(second, "/plans/" + id, {"-X", "DELETE"}).status == "401");
    CHECK(request(second, "/plans/" + default_id, with_token({"-X", "DELETE"})).status == "409");
    CHECK(request(second, "/plans/" + id, with_token({"-X", "DELETE"})).status == "204");
    CHECK(request(second, "/plans/" + id).status == "404");
    CHECK_FALSE(fs::exists(fs::path(store) / (id + ".gpkg")));
    // The other server follows within its poll.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (request(third, "/plans/" + id).status == "200" && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(200ms);
    CHECK(request(third, "/plans/" + id).status == "404");
}

TEST_CASE("serve --plan serves a plan file without planning and refuses one of other data or none with exit code 2", "[serve][store]") {
    integration::TempDir dir;
    const std::string binary = test_paths::catchment_binary().string(), sample = test_paths::sample_dir().string();
    const std::string file = (dir.path() / "borough.gpkg").string();
    REQUIRE(integration::run(binary, {"plan", sample, "--constraint-field", "lad11cd", "--seed", "5", "--quiet", "--out", file}).exit_code == 0);
    {
        Server server({"--plan", file, "--store", "none"});
        CHECK(server.log().find("restored from " + file) != std::string::npos);
        const json::value plan = json::parse(request(server, "/plans/default").body);
        CHECK(plan.at("report").at("options").at("seed").to_number<int>() == 5);
        CHECK(plan.at("report").at("summary").at("plan").at("networks").to_number<std::int64_t>() ==
              integration::ogr_sql_number(file, "SELECT COUNT(*) FROM networks"));
        CHECK(json::parse(request(server, "/plans").body).at("store").is_null());
    }

    // A plan of other data: its record's fingerprint no longer matches the dataset's.
    const std::string other = (dir.path() / "other.gpkg").string();
    fs::copy_file(file, other);
    REQUIRE(run_bounded("60", {"ogrinfo", other, "-q", "-sql", "UPDATE catchment_plan SET dataset_fingerprint = '0123456789abcdef'"}).exit_code == 0);
    const auto stale = run_bounded("180", {binary, "serve", sample, "--port", "0", "--plan", other, "--store", "none", "--quiet"});
    CHECK(stale.exit_code == 2);
    CHECK(stale.err.find(other + ": layer 'catchment_plan': planned from other data (dataset fingerprint 0123456789abcdef") != std::string::npos);

    // A GeoPackage that is not a plan, and a store that cannot be a folder: refused before listening.
    const std::string areas = (test_paths::sample_dir() / "london.gpkg").string();
    const auto not_a_plan = run_bounded("60", {binary, "serve", sample, "--port", "0", "--plan", areas});
    CHECK(not_a_plan.exit_code == 2);
    CHECK(not_a_plan.err.find("not a plan written by catchment plan") != std::string::npos);
    CHECK(not_a_plan.err.find("listening") == std::string::npos);
    const auto bad_store = run_bounded("60", {binary, "serve", sample, "--port", "0", "--store", file});
    CHECK(bad_store.exit_code == 2);
    CHECK(bad_store.err.find(file + ": cannot use it as the plan store") != std::string::npos);
}

TEST_CASE("With a PostGIS store plans survive a restart and a lost database answers 503 on writes until it returns", "[serve][store][postgis]") {
    test_support::PgCluster cluster;
    const std::vector<std::string> flags = {"--token", "secret", "--store", cluster.location()};
    const auto post = [](const Server& server, const std::string& body) {
        return request(server, "/plans", with_token({"-X", "POST", "-H", "Content-Type: application/json", "--data-binary", body}));
    };
    std::string id;
    {
        Server first(flags);
        const Answer created = post(first, R"({"construction_runs":1,"title":"in the database"})");
        REQUIRE(created.status == "201");
        id = std::string(json::parse(created.body).at("id").as_string());
        wait_until_default_stored(first);
    }
    Server second(flags);
    INFO(second.log());
    CHECK(second.log().find("restored from the plan store") != std::string::npos);
    REQUIRE(plans_of_kind(second, "request").size() == 1);
    CHECK(plans_of_kind(second, "request").front().at("id").as_string() == id);
    CHECK(second.status("/plans/" + id + "/tiles/12/2047/1361.mvt") == "200");

    // The database goes: plan writes and the listing answer 503, what is in memory is served as before.
    cluster.stop();
    const Answer refused = post(second, R"({"construction_runs":1,"seed":9})");
    CHECK(refused.status == "503");
    CHECK(json::parse(refused.body).at("code") == "StoreUnavailable");
    CHECK(request(second, "/plans").status == "503");
    CHECK(second.status("/plans/" + id + "/tiles/12/2047/1362.mvt") == "200");
    CHECK(second.status("/tiles/12/2047/1361.mvt") == "200");
    CHECK(second.status("/collections/networks/items?limit=5") == "200");
    // It comes back: so do writes.
    cluster.restart();
    CHECK(post(second, R"({"construction_runs":1,"seed":9})").status == "201");
    CHECK(plans_of_kind(second, "request").size() == 2);
}
