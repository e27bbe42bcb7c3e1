// Accessibility (E2SFCA), distance decay, gap criteria and site suggestions: a hand-worked example,
// travel times that equal the distances giving the distance results, and synthetic grids.
#include "geo/accessibility.hpp"
#include "geo/distance_decay.hpp"
#include "geo/gaps.hpp"
#include "geo/plan.hpp"
#include "geo/site_suggestions.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <numeric>
#include <set>

using namespace geo;

namespace {

/// n x n squares of 1 km with `population` residents each, and a practice of `list_size` at the centre
/// of each listed cell (row * n + col), registered by the residents of its own square.
Dataset grid(int n, std::int64_t population, const std::vector<int>& practice_cells, std::int64_t list_size) {
    Dataset d;
    d.name = "grid";
    d.working_crs = "EPSG:27700";
    d.area_fields = {"code", "kind"};
    d.practice_fields = {"code", "fte"};
    for (int row = 0; row < n; ++row) {
        for (int col = 0; col < n; ++col) {
            const double x = 530000 + col * 1000.0, y = 180000 + row * 1000.0;
            char code[16];
            std::snprintf(code, sizeof code, "A%02d%02d", row, col);
            char wkt[256];
            std::snprintf(wkt, sizeof wkt, "POLYGON ((%.0f %.0f, %.0f %.0f, %.0f %.0f, %.0f %.0f, %.0f %.0f))", x, y, x + 1000, y, x + 1000,
                          y + 1000, x, y + 1000, x, y);
            d.areas.push_back(Area{code, code, row < n / 2 ? "south" : "north", population, from_wkt(*d.geos, wkt), {code, col == 0 ? "Rural village" : "Urban city and town"}});
        }
    }
    for (const int cell : practice_cells) {
        const int row = cell / n, col = cell % n;
        const std::string code = "P" + std::to_string(cell);
        d.practices.push_back({code, code, {530000 + col * 1000.0 + 500, 180000 + row * 1000.0 + 500}, list_size, "", {code, "2.5"}, ""});
        Registration r;
        r.practice = static_cast<std::int32_t>(d.practices.size() - 1);
        r.area = cell;
        r.patients = list_size;
        r.practice_code = code;
        r.area_code = d.areas[static_cast<std::size_t>(cell)].code;
        d.registrations.push_back(r);
    }
    return d;
}

std::vector<Point> centres(const Dataset& d) {
    std::vector<Point> out;
    for (const Area& a : d.areas) {
        const Envelope box = envelope_of(*d.geos, a.geometry.get());
        out.push_back({(box.min_x + box.max_x) / 2, (box.min_y + box.max_y) / 2});
    }
    return out;
}

}  // namespace

TEST_CASE("E2SFCA reproduces a hand-worked example", "[accessibility]") {
    // Three areas, two practices. Area 1 lies in practice 0's second band and practice 1's first;
    // area 2 in practice 1's third band.
    const std::vector<double> population{1000, 2000, 500};
    const std::vector<double> supply{1500, 600};
    const std::vector<AccessLink> links{{0, 0, 1.0}, {1, 0, 0.68}, {1, 1, 1.0}, {2, 1, 0.22}};
    const Accessibility a = two_step_fca(population, supply, links);
    // Step 1: D_0 = 1000 * 1 + 2000 * 0.68 = 2360; D_1 = 2000 * 1 + 500 * 0.22 = 2110.
    CHECK(a.practice_demand[0] == Approx(2360));
    CHECK(a.practice_demand[1] == Approx(2110));
    CHECK(a.practice_ratio[0] == Approx(1500.0 / 2360));
    CHECK(a.practice_ratio[1] == Approx(600.0 / 2110));
    // Step 2, per 1,000 residents: 635.59, 716.56 and 62.56.
    CHECK(a.area[0] == Approx(1000 * 1500.0 / 2360));
    CHECK(a.area[1] == Approx(1000 * (0.68 * 1500.0 / 2360 + 600.0 / 2110)));
    CHECK(a.area[2] == Approx(1000 * 0.22 * 600.0 / 2110));
    CHECK(a.area[0] == Approx(635.593).epsilon(1e-5));
    CHECK(a.area[1] == Approx(716.563).epsilon(1e-5));
    CHECK(a.area[2] == Approx(62.559).epsilon(1e-4));
    // Supply is conserved: sum P_i A_i / 1000 = 1500 + 600.
    double conserved = 0;
    for (std::size_t i = 0; i < 3; ++i) conserved += population[i] * a.area[i] / 1000;
    CHECK(conserved == Approx(2100));
    CHECK(a.supply_reached == 2100);

    // A practice with no one in reach keeps its supply out of the sum, and out of supply_reached.
    const Accessibility lonely = two_step_fca(population, {1500, 600, 900}, links);
    CHECK(lonely.supply_total == 3000);
    CHECK(lonely.supply_reached == 2100);
    CHECK(lonely.practice_ratio[2] == 0);
}

