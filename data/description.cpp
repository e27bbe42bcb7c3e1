#include "data/description.hpp"

#include "data/errors.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace data {

namespace {

std::vector<std::string> split_codes(const std::string& text);

constexpr std::string_view kDefaultWorkingCrs = "EPSG:27700";
constexpr std::string_view kDefaultNoAreaCodes = "NO2011";
constexpr std::string_view kDescriptionFileName = "dataset.toml";

const std::vector<SettingSpec> kSettings = {
    {"name", "Dataset name shown in summaries"},
    {"attribution", "The data's attribution (licence statements), shown with tiles, TileJSON, the style, the viewer, OGC pages and GeoPackages"},
    {"working_crs", "Projected CRS every geometry is transformed into (default EPSG:27700)"},
    {"areas.source", "Small-area polygons: any OGR vector source", true},
    {"areas.layer", "Layer of areas.source (default: its only layer)"},
    {"areas.where", "OGR SQL attribute filter on the areas layer"},
    {"areas.open_options", "GDAL open options for the areas, e.g. [\"HEADERS=NO\"] for a CSV without a header row (its fields are then field_1, field_2, ...)"},
    {"areas.encoding", "Character encoding of the areas' text, e.g. ISO-8859-1 (default UTF-8; bytes that are not UTF-8 are an error)"},
    {"areas.crs", "CRS of areas.source when it declares none (overrides a declared one)"},
    {"areas.id_field", "Unique area code field, e.g. LSOA11CD"},
    {"areas.name_field", "Area name field"},
    {"areas.group_field", "Grouping field such as the borough code"},
    {"areas.group_name_field", "The group's name, e.g. the borough name: maps label the groups with it (default: the group field's value)"},
    {"areas.population_field", "Resident population field of the areas layer"},
    {"areas.geometry_field", "Geometry field (for CSV: the WKT column)"},
    {"population.source", "Table holding population by area code, joined to the areas", true},
    {"population.layer", "Layer of population.source"},
    {"population.where", "OGR SQL attribute filter on the population table"},
    {"population.open_options", "GDAL open options for the population table, e.g. [\"HEADERS=NO\"] for a CSV without a header row (its fields are then field_1, field_2, ...)"},
    {"population.encoding", "Character encoding of the population table' text, e.g. ISO-8859-1 (default UTF-8; bytes that are not UTF-8 are an error)"},
    {"population.key_field", "Area code field of the population table"},
    {"population.value_field", "Population field of the population table"},
    {"practices.source", "GP practices: an OGR point layer or a table", true},
    {"practices.layer", "Layer of practices.source"},
    {"practices.where", "OGR SQL attribute filter on the practices, e.g. \"in_london_lad = 'True'\""},
    {"practices.open_options", "GDAL open options for the practices, e.g. [\"HEADERS=NO\"] for a CSV without a header row (its fields are then field_1, field_2, ...)"},
    {"practices.encoding", "Character encoding of the practices' text, e.g. ISO-8859-1 (default UTF-8; bytes that are not UTF-8 are an error)"},
    {"practices.crs", "CRS of the practice coordinates (required for x/y fields without a declared CRS)"},
    {"practices.id_field", "Unique practice code field, e.g. the ODS code"},
    {"practices.name_field", "Practice name field"},
    {"practices.list_size_field", "Registered patients field (default: summed from registrations)"},
    {"practices.reference_network_field", "Existing network (e.g. real PCN code), kept for comparison"},
    {"practices.reference_network_name_field", "Name of the existing network (e.g. the PCN name), kept by --baseline reference"},
    {"practices.x_field", "Easting or longitude field"},
    {"practices.y_field", "Northing or latitude field"},
    {"practices.postcode_field", "Postcode field, joined to the postcode lookup"},
    {"practices.on_unplaced", "A practice that cannot be placed (no coordinates, a postcode not in the lookup, more than 100 m outside "
                              "every area): skip (report it and leave it out; the default) or error"},
    {"postcodes.source", "Postcode lookup table (e.g. OS Code-Point Open); a list (comma-separated as a flag) is tried in order, "
                         "e.g. [\"codepoint-2025.csv\", \"codepoint-2018.csv\"]", true},
    {"postcodes.layer", "Layer of postcodes.source"},
    {"postcodes.where", "OGR SQL attribute filter on the postcode lookup"},
    {"postcodes.open_options", "GDAL open options for the postcode lookup, e.g. [\"HEADERS=NO\"] for a CSV without a header row (its fields are then field_1, field_2, ...)"},
    {"postcodes.encoding", "Character encoding of the postcode lookup' text, e.g. ISO-8859-1 (default UTF-8; bytes that are not UTF-8 are an error)"},
    {"postcodes.crs", "CRS of the lookup coordinates"},
    {"postcodes.key_field", "Postcode field of the lookup"},
    {"postcodes.x_field", "Easting or longitude field of the lookup"},
    {"postcodes.y_field", "Northing or latitude field of the lookup"},
    {"registrations.source", "Long table: patients by practice and area (NHS Digital layout)", true},
    {"registrations.layer", "Layer of registrations.source"},
    {"registrations.where", "OGR SQL attribute filter on the registrations"},
    {"registrations.open_options", "GDAL open options for the registrations, e.g. [\"HEADERS=NO\"] for a CSV without a header row (its fields are then field_1, field_2, ...)"},
    {"registrations.encoding", "Character encoding of the registrations' text, e.g. ISO-8859-1 (default UTF-8; bytes that are not UTF-8 are an error)"},
    {"registrations.practice_field", "Practice code field"},
    {"registrations.area_field", "Area code field"},
    {"registrations.patients_field", "Patients field"},
    {"registrations.no_area_codes", "Comma-separated area values meaning no area recorded (default NO2011)"},
    {"travel_times.source", "Table of travel times from areas to practices (e.g. from OSRM, r5r or OpenTripPlanner), one row per pair", true},
    {"travel_times.layer", "Layer of travel_times.source"},
    {"travel_times.where", "OGR SQL attribute filter on the travel times, e.g. \"mode = 'transit'\""},
    {"travel_times.open_options", "GDAL open options for the travel times, e.g. [\"HEADERS=NO\"] for a CSV without a header row (its fields are then field_1, field_2, ...)"},
    {"travel_times.encoding", "Character encoding of the travel times' text, e.g. ISO-8859-1 (default UTF-8; bytes that are not UTF-8 are an error)"},
    {"travel_times.area_field", "Area code field of the travel times (joined to areas.id_field)"},
    {"travel_times.practice_field", "Practice code field of the travel times (joined to practices.id_field)"},
    {"travel_times.minutes_field", "Travel time field, in minutes (a number >= 0)"},
};

const SettingSpec* find_spec(std::string_view key) {
    auto it = std::find_if(kSettings.begin(), kSettings.end(), [key](const SettingSpec& s) { return s.key == key; });
    return it == kSettings.end() ? nullptr : &*it;
}

std::string known_keys_under(std::string_view table) {
    std::string list;
    for (const SettingSpec& spec : kSettings) {
        const std::string_view key = spec.key;
        const auto dot = key.find('.');
        const std::string_view owner = dot == std::string_view::npos ? std::string_view{} : key.substr(0, dot);
        if (owner != table) continue;
        if (!list.empty()) list += ", ";
        list += dot == std::string_view::npos ? key : key.substr(dot + 1);
    }
    return list;
}

/// The tables of the description, in the order of the settings: "[areas], [population], ...".
std::string known_tables() {
    std::string list;
    for (const SettingSpec& spec : kSettings) {
        const auto dot = spec.key.find('.');
        if (dot == std::string_view::npos) continue;
        const std::string table(spec.key.substr(0, dot));
        if (list.find("[" + table + "]") == std::string::npos) list += (list.empty() ? "[" : ", [") + table + "]";
    }
    return list;
}

bool is_connection_string(const std::string& value) {
    // PG:dbname=..., /vsizip/..., https://... are not file paths to resolve.
    return value.rfind("/vsi", 0) == 0 || value.find(':') != std::string::npos;
}

std::string toml_value_text(const toml::node& node, const std::string& origin, const std::string& key) {
    if (auto text = node.value<std::string>()) return *text;
    if (const auto* array = node.as_array()) {
        std::string joined;
        for (const toml::node& item : *array) {
            auto text = item.value<std::string>();
            if (!text) throw setting_error(origin, key, "expected a list of strings");
            if (!joined.empty()) joined += ',';
            joined += *text;
        }
        return joined;
    }
    throw setting_error(origin, key, "expected a string");
}

}  // namespace

