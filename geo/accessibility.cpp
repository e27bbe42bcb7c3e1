#include "geo/accessibility.hpp"

#include "geo/point_buckets.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <system_error>

namespace geo {


std::vector<double> practice_supply(const Dataset& dataset, const std::vector<bool>& active, const std::string& supply_field,
                                    std::vector<std::string>* imputed) {
    std::vector<double> supply(dataset.practices.size(), 0);
    const int field = supply_field.empty() ? -1 : dataset.practice_field(supply_field);
    if (!supply_field.empty() && field < 0) {
        std::string why = "supply field '";
        why += supply_field;
        why += "' is not a field of the practices layer";
        throw AccessError(why);
    }
    std::vector<std::size_t> empty;
    double capacity = 0, listed = 0;  // over practices with a value: for imputing the empty ones
    for (std::size_t p = 0; p < dataset.practices.size(); ++p) {
        const Practice& practice = dataset.practices[p];
        if (p >= active.size() || !active[p]) continue;
        const double list_size = static_cast<double>(std::max<std::int64_t>(practice.list_size, 0));
        if (field < 0) {
            supply[p] = list_size;
            continue;
        }
        const std::string& text = practice.attributes[static_cast<std::size_t>(field)];
        if (text.empty()) {
            empty.push_back(p);
            continue;
        }
        double value = 0;
        const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
        if (result.ec != std::errc() || result.ptr != text.data() + text.size() || !std::isfinite(value) || value < 0) {
            std::string why = "practice ";
            why += practice.code;
            why += ": supply field '";
            why += supply_field;
            why += "' is '";
            why += text;
            why += "', expected a number of 0 or more (such as GP FTE)";
            throw AccessError(why);
        }
        supply[p] = value;
        capacity += value;
        listed += list_size;
    }
    // A practice with no value (a new practice of a what-if has no fields) gets the study's capacity
    // per listed patient for its list size, and is named.
    for (const std::size_t p : empty) {
        supply[p] = listed > 0 ? capacity / listed * static_cast<double>(std::max<std::int64_t>(dataset.practices[p].list_size, 0)) : 0;
        if (imputed != nullptr) imputed->push_back(dataset.practices[p].code);
    }
    return supply;
}

std::vector<AccessLink> access_links(const Dataset& dataset, const std::vector<Point>& area_points, const std::vector<bool>& active,
                                     const AccessOptions& options) {
    std::vector<AccessLink> links;
    // Practices with travel times are reached by them alone; the rest by straight line.
    std::vector<bool> timed(dataset.practices.size(), false);
    for (const TravelTime& t : dataset.travel_times) {
        if (t.practice < timed.size()) timed[t.practice] = true;
    }
    std::vector<bool> by_distance(dataset.practices.size(), false);
    for (std::size_t p = 0; p < by_distance.size(); ++p) by_distance[p] = p < active.size() && active[p] && !timed[p];
    for (const TravelTime& t : dataset.travel_times) {
        if (t.practice >= active.size() || !active[t.practice]) continue;
        const double w = options.time_decay.weight(t.minutes);
        if (w > 0) links.push_back({t.area, t.practice, w});
    }
    const double reach = options.distance_decay.reach();
    if (std::find(by_distance.begin(), by_distance.end(), true) != by_distance.end()) {
        std::vector<Point> locations;
        for (const Practice& practice : dataset.practices) locations.push_back(practice.location);
        const PointBuckets grid(locations, reach, &by_distance);
        for (std::uint32_t a = 0; a < area_points.size(); ++a) {
            grid.near(area_points[a], reach, [&](std::uint32_t p, double d) { links.push_back({a, p, options.distance_decay.weight(d)}); });
        }
    }
    std::sort(links.begin(), links.end(), [](const AccessLink& x, const AccessLink& y) { return std::pair(x.area, x.practice) < std::pair(y.area, y.practice); });
    return links;
}

Accessibility two_step_fca(const std::vector<double>& population, const std::vector<double>& supply, const std::vector<AccessLink>& links) {
    Accessibility out;
    out.area.assign(population.size(), 0);
    out.practice_demand.assign(supply.size(), 0);
    out.practice_ratio.assign(supply.size(), 0);
    for (const AccessLink& link : links) out.practice_demand[link.practice] += population[link.area] * link.weight;
    for (std::size_t p = 0; p < supply.size(); ++p) {
        out.supply_total += supply[p];
        if (out.practice_demand[p] > 0) {
            out.practice_ratio[p] = supply[p] / out.practice_demand[p];
            out.supply_reached += supply[p];
        }
    }
    for (const AccessLink& link : links) out.area[link.area] += 1000 * link.weight * out.practice_ratio[link.practice];
    return out;
}

std::vector<double> nearest_minutes(const Dataset& dataset, const std::vector<bool>& active, std::vector<std::int32_t>* practice) {
    std::vector<double> minutes(dataset.areas.size(), std::numeric_limits<double>::quiet_NaN());
    if (practice != nullptr) practice->assign(dataset.areas.size(), -1);
    for (const TravelTime& t : dataset.travel_times) {
        if (t.area >= minutes.size() || t.practice >= active.size() || !active[t.practice]) continue;
        // Sorted by (area, practice): the first of equal times is the lower practice index.
        if (std::isnan(minutes[t.area]) || t.minutes < minutes[t.area]) {
            minutes[t.area] = t.minutes;
            if (practice != nullptr) (*practice)[t.area] = static_cast<std::int32_t>(t.practice);
        }
    }
    return minutes;
}

double weighted_median(const std::vector<double>& values, const std::vector<double>& weights) {
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return values[x] < values[y]; });
    const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
    double so_far = 0;
    for (const std::size_t i : order) {
        so_far += weights[i];
        if (so_far >= total / 2 && total > 0) return values[i];
    }
    return 0;
}

std::vector<std::int64_t> rank_lowest_first(const std::vector<double>& values, const std::vector<std::string>* groups) {
    std::vector<std::int64_t> rank(values.size(), 0);
    std::map<std::string, std::vector<std::size_t>> members;
    for (std::size_t i = 0; i < values.size(); ++i) members[groups != nullptr ? (*groups)[i] : std::string()].push_back(i);
    for (auto& [group, list] : members) {
        std::stable_sort(list.begin(), list.end(), [&](std::size_t x, std::size_t y) { return values[x] < values[y]; });
        for (std::size_t k = 0; k < list.size(); ++k) {
            const bool tie = k > 0 && values[list[k]] == values[list[k - 1]];
            rank[list[k]] = tie ? rank[list[k - 1]] : static_cast<std::int64_t>(k + 1);
        }
    }
    return rank;
}

}  // namespace geo
