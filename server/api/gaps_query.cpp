#include "server/api/gaps_query.hpp"

#include "server/api/items_query.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

namespace server {

namespace {

double parse_number(const std::string& name, const std::string& text) {
    double value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size() || !std::isfinite(value)) {
        std::string why = "expected a number, got '";
        why += text;
        why += '\'';
        invalid_parameter(name, why);
    }
    return value;
}

double non_negative(const std::string& name, const std::string& text) {
    const double value = parse_number(name, text);
    if (value < 0) {
        std::string why = "must not be negative, got ";
        why += text;
        invalid_parameter(name, why);
    }
    return value;
}

double positive(const std::string& name, const std::string& text) {
    const double value = parse_number(name, text);
    if (value <= 0) {
        std::string why = "must be positive, got ";
        why += text;
        invalid_parameter(name, why);
    }
    return value;
}

std::int64_t whole(const std::string& name, const std::string& text, std::int64_t low, std::int64_t high) {
    std::int64_t value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size() || value < low || value > high) {
        std::string why = "expected a whole number from ";
        why += std::to_string(low);
        why += " to ";
        why += std::to_string(high);
        why += ", got '";
        why += text;
        why += '\'';
        invalid_parameter(name, why);
    }
    return value;
}

}  // namespace

std::string gaps_parameter_names(bool suggestions) {
    std::string names =
        "criteria, max_distance_m, urban_distance_m, rural_distance_m, max_minutes, min_accessibility, accessibility_percentile, "
        "min_population, bbox, group_by, limit, offset, f";
    if (suggestions) names += ", count, list_size, min_spacing_m";
    return names;
}

GapsQuery parse_gaps_query(const RouteContext& context, const geo::Dataset& dataset, const geo::Plan& plan, bool suggestions) {
    GapsQuery query;
    query.criteria = plan.options.gaps;
    unsigned named = 0;          // criteria the `criteria` parameter names
    bool criteria_given = false;
    unsigned implied = 0;        // criteria whose thresholds the query sets
    bool max_given = false, split_given = false;
    for (const auto& [name, value] : context.query) {
        if (name == "criteria") {
            criteria_given = true;
            std::size_t start = 0;
            while (start <= value.size()) {
                const std::size_t comma = value.find(',', start);
                const std::string part = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
                const unsigned flag = geo::gap_criterion_from(part);
                if (flag == 0) invalid_parameter(name, "unknown criterion '" + part + "' (expected outside_network, distance, travel_time or accessibility, comma-separated)");
                named |= flag;
                if (comma == std::string::npos) break;
                start = comma + 1;
            }
        } else if (name == "max_distance_m") {
            query.criteria.urban_distance_m = query.criteria.rural_distance_m = non_negative(name, value);
            max_given = true;
            implied |= geo::gap_distance;
        } else if (name == "urban_distance_m") {
            query.criteria.urban_distance_m = non_negative(name, value);
            split_given = true;
            implied |= geo::gap_distance;
        } else if (name == "rural_distance_m") {
            query.criteria.rural_distance_m = non_negative(name, value);
            split_given = true;
            implied |= geo::gap_distance;
        } else if (name == "max_minutes") {
            if (dataset.travel_times.empty()) invalid_parameter(name, "the study has no travel times (give a [travel_times] table in its description)");
            query.criteria.max_minutes = positive(name, value);
            implied |= geo::gap_travel_time;
        } else if (name == "min_accessibility") {
            query.criteria.min_accessibility = positive(name, value);
            implied |= geo::gap_accessibility;
        } else if (name == "accessibility_percentile") {
            query.criteria.accessibility_percentile = positive(name, value);
            if (query.criteria.accessibility_percentile >= 100) invalid_parameter(name, "expected a percentage above 0 and below 100, got " + value);
            implied |= geo::gap_accessibility;
        } else if (name == "min_population") {
            query.min_population = non_negative(name, value);
        } else if (name == "bbox") {
            parse_bbox(name, value, query.bbox);  // CRS84
            query.has_bbox = true;
        } else if (name == "group_by") {
            const auto& areas = geo::output_layer("areas");
            bool known = dataset.area_field(value) >= 0;
            for (const geo::FieldSchema& field : areas.fields) known = known || field.name == value;
            if (!known) invalid_parameter(name, "'" + value + "' is neither a field of the areas layer nor of the area source");
            query.group_by = value;
        } else if (name == "limit") {
            query.limit = whole(name, value, 1, 1'000'000'000);
            query.limited = true;
        } else if (name == "offset") {
            query.offset = whole(name, value, 0, std::numeric_limits<std::int64_t>::max());
            query.limited = true;
        } else if (name == "f") {
            if (value != "json" && value != "geojson") invalid_parameter(name, "unsupported format '" + value + "' (expected json or geojson)");
        } else if (suggestions && name == "count") {
            query.count = static_cast<std::size_t>(whole(name, value, 1, static_cast<std::int64_t>(kMaxSuggestions)));
        } else if (suggestions && name == "list_size") {
            query.list_size = whole(name, value, 1, 10'000'000);
        } else if (suggestions && name == "min_spacing_m") {
            query.min_spacing_m = positive(name, value);
        } else {
            invalid_parameter(name, "unknown query parameter (expected " + gaps_parameter_names(suggestions) + ")");
        }
    }
    if (max_given && split_given) invalid_parameter("max_distance_m", "sets both thresholds: give it or urban_distance_m and rural_distance_m, not both");
    query.use = criteria_given ? named : (plan.options.gaps.in_use() | implied);
    if ((query.use & geo::gap_travel_time) != 0) {
        if (dataset.travel_times.empty()) invalid_parameter("criteria", "travel_time needs travel times, and the study has none");
        if (query.criteria.max_minutes <= 0) invalid_parameter("criteria", "travel_time needs max_minutes");
    }
    if ((query.use & geo::gap_accessibility) != 0 && query.criteria.min_accessibility <= 0 && query.criteria.accessibility_percentile <= 0) {
        invalid_parameter("criteria", "accessibility needs min_accessibility or accessibility_percentile");
    }
    return query;
}

}  // namespace server
