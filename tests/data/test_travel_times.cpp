// The optional travel-time table: pairs joined to the loaded areas and practices and sorted, rows that
// do not join reported, bad minutes and repeated pairs refused with the file, row and field.
#include "data/errors.hpp"
#include "data/loader.hpp"
#include "data/ogr_layer.hpp"
#include "fixtures.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using fixtures::SmallDataset;
using fixtures::TempDir;

namespace {

constexpr const char* kHeader = "area,practice,minutes\n";

/// The small dataset with `rows` (after the header) as its travel-time table.
data::Settings with_travel_times(const TempDir& dir, const std::string& rows, SmallDataset files = {}) {
    data::Settings settings = files.write(dir);
    settings.set("travel_times.source", dir.write("travel.csv", kHeader + rows));
    settings.set("travel_times.area_field", "area");
    settings.set("travel_times.practice_field", "practice");
    settings.set("travel_times.minutes_field", "minutes");
    return settings;
}

std::string load_error(const data::Settings& settings) {
    try {
        data::load_dataset(data::describe(settings));
    } catch (const data::InputError& e) {
        return e.what();
    }
    return "(loaded without an error)";
}

bool same(const geo::TravelTime& t, std::uint32_t area, std::uint32_t practice, double minutes) {
    return t.area == area && t.practice == practice && t.minutes == minutes;
}

/// Stops the load (as a server asked to stop does) when the travel times begin.
class StopAtTravelTimes : public data::Progress {
public:
    struct Stopped {};
    void begin(std::string_view stage, std::int64_t) override {
        if (stage == "travel times") throw Stopped{};
    }
};

}  // namespace

TEST_CASE("Travel times join to areas and practices by code and come sorted by pair", "[travel-times]") {
    TempDir dir;
    const geo::Dataset d = data::load_dataset(data::describe(with_travel_times(dir, "A2,P2,4.5\nA1,P2,12\nA2,P1,9\nA1,P1,0\n")));
    REQUIRE(d.travel_times.size() == 4);
    CHECK(same(d.travel_times[0], 0, 0, 0));
    CHECK(same(d.travel_times[1], 0, 1, 12));
    CHECK(same(d.travel_times[2], 1, 0, 9));
    CHECK(same(d.travel_times[3], 1, 1, 4.5));
    CHECK(d.travel_times_unmatched.empty());
    REQUIRE_FALSE(d.sources.empty());
    CHECK(d.sources.back().role == "travel_times");
    CHECK(d.sources.back().path == (dir.path() / "travel.csv").string());
    CHECK(d.sources.back().rows_read == 4);
    CHECK(d.registrations.size() == 5);  // read beside them, on their own thread
}

TEST_CASE("Without a travel-time table there are no travel times", "[travel-times]") {
    TempDir dir;
    const geo::Dataset d = data::load_dataset(data::describe(SmallDataset{}.write(dir)));
    CHECK(d.travel_times.empty());
    CHECK(d.travel_times_unmatched.empty());
    for (const geo::SourceInfo& s : d.sources) CHECK(s.role != "travel_times");
}

