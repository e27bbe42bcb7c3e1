#include "data/qgis_styles.hpp"

#include "geo/output_layers.hpp"

#include "geo/network_colours.hpp"

#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <array>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace data {

namespace {

// ColorBrewer Set3, the palette of the MapLibre style (tilesets/tilejson.cpp), as "r,g,b", indexed by the same
// colour slots, so a network has the same colour in QGIS as on the web map.
constexpr std::array<std::string_view, 12> kNetworkPalette{"141,211,199", "255,255,179", "190,186,218", "229,216,189",
                                                           "128,177,211", "253,180,98",  "179,222,105", "252,205,229",
                                                           "217,217,217", "188,128,189", "204,235,197", "255,237,111"};
constexpr std::string_view kInk = "26,26,26,255";  // borders and outlines, as network_borders in the web style

/// The colour of a network's status, as the practices' circles in the web style.
std::string_view status_colour(std::string_view status) {
    if (status == "in_band") return "8,48,107,255";
    if (status == "below_band") return "253,140,60,255";
    if (status == "above_band") return "215,48,31,255";
    return "99,99,99,255";
}

std::string escape(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default: out += c;
        }
    }
    return out;
}

using Props = std::vector<std::pair<std::string_view, std::string>>;

std::string option(std::string_view name, std::string_view value, std::string_view type = "QString") {
    return "<Option name=\"" + escape(name) + "\" type=\"" + std::string(type) + "\" value=\"" + escape(value) + "\"/>";
}

/// A symbol layer: its class (SimpleFill, SimpleLine, SimpleMarker, LinePatternFill), its properties, and
/// anything nested (data-defined properties, a sub-symbol).
std::string symbol_layer(std::string_view type, const Props& props, const std::string& nested = {}) {
    std::string xml = "<layer class=\"" + std::string(type) + "\" enabled=\"1\" locked=\"0\" pass=\"0\"><Option type=\"Map\">";
    for (const auto& [name, value] : props) xml += option(name, value);
    return xml + "</Option>" + nested + "</layer>";
}

std::string symbol(std::string_view type, const std::string& name, const std::vector<std::string>& layers) {
    std::string xml = "<symbol type=\"" + std::string(type) + "\" name=\"" + escape(name) +
                      "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n";
    for (const std::string& layer : layers) xml += layer + "\n";
    return xml + "</symbol>\n";
}

/// An expression that drives one property of a symbol layer (e.g. "size").
std::string data_defined(std::string_view property, std::string_view expression) {
    return "<data_defined_properties><Option type=\"Map\">" + option("name", "") + "<Option name=\"properties\" type=\"Map\">" +
           "<Option name=\"" + std::string(property) + "\" type=\"Map\">" + option("active", "true", "bool") +
           option("expression", expression) + option("type", "3", "int") + "</Option></Option>" + option("type", "collection") +
           "</Option></data_defined_properties>";
}

std::string simple_fill(std::string colour, std::string outline, std::string outline_width, std::string style = "solid") {
    return symbol_layer("SimpleFill", {{"color", std::move(colour)},
                                       {"style", std::move(style)},
                                       {"outline_color", std::move(outline)},
                                       {"outline_style", "solid"},
                                       {"outline_width", std::move(outline_width)},
                                       {"outline_width_unit", "MM"},
                                       {"joinstyle", "round"}});
}

std::string simple_line(std::string colour, std::string width, std::string style = "solid") {
    return symbol_layer("SimpleLine", {{"line_color", std::move(colour)},
                                       {"line_width", std::move(width)},
                                       {"line_width_unit", "MM"},
                                       {"line_style", std::move(style)},
                                       {"joinstyle", "round"},
                                       {"capstyle", "round"}});
}

std::string outline_only(std::string colour, std::string width, std::string style = "solid") {
    return symbol_layer("SimpleFill", {{"color", "0,0,0,0"},
                                       {"style", "no"},
                                       {"outline_color", std::move(colour)},
                                       {"outline_style", std::move(style)},
                                       {"outline_width", std::move(width)},
                                       {"outline_width_unit", "MM"},
                                       {"joinstyle", "round"}});
}

std::string document(const std::string& renderer) {
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis version=\"3.22.0\" styleCategories=\"Symbology\">\n" +
           renderer + "</qgis>\n";
}

std::string single_symbol(const std::string& the_symbol) {
    return "<renderer-v2 type=\"singleSymbol\" forceraster=\"0\" symbollevels=\"0\" enableorderby=\"0\">\n<symbols>\n" + the_symbol +
           "</symbols>\n</renderer-v2>\n";
}

