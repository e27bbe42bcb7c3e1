// Loading paths on small fixtures: CSV with WKT, GeoJSON in WGS 84, postcode lookups, population
// joins, list sizes summed or checked, repaired geometries.
#include "data/loader.hpp"
#include "fixtures.hpp"
#include "geo/summary.hpp"

#include <catch2/catch.hpp>

using fixtures::SmallDataset;
using fixtures::TempDir;

TEST_CASE("A CSV with WKT areas - x/y practices and registrations loads and joins", "[loading]") {
    TempDir dir;
    const geo::Dataset d = data::load_dataset(data::describe(SmallDataset{}.write(dir)));
    REQUIRE(d.areas.size() == 2);
    CHECK(d.areas[1].code == "A2");
    CHECK(d.areas[1].name == "Area two");
    CHECK(d.areas[1].population == 200);
    CHECK(d.practices[0].location.x == 530500);
    CHECK(d.practices[1].list_size == 2000);
    CHECK(d.working_crs == "EPSG:27700");
    REQUIRE(d.registrations.size() == 5);
    CHECK(d.registrations[3].area == geo::kAreaNotRecorded);
    CHECK(d.registrations[4].practice == geo::kUnmatched);
    CHECK(d.list_size_mismatches.empty());  // 1000 = 800 + 200 and 2000 = 1900 + 100
    const geo::DatasetSummary s = geo::summarize(d, *d.geos);
    CHECK(s.unknown_practice.patients == 5);
    CHECK(s.area_not_recorded.patients == 100);
    CHECK(s.registered_in_study_area == 2900);
}

TEST_CASE("List sizes are summed from registrations when no field is given", "[loading]") {
    TempDir dir;
    data::Settings settings = SmallDataset{}.write(dir);
    settings.values.erase("practices.list_size_field");
    const geo::Dataset d = data::load_dataset(data::describe(settings));
    CHECK(d.list_size_from_registrations);
    CHECK(d.practices[0].list_size == 1000);
    CHECK(d.practices[1].list_size == 2000);  // the NO2011 row still counts
}

TEST_CASE("A list-size field that disagrees with registrations is reported - not changed", "[loading]") {
    TempDir dir;
    SmallDataset files;
    files.practices_csv = "code,name,x,y,list\nP1,One,530500,180500,1010\nP2,Two,531500,180500,2000\n";
    const geo::Dataset d = data::load_dataset(data::describe(files.write(dir)));
    REQUIRE(d.list_size_mismatches.size() == 1);
    CHECK(d.list_size_mismatches[0].code == "P1");
    CHECK(d.list_size_mismatches[0].list_size_field == 1010);
    CHECK(d.list_size_mismatches[0].registrations_sum == 1000);
    CHECK(d.practices[0].list_size == 1010);
}

TEST_CASE("Practices are located through a postcode lookup - whatever the spacing and case", "[loading]") {
    TempDir dir;
    SmallDataset files;
    files.practices_csv = "code,name,x,y,list,postcode\nP1,One,0,0,1000,E1 1BU\nP2,Two,0,0,2000,e16ab\n";
    data::Settings settings = files.write(dir);
    settings.set("practices.x_field", "");
    settings.set("practices.y_field", "");
    settings.set("practices.postcode_field", "postcode");
    settings.set("postcodes.source", (dir.path() / "postcodes.csv").string());
    settings.set("postcodes.key_field", "Postcode");
    settings.set("postcodes.x_field", "Eastings");
    settings.set("postcodes.y_field", "Northings");
    settings.set("postcodes.crs", "EPSG:27700");
    const geo::Dataset d = data::load_dataset(data::describe(settings));
    CHECK(d.practices[0].location.x == 530500);
    CHECK(d.practices[1].location.x == 531500);
    CHECK(d.practices[1].location.y == 180500);
}

TEST_CASE("Population joins from a separate table - extra rows are reported", "[loading]") {
    TempDir dir;
    data::Settings settings = SmallDataset{}.write(dir);
    settings.values.erase("areas.population_field");
    settings.set("population.source", dir.write("pop.csv", "LSOA,people\nA2,20\nA1,10\nZ9,1\n"));
    settings.set("population.key_field", "LSOA");
    settings.set("population.value_field", "people");
    const geo::Dataset d = data::load_dataset(data::describe(settings));
    CHECK(d.areas[0].population == 10);
    CHECK(d.areas[1].population == 20);
    CHECK(d.population_rows_unmatched == std::vector<std::string>{"Z9"});
}

TEST_CASE("GeoJSON areas and points in WGS 84 are reprojected into the working CRS", "[loading]") {
    TempDir dir;
    data::Settings settings = SmallDataset{}.write(dir);
    // A square around Albion Health Centre (E1 1BU: 534859 E, 181910 N; -0.057658, 51.520017), with a hole.
    settings.set("areas.source", dir.write("areas.geojson", R"({"type": "FeatureCollection", "features": [
      {"type": "Feature", "properties": {"code": "A1", "name": "Whitechapel", "pop": 1500},
       "geometry": {"type": "MultiPolygon", "coordinates": [[[[-0.07, 51.51], [-0.05, 51.51], [-0.05, 51.53], [-0.07, 51.53], [-0.07, 51.51]],
                                                             [[-0.065, 51.515], [-0.065, 51.516], [-0.064, 51.516], [-0.064, 51.515], [-0.065, 51.515]]],
                                                            [[[-0.04, 51.51], [-0.03, 51.51], [-0.03, 51.52], [-0.04, 51.51]]]]}}]})"));
    settings.set("areas.geometry_field", "");
    settings.set("areas.crs", "");  // GeoJSON declares WGS 84
    settings.set("practices.source", dir.write("practices.geojson", R"({"type": "FeatureCollection", "features": [
      {"type": "Feature", "properties": {"code": "F84012", "name": "Albion", "list": 9713},
       "geometry": {"type": "Point", "coordinates": [-0.057658, 51.520017]}}]})"));
    settings.set("practices.x_field", "");
    settings.set("practices.y_field", "");
    settings.set("practices.crs", "");
    settings.values.erase("registrations.source");
    settings.values.erase("registrations.practice_field");
    settings.values.erase("registrations.area_field");
    settings.values.erase("registrations.patients_field");
    const geo::Dataset d = data::load_dataset(data::describe(settings));
    REQUIRE(d.practices.size() == 1);
    CHECK(std::hypot(d.practices[0].location.x - 534859, d.practices[0].location.y - 181910) < 2.0);
    const geo::DatasetSummary s = geo::summarize(d, *d.geos);
    CHECK(s.multipart_areas == 1);
    CHECK(s.areas_with_holes == 1);
    CHECK(s.practices_outside_areas.empty());
    CHECK(s.extent.min_x > 530000);  // metres, not degrees
}

TEST_CASE("Invalid polygons are repaired with make-valid and counted", "[loading]") {
    TempDir dir;
    SmallDataset files;
    files.areas_csv += "A3,Bow tie,10,\"POLYGON ((533000 180000,534000 181000,534000 180000,533000 181000,533000 180000))\"\n";
    const geo::Dataset d = data::load_dataset(data::describe(files.write(dir)));
    REQUIRE(d.repaired_areas.size() == 1);
    CHECK(d.repaired_areas[0].code == "A3");
    CHECK_THAT(d.repaired_areas[0].reason, Catch::Contains("Self-intersection"));
    CHECK(GEOSisValid_r(d.geos->handle(), d.areas[2].geometry.get()) == 1);
    CHECK(geo::area_of(*d.geos, d.areas[2].geometry.get()) == Approx(500000));
}
