// The bad-input matrix (issue 15): every kind of broken dataset, description, option and output the
// CLI meets, each asserting the exit code (2 for the user's input or options, 1 for the system's
// failure such as a full disk), a message naming what is wrong and where, and that nothing was left
// behind. Each case starts from a tiny valid dataset (bad_input_matrix.hpp) and breaks one thing.
#include "integration/bad_input_matrix.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using bad_input::CliCase;
using bad_input::Files;
using bad_input::TempDir;
using bad_input::Tmpfs;

namespace {

const std::string kSquareA2 = "\"POLYGON ((531000 180000,532000 180000,532000 181000,531000 181000,531000 180000))\"";

/// Sets a TOML setting (a value already in TOML syntax) or, with "-", removes it.
std::function<void(Files&)> setting(const std::string& key, const std::string& value) {
    return [key, value](Files& f) {
        if (value == "-") f.settings.erase(key);
        else f.settings[key] = value;
    };
}
std::function<void(Files&)> edit(const std::string& file, const std::string& from, const std::string& to) {
    return [file, from, to](Files& f) { f.replace(file, from, to); };
}
std::function<void(Files&)> contents(const std::string& file, const std::string& text) {
    return [file, text](Files& f) { f.files[file] = text; };
}
std::function<void(Files&)> description(const std::string& text) {
    return [text](Files& f) { f.description = text; };
}
/// File `name` cut short just after the first `marker` in it.
std::function<void(Files&)> cut_after(const std::string& name, const std::string& marker) {
    return [name, marker](Files& f) {
        std::string text = name == "dataset.toml" ? f.toml() : f.files.at(name);
        const auto at = text.find(marker);
        REQUIRE(at != std::string::npos);
        text.resize(at + marker.size());
        if (name == "dataset.toml") f.description = text;
        else f.files[name] = text;
    };
}
/// The tiny dataset's area A2 with another geometry (WKT, quoted).
std::function<void(Files&)> area_geometry(const std::string& wkt) { return edit("areas.csv", kSquareA2, wkt); }

bad_input::Setup make_dir(const std::string& name) {
    return [name](const TempDir& dir, auto&) { return std::filesystem::create_directories(dir.path() / name); };
}

/// A copy of the bundled sample in the case's directory as sample.toml + copy.gpkg, the GeoPackage
/// changed by `damage` (its bytes in, the damaged bytes out).
bad_input::Setup damaged_sample(std::function<void(std::string&)> damage) {
    return [damage](const TempDir& dir, auto&) {
        std::string gpkg = integration::slurp(test_paths::sample_dir() / "london.gpkg");
        damage(gpkg);
        dir.write("copy.gpkg", gpkg);
        dir.write("sample.toml", bad_input::replace_all(integration::slurp(test_paths::sample_dir() / "dataset.toml"), "london.gpkg", "copy.gpkg"));
        return true;
    };
}

/// A tmpfs of `size` at DIR/full, with `filler` bytes already taken; false when it cannot be mounted.
bad_input::Setup full_disk(const std::string& size, std::size_t filler) {
    return [size, filler](const TempDir& dir, std::vector<std::unique_ptr<Tmpfs>>& mounts) {
        mounts.push_back(std::make_unique<Tmpfs>(dir.path() / "full", "size=" + size));
        if (!mounts.back()->mounted()) return false;
        std::ofstream(dir.path() / "full" / "filler", std::ios::binary) << std::string(filler, '\0');
        return true;
    };
}
bad_input::Setup read_only_dir() {
    return [](const TempDir& dir, std::vector<std::unique_ptr<Tmpfs>>& mounts) {
        mounts.push_back(std::make_unique<Tmpfs>(dir.path() / "ro", "ro,size=64k"));
        return mounts.back()->mounted();
    };
}
/// Two plans of the tiny dataset, a.gpkg and b.gpkg (P1 excluded), for the diff cases; then `more`.
bad_input::Setup two_plans(bad_input::Setup more = {}) {
    return [more](const TempDir& dir, std::vector<std::unique_ptr<Tmpfs>>& mounts) {
        const std::string binary = test_paths::catchment_binary().string();
        for (const auto& [out, extra] : {std::pair<std::string, std::string>{"a.gpkg", ""}, {"b.gpkg", "P1"}}) {
            std::vector<std::string> args = {"plan", dir.path().string(), "--quiet", "--out", dir / out};
            if (!extra.empty()) args.insert(args.end(), {"--exclude", extra});
            REQUIRE(integration::run(binary, args).exit_code == 0);
        }
        return !more || more(dir, mounts);
    };
}

const std::string kPlanOut = "{dir}/out/plan.gpkg";

std::vector<CliCase> description_and_file_cases() {
    return {
        // The description.
        {"description: missing", {}, {"inspect", "{dir}/nowhere.toml"}, 2, {"{dir}/nowhere.toml: no such dataset description"}},
        {"description: a folder without dataset.toml", {}, {"inspect", "{dir}/out"}, 2, {"{dir}/out/dataset.toml: no such dataset description"}, make_dir("out")},
        {"description: zero bytes", description(""), {"inspect", "{dir}"}, 2, {"{dir}/dataset.toml: setting 'areas.source': required"}},
        {"description: corrupt (binary)", description(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)), {"inspect", "{dir}"}, 2,
         {"{dir}/dataset.toml: line 1, column 1: not valid TOML"}},
        {"description: truncated inside a string", cut_after("dataset.toml", "geometry_field = \"WK"), {"inspect", "{dir}"}, 2,
         {"{dir}/dataset.toml: line 5, column", "not valid TOML"}},
        {"description: invalid UTF-8", setting("name", "\"tiny \xff\""), {"inspect", "{dir}"}, 2, {"{dir}/dataset.toml: line 1, column", "invalid utf-8"}},
        {"description: unknown setting", setting("areas.id_feild", "\"code\""), {"inspect", "{dir}"}, 2,
         {"setting 'areas.id_feild': unknown setting; known in [areas]: source, layer"}},
        {"description: unknown table", setting("area.id_field", "\"code\""), {"inspect", "{dir}"}, 2,
         {"{dir}/dataset.toml: setting 'area.id_field': unknown table [area]; the tables are [areas], [population], [practices], [postcodes], [registrations]"}},
        {"description: a number where a path is expected", setting("areas.source", "42"), {"inspect", "{dir}"}, 2,
         {"{dir}/dataset.toml: setting 'areas.source': expected a string"}},
        {"description: required setting missing", setting("areas.id_field", "-"), {"plan", "{dir}", "--out", kPlanOut}, 2,
         {"setting 'areas.id_field': required (the unique area code) (flag --areas-id-field)"}, make_dir("out")},
        {"description: x without y", setting("practices.y_field", "-"), {"inspect", "{dir}"}, 2,
         {"setting 'practices.y_field': required when practices.x_field is set"}},
        // Missing, zero-byte, corrupt and truncated files.
        {"areas: missing file", setting("areas.source", "\"gone.csv\""), {"plan", "{dir}", "--out", kPlanOut}, 2,
         {"{dir}/gone.csv: no such file (areas.source)"}, make_dir("out")},
        {"practices: missing file", setting("practices.source", "\"gone.csv\""), {"inspect", "{dir}"}, 2, {"{dir}/gone.csv: no such file (practices.source)"}},
        {"registrations: missing file", setting("registrations.source", "\"gone.csv\""), {"inspect", "{dir}"}, 2,
         {"{dir}/gone.csv: no such file (registrations.source)"}},
        {"areas: zero bytes", contents("areas.csv", ""), {"plan", "{dir}", "--out", kPlanOut}, 2, {"{dir}/areas.csv: the file is empty (0 bytes)"}, make_dir("out")},
        {"practices: zero bytes", contents("practices.csv", ""), {"inspect", "{dir}"}, 2, {"{dir}/practices.csv: the file is empty (0 bytes)"}},
        {"registrations: zero bytes", contents("registrations.csv", ""), {"inspect", "{dir}"}, 2, {"{dir}/registrations.csv: the file is empty (0 bytes)"}},
        {"areas: corrupt (binary, not CSV)", contents("areas.csv", std::string("\x00\x01\x02\xff garbage", 12)), {"inspect", "{dir}"}, 2,
         {"{dir}/areas.csv: GDAL cannot open it as a vector source"}},
        {"areas: truncated inside a WKT polygon", cut_after("areas.csv", "A2,Area two,200,\"POLYGON ((53100"), {"inspect", "{dir}"}, 2,
         {"{dir}/areas.csv: layer 'areas': row 2 (line 3): expected a polygon, got no geometry"}},
        {"practices: truncated before the list size", cut_after("practices.csv", "P1,One,530500,180500,"), {"inspect", "{dir}"}, 2,
         {"{dir}/practices.csv: layer 'practices': row 1 (line 2): field 'list': expected a whole number from 0 to 10,000,000, got an empty value"}},
        {"registrations: truncated inside a row", cut_after("registrations.csv", "P2,A2,"), {"inspect", "{dir}"}, 2,
         {"{dir}/registrations.csv: layer 'registrations': row 3 (line 4): field 'patients'"}},
        {"sample GeoPackage: zero bytes", {}, {"inspect", "{dir}/sample.toml"}, 2, {"{dir}/copy.gpkg: the file is empty (0 bytes)"},
         damaged_sample([](std::string& g) { g.clear(); })},
        {"sample GeoPackage: truncated to half", {}, {"plan", "{dir}/sample.toml", "--out", kPlanOut}, 2,
         {"{dir}/copy.gpkg: GDAL cannot open it as a vector source: database disk image is malformed"},
         [](const TempDir& d, auto& m) { return make_dir("out")(d, m) && damaged_sample([](std::string& g) { g.resize(g.size() / 2); })(d, m); }},
        {"sample GeoPackage: pages overwritten in the areas table", {}, {"inspect", "{dir}/sample.toml"}, 2,
         {"{dir}/copy.gpkg: layer 'areas': reading failed after", "database disk image is malformed"},
         damaged_sample([](std::string& g) { std::fill(g.begin() + 100 * 4096, g.begin() + 150 * 4096, '\x5a'); })},
        {"sample GeoPackage: no such layer", {}, {"inspect", "{dir}/sample.toml", "--practices-layer", "surgeries"}, 2,
         {"{dir}/copy.gpkg: no layer 'surgeries' (practices.layer); layers: areas, boroughs, practices, registrations"},
         damaged_sample([](std::string&) {})},
    };
}

