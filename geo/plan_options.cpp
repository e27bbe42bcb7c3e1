#include "geo/plan.hpp"

#include "geo/area_index.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace geo {

std::string_view to_string(CatchmentMethod method) {
    switch (method) {
        case CatchmentMethod::registrations: return "registrations";
        case CatchmentMethod::nearest: return "nearest";
        case CatchmentMethod::radius: return "radius";
    }
    return "registrations";
}

CatchmentMethod catchment_method_from(std::string_view name) {
    for (const auto method : {CatchmentMethod::registrations, CatchmentMethod::nearest, CatchmentMethod::radius}) {
        if (to_string(method) == name) return method;
    }
    throw PlanError("unknown catchment method '" + std::string(name) + "' (expected registrations, nearest or radius)");
}

std::string_view to_string(BandStatus status) {
    switch (status) {
        case BandStatus::in_band: return "in_band";
        case BandStatus::below_band: return "below_band";
        case BandStatus::above_band: return "above_band";
    }
    return "in_band";
}

namespace {

constexpr std::int64_t kMaxNewListSize = 10'000'000;  // as the input's counts: sums stay far from overflowing

std::string joined(const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& n : names) text += (text.empty() ? "" : ", ") + n;
    return text;
}

}  // namespace

void PlanOptions::validate_new_practices(const Dataset& dataset) const {
    if (new_practices.empty()) return;
    std::set<std::string> codes;
    for (const Practice& p : dataset.practices) codes.insert(p.code);
    GeosContext context;  // of its own: validation may run beside other readers of the dataset
    const AreaIndex areas(context, dataset.areas);
    for (std::size_t i = 0; i < new_practices.size(); ++i) {
        const NewPractice& p = new_practices[i];
        const std::string which = "new practice " + std::to_string(i + 1) + (p.code.empty() ? "" : " ('" + p.code + "')");
        const auto refuse = [&](const std::string& why) { throw NewPracticeError(i, which + ": " + why); };
        if (p.code.empty()) refuse("the code is empty");
        if (!codes.insert(p.code).second) refuse("the code is already a practice's");
        if (p.list_size < 0 || p.list_size > kMaxNewListSize) {
            refuse("the list size must be a whole number of patients from 0 to 10,000,000, got " + std::to_string(p.list_size));
        }
        if (!std::isfinite(p.location.x) || !std::isfinite(p.location.y) || !areas.locate(p.location)) {
            // Metres to the decimetre, but a wild number (1e300) short: the message stays one line.
            const auto coordinate = [](double v) {
                char text[32];
                std::snprintf(text, sizeof text, std::fabs(v) < 1e12 ? "%.1f" : "%.6g", v);
                return std::string(text);
            };
            // Appended piece by piece: GCC 12's -Wrestrict misfires on `"(" + std::string&&` at -O3 (GCC bug 105329).
            std::string why = "its location (";
            why += coordinate(p.location.x);
            why += ", ";
            why += coordinate(p.location.y);
            why += ") in " + dataset.working_crs + " lies outside every study area";
            refuse(why);
        }
    }
    for (const std::string& code : excluded_practices) {
        for (const NewPractice& p : new_practices) {
            if (p.code == code) throw PlanError("new practice '" + code + "' is also among the excluded practices");
        }
    }
}

std::vector<bool> PlanOptions::active_practices(const Dataset& dataset) const {
    std::vector<bool> active(dataset.practices.size(), true);
    for (std::size_t p = 0; p < active.size(); ++p) {
        active[p] = std::find(excluded_practices.begin(), excluded_practices.end(), dataset.practices[p].code) == excluded_practices.end();
    }
    return active;
}

void PlanOptions::validate(const Dataset& dataset) const {
    if (min_list_size <= 0) throw PlanError("min list size must be positive, got " + std::to_string(min_list_size));
    if (min_list_size > max_list_size) {
        throw PlanError("min list size (" + std::to_string(min_list_size) + ") is greater than max list size (" +
                        std::to_string(max_list_size) + ")");
    }
    if (!(core_share > 0 && core_share <= 1)) throw PlanError("core share must be in (0, 1], got " + std::to_string(core_share));
    if (!(radius_m > 0)) throw PlanError("radius must be positive, got " + std::to_string(radius_m));
    if (!(radius_minutes > 0)) throw PlanError("radius minutes must be positive, got " + std::to_string(radius_minutes));
    try {
        gaps.validate(dataset);
        std::vector<bool> every(dataset.practices.size(), true);
        (void)practice_supply(dataset, every, access.supply_field);
    } catch (const std::invalid_argument& e) {
        throw PlanError(e.what());
    }
    if (construction_runs < 1) throw PlanError("construction runs must be at least 1");
    if (!(sweeps >= 0)) throw PlanError("sweeps must not be negative");
    if (dataset.areas.empty() || dataset.practices.empty()) throw PlanError("nothing to plan: the dataset has no areas or no practices");
    if (method == CatchmentMethod::registrations && dataset.registrations.empty()) {
        throw PlanError("the registrations method needs registrations in the dataset; use method nearest or radius");
    }
    if (!constraint_field.empty() && dataset.area_field(constraint_field) < 0 && dataset.practice_field(constraint_field) < 0) {
        throw PlanError("unknown constraint field '" + constraint_field + "'; area fields: " + joined(dataset.area_fields) +
                        "; practice fields: " + joined(dataset.practice_fields));
    }
    if (!lock_field.empty() && dataset.practice_field(lock_field) < 0) {
        throw PlanError("unknown lock field '" + lock_field + "'; practice fields: " + joined(dataset.practice_fields));
    }
    if (lock_field.empty() && !locked_values.empty()) throw PlanError("locked networks given without a lock field");
    std::set<std::string> codes;
    for (const Practice& p : dataset.practices) codes.insert(p.code);
    for (const std::string& code : excluded_practices) {
        if (!codes.contains(code)) throw PlanError("unknown practice code '" + code + "' among the excluded practices");
    }
    validate_new_practices(dataset);
    if (baseline) {
        const bool any = std::any_of(dataset.practices.begin(), dataset.practices.end(),
                                     [this](const Practice& p) { return baseline->network_of.contains(p.code); });
        if (!any) throw PlanError("the baseline (" + baseline->source + ") names none of the dataset's practices");
    }
    if (!lock_field.empty()) {
        const auto f = static_cast<std::size_t>(dataset.practice_field(lock_field));
        std::set<std::string> values;
        for (const Practice& p : dataset.practices) values.insert(p.attributes[f]);
        for (const std::string& v : locked_values) {
            if (!values.contains(v)) throw PlanError("no practice has " + lock_field + " = '" + v + "' (locked networks)");
        }
    }
}

}  // namespace geo