TEST_CASE("Decay bands parse, weigh and refuse what is not a band", "[accessibility]") {
    const DistanceDecay d = DistanceDecay::parse("1600:1,5000:0.68,10000:0.22");
    CHECK(d == default_distance_decay());
    CHECK(d.weight(0) == 1.0);
    CHECK(d.weight(1600) == 1.0);
    CHECK(d.weight(1600.5) == 0.68);
    CHECK(d.weight(10000) == 0.22);
    CHECK(d.weight(10000.1) == 0);
    CHECK(d.reach() == 10000);
    CHECK(DistanceDecay::parse(d.text()) == d);
    CHECK(default_time_decay().text() == "10:1,20:0.68,30:0.22");
    for (const char* bad : {"", "1600", "1600:1,", "1600:x", "0:1", "1600:1.5", "1600:0", "5000:1,1600:0.5", "1600:0.5,5000:0.7", "nan:1"}) {
        INFO(bad);
        CHECK_THROWS_AS(DistanceDecay::parse(bad), std::invalid_argument);
    }
    CHECK_THROWS_WITH(DistanceDecay::parse("1600:1,800:0.5"), Catch::Contains("band 2") && Catch::Contains("increase"));
    CHECK(gravity_pull(1000, 100) == Approx(1000.0 / (200 * 200)));  // closer than 200 m counts as 200 m
    CHECK(gravity_pull(1000, 1000) == Approx(1000.0 / 1e6));
}

TEST_CASE("Accessibility on a grid conserves supply and ranks the poorest first", "[accessibility]") {
    Dataset d = grid(9, 1000, {0, 40, 80}, 6000);
    const std::vector<bool> active(d.practices.size(), true);
    const std::vector<Point> points = centres(d);
    const std::vector<double> supply = practice_supply(d, active, "");
    CHECK(supply == std::vector<double>{6000, 6000, 6000});
    const Accessibility a = two_step_fca(std::vector<double>(d.areas.size(), 1000), supply, access_links(d, points, active, AccessOptions{}));
    double conserved = 0;
    for (const double v : a.area) conserved += v;  // 1,000 residents each: P_i A_i / 1000 = A_i
    CHECK(conserved == Approx(a.supply_reached));
    CHECK(a.supply_reached == 18000);
    // The centre practice's square is better served than a far corner away from the diagonal.
    CHECK(a.area[40] > a.area[8]);
    const std::vector<std::int64_t> rank = rank_lowest_first(a.area);
    CHECK(rank[8] == 1);  // tied with the other off-diagonal corner (72): both rank 1
    CHECK(rank[72] == 1);
    std::vector<std::string> halves;
    for (const Area& area : d.areas) halves.push_back(area.group);
    const std::vector<std::int64_t> by_half = rank_lowest_first(a.area, &halves);
    CHECK(by_half[8] == 1);   // the south half's poorest
    CHECK(by_half[72] == 1);  // and the north half's
    CHECK(weighted_median({3, 1, 2}, {1, 1, 1}) == 2);
    CHECK(weighted_median({3, 1, 2}, {10, 1, 1}) == 3);

    // A supply field: GP FTE instead of the list size; a bad value names the practice and the field.
    CHECK(practice_supply(d, active, "fte") == std::vector<double>{2.5, 2.5, 2.5});
    d.practices[1].attributes[1] = "two";
    CHECK_THROWS_WITH(practice_supply(d, active, "fte"), Catch::Contains("practice P40") && Catch::Contains("'fte'") && Catch::Contains("'two'"));
    CHECK_THROWS_WITH(practice_supply(d, active, "gp_fte"), Catch::Contains("'gp_fte' is not a field"));
    d.practices[1].attributes[1] = "";  // no value: the study's FTE per listed patient times its list size
    std::vector<std::string> imputed;
    const std::vector<double> filled = practice_supply(d, active, "fte", &imputed);
    CHECK(filled[1] == Approx(2.5));
    CHECK(imputed == std::vector<std::string>{"P40"});
}