std::vector<CliCase> crs_and_field_cases() {
    return {
        {"areas: no CRS", setting("areas.crs", "-"), {"inspect", "{dir}"}, 2,
         {"{dir}/areas.csv: layer 'areas': has no CRS; state the CRS of the area geometries with areas.crs"}},
        {"practices: no CRS", setting("practices.crs", "-"), {"inspect", "{dir}"}, 2,
         {"{dir}/practices.csv: layer 'practices': has no CRS; state the CRS of the x/y fields with practices.crs"}},
        {"areas: metres read as lon/lat (wrong CRS)", setting("areas.crs", "\"EPSG:4326\""), {"inspect", "{dir}"}, 2,
         {"{dir}/areas.csv: layer 'areas': its coordinates (x 530000 to 532000, y 180000 to 181000) lie outside where EPSG:4326 is used"}},
        {"practices: in another projected CRS (wrong CRS)", setting("practices.crs", "\"EPSG:3857\""), {"inspect", "{dir}"}, 2,
         {"{dir}/practices.csv: layer 'practices': every practice lies at least", "practices in EPSG:3857, areas in EPSG:27700"}},
        {"areas: unknown CRS", setting("areas.crs", "\"EPSG:999999\""), {"inspect", "{dir}"}, 2, {"setting 'areas.crs': unknown CRS 'EPSG:999999'"}},
        {"working CRS: geographic", setting("working_crs", "\"EPSG:4326\""), {"inspect", "{dir}"}, 2,
         {"setting 'working_crs': 'EPSG:4326' is not a projected CRS"}},
        {"working CRS: a number", setting("working_crs", "27700"), {"inspect", "{dir}"}, 2, {"setting 'working_crs': expected a string"}},
        // Every field option naming a field the layer does not have.
        {"field: areas.id_field", setting("areas.id_field", "\"LSOA11CD\""), {"inspect", "{dir}"}, 2,
         {"{dir}/areas.csv: layer 'areas': field 'LSOA11CD': no such field (areas.id_field); fields: code, name, pop"}},
        {"field: areas.name_field", setting("areas.name_field", "\"nom\""), {"inspect", "{dir}"}, 2, {"field 'nom': no such field (areas.name_field)"}},
        {"field: areas.group_field", setting("areas.group_field", "\"lad\""), {"inspect", "{dir}"}, 2, {"field 'lad': no such field (areas.group_field)"}},
        {"field: areas.population_field", setting("areas.population_field", "\"people\""), {"inspect", "{dir}"}, 2,
         {"field 'people': no such field (areas.population_field)"}},
        {"field: areas.geometry_field", setting("areas.geometry_field", "\"shape\""), {"inspect", "{dir}"}, 2,
         {"{dir}/areas.csv: layer 'areas': no geometry field 'shape' (areas.geometry_field)"}},
        {"field: practices.id_field", setting("practices.id_field", "\"ods\""), {"inspect", "{dir}"}, 2,
         {"{dir}/practices.csv: layer 'practices': field 'ods': no such field (practices.id_field); fields: code, name, x, y, list, pcn"}},
        {"field: practices.name_field", setting("practices.name_field", "\"nom\""), {"inspect", "{dir}"}, 2, {"field 'nom': no such field (practices.name_field)"}},
        {"field: practices.list_size_field", setting("practices.list_size_field", "\"size\""), {"inspect", "{dir}"}, 2,
         {"field 'size': no such field (practices.list_size_field)"}},
        {"field: practices.x_field", setting("practices.x_field", "\"east\""), {"inspect", "{dir}"}, 2, {"field 'east': no such field (practices.x_field)"}},
        {"field: practices.y_field", setting("practices.y_field", "\"north\""), {"inspect", "{dir}"}, 2, {"field 'north': no such field (practices.y_field)"}},
        {"field: practices.reference_network_field", setting("practices.reference_network_field", "\"pcn_code\""), {"inspect", "{dir}"}, 2,
         {"field 'pcn_code': no such field (practices.reference_network_field)"}},
        {"field: practices.reference_network_name_field", setting("practices.reference_network_name_field", "\"pcn_name\""), {"inspect", "{dir}"}, 2,
         {"field 'pcn_name': no such field (practices.reference_network_name_field)"}},
        {"field: practices.postcode_field",
         [](Files& f) {
             f.settings.erase("practices.x_field");
             f.settings.erase("practices.y_field");
             f.settings["practices.postcode_field"] = "\"postcode\"";
             f.settings["postcodes.source"] = "\"postcodes.csv\"";
             f.settings["postcodes.key_field"] = "\"pc\"";
             f.settings["postcodes.x_field"] = "\"e\"";
             f.settings["postcodes.y_field"] = "\"n\"";
             f.settings["postcodes.crs"] = "\"EPSG:27700\"";
             f.files["postcodes.csv"] = "pc,e,n\nE1 1BU,530500,180500\n";
         },
         {"inspect", "{dir}"}, 2, {"{dir}/practices.csv: layer 'practices': field 'postcode': no such field (practices.postcode_field)"}},
        {"field: registrations.practice_field", setting("registrations.practice_field", "\"ods\""), {"inspect", "{dir}"}, 2,
         {"{dir}/registrations.csv: layer 'registrations': field 'ods': no such field (registrations.practice_field); fields: practice, area, patients"}},
        {"field: registrations.area_field", setting("registrations.area_field", "\"lsoa\""), {"inspect", "{dir}"}, 2,
         {"field 'lsoa': no such field (registrations.area_field)"}},
        {"field: registrations.patients_field", setting("registrations.patients_field", "\"n\""), {"inspect", "{dir}"}, 2,
         {"field 'n': no such field (registrations.patients_field)"}},
        // Mistyped fields.
        {"mistyped: population as words", edit("areas.csv", "Area two,200", "Area two,about 200"), {"plan", "{dir}", "--out", kPlanOut}, 2,
         {"{dir}/areas.csv: layer 'areas': row 2 (line 3): field 'pop': expected a whole number from 0 to 10,000,000, got 'about 200'"}, make_dir("out")},
        {"mistyped: coordinate as a word", edit("practices.csv", "531500,180500", "531500,north"), {"inspect", "{dir}"}, 2,
         {"{dir}/practices.csv: layer 'practices': row 2 (line 3): field 'y': expected a number, got 'north'"}},
        {"mistyped: coordinate far off the Earth", edit("practices.csv", "531500,180500", "531500,1e300"), {"plan", "{dir}", "--out", kPlanOut}, 2,
         {"{dir}/practices.csv: layer 'practices': row 2 (line 3): field 'x': coordinates (531500, 1e+300) are (531500, 1e+300) in the working CRS "
          "(expected finite coordinates within 1e8 of its origin: is the CRS right?)"}, make_dir("out")},
        {"mistyped: patients as a word", edit("registrations.csv", "P2,A2,1900", "P2,A2,many"), {"inspect", "{dir}"}, 2,
         {"{dir}/registrations.csv: layer 'registrations': row 3 (line 4): field 'patients': expected a whole number from 0 to 10,000,000, got 'many'"}},
    };
}

