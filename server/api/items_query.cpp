#include "server/api/items_query.hpp"

#include "server/service/feature_collections.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <system_error>

namespace server {

namespace {

std::int64_t parse_integer(const std::string& name, const std::string& text) {
    std::int64_t value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size()) {
        invalid_parameter(name, "expected an integer, got '" + text + "'");
    }
    return value;
}

/// The names in a comma-separated list, trimmed; empty names are refused.
std::vector<std::string> split_names(const std::string& name, const std::string& value) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = value.find(',', start);
        std::string item = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        const std::size_t first = item.find_first_not_of(' ');
        const std::size_t last = item.find_last_not_of(' ');
        item = first == std::string::npos ? std::string() : item.substr(first, last - first + 1);
        if (item.empty()) invalid_parameter(name, "expected a comma-separated list of property names, got '" + value + "'");
        out.push_back(std::move(item));
        if (comma == std::string::npos) return out;
        start = comma + 1;
    }
}

std::size_t property_index(const std::string& name, const std::string& property, const CollectionInfo& info) {
    const auto found = std::find(info.properties.begin(), info.properties.end(), property);
    if (found == info.properties.end()) {
        invalid_parameter(name, "no property '" + property + "' in collection " + info.id + " (its queryables list them)");
    }
    return static_cast<std::size_t>(found - info.properties.begin());
}

/// sortby=+a,-b (a leading '+', or none, is ascending; '-' descending).
std::vector<ItemsQuery::SortKey> parse_sortby(const std::string& name, const std::string& value, const CollectionInfo& info) {
    std::vector<ItemsQuery::SortKey> keys;
    for (std::string item : split_names(name, value)) {
        ItemsQuery::SortKey key;
        if (item.front() == '+' || item.front() == '-') {
            key.descending = item.front() == '-';
            item.erase(0, 1);
        }
        key.property = property_index(name, item, info);
        keys.push_back(key);
    }
    return keys;
}

/// properties=a,b: the properties written, in the collection's order, each once.
std::vector<std::size_t> parse_property_list(const std::string& name, const std::string& value, const CollectionInfo& info) {
    std::vector<std::size_t> out;
    for (const std::string& item : split_names(name, value)) out.push_back(property_index(name, item, info));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace

const std::vector<std::string_view>& items_query_conformance() {
    // Drafts: OGC API - Features Part 8 (Sorting) and Part 6 (Property selection).
    static const std::vector<std::string_view> kClasses = {"http://www.opengis.net/spec/ogcapi-features-8/1.0/conf/sorting",
                                                           "http://www.opengis.net/spec/ogcapi-features-6/1.0/conf/properties"};
    return kClasses;
}

std::string percent_encode(std::string_view text) {
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) != 0 || c == '-' || c == '_' || c == '.' || c == '~' || c == ',' || c == ':') {
            out += c;
        } else {
            static constexpr char kHex[] = "0123456789ABCDEF";
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 0xf];
        }
    }
    return out;
}





/// A served CRS by its URI, by its short name (EPSG:27700, OGC:CRS84; any case), or as a safe CURIE
/// ([EPSG:27700]), as OGC API - Features Part 2 clients and people typing URLs write them.
std::size_t parse_crs(const std::string& name, const std::string& uri) {
    const auto& all = served_crss();
    std::string shorter = uri.size() > 2 && uri.front() == '[' && uri.back() == ']' ? uri.substr(1, uri.size() - 2) : uri;
    for (char& c : shorter) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (all[i].uri == uri || all[i].proj == shorter || (all[i].proj == "OGC:CRS84" && shorter == "CRS84")) return i;
    }
    std::string why = "unsupported CRS '";
    why += uri;
    why += "' (expected one of, by URI or short name,";
    for (const ServedCrs& crs : all) {
        why += ' ';
        why += crs.uri;
    }
    why += ')';
    invalid_parameter(name, why);
}


