// The catchment binary as users run it: help, exit codes, summaries, atomic output, and the sample's
// figures checked against GDAL's own ogrinfo as an independent reader.
#include "paths.hpp"
#include "process.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>

using integration::ogr_sql_number;
using integration::run;

namespace {

const std::string catchment = test_paths::catchment_binary().string();

boost::json::value inspect_json(const std::string& dataset) {
    const auto r = run(catchment, {"inspect", dataset, "--format", "json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return boost::json::parse(r.out);
}

std::int64_t integer(const boost::json::value& v, std::initializer_list<const char*> path) {
    const boost::json::value* at = &v;
    for (const char* key : path) at = &at->at(key);
    return at->to_number<std::int64_t>();
}

struct ScratchDir {
    std::filesystem::path path = std::filesystem::temp_directory_path() / ("catchment-cli-" + std::to_string(::getpid()));
    ScratchDir() { std::filesystem::create_directories(path); }
    ~ScratchDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("Every command has --help", "[cli]") {
    const auto top = run(catchment, {"--help"});
    CHECK(top.exit_code == 0);
    CHECK_THAT(top.out, Catch::Contains("inspect"));
    const auto inspect = run(catchment, {"inspect", "--help"});
    CHECK(inspect.exit_code == 0);
    CHECK_THAT(inspect.out, Catch::Contains("--areas-source") && Catch::Contains("--registrations-patients-field"));
    CHECK(run(catchment, {"--version"}).exit_code == 0);
}

TEST_CASE("Usage errors exit with code 2", "[cli]") {
    CHECK(run(catchment, {}).exit_code == 2);
    CHECK(run(catchment, {"frobnicate"}).exit_code == 2);
    CHECK(run(catchment, {"inspect", "--format", "yaml", "data/sample"}).exit_code == 2);
}

TEST_CASE("Numeric options are checked with one short line: no wrap-round, no DBL_MAX", "[cli]") {
    ScratchDir dir;
    const std::string out = (dir.path / "plan.gpkg").string();
    const std::string sample = (std::filesystem::path(CATCHMENT_SOURCE_DIR) / "data" / "sample").string();
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"--seed", "-1"}, "--seed: expected a whole number from 0 to 18446744073709551615, got '-1'"},
        {{"--seed", "2.5"}, "--seed: expected a whole number"},
        {{"--max", "1e400"}, "--max: expected a whole number from 1 to 10,000,000, got '1e400'"},
        {{"--min", "nan"}, "--min: expected a whole number from 1 to 10,000,000, got 'nan'"},
        {{"--radius-m", "-3"}, "--radius-m: expected a number above 0"},
        {{"--gap-distance-m", "0"}, "--gap-distance-m: expected a number above 0"},
    };
    for (const auto& [flags, message] : cases) {
        std::vector<std::string> arguments{"plan", sample, "--out", out};
        arguments.insert(arguments.end(), flags.begin(), flags.end());
        const auto r = run(catchment, arguments);
        INFO(flags.front() << " " << flags.back() << ": " << r.err);
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.err, Catch::Contains(message));
        CHECK(r.err.size() < 200);  // one short line
        CHECK_FALSE(std::filesystem::exists(out));
    }
}

TEST_CASE("inspect summarises the bundled sample", "[cli][sample]") {
    const auto text = run(catchment, {"inspect", test_paths::sample_dir().string()});
    INFO(text.err);
    REQUIRE(text.exit_code == 0);
    CHECK_THAT(text.out, Catch::Contains("Working CRS: EPSG:27700") && Catch::Contains("9,002,488") &&
                             Catch::Contains("Practices                                    1,183"));
    CHECK(text.err.empty());  // no progress bar when stderr is not a terminal

    const auto json = inspect_json(test_paths::sample_dir().string());
    CHECK(integer(json, {"areas", "count"}) == 4835);
    CHECK(integer(json, {"areas", "population"}) == 9002488);
    CHECK(integer(json, {"practices", "count"}) == 1183);
    CHECK(json.at("areas").at("repaired").as_array().empty());
}

