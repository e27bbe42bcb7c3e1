#include "geo/gaps.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

namespace geo {

namespace {

constexpr std::array<std::pair<unsigned, std::string_view>, 4> kNames{{
    {gap_outside_network, "outside_network"},
    {gap_distance, "distance"},
    {gap_travel_time, "travel_time"},
    {gap_accessibility, "accessibility"},
}};

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string number(double value, const char* format) {
    char text[48];
    std::snprintf(text, sizeof text, format, value);
    return text;
}

void require(bool ok, std::string_view option, const std::string& why) {
    if (ok) return;
    std::string message = "gap criterion ";
    message += option;
    message += ": ";
    message += why;
    throw GapCriteriaError(message);
}

}  // namespace

std::string gap_criteria_text(unsigned set) {
    std::string out;
    for (const auto& [flag, name] : kNames) {
        if ((set & flag) == 0) continue;
        if (!out.empty()) out += ',';
        out += name;
    }
    return out;
}

unsigned gap_criterion_from(std::string_view name) {
    for (const auto& [flag, known] : kNames) {
        if (known == name) return flag;
    }
    return 0;
}

unsigned GapCriteria::in_use() const {
    unsigned use = gap_outside_network | gap_distance;
    if (max_minutes > 0) use |= gap_travel_time;
    if (min_accessibility > 0 || accessibility_percentile > 0) use |= gap_accessibility;
    return use;
}

void GapCriteria::validate(const Dataset& dataset) const {
    const auto positive = [](double v) { return std::isfinite(v) && v > 0; };
    const auto non_negative = [](double v) { return std::isfinite(v) && v >= 0; };
    require(positive(urban_distance_m), "gap_distance_m", "must be a positive number of metres, got " + number(urban_distance_m, "%g"));
    require(positive(rural_distance_m), "rural_gap_distance_m", "must be a positive number of metres, got " + number(rural_distance_m, "%g"));
    require(non_negative(rural_density), "rural_density", "must be a number of residents per km2 of 0 or more, got " + number(rural_density, "%g"));
    require(non_negative(max_minutes), "gap_max_minutes", "must be a number of minutes of 0 or more, got " + number(max_minutes, "%g"));
    require(non_negative(min_accessibility), "gap_min_accessibility",
            "must be a capacity per 1,000 residents of 0 or more, got " + number(min_accessibility, "%g"));
    require(non_negative(accessibility_percentile) && accessibility_percentile < 100, "gap_accessibility_percentile",
            "must be a percentage from 0 up to (not including) 100, got " + number(accessibility_percentile, "%g"));
    if (!rural_field.empty()) require(dataset.area_field(rural_field) >= 0, "rural_field", "'" + rural_field + "' is not a field of the areas layer");
}

bool is_rural_value(std::string_view value) {
    const std::string v = lower(value);
    if (v == "rural" || v == "true" || v == "yes" || v == "1" || v.starts_with("rural")) return true;
    return v.size() == 2 && v[0] >= 'd' && v[0] <= 'f' && (v[1] == '1' || v[1] == '2');
}

std::vector<bool> rural_areas(const Dataset& dataset, const std::vector<double>& density, const GapCriteria& criteria) {
    std::vector<bool> rural(dataset.areas.size(), false);
    const int field = criteria.rural_field.empty() ? -1 : dataset.area_field(criteria.rural_field);
    for (std::size_t a = 0; a < rural.size(); ++a) {
        rural[a] = field >= 0 ? is_rural_value(dataset.areas[a].attributes[static_cast<std::size_t>(field)])
                              : a < density.size() && density[a] < criteria.rural_density;
    }
    return rural;
}

GapRule::GapRule(const GapCriteria& criteria, unsigned use, const std::vector<double>& accessibility, const std::vector<std::int64_t>& population,
                 bool has_travel_times)
    : criteria_(criteria), use_(use), cut_(std::numeric_limits<double>::quiet_NaN()) {
    if (!has_travel_times || criteria.max_minutes <= 0) use_ &= ~static_cast<unsigned>(gap_travel_time);
    if (criteria.min_accessibility <= 0 && criteria.accessibility_percentile <= 0) use_ &= ~static_cast<unsigned>(gap_accessibility);
    if ((use_ & gap_accessibility) == 0) return;
    if (criteria.accessibility_percentile > 0 && !accessibility.empty()) {
        std::vector<std::size_t> order(accessibility.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return accessibility[x] < accessibility[y]; });
        double total = 0;
        for (const std::int64_t p : population) total += static_cast<double>(std::max<std::int64_t>(p, 0));
        const double wanted = total * criteria.accessibility_percentile / 100;
        double so_far = 0;
        for (const std::size_t a : order) {
            so_far += static_cast<double>(std::max<std::int64_t>(population[a], 0));
            cut_ = accessibility[a];
            if (so_far >= wanted) break;
        }
    }
    // The threshold widens the criterion when it is above the percentile's value.
    if (criteria.min_accessibility > 0 && (std::isnan(cut_) || criteria.min_accessibility > cut_)) {
        cut_ = criteria.min_accessibility;
        strict_ = true;
    }
}

unsigned GapRule::judge(const GapFacts& f) const {
    unsigned met = 0;
    if ((use_ & gap_outside_network) != 0 && f.outside) met |= gap_outside_network;
    if ((use_ & gap_distance) != 0 && f.nearest_m > (f.rural ? criteria_.rural_distance_m : criteria_.urban_distance_m)) met |= gap_distance;
    if ((use_ & gap_travel_time) != 0 && (std::isnan(f.nearest_minutes) || f.nearest_minutes > criteria_.max_minutes)) met |= gap_travel_time;
    if ((use_ & gap_accessibility) != 0 && (strict_ ? f.accessibility < cut_ : f.accessibility <= cut_)) met |= gap_accessibility;
    return met;
}

std::string GapRule::reason(const GapFacts& f, unsigned met) const {
    std::string out;
    const auto add = [&out](const std::string& part) {
        if (!out.empty()) out += "; ";
        out += part;
    };
    if ((met & gap_outside_network) != 0) add("outside every network");
    if ((met & gap_distance) != 0) {
        add("farther than " + number(f.rural ? criteria_.rural_distance_m : criteria_.urban_distance_m, "%.0f") + " m from any practice (" +
            (f.rural ? "rural" : "urban") + " area)");
    }
    if ((met & gap_travel_time) != 0) {
        add(std::isnan(f.nearest_minutes) ? std::string("no travel time to any practice")
                                          : "more than " + number(criteria_.max_minutes, "%g") + " minutes from any practice");
    }
    if ((met & gap_accessibility) != 0) {
        std::string part = "accessibility ";
        part += number(f.accessibility, "%.3g");
        part += " per 1,000 residents, ";
        part += strict_ ? "below " : "at or below ";
        part += number(cut_, "%.3g");
        if (!strict_) {
            part += " (the poorest ";
            part += number(criteria_.accessibility_percentile, "%g");
            part += "% of residents)";
        }
        add(part);
    }
    return out;
}

}  // namespace geo
