#include "geo/what_if.hpp"

#include "geo/catchments.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

namespace geo {

std::vector<std::int64_t> apportion(std::int64_t total, const std::vector<double>& weights) {
    std::vector<std::int64_t> parts(weights.size(), 0);
    const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
    if (!(sum > 0) || total <= 0) return parts;
    std::vector<std::pair<double, std::size_t>> remainders;  // (fraction left over, index)
    std::int64_t given = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const double exact = static_cast<double>(total) * weights[i] / sum;
        parts[i] = static_cast<std::int64_t>(std::floor(exact));
        given += parts[i];
        remainders.emplace_back(exact - static_cast<double>(parts[i]), i);
    }
    std::stable_sort(remainders.begin(), remainders.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
    for (std::size_t k = 0; given < total; k = (k + 1) % remainders.size()) {
        if (weights[remainders[k].second] <= 0) continue;
        ++parts[remainders[k].second];
        ++given;
    }
    // Rounding can leave the floors a little above the total: take back from the smallest fractions.
    for (std::size_t k = remainders.size(); given > total && k > 0; --k) {
        auto& part = parts[remainders[k - 1].second];
        if (part > 0) {
            --part;
            --given;
        }
    }
    return parts;
}

namespace {

/// The registrations of a dataset being changed, with each (practice, area) row found in one step.
class Rows {
public:
    explicit Rows(Dataset& dataset) : d_(dataset), by_area_(dataset.areas.size()) {
        for (std::size_t i = 0; i < d_.registrations.size(); ++i) {
            const Registration& row = d_.registrations[i];
            if (row.practice < 0 || row.area < 0) continue;
            at_.emplace(std::pair(row.practice, row.area), i);
            by_area_[static_cast<std::size_t>(row.area)].push_back(i);
        }
    }

    Registration& row(std::size_t i) { return d_.registrations[i]; }
    const std::vector<std::size_t>& in_area(std::size_t area) const { return by_area_[area]; }

    void add(std::int32_t practice, std::int32_t area, std::int64_t patients) {
        if (patients == 0) return;
        if (const auto it = at_.find({practice, area}); it != at_.end()) {
            d_.registrations[it->second].patients += patients;
            return;
        }
        Registration row;
        row.practice = practice;
        row.area = area;
        row.patients = patients;
        row.practice_code = d_.practices[static_cast<std::size_t>(practice)].code;
        row.area_code = d_.areas[static_cast<std::size_t>(area)].code;
        at_.emplace(std::pair(practice, area), d_.registrations.size());
        by_area_[static_cast<std::size_t>(area)].push_back(d_.registrations.size());
        d_.registrations.push_back(std::move(row));
    }

    /// Rows of loaded practices left with no patients.
    void drop_empty() {
        std::erase_if(d_.registrations, [](const Registration& row) { return row.practice >= 0 && row.patients == 0; });
    }

private:
    Dataset& d_;
    std::map<std::pair<std::int32_t, std::int32_t>, std::size_t> at_;
    std::vector<std::vector<std::size_t>> by_area_;
};

class ScenarioBuilder {
public:
    ScenarioBuilder(Dataset& dataset, Scenario& out) : d_(dataset), out_(out), rows_(dataset), open_(dataset.practices.size(), true) {}

    void close_all(const std::vector<std::string>& codes);
    void open(const NewPractice& practice, const std::string& constraint_field);
    void finish() { rows_.drop_empty(); }

private:
    void close(std::uint32_t practice);
    const std::vector<Point>& points() {
        if (points_.empty()) points_ = representative_points(context_, d_.areas);
        return points_;
    }
    std::int32_t nearest_open(Point at) const {
        std::int32_t best = -1;
        double best_d = 0;
        for (std::size_t p = 0; p < d_.practices.size(); ++p) {
            if (!open_[p]) continue;
            const double d = std::hypot(d_.practices[p].location.x - at.x, d_.practices[p].location.y - at.y);
            if (best < 0 || d < best_d) {
                best = static_cast<std::int32_t>(p);
                best_d = d;
            }
        }
        return best;
    }