TEST_CASE("The sample's figures agree with GDAL's ogrinfo reading the same GeoPackage", "[cli][sample][gdal]") {
    const std::string gpkg = (test_paths::sample_dir() / "london.gpkg").string();
    const auto json = inspect_json(test_paths::sample_dir().string());
    CHECK(integer(json, {"areas", "count"}) == ogr_sql_number(gpkg, "SELECT COUNT(*) FROM areas"));
    CHECK(integer(json, {"areas", "population"}) == ogr_sql_number(gpkg, "SELECT SUM(population) FROM areas"));
    CHECK(integer(json, {"practices", "count"}) == ogr_sql_number(gpkg, "SELECT COUNT(*) FROM practices"));
    CHECK(integer(json, {"practices", "list_size_total"}) == ogr_sql_number(gpkg, "SELECT SUM(list_size) FROM practices"));
    CHECK(integer(json, {"registrations", "rows"}) == ogr_sql_number(gpkg, "SELECT COUNT(*) FROM registrations"));
    CHECK(integer(json, {"registrations", "patients"}) ==
          ogr_sql_number(gpkg, "SELECT SUM(patients) FROM registrations WHERE practice_code IN (SELECT practice_code FROM practices)"));
    CHECK(integer(json, {"registrations", "patients_in_study_areas"}) ==
          ogr_sql_number(gpkg, "SELECT SUM(r.patients) FROM registrations r JOIN practices p ON p.practice_code = r.practice_code "
                               "JOIN areas a ON a.lsoa11cd = r.lsoa11cd"));
    CHECK(integer(json, {"registrations", "unknown_practice", "patients"}) ==
          ogr_sql_number(gpkg, "SELECT COALESCE(SUM(patients), 0) FROM registrations WHERE practice_code NOT IN (SELECT practice_code FROM practices)"));
}

TEST_CASE("inspect works from flags alone", "[cli][sample]") {
    const std::string gpkg = (test_paths::sample_dir() / "london.gpkg").string();
    const auto r = run(catchment, {"inspect", "--areas-source", gpkg, "--areas-layer", "areas", "--areas-id-field", "lsoa11cd",
                                   "--areas-population-field", "population", "--areas-where", "lad11cd = 'E09000030'",
                                   "--practices-source", gpkg, "--practices-layer", "practices", "--practices-id-field",
                                   "practice_code", "--practices-list-size-field", "list_size", "--practices-where",
                                   "lad_code = 'E09000030'", "--format", "json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto json = boost::json::parse(r.out);
    CHECK(integer(json, {"areas", "count"}) == 144);         // Tower Hamlets LSOAs
    CHECK(integer(json, {"areas", "population"}) == 331969);
    CHECK(integer(json, {"practices", "count"}) == 32);
    CHECK(integer(json, {"practices", "list_size_total"}) == 377414);
}

TEST_CASE("Bad input: exit code 2 - one line on stderr - no output file left behind", "[cli]") {
    ScratchDir scratch;
    const std::string out = (scratch.path / "summary.json").string();
    const auto r = run(catchment, {"inspect", test_paths::sample_dir().string(), "--areas-id-field", "LSOA", "--out", out});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::StartsWith("catchment: error: ") && Catch::Contains("london.gpkg: layer 'areas': field 'LSOA': no such field"));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(std::filesystem::is_empty(scratch.path));
}

TEST_CASE("inspect --out writes the summary atomically", "[cli][sample]") {
    ScratchDir scratch;
    const std::string out = (scratch.path / "summary.json").string();
    const auto r = run(catchment, {"inspect", test_paths::sample_dir().string(), "--format", "json", "--out", out});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.empty());
    const std::string text = integration::slurp(out);
    CHECK(integer(boost::json::parse(text), {"areas", "count"}) == 4835);
    CHECK(std::distance(std::filesystem::directory_iterator(scratch.path), std::filesystem::directory_iterator()) == 1);
}

TEST_CASE("inspect summarises the real London data", "[cli][shared]") {
    const auto json = inspect_json((test_paths::descriptions() / "london-shared.toml").string());
    CHECK(integer(json, {"areas", "count"}) == 4835);
    CHECK(integer(json, {"areas", "population"}) == 9002488);
    CHECK(integer(json, {"practices", "count"}) == 1183);
    CHECK(integer(json, {"registrations", "rows"}) == 304958);
}

