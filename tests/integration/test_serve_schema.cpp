// One name per field everywhere: the fields of each layer as five independent readings see them: the GDAL
// file `catchment plan` writes (ogrinfo), the OGC API items (GDAL's OAPIF driver), a decoded tile (GDAL's
// MVT driver over /vsicurl/), TileJSON's vector_layers and /gaps; and all of them against the one schema
// (geo/output_layers.hpp), with the input layers' own fields on practices and areas.
#include "integration/served.hpp"
#include "paths.hpp"

#include "geo/input_fields.hpp"
#include "geo/output_layers.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using integration::ProcessResult;
using integration::run_bounded;
namespace json = boost::json;

/// The attribute fields `ogrinfo -so` lists ("name: Type (w.p)"), in order, without the ones a driver adds
/// by itself (OAPIF's feature `id`, MVT's `mvt_id`).
std::vector<std::string> ogr_fields(const std::string& ogrinfo) {
    static const std::regex field(R"(^([A-Za-z_][A-Za-z0-9_]*): (String|Integer|Integer64|Real|Date|DateTime)(\(\w+\))? \()");
    std::vector<std::string> out;
    std::istringstream lines(ogrinfo);
    for (std::string line; std::getline(lines, line);) {
        std::smatch match;
        if (std::regex_search(line, match, field) && match[1] != "id" && match[1] != "mvt_id") out.push_back(match[1]);
    }
    return out;
}

std::vector<std::string> layer_fields(const std::string& source, const std::string& layer) {
    const ProcessResult info = run_bounded("120", {"ogrinfo", "-ro", "-so", source, layer});
    INFO(source << " " << layer << ": " << info.err);
    REQUIRE(info.exit_code == 0);
    return ogr_fields(info.out);
}

std::vector<std::string> schema_fields(const geo::LayerSchema& layer, geo::Output output) {
    std::vector<std::string> out;
    for (const geo::FieldSchema& field : layer.fields) {
        if (output != geo::in_tiles || field.in_tiles) out.emplace_back(field.name);
    }
    return out;
}

std::set<std::string> as_set(const std::vector<std::string>& names) { return {names.begin(), names.end()}; }

json::value get_json(const integration::Server& server, const std::string& target) {
    const std::string answer = server.body_and_status(target);
    const auto newline = answer.rfind('\n');
    REQUIRE(answer.substr(newline + 1) == "200");
    return json::parse(answer.substr(0, newline));
}

/// The z14 tile holding a lon/lat point (XYZ scheme).
std::string tile_at(double lon, double lat) {
    const double n = std::pow(2.0, 14);
    const double rad = lat * M_PI / 180;
    const auto x = static_cast<long>(std::floor((lon + 180) / 360 * n));
    const auto y = static_cast<long>(std::floor((1 - std::log(std::tan(rad) + 1 / std::cos(rad)) / M_PI) / 2 * n));
    return "/tiles/14/" + std::to_string(x) + "/" + std::to_string(y) + ".mvt";
}

}  // namespace

TEST_CASE("GDAL output, OGC API items, decoded tiles, TileJSON and /gaps name every field as the schema does", "[serve][clients][schema]") {
    integration::Server server;
    integration::TempDir dir;
    const std::string plan = dir / "plan.gpkg";
    const ProcessResult planned = run_bounded("300", {test_paths::catchment_binary().string(), "plan", test_paths::sample_dir().string(),
                                                      "--constraint-field", "lad11cd", "--out", plan});
    INFO(planned.err);
    REQUIRE(planned.exit_code == 0);

    // 1 and 2: the GDAL file and the collections hold every field of their layers, in schema order; practices
    // and areas then every field of the sample's own layers (as ogrinfo lists them there), src_ on a clash.
    const std::string oapif = "OAPIF:" + server.url("");
    const std::string sample = (test_paths::sample_dir() / "london.gpkg").string();
    const auto published = [&](const geo::LayerSchema& layer, geo::Output output) {
        std::vector<std::string> names = schema_fields(layer, output);
        if (layer.id == "practices" || layer.id == "areas") {
            for (const geo::FieldSchema& field : geo::input_field_schemas(layer.fields, layer_fields(sample, std::string(layer.id)), {}, "")) {
                names.push_back(field.name);
            }
        }
        return names;
    };
    CHECK(published(geo::output_layer("areas"), geo::in_files).back() == "src_population");
    for (const geo::LayerSchema* layer : geo::output_layers(geo::in_files)) {
        if (layer->id == "core_catchments") continue;  // only a core-method plan has them
        INFO("file layer " << layer->id);
        CHECK(layer_fields(plan, std::string(layer->id)) == published(*layer, geo::in_files));
    }
    for (const geo::LayerSchema* layer : geo::output_layers(geo::in_collections)) {
        INFO("collection " << layer->id);
        CHECK(layer_fields(oapif, std::string(layer->id)) == published(*layer, geo::in_collections));
    }

    // 3: TileJSON lists each tile layer with exactly its schema fields.
    const json::value tilejson = get_json(server, "/tiles.json");
    std::set<std::string> tile_layer_ids;
    for (const json::value& entry : tilejson.at("vector_layers").as_array()) {
        const std::string id(entry.at("id").as_string());
        INFO("TileJSON layer " << id);
        tile_layer_ids.insert(id);
        const geo::LayerSchema& layer = geo::output_layer(id);
        CHECK(layer.published_in(geo::in_tiles));
        std::vector<std::string> fields;
        for (const auto& field : entry.at("fields").as_object()) fields.emplace_back(field.key());
        CHECK(as_set(fields) == as_set(schema_fields(layer, geo::in_tiles)));
    }
    CHECK(tile_layer_ids.size() == geo::output_layers(geo::in_tiles).size());

    // 4: a decoded z14 tile around a practice in central London (Albion Health Centre) holds those fields. A
    // tile leaves out a key whose every value there is null: only band_cause can be (networks in the band have none).
    const json::value albion = get_json(server, "/collections/practices/items/F84012");
    const json::array& where = albion.at("geometry").at("coordinates").as_array();
    const std::string tile = "/vsicurl/" + server.url(tile_at(where.at(0).to_number<double>(), where.at(1).to_number<double>()));
    for (const char* id : {"networks", "network_borders", "catchments", "catchment_labels", "practices", "areas"}) {
        INFO("tile layer " << id << " in " << tile);
        std::set<std::string> decoded = as_set(layer_fields(tile, id));
        CHECK_FALSE(decoded.empty());
        if (std::string(id) == "networks") decoded.insert("band_cause");
        CHECK(decoded == as_set(schema_fields(geo::output_layer(id), geo::in_tiles)));
    }

    // 5: /gaps answers features with the gaps layer's fields, in its order.
    const json::value gaps = get_json(server, "/gaps");
    const json::array& features = gaps.at("features").as_array();
    REQUIRE_FALSE(features.empty());
    const std::vector<std::string> expected = schema_fields(geo::output_layer("gaps"), geo::in_collections);
    for (const json::value& feature : features) {
        std::vector<std::string> keys;
        for (const auto& property : feature.at("properties").as_object()) keys.emplace_back(property.key());
        CHECK(keys == expected);
    }
}
