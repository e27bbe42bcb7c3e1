// Accessibility timings on a dataset: the E2SFCA links and scores for every area (median of three runs,
// after the representative points), then a plan and five suggested practice sites for its gaps.
// Prints areas, links, seconds and the supply conserved.
//
//   access_timing DATASET [--constraint-field F]
#include "data/loader.hpp"
#include "geo/accessibility.hpp"
#include "geo/catchments.hpp"
#include "geo/plan.hpp"
#include "geo/site_suggestions.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: access_timing DATASET [--constraint-field F]\n");
        return 2;
    }
    std::string constraint;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (std::string(argv[i]) == "--constraint-field") constraint = argv[i + 1];
    }
    using Clock = std::chrono::steady_clock;
    const auto seconds = [](Clock::time_point from) { return std::chrono::duration<double>(Clock::now() - from).count(); };
    const geo::Dataset dataset = data::load_dataset(data::describe(data::read_description(argv[1])));
    const std::vector<geo::Point> points = geo::representative_points(*dataset.geos, dataset.areas);
    const std::vector<bool> active(dataset.practices.size(), true);
    std::vector<double> population;
    for (const geo::Area& a : dataset.areas) population.push_back(static_cast<double>(a.population));
    std::vector<double> runs;
    std::size_t links = 0;
    double conserved = 0, reached = 0;
    for (int run = 0; run < 3; ++run) {
        const auto started = Clock::now();
        const std::vector<geo::AccessLink> found = geo::access_links(dataset, points, active, geo::AccessOptions{});
        const geo::Accessibility access = geo::two_step_fca(population, geo::practice_supply(dataset, active, ""), found);
        runs.push_back(seconds(started));
        links = found.size();
        conserved = 0;
        for (std::size_t a = 0; a < population.size(); ++a) conserved += population[a] * access.area[a] / 1000;
        reached = access.supply_reached;
    }
    std::sort(runs.begin(), runs.end());
    std::printf("e2sfca %zu areas %zu practices %zu links %.3f s conserved %.0f of %.0f\n", dataset.areas.size(), dataset.practices.size(), links,
                runs[1], conserved, reached);

    geo::PlanOptions options;
    options.constraint_field = constraint;
    const geo::Plan plan = geo::plan(dataset, options, *dataset.geos);
    std::vector<bool> gap(dataset.areas.size());
    for (std::size_t a = 0; a < gap.size(); ++a) gap[a] = plan.coverage[a].gap;
    const auto started = Clock::now();
    const std::vector<geo::SiteSuggestion> sites = geo::suggest_sites(dataset, plan, gap, geo::SuggestionOptions{});
    std::printf("suggestions %zu sites for %llu people in gaps %.3f s\n", sites.size(), static_cast<unsigned long long>(plan.report.people_in_gaps),
                seconds(started));
    return 0;
}