TEST_CASE("Areas load the same from Shapefile FlatGeobuf GeoJSON in WGS 84 and CSV with WKT", "[cli][sample][gdal][formats]") {
    ScratchDir scratch;
    const std::string gpkg = (test_paths::sample_dir() / "london.gpkg").string();
    struct Format {
        const char* file;
        std::vector<std::string> ogr2ogr_options;
        std::vector<std::string> inspect_options;
    };
    const std::vector<Format> formats = {
        {"th.shp", {"-f", "ESRI Shapefile"}, {}},
        {"th.fgb", {"-f", "FlatGeobuf"}, {}},
        {"th.geojson", {"-f", "GeoJSON", "-t_srs", "EPSG:4326"}, {}},
        {"th.csv", {"-f", "CSV", "-lco", "GEOMETRY=AS_WKT"}, {"--areas-geometry-field", "WKT", "--areas-crs", "EPSG:27700"}},
    };
    for (const Format& format : formats) {
        DYNAMIC_SECTION(format.file) {
            const std::string out = (scratch.path / format.file).string();
            std::vector<std::string> args = format.ogr2ogr_options;
            for (const std::string& a : {out, gpkg, std::string("areas"), std::string("-where"), std::string("lad11cd = 'E09000030'")}) args.push_back(a);
            const auto converted = run("ogr2ogr", args);
            INFO(converted.err);
            REQUIRE(converted.exit_code == 0);
            std::vector<std::string> inspect = {"inspect", "--areas-source", out, "--areas-id-field", "lsoa11cd",
                                                "--areas-population-field", "population", "--practices-source", gpkg,
                                                "--practices-layer", "practices", "--practices-id-field", "practice_code",
                                                "--practices-list-size-field", "list_size", "--format", "json"};
            inspect.insert(inspect.end(), format.inspect_options.begin(), format.inspect_options.end());
            const auto r = run(catchment, inspect);
            INFO(r.err);
            REQUIRE(r.exit_code == 0);
            const auto json = boost::json::parse(r.out);
            CHECK(integer(json, {"areas", "count"}) == 144);
            CHECK(integer(json, {"areas", "population"}) == 331969);
            CHECK(json.at("areas").at("area_km2").to_number<double>() == Approx(19.77).margin(0.05));
            // 1,183 London practices: those in Tower Hamlets stand inside these areas; the rest are left out, each reported.
            CHECK(integer(json, {"practices", "count"}) == 32);
            CHECK(json.at("practices").at("unplaced").as_array().size() == 1183 - 32);
        }
    }
}

TEST_CASE("A GeoPackage damaged in the middle is a read error, not a shorter layer", "[cli][sample]") {
    ScratchDir scratch;
    const auto sample = test_paths::sample_dir();
    std::filesystem::copy_file(sample / "london.gpkg", scratch.path / "london.gpkg");
    std::filesystem::copy_file(sample / "dataset.toml", scratch.path / "dataset.toml");
    {
        // 64 KiB overwritten half way through: inside the registrations table's pages.
        std::fstream file(scratch.path / "london.gpkg", std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(static_cast<std::streamoff>(std::filesystem::file_size(scratch.path / "london.gpkg") / 2));
        const std::string damage(65536, '\xab');
        file.write(damage.data(), static_cast<std::streamsize>(damage.size()));
    }
    const std::string out = (scratch.path / "plan.gpkg").string(), report = (scratch.path / "report.json").string();
    for (const std::vector<std::string>& arguments :
         {std::vector<std::string>{"inspect", scratch.path.string()},
          std::vector<std::string>{"plan", scratch.path.string(), "--out", out, "--report", report, "--quiet"}}) {
        const auto r = run(catchment, arguments);
        INFO(r.err);
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.err, Catch::StartsWith("catchment: error: ") && Catch::Contains("london.gpkg: layer 'registrations': reading failed after") &&
                              Catch::Contains("malformed"));
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
    CHECK_FALSE(std::filesystem::exists(out));
    CHECK_FALSE(std::filesystem::exists(report));
}
