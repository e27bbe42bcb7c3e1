// Planning on the real data: Tower Hamlets from ../shared/data and all London from the bundled sample.
#include "data/loader.hpp"
#include "geo/plan.hpp"
#include "paths.hpp"
#include "reference_cohesion.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <set>

namespace {

geo::Dataset load(const std::filesystem::path& description) {
    return data::load_dataset(data::describe(data::read_description(description)));
}

/// Network polygons tessellate the study area: each valid, their areas summing to the area of their
/// union (no overlap) and to the areas' total (no gap), within 0.01%.
void check_tessellation(const geo::Dataset& d, const geo::Plan& p) {
    auto* h = d.geos->handle();
    double sum = 0, study = 0;
    std::vector<GEOSGeometry*> parts;
    for (const geo::Network& n : p.networks) {
        if (!n.polygon) continue;
        CHECK(GEOSisValid_r(h, n.polygon.get()) == 1);
        sum += geo::area_of(*d.geos, n.polygon.get());
        parts.push_back(GEOSGeom_clone_r(h, n.polygon.get()));
    }
    for (const geo::Area& a : d.areas) study += geo::area_of(*d.geos, a.geometry.get());
    const geo::Geometry all = geo::adopt(*d.geos, GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts.data(), static_cast<unsigned>(parts.size())), "collecting");
    const geo::Geometry merged = geo::adopt(*d.geos, GEOSUnaryUnion_r(h, all.get()), "uniting");
    const double united = geo::area_of(*d.geos, merged.get());
    CHECK(std::abs(sum - united) / united < 1e-4);
    CHECK(std::abs(sum - study) / study < 1e-4);
}

}  // namespace

/// Accessibility (E2SFCA) against a brute-force reference over every area-practice pair, and the
/// conservation property: residents times accessibility sum to the supply of the practices with anyone
/// in reach, within 0.1%.
void check_accessibility(const geo::Dataset& d, const geo::Plan& p) {
    GEOSContextHandle_t h = d.geos->handle();
    std::vector<geo::Point> points;
    for (const geo::Area& a : d.areas) {
        const geo::Geometry point = geo::adopt(*d.geos, GEOSPointOnSurface_r(h, a.geometry.get()), "point on surface");
        geo::Point at;
        GEOSGeomGetX_r(h, point.get(), &at.x);
        GEOSGeomGetY_r(h, point.get(), &at.y);
        points.push_back(at);
    }
    const geo::DistanceDecay decay = geo::default_distance_decay();
    const auto weight = [&](std::size_t a, std::size_t q) {
        return decay.weight(std::hypot(points[a].x - d.practices[q].location.x, points[a].y - d.practices[q].location.y));
    };
    std::vector<double> reference(d.areas.size(), 0);
    double supply_reached = 0;
    for (std::size_t q = 0; q < d.practices.size(); ++q) {
        double demand = 0;
        for (std::size_t a = 0; a < d.areas.size(); ++a) demand += static_cast<double>(d.areas[a].population) * weight(a, q);
        if (demand <= 0) continue;
        const double ratio = static_cast<double>(d.practices[q].list_size) / demand;
        supply_reached += static_cast<double>(d.practices[q].list_size);
        for (std::size_t a = 0; a < d.areas.size(); ++a) reference[a] += 1000 * weight(a, q) * ratio;
    }
    double conserved = 0;
    std::size_t differ = 0;
    for (std::size_t a = 0; a < d.areas.size(); ++a) {
        conserved += static_cast<double>(d.areas[a].population) * p.coverage[a].accessibility / 1000;
        if (std::abs(p.coverage[a].accessibility - reference[a]) > 1e-9 * std::max(1.0, reference[a])) ++differ;
    }
    INFO("conserved " << conserved << " of " << supply_reached);
    CHECK(differ == 0);
    CHECK(std::abs(conserved - supply_reached) <= 0.001 * supply_reached);
    CHECK(p.report.supply_reached == Approx(supply_reached).epsilon(1e-12));
}

TEST_CASE("Tower Hamlets plans at least 8 networks each in band or explained", "[shared][plan][tower-hamlets]") {
    const geo::Dataset d = load(test_paths::descriptions() / "tower-hamlets-shared.toml");
    const geo::Plan p = geo::plan(d, geo::PlanOptions{}, *d.geos);
    CHECK(p.networks.size() >= 8);
    std::int64_t planned = 0;
    for (const geo::Network& n : p.networks) {
        INFO(n.id << " " << n.metrics.list_size);
        CHECK(n.metrics.contiguous);
        if (n.metrics.status != geo::BandStatus::in_band) CHECK_FALSE(n.status_reason.empty());
        planned += n.metrics.list_size;
    }
    CHECK(planned == 377414);  // every practice in exactly one network
    check_tessellation(d, p);
    REQUIRE(p.report.has_reference);
    CHECK(p.report.reference.networks == 7);  // the real PCNs
    CHECK(p.report.plan.share_in_band > p.report.reference.share_in_band);
    CHECK(p.report.adjusted_rand_index > 0.3);  // related to the real networks, not random
    CHECK(p.report.adjusted_rand_index < 1.0);
}