const std::vector<SettingSpec>& setting_specs() { return kSettings; }

std::string flag_for(std::string_view key) {
    std::string flag = "--";
    for (const char c : key) flag += (c == '.' || c == '_') ? '-' : c;
    return flag;
}

void Settings::set(const std::string& key, const std::string& value) { values[key] = value; }

std::string Settings::get(const std::string& key) const {
    auto it = values.find(key);
    return it == values.end() ? std::string{} : it->second;
}

Settings read_description(const std::filesystem::path& given) {
    std::filesystem::path path = given;
    std::error_code error;  // (a name too long for the system is an error here, not an exception)
    if (std::filesystem::is_directory(path, error)) path /= kDescriptionFileName;
    if (!std::filesystem::exists(path, error)) {
        throw InputError({path.string(), {}, {}, {}}, error ? "cannot read the dataset description: " + error.message()
                                                            : "no such dataset description (expected a TOML file, or a "
                                                              "folder holding " + std::string(kDescriptionFileName) + ")");
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) throw InputError({path.string(), {}, {}, {}}, "cannot read the dataset description");
    return parse_description(text.str(), path);
}

Settings parse_description(std::string_view text, const std::filesystem::path& path) {
    Settings settings;
    settings.origin = path.string();
    toml::table root;
    try {
        root = toml::parse(text, path.string());
    } catch (const toml::parse_error& e) {
        std::ostringstream where;
        where << "line " << e.source().begin.line << ", column " << e.source().begin.column;
        throw InputError({settings.origin, {}, where.str(), {}}, "not valid TOML: " + std::string(e.description()));
    }
    const std::filesystem::path folder = path.parent_path();
    auto store = [&](const std::string& key, const toml::node& node) {
        const SettingSpec* spec = find_spec(key);
        if (spec == nullptr) {
            const auto dot = key.find('.');
            const std::string table = dot == std::string::npos ? std::string{} : key.substr(0, dot);
            const std::string known = known_keys_under(table);
            if (known.empty()) {
                throw setting_error(settings.origin, key, "unknown table [" + table + "]; the tables are " + known_tables());
            }
            throw setting_error(settings.origin, key,
                                "unknown setting; known" + (table.empty() ? std::string{} : " in [" + table + "]") + ": " + known);
        }
        std::string value = toml_value_text(node, settings.origin, key);
        if (spec->is_path && node.as_array() != nullptr) {
            // A list of sources (postcode lookups tried in order): each path resolved on its own.
            std::string resolved;
            for (const std::string& item : split_codes(value)) {
                const bool relative = !is_connection_string(item) && std::filesystem::path(item).is_relative();
                resolved += (resolved.empty() ? "" : ",") + (relative ? (folder / item).lexically_normal().string() : item);
            }
            value = resolved;
        } else if (spec->is_path && !value.empty() && !is_connection_string(value) &&
            std::filesystem::path(value).is_relative()) {
            value = (folder / value).lexically_normal().string();
        }
        settings.values[key] = value;
    };
    for (const auto& [name, node] : root) {
        const std::string key(name.str());
        if (const auto* table = node.as_table()) {
            for (const auto& [inner_name, inner_node] : *table) store(key + "." + std::string(inner_name.str()), inner_node);
        } else {
            store(key, node);
        }
    }
    return settings;
}

