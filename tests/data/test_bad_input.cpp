// Every kind of bad input gives one line naming file, layer, row or feature, field and what was
// expected. Each case starts from the valid SmallDataset and breaks one thing.
#include "data/errors.hpp"
#include "data/loader.hpp"
#include "fixtures.hpp"

#include <catch2/catch.hpp>

#include <functional>

namespace {

struct BadInputCase {
    const char* name;
    std::function<void(fixtures::SmallDataset&, data::Settings&, const fixtures::TempDir&)> breakage;
    std::vector<std::string> expected;  // fragments the message must contain; "{dir}" is the temp dir
};

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) text.replace(at, from.size(), to);
    return text;
}

const std::vector<BadInputCase>& cases() {
    static const std::vector<BadInputCase> all = {
        {"missing file",
         [](auto&, auto& s, auto& dir) { s.set("areas.source", (dir.path() / "nowhere.shp").string()); },
         {"{dir}/nowhere.shp", "no such file (areas.source)"}},
        {"unreadable or corrupt file",
         [](auto&, auto& s, auto& dir) { s.set("areas.source", dir.write("broken.gpkg", "this is not a GeoPackage")); },
         {"{dir}/broken.gpkg", "GDAL cannot open it as a vector source: no vector driver recognises the file"}},
        {"unknown layer",
         [](auto&, auto& s, auto&) { s.set("areas.layer", "lsoa"); },
         {"{dir}/areas.csv", "no layer 'lsoa' (areas.layer); layers: areas"}},
        {"missing field lists the fields there are",
         [](auto&, auto& s, auto&) { s.set("areas.id_field", "LSOA11CD"); },
         {"{dir}/areas.csv", "layer 'areas'", "field 'LSOA11CD'", "no such field (areas.id_field); fields: code, name, pop"}},
        {"non-numeric population at a row",
         [](auto& f, auto&, auto&) { f.areas_csv = replace_all(f.areas_csv, "Area two,200", "Area two,about 200"); },
         {"{dir}/areas.csv", "layer 'areas'", "row 2 (line 3)", "field 'pop'", "expected a whole number from 0 to 10,000,000, got 'about 200'"}},
        {"negative patients",
         [](auto& f, auto&, auto&) { f.registrations_csv = replace_all(f.registrations_csv, "P2,A2,1900", "P2,A2,-5"); },
         {"{dir}/registrations.csv", "row 3", "field 'patients'", "expected a whole number from 0 to 10,000,000, got '-5'"}},
        {"list size beyond any practice's (it would overflow the totals)",
         [](auto& f, auto&, auto&) { f.practices_csv = replace_all(f.practices_csv, ",1000,", ",1e30,"); },
         {"{dir}/practices.csv", "row 1 (line 2)", "field 'list'", "expected a whole number from 0 to 10,000,000, got '1e30'"}},
        {"population beyond any area's",
         [](auto& f, auto&, auto&) { f.areas_csv = replace_all(f.areas_csv, ",100,", ",4600000000000000000,"); },
         {"{dir}/areas.csv", "row 1 (line 2)", "field 'pop'", "got '4600000000000000000'"}},
        {"areas in lon/lat read as metres by a CRS override",
         [](auto& f, auto&, auto&) {
             f.areas_csv = "code,name,pop,WKT\n"
                           "A1,Area one,100,\"POLYGON ((-0.06 51.51,-0.05 51.51,-0.05 51.52,-0.06 51.52,-0.06 51.51))\"\n"
                           "A2,Area two,200,\"POLYGON ((-0.05 51.51,-0.04 51.51,-0.04 51.52,-0.05 51.52,-0.05 51.51))\"\n";
         },
         {"{dir}/practices.csv", "every practice lies at least 560 km from every area ({dir}/areas.csv)",
          "practices in EPSG:27700, areas in EPSG:27700"}},
        {"practices in metres of another CRS",
         [](auto&, auto& s, auto&) { s.set("practices.crs", "EPSG:3857"); },
         {"{dir}/practices.csv", "km from every area", "practices in EPSG:3857, areas in EPSG:27700"}},
        {"practice name that is not UTF-8",
         [](auto& f, auto&, auto&) { f.practices_csv = replace_all(f.practices_csv, "P1,One,", "P1,One\xff,"); },
         {"{dir}/practices.csv", "row 1 (line 2)", "field 'name'", "expected UTF-8 text, got byte 0xFF at position 4", "practices.encoding"}},
        {"open option that is not NAME=VALUE",
         [](auto&, auto& s, auto&) { s.set("practices.open_options", "HEADERS"); },
         {"setting 'practices.open_options'", "expected NAME=VALUE, got 'HEADERS'"}},
        {"duplicate area ids",
         [](auto& f, auto&, auto&) { f.areas_csv = replace_all(f.areas_csv, "A2,Area two", "A1,Area two"); },
         {"{dir}/areas.csv", "row 2", "field 'code'", "duplicate id 'A1'", "first at row 1 (line 2)"}},
        {"duplicate practice ids",
         [](auto& f, auto&, auto&) { f.practices_csv = replace_all(f.practices_csv, "P2,Two", "P1,Two"); },
         {"{dir}/practices.csv", "row 2", "duplicate id 'P1'"}},
        {"empty layer",
         [](auto& f, auto&, auto&) { f.areas_csv = "code,name,pop,WKT\n"; },
         {"{dir}/areas.csv", "layer 'areas'", "has no features"}},
        {"filter that matches nothing",
         [](auto&, auto& s, auto&) { s.set("areas.where", "code = 'Z9'"); },
         {"{dir}/areas.csv", "no features match areas.where"}},
        {"invalid filter",
         [](auto&, auto& s, auto&) { s.set("practices.where", "code = = 3"); },
         {"{dir}/practices.csv", "invalid practices.where filter"}},
        {"practice without coordinates, with practices.on_unplaced = error",
         [](auto& f, auto& s, auto&) {
             f.practices_csv = replace_all(f.practices_csv, "P2,Two,531500", "P2,Two,");
             s.set("practices.on_unplaced", "error");
         },
         {"{dir}/practices.csv", "row 2", "field 'x'", "expected a coordinate, got an empty value"}},
        {"practice with a non-numeric coordinate",
         [](auto& f, auto&, auto&) { f.practices_csv = replace_all(f.practices_csv, "180500,2000", "north,2000"); },
         {"{dir}/practices.csv", "row 2", "field 'y'", "expected a number, got 'north'"}},
        {"practice coordinate far off the Earth (it would overflow the nearest-practice grid)",
         [](auto& f, auto&, auto&) { f.practices_csv = replace_all(f.practices_csv, "P2,Two,531500,180500", "P2,Two,531500,1e300"); },
         {"{dir}/practices.csv", "row 2", "field 'x'", "coordinates (531500, 1e+300) are (531500, 1e+300) in the working CRS",
          "expected finite coordinates within 1e8 of its origin"}},
        {"area vertex far off the Earth",
         [](auto& f, auto&, auto&) { f.areas_csv = replace_all(f.areas_csv, "531000 181000,530000 181000", "531000 181000,530000 4e250"); },
         {"{dir}/areas.csv", "row 1 (line 2)", "geometry reaches (531000, 4e+250) in the working CRS"}},
        {"practice outside every area, with practices.on_unplaced = error",
         [](auto& f, auto& s, auto&) {
             f.practices_csv = replace_all(f.practices_csv, "P2,Two,531500,180500", "P2,Two,531500,185500");
             s.set("practices.on_unplaced", "error");
         },
         {"{dir}/practices.csv", "field 'code'", "practice 'P2' lies outside every study area (4.5 km from the nearest)"}},
        {"every practice unplaced",
         [](auto& f, auto&, auto&) {
             f.practices_csv = replace_all(replace_all(f.practices_csv, "P2,Two,531500,180500", "P2,Two,,"), "P1,One,530500,180500", "P1,One,,");
         },
         {"{dir}/practices.csv", "none of its practices could be placed (2, e.g. P1: no coordinates at row 1 (line 2))"}},
        {"unknown on_unplaced policy",
         [](auto&, auto& s, auto&) { s.set("practices.on_unplaced", "ignore"); },
         {"setting 'practices.on_unplaced'", "expected skip or error, got 'ignore'"}},
        {"unknown CRS",
         [](auto&, auto& s, auto&) { s.set("areas.crs", "EPSG:999999"); },
         {"{dir}/areas.csv", "setting 'areas.crs'", "unknown CRS 'EPSG:999999'"}},
        {"source without a CRS",
         [](auto&, auto& s, auto&) { s.set("areas.crs", ""); },
         {"{dir}/areas.csv", "layer 'areas'", "has no CRS; state the CRS of the area geometries with areas.crs"}},
        {"geographic working CRS",
         [](auto&, auto& s, auto&) { s.set("working_crs", "EPSG:4326"); },
         {"setting 'working_crs'", "not a projected CRS"}},
        {"postcode not in the lookup, with practices.on_unplaced = error",
         [](auto&, auto& s, auto& dir) {
             s.set("practices.on_unplaced", "error");
             s.set("practices.x_field", "");
             s.set("practices.y_field", "");
             s.set("practices.postcode_field", "postcode");
             s.set("postcodes.source", dir.write("postcodes.csv", "Postcode,Eastings,Northings\n\"E1 1BU\",530500,180500\n"));
             s.set("postcodes.key_field", "Postcode");
             s.set("postcodes.x_field", "Eastings");
             s.set("postcodes.y_field", "Northings");
             s.set("postcodes.crs", "EPSG:27700");
         },
         {"{dir}/practices.csv", "row 2", "field 'postcode'", "postcode 'e1 6ab' is not in the postcode lookup {dir}/postcodes.csv"}},
        {"area that is not a polygon",
         [](auto& f, auto&, auto&) {
             f.areas_csv = replace_all(f.areas_csv, "\"POLYGON ((531000 180000,532000 180000,532000 181000,531000 181000,531000 180000))\"",
                                       "\"POINT (531000 180000)\"");
         },
         {"{dir}/areas.csv", "row 2", "expected a Polygon or MultiPolygon, got a Point"}},
        {"area without geometry",
         [](auto& f, auto&, auto&) { f.areas_csv += "A3,Area three,50,\n"; },
         {"{dir}/areas.csv", "row 3", "expected a polygon, got no geometry"}},
        {"missing required setting",
         [](auto&, auto& s, auto&) { s.values.erase("areas.id_field"); },
         {"setting 'areas.id_field'", "required", "--areas-id-field"}},
        {"no population anywhere",
         [](auto&, auto& s, auto&) { s.values.erase("areas.population_field"); },
         {"setting 'areas.population_field'", "required unless a population table is given"}},
        {"population table without a row for an area",
         [](auto&, auto& s, auto& dir) {
             s.values.erase("areas.population_field");
             s.set("population.source", dir.write("pop.csv", "LSOA,people\nA1,100\n"));
             s.set("population.key_field", "LSOA");
             s.set("population.value_field", "people");
         },
         {"{dir}/pop.csv", "field 'LSOA'", "no population row for area 'A2'"}},
        {"registration without a practice code",
         [](auto& f, auto&, auto&) { f.registrations_csv += ",A1,3\n"; },
         {"{dir}/registrations.csv", "row 6", "field 'practice'", "expected a practice code, got an empty value"}},
    };
    return all;
}

}  // namespace

