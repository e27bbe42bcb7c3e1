#include "geo/summary.hpp"

#include <catch2/catch.hpp>

using namespace geo;

namespace {

// Two 1 km squares in British National Grid, three practices (one outside), and registrations that
// exercise every fate a row can have.
Dataset small_dataset() {
    Dataset d;
    GeosContext& context = *d.geos;
    d.name = "two squares";
    d.working_crs = "EPSG:27700";
    d.areas.resize(2);
    d.areas[0] = {"A1", "west", "B1", 100, from_wkt(context, "POLYGON ((530000 180000, 531000 180000, 531000 181000, 530000 181000, 530000 180000))"), {}};
    d.areas[1] = {"A2", "east", "B1", 250, from_wkt(context, "MULTIPOLYGON (((531000 180000, 532000 180000, 532000 181000, 531000 181000, 531000 180000), (531400 180400, 531600 180400, 531600 180600, 531400 180600, 531400 180400)), ((533000 180000, 533100 180000, 533100 180100, 533000 180000)))"), {}};
    d.practices = {{"P1", "one", {530500, 180500}, 0, "N1", {}, ""}, {"P2", "two", {531500, 180900}, 0, "N1", {}, ""},
                   {"P3", "outside", {540000, 180500}, 0, "", {}, ""}};
    d.practices[0].list_size = 30;
    d.practices[1].list_size = 70;
    d.practices[2].list_size = 5;
    d.registrations = {
        {0, 0, 20, "P1", "A1"},          {0, 1, 10, "P1", "A2"},
        {1, 1, 60, "P2", "A2"},          {1, kAreaNotRecorded, 4, "P2", "NO2011"},
        {1, kUnmatched, 6, "P2", "E09"}, {kUnmatched, 0, 9, "X1", "A1"},
        {kUnmatched, kUnmatched, 1, "X2", "E08"}, {0, 0, 2, "P1", "A1"},
    };
    return d;
}

}  // namespace

TEST_CASE("Summary counts - totals and the fate of every registration row", "[summary]") {
    const Dataset d = small_dataset();
    const DatasetSummary s = summarize(d, *d.geos);
    CHECK(s.area_count == 2);
    CHECK(s.population == 350);
    CHECK(s.multipart_areas == 1);
    CHECK(s.areas_with_holes == 1);
    CHECK(s.area_km2 == Approx(1 + 1 - 0.04 + 0.005));
    CHECK(s.practice_count == 3);
    CHECK(s.list_size_total == 105);
    CHECK(s.practices_outside_areas == std::vector<std::string>{"P3"});
    CHECK(s.practices_without_registrations == std::vector<std::string>{"P3"});

    CHECK(s.registration_rows == 8);
    CHECK(s.registered_patients == 20 + 10 + 60 + 4 + 6 + 2);
    CHECK(s.registered_in_study_area == 92);
    CHECK(s.duplicate_pairs.rows == 1);
    CHECK(s.duplicate_pairs.patients == 2);
    CHECK(s.duplicate_pairs.examples == std::vector<std::string>{"P1 A1"});
    CHECK(s.area_not_recorded.rows == 1);
    CHECK(s.area_not_recorded.patients == 4);
    CHECK(s.area_outside_study.patients == 6);
    CHECK(s.area_outside_study.examples == std::vector<std::string>{"E09"});
    CHECK(s.unknown_practice.rows == 2);
    CHECK(s.unknown_practice.patients == 10);
    CHECK(s.unknown_practice.distinct_codes == 2);
    CHECK(s.unknown_practice.examples == std::vector<std::string>{"X1", "X2"});
}

TEST_CASE("Summary extent covers areas and practices - in working CRS and lon/lat", "[summary]") {
    const Dataset d = small_dataset();
    const DatasetSummary s = summarize(d, *d.geos);
    CHECK(s.extent.min_x == 530000);
    CHECK(s.extent.max_x == 540000);  // the practice outside
    CHECK(s.extent.max_y == 181000);
    CHECK(s.extent_lonlat.min_x == Approx(-0.1284).margin(0.001));  // 530000 E, 180000 N
    CHECK(s.extent_lonlat.min_y == Approx(51.50).margin(0.01));
}

TEST_CASE("Summary of a dataset without registrations reports none missing", "[summary]") {
    Dataset d = small_dataset();
    d.registrations.clear();
    const DatasetSummary s = summarize(d, *d.geos);
    CHECK(s.registration_rows == 0);
    CHECK(s.practices_without_registrations.empty());
    CHECK(s.unknown_practice.rows == 0);
}
