#pragma once
// The dataset description: which source, layer and field holds each input. It is read from a TOML
// file, and every setting can also be given (or overridden) on the command line. One table of
// settings drives both, so the file format, the flags and their help never drift apart.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace data {

/// One setting: dotted key as in the TOML file ("areas.id_field"), its flag ("--areas-id-field"),
/// and what it means.
struct SettingSpec {
    std::string_view key;
    std::string_view help;
    bool is_path = false;  // resolved against the description file's folder
};
const std::vector<SettingSpec>& setting_specs();
/// "--areas-id-field" for "areas.id_field".
std::string flag_for(std::string_view key);

/// Untyped settings (key -> value) with where each came from, before validation.
struct Settings {
    std::map<std::string, std::string> values;
    std::string origin;  // the description file, or empty when everything came from flags

    /// Sets `key` (from a flag), replacing a value from the file.
    void set(const std::string& key, const std::string& value);
    std::string get(const std::string& key) const;
};

/// Reads a TOML description. Relative paths are resolved against its folder. A directory stands for
/// the `dataset.toml` inside it. Throws InputError naming the file, the key and what was expected.
Settings read_description(const std::filesystem::path& path);
/// The same for TOML text that `origin` (a file name for messages; relative paths resolve against its folder) held.
Settings parse_description(std::string_view text, const std::filesystem::path& origin);

/// Which source and layer one input comes from.
struct LayerRef {
    std::string source;  // a path or any GDAL connection string (PG:..., /vsizip/...)
    std::string layer;   // empty: the source's only layer
    std::string where;   // OGR SQL attribute filter, e.g. "in_london_lad = 'True'"
    std::string crs;     // CRS of the coordinates when the source declares none; overrides one it does
    std::vector<std::string> open_options;  // GDAL open options, NAME=VALUE (e.g. HEADERS=NO)
    std::string encoding;  // the text's encoding when not UTF-8 (e.g. ISO-8859-1); converted on read
};

struct AreaSpec {
    LayerRef layer;
    std::string id_field, name_field, group_field, group_name_field, population_field, geometry_field;
};

/// A table joined to another input by key, e.g. population by LSOA code.
struct JoinSpec {
    LayerRef layer;
    std::string key_field, value_field;
};

struct PracticeSpec {
    LayerRef layer;
    std::string id_field, name_field, list_size_field, reference_network_field, reference_network_name_field;
    std::string x_field, y_field;  // coordinates in layer.crs (lon/lat or easting/northing)
    std::string postcode_field;    // joined to PostcodeSpec
    bool skip_unplaced = true;     // on_unplaced: a practice that cannot be placed is reported and left out (or an error)
};

struct PostcodeSpec {
    LayerRef layer;
    std::string key_field, x_field, y_field;
    std::vector<std::string> fallbacks;  // further lookups (same layout), tried in order for postcodes not found
};

struct RegistrationSpec {
    LayerRef layer;
    std::string practice_field, area_field, patients_field;
    std::vector<std::string> no_area_codes;  // area values meaning "no area recorded" (NO2011)
};

/// Travel times from areas to practices, computed elsewhere: one row per (area, practice) pair.
struct TravelTimeSpec {
    LayerRef layer;
    std::string area_field, practice_field, minutes_field;
};

struct DatasetDescription {
    std::string origin;  // description file, for messages
    std::string name;
    std::string attribution;  // the data's licence statements, shown with everything served and written
    std::string working_crs;
    AreaSpec areas;
    std::optional<JoinSpec> population;
    PracticeSpec practices;
    std::optional<PostcodeSpec> postcodes;
    std::optional<RegistrationSpec> registrations;
    std::optional<TravelTimeSpec> travel_times;
};

/// Types and validates settings: required keys present, options that go together given together.
/// Throws InputError naming the setting.
DatasetDescription describe(const Settings& settings);

}  // namespace data