const std::string kCount = "expected a whole number from 0 to 10,000,000, got ";

std::vector<CliCase> number_and_content_cases() {
    return {
        {"number: negative population", edit("areas.csv", "Area two,200", "Area two,-5"), {"inspect", "{dir}"}, 2,
         {"{dir}/areas.csv: layer 'areas': row 2 (line 3): field 'pop': " + kCount + "'-5'"}},
        {"number: NaN population", edit("areas.csv", "Area two,200", "Area two,NaN"), {"inspect", "{dir}"}, 2, {"field 'pop': " + kCount + "'NaN'"}},
        {"number: infinite population", edit("areas.csv", "Area two,200", "Area two,inf"), {"inspect", "{dir}"}, 2, {"field 'pop': " + kCount + "'inf'"}},
        {"number: fractional population", edit("areas.csv", "Area two,200", "Area two,200.5"), {"inspect", "{dir}"}, 2, {"field 'pop': " + kCount + "'200.5'"}},
        {"number: huge list size 1e30", edit("practices.csv", ",1000,", ",1e30,"), {"plan", "{dir}", "--out", kPlanOut}, 2,
         {"{dir}/practices.csv: layer 'practices': row 1 (line 2): field 'list': " + kCount + "'1e30'"}, make_dir("out")},
        {"number: list size 2^63", edit("practices.csv", ",1000,", ",9223372036854775808,"), {"inspect", "{dir}"}, 2,
         {"field 'list': " + kCount + "'9223372036854775808'"}},
        {"number: list size just above the limit", edit("practices.csv", ",1000,", ",10000001,"), {"inspect", "{dir}"}, 2, {"field 'list': " + kCount + "'10000001'"}},
        {"number: negative patients", edit("registrations.csv", "P2,A2,1900", "P2,A2,-1"), {"inspect", "{dir}"}, 2,
         {"{dir}/registrations.csv: layer 'registrations': row 3 (line 4): field 'patients': " + kCount + "'-1'"}},
        {"number: fractional patients", edit("registrations.csv", "P2,A2,1900", "P2,A2,12.5"), {"inspect", "{dir}"}, 2, {"field 'patients': " + kCount + "'12.5'"}},
        {"number: NaN patients", edit("registrations.csv", "P2,A2,1900", "P2,A2,nan"), {"inspect", "{dir}"}, 2, {"field 'patients': " + kCount + "'nan'"}},
        {"number: infinite coordinate", edit("practices.csv", "P2,Two,531500", "P2,Two,inf"), {"inspect", "{dir}"}, 2,
         {"{dir}/practices.csv: layer 'practices': row 2 (line 3): field 'x': expected a number, got 'inf'"}},
        {"number: fractional population in GeoJSON (a real field)",
         [](Files& f) {
             f.files["areas.geojson"] =
                 R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[)"
                 R"({"type":"Feature","properties":{"code":"A1","name":"one","pop":2.5},"geometry":{"type":"Polygon","coordinates":[[[530000,180000],[532000,180000],[532000,181000],[530000,181000],[530000,180000]]]}}]})";
             f.settings["areas.source"] = "\"areas.geojson\"";
             f.settings.erase("areas.geometry_field");
         },
         {"inspect", "{dir}"}, 2, {"{dir}/areas.geojson: layer 'areas': feature 0: field 'pop': " + kCount + "'2.5'"}},
        // Duplicates.
        {"duplicate: area ids", edit("areas.csv", "A2,Area two", "A1,Area two"), {"plan", "{dir}", "--out", kPlanOut}, 2,
         {"{dir}/areas.csv: layer 'areas': row 2 (line 3): field 'code': duplicate id 'A1' (expected unique values; first at row 1 (line 2))"}, make_dir("out")},
        {"duplicate: practice ids", edit("practices.csv", "P2,Two", "P1,Two"), {"inspect", "{dir}"}, 2,
         {"{dir}/practices.csv: layer 'practices': row 2 (line 3): field 'code': duplicate id 'P1'"}},
        {"duplicate: registration rows are counted and reported, not an error", edit("registrations.csv", "P2,A2,1900\n", "P2,A2,1900\nP2,A2,1900\n"),
         {"inspect", "{dir}"}, 0, {"repeating a practice and area", "1,900  in 1 rows, 1 pairs (P2 A2)"}},
        // Empty layers.
        {"empty layer: areas", contents("areas.csv", "code,name,pop,WKT\n"), {"plan", "{dir}", "--out", kPlanOut}, 2,
         {"{dir}/areas.csv: layer 'areas': has no features"}, make_dir("out")},
        {"empty layer: practices", contents("practices.csv", "code,name,x,y,list,pcn\n"), {"inspect", "{dir}"}, 2, {"{dir}/practices.csv: layer 'practices': has no features"}},
        {"empty layer: registrations", contents("registrations.csv", "practice,area,patients\n"), {"inspect", "{dir}"}, 2,
         {"{dir}/registrations.csv: layer 'registrations': has no rows"}},
        {"empty layer: a filter that matches nothing", setting("areas.where", "\"code = 'Z9'\""), {"inspect", "{dir}"}, 2, {"{dir}/areas.csv", "no features match areas.where"}},
        // Empty and non-polygonal geometries.
        {"geometry: a POINT area", area_geometry("\"POINT (531500 180500)\""), {"plan", "{dir}", "--out", kPlanOut}, 2,
         {"{dir}/areas.csv: layer 'areas': row 2 (line 3): expected a Polygon or MultiPolygon, got a Point"}, make_dir("out")},
        {"geometry: a LINESTRING area", area_geometry("\"LINESTRING (531000 180000,532000 181000)\""), {"inspect", "{dir}"}, 2,
         {"row 2 (line 3): expected a Polygon or MultiPolygon, got a Line String"}},
        {"geometry: POLYGON EMPTY", area_geometry("\"POLYGON EMPTY\""), {"inspect", "{dir}"}, 2, {"{dir}/areas.csv: layer 'areas': row 2 (line 3): expected a polygon, got an empty geometry"}},
        {"geometry: none", area_geometry(""), {"inspect", "{dir}"}, 2, {"row 2 (line 3): expected a polygon, got no geometry"}},
        {"geometry: a collection of points", area_geometry("\"GEOMETRYCOLLECTION (POINT (531500 180500))\""), {"inspect", "{dir}"}, 2,
         {"row 2 (line 3): expected a Polygon or MultiPolygon, got a Geometry Collection"}},
        {"geometry: a ring too short to repair", area_geometry("\"POLYGON ((531000 180000,532000 180000,531000 180000))\""), {"inspect", "{dir}"}, 2,
         {"row 2 (line 3): geometry cannot be repaired: make-valid left no polygon"}},
        // Invalid UTF-8.
        {"UTF-8: an area name", edit("areas.csv", "Area two", "Area \xed\xa0\x80two"), {"inspect", "{dir}"}, 2,
         {"{dir}/areas.csv: layer 'areas': row 2 (line 3): field 'name': expected UTF-8 text, got byte 0xED at position 6", "areas.encoding"}},
        {"UTF-8: a practice id", edit("practices.csv", "P2,Two", "P2\xff,Two"), {"inspect", "{dir}"}, 2,
         {"{dir}/practices.csv: layer 'practices': row 2 (line 3): field 'code': expected UTF-8 text, got byte 0xFF at position 3"}},
        {"UTF-8: a registration's area code", edit("registrations.csv", "P2,A2,1900", "P2,A\xc3,1900"), {"inspect", "{dir}"}, 2,
         {"{dir}/registrations.csv: layer 'registrations': row 3 (line 4): field 'area': expected UTF-8 text, got byte 0xC3 at position 2"}},
        {"UTF-8: an overlong practice name", edit("practices.csv", "P2,Two", "P2,Tw\xc0\xafo"), {"inspect", "{dir}"}, 2,
         {"row 2 (line 3): field 'name': expected UTF-8 text, got byte 0xC0 at position 3"}},
    };
}

