#include "server/service/plan_report.hpp"

#include "server/service/summary_report.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

namespace server {

namespace json = boost::json;

namespace {

constexpr std::size_t kNameWidth = 24;
constexpr std::size_t kListed = 20;       // moved or left-out practices listed in the text report
constexpr std::size_t kMovesListed = 5;   // largest patient moves listed per closing or opening practice

/// JSON has no NaN or infinity; a figure that could not be computed is null.
json::value number(double value) {
    if (!std::isfinite(value)) return nullptr;
    return value;
}

std::string practice_code(const geo::Dataset& dataset, std::uint32_t index) {
    if (index >= dataset.practices.size()) {
        throw std::logic_error("plan report: practice index " + std::to_string(index) + " out of range");
    }
    return dataset.practices[index].code;
}

json::array strings(const std::vector<std::string>& values) { return json::array(values.begin(), values.end()); }

json::value summary_json(const geo::PartitionSummary& s) {
    return {{"networks", s.networks},
            {"in_band", s.in_band},
            {"share_in_band", number(s.share_in_band)},
            {"min_size", s.min_size},
            {"median_size", s.median_size},
            {"max_size", s.max_size},
            {"forced_out_of_band", s.forced},
            {"not_reached", s.not_reached},
            {"cohesion", number(s.cohesion)},
            {"territory_share", number(s.territory_share)},
            {"mean_polsby_popper", number(s.mean_polsby_popper)},
            {"non_contiguous", s.non_contiguous}};
}

/// A text, or null when empty (as in every output layer, geo::is_null).
json::value text_or_null(std::string_view text) {
    if (text.empty()) return nullptr;
    return json::string(text);
}

json::value network_json(const geo::Dataset& dataset, const geo::Network& network) {
    json::array codes;
    for (const std::uint32_t member : network.practices) codes.push_back(json::string(practice_code(dataset, member)));
    const geo::NetworkMetrics& m = network.metrics;
    // Fields the networks layer has too take its names (geo/output_layers.hpp; the report test checks);
    // practices, registered_in_areas and baseline_id are the report's own.
    return {{"network_id", network.id},
            {"network_name", network.name},
            {"practices", std::move(codes)},
            {"hub_practice", network.practices.empty() ? json::value(nullptr) : json::value(practice_code(dataset, network.hub))},
            {"constraint_value", text_or_null(network.constraint_value)},
            {"locked", network.locked},
            {"status", std::string(geo::to_string(m.status))},
            {"band_cause", text_or_null(geo::to_string(network.band_cause))},
            {"status_reason", text_or_null(network.status_reason)},
            {"list_size", m.list_size},
            {"population", m.population},
            {"registered_in_areas", m.registered_in_areas},
            {"registered_inside", m.registered_inside},
            {"territory_share", number(m.territory_share)},
            {"dominant_patients", m.dominant_patients},
            {"cohesion", number(m.cohesion)},
            {"area_km2", number(m.area_km2)},
            {"perimeter_km", number(m.perimeter_km)},
            {"polsby_popper", number(m.polsby_popper)},
            {"residents_per_practice", number(m.residents_per_practice)},
            {"people_in_gaps", m.people_in_gaps},
            {"contiguous", m.contiguous},
            {"baseline_id", text_or_null(network.baseline_id)},
            {"baseline_change", text_or_null(network.baseline_change)}};
}

json::array new_practices_json(const std::vector<geo::NewPractice>& practices) {
    json::array out;
    for (const geo::NewPractice& p : practices) {
        out.push_back({{"code", p.code}, {"name", p.name}, {"x", p.location.x}, {"y", p.location.y}, {"list_size", p.list_size}});
    }
    return out;
}

/// Practices the dataset left out because they could not be placed: in no network, and said so.
json::array unplaced_json(const geo::Dataset& dataset) {
    json::array out;
    for (const geo::UnplacedPractice& u : dataset.unplaced_practices) out.push_back({{"code", u.code}, {"name", u.name}, {"reason", u.reason}});
    return out;
}

json::value options_json(const geo::PlanOptions& o) {
    return {{"min_list_size", o.min_list_size},
            {"max_list_size", o.max_list_size},
            {"method", std::string(geo::to_string(o.method))},
            {"core_share", o.core_share},
            {"radius_m", o.radius_m},
            {"constraint_field", o.constraint_field},
            {"lock_field", o.lock_field},
            {"locked_values", strings(o.locked_values)},
            {"excluded_practices", strings(o.excluded_practices)},
            {"seed", o.seed},
            {"construction_runs", o.construction_runs},
            {"sweeps", o.sweeps},
            {"radius_minutes", o.radius_minutes},
            {"gap_distance_m", o.gaps.urban_distance_m},
            {"rural_gap_distance_m", o.gaps.rural_distance_m},
            {"rural_field", o.gaps.rural_field},
            {"rural_density", o.gaps.rural_density},
            {"gap_max_minutes", o.gaps.max_minutes},
            {"gap_min_accessibility", o.gaps.min_accessibility},
            {"gap_accessibility_percentile", o.gaps.accessibility_percentile},
            {"supply_field", o.access.supply_field},
            {"access_bands", o.access.distance_decay.text()},
            {"access_time_bands", o.access.time_decay.text()},
            {"title", o.title},
            {"baseline", o.baseline ? json::value(o.baseline->source) : json::value(nullptr)},
            {"new_practices", new_practices_json(o.new_practices)}};
}

/// What the what-if changed: patients who moved between practices, practices that left their baseline network.
json::value what_if_json(const geo::Dataset& dataset, const geo::Plan& plan) {
    const geo::QualityReport& report = plan.report;
    json::array patients;
    for (const geo::PatientMove& move : report.patient_moves) {
        patients.push_back({{"from", move.from}, {"to", move.to}, {"patients", move.patients}});
    }
    json::array moved;
    for (std::size_t p = 0; p < plan.practice_moved.size(); ++p) {
        if (!plan.practice_moved[p]) continue;
        moved.push_back({{"practice", dataset.practices[p].code},
                         {"from", plan.practice_baseline[p]},
                         {"to", plan.networks[static_cast<std::size_t>(plan.practice_network[p])].id}});
    }
    return {{"baseline", plan.options.baseline ? json::value(report.baseline_source) : json::value(nullptr)},
            {"patient_moves", std::move(patients)},
            {"moved_practices", std::move(moved)},
            {"networks_unchanged", report.unchanged_networks},
            {"networks_changed", report.changed_networks},
            {"networks_created", report.created_networks},
            {"networks_dissolved", strings(report.dissolved_networks)}};
}

/// At most `width` characters (code points), ending in "..." when cut; never splits a UTF-8 sequence.
std::string truncated(const std::string& text, std::size_t width) {
    std::vector<std::size_t> starts;  // byte offset of each code point
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts.push_back(i);
    }
    if (starts.size() <= width) return text;
    return text.substr(0, starts[width - 3]) + "...";
}

std::string percent(double share) { return std::isfinite(share) ? fmt::format("{:.1f}%", share * 100) : "-"; }
std::string decimal(double value, int decimals) {
    return std::isfinite(value) ? fmt::format("{:.{}f}", value, decimals) : "-";
}
std::string count(std::size_t n) { return with_thousands(static_cast<std::int64_t>(n)); }

std::string options_line(const geo::PlanOptions& o) {
    std::string line = fmt::format("Plan: {} to {} patients per network; catchments by {}", with_thousands(o.min_list_size),
                                   with_thousands(o.max_list_size), geo::to_string(o.method));
    if (!o.constraint_field.empty()) line += "; within " + o.constraint_field;
    if (!o.lock_field.empty()) line += "; locked by " + o.lock_field;
    if (!o.excluded_practices.empty()) {
        line += "; excluding ";
        if (o.excluded_practices.size() <= 5) {
            for (std::size_t i = 0; i < o.excluded_practices.size(); ++i) line += (i == 0 ? "" : ", ") + o.excluded_practices[i];
        } else {
            line += count(o.excluded_practices.size()) + " practices";
        }
    }
    if (!o.new_practices.empty()) line += "; opening " + count(o.new_practices.size()) + (o.new_practices.size() == 1 ? " practice" : " practices");
    if (o.baseline) line += "; from the baseline " + o.baseline->source;
    line += fmt::format("; seed {}\n", o.seed);
    return o.title.empty() ? line : o.title + "\n" + line;
}

/// Patients who moved between practices, and what changed from the baseline.
std::string what_if_text(const geo::Dataset& dataset, const geo::Plan& plan) {
    const geo::QualityReport& report = plan.report;
    std::string out;
    if (!report.patient_moves.empty()) {
        std::int64_t total = 0;
        for (const geo::PatientMove& m : report.patient_moves) total += m.patients;
        out += fmt::format("Patients moved between practices: {} in {} moves\n", with_thousands(total), count(report.patient_moves.size()));
        // Per closing practice (or per practice giving to an opening one, grouped by the new practice): the largest moves.
        std::map<std::string, std::vector<const geo::PatientMove*>> by_closing, by_opening;
        const std::set<std::string> opened = [&] {
            std::set<std::string> codes;
            for (const geo::NewPractice& p : plan.options.new_practices) codes.insert(p.code);
            return codes;
        }();
        for (const geo::PatientMove& m : report.patient_moves) (opened.contains(m.to) ? by_opening[m.to] : by_closing[m.from]).push_back(&m);
        const auto largest = [](std::vector<const geo::PatientMove*> moves, bool to) {
            std::stable_sort(moves.begin(), moves.end(), [](const auto* x, const auto* y) { return x->patients > y->patients; });
            std::string text;
            for (std::size_t i = 0; i < std::min(moves.size(), kMovesListed); ++i) {
                text += fmt::format("{}{} {}", i == 0 ? "" : ", ", to ? moves[i]->to : moves[i]->from, with_thousands(moves[i]->patients));
            }
            if (moves.size() > kMovesListed) text += fmt::format(", ... ({} practices)", moves.size());
            return text;
        };
        for (const auto& [code, moves] : by_closing) out += fmt::format("  {} closes; its patients go to {}\n", code, largest(moves, true));
        for (const auto& [code, moves] : by_opening) out += fmt::format("  {} opens; its patients come from {}\n", code, largest(moves, false));
    }
    if (plan.options.baseline) {
        out += fmt::format("From the baseline {}: {} networks unchanged, {} changed, {} created, {} dissolved; {} practices moved\n",
                           report.baseline_source, count(report.unchanged_networks), count(report.changed_networks), count(report.created_networks),
                           count(report.dissolved_networks.size()), count(report.moved_practices));
        std::size_t listed = 0;
        for (std::size_t p = 0; p < plan.practice_moved.size() && listed < kListed; ++p) {
            if (!plan.practice_moved[p]) continue;
            out += fmt::format("  {} {} -> {}\n", dataset.practices[p].code, plan.practice_baseline[p],
                               plan.networks[static_cast<std::size_t>(plan.practice_network[p])].id);
            ++listed;
        }
        if (report.moved_practices > listed) out += fmt::format("  ... and {} more (see the report's what_if)\n", count(report.moved_practices - listed));
    }
    return out;
}

std::string network_table(const geo::Plan& plan) {
    constexpr auto kRow = "{:<8} {:<24} {:>9} {:>9} {:>10} {:>7} {:>13} {:>8}  {}\n";
    std::string out = fmt::format(kRow, "Network", "Name", "Practices", "List size", "Population", "km2",
                                  "Polsby-Popper", "Cohesion", "Status");
    for (const geo::Network& network : plan.networks) {
        const geo::NetworkMetrics& m = network.metrics;
        std::string status(geo::to_string(m.status));
        if (!m.contiguous) status += ", not contiguous";
        if (network.locked) status += ", locked";
        if (!network.status_reason.empty()) status += " (" + network.status_reason + ")";
        out += fmt::format(kRow, network.id, truncated(network.name, kNameWidth), count(network.practices.size()),
                           with_thousands(m.list_size), with_thousands(m.population), decimal(m.area_km2, 1),
                           decimal(m.polsby_popper, 2), percent(m.cohesion), status);
    }
    return out;
}

/// The plan and (when there is one) the reference, side by side.
std::string comparison(const geo::QualityReport& report) {
    const bool both = report.has_reference;
    auto row = [both](const std::string& label, const std::string& plan_value, const std::string& reference_value) {
        return both ? fmt::format("  {:<26}{:>14}{:>14}\n", label, plan_value, reference_value)
                    : fmt::format("  {:<26}{:>14}\n", label, plan_value);
    };
    const geo::PartitionSummary& p = report.plan;
    const geo::PartitionSummary& r = report.reference;
    auto in_band = [](const geo::PartitionSummary& s) { return count(s.in_band) + " (" + percent(s.share_in_band) + ")"; };
    std::string out = row("", "Plan", "Reference");
    out += row("Networks", count(p.networks), count(r.networks));
    out += row("In band", in_band(p), in_band(r));
    out += row("Out of band: forced", count(p.forced), "");
    out += row("Out of band: not reached", count(p.not_reached), "");
    out += row("Smallest list size", with_thousands(p.min_size), with_thousands(r.min_size));
    out += row("Median list size", with_thousands(p.median_size), with_thousands(r.median_size));
    out += row("Largest list size", with_thousands(p.max_size), with_thousands(r.max_size));
    out += row("Cohesion", percent(p.cohesion), percent(r.cohesion));
    out += row("Territory share", percent(p.territory_share), percent(r.territory_share));
    out += row("Mean Polsby-Popper", decimal(p.mean_polsby_popper, 2), decimal(r.mean_polsby_popper, 2));
    out += row("Not contiguous", count(p.non_contiguous), count(r.non_contiguous));
    return out;
}

json::value gaps_json(const geo::QualityReport& report) {
    json::array by_criterion;
    for (const geo::GapTally& t : report.gaps_by_criterion) {
        by_criterion.push_back({{"criterion", geo::gap_criteria_text(t.criterion)}, {"areas", t.areas}, {"people", t.people}});
    }
    return {{"people_in_gaps", report.people_in_gaps},
            {"gap_areas", report.gap_areas},
            {"by_criterion", std::move(by_criterion)},
            {"accessibility", {{"supply_total", number(report.supply_total)},
                               {"supply_reached", number(report.supply_reached)},
                               {"median_per_1000", number(report.median_accessibility)}}}};
}

std::string gaps_text(const geo::QualityReport& report) {
    std::string out = fmt::format("Coverage gaps: {} people in {} areas", with_thousands(report.people_in_gaps), count(report.gap_areas));
    std::string parts;
    for (const geo::GapTally& t : report.gaps_by_criterion) {
        if (!parts.empty()) parts += ", ";
        parts += fmt::format("{} {}", geo::gap_criteria_text(t.criterion), with_thousands(t.people));
    }
    if (!parts.empty()) out += " (by criterion: " + parts + ")";
    out += fmt::format("\nAccessibility (E2SFCA): median {} per 1,000 residents\n", decimal(report.median_accessibility, 1));
    return out;
}

}  // namespace

