#include "geo/input_fields.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <set>

namespace geo {

namespace {

/// Names as GeoPackage, SQLite and DBF compare them: ASCII letters without case.
std::string folded(std::string_view name) {
    std::string out(name);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    return out;
}

/// The first `bytes` bytes of `name`, not cutting a UTF-8 character.
std::string_view head(std::string_view name, std::size_t bytes) {
    if (name.size() <= bytes) return name;
    while (bytes > 0 && (static_cast<unsigned char>(name[bytes]) & 0xC0) == 0x80) --bytes;
    return name.substr(0, bytes);
}

constexpr std::size_t kShortName = 10;  // DBF field names

}  // namespace

std::vector<FieldSchema> input_field_schemas(const std::vector<FieldSchema>& published, const std::vector<std::string>& names,
                                             const std::vector<FieldType>& types, std::string_view source) {
    // Columns writers add: GeoPackage's FID and geometry, the CSV items' id and WKT.
    std::set<std::string> taken{"fid", "geom", "geometry", "id", "wkt"};
    std::set<std::string> short_taken;
    for (const FieldSchema& field : published) {
        taken.insert(folded(field.name));
        short_taken.insert(folded(field.short_name));
    }
    std::vector<FieldSchema> out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        FieldSchema field;
        field.name = names[i];
        while (taken.count(folded(field.name)) != 0) field.name.insert(0, "src_");
        taken.insert(folded(field.name));
        field.short_name = std::string(head(field.name, kShortName));
        for (int n = 1; short_taken.count(folded(field.short_name)) != 0; ++n) {
            std::string suffix(1, '_');  // (appended: GCC 12's -Wrestrict misfires on "_" + string, bug 105329)
            suffix += std::to_string(n);
            field.short_name = std::string(head(field.name, kShortName - suffix.size())) + suffix;
        }
        short_taken.insert(folded(field.short_name));
        field.type = i < types.size() ? types[i] : FieldType::text;
        field.description = "The field '" + names[i] + "' of " + std::string(source);
        out.push_back(std::move(field));
    }
    return out;
}

FieldValue input_value(const std::string& text, FieldType type) {
    const char* first = text.data();
    const char* last = first + text.size();
    switch (type) {
        case FieldType::text:
            return text;
        case FieldType::integer: {
            std::int64_t value = 0;
            const auto [end, error] = std::from_chars(first, last, value);
            if (!text.empty() && error == std::errc() && end == last) return value;
            break;
        }
        case FieldType::real: {
            double value = 0;
            const auto [end, error] = std::from_chars(first, last, value);
            if (!text.empty() && error == std::errc() && end == last && std::isfinite(value)) return value;
            break;
        }
        case FieldType::boolean:
            if (text == "1" || text == "true") return true;
            if (text == "0" || text == "false") return false;
            break;
    }
    return std::string();
}

}  // namespace geo