TEST_CASE("Travel times equal to the distances in kilometres reproduce the distance results", "[accessibility][travel-times]") {
    const std::vector<int> cells{0, 12, 24, 6, 30};
    Dataset by_distance = grid(7, 1500, cells, 4000);
    Dataset by_time = grid(7, 1500, cells, 4000);
    GeosContext& context = *by_time.geos;
    // Travel times from each area's representative point, in minutes equal to the kilometres.
    std::vector<Point> points;
    for (const Area& a : by_time.areas) {
        Geometry p = adopt(context, GEOSPointOnSurface_r(context.handle(), a.geometry.get()), "point on surface");
        double x = 0, y = 0;
        GEOSGeomGetX_r(context.handle(), p.get(), &x);
        GEOSGeomGetY_r(context.handle(), p.get(), &y);
        points.push_back({x, y});
    }
    for (std::uint32_t a = 0; a < by_time.areas.size(); ++a) {
        for (std::uint32_t p = 0; p < by_time.practices.size(); ++p) {
            const Point at = by_time.practices[p].location;
            by_time.travel_times.push_back({a, p, std::hypot(at.x - points[a].x, at.y - points[a].y) / 1000});
        }
    }
    PlanOptions distance_options;
    distance_options.min_list_size = 5000;
    distance_options.max_list_size = 9000;
    distance_options.method = CatchmentMethod::radius;
    distance_options.radius_m = 2500;
    distance_options.gaps.urban_distance_m = distance_options.gaps.rural_distance_m = 2200;
    distance_options.gaps.accessibility_percentile = 20;
    PlanOptions time_options = distance_options;
    time_options.radius_minutes = 2.5;
    time_options.gaps.max_minutes = 2.2;
    time_options.access.time_decay = DistanceDecay::parse("1.6:1,5:0.68,10:0.22");  // the distance bands in km

    const Plan d = plan(by_distance, distance_options, *by_distance.geos);
    const Plan t = plan(by_time, time_options, *by_time.geos);
    REQUIRE(d.coverage.size() == t.coverage.size());
    std::size_t travel_gaps = 0;
    for (std::size_t a = 0; a < d.coverage.size(); ++a) {
        INFO("area " << by_time.areas[a].code);
        CHECK(t.coverage[a].accessibility == Approx(d.coverage[a].accessibility).epsilon(1e-9));
        CHECK(t.coverage[a].nearest_practice_min == Approx(d.coverage[a].nearest_practice_m / 1000).epsilon(1e-9));
        CHECK(std::isnan(d.coverage[a].nearest_practice_min));
        // The travel-time criterion picks the areas the distance criterion picks.
        CHECK(((t.coverage[a].gap_criteria & gap_travel_time) != 0) == ((d.coverage[a].gap_criteria & gap_distance) != 0));
        CHECK(t.coverage[a].access_rank == d.coverage[a].access_rank);
        travel_gaps += (t.coverage[a].gap_criteria & gap_travel_time) != 0 ? 1 : 0;
    }
    CHECK(travel_gaps > 0);
    CHECK(travel_gaps < d.coverage.size());
    // Radius catchments by travel time: the areas whose minutes are within radius_minutes. (By distance
    // the radius reaches an area's polygon, not its point, so those sets differ by design.)
    for (std::size_t p = 0; p < t.catchments.size(); ++p) {
        INFO("practice " << by_time.practices[p].code);
        std::vector<std::uint32_t> within;
        for (const TravelTime& row : by_time.travel_times) {
            if (row.practice == p && row.minutes <= 2.5) within.push_back(row.area);
        }
        CHECK(t.catchments[p].areas == within);
        CHECK_FALSE(within.empty());
    }
    CHECK(t.report.supply_reached == Approx(d.report.supply_reached));
}