std::vector<CliCase> option_cases() {
    const std::vector<std::string> plan = {"plan", "{dir}", "--out", kPlanOut};
    const auto with = [&plan](std::vector<std::string> extra) {
        std::vector<std::string> args = plan;
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    };
    const bad_input::Setup out = make_dir("out");
    return {
        {"option: --min negative", {}, with({"--min", "-1"}), 2, {"--min: expected a whole number from 1 to 10,000,000, got '-1'"}, out},
        {"option: --min NaN", {}, with({"--min", "nan"}), 2, {"--min: expected a whole number from 1 to 10,000,000, got 'nan'"}, out},
        {"option: --min fractional", {}, with({"--min", "1000.5"}), 2, {"--min: expected a whole number from 1 to 10,000,000, got '1000.5'"}, out},
        {"option: --max zero", {}, with({"--max", "0"}), 2, {"--max: expected a whole number from 1 to 10,000,000, got '0'"}, out},
        {"option: --max huge", {}, with({"--max", "1e30"}), 2, {"--max: expected a whole number from 1 to 10,000,000, got '1e30'"}, out},
        {"option: --min above --max", {}, with({"--min", "50000", "--max", "30000"}), 2, {"--min 50000 is greater than --max 30000"}, out},
        {"option: --seed negative", {}, with({"--seed", "-1"}), 2, {"--seed: expected a whole number from 0 to 18446744073709551615, got '-1'"}, out},
        {"option: --seed fractional", {}, with({"--seed", "1.5"}), 2, {"--seed: expected a whole number", "got '1.5'"}, out},
        {"option: --sweeps NaN", {}, with({"--sweeps", "nan"}), 2, {"--sweeps: expected a number from 0 to 100000, got 'nan'"}, out},
        {"option: --core-share NaN", {}, with({"--core-share", "nan"}), 2, {"--core-share: expected a number from 0.01 to 1, got 'nan'"}, out},
        {"option: --gap-distance-m infinite", {}, with({"--gap-distance-m", "inf"}), 2, {"--gap-distance-m: expected a number above 0, got 'inf'"}, out},
        {"option: --method unknown", {}, with({"--method", "magic"}), 2, {"--method: magic not in {registrations,nearest,radius}"}, out},
        {"option: unknown option", {}, with({"--frobnicate"}), 2, {"The following argument was not expected: --frobnicate", "catchment plan --help"}, out},
        {"option: --lock without --lock-field", {}, with({"--lock", "N1"}), 2, {"--lock names values of a practice field: give that field with --lock-field"}, out},
        {"option: --exclude an unknown practice", {}, with({"--exclude", "P9"}), 2, {"unknown practice code 'P9' among the excluded practices"}, out},
        {"option: --constraint-field unknown", {}, with({"--constraint-field", "lad"}), 2, {"unknown constraint field 'lad'; area fields: code, name, pop"}, out},
        {"option: --add-practice with a huge list size", {}, with({"--add-practice", "N9,New,531500,180500,9223372036854775807"}), 2,
         {"--add-practice 'N9,New,531500,180500,9223372036854775807': LIST_SIZE '9223372036854775807' is not a whole number of patients from 0 to 10,000,000"}, out},
        {"option: --add-practice at an infinite place", {}, with({"--add-practice", "N9,New,inf,180500"}), 2, {"--add-practice 'N9,New,inf,180500': X 'inf' is not a number"}, out},
        {"option: --add-practice far outside", {}, with({"--add-practice", "N9,New,1e300,180500"}), 2,
         {"new practice 1 ('N9'): its location (1e+300, 180500.0) in EPSG:27700 lies outside every study area"}, out},
        {"option: --title not UTF-8", {}, with({"--title", "plan \xff"}), 2, {"--title: expected UTF-8 text, got byte 0xFF at position 6"}, out},
        {"option: --out missing", {}, {"plan", "{dir}"}, 2, {"--out is required"}},
        {"option: inspect --format xml", {}, {"inspect", "{dir}", "--format", "xml"}, 2, {"--format: xml not in {text,json}"}},
        {"option: tiles --minzoom above --maxzoom", {}, {"tiles", "{dir}", "--out", "{dir}/out/t.mbtiles", "--minzoom", "9", "--maxzoom", "4"}, 2,
         {"--minzoom 9 is greater than --maxzoom 4"}, out},
        {"option: tiles --maxzoom 30", {}, {"tiles", "{dir}", "--out", "{dir}/out/t.pmtiles", "--maxzoom", "30"}, 2, {"--maxzoom: Value 30 not in range 0 to 22"}, out},
        {"option: tiles --glyphs without {range}", {}, {"tiles", "{dir}", "--out", "{dir}/out/t.pmtiles", "--style", "{dir}/out/s.json", "--glyphs", "http://h/fonts/{fontstack}.pbf"}, 2,
         {"--glyphs must hold {fontstack} and {range}"}, out},
        {"option: tiles --glyphs without --style", {}, {"tiles", "{dir}", "--out", "{dir}/out/t.pmtiles", "--glyphs", "http://h/fonts/{fontstack}/{range}.pbf"}, 2,
         {"--glyphs is the style's: give --style too"}, out},
        {"option: diff --format yaml", {}, {"diff", "{dir}/a.gpkg", "{dir}/b.gpkg", "--format", "yaml"}, 2, {"--format: yaml not in {text,json}"}, two_plans()},
        {"option: diff 'reference' without --dataset", {}, {"diff", "reference", "{dir}/a.gpkg"}, 2, {"'reference' needs --dataset"}, two_plans()},
    };
}

