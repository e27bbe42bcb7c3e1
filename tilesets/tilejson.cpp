#include "tilesets/tilejson.hpp"

#include "geo/output_layers.hpp"
#include "tilesets/glyphs.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string_view>

namespace tilesets {

namespace json = boost::json;

namespace {

// TileJSON 3.0.0 allows zoom levels 0 to 30.
constexpr int kTileJsonMaxZoom = 30;

// The name of the single vector source in the style.
constexpr std::string_view kSourceId = "catchment";

// ColorBrewer Set3, a 12-colour qualitative palette light enough to fill under dark borders and circles,
// with its salmon (#fb8072) swapped for a beige: salmon reads like the red of a coverage gap.
constexpr std::array<std::string_view, kNetworkPaletteSize> kNetworkPalette{"#8dd3c7", "#ffffb3", "#bebada", "#e5d8bd",
                                                           "#80b1d3", "#fdb462", "#b3de69", "#fccde5",
                                                           "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f"};

// MapTiler/OpenMapTiles (and tippecanoe) put the type name as a field's value in `fields`, and clients
// such as QGIS and Maputnik read it that way; the TileJSON spec calls the value a description, so this is
// a valid description too. VectorField::description stays in the schema for documentation.
std::string_view type_name(FieldType type) {
    switch (type) {
        case FieldType::number: return "Number";
        case FieldType::string: return "String";
        case FieldType::boolean: return "Boolean";
    }
    throw std::logic_error("tilejson: unknown field type");
}

void check_zoom(int zoom, std::string_view what) {
    if (zoom < 0 || zoom > kTileJsonMaxZoom) {
        std::string message = "tilejson: ";
        message += what;
        message += " ";
        message += std::to_string(zoom);
        message += " is outside 0 to 30";
        throw std::invalid_argument(message);
    }
}

// Rejects what TileJSON 3.0.0 forbids, so that a bad TileSetInfo fails here rather than in a map client.
void check_info(const TileSetInfo& info) {
    if (info.tile_urls.empty()) throw std::invalid_argument("tilejson: a tile set needs at least one tile URL");
    check_zoom(info.minzoom, "minzoom");
    check_zoom(info.maxzoom, "maxzoom");
    if (info.minzoom > info.maxzoom) throw std::invalid_argument("tilejson: minzoom is above maxzoom");
    const auto [west, south, east, north] = info.bounds;
    if (west < -180 || east > 180 || south < -90 || north > 90 || south > north) {
        throw std::invalid_argument("tilejson: bounds must be west, south, east, north in WGS 84 degrees");
    }
    const auto [lon, lat, zoom] = info.center;
    if (lat < south || lat > north || (west <= east && (lon < west || lon > east))) {
        throw std::invalid_argument("tilejson: center lies outside bounds");
    }
    if (zoom < info.minzoom || zoom > info.maxzoom) {
        throw std::invalid_argument("tilejson: center zoom is outside minzoom to maxzoom");
    }
}

// A whole number as a JSON integer: TileJSON readers expect an integer zoom, and Boost.JSON would write the
// double 10 as 1E1.
json::value zoom_value(double zoom) {
    const double whole = std::floor(zoom);
    if (whole == zoom) return static_cast<std::int64_t>(whole);
    return zoom;
}

void put_if_set(json::object& object, std::string_view key, const std::string& value) {
    if (!value.empty()) object[key] = value;
}

bool has_layer(const std::vector<VectorLayer>& layers, std::string_view id) {
    return std::any_of(layers.begin(), layers.end(), [&](const VectorLayer& layer) { return layer.id == id; });
}

json::array get(std::string_view field) { return json::array{"get", field}; }

// A property as a number, 0 when it is missing or not numeric, so that expressions never fail on it.
json::array number_of(std::string_view field) { return json::array{"to-number", get(field), 0}; }

// A network's `colour` property is its slot in the palette (neighbours differ). Each label is an array
// (["match", input, [0], colour, ...]), which MapLibre accepts and QGIS's style converter needs; a missing
// or unexpected slot takes the last colour.
json::array network_colour() {
    json::array match{"match", get("colour")};
    for (std::size_t i = 0; i + 1 < kNetworkPalette.size(); ++i) {
        match.push_back(json::array{i});
        match.push_back(json::string(kNetworkPalette[i]));
    }
    match.push_back(json::string(kNetworkPalette.back()));
    return match;
}

// Circle radius in pixels by list size (3 px at 2,000 patients to 14 px at 60,000 at z12), half that at z8
// and twice it at z16. Zoom must be the outer interpolation input for a zoom-and-property expression.
json::array practice_radius() {
    const auto by_list_size = [](double small_px, double large_px) {
        return json::array{"interpolate", json::array{"linear"}, number_of("list_size"), 2000, small_px, 60000,
                           large_px};
    };
    return json::array{"interpolate", json::array{"linear"},  json::array{"zoom"}, 8, by_list_size(1.5, 7),
                       12,            by_list_size(3, 14),    16,                  by_list_size(6, 28)};
}

json::array status_colour(std::string_view field) {
    return json::array{"match", get(field), "above_band", "#d7301f", "below_band",
                       "#fd8c3c", "in_band",   "#08306b",   "#636363"};
}

json::object style_layer(std::string_view id, std::string_view type, std::string_view source_layer) {
    return json::object{{"id", id}, {"type", type}, {"source", kSourceId}, {"source-layer", source_layer}};
}

void add_style_layers(json::array& out, const std::vector<VectorLayer>& layers) {
    // Each block draws one source layer, and only when the tile set has it. Text is add_label_layers'.
    if (has_layer(layers, "areas")) {
        json::object fill = style_layer("areas-fill", "fill", "areas");
        fill["paint"] = {{"fill-color", "#efece6"}, {"fill-opacity", 0.5}, {"fill-outline-color", "#e2ddd4"}};
        out.push_back(std::move(fill));
    }
    if (has_layer(layers, "networks")) {
        json::object fill = style_layer("networks-fill", "fill", "networks");
        // Outlines come from network_borders: a fill outline would draw every tile edge and both sides.
        fill["paint"] = {{"fill-color", network_colour()},
                         {"fill-opacity", 0.7},
                         {"fill-outline-color", "rgba(0, 0, 0, 0)"}};
        out.push_back(std::move(fill));
    }
    if (has_layer(layers, "gaps")) {
        json::object fill = style_layer("gaps-fill", "fill", "gaps");
        fill["paint"] = {{"fill-color", "#e31a1c"}, {"fill-opacity", 0.35}, {"fill-outline-color", "rgba(0, 0, 0, 0)"}};
        out.push_back(std::move(fill));
    }
    if (has_layer(layers, "catchments")) {
        json::object line = style_layer("catchments-line", "line", "catchments");
        line["minzoom"] = 11;  // hundreds of thin outlines only make sense once a borough fills the screen
        line["paint"] = {{"line-color", "#4d4d4d"}, {"line-width", 0.6}, {"line-opacity", 0.6}};
        out.push_back(std::move(line));
    }
    if (has_layer(layers, "catchment_labels")) {
        // Dots until the catchment polygons are drawn, so that small catchments can be found and clicked.
        json::object dots = style_layer("catchment-labels-dots", "circle", "catchment_labels");
        dots["maxzoom"] = 11;
        dots["paint"] = {{"circle-radius", 2}, {"circle-color", "#4d4d4d"}, {"circle-opacity", 0.6}};
        out.push_back(std::move(dots));
    }
    if (has_layer(layers, "network_borders")) {
        json::object line = style_layer("network-borders-line", "line", "network_borders");
        line["layout"] = {{"line-join", "round"}, {"line-cap", "round"}};
        line["paint"] = {
            {"line-color", "#1a1a1a"},
            {"line-width", json::array{"interpolate", json::array{"linear"}, json::array{"zoom"}, 8, 0.8, 14, 2.5}}};
        out.push_back(std::move(line));
    }
    if (has_layer(layers, "gaps")) {
        json::object line = style_layer("gaps-line", "line", "gaps");
        line["paint"] = {{"line-color", "#b10026"}, {"line-width", 1.5}};
        out.push_back(std::move(line));
    }
    if (has_layer(layers, "practices")) {
        // QGIS (3.22) cannot convert a radius that depends on both zoom and list size and draws it at size 0.
        // This dot, the smallest practice's size at every zoom, keeps practices visible there; MapLibre
        // draws it under the sized circle, which covers it.
        json::object dots = style_layer("practices-dot", "circle", "practices");
        dots["paint"] = {{"circle-radius", json::array{"interpolate", json::array{"linear"}, json::array{"zoom"}, 8, 1.5, 12, 3, 16, 6}},
                         {"circle-color", status_colour("network_status")},
                         {"circle-stroke-color", "#ffffff"},
                         {"circle-stroke-width", 0.5}};
        out.push_back(std::move(dots));
        json::object circles = style_layer("practices-circle", "circle", "practices");
        // Small practices on top, so a large neighbour does not hide them.
        circles["layout"] = {{"circle-sort-key", json::array{"-", 0, number_of("list_size")}}};
        circles["paint"] = {{"circle-radius", practice_radius()},
                            {"circle-color", status_colour("network_status")},
                            {"circle-opacity", 0.9},
                            {"circle-stroke-color", "#ffffff"},
                            {"circle-stroke-width", 1}};
        out.push_back(std::move(circles));
    }
}

json::array text_size(double small_zoom, double small_px, double large_zoom, double large_px) {
    return json::array{"interpolate", json::array{"linear"}, json::array{"zoom"}, small_zoom, small_px, large_zoom, large_px};
}

json::object label_layer(std::string_view id, std::string_view source_layer, std::string_view field, std::string_view font, json::array size) {
    json::object layer = style_layer(id, "symbol", source_layer);
    layer["layout"] = {{"text-field", get(field)},
                       {"text-font", json::array{json::string(font)}},
                       {"text-size", std::move(size)},
                       {"text-max-width", 8},
                       {"text-padding", 4}};
    return layer;
}

// Names over everything else, biggest first where they collide: boroughs (or whatever groups the areas)
// at regional zooms, networks from neighbourhood scale, practices close in. Dark text on a white halo
// reads on every network colour (contrast at least 7:1 on white).
void add_label_layers(json::array& out, const std::vector<VectorLayer>& layers) {
    if (has_layer(layers, "practices")) {
        json::object names = label_layer("practices-label", "practices", "practice_name", kLabelFont, text_size(13, 10, 16, 12));
        names["minzoom"] = 13;
        names["layout"].as_object()["text-anchor"] = "top";
        names["layout"].as_object()["text-offset"] = json::array{0, 0.9};
        names["paint"] = {{"text-color", "#08306b"}, {"text-halo-color", "#ffffff"}, {"text-halo-width", 1.2}};
        out.push_back(std::move(names));
    }
    if (has_layer(layers, "network_labels")) {
        json::object names = label_layer("network-labels", "network_labels", "network_name", kLabelFont, text_size(10, 11, 14, 14));
        names["minzoom"] = 10;
        names["layout"].as_object()["symbol-sort-key"] = json::array{"-", 0, number_of("list_size")};
        names["paint"] = {{"text-color", "#1a1a1a"}, {"text-halo-color", "#ffffff"}, {"text-halo-width", 1.5}};
        out.push_back(std::move(names));
    }
    if (has_layer(layers, "group_labels")) {
        json::object names = label_layer("group-labels", "group_labels", "group_name", kLabelFontBold, text_size(7, 10, 11, 14));
        names["minzoom"] = 7;
        names["maxzoom"] = 12;  // networks and practices name the map from there
        json::object& layout = names["layout"].as_object();
        layout["text-transform"] = "uppercase";
        layout["text-letter-spacing"] = 0.08;
        layout["symbol-sort-key"] = json::array{"-", 0, number_of("population")};
        names["paint"] = {{"text-color", "#4d4d4d"}, {"text-halo-color", "#ffffff"}, {"text-halo-width", 1.5}};
        out.push_back(std::move(names));
    }
}

}  // namespace

json::value vector_layers(const std::vector<VectorLayer>& layers) {
    json::array out;
    for (const VectorLayer& layer : layers) {
        json::object fields;
        for (const VectorField& field : layer.fields) fields[field.name] = type_name(field.type);
        json::object entry{{"id", layer.id}};
        put_if_set(entry, "description", layer.description);
        entry["minzoom"] = layer.minzoom;
        entry["maxzoom"] = layer.maxzoom;
        entry["fields"] = std::move(fields);
        out.push_back(std::move(entry));
    }
    return out;
}

json::value tilejson(const TileSetInfo& info, const std::vector<VectorLayer>& layers) {
    check_info(info);
    json::object doc{{"tilejson", "3.0.0"},
                     {"tiles", json::array(info.tile_urls.begin(), info.tile_urls.end())},
                     {"vector_layers", vector_layers(layers)}};
    // Empty strings are left out: TileJSON's default for each is null, which means "none".
    put_if_set(doc, "name", info.name);
    put_if_set(doc, "description", info.description);
    put_if_set(doc, "attribution", info.attribution);
    put_if_set(doc, "version", info.version);
    doc["scheme"] = "xyz";
    doc["minzoom"] = info.minzoom;
    doc["maxzoom"] = info.maxzoom;
    doc["bounds"] = json::array(info.bounds.begin(), info.bounds.end());
    doc["center"] = json::array{info.center[0], info.center[1], zoom_value(info.center[2])};
    return doc;
}

json::value maplibre_style(const TileSetInfo& info, const std::vector<VectorLayer>& layers, const std::string& source_url,
                           const std::string& glyphs_url) {
    json::object source{{"type", "vector"}, {"url", source_url}};
    put_if_set(source, "attribution", info.attribution);
    json::object sources;
    sources[kSourceId] = std::move(source);

    json::array style_layers;
    style_layers.push_back(json::object{{"id", "background"}, {"type", "background"},
                                        {"paint", {{"background-color", "#f8f7f4"}}}});
    add_style_layers(style_layers, layers);
    if (!glyphs_url.empty()) add_label_layers(style_layers, layers);

    json::object style{{"version", 8}};
    put_if_set(style, "name", info.name);
    put_if_set(style, "glyphs", glyphs_url);
    style["center"] = json::array{info.center[0], info.center[1]};
    style["zoom"] = zoom_value(info.center[2]);
    style["sources"] = std::move(sources);
    style["layers"] = std::move(style_layers);
    return style;
}

std::vector<VectorLayer> catchment_layers(int maxzoom) {
    check_zoom(maxzoom, "maxzoom");
    std::vector<VectorLayer> out;
    for (const geo::LayerSchema* layer : geo::output_layers(geo::in_tiles)) {
        VectorLayer vector{std::string(layer->id), std::string(layer->description), {}, std::min(tile_minzoom(layer->id), maxzoom), maxzoom, {}};
        switch (layer->geometry) {
            case geo::LayerGeometry::point: vector.geometry = "point"; break;
            case geo::LayerGeometry::line: vector.geometry = "line"; break;
            case geo::LayerGeometry::polygon: vector.geometry = "polygon"; break;
        }
        for (const geo::FieldSchema& field : layer->fields) {
            if (!field.in_tiles) continue;
            const FieldType type = field.type == geo::FieldType::text      ? FieldType::string
                                   : field.type == geo::FieldType::boolean ? FieldType::boolean
                                                                           : FieldType::number;
            vector.fields.push_back({std::string(field.name), type, std::string(field.description)});
        }
        out.push_back(std::move(vector));
    }
    // Tiles list them from the bottom of a map up: networks, network_borders, catchments, catchment_labels,
    // practices, areas, gaps, then the label points (clients draw by style, so this only keeps the tiles as they were).
    static constexpr std::array<std::string_view, 9> kTileOrder{"networks", "network_borders", "catchments", "catchment_labels",
                                                                "practices", "areas", "gaps", "network_labels", "group_labels"};
    const auto rank = [](const VectorLayer& layer) {
        return std::find(kTileOrder.begin(), kTileOrder.end(), layer.id) - kTileOrder.begin();
    };
    std::stable_sort(out.begin(), out.end(), [&](const VectorLayer& a, const VectorLayer& b) { return rank(a) < rank(b); });
    return out;
}

int tile_minzoom(std::string_view layer) {
    // Small areas and catchments only read at neighbourhood scale: below z11 they would fill tiles with
    // thousands of sub-pixel polygons. The catchment label points start earlier, so that small
    // catchments stay findable before their polygons are drawn.
    return layer == "areas" || layer == "catchments" ? 11 : layer == "catchment_labels" ? 8 : 0;
}

}  // namespace tilesets
