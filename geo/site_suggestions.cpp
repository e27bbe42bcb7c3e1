#include "geo/site_suggestions.hpp"

#include "geo/catchments.hpp"
#include "geo/point_buckets.hpp"

#include <algorithm>
#include <cmath>

namespace geo {


std::int64_t suggestion_list_size(const Dataset& dataset, const Plan& plan, const SuggestionOptions& options) {
    if (options.list_size > 0) return options.list_size;
    const std::vector<bool> active = plan.options.active_practices(dataset);
    std::vector<std::int64_t> sizes;
    for (std::size_t p = 0; p < active.size(); ++p) {
        if (active[p] && dataset.practices[p].list_size > 0) sizes.push_back(dataset.practices[p].list_size);
    }
    std::sort(sizes.begin(), sizes.end());
    return sizes.empty() ? 1 : sizes[sizes.size() / 2];
}

std::vector<SiteSuggestion> suggest_sites(const Dataset& dataset, const Plan& plan, const std::vector<bool>& gap, const SuggestionOptions& options) {
    GeosContext context;
    // A plan made elsewhere (read back, or built by hand) may not carry its points: make them.
    const std::vector<Point> made = plan.area_points.size() == dataset.areas.size() ? std::vector<Point>() : representative_points(context, dataset.areas);
    const std::vector<Point>& points = made.empty() ? plan.area_points : made;
    const AccessOptions& access = plan.options.access;
    const std::vector<bool> active = plan.options.active_practices(dataset);
    std::vector<double> population(dataset.areas.size());
    for (std::size_t a = 0; a < population.size(); ++a) population[a] = static_cast<double>(std::max<std::int64_t>(dataset.areas[a].population, 0));
    const std::vector<double> supply = practice_supply(dataset, active, access.supply_field);
    const std::vector<AccessLink> links = access_links(dataset, points, active, access);
    const Accessibility base = two_step_fca(population, supply, links);

    // Per practice: gap residents' share of its weighted demand (what a unit of its supply gives the gaps).
    std::vector<double> gap_share(dataset.practices.size(), 0);
    double gap_people = 0;
    for (const AccessLink& link : links) {
        if (gap[link.area]) gap_share[link.practice] += population[link.area] * link.weight;
    }
    for (std::size_t p = 0; p < gap_share.size(); ++p) gap_share[p] = base.practice_demand[p] > 0 ? gap_share[p] / base.practice_demand[p] : 0;
    for (std::size_t a = 0; a < gap.size(); ++a) {
        if (gap[a]) gap_people += population[a];
    }
    if (gap_people <= 0 || options.count == 0) return {};

    const auto size = static_cast<double>(suggestion_list_size(dataset, plan, options));

    const DistanceDecay& decay = access.distance_decay;
    const double reach = decay.reach();
    const PointBuckets grid(points, std::max(reach, kGravityReachM));
    std::vector<bool> candidate(dataset.areas.size(), false);
    for (std::uint32_t a = 0; a < gap.size(); ++a) {
        if (gap[a]) grid.near(points[a], reach, [&](std::uint32_t b, double) { candidate[b] = true; });
    }
    const RegistrationIndex index = index_registrations(dataset);
    // Per area, the pull of the practices its residents are registered with: the same for every
    // candidate, so summed once here rather than once per candidate in reach.
    const auto counts = [&](const RegistrationIndex::Registrant& r) {
        return r.practice >= 0 && active[static_cast<std::size_t>(r.practice)] && r.patients > 0;
    };
    std::vector<double> registered_pull(dataset.areas.size(), 0);
    std::vector<double> registered_patients(dataset.areas.size(), 0);
    for (std::uint32_t a = 0; a < registered_pull.size(); ++a) {
        for (const RegistrationIndex::Registrant& r : index.by_area[a]) {
            if (!counts(r)) continue;
            const Practice& practice = dataset.practices[static_cast<std::size_t>(r.practice)];
            registered_pull[a] += gravity_pull(static_cast<double>(std::max<std::int64_t>(practice.list_size, 1)),
                                               std::hypot(points[a].x - practice.location.x, points[a].y - practice.location.y));
            registered_patients[a] += static_cast<double>(r.patients);
        }
    }
    // The most supply a drawn patient can bring (supply per listed patient), for the bound below.
    double supply_per_patient = 0;
    for (std::size_t p = 0; p < supply.size(); ++p) {
        if (active[p]) supply_per_patient = std::max(supply_per_patient, supply[p] / static_cast<double>(std::max<std::int64_t>(dataset.practices[p].list_size, 1)));
    }

    // First every candidate's cheap figures and an upper bound of its gain: the new practice's supply is at
    // most what its drawn patients bring at the highest supply per patient, and what the gaps lose is never
    // negative. Then the exact gain (the Huff model per registrant) in the order of those bounds, stopping once
    // no bound left can reach the sites already chosen: the same answer as trying every candidate.
    struct Candidate {
        SiteSuggestion site;
        double gap_weighted = 0, demand = 0, bound = 0;
    };
    std::vector<Candidate> candidates;
    for (std::uint32_t c = 0; c < candidate.size(); ++c) {
        if (!candidate[c]) continue;
        if (options.checkpoint && c % 64 == 0) options.checkpoint();
        Candidate k;
        k.site.area = c;
        k.site.location = points[c];
        grid.near(points[c], reach, [&](std::uint32_t a, double d) {
            const double w = decay.weight(d);
            k.demand += population[a] * w;
            if (gap[a]) {
                k.gap_weighted += population[a] * w;
                k.site.gap_people_in_reach += dataset.areas[a].population;
            }
        });
        if (k.gap_weighted <= 0 || k.demand <= 0) continue;
        double drawn_total = 0;
        grid.near(points[c], kGravityReachM, [&](std::uint32_t a, double d) {
            const double own = gravity_pull(size, d);
            drawn_total += registered_patients[a] * own / (own + registered_pull[a]);
        });
        const double drawn_scaled = options.list_size > 0 ? std::min(drawn_total, size) : drawn_total;
        k.bound = (supply_per_patient * drawn_scaled * k.gap_weighted / k.demand) * (1 + 1e-9) + 1e-12;  // (rounding)
        candidates.push_back(k);
    }
    std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& x, const Candidate& y) { return x.bound > y.bound; });

    const double spacing = options.min_spacing_m > 0 ? options.min_spacing_m : decay.reach() / 2;
    // Better gain first, then the lower area index: the order the sites are chosen in.
    const auto better = [](const SiteSuggestion& x, const SiteSuggestion& y) {
        return x.gap_capacity_gained != y.gap_capacity_gained ? x.gap_capacity_gained > y.gap_capacity_gained : x.area < y.area;
    };
    const auto choose = [&](const std::vector<SiteSuggestion>& ranked) {
        std::vector<SiteSuggestion> chosen;
        for (const SiteSuggestion& s : ranked) {
            if (chosen.size() == options.count) break;
            const bool crowded = std::any_of(chosen.begin(), chosen.end(), [&](const SiteSuggestion& t) {
                return std::hypot(t.location.x - s.location.x, t.location.y - s.location.y) < spacing;
            });
            if (!crowded) chosen.push_back(s);
        }
        return chosen;
    };

    std::vector<SiteSuggestion> scored;  // kept in `better` order
    std::vector<SiteSuggestion> chosen;
    double last_chosen = -1;  // the gain of the last of `count` chosen sites, once there are that many
    std::vector<double> drawn(dataset.practices.size(), 0);
    std::vector<std::uint32_t> touched;
    for (const Candidate& k : candidates) {
        if (chosen.size() == options.count && k.bound < last_chosen) break;
        if (options.checkpoint) options.checkpoint();
        SiteSuggestion s = k.site;
        // Huff: the patients each practice would lose to the site.
        touched.clear();
        double total_drawn = 0;
        grid.near(s.location, kGravityReachM, [&](std::uint32_t a, double d) {
            const double own = gravity_pull(size, d);
            const double total = own + registered_pull[a];
            for (const RegistrationIndex::Registrant& r : index.by_area[a]) {
                if (!counts(r)) continue;
                const auto p = static_cast<std::size_t>(r.practice);
                if (drawn[p] == 0) touched.push_back(static_cast<std::uint32_t>(p));
                const double n = static_cast<double>(r.patients) * own / total;
                drawn[p] += n;
                total_drawn += n;
            }
        });
        const double scale = options.list_size > 0 && total_drawn > size ? size / total_drawn : 1.0;
        double supply_new = 0, lost_to_gaps = 0;
        for (const std::uint32_t p : touched) {
            const double list = static_cast<double>(std::max<std::int64_t>(dataset.practices[p].list_size, 1));
            const double moved = supply[p] * std::min(1.0, drawn[p] * scale / list);
            supply_new += moved;
            lost_to_gaps += moved * gap_share[p];
            drawn[p] = 0;
        }
        s.patients_drawn = total_drawn * scale;
        s.gap_capacity_gained = supply_new * k.gap_weighted / k.demand - lost_to_gaps;
        s.gain_per_1000 = 1000 * s.gap_capacity_gained / gap_people;
        if (s.gap_capacity_gained <= 0) continue;
        scored.insert(std::upper_bound(scored.begin(), scored.end(), s, better), s);
        // The choice changes only when the new site would be chosen: it ranks above the last site chosen (or
        // fewer are chosen yet) and no chosen site ranking above it is too near.
        const bool crowded = std::any_of(chosen.begin(), chosen.end(), [&](const SiteSuggestion& t) {
            return better(t, s) && std::hypot(t.location.x - s.location.x, t.location.y - s.location.y) < spacing;
        });
        if (!crowded && (chosen.size() < options.count || better(s, chosen.back()))) {
            chosen = choose(scored);
            if (chosen.size() == options.count) last_chosen = chosen.back().gap_capacity_gained;
        }
    }
    return chosen;
}

}  // namespace geo