json::value plan_report_json(const geo::Dataset& dataset, const geo::Plan& plan) {
    const geo::QualityReport& report = plan.report;
    json::array networks;
    for (const geo::Network& network : plan.networks) networks.push_back(network_json(dataset, network));
    json::object out{
        {"options", options_json(plan.options)},
        {"summary",
         {{"plan", summary_json(report.plan)},
          {"reference", report.has_reference ? summary_json(report.reference) : json::value(nullptr)}}},
        {"adjusted_rand_index", report.has_reference ? number(report.adjusted_rand_index) : json::value(nullptr)},
        {"gaps", gaps_json(report)},
        {"runtime_s", number(report.runtime_s)},
        {"notes", strings(report.notes)},
        {"what_if", what_if_json(dataset, plan)},
        {"unplaced_practices", unplaced_json(dataset)},
        {"networks", std::move(networks)},
    };
    if (report.has_reference) {
        json::array reference;
        for (const geo::Network& network : report.reference_networks) reference.push_back(network_json(dataset, network));
        out["reference_networks"] = std::move(reference);
    }
    return out;
}

std::string plan_report_text(const geo::Dataset& dataset, const geo::Plan& plan) {
    const geo::QualityReport& report = plan.report;
    std::string out = fmt::format("Dataset: {} ({} areas, {} practices)\n", dataset.name.empty() ? "(unnamed)" : dataset.name,
                                  count(dataset.areas.size()), count(dataset.practices.size()));
    out += options_line(plan.options);
    out += "\n";
    out += network_table(plan);
    out += "\n";
    out += comparison(report);
    out += "\n";
    if (report.has_reference) out += fmt::format("Adjusted Rand index, plan vs reference: {}\n", decimal(report.adjusted_rand_index, 3));
    out += gaps_text(report);
    out += what_if_text(dataset, plan);
    if (!dataset.unplaced_practices.empty()) {
        out += fmt::format("Practices left out (they cannot be placed): {}\n", count(dataset.unplaced_practices.size()));
        for (std::size_t i = 0; i < std::min(dataset.unplaced_practices.size(), kListed); ++i) {
            out += fmt::format("  {} {}: {}\n", dataset.unplaced_practices[i].code, dataset.unplaced_practices[i].name, dataset.unplaced_practices[i].reason);
        }
        if (dataset.unplaced_practices.size() > kListed) out += fmt::format("  ... and {} more\n", count(dataset.unplaced_practices.size() - kListed));
    }
    out += fmt::format("Runtime: {} s\n", decimal(report.runtime_s, 1));
    if (!report.notes.empty()) {
        out += "Notes:\n";
        for (const std::string& note : report.notes) out += "  - " + note + "\n";
    }
    return out;
}