TEST_CASE("Tower Hamlets plans are identical for the same seed", "[shared][plan][determinism]") {
    const geo::Dataset d = load(test_paths::descriptions() / "tower-hamlets-shared.toml");
    geo::PlanOptions options;
    const geo::Plan a = geo::plan(d, options, *d.geos);
    const geo::Plan b = geo::plan(d, options, *d.geos);
    CHECK(a.practice_network == b.practice_network);
    for (std::size_t i = 0; i < a.networks.size(); ++i) {
        CHECK(geo::to_wkt(*d.geos, a.networks[i].polygon.get()) == geo::to_wkt(*d.geos, b.networks[i].polygon.get()));
    }
}

TEST_CASE("Tower Hamlets with the nearest-practice method still tessellates", "[shared][plan]") {
    const geo::Dataset d = load(test_paths::descriptions() / "tower-hamlets-shared.toml");
    geo::PlanOptions options;
    options.method = geo::CatchmentMethod::nearest;
    const geo::Plan p = geo::plan(d, options, *d.geos);
    CHECK(p.networks.size() >= 8);
    CHECK(p.report.plan.non_contiguous == 0);
    check_tessellation(d, p);
}

TEST_CASE("All London with the borough constraint: 96% of networks in band, cohesion 64.5%, all contiguous", "[plan][london][sample]") {
    const geo::Dataset d = load(test_paths::sample_dir());
    geo::PlanOptions options;
    options.constraint_field = "lad11cd";
    const geo::Plan p = geo::plan(d, options, *d.geos);
    const auto& plan = p.report.plan;
    INFO("networks " << plan.networks << ", in band " << plan.in_band << ", cohesion " << plan.cohesion);
    CHECK(plan.share_in_band >= 0.96);
    CHECK(test_reference::cohesion(d, p.practice_network) >= 0.645);
    CHECK(plan.cohesion == Approx(test_reference::cohesion(d, p.practice_network)).epsilon(1e-12));
    CHECK(plan.non_contiguous == 0);
    for (const geo::Network& n : p.networks) {
        std::set<std::string> boroughs;
        for (const std::uint32_t a : n.areas) boroughs.insert(d.areas[a].group);
        CHECK(boroughs.size() <= 1);  // no network crosses a borough boundary
        if (n.metrics.status != geo::BandStatus::in_band) {
            CHECK_FALSE(n.status_reason.empty());
            CHECK(n.band_cause != geo::BandCause::none);
        }
    }
    CHECK(plan.forced + plan.not_reached == plan.networks - plan.in_band);
    check_tessellation(d, p);
    check_accessibility(d, p);
    // Side by side with the real PCNs (SOURCES.md: 94 of London's 199 PCNs lie in 30-50k), scored on
    // their own dominant areas: 65.0% cohesion, whatever the plan's options.
    REQUIRE(p.report.has_reference);
    CHECK(p.report.reference.networks == 199);
    CHECK(p.report.reference.in_band == 94);
    CHECK(p.report.reference.cohesion == Approx(0.6500).margin(0.0005));
    CHECK(plan.share_in_band > p.report.reference.share_in_band);
    geo::PlanOptions other = options;
    other.max_list_size = 60000;
    other.constraint_field.clear();
    other.construction_runs = 1;
    other.sweeps = 10;
    CHECK(geo::plan(d, other, *d.geos).report.reference.cohesion == p.report.reference.cohesion);
}

TEST_CASE("All London unconstrained: 97% of networks in band, cohesion 65.0%, same plan with one thread or two", "[plan][london][sample]") {
    const geo::Dataset d = load(test_paths::sample_dir());
    geo::PlanOptions options;
    const geo::Plan p = geo::plan(d, options, *d.geos);
    INFO("networks " << p.report.plan.networks << ", in band " << p.report.plan.in_band << ", cohesion " << p.report.plan.cohesion);
    CHECK(p.report.plan.share_in_band >= 0.97);
    CHECK(test_reference::cohesion(d, p.practice_network) >= 0.650);
    CHECK(p.report.plan.non_contiguous == 0);
    check_tessellation(d, p);
    options.threads = 1;
    const geo::Plan single = geo::plan(d, options, *d.geos);
    CHECK(single.practice_network == p.practice_network);
}
