#include "geo/plan.hpp"

#include "geo/area_coverage.hpp"
#include "geo/catchments.hpp"
#include "geo/network_metrics.hpp"
#include "geo/networks.hpp"
#include "geo/parallel.hpp"
#include "geo/territories.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>

namespace geo {

namespace {

/// Everything the stages share.
struct Context {
    const Dataset& dataset;
    const PlanOptions& options;
    GeosContext& geos;
    Plan& out;
    RegistrationIndex index;
    std::vector<bool> active;
    std::vector<std::int32_t> standing;
    ConstraintValues constraint;
    std::vector<std::string> lock;  // per practice: the locked network value, or ""
    std::vector<std::int32_t> home; // per practice, with a baseline: its baseline network index, or -1
    std::vector<Point> points;      // per area: the point distances are measured from
};

std::vector<std::string> lock_values(const Dataset& dataset, const PlanOptions& options, const std::vector<bool>& active) {
    std::vector<std::string> lock(dataset.practices.size());
    if (options.lock_field.empty()) return lock;
    const auto f = static_cast<std::size_t>(dataset.practice_field(options.lock_field));
    const std::set<std::string> chosen(options.locked_values.begin(), options.locked_values.end());
    for (std::size_t p = 0; p < dataset.practices.size(); ++p) {
        const std::string& value = dataset.practices[p].attributes[f];
        if (active[p] && !value.empty() && (chosen.empty() || chosen.contains(value))) lock[p] = value;
    }
    return lock;
}

/// Catchments and territories: fills out.areas, out.catchments, out.core_catchments.
void plan_catchments(Context& c) {
    const std::size_t areas = c.dataset.areas.size();
    c.out.areas.assign(areas, {});
    // A practice above the maximum is a network of its own whatever happens: the others' territories
    // are drawn without it, and it then claims what it dominates where that encloses no one.
    std::vector<bool> territorial = c.active;
    std::vector<std::uint32_t> large;
    for (std::uint32_t p = 0; p < c.dataset.practices.size(); ++p) {
        if (c.active[p] && c.dataset.practices[p].list_size > c.options.max_list_size) {
            territorial[p] = false;
            large.push_back(p);
        }
    }
    std::sort(large.begin(), large.end(), [&](std::uint32_t x, std::uint32_t y) {
        const auto& px = c.dataset.practices[x];
        const auto& py = c.dataset.practices[y];
        return px.list_size != py.list_size ? px.list_size > py.list_size : px.code < py.code;
    });
    std::vector<std::int32_t> tessellation, shown;
    if (c.options.method == CatchmentMethod::registrations) {
        std::vector<bool> external, ignored;
        shown = dominant_practices(c.index, c.dataset, c.active, c.constraint, external);
        tessellation = large.empty() ? shown : dominant_practices(c.index, c.dataset, territorial, c.constraint, ignored);
        for (std::size_t a = 0; a < areas; ++a) {
            c.out.areas[a].dominant_practice = shown[a];
            c.out.areas[a].dominated_externally = external[a];
        }
    } else {
        shown = nearest_practices(c.points, c.dataset, c.active, c.constraint);
        tessellation = large.empty() ? shown : nearest_practices(c.points, c.dataset, territorial, c.constraint);
    }
    if (!large.empty()) {
        const std::size_t claimed = claim_dominated_areas(c.out.graph, tessellation, shown, c.standing, large, c.index, c.active, c.constraint);
        c.out.report.notes.push_back(std::to_string(large.size()) + " practices above the maximum list size are networks of their own; they keep " +
                                     std::to_string(claimed) + " areas they dominate, where that encloses no other practice");
    }
    std::vector<std::vector<std::uint32_t>> catchment_areas(c.dataset.practices.size());
    if (c.options.method == CatchmentMethod::radius) {
        catchment_areas = radius_areas(c.geos, c.dataset, c.options.radius_m);
        // Practices with travel times reach the areas within radius_minutes instead.
        std::vector<bool> timed(c.dataset.practices.size(), false);
        for (const TravelTime& t : c.dataset.travel_times) timed[t.practice] = true;
        for (std::size_t p = 0; p < timed.size(); ++p) {
            if (timed[p]) catchment_areas[p].clear();
        }
        for (const TravelTime& t : c.dataset.travel_times) {  // sorted by area: each list stays sorted
            if (t.minutes <= c.options.radius_minutes) catchment_areas[t.practice].push_back(t.area);
        }
    } else {
        for (std::uint32_t a = 0; a < areas; ++a) {
            if (shown[a] >= 0) catchment_areas[static_cast<std::size_t>(shown[a])].push_back(a);
        }
    }
    std::vector<std::uint32_t> practices;
    for (std::uint32_t p = 0; p < c.dataset.practices.size(); ++p) {
        if (c.active[p]) practices.push_back(p);
    }
    const bool with_core = c.options.method == CatchmentMethod::registrations;
    c.out.catchments.resize(practices.size());
    if (with_core) c.out.core_catchments.resize(practices.size());
    // The unions are independent: split them over the cores, each worker with its own GEOS context.
    const unsigned workers = worker_count(c.options.threads, practices.size());
    std::vector<GeosContext> contexts(workers);
    parallel_for(practices.size(), workers, [&](std::size_t i, unsigned worker) {
        GeosContext& context = contexts[worker];
        const std::uint32_t p = practices[i];
        c.out.catchments[i] = make_catchment(context, c.dataset, c.out.graph, c.index, p, catchment_areas[p]);
        if (with_core) c.out.core_catchments[i] = make_catchment(context, c.dataset, c.out.graph, c.index, p, core_areas(c.index, p, c.options.core_share));
    });
    std::vector<bool> closed(c.dataset.practices.size(), false);
    for (const std::uint32_t p : large) closed[p] = true;
    auto territory = make_territories(c.out.graph, tessellation, c.standing, c.index, c.constraint, closed, c.out.report.notes);
    if (const std::size_t seeded = seed_empty_territories(c.out.graph, territory, c.standing, c.active, c.dataset, c.constraint)) {
        c.out.report.notes.push_back(std::to_string(seeded) +
                                     " practices that dominate no area were given the area they stand in (or one beside it)");
    }
    for (std::size_t a = 0; a < areas; ++a) c.out.areas[a].owner = territory[a];
}

/// Units: a practice with a territory, plus the territory-less practices standing in it.
struct Units {
    std::vector<std::int32_t> of_practice;          // per practice, -1 when excluded
    std::vector<std::vector<std::uint32_t>> practices;
    std::vector<std::vector<std::uint32_t>> areas;
    std::vector<std::string> locks;                  // per unit
};

Units make_units(const Context& c) {
    Units units;
    const auto& dataset = c.dataset;
    units.of_practice.assign(dataset.practices.size(), -1);
    std::vector<std::vector<std::uint32_t>> territory(dataset.practices.size());
    for (std::uint32_t a = 0; a < dataset.areas.size(); ++a) {
        const std::int32_t owner = c.out.areas[a].owner;
        if (owner >= 0) territory[static_cast<std::size_t>(owner)].push_back(a);
    }
    auto new_unit = [&](std::uint32_t p) {
        units.of_practice[p] = static_cast<std::int32_t>(units.practices.size());
        units.practices.push_back({p});
        units.areas.push_back(territory[p]);
        units.locks.push_back(c.lock[p]);
    };
    for (std::uint32_t p = 0; p < dataset.practices.size(); ++p) {
        if (c.active[p] && !territory[p].empty()) new_unit(p);
    }
    for (std::uint32_t p = 0; p < dataset.practices.size(); ++p) {
        if (!c.active[p] || !territory[p].empty()) continue;
        const std::int32_t host = c.standing[p] >= 0 ? c.out.areas[static_cast<std::size_t>(c.standing[p])].owner : -1;
        const std::int32_t unit = host >= 0 ? units.of_practice[static_cast<std::size_t>(host)] : -1;
        if (unit >= 0 && units.locks[static_cast<std::size_t>(unit)] == c.lock[p] &&
            c.constraint.practice[static_cast<std::size_t>(host)] == c.constraint.practice[p] &&
            (c.home.empty() || c.home[static_cast<std::size_t>(host)] == c.home[p])) {
            units.of_practice[p] = unit;
            units.practices[static_cast<std::size_t>(unit)].push_back(p);
        } else {
            new_unit(p);  // locked differently from its host (or in another baseline network): its own unit beside the host
        }
    }
    return units;
}

PartitionProblem make_problem(const Context& c, const Units& units) {
    const AreaGraph& graph = c.out.graph;
    const std::size_t n = units.practices.size();
    PartitionProblem problem;
    problem.min_weight = c.options.min_list_size;
    problem.max_weight = c.options.max_list_size;
    problem.weight.assign(n, 0);
    problem.area.assign(n, 0);
    problem.perimeter.assign(n, 0);
    problem.constraint.resize(n);
    problem.locked_region.assign(n, -1);
    problem.neighbours.resize(n);
    problem.patients.resize(n);
    problem.areas = c.dataset.areas.size();
    std::vector<std::int32_t> area_unit(c.dataset.areas.size(), -1);
    for (std::size_t u = 0; u < n; ++u) {
        for (const std::uint32_t a : units.areas[u]) area_unit[a] = static_cast<std::int32_t>(u);
    }
    std::map<std::string, std::int32_t> locked;
    for (const std::string& l : units.locks) {
        if (!l.empty()) locked.emplace(l, 0);
    }
    std::int32_t next = 0;
    for (auto& [value, region] : locked) region = next++;
    problem.locked_regions = next;

    for (std::size_t u = 0; u < n; ++u) {
        const std::uint32_t head = units.practices[u].front();
        problem.constraint[u] = c.constraint.practice[head];
        if (!c.home.empty()) {
            problem.home.push_back(c.home[head]);
            problem.practices.push_back(static_cast<std::int32_t>(units.practices[u].size()));
        }
        if (!units.locks[u].empty()) problem.locked_region[u] = locked.at(units.locks[u]);
        std::map<std::uint32_t, double> shared;
        std::map<std::uint32_t, std::int64_t> lives;  // area -> the unit's patients living there
        for (const std::uint32_t a : units.areas[u]) {
            problem.area[u] += graph.area[a];
            problem.perimeter[u] += graph.perimeter[a];
            for (const AreaNeighbour& nb : graph.neighbours[a]) {
                const std::int32_t v = area_unit[nb.area];
                if (v == static_cast<std::int32_t>(u)) {
                    problem.perimeter[u] -= nb.shared_length;
                } else if (v >= 0) {
                    shared[static_cast<std::uint32_t>(v)] += nb.shared_length;
                }
            }
        }
        for (const std::uint32_t p : units.practices[u]) {
            problem.weight[u] += c.dataset.practices[p].list_size;
            for (const auto& [a, patients] : c.index.by_practice[p]) lives[a] += patients;
        }
        problem.neighbours[u].assign(shared.begin(), shared.end());
        problem.patients[u].assign(lives.begin(), lives.end());
    }
    // A unit without territory (locked apart from its host) touches its host's unit.
    for (std::size_t u = 0; u < n; ++u) {
        if (!units.areas[u].empty()) continue;
        const std::uint32_t p = units.practices[u].front();
        const std::int32_t area = c.standing[p];
        const std::int32_t host = area >= 0 ? area_unit[static_cast<std::size_t>(area)] : -1;
        if (host < 0) continue;
        problem.neighbours[u].emplace_back(static_cast<std::uint32_t>(host), 0.0);
        auto& back = problem.neighbours[static_cast<std::size_t>(host)];
        back.insert(std::upper_bound(back.begin(), back.end(), std::pair<std::uint32_t, double>(static_cast<std::uint32_t>(u), -1.0)),
                    {static_cast<std::uint32_t>(u), 0.0});
    }
    return problem;
}

std::string practice_list(const Dataset& dataset, const std::vector<std::uint32_t>& practices) {
    std::string text;
    for (const std::uint32_t p : practices) text += (text.empty() ? "" : " and ") + dataset.practices[p].code;
    return text;
}

std::string patients_text(std::int64_t n) { return std::to_string(n) + " patients"; }

/// Says why a network is outside the band: forced by the data, or not reached by the search.
std::string band_reason(const Context& c, const Network& n, std::int64_t part_weight) {
    const auto& m = n.metrics;
    const std::string band = std::to_string(c.options.min_list_size) + " to " + std::to_string(c.options.max_list_size);
    const std::string part = n.constraint_value.empty() ? "its connected group of practices"
                                                        : c.options.constraint_field + " " + n.constraint_value;
    switch (n.band_cause) {
        case BandCause::none: return {};
        case BandCause::locked: return "locked network kept as given";
        case BandCause::alone_above_max:
            return n.practices.size() == 1 ? "forced: practice " + c.dataset.practices[n.practices.front()].code + " alone has " +
                                                 patients_text(m.list_size) + ", above the maximum"
                                           : "forced: practices " + practice_list(c.dataset, n.practices) +
                                                 " stand in one practice's territory and together exceed the maximum";
        case BandCause::part_below_min:
            return "forced: " + part + " has only " + patients_text(part_weight) + " in all";
        case BandCause::part_unsplittable:
            return "forced: the " + patients_text(part_weight) + " of " + part + " cannot be grouped into networks of " + band;
        case BandCause::not_reached:
            return "not reached: the search found no way to bring it into the band";
    }
    return {};
}

/// Each network's and practice's relation to the baseline: what continues, what changed, who moved.
void compare_with_baseline(Context& c, const Baseline& baseline) {
    const Dataset& dataset = c.dataset;
    Plan& out = c.out;
    std::vector<std::vector<std::uint32_t>> members(baseline.networks.size());
    out.practice_baseline.assign(dataset.practices.size(), std::string());
    out.practice_moved.assign(dataset.practices.size(), false);
    for (std::uint32_t p = 0; p < dataset.practices.size(); ++p) {
        if (c.home[p] < 0) continue;
        members[static_cast<std::size_t>(c.home[p])].push_back(p);
        const std::string& id = baseline.networks[static_cast<std::size_t>(c.home[p])].id;
        out.practice_baseline[p] = id;
        const std::int32_t now = out.practice_network[p];
        if (now >= 0 && out.networks[static_cast<std::size_t>(now)].id != id) {
            out.practice_moved[p] = true;
            ++out.report.moved_practices;
        }
    }
    std::vector<bool> continued(baseline.networks.size(), false);
    for (Network& n : out.networks) {
        const std::int32_t kept = baseline.find(n.baseline_id);
        if (kept < 0) {
            n.baseline_change = "created";
            ++out.report.created_networks;
        } else {
            continued[static_cast<std::size_t>(kept)] = true;
            const bool same = n.practices == members[static_cast<std::size_t>(kept)];
            n.baseline_change = same ? "unchanged" : "changed";
            ++(same ? out.report.unchanged_networks : out.report.changed_networks);
        }
        // The repair joins no pieces that were not one baseline network's (see baseline_repair.hpp).
        if (!n.metrics.contiguous) {
            n.status_reason += std::string(n.status_reason.empty() ? "" : "; ") +
                               (n.baseline_change == "unchanged" ? "not contiguous: kept as in the baseline"
                                                                 : "not contiguous: made from a baseline network in pieces, kept together");
        }
    }
    for (std::size_t i = 0; i < baseline.networks.size(); ++i) {
        if (!continued[i] && !members[i].empty()) out.report.dissolved_networks.push_back(baseline.networks[i].id);
    }
    out.report.baseline_source = baseline.source;
}

void build_networks(Context& c, const Units& units, const PartitionResult& result, const PartitionProblem& problem) {
    const Dataset& dataset = c.dataset;
    std::vector<Network> networks(static_cast<std::size_t>(result.regions));
    for (std::size_t r = 0; r < networks.size(); ++r) networks[r].band_cause = result.cause[r];
    for (std::size_t u = 0; u < units.practices.size(); ++u) {
        Network& n = networks[static_cast<std::size_t>(result.region[u])];
        n.practices.insert(n.practices.end(), units.practices[u].begin(), units.practices[u].end());
        n.areas.insert(n.areas.end(), units.areas[u].begin(), units.areas[u].end());
        n.constraint_value = problem.constraint[u];
        n.locked = !units.locks[u].empty();
        if (n.locked) n.id = units.locks[u];
    }
    for (Network& n : networks) {
        std::sort(n.practices.begin(), n.practices.end());
        std::sort(n.areas.begin(), n.areas.end());
        n.hub = *std::max_element(n.practices.begin(), n.practices.end(), [&](std::uint32_t x, std::uint32_t y) {
            const auto& px = dataset.practices[x];
            const auto& py = dataset.practices[y];
            return px.list_size != py.list_size ? px.list_size < py.list_size : px.code > py.code;
        });
    }
    const Baseline* baseline = c.options.baseline.get();
    if (baseline != nullptr) {
        for (std::size_t r = 0; r < networks.size(); ++r) {
            const std::int32_t id = r < result.identity.size() ? result.identity[r] : -1;
            if (id >= 0 && !networks[r].locked) networks[r].id = baseline->networks[static_cast<std::size_t>(id)].id;
        }
    }
    // Stable ids: networks with one (locked values, baseline ids) by id, then planned ones by
    // constraint value and first practice code.
    std::vector<std::size_t> order(networks.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) {
        const Network& x = networks[i];
        const Network& y = networks[j];
        if (x.locked != y.locked) return x.locked;
        if (x.id.empty() != y.id.empty()) return !x.id.empty();
        if (!x.id.empty()) return x.id < y.id;
        const auto key = [&](const Network& n) { return std::pair(n.constraint_value, dataset.practices[n.practices.front()].code); };
        return key(x) < key(y);
    });
    std::vector<Network> sorted;
    sorted.reserve(networks.size());
    for (const std::size_t i : order) sorted.push_back(std::move(networks[i]));
    networks = std::move(sorted);
    std::set<std::string> taken;
    for (const Network& n : networks) taken.insert(n.id);
    if (baseline != nullptr) {
        for (const Baseline::Network& n : baseline->networks) taken.insert(n.id);
    }
    int number = 0;
    for (std::size_t i = 0; i < networks.size(); ++i) {
        Network& n = networks[i];
        if (n.id.empty()) {
            char id[16];
            do {
                std::snprintf(id, sizeof id, "N%03d", ++number);
            } while (taken.contains(id));
            n.id = id;
        }
        const std::int32_t kept = baseline != nullptr ? baseline->find(n.id) : -1;
        if (kept >= 0) {
            n.baseline_id = n.id;
            n.name = baseline->networks[static_cast<std::size_t>(kept)].name;
        } else {
            n.name = dataset.practices[n.hub].name.empty() ? n.id : dataset.practices[n.hub].name + " network";
        }
        n.metrics = measure_network(dataset, c.out.graph, c.index, n.practices, n.areas, c.options.min_list_size, c.options.max_list_size);
        n.status_reason = band_reason(c, n, result.part_weight[order[i]]);
    }
    c.out.practice_network.assign(dataset.practices.size(), -1);
    for (std::size_t i = 0; i < networks.size(); ++i) {
        for (const std::uint32_t p : networks[i].practices) c.out.practice_network[p] = static_cast<std::int32_t>(i);
        for (const std::uint32_t a : networks[i].areas) c.out.areas[a].network = static_cast<std::int32_t>(i);
    }
    c.out.networks = std::move(networks);
    if (baseline != nullptr) compare_with_baseline(c, *baseline);
}

/// Network polygons and the lines where neighbouring networks meet.
void build_boundaries(Context& c) {
    for (Network& n : c.out.networks) n.polygon = union_areas(c.geos, c.dataset.areas, n.areas, &c.out.graph);
    std::vector<std::int32_t> label(c.out.areas.size());
    for (std::size_t a = 0; a < label.size(); ++a) label[a] = c.out.areas[a].network;
    for (Coverage::Border& b : c.out.graph.coverage->borders(c.geos, label)) {
        NetworkBorder border;
        border.network_a = static_cast<std::uint32_t>(b.label_a);
        border.network_b = static_cast<std::uint32_t>(b.label_b);
        border.length_m = b.length;
        border.line = std::move(b.line);
        c.out.borders.push_back(std::move(border));
    }
}

/// Each area's constraint group: the plan's constraint value where it is an area field, else the group field.
std::vector<std::string> constraint_groups(const Context& c) {
    std::vector<std::string> group(c.dataset.areas.size());
    for (std::size_t a = 0; a < group.size(); ++a) {
        group[a] = c.constraint.on_areas && a < c.constraint.area.size() ? c.constraint.area[a] : c.dataset.areas[a].group;
    }
    return group;
}

void set_cohesion(std::vector<Network>& networks, const Dominance& d) {
    for (std::size_t i = 0; i < networks.size(); ++i) {
        NetworkMetrics& m = networks[i].metrics;
        m.dominant_patients = d.network_dominant[i];
        m.cohesion = m.registered_in_areas > 0 ? static_cast<double>(m.dominant_patients) / static_cast<double>(m.registered_in_areas) : 0;
    }
}

/// The plan's networks' cohesion and each area's dominant network.
void apply_dominance(Context& c) {
    std::vector<std::string> ids;
    for (const Network& n : c.out.networks) ids.push_back(n.id);
    const Dominance d = dominance(c.index, c.out.practice_network, ids);
    set_cohesion(c.out.networks, d);
    for (std::size_t a = 0; a < c.out.areas.size(); ++a) c.out.areas[a].dominant_network = d.area_network[a];
}

/// The reference networks (e.g. the real PCNs) measured like the plan's, whatever the plan's options:
/// every loaded practice with a reference value, each network's territory the areas it dominates.
/// And the adjusted Rand index between them and the plan.
void compare_with_reference(Context& c) {
    const auto& dataset = c.dataset;
    std::map<std::string, std::vector<std::uint32_t>> groups;
    for (std::uint32_t p = 0; p < dataset.practices.size(); ++p) {
        if (!dataset.practices[p].reference_network.empty()) groups[dataset.practices[p].reference_network].push_back(p);
    }
    if (groups.empty()) return;
    QualityReport& report = c.out.report;
    report.has_reference = true;
    std::vector<std::int32_t> reference_label(dataset.practices.size(), -1);
    std::vector<std::string> ids;
    for (const auto& [code, practices] : groups) {
        for (const std::uint32_t p : practices) reference_label[p] = static_cast<std::int32_t>(ids.size());
        ids.push_back(code);
    }
    const Dominance d = dominance(c.index, reference_label, ids);
    std::vector<std::vector<std::uint32_t>> territory(ids.size());
    for (std::uint32_t a = 0; a < d.area_network.size(); ++a) {
        if (d.area_network[a] >= 0) territory[static_cast<std::size_t>(d.area_network[a])].push_back(a);
    }
    std::size_t k = 0;
    for (const auto& [code, practices] : groups) {
        Network n;
        n.id = code;
        n.name = code;
        n.practices = practices;
        n.areas = std::move(territory[k]);
        n.hub = practices.front();
        n.metrics = measure_network(dataset, c.out.graph, c.index, n.practices, n.areas, c.options.min_list_size, c.options.max_list_size);
        report.reference_networks.push_back(std::move(n));
        ++k;
    }
    set_cohesion(report.reference_networks, d);
    report.reference = summarize_partition(report.reference_networks);
    report.adjusted_rand_index = adjusted_rand_index(c.out.practice_network, reference_label);
}

}  // namespace

