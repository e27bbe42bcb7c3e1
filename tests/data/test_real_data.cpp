// The real London data in ../shared/data (figures from its SOURCES.md), and the bundled sample.
#include "data/loader.hpp"
#include "geo/summary.hpp"
#include "paths.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace {

data::Settings tower_hamlets() { return data::read_description(test_paths::descriptions() / "tower-hamlets-shared.toml"); }
data::Settings london() { return data::read_description(test_paths::descriptions() / "london-shared.toml"); }

struct Loaded {
    geo::Dataset dataset;
    geo::DatasetSummary summary;
};
Loaded load(const data::Settings& settings) {
    Loaded out{data::load_dataset(data::describe(settings)), {}};
    out.summary = geo::summarize(out.dataset, *out.dataset.geos);
    return out;
}

/// Largest distance between the same practice located two ways.
double largest_offset(const geo::Dataset& a, const geo::Dataset& b) {
    REQUIRE(a.practices.size() == b.practices.size());
    double worst = 0;
    for (std::size_t i = 0; i < a.practices.size(); ++i) {
        REQUIRE(a.practices[i].code == b.practices[i].code);
        worst = std::max(worst, std::hypot(a.practices[i].location.x - b.practices[i].location.x,
                                           a.practices[i].location.y - b.practices[i].location.y));
    }
    return worst;
}

}  // namespace

TEST_CASE("Tower Hamlets: 32 practices - 377414 patients - 144 LSOAs - 331969 people", "[shared][tower-hamlets]") {
    const Loaded th = load(tower_hamlets());
    CHECK(th.summary.practice_count == 32);
    CHECK(th.summary.list_size_total == 377414);
    CHECK(th.summary.area_count == 144);
    CHECK(th.summary.population == 331969);
    CHECK(th.summary.registration_rows == 5864);
    CHECK(th.summary.registered_patients == 377414);
    CHECK(th.summary.registered_in_study_area == 367962);  // SOURCES.md: living in Tower Hamlets LSOAs
    CHECK(th.summary.area_not_recorded.examples == std::vector<std::string>{"NO2011"});
    CHECK(th.summary.list_size_mismatches.empty());
    CHECK(th.summary.practices_outside_areas.empty());
    CHECK(th.summary.area_km2 == Approx(19.7).margin(0.1));
    std::vector<std::string> networks;
    for (const auto& p : th.dataset.practices) networks.push_back(p.reference_network);
    std::sort(networks.begin(), networks.end());
    CHECK(std::unique(networks.begin(), networks.end()) - networks.begin() == 7);  // 7 real PCNs
}

TEST_CASE("All London: 4835 areas - 9002488 people - 1183 London practices", "[shared][london]") {
    const Loaded ldn = load(london());
    CHECK(ldn.summary.area_count == 4835);
    CHECK(ldn.summary.population == 9002488);
    CHECK(ldn.summary.area_km2 == Approx(1573.5).margin(0.1));
    CHECK(ldn.summary.multipart_areas == 26);  // SOURCES.md: 26 features with more than one ring or part
    CHECK(ldn.summary.practice_count == 1183);
    CHECK(ldn.summary.registration_rows == 304958);
    CHECK(ldn.summary.unknown_practice.distinct_codes == 907);  // practices outside London with London residents
    // Every London LSOA resident registered anywhere: London practices' in-area rows plus other practices'.
    std::int64_t in_london_lsoas = ldn.summary.registered_in_study_area;
    for (const auto& row : ldn.dataset.registrations) {
        if (row.practice == geo::kUnmatched && row.area >= 0) in_london_lsoas += row.patients;
    }
    CHECK(in_london_lsoas == 10636722);  // SOURCES.md: sum of reg_patients_jul2022 over London LSOAs
    CHECK(ldn.summary.area_not_recorded.rows > 0);
    CHECK(ldn.summary.practices_without_registrations.empty());
    CHECK(ldn.summary.duplicate_pairs.rows == 0);  // NHS Digital publishes one row per practice and LSOA
}