TEST_CASE("Travel-time rows naming no loaded area or practice are reported - not dropped silently", "[travel-times]") {
    TempDir dir;
    SmallDataset files;
    files.practices_csv += "P4,Four,560000,180500,700,E1 1BU\n";  // 28 km east of both areas: left out
    data::Settings settings = with_travel_times(dir, "A1,P1,3\nA9,P1,5\nA1,P9,7\nA9,P9,1\nA2,P4,30\nA2,P2,2\n", files);
    SECTION("an unknown area or practice and a practice left out") {
        const geo::Dataset d = data::load_dataset(data::describe(settings));
        REQUIRE(d.unplaced_practices.size() == 1);
        REQUIRE(d.travel_times.size() == 2);
        CHECK(same(d.travel_times[0], 0, 0, 3));
        CHECK(same(d.travel_times[1], 1, 1, 2));
        CHECK(d.travel_times_unmatched == std::vector<std::string>{
                                              "row 2 (line 3): area 'A9' is not in the study",
                                              "row 3 (line 4): practice 'P9' is not loaded",
                                              "row 4 (line 5): area 'A9' is not in the study and practice 'P9' is not loaded",
                                              "row 5 (line 6): practice 'P4' is not loaded",
                                          });
        CHECK(d.sources.back().rows_read == 6);
    }
    SECTION("an area filtered out by areas.where") {
        settings.set("areas.where", "code = 'A1'");
        const geo::Dataset d = data::load_dataset(data::describe(settings));
        REQUIRE(d.areas.size() == 1);
        REQUIRE(d.practices.size() == 1);  // P2 stands in A2, so it is left out as well
        REQUIRE(d.travel_times.size() == 1);
        CHECK(same(d.travel_times[0], 0, 0, 3));
        REQUIRE(d.travel_times_unmatched.size() == 5);
        CHECK(d.travel_times_unmatched.back() == "row 6 (line 7): area 'A2' is not in the study and practice 'P2' is not loaded");
    }
}

TEST_CASE("Only the first unmatched travel-time rows are kept as examples", "[travel-times]") {
    TempDir dir;
    std::string rows = "A1,P1,3\n";
    for (int i = 0; i < 250; ++i) {
        rows += "X";
        rows += std::to_string(i);
        rows += ",P1,1\n";
    }
    const geo::Dataset d = data::load_dataset(data::describe(with_travel_times(dir, rows)));
    CHECK(d.travel_times.size() == 1);
    REQUIRE(d.travel_times_unmatched.size() == 100);
    CHECK(d.travel_times_unmatched.front() == "row 2 (line 3): area 'X0' is not in the study");
    // How many did not join in all: every row read either joined or did not.
    CHECK(d.sources.back().rows_read - static_cast<std::int64_t>(d.travel_times.size()) == 250);
}

TEST_CASE("Bad minutes name the file and row and field and what was expected", "[travel-times][bad-input]") {
    const std::vector<std::string> bad = {"abc", "-3", "nan", "inf", "3 min", ""};
    for (const std::string& value : bad) {
        DYNAMIC_SECTION("minutes '" << value << "'") {
            TempDir dir;
            const std::string message = load_error(with_travel_times(dir, "A1,P1,3\nA2,P1," + value + "\n"));
            INFO(message);
            CHECK_THAT(message, Catch::Contains((dir.path() / "travel.csv").string()));
            CHECK_THAT(message, Catch::Contains("layer 'travel'"));
            CHECK_THAT(message, Catch::Contains("row 2 (line 3)"));
            CHECK_THAT(message, Catch::Contains("field 'minutes'"));
            std::string expected = "expected a travel time in minutes (a finite number, 0 or more), got ";
            expected += value.empty() ? std::string("an empty value") : "'" + value + "'";
            CHECK_THAT(message, Catch::Contains(expected));
        }
    }
}

TEST_CASE("Other bad travel-time tables are refused with the file and setting", "[travel-times][bad-input]") {
    TempDir dir;
    SECTION("a repeated pair names both rows") {
        const std::string message = load_error(with_travel_times(dir, "A1,P1,3\nA2,P1,4\nA1,P1,5\n"));
        CHECK_THAT(message, Catch::Contains((dir.path() / "travel.csv").string() + ": layer 'travel': row 3 (line 4): "
                                            "duplicate travel time for area 'A1' and practice 'P1' (expected one row per pair; "
                                            "first at row 1 (line 2))"));
    }
    SECTION("a missing area code") {
        CHECK_THAT(load_error(with_travel_times(dir, "A1,P1,3\n,P1,4\n")),
                   Catch::Contains("row 2 (line 3): field 'area': expected an area code, got an empty value"));
    }
    SECTION("a field that is not there") {
        data::Settings settings = with_travel_times(dir, "A1,P1,3\n");
        settings.set("travel_times.minutes_field", "mins");
        CHECK_THAT(load_error(settings), Catch::Contains("field 'mins': no such field (travel_times.minutes_field); fields: area, practice, minutes"));
        CHECK_THROWS_WITH(data::check_sources(data::describe(settings)), Catch::Contains("no such field (travel_times.minutes_field)"));
    }
    SECTION("no rows") {
        CHECK_THAT(load_error(with_travel_times(dir, "")), Catch::Contains("layer 'travel': has no rows"));
    }
    SECTION("a missing file") {
        data::Settings settings = with_travel_times(dir, "A1,P1,3\n");
        settings.set("travel_times.source", (dir.path() / "none.csv").string());
        CHECK_THAT(load_error(settings), Catch::Contains("no such file (travel_times.source)"));
    }
}

