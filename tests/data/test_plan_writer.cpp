// Writing a plan in every supported format, read back by GDAL's ogrinfo as an independent reader:
// layers, counts, attributes, geometry types, CRS, the ePCN CSV, reproducible bytes and atomicity.
#include "data/errors.hpp"
#include "data/plan_writer.hpp"
#include "fixtures.hpp"
#include "integration/process.hpp"
#include "plan_fixture.hpp"

#include <catch2/catch.hpp>

#include <cpl_minixml.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using fixtures::TempDir;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::set<std::string> files_in(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
    return names;
}

/// `ogrinfo -ro -so FILE [LAYER]`: the summary of a source or one layer.
std::string ogr_summary(const fs::path& file, const std::string& layer = {}) {
    std::vector<std::string> args = {"-ro", "-so", file.string()};
    if (!layer.empty()) args.push_back(layer);
    const auto r = integration::run("ogrinfo", args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
}

std::int64_t feature_count(const fs::path& file, const std::string& layer) {
    std::smatch m;
    const std::string summary = ogr_summary(file, layer);
    REQUIRE(std::regex_search(summary, m, std::regex(R"(Feature Count: ([0-9]+))")));
    return std::stoll(m[1]);
}

/// The first value `ogrinfo -sql` prints for `field`, e.g. "  practice_codes (String) = P1".
std::string ogr_value(const fs::path& file, const std::string& sql, const std::string& field) {
    const auto r = integration::run("ogrinfo", {"-ro", "-q", "-sql", sql, file.string()});
    INFO(sql << "\n" << r.err);
    REQUIRE(r.exit_code == 0);
    std::smatch m;
    REQUIRE(std::regex_search(r.out, m, std::regex("  " + field + R"( \([A-Za-z0-9()]+\) = ([^\n]*))")));
    return m[1];
}

const char* const kLayers[] = {"practices", "areas", "catchments", "core_catchments", "networks", "network_borders", "gaps"};

const std::string kCsv =
    "Partner Organisation Code,Partner Name,PCN Code,PCN Name,List Size\r\n"
    "P1,One,N001,West,1000\r\n"
    "P2,\"Two, \"\"the\"\" surgery\",N002,East network with a name longer than the table,2000\r\n";

}  // namespace

