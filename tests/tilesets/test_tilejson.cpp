#include "tilesets/tilejson.hpp"
#include "tilesets/glyphs.hpp"

#include "integration/process.hpp"
#include "paths.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unistd.h>

using namespace tilesets;
namespace json = boost::json;

namespace {
/// Detail layers start deeper; catchment labels before catchment polygons so that small ones stay findable.
int expected_minzoom(const std::string& id) { return id == "areas" || id == "catchments" ? 11 : id == "catchment_labels" ? 8 : 0; }
}  // namespace

namespace {

TileSetInfo london_info() {
    TileSetInfo info;
    info.name = "London networks";
    info.description = "Planned primary care networks";
    info.attribution = "NHS Digital, ONS";
    info.version = "2.1.0";
    info.tile_urls = {"http://localhost:8080/tiles/{z}/{x}/{y}.mvt"};
    info.minzoom = 0;
    info.maxzoom = 14;
    info.bounds = {-0.5104, 51.2868, 0.3340, 51.6919};
    info.center = {-0.1276, 51.5072, 10};
    return info;
}

// Serialises and parses again, as a client would see the document.
json::object round_trip(const json::value& document) { return json::parse(json::serialize(document)).as_object(); }

std::filesystem::path js_dir() { return test_paths::source_dir() / "tests" / "js"; }

// A file in the temporary directory that is removed when the test ends.
class TempFile {
public:
    explicit TempFile(const std::string& stem) {
        static int counter = 0;
        std::string name = "catchment-";
        name += stem;
        name += '-';
        name += std::to_string(::getpid());
        name += '-';
        name += std::to_string(++counter);
        name += ".json";
        path_ = std::filesystem::temp_directory_path() / name;
    }
    ~TempFile() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::filesystem::path& path() const { return path_; }
    void write(const std::string& text) const {
        std::ofstream out(path_, std::ios::binary);
        out << text;
    }

private:
    std::filesystem::path path_;
};

// gl-style-validate from @maplibre/maplibre-gl-style-spec (tests/js, installed by .ci/install-deps).
integration::ProcessResult validate_style(const json::value& style) {
    const std::filesystem::path validator = js_dir() / "node_modules" / ".bin" / "gl-style-validate";
    INFO("gl-style-validate is missing: run .ci/install-deps (npm ci in tests/js)");
    REQUIRE(std::filesystem::exists(validator));
    const TempFile file("style");
    file.write(json::serialize(style));
    return integration::run(validator.string(), {file.path().string()});
}

// Collects every property name an expression reads with ["get", name].
void collect_gets(const json::value& expression, std::set<std::string>& names) {
    if (!expression.is_array()) return;
    const json::array& items = expression.as_array();
    if (items.size() == 2 && items[0] == "get" && items[1].is_string()) names.insert(std::string(items[1].as_string()));
    for (const json::value& item : items) collect_gets(item, names);
}

const json::object& layer_by_id(const json::array& layers, std::string_view id) {
    for (const json::value& layer : layers) {
        if (layer.at("id").as_string() == id) return layer.as_object();
    }
    FAIL("style has no layer " << id);
    throw std::logic_error("unreachable");
}

// Evaluates one paint property of the style with MapLibre's own expression engine for each feature's
// properties at `zoom`; returns what it printed, one JSON value per line.
std::vector<json::value> evaluate_paint(const json::object& layer, std::string_view property, double zoom,
                                        const json::array& features) {
    const TempFile input("expression");
    std::string spec = "paint_";
    spec += layer.at("type").as_string();
    input.write(json::serialize(json::object{{"expression", layer.at("paint").at(property)},
                                             {"spec", spec},
                                             {"property", property},
                                             {"zoom", zoom},
                                             {"features", features}}));
    const std::string script = R"(
import {readFileSync} from 'node:fs';
import {createPropertyExpression, latest} from '@maplibre/maplibre-gl-style-spec';
const input = JSON.parse(readFileSync(process.argv[1], 'utf8'));
const rootKey = `${input.spec}.${input.property}`;
const parsed = createPropertyExpression(input.expression, rootKey, latest[input.spec][input.property]);
if (parsed.result !== 'success') throw new Error(JSON.stringify(parsed.value));
for (const properties of input.features) {
    const value = parsed.value.evaluate({zoom: input.zoom}, {type: 'Point', properties});
    console.log(JSON.stringify(typeof value === 'object' ? value.toString() : value));
})";
    // Run from tests/js so that the bare package name resolves in its node_modules.
    const integration::ProcessResult r =
        integration::run("sh", {"-c", "cd \"$0\" && node --input-type=module -e \"$1\" \"$2\"", js_dir().string(),
                                script, input.path().string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    std::vector<json::value> values;
    std::string line;
    std::istringstream lines(r.out);
    while (std::getline(lines, line)) values.push_back(json::parse(line));
    REQUIRE(values.size() == features.size());
    return values;
}

}  // namespace

TEST_CASE("TileJSON 3.0.0 carries the tile set info", "[tilejson]") {
    const json::object doc = round_trip(tilejson(london_info(), catchment_layers(14)));
    CHECK(doc.at("tilejson") == "3.0.0");
    CHECK(doc.at("tiles") == json::array{"http://localhost:8080/tiles/{z}/{x}/{y}.mvt"});
    CHECK(doc.at("name") == "London networks");
    CHECK(doc.at("description") == "Planned primary care networks");
    CHECK(doc.at("attribution") == "NHS Digital, ONS");
    CHECK(doc.at("version") == "2.1.0");
    CHECK(doc.at("scheme") == "xyz");
    CHECK(doc.at("minzoom") == 0);
    CHECK(doc.at("maxzoom") == 14);
    CHECK(json::value_to<std::vector<double>>(doc.at("bounds")) == std::vector<double>{-0.5104, 51.2868, 0.3340, 51.6919});
    CHECK(json::value_to<std::vector<double>>(doc.at("center")) == std::vector<double>{-0.1276, 51.5072, 10});
    CHECK(doc.at("center").at(2).is_int64());  // an integer zoom, as TileJSON readers expect
    CHECK_FALSE(doc.contains("fillzoom"));
    CHECK(doc.at("vector_layers").as_array().size() == 9);
}

TEST_CASE("TileJSON leaves out empty optional strings", "[tilejson]") {
    TileSetInfo info = london_info();
    info.attribution.clear();
    info.description.clear();
    const json::object doc = round_trip(tilejson(info, catchment_layers(14)));
    CHECK_FALSE(doc.contains("attribution"));
    CHECK_FALSE(doc.contains("description"));
    CHECK(doc.contains("name"));
}

TEST_CASE("vector_layers lists exactly the nine catchment layers and their typed fields", "[tilejson]") {
    using Fields = std::map<std::string, std::string>;
    const std::map<std::string, Fields> expected{
        {"networks",
         {{"network_id", "String"}, {"network_name", "String"}, {"list_size", "Number"}, {"population", "Number"},
          {"practice_count", "Number"}, {"status", "String"}, {"band_cause", "String"}, {"cohesion", "Number"},
          {"polsby_popper", "Number"}, {"constraint_value", "String"}, {"colour", "Number"}}},
        {"network_borders", {{"network_a", "String"}, {"network_b", "String"}}},
        {"catchments",
         {{"practice_code", "String"}, {"practice_name", "String"}, {"network_id", "String"}, {"registered", "Number"},
          {"population", "Number"}, {"share", "Number"}}},
        {"catchment_labels", {{"practice_code", "String"}, {"practice_name", "String"}, {"network_id", "String"}}},
        {"practices",
         {{"practice_code", "String"}, {"practice_name", "String"}, {"list_size", "Number"}, {"network_id", "String"},
          {"network_name", "String"}, {"network_status", "String"}, {"excluded", "Boolean"}}},
        {"areas",
         {{"area_code", "String"}, {"area_name", "String"}, {"population", "Number"}, {"density", "Number"},
          {"network_id", "String"}, {"gap", "Boolean"}, {"nearest_practice_m", "Number"}, {"accessibility", "Number"},
          {"access_rank", "Number"}}},
        {"gaps",
         {{"area_code", "String"}, {"population", "Number"}, {"nearest_practice_m", "Number"}, {"accessibility", "Number"},
          {"gap_criteria", "String"}, {"gap_reason", "String"}}},
        {"network_labels",
         {{"network_id", "String"}, {"network_name", "String"}, {"practice_count", "Number"}, {"list_size", "Number"}, {"status", "String"}}},
        {"group_labels", {{"group", "String"}, {"group_name", "String"}, {"area_count", "Number"}, {"population", "Number"}}},
    };
    const json::object doc = round_trip(tilejson(london_info(), catchment_layers(13)));
    std::map<std::string, Fields> actual;
    for (const json::value& entry : doc.at("vector_layers").as_array()) {
        const json::object& layer = entry.as_object();
        const std::string id(layer.at("id").as_string());
        INFO("layer " << id);
        CHECK(layer.at("minzoom") == expected_minzoom(id));
        CHECK(layer.at("maxzoom") == 13);
        CHECK_FALSE(layer.at("description").as_string().empty());
        Fields fields;
        for (const auto& field : layer.at("fields").as_object()) {
            fields[std::string(field.key())] = std::string(field.value().as_string());
        }
        CHECK(actual.emplace(id, std::move(fields)).second);  // no layer listed twice
    }
    CHECK(actual == expected);
}

TEST_CASE("catchment_layers declares geometries and one-line descriptions", "[tilejson]") {
    const std::map<std::string, std::string> geometry{
        {"networks", "polygon"}, {"network_borders", "line"}, {"catchments", "polygon"}, {"catchment_labels", "point"},
        {"practices", "point"},  {"areas", "polygon"},        {"gaps", "polygon"},      {"network_labels", "point"},
        {"group_labels", "point"}};
    for (const VectorLayer& layer : catchment_layers(12)) {
        INFO("layer " << layer.id);
        CHECK(geometry.at(layer.id) == layer.geometry);
        CHECK(layer.description.find('\n') == std::string::npos);
        CHECK(layer.minzoom == expected_minzoom(layer.id));
        CHECK(layer.maxzoom == 12);
    }
    CHECK_THROWS_AS(catchment_layers(31), std::invalid_argument);
}

TEST_CASE("TileJSON rejects tile set info the spec forbids", "[tilejson]") {
    const std::vector<VectorLayer> layers = catchment_layers(14);
    TileSetInfo no_urls = london_info();
    no_urls.tile_urls.clear();
    CHECK_THROWS_AS(tilejson(no_urls, layers), std::invalid_argument);
    TileSetInfo inverted = london_info();
    inverted.minzoom = 15;
    CHECK_THROWS_AS(tilejson(inverted, layers), std::invalid_argument);
    TileSetInfo too_deep = london_info();
    too_deep.maxzoom = 31;
    CHECK_THROWS_AS(tilejson(too_deep, layers), std::invalid_argument);
    TileSetInfo centre_elsewhere = london_info();
    centre_elsewhere.center = {2.35, 48.85, 10};  // Paris
    CHECK_THROWS_AS(tilejson(centre_elsewhere, layers), std::invalid_argument);
    TileSetInfo centre_too_deep = london_info();
    centre_too_deep.center[2] = 16;
    CHECK_THROWS_AS(tilejson(centre_too_deep, layers), std::invalid_argument);
}

TEST_CASE("Every style layer draws a catchment source layer and reads only its fields", "[tilejson][style]") {
    const std::vector<VectorLayer> schema = catchment_layers(14);
    const std::string glyphs = GENERATE(std::string(), std::string("http://localhost:8080/fonts/{fontstack}/{range}.pbf"));
    INFO("glyphs URL '" << glyphs << "'");
    const json::object style = round_trip(maplibre_style(london_info(), schema, "http://localhost:8080/tiles.json", glyphs));
    CHECK(style.at("version") == 8);
    const json::object& sources = style.at("sources").as_object();
    REQUIRE(sources.size() == 1);
    CHECK(sources.at("catchment").at("type") == "vector");
    CHECK(sources.at("catchment").at("url") == "http://localhost:8080/tiles.json");
    // Text needs a glyph server: without one the style has no symbol layers and no glyphs URL.
    CHECK(style.contains("glyphs") == !glyphs.empty());
    if (!glyphs.empty()) CHECK(style.at("glyphs") == glyphs.c_str());

    std::set<std::string> drawn;
    for (const json::value& entry : style.at("layers").as_array()) {
        const json::object& layer = entry.as_object();
        const std::string id(layer.at("id").as_string());
        INFO("style layer " << id);
        if (glyphs.empty()) CHECK(layer.at("type") != "symbol");
        if (layer.at("type") == "symbol") {
            // Only the fonts the build makes.
            const json::array& fonts = layer.at("layout").at("text-font").as_array();
            REQUIRE(fonts.size() == 1);
            CHECK((fonts[0] == kLabelFont.data() || fonts[0] == kLabelFontBold.data()));
        }
        if (layer.at("type") == "background") continue;
        CHECK(layer.at("source") == "catchment");
        const std::string source_layer(layer.at("source-layer").as_string());
        const auto found = std::find_if(schema.begin(), schema.end(),
                                        [&](const VectorLayer& s) { return s.id == source_layer; });
        REQUIRE(found != schema.end());
        drawn.insert(source_layer);
        std::set<std::string> read;
        for (const char* part : {"paint", "layout", "filter"}) {
            if (!layer.contains(part)) continue;
            if (layer.at(part).is_object()) {
                for (const auto& property : layer.at(part).as_object()) collect_gets(property.value(), read);
            } else {
                collect_gets(layer.at(part), read);
            }
        }
        for (const std::string& field : read) {
            INFO("field " << field);
            CHECK(std::any_of(found->fields.begin(), found->fields.end(),
                              [&](const VectorField& f) { return f.name == field; }));
        }
    }
    std::set<std::string> expected{"areas", "networks", "gaps", "catchments", "catchment_labels", "network_borders", "practices"};
    if (!glyphs.empty()) expected.insert({"network_labels", "group_labels"});
    CHECK(drawn == expected);
}

namespace {
// WCAG 2.1 relative luminance of "#rrggbb".
double luminance(const std::string& hex) {
    REQUIRE(hex.size() == 7);
    double sum = 0;
    const double weights[] = {0.2126, 0.7152, 0.0722};
    for (int i = 0; i < 3; ++i) {
        const double c = std::stoi(hex.substr(1 + 2 * static_cast<std::size_t>(i), 2), nullptr, 16) / 255.0;
        sum += weights[i] * (c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4));
    }
    return sum;
}
double contrast(const std::string& a, const std::string& b) {
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}
}  // namespace

