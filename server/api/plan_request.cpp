#include "server/api/plan_request.hpp"

#include "server/http/http.hpp"

#include "geo/crs.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <set>

namespace server {

namespace {

namespace json = boost::json;

[[noreturn]] void invalid(const std::string& member, const std::string& why) {
    throw HttpError(http::status::bad_request, "InvalidParameterValue", member + ": " + why);
}

std::string text(const json::value& value, const std::string& member) {
    if (!value.is_string()) invalid(member, "expected a string");
    return std::string(value.as_string());
}

double number(const json::value& value, const std::string& member) {
    if (value.is_double()) return value.as_double();
    if (value.is_int64()) return static_cast<double>(value.as_int64());
    if (value.is_uint64()) return static_cast<double>(value.as_uint64());
    invalid(member, "expected a number");
}

std::int64_t whole(const json::value& value, const std::string& member, std::int64_t min, std::int64_t max) {
    std::int64_t out = 0;
    if (value.is_int64()) {
        out = value.as_int64();
    } else if (value.is_uint64() && value.as_uint64() <= static_cast<std::uint64_t>(max)) {
        out = static_cast<std::int64_t>(value.as_uint64());
    } else {
        invalid(member, "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    }
    if (out < min || out > max) invalid(member, "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ", got " + std::to_string(out));
    return out;
}

double positive(const json::value& value, const std::string& member) {
    const double out = number(value, member);
    if (!std::isfinite(out) || out <= 0) invalid(member, "expected a positive number");
    return out;
}

double non_negative(const json::value& value, const std::string& member) {
    const double out = number(value, member);
    if (!std::isfinite(out) || out < 0) invalid(member, "expected a number of 0 or more");
    return out;
}

std::vector<std::string> codes(const json::value& value, const std::string& member) {
    if (!value.is_array()) invalid(member, "expected an array of strings");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < value.as_array().size(); ++i) out.push_back(text(value.as_array()[i], member + "[" + std::to_string(i) + "]"));
    return out;
}

geo::NewPractice new_practice(const json::value& value, const std::string& member, const geo::Dataset& dataset) {
    if (!value.is_object()) invalid(member, "expected an object with code, lon and lat (or x and y), and optionally name and list_size");
    geo::NewPractice practice;
    std::optional<double> lon, lat, x, y;
    for (const auto& [key, item] : value.as_object()) {
        const std::string name = member + "." + std::string(key);
        if (key == "code") {
            practice.code = text(item, name);
            if (practice.code.empty()) invalid(name, "must not be empty");
        } else if (key == "name") {
            practice.name = text(item, name);
        } else if (key == "lon") {
            lon = number(item, name);
            if (!(*lon >= -180 && *lon <= 180)) invalid(name, "expected a longitude from -180 to 180");
        } else if (key == "lat") {
            lat = number(item, name);
            if (!(*lat >= -90 && *lat <= 90)) invalid(name, "expected a latitude from -90 to 90");
        } else if (key == "x" || key == "y") {
            const double v = number(item, name);
            if (!std::isfinite(v)) invalid(name, "expected a finite coordinate in " + dataset.working_crs);
            (key == "x" ? x : y) = v;
        } else if (key == "list_size") {
            practice.list_size = whole(item, name, 0, PlanRequestLimits::kMaxListSize);
        } else {
            invalid(name, "unknown member (expected code, name, lon, lat, x, y, list_size)");
        }
    }
    if (practice.code.empty()) invalid(member + ".code", "is required");
    if ((lon || lat) && (x || y)) invalid(member, "give lon and lat, or x and y (" + dataset.working_crs + "), not both");
    if (x || y) {
        if (!x) invalid(member + ".x", "is required with y");
        if (!y) invalid(member + ".y", "is required with x");
        practice.location = {*x, *y};
    } else {
        if (!lon) invalid(member + ".lon", "is required (or x and y in " + dataset.working_crs + ")");
        if (!lat) invalid(member + ".lat", "is required");
        practice.location = geo::CrsTransform("OGC:CRS84", dataset.working_crs).transform({*lon, *lat});
    }
    return practice;
}

}  // namespace

PlanRequest parse_plan_request(std::string_view body, const geo::PlanOptions& defaults, const geo::Dataset& dataset) {
    PlanRequest out;
    out.options = defaults;
    json::value document;
    if (!body.empty()) {
        boost::system::error_code error;
        document = json::parse(body, error);
        if (error) invalid("body", "not valid JSON (" + error.message() + ")");
        if (!document.is_object()) invalid("body", "expected a JSON object of planning parameters");
        out.given = document.as_object();
    }
    geo::PlanOptions& o = out.options;
    bool locked_given = false;
    for (const auto& [key, value] : out.given) {
        const std::string name(key);
        if (key == "min_list_size") {
            o.min_list_size = whole(value, name, 1, 10'000'000);
        } else if (key == "max_list_size") {
            o.max_list_size = whole(value, name, 1, 10'000'000);
        } else if (key == "method") {
            try {
                o.method = geo::catchment_method_from(text(value, name));
            } catch (const geo::PlanError&) {
                invalid(name, "expected registrations, nearest or radius");
            }
        } else if (key == "core_share") {
            o.core_share = positive(value, name);
            if (o.core_share > 1) invalid(name, "expected a share from 0 to 1");
        } else if (key == "radius_m") {
            o.radius_m = positive(value, name);
        } else if (key == "constraint_field") {
            o.constraint_field = value.is_null() ? std::string() : text(value, name);
        } else if (key == "lock_field") {
            o.lock_field = value.is_null() ? std::string() : text(value, name);
        } else if (key == "locked_networks") {
            o.locked_values = codes(value, name);
            locked_given = true;
        } else if (key == "excluded_practices") {
            o.excluded_practices = codes(value, name);
            for (std::size_t i = 0; i < o.excluded_practices.size(); ++i) {
                const std::string& code = o.excluded_practices[i];
                const bool known = std::any_of(dataset.practices.begin(), dataset.practices.end(), [&code](const geo::Practice& p) { return p.code == code; });
                if (!known) invalid(name + "[" + std::to_string(i) + "]", "unknown practice code '" + code + "'");
            }
        } else if (key == "seed") {
            o.seed = static_cast<std::uint64_t>(whole(value, name, 0, std::numeric_limits<std::int64_t>::max()));
        } else if (key == "construction_runs") {
            o.construction_runs = static_cast<int>(whole(value, name, 1, PlanRequestLimits::kMaxConstructionRuns));
        } else if (key == "sweeps") {
            o.sweeps = static_cast<double>(whole(value, name, 0, PlanRequestLimits::kMaxSweeps));
        } else if (key == "radius_minutes") {
            o.radius_minutes = positive(value, name);
        } else if (key == "gap_distance_m") {
            o.gaps.urban_distance_m = positive(value, name);
        } else if (key == "rural_gap_distance_m") {
            o.gaps.rural_distance_m = positive(value, name);
        } else if (key == "rural_field") {
            o.gaps.rural_field = value.is_null() ? std::string() : text(value, name);
        } else if (key == "rural_density") {
            o.gaps.rural_density = non_negative(value, name);
        } else if (key == "gap_max_minutes") {
            o.gaps.max_minutes = non_negative(value, name);
        } else if (key == "gap_min_accessibility") {
            o.gaps.min_accessibility = non_negative(value, name);
        } else if (key == "gap_accessibility_percentile") {
            o.gaps.accessibility_percentile = non_negative(value, name);
            if (o.gaps.accessibility_percentile >= 100) invalid(name, "expected a percentage from 0 up to (not including) 100");
        } else if (key == "supply_field") {
            o.access.supply_field = value.is_null() ? std::string() : text(value, name);
        } else if (key == "access_bands" || key == "access_time_bands") {
            try {
                (key == "access_bands" ? o.access.distance_decay : o.access.time_decay) = geo::DistanceDecay::parse(text(value, name));
            } catch (const std::invalid_argument& e) {
                invalid(name, e.what());
            }
        } else if (key == "new_practices") {
            if (!value.is_array()) invalid(name, "expected an array of {code, name, lon, lat, list_size}");
            const auto& list = value.as_array();
            if (list.size() > PlanRequestLimits::kMaxNewPractices) {
                invalid(name, "at most " + std::to_string(PlanRequestLimits::kMaxNewPractices) + " practices may be added");
            }
            std::set<std::string> seen;
            for (const geo::Practice& p : dataset.practices) seen.insert(p.code);
            for (std::size_t i = 0; i < list.size(); ++i) {
                const std::string member = name + "[" + std::to_string(i) + "]";
                geo::NewPractice practice = new_practice(list[i], member, dataset);
                if (!seen.insert(practice.code).second) invalid(member + ".code", "'" + practice.code + "' is already a practice code");
                o.new_practices.push_back(std::move(practice));
            }
        } else if (key == "baseline") {
            out.baseline = text(value, name);
            if (out.baseline.empty()) invalid(name, "expected \"default\", a plan id or \"reference\"");
        } else if (key == "title") {
            o.title = text(value, name);
        } else {
            invalid(name, "unknown parameter (expected min_list_size, max_list_size, method, core_share, radius_m, "
                          "constraint_field, lock_field, locked_networks, excluded_practices, seed, construction_runs, "
                          "sweeps, radius_minutes, gap_distance_m, rural_gap_distance_m, rural_field, rural_density, gap_max_minutes, "
                          "gap_min_accessibility, gap_accessibility_percentile, supply_field, access_bands, access_time_bands, "
                          "new_practices, baseline or title)");
        }
    }
    if (o.min_list_size > o.max_list_size) {
        invalid("min_list_size", std::to_string(o.min_list_size) + " is greater than max_list_size " + std::to_string(o.max_list_size));
    }
    if (locked_given && o.lock_field.empty()) invalid("locked_networks", "names values of a practice field: give that field as lock_field");
    // The rest (fields, practice codes, where new practices stand) is checked against the dataset the plan will use.
    try {
        o.validate(dataset);
    } catch (const geo::NewPracticeError& error) {
        invalid("new_practices[" + std::to_string(error.index) + "]", error.what());
    } catch (const geo::PlanError& error) {
        invalid("parameters", error.what());
    }
    return out;
}

}  // namespace server
