// QGIS as a client, headless (Debian's python3-qgis, QGIS 3.22, offscreen Qt): the scripts in tests/qgis
// read `catchment serve` over OGC API - Features and vector tiles, and open a `catchment plan`
// GeoPackage with its default styles. Each renders London to a PNG kept in the build tree
// (tests/qgis-artifacts) and prints its render time, which this test echoes (ctest -V shows it).
#include "integration/served.hpp"
#include "paths.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <iostream>
#include <string>

namespace {

namespace fs = std::filesystem;
using integration::ProcessResult;

const std::string kPython = CATCHMENT_QGIS_PYTHON;  // Debian's python3, where python3-qgis is installed

fs::path artifacts() {
    const fs::path dir = CATCHMENT_QGIS_ARTIFACTS;
    fs::create_directories(dir);
    return dir;
}

ProcessResult run_check(const std::string& script, const std::string& input) {
    const fs::path path = test_paths::source_dir() / "tests" / "qgis" / script;
    const ProcessResult result = integration::run_bounded("300", {kPython, path.string(), input, artifacts().string()});
    std::cout << script << ":\n" << result.out << std::flush;
    return result;
}

/// The lines of a check's output that give a render time.
std::string render_times(const std::string& out) {
    std::string lines;
    std::size_t start = 0;
    while ((start = out.find("QGIS render time", start)) != std::string::npos) {
        const std::size_t end = out.find('\n', start);
        lines += out.substr(start, end - start) + "\n";
        start = end;
    }
    return lines;
}

}  // namespace

TEST_CASE("QGIS reads the served OAPIF collections and vector tiles with the style and renders London", "[qgis][serve]") {
    const fs::path png = artifacts() / "qgis-vector-tiles.png";
    fs::remove(png);
    integration::Server server;
    const ProcessResult result = run_check("check_server.py", server.url(""));
    INFO("stdout:\n" << result.out << "stderr:\n" << result.err);
    CHECK(result.exit_code == 0);
    CHECK_THAT(result.out, Catch::Contains("all checks passed"));
    CHECK(render_times(result.out).find("London vector tiles") != std::string::npos);
    REQUIRE(fs::exists(png));
    CHECK(fs::file_size(png) > 20000);  // a drawn 1200x900 map, not an empty canvas
    CHECK(fs::exists(artifacts() / "qgis-oapif.png"));
}

TEST_CASE("QGIS opens a catchment plan GeoPackage styled from its layer_styles and renders it", "[qgis][plan]") {
    const fs::path png = artifacts() / "qgis-plan-gpkg.png";
    fs::remove(png);
    integration::TempDir dir;
    const std::string gpkg = dir / "plan.gpkg";
    const ProcessResult planned =
        integration::run_bounded("300", {test_paths::catchment_binary().string(), "plan", test_paths::sample_dir().string(),
                                         "--constraint-field", "lad11cd", "--out", gpkg, "--quiet"});
    INFO(planned.err);
    REQUIRE(planned.exit_code == 0);
    const ProcessResult result = run_check("check_gpkg.py", gpkg);
    INFO("stdout:\n" << result.out << "stderr:\n" << result.err);
    CHECK(result.exit_code == 0);
    CHECK_THAT(result.out, Catch::Contains("all checks passed"));
    REQUIRE(fs::exists(png));
    CHECK(fs::file_size(png) > 20000);
}