TEST_CASE("Labels: groups then networks then practices by zoom, each readable on its halo", "[tilejson][style]") {
    const json::object style =
        round_trip(maplibre_style(london_info(), catchment_layers(14), "http://x/tiles.json", "http://x/fonts/{fontstack}/{range}.pbf"));
    const json::array& layers = style.at("layers").as_array();
    const json::object& groups = layer_by_id(layers, "group-labels");
    const json::object& networks = layer_by_id(layers, "network-labels");
    const json::object& practices = layer_by_id(layers, "practices-label");
    CHECK(groups.at("layout").at("text-field") == json::array{"get", "group_name"});
    CHECK(networks.at("layout").at("text-field") == json::array{"get", "network_name"});
    CHECK(practices.at("layout").at("text-field") == json::array{"get", "practice_name"});
    CHECK(groups.at("minzoom").to_number<int>() < networks.at("minzoom").to_number<int>());
    CHECK(networks.at("minzoom").to_number<int>() < practices.at("minzoom").to_number<int>());
    CHECK(groups.at("maxzoom").to_number<int>() <= practices.at("minzoom").to_number<int>());
    // Labels come last, so that they draw over (and are placed before) everything else.
    const auto position = [&](std::string_view id) {
        return std::find_if(layers.begin(), layers.end(), [&](const json::value& l) { return l.at("id") == id.data(); }) - layers.begin();
    };
    CHECK(position("practices-label") > position("practices-circle"));
    for (const json::object* label : {&groups, &networks, &practices}) {
        const std::string text(label->at("paint").at("text-color").as_string());
        const std::string halo(label->at("paint").at("text-halo-color").as_string());
        INFO(label->at("id") << ": " << text << " on " << halo);
        CHECK(contrast(text, halo) >= 7.0);  // WCAG AAA for text
    }
}