std::vector<CliCase> output_cases() {
    const bad_input::Setup out = make_dir("out");
    return {
        {"output: plan into a folder that does not exist", {}, {"plan", "{dir}", "--out", "{dir}/nowhere/plan.gpkg"}, 2,
         {"{dir}/nowhere/plan.gpkg: cannot write there: no such directory '{dir}/nowhere'"}},
        {"output: plan to a path that is a folder", {}, {"plan", "{dir}", "--out", "{dir}/out.gpkg"}, 2,
         {"{dir}/out.gpkg: is a directory; give a file name such as {dir}/out.gpkg/plan.gpkg"}, make_dir("out.gpkg")},
        {"output: plan with an unknown extension", {}, {"plan", "{dir}", "--out", "{dir}/out/plan.xyz"}, 2,
         {"{dir}/out/plan.xyz: unsupported output format '.xyz' (expected one of .gpkg, .geojson, .fgb, .shp)"}, out},
        {"output: plan into a read-only file system", {}, {"plan", "{dir}", "--out", "{dir}/ro/plan.gpkg"}, 2,
         {"{dir}/ro/plan.gpkg: cannot write there: Read-only file system"}, read_only_dir()},
        {"output: plan --report into a folder that does not exist", {}, {"plan", "{dir}", "--out", kPlanOut, "--report", "{dir}/nowhere/r.json"}, 2,
         {"{dir}/nowhere/r.json: cannot write there: no such directory"}, out},
        {"output: inspect --out into a folder that does not exist", {}, {"inspect", "{dir}", "--out", "{dir}/nowhere/s.json"}, 2,
         {"{dir}/nowhere/s.json: cannot write there: no such directory"}},
        {"output: inspect --out to a path that is a folder", {}, {"inspect", "{dir}", "--out", "{dir}/out"}, 2, {"{dir}/out: is a directory"}, out},
        {"output: tiles into a folder that does not exist", {}, {"tiles", "{dir}", "--out", "{dir}/nowhere/t.mbtiles", "--maxzoom", "4"}, 2,
         {"{dir}/nowhere/t.mbtiles: cannot write there: no such directory"}},
        {"output: tiles into a read-only file system", {}, {"tiles", "{dir}", "--out", "{dir}/ro/t.pmtiles", "--maxzoom", "4"}, 2,
         {"{dir}/ro/t.pmtiles: cannot write there: Read-only file system"}, read_only_dir()},
        {"output: tiles with an unknown extension", {}, {"tiles", "{dir}", "--out", "{dir}/out/t.zip"}, 2,
         {"{dir}/out/t.zip: unsupported tile set format (expected .mbtiles or .pmtiles)"}, out},
        {"output: tiles --style into a folder that does not exist", {}, {"tiles", "{dir}", "--out", "{dir}/out/t.pmtiles", "--style", "{dir}/nowhere/s.json"}, 2,
         {"{dir}/nowhere/s.json: cannot write there: no such directory"}, out},
        {"output: glyphs from a file that is not a font", {}, {"glyphs", "{dir}/areas.csv", "--out", "{dir}/fonts"}, 2,
         {"{dir}/areas.csv: not a font FreeType can read", "expected a TrueType or OpenType font"}},
        {"output: glyphs from a font that does not exist", {}, {"glyphs", "{dir}/gone.ttf", "--out", "{dir}/fonts"}, 2,
         {"{dir}/gone.ttf: no such file"}},
        {"output: diff --out with an unknown extension", {}, {"diff", "{dir}/a.gpkg", "{dir}/b.gpkg", "--out", "{dir}/changes.txt"}, 2,
         {"{dir}/changes.txt: unsupported output format '.txt'"}, two_plans()},
        // A full disk: the system's failure, exit 1, and nothing half-written left behind.
        {"full disk: plan to a GeoPackage", {}, {"plan", "{dir}", "--quiet", "--out", "{dir}/full/plan.gpkg"}, 1,
         {"{dir}/full/plan.gpkg: ", "database or disk is full"}, full_disk("64k", 0)},
        {"full disk: plan to GeoJSON files", {}, {"plan", "{dir}", "--quiet", "--out", "{dir}/full/plan.geojson"}, 1,
         {"{dir}/full/plan.geojson: ", "No space left on device"}, full_disk("64k", 48 * 1024)},
        {"full disk: tiles to MBTiles", {}, {"tiles", "{dir}", "--out", "{dir}/full/t.mbtiles", "--maxzoom", "12"}, 1,
         {"{dir}/full/t.mbtiles: ", "database or disk is full"}, full_disk("64k", 56 * 1024)},
        {"full disk: tiles to PMTiles", {}, {"tiles", "{dir}", "--out", "{dir}/full/t.pmtiles", "--maxzoom", "16"}, 1,
         {"{dir}/full/t.pmtiles: ", "No space left on device"}, full_disk("64k", 60 * 1024)},
        {"full disk: inspect --out", {}, {"inspect", "{dir}", "--out", "{dir}/full/summary.txt"}, 1,
         {"{dir}/full/summary.txt: cannot write the output file: No space left on device"}, full_disk("64k", 64 * 1024)},
        {"full disk: diff --out to GeoJSON", {}, {"diff", "{dir}/a.gpkg", "{dir}/b.gpkg", "--out", "{dir}/full/changes.geojson"}, 1,
         {"{dir}/full/changes.geojson: ", "the file system is full"}, two_plans(full_disk("64k", 64 * 1024))},
        // diff's inputs.
        {"diff: a plan that does not exist", {}, {"diff", "{dir}/a.gpkg", "{dir}/gone.gpkg"}, 2, {"{dir}/gone.gpkg: no such file (baseline.source)"}, two_plans()},
        {"diff: a plan that is not a GeoPackage", {}, {"diff", "{dir}/a.gpkg", "{dir}/areas.gpkg"}, 2, {"{dir}/areas.gpkg: GDAL cannot open it as a vector source"},
         two_plans([](const TempDir& d, auto&) { return !d.write("areas.gpkg", "not a plan").empty(); })},
        {"diff: a CSV that is not a networks CSV", {}, {"diff", "{dir}/a.gpkg", "{dir}/areas.csv"}, 2,
         {"{dir}/areas.csv: layer 'areas': field 'Partner Organisation Code': no such field (a plan's networks CSV)"}, two_plans()},
    };
}

