// What-ifs from the command line on the bundled sample: re-planning from an earlier plan, closing and
// opening practices, `catchment diff`, and their bad input (exit code 2, one line, nothing written).
// GDAL's ogrinfo reads what we write.
#include "paths.hpp"
#include "process.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>

using integration::ogr_sql_number;
using integration::run;
using integration::slurp;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

/// Every layer of a plan GeoPackage as ogrinfo prints it, the plan record (its provenance) left out.
std::string plan_layers(const fs::path& file) {
    std::vector<std::string> arguments = {"-ro", "-q", "-al", file.string()};
    const auto listed = run("ogrinfo", {"-ro", "-q", file.string()});
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) {
        const auto colon = line.find(": ");
        if (colon == std::string::npos) continue;
        std::string layer = line.substr(colon + 2);
        layer = layer.substr(0, layer.find(' '));
        if (layer != "catchment_plan") arguments.push_back(layer);
    }
    REQUIRE(arguments.size() > 6);
    std::string dump = run("ogrinfo", arguments).out;
    return dump.substr(dump.find('\n'));  // (the first line names the file)
}

const std::string catchment = test_paths::catchment_binary().string();
const std::string sample = test_paths::sample_dir().string();

struct ScratchDir {
    fs::path path = fs::temp_directory_path() / ("catchment-what-if-" + std::to_string(::getpid()));
    ScratchDir() { fs::create_directories(path); }
    ~ScratchDir() { fs::remove_all(path); }
    std::string operator/(const std::string& name) const { return (path / name).string(); }
};

integration::ProcessResult plan(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {"plan", sample, "--constraint-field", "lad11cd", "--quiet"});
    return run(catchment, arguments);
}

/// (practice, from, to) of a diff's or report's moved practices.
std::set<std::tuple<std::string, std::string, std::string>> moved_of(const json::array& list) {
    std::set<std::tuple<std::string, std::string, std::string>> out;
    for (const auto& m : list) {
        out.emplace(std::string(m.at("practice").as_string()), std::string(m.at("from").as_string()), std::string(m.at("to").as_string()));
    }
    return out;
}

}  // namespace

TEST_CASE("What-if bad input: one line naming what is wrong, exit code 2, nothing written", "[cli][what-if]") {
    ScratchDir scratch;
    {
        std::ofstream(scratch / "wrong-columns.csv") << "practice,network\r\nF84012,N1\r\n";
        std::ofstream(scratch / "no-points.csv") << "code,name\r\nN1,New\r\n";
    }
    struct Case {
        std::vector<std::string> arguments;
        std::string named;
    };
    const std::vector<Case> cases = {
        {{"--exclude", "NOPE1"}, "unknown practice code 'NOPE1'"},
        {{"--baseline", scratch / "wrong-columns.csv"}, "field 'Partner Organisation Code': no such field"},
        {{"--baseline", scratch / "missing.gpkg"}, "missing.gpkg"},
        {{"--add-practice", "X1,Nowhere,0,0"}, "lies outside every study area"},
        {{"--add-practice", "F84012,Twin,535975,182104"}, "('F84012'): the code is already a practice's"},
        {{"--add-practice", "N1,A,535975,182104", "--add-practice", "N1,B,535975,182104"}, "('N1'): the code is already a practice's"},
        {{"--add-practice", "N1,A,535975,182104,12.5"}, "LIST_SIZE '12.5' is not a whole number"},
        {{"--add-practice", "N1,A,535975,182104,-3"}, "LIST_SIZE '-3' is not a whole number"},
        {{"--add-practice", "N1,A,east,182104"}, "X 'east' is not a number"},
        {{"--new-practices", scratch / "wrong-columns.csv"}, "field 'code': no such field"},
        {{"--new-practices", scratch / "no-points.csv"}, "has no points with a CRS"},
    };
    for (const Case& c : cases) {
        std::vector<std::string> arguments = c.arguments;
        arguments.insert(arguments.end(), {"--out", scratch / "out.gpkg"});
        const auto r = plan(arguments);
        INFO(r.err);
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.err, Catch::StartsWith("catchment: error: ") && Catch::Contains(c.named));
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        CHECK_FALSE(fs::exists(scratch / "out.gpkg"));
        CHECK_FALSE(fs::exists(scratch / "out-networks.csv"));
    }
    {
        std::ofstream(scratch / "strangers-networks.csv") << "Partner Organisation Code,Partner Name,PCN Code,PCN Name,List Size\r\n"
                                                          << "Z99999,Elsewhere,N001,North,5000\r\n";
    }
    const auto strangers = plan({"--baseline", scratch / "strangers-networks.csv", "--out", scratch / "out.gpkg"});
    CHECK(strangers.exit_code == 2);
    CHECK_THAT(strangers.err, Catch::Contains("names none of the dataset's practices"));
    const auto no_dataset = run(catchment, {"diff", "reference", scratch / "out.gpkg"});
    CHECK(no_dataset.exit_code == 2);
    CHECK_THAT(no_dataset.err, Catch::Contains("'reference' needs --dataset"));
}