TEST_CASE("Network fills have no outline and catchment lines start at z11", "[tilejson][style]") {
    const json::object style = round_trip(maplibre_style(london_info(), catchment_layers(14), "pmtiles://london.pmtiles"));
    const json::array& layers = style.at("layers").as_array();
    CHECK(style.at("sources").at("catchment").at("url") == "pmtiles://london.pmtiles");
    CHECK(layer_by_id(layers, "networks-fill").at("paint").at("fill-outline-color") == "rgba(0, 0, 0, 0)");
    CHECK(layer_by_id(layers, "catchments-line").at("minzoom") == 11);
    CHECK(layer_by_id(layers, "network-borders-line").at("type") == "line");
}

TEST_CASE("The style leaves out layers the tile set does not have", "[tilejson][style]") {
    std::vector<VectorLayer> schema = catchment_layers(14);
    std::erase_if(schema, [](const VectorLayer& layer) { return layer.id != "practices"; });
    const json::object style = round_trip(maplibre_style(london_info(), schema, "http://localhost:8080/tiles.json"));
    std::set<std::string> ids;
    for (const json::value& layer : style.at("layers").as_array()) ids.insert(std::string(layer.at("id").as_string()));
    CHECK(ids == std::set<std::string>{"background", "practices-dot", "practices-circle"});
}