TEST_CASE("Bad input gives one clear line naming where and what was expected", "[bad-input]") {
    for (const BadInputCase& c : cases()) {
        DYNAMIC_SECTION(c.name) {
            fixtures::TempDir dir;
            fixtures::SmallDataset files;
            data::Settings settings = files.write(dir);
            c.breakage(files, settings, dir);
            // Rewrite the files in case the breakage edited their text.
            dir.write("areas.csv", files.areas_csv);
            dir.write("practices.csv", files.practices_csv);
            dir.write("registrations.csv", files.registrations_csv);
            std::string message;
            try {
                data::load_dataset(data::describe(settings));
                FAIL("loading succeeded but should have failed: " << c.name);
            } catch (const data::InputError& e) {
                message = e.what();
            }
            INFO(message);
            CHECK(message.find('\n') == std::string::npos);
            for (const std::string& fragment : c.expected) {
                CHECK_THAT(message, Catch::Contains(replace_all(fragment, "{dir}", dir.path().string())));
            }
        }
    }
}

TEST_CASE("The unbroken fixture loads - so every failure above is the breakage's doing", "[bad-input]") {
    fixtures::TempDir dir;
    const geo::Dataset d = data::load_dataset(data::describe(fixtures::SmallDataset{}.write(dir)));
    CHECK(d.areas.size() == 2);
    CHECK(d.practices.size() == 2);
}