Plan plan(const Dataset& given, const PlanOptions& options, GeosContext& context, const PlanProgress& progress,
          const PlanCheckpoint& checkpoint) {
    return plan(std::shared_ptr<const Dataset>(std::shared_ptr<const Dataset>(), &given), options, context, progress, checkpoint);
}

Plan plan(std::shared_ptr<const Dataset> given, const PlanOptions& options, GeosContext& context, const PlanProgress& progress,
          const PlanCheckpoint& checkpoint) {
    const auto started = std::chrono::steady_clock::now();
    options.validate(*given);
    // Between every step, so that a server asked to stop gives up within a fraction of a second.
    auto check = [&checkpoint] {
        if (checkpoint) checkpoint();
    };
    auto stage = [&progress, &check](std::string_view name) {
        check();
        if (progress) progress(name);
    };
    Plan out;
    out.options = options;
    Scenario scenario = make_scenario(std::move(given), options.excluded_practices, options.new_practices, options.constraint_field);
    out.dataset = scenario.dataset;
    out.report.patient_moves = std::move(scenario.moves);
    out.report.notes = std::move(scenario.notes);
    const Dataset& dataset = *out.dataset;
    Context c{dataset, options, context, out, {}, {}, {}, {}, {}, {}, {}};
    if (options.baseline) {
        c.home.assign(dataset.practices.size(), -1);
        for (std::size_t p = 0; p < dataset.practices.size(); ++p) {
            const auto it = options.baseline->network_of.find(dataset.practices[p].code);
            if (it != options.baseline->network_of.end()) c.home[p] = static_cast<std::int32_t>(it->second);
        }
    }
    stage("adjacency");
    out.graph = build_area_graph(context, dataset.areas);
    for (const AreaBridge& b : out.graph.bridges) {
        out.report.notes.push_back("area " + dataset.areas[b.from].code + " shares no boundary with the rest; joined to " +
                                   dataset.areas[b.to].code + " (" + std::to_string(static_cast<long>(b.distance)) + " m away)");
    }
    stage("catchments");
    c.active = options.active_practices(dataset);
    c.index = index_registrations(dataset);
    check();
    c.points = representative_points(context, dataset.areas);
    check();
    c.standing = standing_areas(context, dataset);
    check();
    c.constraint = constraint_values(dataset, options.constraint_field, c.standing);
    c.lock = lock_values(dataset, options, c.active);
    plan_catchments(c);

    stage("networks");
    const Units units = make_units(c);
    check();
    const PartitionProblem problem = make_problem(c, units);
    check();
    PartitionSettings settings;
    settings.seed = options.seed;
    settings.restarts = options.construction_runs;
    settings.sweeps = options.sweeps;
    settings.threads = options.threads;
    settings.checkpoint = checkpoint;
    const PartitionResult result = partition_units(problem, settings);
    std::size_t welded = 0;
    for (const auto& members : units.practices) welded += members.size() - 1;
    if (welded > 0) {
        out.report.notes.push_back(std::to_string(welded) + " practices dominate no area and joined the network of the practice whose territory they stand in");
    }
    build_networks(c, units, result, problem);
    check();
    apply_dominance(c);

    stage("boundaries");
    build_boundaries(c);
    stage("gaps");
    assess_coverage({dataset, c.points, c.active, constraint_groups(c), c.index.area_registered}, c.out);
    out.area_points = c.points;
    check();
    out.report.plan = summarize_partition(out.networks);
    compare_with_reference(c);
    out.report.runtime_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return out;
}

}  // namespace geo