    Dataset& d_;
    Scenario& out_;
    Rows rows_;
    std::vector<bool> open_;
    GeosContext context_;
    std::vector<Point> points_;
};

std::string patients_text(std::int64_t n) { return std::to_string(n) + (n == 1 ? " patient" : " patients"); }

void ScenarioBuilder::close_all(const std::vector<std::string>& codes) {
    std::vector<std::uint32_t> closing;
    for (const std::string& code : codes) {
        for (std::uint32_t p = 0; p < d_.practices.size(); ++p) {
            if (d_.practices[p].code == code && open_[p]) {
                open_[p] = false;
                closing.push_back(p);
            }
        }
    }
    for (const std::uint32_t p : closing) close(p);
}

void ScenarioBuilder::close(std::uint32_t practice) {
    const auto self = static_cast<std::int32_t>(practice);
    std::map<std::int32_t, std::int64_t> got;  // receiver -> patients moved in study areas
    std::vector<std::size_t> elsewhere;        // rows recording no study area
    for (std::size_t i = 0; i < d_.registrations.size(); ++i) {
        const Registration& row = d_.registrations[i];
        if (row.practice != self || row.patients == 0) continue;
        if (row.area < 0) {
            elsewhere.push_back(i);
            continue;
        }
        std::vector<std::int32_t> receivers;
        std::vector<double> weights;
        for (const std::size_t j : rows_.in_area(static_cast<std::size_t>(row.area))) {
            const Registration& other = rows_.row(j);
            if (other.practice == self || !open_[static_cast<std::size_t>(other.practice)] || other.patients <= 0) continue;
            receivers.push_back(other.practice);
            weights.push_back(static_cast<double>(other.patients));
        }
        if (receivers.empty()) {
            const std::int32_t nearest = nearest_open(points()[static_cast<std::size_t>(row.area)]);
            if (nearest < 0) continue;
            receivers.push_back(nearest);
            weights.push_back(1);
        }
        const std::int64_t patients = row.patients;
        const std::int32_t area = row.area;
        rows_.row(i).patients = 0;
        const auto parts = apportion(patients, weights);
        for (std::size_t k = 0; k < receivers.size(); ++k) {
            if (parts[k] == 0) continue;
            rows_.add(receivers[k], area, parts[k]);
            got[receivers[k]] += parts[k];
        }
    }
    Practice& closing = d_.practices[practice];
    if (got.empty()) {  // none of its patients live in the study: they go to the nearest practice
        const std::int32_t nearest = nearest_open(closing.location);
        if (nearest < 0) return;
        got[nearest] = 1;
    }
    std::vector<std::int32_t> receivers;
    std::vector<double> weights;
    for (const auto& [p, n] : got) {
        receivers.push_back(p);
        weights.push_back(static_cast<double>(n));
    }
    for (const std::size_t i : elsewhere) {
        const Registration row = rows_.row(i);
        rows_.row(i).patients = 0;
        const auto parts = apportion(row.patients, weights);
        for (std::size_t k = 0; k < receivers.size(); ++k) {
            if (parts[k] == 0) continue;
            Registration moved = row;
            moved.practice = receivers[k];
            moved.practice_code = d_.practices[static_cast<std::size_t>(receivers[k])].code;
            moved.patients = parts[k];
            d_.registrations.push_back(std::move(moved));
        }
    }
    const auto shares = apportion(closing.list_size, weights);
    for (std::size_t k = 0; k < receivers.size(); ++k) {
        if (shares[k] == 0) continue;
        d_.practices[static_cast<std::size_t>(receivers[k])].list_size += shares[k];
        out_.moves.push_back({closing.code, d_.practices[static_cast<std::size_t>(receivers[k])].code, shares[k]});
    }
    std::size_t receiving = 0;
    for (const std::int64_t share : shares) receiving += share > 0;
    out_.notes.push_back("practice " + closing.code + " closes: its " + patients_text(closing.list_size) + " move to " +
                         std::to_string(receiving) + " practices registered in the areas they live in");
    closing.list_size = 0;
}

void ScenarioBuilder::open(const NewPractice& given, const std::string& constraint_field) {
    std::vector<std::int64_t> sizes;
    for (std::size_t p = 0; p < d_.practices.size(); ++p) {
        if (open_[p] && d_.practices[p].list_size > 0) sizes.push_back(d_.practices[p].list_size);
    }
    std::sort(sizes.begin(), sizes.end());
    const double size = given.list_size > 0 ? static_cast<double>(given.list_size) : sizes.empty() ? 1.0 : static_cast<double>(sizes[sizes.size() / 2]);

    Practice practice;
    practice.code = given.code;
    practice.name = given.name;
    practice.location = given.location;
    practice.attributes.assign(d_.practice_fields.size(), std::string());
    const int field = constraint_field.empty() ? -1 : d_.practice_field(constraint_field);
    if (field >= 0) {
        if (const std::int32_t nearest = nearest_open(given.location); nearest >= 0) {
            practice.attributes[static_cast<std::size_t>(field)] = d_.practices[static_cast<std::size_t>(nearest)].attributes[static_cast<std::size_t>(field)];
        }
    }
    const auto self = static_cast<std::int32_t>(d_.practices.size());

    // Each registered practice's expected loss in each area within reach (Huff's model).
    struct Draw {
        std::size_t row;
        double patients;
    };
    std::vector<Draw> draws;
    for (std::size_t a = 0; a < d_.areas.size(); ++a) {
        const Point at = points()[a];
        const double distance = std::hypot(at.x - given.location.x, at.y - given.location.y);
        if (distance > kGravityReachM) continue;
        const double own = gravity_pull(size, distance);
        double total = own;
        std::vector<std::size_t> competitors;
        for (const std::size_t i : rows_.in_area(a)) {
            const Registration& row = rows_.row(i);
            const auto p = static_cast<std::size_t>(row.practice);
            if (!open_[p] || row.patients <= 0) continue;
            const Point there = d_.practices[p].location;
            total += gravity_pull(static_cast<double>(std::max<std::int64_t>(d_.practices[p].list_size, 1)), std::hypot(at.x - there.x, at.y - there.y));
            competitors.push_back(i);
        }
        const double share = own / total;
        for (const std::size_t i : competitors) draws.push_back({i, static_cast<double>(rows_.row(i).patients) * share});
    }
    double expected = 0;
    std::vector<double> weights;
    for (const Draw& draw : draws) {
        expected += draw.patients;
        weights.push_back(draw.patients);
    }
    std::int64_t gained = std::llround(expected);
    if (given.list_size > 0) gained = std::min(gained, given.list_size);
    d_.practices.push_back(std::move(practice));
    open_.push_back(true);
    const auto parts = apportion(gained, weights);
    std::map<std::string, std::int64_t> from;  // giver code -> patients
    for (std::size_t k = 0; k < draws.size(); ++k) {
        if (parts[k] == 0) continue;
        Registration& row = rows_.row(draws[k].row);
        const std::int32_t giver = row.practice;
        const std::int32_t area = row.area;
        row.patients -= parts[k];
        rows_.add(self, area, parts[k]);
        d_.practices[static_cast<std::size_t>(giver)].list_size -= parts[k];
        from[d_.practices[static_cast<std::size_t>(giver)].code] += parts[k];
    }
    Practice& added = d_.practices.back();
    added.list_size = gained;
    for (const auto& [code, n] : from) out_.moves.push_back({code, added.code, n});
    std::string note = "new practice " + added.code + " gains " + patients_text(gained) + " from " + std::to_string(from.size()) +
                       " practices (Huff gravity model)";
    if (given.list_size > gained) note += ", fewer than the " + std::to_string(given.list_size) + " asked for";
    out_.notes.push_back(note);
}

}  // namespace

Scenario make_scenario(std::shared_ptr<const Dataset> base, const std::vector<std::string>& closed,
                       const std::vector<NewPractice>& opened, const std::string& constraint_field) {
    Scenario out;
    if (closed.empty() && opened.empty()) {
        out.dataset = std::move(base);
        return out;
    }
    auto copy = std::make_shared<Dataset>(copy_dataset(*base));
    ScenarioBuilder builder(*copy, out);
    builder.close_all(closed);
    for (const NewPractice& practice : opened) builder.open(practice, constraint_field);
    builder.finish();
    out.dataset = std::move(copy);
    return out;
}

}  // namespace geo