TEST_CASE("Gap criteria: rural thresholds, travel time, accessibility threshold and percentile", "[accessibility][gaps]") {
    CHECK(is_rural_value("Rural village"));
    CHECK(is_rural_value("RURAL"));
    CHECK(is_rural_value("E1"));
    CHECK(is_rural_value("true"));
    CHECK_FALSE(is_rural_value("Urban city and town"));
    CHECK_FALSE(is_rural_value("C1"));
    CHECK_FALSE(is_rural_value(""));
    CHECK(gap_criteria_text(gap_outside_network | gap_accessibility) == "outside_network,accessibility");
    CHECK(gap_criterion_from("travel_time") == gap_travel_time);
    CHECK(gap_criterion_from("near") == 0);

    const Dataset d = grid(3, 100, {4}, 1000);
    GapCriteria c;
    CHECK(rural_areas(d, {10, 900, 499.9, 500, 0, 1e6, 1, 2, 3}, c) == std::vector<bool>{true, false, true, false, true, false, true, true, true});
    c.rural_field = "kind";  // column 0 is "Rural village"
    CHECK(rural_areas(d, std::vector<double>(9, 1e6), c) == std::vector<bool>{true, false, false, true, false, false, true, false, false});
    c.rural_field = "nothing";
    CHECK_THROWS_WITH(c.validate(d), Catch::Contains("rural_field") && Catch::Contains("'nothing'"));
    c.rural_field.clear();
    c.accessibility_percentile = 100;
    CHECK_THROWS_WITH(c.validate(d), Catch::Contains("gap_accessibility_percentile"));

    GapCriteria criteria;
    criteria.max_minutes = 15;
    criteria.accessibility_percentile = 25;
    // Four areas of 100, 150, 50 and 700 residents: the poorest 25% of residents live in the first two.
    const std::vector<double> access{1.0, 2.0, 3.0, 4.0};
    const GapRule rule(criteria, criteria.in_use(), access, {100, 150, 50, 700}, true);
    CHECK(rule.in_use() == (gap_outside_network | gap_distance | gap_travel_time | gap_accessibility));
    CHECK(rule.accessibility_cut() == 2.0);
    CHECK(rule.judge({false, false, 100, 5, 2.0}) == gap_accessibility);
    CHECK(rule.judge({false, false, 100, 5, 2.1}) == 0);
    CHECK(rule.judge({false, false, 1700, 5, 9}) == gap_distance);   // urban: beyond 1,600 m
    CHECK(rule.judge({false, true, 1700, 5, 9}) == 0);               // rural: within 5,000 m
    CHECK(rule.judge({false, true, 5001, 5, 9}) == gap_distance);
    CHECK(rule.judge({false, false, 100, 16, 9}) == gap_travel_time);
    CHECK(rule.judge({false, false, 100, std::nan(""), 9}) == gap_travel_time);  // no travel time reaches it
    CHECK(rule.judge({true, false, 100, 5, 9}) == gap_outside_network);
    const GapFacts far_rural{false, true, 6000, 20, 1.0};
    const unsigned met = rule.judge(far_rural);
    CHECK(met == (gap_distance | gap_travel_time | gap_accessibility));
    const std::string why = rule.reason(far_rural, met);
    CHECK_THAT(why, Catch::Contains("farther than 5000 m from any practice (rural area)") && Catch::Contains("more than 15 minutes") &&
                        Catch::Contains("at or below 2 (the poorest 25% of residents)"));
    // Without travel times the travel-time criterion cannot apply; a threshold above the percentile widens it.
    criteria.min_accessibility = 3.5;
    const GapRule wider(criteria, criteria.in_use(), access, {100, 150, 50, 700}, false);
    CHECK((wider.in_use() & gap_travel_time) == 0);
    CHECK(wider.accessibility_cut() == 3.5);
    CHECK(wider.judge({false, false, 100, 99, 3.4}) == gap_accessibility);
    CHECK(wider.judge({false, false, 100, 99, 3.5}) == 0);  // below the threshold, strictly
}