TEST_CASE("A plan as one GeoPackage: every layer with its features and fields in EPSG:27700", "[plan_writer]") {
    const plan_fixture::Example e = plan_fixture::example();
    TempDir dir;
    const fs::path out = dir.path() / "plan.gpkg";
    data::write_plan(out, e.dataset, e.plan);
    CHECK(files_in(dir.path()) == std::set<std::string>{"plan.gpkg", "plan-networks.csv"});

    const std::string summary = ogr_summary(out);
    CHECK_THAT(summary, Catch::Contains("practices (Point)") && Catch::Contains("areas (Multi Polygon)") &&
                            Catch::Contains("catchments (Multi Polygon)") && Catch::Contains("core_catchments (Multi Polygon)") &&
                            Catch::Contains("networks (Multi Polygon)") && Catch::Contains("network_borders (Multi Line String)") &&
                            Catch::Contains("gaps (Multi Polygon)"));
    CHECK(feature_count(out, "practices") == 3);
    CHECK(feature_count(out, "areas") == 2);
    CHECK(feature_count(out, "catchments") == 3);  // P3's has no areas: kept with no geometry
    CHECK(feature_count(out, "core_catchments") == 1);
    CHECK(feature_count(out, "networks") == 2);
    CHECK(feature_count(out, "network_borders") == 1);
    CHECK(feature_count(out, "gaps") == 1);
    CHECK_THAT(ogr_summary(out, "networks"), Catch::Contains("ID[\"EPSG\",27700]"));
    CHECK_THAT(ogr_summary(out), Catch::Contains("ATTRIBUTION=Contains hand-made test data © nobody"));  // gpkg_metadata

    CHECK(ogr_value(out, "SELECT practice_codes FROM networks WHERE network_id = 'N002'", "practice_codes") == "P2");
    CHECK(ogr_value(out, "SELECT status FROM networks WHERE network_id = 'N001'", "status") == "below_band");
    CHECK(ogr_value(out, "SELECT area_km2 FROM networks WHERE network_id = 'N001'", "area_km2") == "1");
    CHECK(ogr_value(out, "SELECT excluded FROM practices WHERE practice_code = 'P3'", "excluded") == "1");
    CHECK(ogr_value(out, "SELECT network_id FROM practices WHERE practice_code = 'P2'", "network_id") == "N002");
    CHECK(ogr_value(out, "SELECT dominant_areas FROM practices WHERE practice_code = 'P1'", "dominant_areas") == "1");
    CHECK(ogr_value(out, "SELECT dominated_externally FROM areas WHERE area_code = 'A2'", "dominated_externally") == "1");
    CHECK(ogr_value(out, "SELECT owner_practice FROM areas WHERE area_code = 'A2'", "owner_practice") == "P2");
    CHECK(ogr_value(out, "SELECT COUNT(*) AS n FROM catchments WHERE geom IS NULL", "n") == "1");
    CHECK(ogr_value(out, "SELECT method FROM catchments WHERE practice_code = 'P1'", "method") == "registrations");
    CHECK(ogr_value(out, "SELECT network_b FROM network_borders", "network_b") == "N002");
    CHECK(std::stod(ogr_value(out, "SELECT ST_Length(geom) AS len FROM network_borders", "len")) == Approx(1000));
    CHECK(ogr_value(out, "SELECT gap_reason FROM gaps", "gap_reason") == "farther than 1600 m from any practice (urban area)");
    CHECK(ogr_value(out, "SELECT people_in_gaps FROM networks WHERE network_id = 'N002'", "people_in_gaps") == "200");
    CHECK(std::stod(ogr_value(out, "SELECT hub_m FROM areas WHERE area_code = 'A2'", "hub_m")) == Approx(500));
    // No value is NULL, not an empty text: P3 is in no network, A1 is no gap, A2's top registrant is outside.
    CHECK(ogr_value(out, "SELECT COUNT(*) AS n FROM practices WHERE network_id IS NULL AND network_status IS NULL", "n") == "1");
    CHECK(ogr_value(out, "SELECT COUNT(*) AS n FROM areas WHERE gap_reason IS NULL", "n") == "1");
    CHECK(ogr_value(out, "SELECT COUNT(*) AS n FROM areas WHERE dominant_practice IS NULL", "n") == "1");
    CHECK(ogr_value(out, "SELECT COUNT(*) AS n FROM practices WHERE network_id = ''", "n") == "0");

    CHECK(slurp(dir.path() / "plan-networks.csv") == kCsv);
}

TEST_CASE("Plan files keep the input areas' and practices' fields with their types as GDAL reads them", "[plan_writer]") {
    const plan_fixture::Example e = plan_fixture::example_with_input_fields();
    TempDir dir;
    const fs::path gpkg = dir.path() / "plan.gpkg";
    data::write_plan(gpkg, e.dataset, e.plan);
    const std::string areas = ogr_summary(gpkg, "areas");
    CHECK_THAT(areas, Catch::Contains("borough_name: String") && Catch::Contains("src_population: Integer64") &&
                          Catch::Contains("src_Area_Code: String") && Catch::Contains("src_fid: Integer64") &&
                          Catch::Contains("imd_score: Real") && Catch::Contains("population: Integer64"));
    CHECK(ogr_value(gpkg, "SELECT borough_name FROM areas WHERE area_code = 'A2'", "borough_name") == "Camden");
    CHECK(ogr_value(gpkg, "SELECT src_population FROM areas WHERE area_code = 'A2'", "src_population") == "190");
    CHECK(ogr_value(gpkg, "SELECT population FROM areas WHERE area_code = 'A2'", "population") == "200");
    CHECK(ogr_value(gpkg, "SELECT imd_score * 2 AS twice FROM areas WHERE area_code = 'A2'", "twice") == "60.5");  // a number, not text
    CHECK(ogr_value(gpkg, "SELECT COUNT(*) AS n FROM areas WHERE households IS NULL", "n") == "1");
    CHECK(ogr_value(gpkg, "SELECT postcode FROM practices WHERE practice_code = 'P3'", "postcode") == "E1 1BU");
    CHECK_THAT(ogr_summary(gpkg, "gaps"), !Catch::Contains("borough_name"));  // the areas layer's, not every layer's

    // Shapefile: the short names GDAL reads back, and the values under them.
    const fs::path shp = dir.path() / "plan.shp";
    data::write_plan(shp, e.dataset, e.plan);
    const std::string short_names = ogr_summary(dir.path() / "plan-areas.shp", "plan-areas");
    CHECK_THAT(short_names, Catch::Contains("borough_na: String") && Catch::Contains("src_popula: Integer") &&
                                Catch::Contains("src_Area_C: String") && Catch::Contains("households: Integer") && Catch::Contains("imd_score: Real"));
    CHECK(ogr_value(dir.path() / "plan-areas.shp", "SELECT borough_na FROM \"plan-areas\" WHERE area_code = 'A1'", "borough_na") == "Westminster");
}