TEST_CASE("Travel times come from a GeoPackage table as well", "[travel-times]") {
    TempDir dir;
    data::ensure_gdal_ready();
    const std::string path = dir / "travel.gpkg";
    {
        GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
        REQUIRE(driver != nullptr);
        GDALDatasetUniquePtr gpkg(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        REQUIRE(gpkg);
        OGRLayer* layer = gpkg->CreateLayer("walking", nullptr, wkbNone, nullptr);
        REQUIRE(layer != nullptr);
        OGRFieldDefn lsoa("lsoa", OFTString), ods("ods", OFTString), minutes("mins", OFTReal);
        REQUIRE(layer->CreateField(&lsoa) == OGRERR_NONE);
        REQUIRE(layer->CreateField(&ods) == OGRERR_NONE);
        REQUIRE(layer->CreateField(&minutes) == OGRERR_NONE);
        const std::vector<std::tuple<const char*, const char*, double>> rows = {{"A2", "P1", 14.25}, {"A1", "P1", 2.5}, {"A1", "P7", 8}};
        for (const auto& [area, practice, value] : rows) {
            OGRFeatureUniquePtr feature(OGRFeature::CreateFeature(layer->GetLayerDefn()));
            feature->SetField("lsoa", area);
            feature->SetField("ods", practice);
            feature->SetField("mins", value);
            REQUIRE(layer->CreateFeature(feature.get()) == OGRERR_NONE);
        }
    }
    data::Settings settings = SmallDataset{}.write(dir);
    settings.set("travel_times.source", path);
    settings.set("travel_times.area_field", "lsoa");
    settings.set("travel_times.practice_field", "ods");
    settings.set("travel_times.minutes_field", "mins");
    const geo::Dataset d = data::load_dataset(data::describe(settings));
    REQUIRE(d.travel_times.size() == 2);
    CHECK(same(d.travel_times[0], 0, 0, 2.5));
    CHECK(same(d.travel_times[1], 1, 0, 14.25));
    CHECK(d.travel_times_unmatched == std::vector<std::string>{"feature 3: practice 'P7' is not loaded"});
    CHECK(d.sources.back().layer == "walking");

    SECTION("a negative real number of minutes") {
        {
            GDALDatasetUniquePtr gpkg(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
            REQUIRE(gpkg);
            OGRLayer* layer = gpkg->GetLayerByName("walking");
            OGRFeatureUniquePtr feature(layer->GetFeature(2));
            REQUIRE(feature);
            feature->SetField("mins", -1.5);
            REQUIRE(layer->SetFeature(feature.get()) == OGRERR_NONE);
        }
        CHECK_THAT(load_error(settings), Catch::Contains(path + ": layer 'walking': feature 2: field 'mins': "
                                                                "expected a travel time in minutes (a finite number, 0 or more), got '-1.5'"));
    }
}

TEST_CASE("A stop while the travel times load ends the load - the registrations' thread joined", "[travel-times]") {
    TempDir dir;
    StopAtTravelTimes progress;
    CHECK_THROWS_AS(data::load_dataset(data::describe(with_travel_times(dir, "A1,P1,3\n")), progress), StopAtTravelTimes::Stopped);
}
