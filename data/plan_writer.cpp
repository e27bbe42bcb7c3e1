#include "data/plan_writer.hpp"

#include "data/atomic_file.hpp"
#include "data/errors.hpp"
#include "data/qgis_styles.hpp"
#include "data/vector_writer.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace data {

namespace {

using Values = std::vector<FieldValue>;

constexpr FieldKind kText = FieldKind::text;
constexpr FieldKind kInteger = FieldKind::integer;
constexpr FieldKind kReal = FieldKind::real;
constexpr FieldKind kBoolean = FieldKind::boolean;

// Field names, with the short names Shapefile's 10-character DBF names need.
const LayerSpec kPractices{"practices", wkbPoint,
                           {{"practice_code", "prac_code", kText},
                            {"practice_name", "prac_name", kText},
                            {"list_size", "list_size", kInteger},
                            {"network_id", "network_id", kText},
                            {"network_name", "net_name", kText},
                            {"network_status", "net_status", kText},
                            {"reference_network", "ref_net", kText},
                            {"dominant_areas", "dom_areas", kInteger},
                            {"excluded", "excluded", kBoolean},
                            {"baseline_network", "base_net", kText},
                            {"moved", "moved", kBoolean}}};

const LayerSpec kAreas{"areas", wkbMultiPolygon,
                       {{"area_code", "area_code", kText},
                        {"area_name", "area_name", kText},
                        {"population", "population", kInteger},
                        {"dominant_practice", "dom_prac", kText},
                        {"dominated_externally", "dom_extern", kBoolean},
                        {"owner_practice", "owner_prac", kText},
                        {"network_id", "network_id", kText},
                        {"dominant_network", "dom_net", kText},
                        {"nearest_practice", "near_prac", kText},
                        {"nearest_practice_m", "near_m", kReal},
                        {"hub_m", "hub_m", kReal},
                        {"registered_to_resident", "reg_to_res", kReal},
                        {"residents_per_practice", "res_per_pr", kReal},
                        {"gap", "gap", kBoolean},
                        {"gap_reason", "gap_reason", kText}}};

const std::vector<FieldSpec> kCatchmentFields{{"practice_code", "prac_code", kText},
                                              {"practice_name", "prac_name", kText},
                                              {"method", "method", kText},
                                              {"area_count", "area_count", kInteger},
                                              {"population", "population", kInteger},
                                              {"registered", "registered", kInteger},
                                              {"share", "share", kReal}};

const LayerSpec kNetworks{"networks", wkbMultiPolygon,
                          {{"network_id", "network_id", kText},
                           {"network_name", "net_name", kText},
                           {"practice_codes", "prac_codes", kText},
                           {"practice_count", "prac_count", kInteger},
                           {"hub_practice", "hub_prac", kText},
                           {"list_size", "list_size", kInteger},
                           {"population", "population", kInteger},
                           {"registered_inside", "reg_inside", kInteger},
                           {"territory_share", "terr_share", kReal},
                           {"dominant_patients", "dom_pat", kInteger},
                           {"cohesion", "cohesion", kReal},
                           {"area_km2", "area_km2", kReal},
                           {"perimeter_km", "perim_km", kReal},
                           {"polsby_popper", "polsby_pop", kReal},
                           {"residents_per_practice", "res_per_pr", kReal},
                           {"people_in_gaps", "gap_people", kInteger},
                           {"status", "status", kText},
                           {"band_cause", "band_cause", kText},
                           {"status_reason", "status_rsn", kText},
                           {"contiguous", "contiguous", kBoolean},
                           {"locked", "locked", kBoolean},
                           {"constraint_value", "constraint", kText},
                           {"baseline_change", "base_chg", kText}}};

const LayerSpec kBorders{"network_borders", wkbMultiLineString,
                         {{"network_a", "network_a", kText}, {"network_b", "network_b", kText}, {"length_m", "length_m", kReal}}};

const LayerSpec kGaps{"gaps", wkbMultiPolygon,
                      {{"area_code", "area_code", kText},
                       {"area_name", "area_name", kText},
                       {"population", "population", kInteger},
                       {"network_id", "network_id", kText},
                       {"nearest_practice_m", "near_m", kReal},
                       {"gap_reason", "gap_reason", kText}}};

/// Indices in a plan resolved to the things they name; an index out of range is a bug, not input.
class PlanIndex {
public:
    PlanIndex(const geo::Dataset& dataset, const geo::Plan& plan) : dataset_(dataset), plan_(plan) {
        if (plan.areas.size() != dataset.areas.size() || plan.coverage.size() != dataset.areas.size() ||
            plan.practice_network.size() != dataset.practices.size()) {
            throw std::logic_error("write_plan: the plan does not match the dataset (" + std::to_string(plan.areas.size()) +
                                   " area plans, " + std::to_string(plan.coverage.size()) + " coverage rows and " +
                                   std::to_string(plan.practice_network.size()) + " practice networks for " +
                                   std::to_string(dataset.areas.size()) + " areas and " +
                                   std::to_string(dataset.practices.size()) + " practices)");
        }
    }