TEST_CASE("Practices that cannot be placed are left out and reported by code and reason", "[bad-input][unplaced]") {
    fixtures::TempDir dir;
    fixtures::SmallDataset files;
    files.practices_csv += "P3,Three,,,500,E1 1BU\n"           // no coordinates
                           "P4,Four,560000,180500,700,E1 1BU\n";  // 28 km east of both areas
    data::Settings settings = files.write(dir);
    const geo::Dataset d = data::load_dataset(data::describe(settings));
    REQUIRE(d.practices.size() == 2);
    REQUIRE(d.unplaced_practices.size() == 2);
    CHECK(d.unplaced_practices[0].code == "P3");
    CHECK(d.unplaced_practices[0].reason == "no coordinates at row 3 (line 4)");
    CHECK(d.unplaced_practices[1].code == "P4");
    CHECK(d.unplaced_practices[1].reason == "outside every study area (28.0 km from the nearest)");
    // Their registrations stay, as rows of practices not loaded: reported, not dropped.
    std::size_t p9 = 0;
    for (const geo::Registration& r : d.registrations) p9 += r.practice == geo::kUnmatched;
    CHECK(p9 == 1);
}

TEST_CASE("A headerless Latin-1 practice table is described with open options, fields by position and its encoding", "[bad-input][encoding]") {
    fixtures::TempDir dir;
    fixtures::SmallDataset files;
    // As NHS Digital's epraccur: no header row, names in ISO-8859-1 ("Caf\xe9" is "Café").
    files.practices_csv = "P1,Caf\xe9 surgery,530500,180500,1000\nP2,Two,531500,180500,2000\n";
    data::Settings settings = files.write(dir);
    settings.set("practices.open_options", "HEADERS=NO");
    settings.set("practices.id_field", "field_1");
    settings.set("practices.name_field", "field_2");
    settings.set("practices.x_field", "field_3");
    settings.set("practices.y_field", "field_4");
    settings.set("practices.list_size_field", "field_5");
    CHECK_THROWS_WITH(data::load_dataset(data::describe(settings)), Catch::Contains("field 'field_2'") && Catch::Contains("got byte 0xE9"));
    settings.set("practices.encoding", "ISO-8859-1");
    const geo::Dataset d = data::load_dataset(data::describe(settings));
    REQUIRE(d.practices.size() == 2);
    CHECK(d.practices[0].name == "Caf\xc3\xa9 surgery");
    CHECK(d.practices[1].list_size == 2000);
}

