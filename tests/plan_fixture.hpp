#pragma once
// A hand-made plan on a tiny dataset, for the tests of what renders or writes plans (they must not
// depend on the planner itself): two 1 km squares side by side, three practices (P3 excluded), two
// networks meeting along x = 531000, one catchment per practice (P3's is empty), one core catchment,
// and A2 a coverage gap.
#include "geo/dataset.hpp"
#include "geo/plan.hpp"

namespace plan_fixture {

struct Example {
    geo::Dataset dataset;  // declared first: the plan's geometries use its GEOS context
    geo::Plan plan;
};

inline constexpr const char* kSquare1 = "POLYGON ((530000 180000, 531000 180000, 531000 181000, 530000 181000, 530000 180000))";
inline constexpr const char* kSquare2 = "POLYGON ((531000 180000, 532000 180000, 532000 181000, 531000 181000, 531000 180000))";

inline Example example() {
    Example e;
    geo::Dataset& d = e.dataset;
    geo::GeosContext& context = *d.geos;
    d.name = "two squares";
    d.attribution = "Contains hand-made test data © nobody";
    d.working_crs = "EPSG:27700";
    auto area = [&context](const char* code, const char* name, std::int64_t population, const char* wkt) {
        geo::Area a;
        a.code = code;
        a.name = name;
        a.group = "B1";
        a.population = population;
        a.geometry = geo::from_wkt(context, wkt);
        return a;
    };
    d.areas.push_back(area("A1", "west", 100, kSquare1));
    d.areas.push_back(area("A2", "east", 200, kSquare2));
    auto practice = [](const char* code, const char* name, double x, std::int64_t list_size, const char* reference) {
        geo::Practice p;
        p.code = code;
        p.name = name;
        p.location = {x, 180500};
        p.list_size = list_size;
        p.reference_network = reference;
        return p;
    };
    d.practices = {practice("P1", "One", 530500, 1000, "PCN1"), practice("P2", "Two, \"the\" surgery", 531500, 2000, "PCN1"),
                   practice("P3", "Three", 532500, 500, "")};

    geo::Plan& p = e.plan;
    p.options.min_list_size = 1500;
    p.options.max_list_size = 2500;
    p.options.constraint_field = "group";
    p.options.excluded_practices = {"P3"};
    p.options.seed = 7;
    p.areas = {{.dominant_practice = 0, .dominated_externally = false, .owner = 0, .network = 0},
               // A2: its top registrant is outside the study
               {.dominant_practice = -1, .dominated_externally = true, .owner = 1, .network = 1}};
    p.practice_network = {0, 1, -1};

    auto catchment = [&context](std::uint32_t practice_index, std::vector<std::uint32_t> areas, std::int64_t population,
                                std::int64_t registered, double share, const char* wkt) {
        geo::Catchment c;
        c.practice = practice_index;
        c.areas = std::move(areas);
        c.population = population;
        c.registered = registered;
        c.share = share;
        if (wkt != nullptr) c.polygon = geo::from_wkt(context, wkt);
        return c;
    };
    p.catchments.push_back(catchment(0, {0}, 100, 800, 0.8, kSquare1));
    p.catchments.push_back(catchment(1, {1}, 200, 1900, 0.95, kSquare2));
    p.catchments.push_back(catchment(2, {}, 0, 0, 0, nullptr));  // no areas: no geometry
    p.core_catchments.push_back(catchment(0, {0}, 100, 800, 0.8, kSquare1));

    p.networks.resize(2);
    geo::Network& west = p.networks[0];
    west.id = "N001";
    west.name = "West";
    west.practices = {0};
    west.areas = {0};
    west.hub = 0;
    west.constraint_value = "B1";
    west.status_reason = "1,000 patients, below --min 1,500";
    west.metrics = {.list_size = 1000, .population = 100, .registered_inside = 800, .cohesion = 0.8, .area_km2 = 1.0,
                    .perimeter_km = 4.0, .polsby_popper = 0.785, .contiguous = true, .status = geo::BandStatus::below_band,
                    .residents_per_practice = 100, .people_in_gaps = 0};
    west.polygon = geo::from_wkt(context, kSquare1);
    geo::Network& east = p.networks[1];
    east.id = "N002";
    east.name = "East network with a name longer than the table";
    east.practices = {1};
    east.areas = {1};
    east.hub = 1;
    east.constraint_value = "B1";
    east.locked = true;
    east.metrics = {.list_size = 2000, .population = 200, .registered_inside = 1900, .cohesion = 0.95, .area_km2 = 1.0,
                    .perimeter_km = 4.0, .polsby_popper = 0.785, .contiguous = true, .status = geo::BandStatus::in_band,
                    .residents_per_practice = 200, .people_in_gaps = 200};
    east.polygon = geo::from_wkt(context, kSquare2);

    geo::NetworkBorder border;
    border.network_a = 0;
    border.network_b = 1;
    border.length_m = 1000;
    border.line = geo::from_wkt(context, "LINESTRING (531000 180000, 531000 181000)");
    p.borders.push_back(std::move(border));
    p.coverage.resize(2);
    p.coverage[0].nearest_practice = 0;
    p.coverage[0].registered_to_resident = 8.0;
    p.coverage[0].residents_per_practice = 100;
    p.coverage[1].nearest_practice = 1;
    p.coverage[1].nearest_practice_m = 1700;
    p.coverage[1].hub_m = 500;
    p.coverage[1].registered_to_resident = 9.5;
    p.coverage[1].residents_per_practice = 200;
    p.coverage[1].gap = true;
    p.coverage[1].gap_criteria = geo::gap_distance;
    p.coverage[1].gap_reason = "farther than 1600 m from any practice (urban area)";
    p.coverage[0].accessibility = 12.5;  // capacity per 1,000 residents
    p.coverage[1].accessibility = 4.0;
    p.coverage[0].access_rank = p.coverage[0].access_group_rank = 2;
    p.coverage[1].access_rank = p.coverage[1].access_group_rank = 1;
    p.coverage[0].constraint_group = p.coverage[1].constraint_group = "B1";

    geo::QualityReport& r = p.report;
    r.plan = {.networks = 2, .in_band = 1, .share_in_band = 0.5, .min_size = 1000, .median_size = 1500, .max_size = 2000,
              .cohesion = 0.9, .mean_polsby_popper = 0.785, .non_contiguous = 0};
    r.has_reference = true;
    r.reference = {.networks = 1, .in_band = 0, .share_in_band = 0.0, .min_size = 3000, .median_size = 3000,
                   .max_size = 3000, .cohesion = 0.97, .mean_polsby_popper = 0.5, .non_contiguous = 1};
    r.adjusted_rand_index = 0.25;
    r.people_in_gaps = 200;
    r.gap_areas = 1;
    r.runtime_s = 1.25;
    r.notes = {"1 island bridged"};
    return e;
}

/// The example with the fields its areas and practices were "read" with: a borough name, fields that
/// clash with the published ones (population, Area_Code in another case, fid), numbers and a null.
inline Example example_with_input_fields() {
    Example e = example();
    geo::Dataset& d = e.dataset;
    d.area_fields = {"borough_name", "population", "Area_Code", "fid", "households", "imd_score"};
    d.area_field_types = {geo::FieldType::text, geo::FieldType::integer, geo::FieldType::text, geo::FieldType::integer, geo::FieldType::integer,
                          geo::FieldType::real};
    d.areas[0].attributes = {"Westminster", "110", "A1", "1", "45", "12.5"};
    d.areas[1].attributes = {"Camden", "190", "A2", "2", "", "30.25"};  // no households: null
    d.practice_fields = {"practice_code", "postcode"};
    d.practice_field_types = {geo::FieldType::text, geo::FieldType::text};
    for (geo::Practice& practice : d.practices) practice.attributes = {practice.code, "E1 1BU"};
    return e;
}

}  // namespace plan_fixture