void parse_bbox(const std::string& name, const std::string& value, double (&bbox)[4]) {
    std::size_t count = 0;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = value.find(',', start);
        const std::string part = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        double number = 0;
        const auto result = std::from_chars(part.data(), part.data() + part.size(), number);
        if (part.empty() || result.ec != std::errc() || result.ptr != part.data() + part.size() || !std::isfinite(number)) {
            invalid_parameter(name, "expected four numbers minx,miny,maxx,maxy, got '" + value + "'");
        }
        if (count < 4) bbox[count] = number;
        ++count;
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (count != 4) {
        invalid_parameter(name, "expected exactly four numbers minx,miny,maxx,maxy, got " + std::to_string(count));
    }
    if (bbox[0] > bbox[2] || bbox[1] > bbox[3]) {
        invalid_parameter(name, "the minimum must not exceed the maximum in '" + value + "'");
    }
}

ItemsQuery parse_items_query(const RouteContext& context, const CollectionInfo& info) {
    ItemsQuery query;
    for (const auto& [name, value] : context.query) {
        if (name == "limit") {
            const std::int64_t limit = parse_integer(name, value);
            if (limit < 1) invalid_parameter(name, "must be at least 1, got " + value);
            query.limit = std::min(limit, FeatureHandlers::kMaxLimit);
        } else if (name == "offset") {
            query.offset = parse_integer(name, value);
            if (query.offset < 0) invalid_parameter(name, "must not be negative, got " + value);
        } else if (name == "bbox") {
            parse_bbox(name, value, query.bbox);
            query.has_bbox = true;
        } else if (name == "f") {
            if (value == "csv") {
                query.format = ItemsQuery::Format::csv;
            } else if (value != "json" && value != "geojson") {
                invalid_parameter(name, "unsupported format '" + value + "' (expected json or csv)");
            }
        } else if (name == "filter") {
            if (value.find_first_not_of(" \t\r\n") == std::string::npos) invalid_parameter(name, "is empty");
            query.filter = value;
        } else if (name == "filter-lang") {
            if (value != "cql2-text") invalid_parameter(name, "unsupported filter language '" + value + "' (expected cql2-text)");
        } else if (name == "filter-crs") {
            query.filter_crs = parse_crs(name, value);
        } else if (name == "sortby") {
            query.sortby = parse_sortby(name, value, info);
        } else if (name == "properties") {
            query.properties = parse_property_list(name, value, info);
            query.selects_properties = true;
        } else if (name == "crs") {
            query.crs = parse_crs(name, value);
        } else if (name == "bbox-crs") {
            query.bbox_crs = parse_crs(name, value);
        } else if (name == "datetime") {
            // The features have no temporal extent: every feature matches.
        } else {
            const auto found = std::find(info.properties.begin(), info.properties.end(), name);
            if (found == info.properties.end()) invalid_parameter(name, "unknown query parameter for collection " + info.id);
            query.filters.emplace_back(static_cast<std::size_t>(found - info.properties.begin()), value);
        }
    }
    return query;
}

std::string items_url(const std::string& base, const RouteContext& context, const CollectionInfo& info,
                      const ItemsQuery* paging, std::int64_t offset) {
    std::string url = base;
    url += "/collections/";
    url += info.id;
    url += "/items";
    std::string query;
    for (const auto& [name, value] : context.query) {
        if (paging != nullptr && (name == "limit" || name == "offset")) continue;
        query += query.empty() ? '?' : '&';
        query += percent_encode(name);
        query += '=';
        query += percent_encode(value);
    }
    if (paging != nullptr) {
        query += query.empty() ? '?' : '&';
        query += "limit=";
        query += std::to_string(paging->limit);
        query += "&offset=";
        query += std::to_string(offset);
    }
    url += query;
    return url;
}

void append_link(std::string& out, const std::string& href, std::string_view rel, std::string_view type) {
    out += R"({"href":)";
    append_escaped(out, href);
    out += R"(,"rel":)";
    append_escaped(out, rel);
    out += R"(,"type":)";
    append_escaped(out, type);
    out += '}';
}


}  // namespace server