TEST_CASE("Postcode lookups are tried in order, and a postcode in none leaves its practice out, named", "[bad-input][postcodes]") {
    fixtures::TempDir dir;
    fixtures::SmallDataset files;
    files.practices_csv += "P3,Three,,,500,ZZ9 9ZZ\n";
    data::Settings settings = files.write(dir);
    settings.set("practices.x_field", "");
    settings.set("practices.y_field", "");
    settings.set("practices.postcode_field", "postcode");
    const std::string newer = dir.write("cp2025.csv", "Postcode,Eastings,Northings\n\"E1 1BU\",530500,180500\n");
    const std::string older = dir.write("cp2018.csv", "Postcode,Eastings,Northings\n\"E1 6AB\",531500,180500\n");
    settings.set("postcodes.source", newer + "," + older);
    settings.set("postcodes.key_field", "Postcode");
    settings.set("postcodes.x_field", "Eastings");
    settings.set("postcodes.y_field", "Northings");
    settings.set("postcodes.crs", "EPSG:27700");
    const geo::Dataset d = data::load_dataset(data::describe(settings));
    REQUIRE(d.practices.size() == 2);
    CHECK(d.practices[1].code == "P2");
    CHECK(d.practices[1].location.x == 531500);  // from the second lookup
    REQUIRE(d.unplaced_practices.size() == 1);
    CHECK(d.unplaced_practices[0].reason == "postcode 'ZZ9 9ZZ' is not in the postcode lookup " + newer + " nor " + older + " at row 3 (line 4)");
}