TEST_CASE("A plan carries accessibility per area and names a bad supply field", "[accessibility][plan]") {
    Dataset d = grid(6, 2000, {0, 7, 14, 21, 28, 35}, 5000);
    PlanOptions options;
    options.min_list_size = 8000;
    options.max_list_size = 12000;
    options.gaps.min_accessibility = 400;  // the study's mean is 30,000 / 72 = 417 per 1,000
    const Plan p = plan(d, options, *d.geos);
    double conserved = 0;
    std::int64_t below = 0;
    for (std::size_t a = 0; a < d.areas.size(); ++a) {
        conserved += 2000 * p.coverage[a].accessibility / 1000;
        CHECK(p.coverage[a].access_rank >= 1);
        CHECK(p.coverage[a].constraint_group == d.areas[a].group);
        if (p.coverage[a].accessibility < 400) {
            ++below;
            CHECK((p.coverage[a].gap_criteria & gap_accessibility) != 0);
            CHECK_THAT(p.coverage[a].gap_reason, Catch::Contains("below 400"));
        }
    }
    CHECK(conserved == Approx(p.report.supply_reached).epsilon(1e-9));
    CHECK(p.report.supply_reached == 30000);
    CHECK(below > 0);
    CHECK(below < static_cast<std::int64_t>(d.areas.size()));
    REQUIRE(p.report.gaps_by_criterion.size() == 3);  // outside_network, distance, accessibility
    CHECK(p.report.gaps_by_criterion[2].criterion == gap_accessibility);
    CHECK(p.report.gaps_by_criterion[2].areas == static_cast<std::size_t>(below));
    CHECK(p.report.median_accessibility > 0);

    options.access.supply_field = "fte";
    d.practices[2].attributes[1] = "-1";
    CHECK_THROWS_AS(options.validate(d), PlanError);
    CHECK_THROWS_WITH(options.validate(d), Catch::Contains("practice P14") && Catch::Contains("fte"));
}

