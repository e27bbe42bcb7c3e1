#include "geo/area_coverage.hpp"

#include "geo/catchments.hpp"

#include <algorithm>
#include <cmath>

namespace geo {

GapFacts gap_facts(const Plan& plan, std::size_t area) {
    const AreaCoverage& c = plan.coverage[area];
    const std::int32_t network = area < plan.areas.size() ? plan.areas[area].network : -1;
    return {network < 0 || static_cast<std::size_t>(network) >= plan.networks.size(), c.rural, c.nearest_practice_m, c.nearest_practice_min,
            c.accessibility};
}

/// Accessibility, distances and gaps per area.
void assess_coverage(const CoverageInputs& in, Plan& out) {
    const Dataset& dataset = in.dataset;
    const PlanOptions& options = out.options;
    QualityReport& report = out.report;
    std::vector<double> nearest_m;
    const ConstraintValues unconstrained{std::vector<std::string>(dataset.areas.size()), std::vector<std::string>(dataset.practices.size()), false};
    const auto nearest = nearest_practices(in.points, dataset, in.active, unconstrained, &nearest_m);
    const std::vector<double> minutes = nearest_minutes(dataset, in.active);

    std::vector<std::string> imputed;
    const std::vector<double> supply = practice_supply(dataset, in.active, options.access.supply_field, &imputed);
    if (!imputed.empty()) {
        report.notes.push_back(std::to_string(imputed.size()) + " practices without a value in supply field " + options.access.supply_field +
                               " count the study's capacity per listed patient (" + imputed.front() + (imputed.size() > 1 ? ", ...)" : ")"));
    }
    std::vector<double> population(dataset.areas.size());
    std::vector<std::int64_t> residents(dataset.areas.size());
    std::vector<double> density(dataset.areas.size(), 0);
    for (std::size_t a = 0; a < dataset.areas.size(); ++a) {
        residents[a] = std::max<std::int64_t>(dataset.areas[a].population, 0);
        population[a] = static_cast<double>(residents[a]);
        const double km2 = a < out.graph.area.size() ? out.graph.area[a] / 1e6 : 0.0;
        density[a] = km2 > 0 ? population[a] / km2 : 0;
    }
    const Accessibility access = two_step_fca(population, supply, access_links(dataset, in.points, in.active, options.access));
    report.supply_total = access.supply_total;
    report.supply_reached = access.supply_reached;
    report.median_accessibility = weighted_median(access.area, population);
    const std::vector<std::string>& groups = in.groups;
    const std::vector<std::int64_t> rank = rank_lowest_first(access.area);
    const std::vector<std::int64_t> group_rank = rank_lowest_first(access.area, &groups);
    const std::vector<bool> rural = rural_areas(dataset, density, options.gaps);
    const GapRule rule(options.gaps, options.gaps.in_use(), access.area, residents, !dataset.travel_times.empty());

    out.coverage.assign(dataset.areas.size(), {});
    for (unsigned flag = 1; flag <= gap_accessibility; flag <<= 1) {
        if ((rule.in_use() & flag) != 0) report.gaps_by_criterion.push_back({flag, 0, 0});
    }
    for (std::size_t a = 0; a < dataset.areas.size(); ++a) {
        AreaCoverage& cov = out.coverage[a];
        cov.nearest_practice = nearest[a];
        cov.nearest_practice_m = nearest_m[a];
        cov.nearest_practice_min = minutes[a];
        cov.rural = rural[a];
        cov.accessibility = access.area[a];
        cov.access_rank = rank[a];
        cov.access_group_rank = group_rank[a];
        cov.constraint_group = groups[a];
        const std::int32_t network = out.areas[a].network;
        const Area& area = dataset.areas[a];
        cov.registered_to_resident = area.population > 0 ? static_cast<double>(in.area_registered[a]) / static_cast<double>(area.population) : 0;
        if (network >= 0) {
            cov.residents_per_practice = out.networks[static_cast<std::size_t>(network)].metrics.residents_per_practice;
            const Point hub = dataset.practices[out.networks[static_cast<std::size_t>(network)].hub].location;
            cov.hub_m = std::hypot(hub.x - in.points[a].x, hub.y - in.points[a].y);
        }
        const GapFacts facts = gap_facts(out, a);
        cov.gap_criteria = rule.judge(facts);
        cov.gap = cov.gap_criteria != 0;
        if (!cov.gap) continue;
        cov.gap_reason = rule.reason(facts, cov.gap_criteria);
        ++report.gap_areas;
        report.people_in_gaps += area.population;
        if (network >= 0) out.networks[static_cast<std::size_t>(network)].metrics.people_in_gaps += area.population;
        for (GapTally& tally : report.gaps_by_criterion) {
            if ((cov.gap_criteria & tally.criterion) == 0) continue;
            ++tally.areas;
            tally.people += area.population;
        }
    }
}

}  // namespace geo