TEST_CASE("London list sizes summed from registrations equal the published list sizes", "[shared][london]") {
    data::Settings settings = london();
    settings.set("practices.list_size_field", "patients_jul2022");
    const Loaded ldn = load(settings);
    CHECK(ldn.summary.list_size_mismatches.empty());
    CHECK_FALSE(ldn.summary.list_size_from_registrations);
    CHECK(ldn.summary.list_size_total == ldn.summary.registered_patients);
}

TEST_CASE("A practice's lon/lat and easting/northing agree within 2 m after reprojection", "[shared][crs]") {
    const Loaded from_lonlat = load(tower_hamlets());  // lon_wgs84/lat_wgs84 in EPSG:4326
    data::Settings settings = tower_hamlets();
    settings.set("practices.x_field", "easting_bng");
    settings.set("practices.y_field", "northing_bng");
    settings.set("practices.crs", "EPSG:27700");
    const Loaded from_grid = load(settings);
    CHECK(largest_offset(from_lonlat.dataset, from_grid.dataset) < 2.0);
    const auto& albion = from_lonlat.dataset.practices.front();
    REQUIRE(albion.code == "F84012");
    CHECK(std::hypot(albion.location.x - 534859, albion.location.y - 181910) < 2.0);
}

TEST_CASE("Practices located by postcode through Code-Point Open match the grid references", "[shared][postcode]") {
    data::Settings settings = tower_hamlets();
    settings.set("practices.x_field", "");
    settings.set("practices.y_field", "");
    settings.set("practices.crs", "");
    settings.set("practices.postcode_field", "postcode");
    settings.set("postcodes.source", (test_paths::shared_data() / "practices/codepoint-open-2025-10-gp-postcodes.csv").string());
    settings.set("postcodes.key_field", "Postcode");
    settings.set("postcodes.x_field", "Eastings");
    settings.set("postcodes.y_field", "Northings");
    settings.set("postcodes.crs", "EPSG:27700");
    const Loaded by_postcode = load(settings);
    settings = tower_hamlets();
    settings.set("practices.x_field", "easting_bng");
    settings.set("practices.y_field", "northing_bng");
    settings.set("practices.crs", "EPSG:27700");
    CHECK(largest_offset(by_postcode.dataset, load(settings).dataset) == 0.0);
}

TEST_CASE("The bundled sample loads and agrees with the London data it was derived from", "[shared][sample]") {
    const Loaded sample = load(data::read_description(test_paths::sample_dir()));
    const Loaded ldn = load(london());
    CHECK(sample.summary.area_count == ldn.summary.area_count);
    CHECK(sample.summary.population == ldn.summary.population);
    CHECK(sample.summary.area_km2 == Approx(ldn.summary.area_km2).epsilon(1e-9));
    CHECK(sample.summary.practice_count == ldn.summary.practice_count);
    CHECK(sample.summary.list_size_total == ldn.summary.list_size_total);
    CHECK(sample.summary.registered_in_study_area == ldn.summary.registered_in_study_area);
    CHECK(sample.summary.area_not_recorded.patients == ldn.summary.area_not_recorded.patients);
    CHECK(sample.summary.area_outside_study.patients == ldn.summary.area_outside_study.patients);
    CHECK(sample.summary.list_size_mismatches.empty());
    CHECK(largest_offset(sample.dataset, ldn.dataset) < 0.001);
}