TEST_CASE("Suggested sites lie where the gaps are, spaced apart", "[accessibility][suggestions]") {
    // Practices only in the west half of a 10 x 10 km grid: the east is a gap by distance.
    std::vector<int> west;
    for (int row = 0; row < 10; row += 2) {
        for (int col = 0; col < 4; col += 2) west.push_back(row * 10 + col);
    }
    Dataset d = grid(10, 1500, west, 6000);
    // Everyone is registered, with the nearest practice: the east's residents travel west.
    d.registrations.clear();
    for (Practice& practice : d.practices) practice.list_size = 0;
    for (std::size_t a = 0; a < d.areas.size(); ++a) {
        const int row = static_cast<int>(a) / 10, col = static_cast<int>(a) % 10;
        std::size_t nearest = 0;
        double best = 1e18;
        for (std::size_t q = 0; q < d.practices.size(); ++q) {
            const double dx = d.practices[q].location.x - (530500 + col * 1000.0), dy = d.practices[q].location.y - (180500 + row * 1000.0);
            if (dx * dx + dy * dy < best) {
                best = dx * dx + dy * dy;
                nearest = q;
            }
        }
        Registration r;
        r.practice = static_cast<std::int32_t>(nearest);
        r.area = static_cast<std::int32_t>(a);
        r.patients = 1500;
        r.practice_code = d.practices[nearest].code;
        r.area_code = d.areas[a].code;
        d.registrations.push_back(r);
        d.practices[nearest].list_size += 1500;
    }
    PlanOptions options;
    options.min_list_size = 10000;
    options.max_list_size = 20000;
    options.gaps.urban_distance_m = options.gaps.rural_distance_m = 3000;
    const Plan p = plan(d, options, *d.geos);
    std::vector<bool> gap(d.areas.size());
    std::set<std::uint32_t> gap_areas;
    for (std::size_t a = 0; a < gap.size(); ++a) {
        gap[a] = p.coverage[a].gap;
        if (gap[a]) gap_areas.insert(static_cast<std::uint32_t>(a));
    }
    REQUIRE_FALSE(gap_areas.empty());
    SuggestionOptions wanted;
    wanted.count = 3;
    wanted.list_size = 6000;
    wanted.min_spacing_m = 2000;
    const std::vector<SiteSuggestion> sites = suggest_sites(d, p, gap, wanted);
    REQUIRE(sites.size() == 3);
    for (std::size_t i = 0; i < sites.size(); ++i) {
        INFO("site " << i << " in area " << d.areas[sites[i].area].code);
        CHECK(sites[i].area % 10 >= 5);  // in the east half
        CHECK(sites[i].gap_capacity_gained > 0);
        CHECK(sites[i].gap_people_in_reach > 0);
        CHECK(sites[i].patients_drawn <= 6000.0 + 1e-6);
        if (i > 0) CHECK(sites[i].gap_capacity_gained <= sites[i - 1].gap_capacity_gained);
        for (std::size_t j = 0; j < i; ++j) {
            CHECK(std::hypot(sites[i].location.x - sites[j].location.x, sites[i].location.y - sites[j].location.y) >= 2000);
        }
    }
    // The same again: deterministic.
    const std::vector<SiteSuggestion> again = suggest_sites(d, p, gap, wanted);
    REQUIRE(again.size() == sites.size());
    for (std::size_t i = 0; i < sites.size(); ++i) CHECK(again[i].area == sites[i].area);
    // Fewer sites asked for stop the search sooner (candidates are tried in the order of an upper bound of
    // their gain): they are still the first of a longer list, which tries more.
    SuggestionOptions longer = wanted;
    longer.count = 12;
    longer.min_spacing_m = 500;
    const std::vector<SiteSuggestion> many = suggest_sites(d, p, gap, longer);
    REQUIRE(many.size() == 12);
    for (std::size_t k = 1; k <= 4; ++k) {
        SuggestionOptions fewer = longer;
        fewer.count = k;
        const std::vector<SiteSuggestion> first = suggest_sites(d, p, gap, fewer);
        REQUIRE(first.size() == k);
        for (std::size_t i = 0; i < k; ++i) {
            CHECK(first[i].area == many[i].area);
            CHECK(first[i].gap_capacity_gained == many[i].gap_capacity_gained);
        }
    }
    CHECK(suggestion_list_size(d, p, SuggestionOptions{}) > 0);
    // No gaps, nothing to suggest.
    CHECK(suggest_sites(d, p, std::vector<bool>(d.areas.size(), false), wanted).empty());
}