struct Category {
    std::string value;
    std::string label;
    std::string symbol;  // named by its index
};

std::string categorised(std::string_view field, const std::vector<Category>& categories, const std::string& order_by = {}) {
    std::string xml = "<renderer-v2 type=\"categorizedSymbol\" attr=\"" + escape(field) +
                      "\" forceraster=\"0\" symbollevels=\"0\" enableorderby=\"" + (order_by.empty() ? "0" : "1") + "\">\n<categories>\n";
    for (std::size_t i = 0; i < categories.size(); ++i) {
        xml += "<category render=\"true\" symbol=\"" + std::to_string(i) + "\" value=\"" + escape(categories[i].value) +
               "\" label=\"" + escape(categories[i].label) + "\"/>\n";
    }
    xml += "</categories>\n<symbols>\n";
    for (const Category& category : categories) xml += category.symbol;
    xml += "</symbols>\n";
    if (!order_by.empty()) xml += "<orderby>" + order_by + "</orderby>\n";
    return xml + "</renderer-v2>\n";
}

/// A field of an output layer, checked against its schema (geo/output_layers.hpp): a style cannot name a
/// field the layer does not have.
std::string field(std::string_view layer, std::string_view name) {
    const geo::LayerSchema& schema = geo::output_layer(layer);
    return std::string(schema.fields[schema.field_index(name)].name);
}

std::string networks_qml(const geo::Plan& plan) {
    const std::vector<std::int64_t> slots = geo::network_colour_slots(plan, kNetworkPalette.size());
    std::vector<Category> categories;
    for (std::size_t i = 0; i < plan.networks.size(); ++i) {
        const geo::Network& network = plan.networks[i];
        const std::string_view status = geo::to_string(network.metrics.status);
        std::vector<std::string> layers = {simple_fill(std::string(kNetworkPalette[static_cast<std::size_t>(slots[i])]) + ",255", std::string(kInk), "0.2")};
        // Outside the band: a dashed outline in the status colour, drawn inside the network.
        if (status != "in_band") layers.push_back(outline_only(std::string(status_colour(status)), "0.5", "dash"));
        std::string label = network.id;
        if (!network.name.empty() && network.name != network.id) label += " " + network.name;
        if (status != "in_band") label += " (" + std::string(status == "above_band" ? "above" : "below") + " the band)";
        categories.push_back({network.id, label, symbol("fill", std::to_string(i), layers)});
    }
    return document(categorised(field("networks", "network_id"), categories));
}

std::string practices_qml() {
    // Circle area grows with list size (Flannery's exponent): 0.6 mm across for none, 4 mm at 60,000 patients.
    const std::string list_size = field("practices", "list_size");
    const std::string size = data_defined("size", "scale_exp(coalesce(\"" + list_size + "\", 0), 0, 60000, 0.6, 4, 0.57)");
    const auto circle = [&size](std::string_view status, const std::string& name) {
        return symbol("marker", name,
                      {symbol_layer("SimpleMarker", {{"name", "circle"},
                                                     {"color", std::string(status_colour(status))},
                                                     {"outline_color", "255,255,255,255"},
                                                     {"outline_style", "solid"},
                                                     {"outline_width", "0.2"},
                                                     {"outline_width_unit", "MM"},
                                                     {"size", "2"},
                                                     {"size_unit", "MM"},
                                                     {"scale_method", "diameter"}},
                                    size)});
    };
    const std::vector<Category> categories = {
        {"in_band", "network in the band", circle("in_band", "0")},
        {"below_band", "network below the band", circle("below_band", "1")},
        {"above_band", "network above the band", circle("above_band", "2")},
        {"", "in no network (excluded)", circle("", "3")},
    };
    // Largest first, so that small practices are drawn on top of their large neighbours.
    return document(categorised(field("practices", "network_status"), categories,
                                "<orderByClause asc=\"0\" nullsFirst=\"0\">\"" + list_size + "\"</orderByClause>"));
}

std::string gaps_qml() {
    const std::string hatch_line = symbol("line", "@0@1", {simple_line("177,0,38,255", "0.3")});
    const std::string hatch = symbol_layer("LinePatternFill", {{"angle", "45"},
                                                               {"distance", "1.6"},
                                                               {"distance_unit", "MM"},
                                                               {"line_width", "0.3"},
                                                               {"line_width_unit", "MM"},
                                                               {"color", "177,0,38,255"},
                                                               {"offset", "0"},
                                                               {"offset_unit", "MM"}},
                                           hatch_line);
    return document(single_symbol(symbol("fill", "0", {simple_fill("227,26,28,64", "177,0,38,255", "0.4"), hatch})));
}

}  // namespace