std::vector<CliCase> serve_cases() {
    const std::vector<std::string> listening = {"listening on"};
    return {
        {"serve: missing areas file (before listening)", setting("areas.source", "\"gone.csv\""), {"serve", "{dir}", "--port", "0"}, 2,
         {"{dir}/gone.csv: no such file (areas.source)"}, {}, listening},
        {"serve: a field the layer lacks (before listening)", setting("practices.id_field", "\"ods\""), {"serve", "{dir}", "--port", "0"}, 2,
         {"field 'ods': no such field (practices.id_field)"}, {}, listening},
        {"serve: corrupt registrations (before listening)", contents("registrations.csv", ""), {"serve", "{dir}", "--port", "0"}, 2,
         {"{dir}/registrations.csv: the file is empty (0 bytes)"}, {}, listening},
        {"serve: a geographic working CRS (before listening)", setting("working_crs", "\"EPSG:4326\""), {"serve", "{dir}", "--port", "0"}, 2,
         {"'EPSG:4326' is not a projected CRS"}, {}, listening},
        {"serve: --min negative (before listening)", {}, {"serve", "{dir}", "--port", "0", "--min", "-5"}, 2, {"--min: expected a whole number from 1 to 10,000,000"}, {}, listening},
        {"serve: --port not a number (before listening)", {}, {"serve", "{dir}", "--port", "http"}, 2, {"--port"}, {}, listening},
        {"serve: --host not an address (before listening)", {}, {"serve", "{dir}", "--port", "0", "--host", "999.1.1.1"}, 2,
         {"--host 999.1.1.1 is not an IP address"}, {}, listening},
        {"serve: --store is a file (before listening)", {}, {"serve", "{dir}", "--port", "0", "--store", "{dir}/dataset.toml"}, 2,
         {"{dir}/dataset.toml: cannot use it as the plan store"}, {}, listening},
        {"serve: an unreachable PostgreSQL store (before listening)", {},
         {"serve", "{dir}", "--port", "0", "--store", "PG:host={dir}/nowhere port=1 dbname=catchment"}, 2,
         {"--store: the PostgreSQL plan store cannot be used: cannot connect to PG:host={dir}/nowhere"}, {}, listening},
        {"serve: --plan not a GeoPackage (before listening)", {}, {"serve", "{dir}", "--port", "0", "--plan", "{dir}/areas.csv"}, 2,
         {"{dir}/areas.csv: cannot open it as a GeoPackage"}, {}, listening},
        // A bad row is found while loading, which runs once the port answers /health (a large dataset
        // takes minutes): the server then stops with exit 2.
        {"serve: a negative population found while loading", edit("areas.csv", "Area two,200", "Area two,-1"), {"serve", "{dir}", "--port", "0", "--store", "none"}, 2,
         {"{dir}/areas.csv: layer 'areas': row 2 (line 3): field 'pop': " + kCount + "'-1'"}},
    };
}