TEST_CASE("Re-planning from a plan: closing F84012 moves few practices, and catchment diff reports exactly them", "[cli][what-if][sample]") {
    ScratchDir scratch;
    REQUIRE(plan({"--out", scratch / "base.gpkg"}).exit_code == 0);
    const auto closed = plan({"--baseline", scratch / "base.gpkg", "--exclude", "F84012", "--title", "F84012 closes", "--out",
                              scratch / "closed.gpkg", "--report", scratch / "closed.json"});
    INFO(closed.err);
    REQUIRE(closed.exit_code == 0);
    const json::value report = json::parse(slurp(scratch / "closed.json"));
    const json::object& what_if = report.at("what_if").as_object();
    CHECK(report.at("options").at("title") == "F84012 closes");
    CHECK(what_if.at("networks_changed").to_number<int>() + what_if.at("networks_created").to_number<int>() <= 4);
    CHECK(what_if.at("networks_dissolved").as_array().empty());
    std::int64_t patients = 0;
    for (const auto& m : what_if.at("patient_moves").as_array()) {
        CHECK(m.at("from") == "F84012");
        patients += m.at("patients").to_number<std::int64_t>();
    }
    CHECK(patients == 9713);

    // The plan against itself: nothing changed.
    const auto same = run(catchment, {"diff", scratch / "base.gpkg", scratch / "base.gpkg"});
    REQUIRE(same.exit_code == 0);
    CHECK_THAT(same.out, Catch::Contains("Nothing changed"));
    const auto same_json = run(catchment, {"diff", scratch / "base.gpkg", scratch / "base-networks.csv", "--format", "json"});
    REQUIRE(same_json.exit_code == 0);
    CHECK(json::parse(same_json.out).at("summary").at("changed").to_number<int>() == 0);
    CHECK(json::parse(same_json.out).at("moved_practices").as_array().empty());

    // Against the baseline: exactly the practices the plan says moved, and F84012 out of every network.
    const auto d = run(catchment, {"diff", scratch / "base.gpkg", scratch / "closed.gpkg", "--format", "json", "--out", scratch / "changes.gpkg"});
    INFO(d.err);
    REQUIRE(d.exit_code == 0);
    const json::value diff = json::parse(d.out);
    CHECK(moved_of(diff.at("moved_practices").as_array()) == moved_of(what_if.at("moved_practices").as_array()));
    CHECK(diff.at("removed_practices") == json::array{"F84012"});
    CHECK(ogr_sql_number(scratch / "closed.gpkg", "SELECT COUNT(*) FROM practices WHERE moved") ==
          static_cast<std::int64_t>(diff.at("moved_practices").as_array().size()));
    // GDAL opens the layer of changed networks, one feature each, with a shape.
    CHECK(ogr_sql_number(scratch / "changes.gpkg", "SELECT COUNT(*) FROM network_changes") ==
          static_cast<std::int64_t>(diff.at("networks").as_array().size()));
    CHECK(ogr_sql_number(scratch / "changes.gpkg", "SELECT COUNT(*) FROM network_changes WHERE change = 'changed'") ==
          diff.at("summary").at("changed").to_number<std::int64_t>());

    // The networks CSV serves as the baseline as well as the GeoPackage: the same networks. And the
    // same what-if again gives byte-identical files.
    REQUIRE(plan({"--baseline", scratch / "base-networks.csv", "--exclude", "F84012", "--title", "F84012 closes", "--out",
                  scratch / "closed-csv.gpkg"})
                .exit_code == 0);
    CHECK(slurp(scratch / "closed-csv-networks.csv") == slurp(scratch / "closed-networks.csv"));
    // Every layer is the same; only the plan record differs, naming the file each baseline came from.
    CHECK(plan_layers(scratch / "closed-csv.gpkg") == plan_layers(scratch / "closed.gpkg"));
    CHECK(ogr_sql_number(scratch / "closed-csv.gpkg", "SELECT COUNT(*) FROM catchment_plan WHERE title = 'F84012 closes' AND kind = 'file'") == 1);

    // A practice opened from a GeoJSON file (WGS 84) joins a network; the diff lists it as added.
    {
        std::ofstream(scratch / "new.geojson")
            << R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"NEW1","name":"Mile End surgery","list_size":9000},)"
            << R"("geometry":{"type":"Point","coordinates":[-0.0415,51.5215]}}]})";
    }
    REQUIRE(plan({"--baseline", scratch / "base.gpkg", "--new-practices", scratch / "new.geojson", "--out", scratch / "opened.gpkg"}).exit_code == 0);
    CHECK(ogr_sql_number(scratch / "opened.gpkg", "SELECT COUNT(*) FROM practices WHERE practice_code = 'NEW1' AND network_id IS NOT NULL") == 1);
    CHECK(ogr_sql_number(scratch / "opened.gpkg", "SELECT SUM(list_size) FROM practices") ==
          ogr_sql_number(scratch / "base.gpkg", "SELECT SUM(list_size) FROM practices"));
    const json::value opened = json::parse(run(catchment, {"diff", scratch / "base.gpkg", scratch / "opened.gpkg", "--format", "json"}).out);
    REQUIRE(opened.at("added_practices").as_array().size() == 1);
    CHECK(opened.at("added_practices").at(0).at("practice") == "NEW1");
    CHECK(opened.at("summary").at("changed").to_number<int>() + opened.at("summary").at("created").to_number<int>() <= 4);
}

TEST_CASE("Repairing the real PCNs: diff against the reference lists the moved practices", "[cli][what-if][sample][repair]") {
    ScratchDir scratch;
    const auto r = run(catchment, {"plan", sample, "--baseline", "reference", "--quiet", "--out", scratch / "repaired.gpkg", "--report",
                                   scratch / "repaired.json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const json::value report = json::parse(slurp(scratch / "repaired.json"));
    const auto d = run(catchment, {"diff", "reference", scratch / "repaired.gpkg", "--dataset", sample, "--format", "json"});
    INFO(d.err);
    REQUIRE(d.exit_code == 0);
    const json::value diff = json::parse(d.out);
    CHECK(moved_of(diff.at("moved_practices").as_array()) == moved_of(report.at("what_if").at("moved_practices").as_array()));
    // Real PCN codes and names carry over to the networks that continue them.
    CHECK(ogr_sql_number(scratch / "repaired.gpkg", "SELECT COUNT(*) FROM networks WHERE baseline_change = 'unchanged'") > 0);
    CHECK(ogr_sql_number(scratch / "repaired.gpkg", "SELECT COUNT(*) FROM networks WHERE network_id LIKE 'U%' AND network_name LIKE '%PCN%'") > 100);
}