TEST_CASE("The style passes gl-style-validate", "[tilejson][style][node]") {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"http://localhost:8080/tiles.json", ""},
        {"pmtiles://http://localhost:8080/london.pmtiles", ""},
        {"http://localhost:8080/tiles.json", "http://localhost:8080/fonts/{fontstack}/{range}.pbf"}};
    for (const auto& [url, glyphs] : cases) {
        const integration::ProcessResult r = validate_style(maplibre_style(london_info(), catchment_layers(14), url, glyphs));
        INFO(url << " glyphs '" << glyphs << "'\nstdout: " << r.out << "\nstderr: " << r.err);
        CHECK(r.exit_code == 0);
        CHECK(r.out.empty());
    }
}

TEST_CASE("gl-style-validate rejects a broken style", "[tilejson][style][node]") {
    // Guards the check above: a style with a bad paint value must make the validator fail.
    json::object style = maplibre_style(london_info(), catchment_layers(14), "http://localhost:8080/tiles.json").as_object();
    style.at("layers").as_array().back().as_object()["paint"].as_object()["circle-radius"] = "large";
    const integration::ProcessResult r = validate_style(style);
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.exit_code != 0);
    CHECK(r.out.find("circle-radius") != std::string::npos);
}

TEST_CASE("Network colours: each palette slot its own colour and a missing slot the last", "[tilejson][style][node]") {
    const json::object style = round_trip(maplibre_style(london_info(), catchment_layers(14), "http://x/tiles.json"));
    json::array features;
    for (std::int64_t slot = 0; slot < static_cast<std::int64_t>(kNetworkPaletteSize); ++slot) features.push_back(json::object{{"colour", slot}});
    features.push_back(json::object{{"colour", 99}});
    features.push_back(json::object{});  // no slot at all
    const std::vector<json::value> colours =
        evaluate_paint(layer_by_id(style.at("layers").as_array(), "networks-fill"), "fill-color", 10, features);
    REQUIRE(colours.size() == kNetworkPaletteSize + 2);
    std::set<std::string> palette;
    for (std::size_t i = 0; i < kNetworkPaletteSize; ++i) palette.insert(std::string(colours[i].as_string()));
    CHECK(palette.size() == kNetworkPaletteSize);
    CHECK(colours[0] == "rgba(141,211,199,1)");  // #8dd3c7
    CHECK(colours[kNetworkPaletteSize] == colours[kNetworkPaletteSize - 1]);
    CHECK(colours[kNetworkPaletteSize + 1] == colours[kNetworkPaletteSize - 1]);
}