namespace {

class Describer {
public:
    explicit Describer(const Settings& settings) : settings_(settings) {}

    std::string optional(const std::string& key) const { return settings_.get(key); }
    std::string required(const std::string& key, const std::string& why) const {
        std::string value = settings_.get(key);
        if (value.empty()) throw setting_error(settings_.origin, key, "required " + why + " (flag " + flag_for(key) + ")");
        return value;
    }
    bool any_under(const std::string& table) const {
        const std::string prefix = table + ".";
        return std::any_of(settings_.values.begin(), settings_.values.end(), [&](const auto& kv) {
            return kv.first.rfind(prefix, 0) == 0 && !kv.second.empty();
        });
    }
    LayerRef layer(const std::string& table, const std::string& why) const {
        LayerRef ref{required(table + ".source", why), optional(table + ".layer"), optional(table + ".where"), optional(table + ".crs"), {}, {}};
        for (std::string& option : split_codes(optional(table + ".open_options"))) {
            if (option.find('=') == std::string::npos) throw setting_error(settings_.origin, table + ".open_options", "expected NAME=VALUE, got '" + option + "'");
            ref.open_options.push_back(std::move(option));
        }
        ref.encoding = optional(table + ".encoding");
        return ref;
    }
    void both_or_neither(const std::string& a, const std::string& b) const {
        if (optional(a).empty() != optional(b).empty()) {
            const std::string& missing = optional(a).empty() ? a : b;
            const std::string& given = optional(a).empty() ? b : a;
            throw setting_error(settings_.origin, missing, "required when " + given + " is set");
        }
    }

private:
    const Settings& settings_;
};

std::vector<std::string> split_codes(const std::string& text) {
    std::vector<std::string> codes;
    std::string current;
    for (const char c : text + ",") {
        if (c == ',') {
            if (!current.empty()) codes.push_back(current);
            current.clear();
        } else if (c != ' ') {
            current += c;
        }
    }
    return codes;
}

}  // namespace