void run_all(const std::vector<CliCase>& cases) {
    for (const CliCase& c : cases) {
        DYNAMIC_SECTION(c.name) {
            INFO("case: " << c.name);
            bad_input::run_case(c);  // a case the environment cannot provide warns that it was skipped
        }
    }
}

}  // namespace

TEST_CASE("Bad input matrix: descriptions and files missing, empty, corrupt or truncated", "[bad-input-matrix]") {
    run_all(description_and_file_cases());
}

TEST_CASE("Bad input matrix: CRSs and fields", "[bad-input-matrix]") { run_all(crs_and_field_cases()); }

TEST_CASE("Bad input matrix: numbers, duplicates, empty layers, geometries and UTF-8", "[bad-input-matrix]") {
    run_all(number_and_content_cases());
}

TEST_CASE("Bad input matrix: options", "[bad-input-matrix]") { run_all(option_cases()); }

TEST_CASE("Bad input matrix: unusable outputs and a full disk", "[bad-input-matrix]") { run_all(output_cases()); }

TEST_CASE("Bad input matrix: serve fails with exit 2, before listening where the files show it", "[bad-input-matrix]") {
    run_all(serve_cases());
}

TEST_CASE("Bad input matrix: at least 75 cases, and the unbroken dataset passes", "[bad-input-matrix]") {
    const std::size_t count = description_and_file_cases().size() + crs_and_field_cases().size() + number_and_content_cases().size() +
                              option_cases().size() + output_cases().size() + serve_cases().size();
    CHECK(count >= 75);
    // Every failure above is the breakage's doing: the tiny dataset as written plans and writes.
    CliCase unbroken{"unbroken", {}, {"inspect", "{dir}"}, 0, {"Dataset: tiny"}};
    CHECK(bad_input::run_case(unbroken));
}