    const geo::Practice& practice(std::int64_t index) const {
        if (index < 0 || static_cast<std::size_t>(index) >= dataset_.practices.size()) {
            throw std::logic_error("write_plan: practice index " + std::to_string(index) + " out of range");
        }
        return dataset_.practices[static_cast<std::size_t>(index)];
    }
    /// The practice's code, or empty for -1 (none).
    std::string practice_code(std::int64_t index) const { return index < 0 ? std::string() : practice(index).code; }

    /// The network, or null for -1 (none).
    const geo::Network* network(std::int64_t index) const {
        if (index < 0) return nullptr;
        if (static_cast<std::size_t>(index) >= plan_.networks.size()) {
            throw std::logic_error("write_plan: network index " + std::to_string(index) + " out of range");
        }
        return &plan_.networks[static_cast<std::size_t>(index)];
    }
    std::string network_id(std::int64_t index) const {
        const geo::Network* found = network(index);
        return found != nullptr ? found->id : std::string();
    }

private:
    const geo::Dataset& dataset_;
    const geo::Plan& plan_;
};

std::string baseline_network(const geo::Plan& plan, std::size_t practice) {
    return practice < plan.practice_baseline.size() ? plan.practice_baseline[practice] : std::string();
}
bool moved(const geo::Plan& plan, std::size_t practice) { return practice < plan.practice_moved.size() && plan.practice_moved[practice]; }

void write_practices(VectorOutput& out, const geo::Dataset& dataset, const geo::Plan& plan, const PlanIndex& index) {
    std::vector<std::int64_t> dominated(dataset.practices.size(), 0);
    for (const geo::AreaPlan& area : plan.areas) {
        if (area.dominant_practice < 0) continue;
        index.practice(area.dominant_practice);  // checks the range
        ++dominated[static_cast<std::size_t>(area.dominant_practice)];
    }
    out.begin_layer(kPractices);
    for (std::size_t i = 0; i < dataset.practices.size(); ++i) {
        const geo::Practice& practice = dataset.practices[i];
        const geo::Network* network = index.network(plan.practice_network[i]);
        out.add(std::make_unique<OGRPoint>(practice.location.x, practice.location.y),
                Values{practice.code, practice.name, practice.list_size, network ? network->id : std::string(),
                       network ? network->name : std::string(),
                       network ? std::string(geo::to_string(network->metrics.status)) : std::string(),
                       practice.reference_network, dominated[i], plan.practice_network[i] == -1, baseline_network(plan, i),
                       moved(plan, i)});
    }
    out.end_layer();
}

void write_areas(VectorOutput& out, const geo::Dataset& dataset, const geo::Plan& plan, const PlanIndex& index,
                 const GeosToOgr& to_ogr) {
    out.begin_layer(kAreas);
    for (std::size_t i = 0; i < dataset.areas.size(); ++i) {
        const geo::Area& area = dataset.areas[i];
        const geo::AreaPlan& placed = plan.areas[i];
        const geo::AreaCoverage& coverage = plan.coverage[i];
        out.add(to_ogr(area.geometry.get(), wkbMultiPolygon),
                Values{area.code, area.name, area.population, index.practice_code(placed.dominant_practice),
                       placed.dominated_externally, index.practice_code(placed.owner), index.network_id(placed.network),
                       index.network_id(placed.dominant_network), index.practice_code(coverage.nearest_practice), coverage.nearest_practice_m, coverage.hub_m,
                       coverage.registered_to_resident, coverage.residents_per_practice, coverage.gap,
                       coverage.gap_reason});
    }
    out.end_layer();
}

void write_catchments(VectorOutput& out, const std::string& layer, const std::vector<geo::Catchment>& catchments,
                      const geo::Plan& plan, const PlanIndex& index, const GeosToOgr& to_ogr) {
    out.begin_layer({layer, wkbMultiPolygon, kCatchmentFields});
    const std::string method(geo::to_string(plan.options.method));
    for (const geo::Catchment& catchment : catchments) {
        const geo::Practice& practice = index.practice(catchment.practice);
        out.add(to_ogr(catchment.polygon.get(), wkbMultiPolygon),
                Values{practice.code, practice.name, method, static_cast<std::int64_t>(catchment.areas.size()),
                       catchment.population, catchment.registered, catchment.share});
    }
    out.end_layer();
}

void write_networks(VectorOutput& out, const geo::Plan& plan, const PlanIndex& index, const GeosToOgr& to_ogr) {
    out.begin_layer(kNetworks);
    for (const geo::Network& network : plan.networks) {
        std::string codes;
        for (const std::uint32_t member : network.practices) codes += (codes.empty() ? "" : ",") + index.practice(member).code;
        const geo::NetworkMetrics& m = network.metrics;
        const std::string hub = network.practices.empty() ? std::string() : index.practice(network.hub).code;
        out.add(to_ogr(network.polygon.get(), wkbMultiPolygon),
                Values{network.id, network.name, codes, static_cast<std::int64_t>(network.practices.size()), hub, m.list_size,
                       m.population, m.registered_inside, m.territory_share, m.dominant_patients, m.cohesion, m.area_km2,
                       m.perimeter_km, m.polsby_popper, m.residents_per_practice, m.people_in_gaps,
                       std::string(geo::to_string(m.status)), std::string(geo::to_string(network.band_cause)),
                       network.status_reason, m.contiguous, network.locked,
                       network.constraint_value, network.baseline_change});
    }
    out.end_layer();
}

void write_borders(VectorOutput& out, const geo::Plan& plan, const PlanIndex& index, const GeosToOgr& to_ogr) {
    out.begin_layer(kBorders);
    for (const geo::NetworkBorder& border : plan.borders) {
        out.add(to_ogr(border.line.get(), wkbMultiLineString),
                Values{index.network_id(border.network_a), index.network_id(border.network_b), border.length_m});
    }
    out.end_layer();
}

void write_gaps(VectorOutput& out, const geo::Dataset& dataset, const geo::Plan& plan, const PlanIndex& index,
                const GeosToOgr& to_ogr) {
    out.begin_layer(kGaps);
    for (std::size_t i = 0; i < dataset.areas.size(); ++i) {
        const geo::AreaCoverage& coverage = plan.coverage[i];
        if (!coverage.gap) continue;
        const geo::Area& area = dataset.areas[i];
        out.add(to_ogr(area.geometry.get(), wkbMultiPolygon),
                Values{area.code, area.name, area.population, index.network_id(plan.areas[i].network),
                       coverage.nearest_practice_m, coverage.gap_reason});
    }
    out.end_layer();
}

/// One CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

}  // namespace

