// `catchment plan` as users run it: help, option errors (exit code 2, one line naming the option),
// and runs on the bundled sample checked with GDAL's ogrinfo as an independent reader.
#include "paths.hpp"
#include "process.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <unistd.h>

using integration::ogr_sql_number;
using integration::run;
using integration::slurp;
namespace fs = std::filesystem;

namespace {

const std::string catchment = test_paths::catchment_binary().string();
const std::string sample = test_paths::sample_dir().string();

struct ScratchDir {
    fs::path path = fs::temp_directory_path() / ("catchment-plan-cli-" + std::to_string(::getpid()));
    ScratchDir() { fs::create_directories(path); }
    ~ScratchDir() { fs::remove_all(path); }
};

/// Runs `catchment plan` with `arguments`; expects exit code 2 and one line on stderr holding `named`.
void expect_option_error(const std::vector<std::string>& arguments, const std::string& named) {
    std::vector<std::string> all = {"plan"};
    all.insert(all.end(), arguments.begin(), arguments.end());
    const auto r = run(catchment, all);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::StartsWith("catchment: error: ") && Catch::Contains(named));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

}  // namespace

TEST_CASE("plan --help describes every option with its default", "[cli][plan_cli]") {
    const auto r = run(catchment, {"plan", "--help"});
    CHECK(r.exit_code == 0);
    for (const char* option : {"--min", "--max", "--method", "--core-share", "--radius-m", "--constraint-field",
                               "--lock-field", "--lock", "--exclude", "--seed", "--construction-runs", "--sweeps", "--plan-threads",
                               "--gap-distance-m", "--rural-gap-distance-m", "--rural-field", "--rural-density", "--gap-max-minutes",
                               "--gap-min-accessibility", "--gap-accessibility-percentile", "--supply-field", "--access-bands",
                               "--access-time-bands", "--radius-minutes", "--suggest-sites", "--suggest-list-size", "--travel-times-source",
                               "--out", "--report", "--quiet", "--areas-source"}) {
        CHECK_THAT(r.out, Catch::Contains(option));
    }
    for (const char* default_value : {"=30000", "=50000", "=registrations", "=0.8", "POSITIVE=1600", "UINT=1"}) {
        CHECK_THAT(r.out, Catch::Contains(default_value));
    }
    CHECK_THAT(r.out, Catch::Contains("Example: catchment plan data/sample"));
    CHECK_THAT(run(catchment, {"--help"}).out, Catch::Contains("plan"));
}

TEST_CASE("plan option errors: exit code 2 and one line naming the option", "[cli][plan_cli]") {
    ScratchDir scratch;
    const std::string out = (scratch.path / "plan.gpkg").string();
    SECTION("--min above --max") { expect_option_error({sample, "--min", "50000", "--max", "30000", "--out", out}, "--min"); }
    SECTION("unknown --method") { expect_option_error({sample, "--method", "bogus", "--out", out}, "--method"); }
    SECTION("--out missing") { expect_option_error({sample}, "--out"); }
    SECTION("--out with an unsupported extension") {
        expect_option_error({sample, "--out", (scratch.path / "plan.kml").string()}, "plan.kml");
    }
    SECTION("--access-bands that do not decay") { expect_option_error({sample, "--access-bands", "1600:0.5,5000:1", "--out", out}, "--access-bands"); }
    SECTION("--gap-accessibility-percentile of 100") {
        expect_option_error({sample, "--gap-accessibility-percentile", "100", "--out", out}, "--gap-accessibility-percentile");
    }
    SECTION("--suggest-sites 0") { expect_option_error({sample, "--suggest-sites", "0", "--out", out}, "--suggest-sites"); }
    SECTION("--lock without --lock-field") { expect_option_error({"--lock", "U1", sample, "--out", out}, "--lock-field"); }
    SECTION("--exclude takes one comma-separated value, not the dataset after it") {
        expect_option_error({"--exclude", "A1,A2", sample, "--min", "2", "--max", "1", "--out", out}, "--min 2");
    }
    // Found before any work: no dataset is loaded, no plan made.
    SECTION("--out an existing directory") {
        fs::create_directory(scratch.path / "made.gpkg");
        expect_option_error({sample, "--out", (scratch.path / "made.gpkg").string()}, "made.gpkg: is a directory");
        fs::remove(scratch.path / "made.gpkg");
    }
    SECTION("--report an existing directory") {
        fs::create_directory(scratch.path / "report");
        expect_option_error({sample, "--out", out, "--report", (scratch.path / "report").string()}, "report: is a directory");
        fs::remove(scratch.path / "report");
    }
    CHECK(fs::is_empty(scratch.path));
}

// These load the sample and ask geo to validate the options against it.
TEST_CASE("plan options naming what the dataset lacks: exit code 2 and one line", "[cli][plan_cli][plan]") {
    ScratchDir scratch;
    const std::string out = (scratch.path / "plan.gpkg").string();
    SECTION("--constraint-field") { expect_option_error({sample, "--constraint-field", "NOPE", "--out", out}, "NOPE"); }
    SECTION("--lock-field") { expect_option_error({sample, "--lock-field", "NOPE", "--out", out}, "NOPE"); }
    SECTION("--exclude an unknown practice") { expect_option_error({sample, "--exclude", "ZZZ999", "--out", out}, "ZZZ999"); }
    SECTION("--supply-field") { expect_option_error({sample, "--supply-field", "gp_fte", "--out", out}, "supply field 'gp_fte'"); }
    SECTION("--rural-field") { expect_option_error({sample, "--rural-field", "ruc11", "--out", out}, "'ruc11' is not a field"); }
    CHECK(fs::is_empty(scratch.path));
}