TEST_CASE("All England: the SOURCES totals, and every row that cannot be used reported by code, none dropped", "[shared][england]") {
    const Loaded e = load(data::read_description(test_paths::descriptions() / "england-shared.toml"));
    const geo::Dataset& d = e.dataset;
    CHECK(d.areas.size() == 32844);
    CHECK(e.summary.population == 56286961);
    CHECK(d.registrations.size() == 865965);
    std::int64_t patients = 0, no_area = 0;
    std::set<std::string> welsh;
    for (const geo::Registration& r : d.registrations) {
        patients += r.patients;
        if (r.area == geo::kAreaNotRecorded) no_area += r.patients;
        if (r.area_code.rfind("W01", 0) == 0) welsh.insert(r.area_code);
    }
    CHECK(patients == 61768942);  // every row kept
    CHECK(no_area == 27415);      // NO2011
    CHECK(welsh.size() == 95);    // Welsh LSOAs, outside the study
    CHECK(e.summary.area_outside_study.distinct_codes == 95);
    // The eight practices without coordinates are left out, named, and their rows kept as rows of practices not loaded.
    std::vector<std::string> unplaced;
    for (const geo::UnplacedPractice& u : d.unplaced_practices) {
        unplaced.push_back(u.code);
        CHECK(u.reason.rfind("no coordinates at row ", 0) == 0);
    }
    CHECK(unplaced == std::vector<std::string>{"J82035", "M81057", "N81050", "N81119", "N83018", "N85002", "N85040", "P86022"});
    CHECK(d.practices.size() == 6484 - 8);
    CHECK(e.summary.unknown_practice.distinct_codes == 8);
    CHECK(e.summary.practices_outside_areas.empty());
}

TEST_CASE("Practices outside the study areas are left out and reported: Tower Hamlets with every London practice", "[shared][tower-hamlets]") {
    data::Settings settings = tower_hamlets();
    settings.set("practices.source", (test_paths::shared_data() / "practices/practices-jul2022-london-subset.csv").string());
    const Loaded th = load(settings);
    // The table's 2,090 practices: Tower Hamlets' 32 stay; the rest stand outside its 144 areas, or have no coordinates.
    CHECK(th.dataset.practices.size() == 32);
    CHECK(th.dataset.unplaced_practices.size() == 2090 - 32);
    std::size_t no_coordinates = 0;
    for (const geo::UnplacedPractice& u : th.dataset.unplaced_practices) {
        no_coordinates += u.reason.rfind("no coordinates", 0) == 0;
        if (u.reason.rfind("no coordinates", 0) != 0) CHECK(u.reason.rfind("outside every study area (", 0) == 0);
    }
    CHECK(no_coordinates == 1);  // M81057 (SOURCES.md)
    CHECK(th.summary.list_size_total == 377414);
}

TEST_CASE("England from ODS epraccur and two Code-Point lookups places the derived table's practices where it does", "[shared][england][ods]") {
    const geo::Dataset ods = data::load_dataset(data::describe(data::read_description(test_paths::descriptions() / "england-ods-shared.toml")));
    const geo::Dataset derived = data::load_dataset(data::describe(data::read_description(test_paths::descriptions() / "england-shared.toml")));
    std::map<std::string, geo::Point> at;
    for (const geo::Practice& p : ods.practices) at.emplace(p.code, p.location);
    std::size_t same = 0, missing = 0;
    for (const geo::Practice& p : derived.practices) {
        const auto it = at.find(p.code);
        if (it == at.end()) {
            ++missing;  // not an active GP practice in the June epraccur: its rows are reported as of practices not loaded
            continue;
        }
        INFO(p.code);
        CHECK(std::hypot(it->second.x - p.location.x, it->second.y - p.location.y) < 1.0);
        ++same;
    }
    CHECK(same >= 6440);
    CHECK(missing <= 40);
    // Nothing silent: every epraccur practice that is not placed is named with its reason.
    CHECK(ods.unplaced_practices.size() > 300);  // Welsh practices outside England, and postcodes in neither lookup
    for (const geo::UnplacedPractice& u : ods.unplaced_practices) {
        const bool known = u.reason.rfind("outside every study area", 0) == 0 || u.reason.rfind("postcode '", 0) == 0;
        INFO(u.code << ": " << u.reason);
        CHECK(known);
    }
}

TEST_CASE("A stated CRS the coordinates do not fit is an error naming the table and the CRS's area of use", "[shared][tower-hamlets][crs]") {
    data::Settings settings = tower_hamlets();
    settings.set("practices.crs", "EPSG:32630");  // UTM 30N metres, for lon/lat values
    CHECK_THROWS_WITH(data::load_dataset(data::describe(settings)),
                      Catch::Contains("th-practices-jul2022.csv") && Catch::Contains("lie outside where EPSG:32630 is used (longitude -6.00 to 0.00") &&
                          Catch::Contains("practices.crs does not match them"));
}