json::object plan_headline(const geo::Plan& plan) {
    const geo::PartitionSummary& s = plan.report.plan;
    return json::object{{"networks", s.networks},
                        {"in_band", s.in_band},
                        {"share_in_band", s.share_in_band},
                        {"forced_out_of_band", s.forced},
                        {"not_reached", s.not_reached},
                        {"cohesion", s.cohesion},
                        {"people_in_gaps", plan.report.people_in_gaps}};
}

json::value suggestions_json(const geo::LayerFeatures& sites) {
    json::array out;
    for (const geo::LayerFeature& f : sites.features) {
        json::object site;
        for (std::size_t i = 0; i < sites.schema->fields.size(); ++i) {
            const geo::FieldValue& v = f.values[i];
            json::value value;
            if (geo::is_null(v)) {
                value = nullptr;
            } else if (const auto* text = std::get_if<std::string>(&v)) {
                value = *text;
            } else if (const auto* whole = std::get_if<std::int64_t>(&v)) {
                value = *whole;
            } else if (const auto* real = std::get_if<double>(&v)) {
                value = number(*real);
            } else {
                value = std::get<bool>(v);
            }
            site[sites.schema->fields[i].name] = std::move(value);
        }
        out.push_back(std::move(site));
    }
    return out;
}

std::string suggestions_text(const geo::LayerFeatures& sites) {
    const geo::LayerSchema& s = *sites.schema;
    std::string out = fmt::format("Suggested practice sites ({} wanted; E2SFCA capacity reaching the people in gaps):\n", count(sites.features.size()));
    out += fmt::format("  {:>4}  {:<10}  {:>10}  {:>10}  {:>14}  {:>12}  {:>12}\n", "rank", "area", "x", "y", "gap capacity", "per 1,000", "drawn");
    for (const geo::LayerFeature& f : sites.features) {
        const auto real = [&](std::string_view field) { return std::get<double>(f.values[s.field_index(field)]); };
        out += fmt::format("  {:>4}  {:<10}  {:>10.0f}  {:>10.0f}  {:>14.1f}  {:>12.2f}  {:>12.0f}\n", std::get<std::int64_t>(f.values[s.field_index("rank")]),
                           std::get<std::string>(f.values[s.field_index("area_code")]), real("x"), real("y"), real("gap_capacity_gained"),
                           real("gain_per_1000"), real("patients_drawn"));
    }
    if (sites.features.empty()) out += "  none: no site would bring capacity to the people in gaps\n";
    return out;
}

}  // namespace server