TEST_CASE("plan on the sample writes every layer and the CSV and the report", "[cli][sample][plan]") {
    ScratchDir scratch;
    const std::string gpkg = (scratch.path / "plan.gpkg").string();
    const std::string report = (scratch.path / "report.json").string();
    const auto r = run(catchment, {"plan", sample, "--constraint-field", "lad11cd", "--out", gpkg, "--report", report});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Reference") && Catch::Contains("Networks"));

    const auto layers = run("ogrinfo", {"-ro", "-so", gpkg});
    REQUIRE(layers.exit_code == 0);
    for (const char* layer : {"practices (Point)", "areas (Multi Polygon)", "catchments (Multi Polygon)",
                              "core_catchments (Multi Polygon)", "networks (Multi Polygon)",
                              "network_borders (Multi Line String)", "gaps (Multi Polygon)"}) {
        CHECK_THAT(layers.out, Catch::Contains(layer));
    }
    CHECK(ogr_sql_number(gpkg, "SELECT COUNT(*) FROM areas") == 4835);
    CHECK(ogr_sql_number(gpkg, "SELECT COUNT(*) FROM practices") == 1183);

    const boost::json::value json = boost::json::parse(slurp(report));
    const std::size_t networks = json.at("networks").as_array().size();
    CHECK(networks > 0);
    CHECK(ogr_sql_number(gpkg, "SELECT COUNT(*) FROM networks") == static_cast<std::int64_t>(networks));
    CHECK(json.at("options").at("constraint_field").as_string() == "lad11cd");

    const std::string csv = slurp(scratch.path / "plan-networks.csv");
    CHECK(csv.rfind("Partner Organisation Code,Partner Name,PCN Code,PCN Name,List Size\r\n", 0) == 0);
    CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + ogr_sql_number(gpkg, "SELECT COUNT(*) FROM practices WHERE NOT excluded"));
}

TEST_CASE("plan with accessibility gap criteria tallies them and suggests practice sites", "[cli][sample][plan][gaps]") {
    ScratchDir scratch;
    const std::string gpkg = (scratch.path / "plan.gpkg").string();
    const std::string report = (scratch.path / "report.json").string();
    const auto r = run(catchment, {"plan", sample, "--constraint-field", "lad11cd", "--gap-accessibility-percentile", "5", "--suggest-sites", "3",
                                   "--suggest-list-size", "8000", "--out", gpkg, "--report", report});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Suggested practice sites") && Catch::Contains("by criterion: outside_network 0, distance"));
    const boost::json::value json = boost::json::parse(slurp(report));
    const boost::json::array& by_criterion = json.at("gaps").at("by_criterion").as_array();
    REQUIRE(by_criterion.size() == 3);
    CHECK(by_criterion.at(2).at("criterion").as_string() == "accessibility");
    const std::int64_t poorest = by_criterion.at(2).at("people").as_int64();
    // The poorest 5% of London's residents (by accessibility, population-weighted): at least 5%, not much more.
    CHECK(poorest >= 0.05 * 9002488);
    CHECK(poorest <= 0.06 * 9002488);
    CHECK(ogr_sql_number(gpkg, "SELECT SUM(population) FROM gaps WHERE gap_criteria LIKE '%accessibility%'") == poorest);
    CHECK(ogr_sql_number(gpkg, "SELECT COUNT(*) FROM areas WHERE accessibility IS NULL OR access_rank < 1") == 0);
    // Supply conserved in what the plan wrote: residents times accessibility over 1,000 sum to the supply reached.
    const double supply = json.at("gaps").at("accessibility").at("supply_reached").to_number<double>();
    CHECK(static_cast<double>(ogr_sql_number(gpkg, "SELECT CAST(ROUND(SUM(population * accessibility) / 1000) AS INTEGER) FROM areas")) ==
          Approx(supply).epsilon(0.001));
    const boost::json::array& sites = json.at("suggestions").as_array();
    REQUIRE(sites.size() == 3);
    for (const boost::json::value& site : sites) {
        CHECK(site.at("list_size").as_int64() == 8000);
        CHECK(site.at("gap_capacity_gained").to_number<double>() > 0);
        CHECK(site.at("x").to_number<double>() > 500000);  // easting in EPSG:27700, ready for --add-practice
    }
    CHECK(sites.at(0).at("rank").as_int64() == 1);
}

TEST_CASE("plan twice with the same seed gives byte-identical files, on one planning thread or four", "[cli][sample][plan][determinism]") {
    ScratchDir scratch;
    fs::create_directories(scratch.path / "a");
    fs::create_directories(scratch.path / "b");
    for (const char* run_dir : {"a", "b"}) {
        const auto r = run(catchment, {"plan", sample, "--constraint-field", "lad11cd", "--seed", "3", "--quiet", "--plan-threads",
                                       run_dir == std::string("a") ? "1" : "4", "--out", (scratch.path / run_dir / "plan.gpkg").string()});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(r.out.empty());  // --quiet
    }
    CHECK(slurp(scratch.path / "a" / "plan.gpkg") == slurp(scratch.path / "b" / "plan.gpkg"));
    CHECK(slurp(scratch.path / "a" / "plan-networks.csv") == slurp(scratch.path / "b" / "plan-networks.csv"));
    CHECK(!slurp(scratch.path / "a" / "plan-networks.csv").empty());
}