std::vector<QgisStyle> qgis_styles(const geo::Plan& plan) {
    const auto outlines = [](std::string colour, std::string width, std::string style = "solid") {
        return document(single_symbol(symbol("fill", "0", {outline_only(std::move(colour), std::move(width), std::move(style))})));
    };
    return {
        {"networks", "catchment: networks by id, neighbours in different colours; out of band dashed", networks_qml(plan)},
        {"practices", "catchment: practices sized by list size, coloured by their network's status", practices_qml()},
        {"gaps", "catchment: coverage gaps, hatched red", gaps_qml()},
        {"network_borders", "catchment: borders between networks",
         document(single_symbol(symbol("line", "0", {simple_line(std::string(kInk), "0.5")})))},
        {"catchments", "catchment: practice catchments as outlines", outlines("77,77,77,255", "0.25")},
        {"core_catchments", "catchment: core catchments as dashed outlines", outlines("77,77,77,255", "0.3", "dash")},
        {"areas", "catchment: small areas as thin outlines", outlines("189,183,171,255", "0.1")},
    };
}

void write_layer_styles(GDALDataset& geopackage, const std::vector<QgisStyle>& styles) {
    const auto fail = [](const std::string& doing) {
        const char* message = CPLGetLastErrorMsg();
        throw std::runtime_error(doing + ": " + (message != nullptr && *message != '\0' ? message : "no reason given"));
    };
    CPLStringList options;
    options.SetNameValue("FID", "id");  // as QGIS names it
    CPLErrorReset();
    OGRLayer* table = geopackage.CreateLayer("layer_styles", nullptr, wkbNone, options.List());
    if (table == nullptr) fail("cannot create the layer_styles table");
    struct Column {
        const char* name;
        OGRFieldType type;
        int width;
    };
    // The columns and widths QGIS uses when it creates the table itself.
    const Column columns[] = {{"f_table_catalog", OFTString, 256}, {"f_table_schema", OFTString, 256},
                              {"f_table_name", OFTString, 256},    {"f_geometry_column", OFTString, 256},
                              {"styleName", OFTString, 30},        {"styleQML", OFTString, 0},
                              {"styleSLD", OFTString, 0},          {"useAsDefault", OFTInteger, 0},
                              {"description", OFTString, 0},       {"owner", OFTString, 30},
                              {"ui", OFTString, 30},               {"update_time", OFTDateTime, 0}};
    for (const Column& column : columns) {
        OGRFieldDefn definition(column.name, column.type);
        definition.SetWidth(column.width);
        if (column.type == OFTInteger) definition.SetSubType(OFSTBoolean);
        if (column.type == OFTDateTime) definition.SetDefault("CURRENT_TIMESTAMP");
        CPLErrorReset();
        if (table->CreateField(&definition) != OGRERR_NONE) fail(std::string("cannot create layer_styles.") + column.name);
    }
    if (geopackage.StartTransaction() != OGRERR_NONE) fail("cannot start writing layer_styles");
    for (const QgisStyle& style : styles) {
        OGRLayer* styled = geopackage.GetLayerByName(style.layer.c_str());
        if (styled == nullptr) continue;
        OGRFeature row(table->GetLayerDefn());
        row.SetField("f_table_catalog", "");
        row.SetField("f_table_schema", "");
        row.SetField("f_table_name", style.layer.c_str());
        row.SetField("f_geometry_column", styled->GetGeometryColumn());
        row.SetField("styleName", style.layer.c_str());
        row.SetField("styleQML", style.qml.c_str());
        row.SetField("styleSLD", "");
        row.SetField("useAsDefault", 1);
        row.SetField("description", style.description.c_str());
        row.SetField("owner", "");
        row.SetField("ui", "");
        row.SetField("update_time", 2000, 1, 1, 0, 0, 0.0F, 100);  // fixed (UTC), as the GeoPackage's other dates
        CPLErrorReset();
        if (table->CreateFeature(&row) != OGRERR_NONE) fail("cannot write the style of layer '" + style.layer + "'");
    }
    if (geopackage.CommitTransaction() != OGRERR_NONE) fail("cannot write layer_styles");
}

}  // namespace data