TEST_CASE("A plan GeoPackage carries a default QGIS style for every layer in layer_styles", "[plan_writer][qgis]") {
    const plan_fixture::Example e = plan_fixture::example();
    TempDir dir;
    const fs::path out = dir.path() / "plan.gpkg";
    data::write_plan(out, e.dataset, e.plan);
    CHECK(ogr_value(out, "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'", "data_type") == "attributes");

    GDALAllRegister();
    GDALDatasetUniquePtr ds(GDALDataset::Open(out.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    REQUIRE(ds);
    OGRLayer* styles = ds->GetLayerByName("layer_styles");
    REQUIRE(styles != nullptr);
    CHECK(std::string(styles->GetFIDColumn()) == "id");
    std::map<std::string, std::string> qml;
    for (auto& row : *styles) {
        const std::string table = row->GetFieldAsString("f_table_name");
        INFO(table);
        CHECK(ds->GetLayerByName(table.c_str()) != nullptr);
        CHECK(std::string(row->GetFieldAsString("f_geometry_column")) == "geom");
        CHECK(std::string(row->GetFieldAsString("f_table_schema")).empty());
        CHECK(row->GetFieldAsInteger("useAsDefault") == 1);
        CHECK(std::string(row->GetFieldAsString("update_time")) == "2000/01/01 00:00:00+00");
        qml[table] = row->GetFieldAsString("styleQML");
    }
    CHECK(qml.size() == std::size(kLayers));
    for (const auto& [table, document] : qml) {
        INFO(table << ":\n" << document);
        CPLXMLTreeCloser tree(CPLParseXMLString(document.c_str()));  // well-formed XML, rooted at <qgis>
        REQUIRE(tree);
        const CPLXMLNode* renderer = CPLGetXMLNode(tree.get(), "=qgis.renderer-v2");
        REQUIRE(renderer != nullptr);
        CHECK(std::string(CPLGetXMLValue(renderer, "type", "")) ==
              (table == "networks" || table == "practices" ? "categorizedSymbol" : "singleSymbol"));
    }
    // N001 and N002 share a border: two categories in different colours; N001 is below the band.
    const std::string& networks = qml["networks"];
    CHECK_THAT(networks, Catch::Contains(R"(attr="network_id")") && Catch::Contains(R"x(value="N001" label="N001 West (below the band)")x") &&
                             Catch::Contains(R"(value="N002")"));
    std::smatch m;
    std::set<std::string> fills;
    for (auto it = networks.cbegin(); std::regex_search(it, networks.cend(), m, std::regex(R"re(name="color" type="QString" value="([0-9,]+)")re"));
         it = m.suffix().first) {
        if (m[1] != "0,0,0,0") fills.insert(m[1]);  // not the transparent fill of the out-of-band outline
    }
    CHECK(fills.size() == 2);
    CHECK_THAT(qml["practices"], Catch::Contains(R"(attr="network_status")") && Catch::Contains("list_size"));
    CHECK_THAT(qml["gaps"], Catch::Contains("LinePatternFill"));
}

TEST_CASE("A plan as GeoJSON: one file per layer beside the networks in RFC 7946 lon/lat", "[plan_writer]") {
    const plan_fixture::Example e = plan_fixture::example();
    TempDir dir;
    const fs::path out = dir.path() / "plan.geojson";
    data::write_plan(out, e.dataset, e.plan);
    CHECK(files_in(dir.path()) == std::set<std::string>{"plan.geojson", "plan-practices.geojson", "plan-areas.geojson",
                                                         "plan-catchments.geojson", "plan-core_catchments.geojson",
                                                         "plan-network_borders.geojson", "plan-gaps.geojson",
                                                         "plan-networks.csv"});
    CHECK(feature_count(out, "networks") == 2);
    CHECK(feature_count(dir.path() / "plan-catchments.geojson", "catchments") == 3);
    CHECK(feature_count(dir.path() / "plan-practices.geojson", "practices") == 3);
    // GDAL's RFC 7946 writer writes single-part geometries as Polygon and LineString; GeoJSON has no layer type.
    CHECK_THAT(ogr_summary(dir.path() / "plan-network_borders.geojson", "network_borders"),
               Catch::Contains("Geometry: Line String") || Catch::Contains("Geometry: Multi Line String"));

    // British National Grid 530000..532000, 180000..181000 is about 0.13 W .. 0.10 W, 51.50 N.
    std::smatch m;
    const std::string summary = ogr_summary(out, "networks");
    CHECK_THAT(summary, (Catch::Contains("Geometry: Polygon") || Catch::Contains("Geometry: Multi Polygon")) &&
                            Catch::Contains("ID[\"EPSG\",4326]"));
    const std::string text = slurp(out);
    CHECK_THAT(text, Catch::Contains("\"name\": \"networks\"") && !Catch::Contains("\"crs\""));  // RFC 7946: no crs member
    REQUIRE(std::regex_search(summary, m, std::regex(R"(Extent: \((-?[0-9.]+), (-?[0-9.]+)\) - \((-?[0-9.]+), (-?[0-9.]+)\))")));
    CHECK(std::stod(m[1]) == Approx(-0.13).margin(0.01));
    CHECK(std::stod(m[2]) == Approx(51.50).margin(0.01));
    CHECK(std::stod(m[3]) == Approx(-0.10).margin(0.01));
    CHECK(std::stod(m[4]) == Approx(51.51).margin(0.01));
    CHECK(ogr_value(out, "SELECT network_name FROM networks WHERE network_id = 'N001'", "network_name") == "West");
    CHECK(slurp(dir.path() / "plan-networks.csv") == kCsv);
}

TEST_CASE("A plan as FlatGeobuf: one file per layer in EPSG:27700", "[plan_writer]") {
    const plan_fixture::Example e = plan_fixture::example();
    TempDir dir;
    const fs::path out = dir.path() / "plan.fgb";
    data::write_plan(out, e.dataset, e.plan);
    std::set<std::string> expected = {"plan.fgb", "plan-networks.csv"};
    for (const char* layer : kLayers) {
        if (std::string(layer) != "networks") expected.insert("plan-" + std::string(layer) + ".fgb");
    }
    CHECK(files_in(dir.path()) == expected);
    CHECK_THAT(ogr_summary(out, "networks"), Catch::Contains("ID[\"EPSG\",27700]") && Catch::Contains("Geometry: Multi Polygon"));
    CHECK(feature_count(out, "networks") == 2);
    CHECK(feature_count(dir.path() / "plan-areas.fgb", "areas") == 2);
    // GDAL 3.6's FlatGeobuf writer cannot store a feature without geometry: P3's empty catchment is absent.
    CHECK(feature_count(dir.path() / "plan-catchments.fgb", "catchments") == 2);
    CHECK(ogr_value(dir.path() / "plan-areas.fgb", "SELECT gap FROM areas WHERE area_code = 'A2'", "gap") == "1");
}

TEST_CASE("A plan as Shapefiles: sidecar files and short field names and every feature kept", "[plan_writer]") {
    const plan_fixture::Example e = plan_fixture::example();
    TempDir dir;
    const fs::path out = dir.path() / "plan.shp";
    data::write_plan(out, e.dataset, e.plan);
    const std::set<std::string> files = files_in(dir.path());
    for (const std::string stem : {"plan", "plan-practices", "plan-areas", "plan-catchments", "plan-core_catchments",
                                   "plan-network_borders", "plan-gaps"}) {
        for (const char* extension : {".shp", ".shx", ".dbf", ".prj"}) CHECK(files.count(stem + extension) == 1);
    }
    CHECK(files.count("plan-networks.csv") == 1);
    CHECK(std::none_of(files.begin(), files.end(), [](const std::string& name) { return name[0] == '.'; }));

    const std::string summary = ogr_summary(out, "plan");
    CHECK_THAT(summary, Catch::Contains("Feature Count: 2") && Catch::Contains("Polygon") &&
                            Catch::Contains("prac_codes: String") && Catch::Contains("polsby_pop: Real"));
    CHECK_THAT(summary, Catch::Contains("27700") || Catch::Contains("British_National_Grid"));
    CHECK(feature_count(dir.path() / "plan-catchments.shp", "plan-catchments") == 3);
    CHECK(ogr_value(out, "SELECT prac_codes FROM plan WHERE network_id = 'N002'", "prac_codes") == "P2");
}

TEST_CASE("Writing a plan twice gives byte-identical files", "[plan_writer][determinism]") {
    const plan_fixture::Example e = plan_fixture::example();
    for (const std::string name : {"plan.gpkg", "plan.fgb", "plan.shp"}) {
        DYNAMIC_SECTION(name) {
            TempDir first;
            TempDir second;
            data::write_plan(first.path() / name, e.dataset, e.plan);
            data::write_plan(second.path() / name, e.dataset, e.plan);
            const std::set<std::string> files = files_in(first.path());
            REQUIRE(files == files_in(second.path()));
            for (const std::string& file : files) {
                INFO(file);
                CHECK(slurp(first.path() / file) == slurp(second.path() / file));
            }
        }
    }
}

TEST_CASE("An unsupported output extension is an InputError naming the path and the formats", "[plan_writer]") {
    const plan_fixture::Example e = plan_fixture::example();
    TempDir dir;
    const fs::path out = dir.path() / "plan.kml";
    REQUIRE_THROWS_AS(data::write_plan(out, e.dataset, e.plan), data::InputError);
    CHECK_THROWS_WITH(data::write_plan(out, e.dataset, e.plan),
                      Catch::Contains(out.string()) && Catch::Contains(".gpkg, .geojson, .fgb, .shp"));
    CHECK_THROWS_AS(data::check_plan_output(dir.path() / "plan"), data::InputError);
    CHECK_NOTHROW(data::check_plan_output(dir.path() / "PLAN.GPKG"));
    CHECK(fs::is_empty(dir.path()));
}

TEST_CASE("A failed write leaves no file behind", "[plan_writer][atomic]") {
    const plan_fixture::Example e = plan_fixture::example();
    TempDir dir;
    SECTION("the output directory does not exist") {
        CHECK_THROWS_AS(data::write_plan(dir.path() / "missing" / "plan.gpkg", e.dataset, e.plan), data::InputError);
        CHECK(fs::is_empty(dir.path()));
    }
    SECTION("a file cannot be moved into place after the others were") {
        // A directory where plan-practices.geojson should go: plan-areas.geojson is moved first, then must go again.
        fs::create_directory(dir.path() / "plan-practices.geojson");
        CHECK_THROWS_WITH(data::write_plan(dir.path() / "plan.geojson", e.dataset, e.plan),
                          Catch::Contains("plan-practices.geojson") && Catch::Contains("cannot move"));
        CHECK(files_in(dir.path()) == std::set<std::string>{"plan-practices.geojson"});
    }
    SECTION("an existing output is replaced whole") {
        std::ofstream(dir.path() / "plan.gpkg") << "old";
        data::write_plan(dir.path() / "plan.gpkg", e.dataset, e.plan);
        CHECK(slurp(dir.path() / "plan.gpkg").rfind("SQLite format 3", 0) == 0);
        CHECK(files_in(dir.path()) == std::set<std::string>{"plan.gpkg", "plan-networks.csv"});
    }
}

TEST_CASE("The ePCN CSV lists networked practices by network then code with RFC 4180 quoting", "[plan_writer]") {
    plan_fixture::Example e = plan_fixture::example();
    CHECK(data::networks_csv(e.dataset, e.plan) == kCsv);
    e.plan.practice_network = {1, 1, -1};  // both in N002: ordered by practice code
    CHECK(data::networks_csv(e.dataset, e.plan) ==
          "Partner Organisation Code,Partner Name,PCN Code,PCN Name,List Size\r\n"
          "P1,One,N002,East network with a name longer than the table,1000\r\n"
          "P2,\"Two, \"\"the\"\" surgery\",N002,East network with a name longer than the table,2000\r\n");
}