DatasetDescription describe(const Settings& settings) {
    const Describer d(settings);
    DatasetDescription out;
    out.origin = settings.origin;
    out.name = d.optional("name");
    out.attribution = d.optional("attribution");
    out.working_crs = d.optional("working_crs");
    if (out.working_crs.empty()) out.working_crs = kDefaultWorkingCrs;

    out.areas.layer = d.layer("areas", "(the small-area polygons)");
    out.areas.id_field = d.required("areas.id_field", "(the unique area code)");
    out.areas.name_field = d.optional("areas.name_field");
    out.areas.group_field = d.optional("areas.group_field");
    out.areas.group_name_field = d.optional("areas.group_name_field");
    out.areas.population_field = d.optional("areas.population_field");
    out.areas.geometry_field = d.optional("areas.geometry_field");
    if (d.any_under("population")) {
        if (!out.areas.population_field.empty()) {
            throw setting_error(settings.origin, "population.source",
                                "population comes either from areas.population_field or from a population table, "
                                "not both");
        }
        out.population = JoinSpec{d.layer("population", "(the population table)"),
                                  d.required("population.key_field", "(the area code of the population table)"),
                                  d.required("population.value_field", "(the population column)")};
    } else if (out.areas.population_field.empty()) {
        throw setting_error(settings.origin, "areas.population_field",
                            "required unless a population table is given (population.source)");
    }

    out.practices.layer = d.layer("practices", "(the GP practices)");
    out.practices.id_field = d.required("practices.id_field", "(the unique practice code)");
    out.practices.name_field = d.optional("practices.name_field");
    out.practices.list_size_field = d.optional("practices.list_size_field");
    out.practices.reference_network_field = d.optional("practices.reference_network_field");
    out.practices.reference_network_name_field = d.optional("practices.reference_network_name_field");
    d.both_or_neither("practices.x_field", "practices.y_field");
    out.practices.x_field = d.optional("practices.x_field");
    out.practices.y_field = d.optional("practices.y_field");
    out.practices.postcode_field = d.optional("practices.postcode_field");
    if (const std::string policy = d.optional("practices.on_unplaced"); !policy.empty()) {
        if (policy != "skip" && policy != "error") {
            throw setting_error(settings.origin, "practices.on_unplaced", "expected skip or error, got '" + policy + "'");
        }
        out.practices.skip_unplaced = policy == "skip";
    }
    if (!out.practices.postcode_field.empty() && !out.practices.x_field.empty()) {
        throw setting_error(settings.origin, "practices.postcode_field",
                            "give practice locations either as x/y fields or by postcode, not both");
    }
    if (!out.practices.postcode_field.empty() || d.any_under("postcodes")) {
        if (out.practices.postcode_field.empty()) {
            throw setting_error(settings.origin, "practices.postcode_field", "required when a postcode lookup is given");
        }
        out.postcodes = PostcodeSpec{d.layer("postcodes", "(the postcode lookup) when practices.postcode_field is set"),
                                     d.required("postcodes.key_field", "(the postcode column of the lookup)"),
                                     d.required("postcodes.x_field", "(easting or longitude of the lookup)"),
                                     d.required("postcodes.y_field", "(northing or latitude of the lookup)"),
                                     {}};
        // Several lookups, tried in order (e.g. Code-Point Open 2025, then 2018 for retired postcodes).
        std::vector<std::string> sources = split_codes(out.postcodes->layer.source);
        if (sources.size() > 1) {
            out.postcodes->layer.source = sources.front();
            out.postcodes->fallbacks.assign(sources.begin() + 1, sources.end());
        }
    }

    if (d.any_under("registrations")) {
        RegistrationSpec reg;
        reg.layer = d.layer("registrations", "(the registrations table)");
        reg.practice_field = d.required("registrations.practice_field", "(practice code column)");
        reg.area_field = d.required("registrations.area_field", "(area code column)");
        reg.patients_field = d.required("registrations.patients_field", "(patients column)");
        const std::string codes = d.optional("registrations.no_area_codes");
        reg.no_area_codes = split_codes(codes.empty() ? std::string(kDefaultNoAreaCodes) : codes);
        out.registrations = std::move(reg);
    } else if (out.practices.list_size_field.empty()) {
        throw setting_error(settings.origin, "practices.list_size_field",
                            "required unless registrations are given (list sizes are then summed from them)");
    }

    if (d.any_under("travel_times")) {
        out.travel_times = TravelTimeSpec{d.layer("travel_times", "(the travel-time table)"),
                                          d.required("travel_times.area_field", "(area code column of the travel times)"),
                                          d.required("travel_times.practice_field", "(practice code column of the travel times)"),
                                          d.required("travel_times.minutes_field", "(minutes column of the travel times)")};
    }
    return out;
}

}  // namespace data
