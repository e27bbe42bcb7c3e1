#include "server/plan_request.hpp"

#include "server/http.hpp"

#include "geo/crs.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
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

std::vector<std::string> codes(const json::value& value, const std::string& member) {
    if (!value.is_array()) invalid(member, "expected an array of strings");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < value.as_array().size(); ++i) out.push_back(text(value.as_array()[i], member + "[" + std::to_string(i) + "]"));
    return out;
}

geo::Practice new_practice(const json::value& value, const std::string& member, const geo::Dataset& dataset,
                           const geo::CrsTransform& to_working) {
    if (!value.is_object()) invalid(member, "expected an object with code, lon, lat and list_size");
    geo::Practice practice;
    bool has_lon = false, has_lat = false, has_size = false;
    double lon = 0, lat = 0;
    for (const auto& [key, item] : value.as_object()) {
        const std::string name = member + "." + std::string(key);
        if (key == "code") {
            practice.code = text(item, name);
            if (practice.code.empty()) invalid(name, "must not be empty");
        } else if (key == "name") {
            practice.name = text(item, name);
        } else if (key == "lon") {
            lon = number(item, name);
            if (!(lon >= -180 && lon <= 180)) invalid(name, "expected a longitude from -180 to 180");
            has_lon = true;
        } else if (key == "lat") {
            lat = number(item, name);
            if (!(lat >= -90 && lat <= 90)) invalid(name, "expected a latitude from -90 to 90");
            has_lat = true;
        } else if (key == "list_size") {
            practice.list_size = whole(item, name, 1, PlanRequestLimits::kMaxListSize);
            has_size = true;
        } else {
            invalid(name, "unknown member (expected code, name, lon, lat, list_size)");
        }
    }
    if (practice.code.empty()) invalid(member + ".code", "is required");
    if (!has_lon) invalid(member + ".lon", "is required");
    if (!has_lat) invalid(member + ".lat", "is required");
    if (!has_size) invalid(member + ".list_size", "is required");
    const geo::Point at = to_working.transform({lon, lat});
    practice.location = at;
    practice.attributes.assign(dataset.practice_fields.size(), std::string());
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
        } else if (key == "seed") {
            o.seed = static_cast<std::uint64_t>(whole(value, name, 0, std::numeric_limits<std::int64_t>::max()));
        } else if (key == "construction_runs") {
            o.construction_runs = static_cast<int>(whole(value, name, 1, PlanRequestLimits::kMaxConstructionRuns));
        } else if (key == "sweeps") {
            o.sweeps = static_cast<double>(whole(value, name, 0, PlanRequestLimits::kMaxSweeps));
        } else if (key == "gap_distance_m") {
            o.gap_distance_m = positive(value, name);
        } else if (key == "new_practices") {
            if (!value.is_array()) invalid(name, "expected an array of {code, name, lon, lat, list_size}");
            const auto& list = value.as_array();
            if (list.size() > PlanRequestLimits::kMaxNewPractices) {
                invalid(name, "at most " + std::to_string(PlanRequestLimits::kMaxNewPractices) + " practices may be added");
            }
            const geo::CrsTransform to_working("OGC:CRS84", dataset.working_crs);
            std::set<std::string> seen;
            for (const geo::Practice& p : dataset.practices) seen.insert(p.code);
            for (std::size_t i = 0; i < list.size(); ++i) {
                const std::string member = name + "[" + std::to_string(i) + "]";
                geo::Practice practice = new_practice(list[i], member, dataset, to_working);
                if (!seen.insert(practice.code).second) invalid(member + ".code", "'" + practice.code + "' is already a practice code");
                out.new_practices.push_back(std::move(practice));
            }
        } else {
            invalid(name, "unknown parameter (expected min_list_size, max_list_size, method, core_share, radius_m, "
                          "constraint_field, lock_field, locked_networks, excluded_practices, seed, construction_runs, "
                          "sweeps, gap_distance_m or new_practices)");
        }
    }
    if (o.min_list_size > o.max_list_size) {
        invalid("min_list_size", std::to_string(o.min_list_size) + " is greater than max_list_size " + std::to_string(o.max_list_size));
    }
    if (locked_given && o.lock_field.empty()) invalid("locked_networks", "names values of a practice field: give that field as lock_field");
    // The rest (fields, practice codes) is checked against the dataset the plan will use.
    try {
        if (out.new_practices.empty()) {
            o.validate(dataset);
        } else {
            // Excluded codes may name new practices: check against every code the plan will see.
            geo::PlanOptions check = o;
            std::erase_if(check.excluded_practices, [&out](const std::string& code) {
                return std::any_of(out.new_practices.begin(), out.new_practices.end(), [&code](const geo::Practice& p) { return p.code == code; });
            });
            check.validate(dataset);
        }
    } catch (const geo::PlanError& error) {
        invalid("parameters", error.what());
    }
    return out;
}

std::shared_ptr<const geo::Dataset> dataset_for(const PlanRequest& request, std::shared_ptr<const geo::Dataset> base) {
    if (request.new_practices.empty()) return base;
    auto copy = std::make_shared<geo::Dataset>(geo::copy_dataset(*base));
    for (const geo::Practice& practice : request.new_practices) copy->practices.push_back(practice);
    return copy;
}

}  // namespace server