void check_plan_output(const std::filesystem::path& out) {
    const InputLocation where{out.string(), {}, {}, {}};
    if (!vector_format_of(out)) {
        throw InputError(where, "unsupported output format '" + out.extension().string() + "' (expected one of " +
                                    supported_vector_extensions() + ")");
    }
    check_output_file(out, "plan" + out.extension().string());
}

std::string networks_csv(const geo::Dataset& dataset, const geo::Plan& plan) {
    const PlanIndex index(dataset, plan);
    std::vector<std::tuple<std::string, std::string, std::size_t>> rows;  // network id, practice code, practice
    for (std::size_t i = 0; i < dataset.practices.size(); ++i) {
        if (const geo::Network* network = index.network(plan.practice_network[i])) {
            rows.emplace_back(network->id, dataset.practices[i].code, i);
        }
    }
    std::sort(rows.begin(), rows.end());
    const bool with_baseline = plan.options.baseline != nullptr;
    std::string csv = std::string("Partner Organisation Code,Partner Name,PCN Code,PCN Name,List Size") +
                      (with_baseline ? ",Baseline PCN Code,Moved" : "") + "\r\n";
    for (const auto& [network_id, code, practice_index] : rows) {
        const geo::Practice& practice = dataset.practices[practice_index];
        const geo::Network& network = *index.network(plan.practice_network[practice_index]);
        csv += csv_field(practice.code) + ',' + csv_field(practice.name) + ',' + csv_field(network.id) + ',' +
               csv_field(network.name) + ',' + std::to_string(practice.list_size);
        if (with_baseline) {
            csv += ',' + csv_field(baseline_network(plan, practice_index)) + ',' + (moved(plan, practice_index) ? "true" : "false");
        }
        csv += "\r\n";
    }
    return csv;
}

void write_plan(const std::filesystem::path& out, const geo::Dataset& dataset, const geo::Plan& plan) {
    check_plan_output(out);
    const PlanIndex index(dataset, plan);
    const std::string csv = networks_csv(dataset, plan);
    const GeosToOgr to_ogr(*dataset.geos);
    VectorOutput output(out, dataset.working_crs, "networks");
    write_practices(output, dataset, plan, index);
    write_areas(output, dataset, plan, index, to_ogr);
    write_catchments(output, "catchments", plan.catchments, plan, index, to_ogr);
    if (!plan.core_catchments.empty()) write_catchments(output, "core_catchments", plan.core_catchments, plan, index, to_ogr);
    write_networks(output, plan, index, to_ogr);
    write_borders(output, plan, index, to_ogr);
    write_gaps(output, dataset, plan, index, to_ogr);
    if (GDALDataset* geopackage = output.geopackage()) {
        try {
            write_layer_styles(*geopackage, qgis_styles(plan));  // QGIS draws every layer styled on open
        } catch (const std::runtime_error& error) {
            throw InputError({out.string(), {}, {}, {}}, error.what());
        }
    }
    output.add_text_file("-networks.csv", csv);
    output.commit();
}

}  // namespace data