TEST_CASE("Practice circles grow with list size and zoom and are coloured by status", "[tilejson][style][node]") {
    const json::object style = round_trip(maplibre_style(london_info(), catchment_layers(14), "http://x/tiles.json"));
    const json::object& circles = layer_by_id(style.at("layers").as_array(), "practices-circle");
    const json::array sizes{json::object{{"list_size", 2000}}, json::object{{"list_size", 60000}},
                            json::object{{"list_size", 15000}}, json::object{}};
    const std::vector<json::value> at_z12 = evaluate_paint(circles, "circle-radius", 12, sizes);
    CHECK(at_z12[0].to_number<double>() == Approx(3));
    CHECK(at_z12[1].to_number<double>() == Approx(14));
    CHECK(at_z12[2].to_number<double>() > 3);
    CHECK(at_z12[2].to_number<double>() < 14);
    CHECK(at_z12[3].to_number<double>() == Approx(3));  // a missing list size draws the smallest circle
    const std::vector<json::value> at_z16 = evaluate_paint(circles, "circle-radius", 16, sizes);
    CHECK(at_z16[1].to_number<double>() > at_z12[1].to_number<double>());

    const json::array statuses{json::object{{"network_status", "above_band"}}, json::object{{"network_status", "below_band"}},
                               json::object{{"network_status", "in_band"}}};
    const std::vector<json::value> colours = evaluate_paint(circles, "circle-color", 12, statuses);
    CHECK(colours[0] == "rgba(215,48,31,1)");  // #d7301f, red
    CHECK(colours[1] == "rgba(253,140,60,1)");  // #fd8c3c, orange
    CHECK(colours[2] == "rgba(8,48,107,1)");    // #08306b, dark blue
}
