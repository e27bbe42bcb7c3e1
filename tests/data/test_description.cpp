#include "data/description.hpp"
#include "data/errors.hpp"
#include "data/loader.hpp"
#include "fixtures.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using fixtures::TempDir;

namespace {
/// The fewest settings that describe a dataset.
data::Settings minimal_settings() {
    data::Settings s;
    s.set("areas.source", "a");
    s.set("areas.id_field", "c");
    s.set("areas.population_field", "p");
    s.set("practices.source", "p");
    s.set("practices.id_field", "c");
    s.set("practices.list_size_field", "n");
    return s;
}
}  // namespace

TEST_CASE("A TOML description resolves paths against its folder", "[description]") {
    TempDir dir;
    std::filesystem::create_directory(dir.path() / "sub");
    dir.write("sub/dataset.toml", R"(
name = "test"
[areas]
source = "areas.gpkg"
id_field = "code"
population_field = "pop"
[practices]
source = "PG:dbname=gis"
id_field = "code"
list_size_field = "list"
[registrations]
source = "/abs/reg.csv"
practice_field = "p"
area_field = "a"
patients_field = "n"
no_area_codes = ["NO2011", "NO2021"]
)");
    const data::Settings settings = data::read_description(dir.path() / "sub");  // a folder means its dataset.toml
    CHECK(settings.get("areas.source") == (dir.path() / "sub" / "areas.gpkg").string());
    CHECK(settings.get("practices.source") == "PG:dbname=gis");  // connection strings stay as they are
    const data::DatasetDescription d = data::describe(settings);
    CHECK(d.name == "test");
    CHECK(d.working_crs == "EPSG:27700");
    REQUIRE(d.registrations);
    CHECK(d.registrations->layer.source == "/abs/reg.csv");
    CHECK(d.registrations->no_area_codes == std::vector<std::string>{"NO2011", "NO2021"});
    CHECK_FALSE(d.population);
    CHECK_FALSE(d.postcodes);
}

TEST_CASE("Flags override the file", "[description]") {
    TempDir dir;
    dir.write("d.toml", "[areas]\nsource = \"a.shp\"\nid_field = \"code\"\npopulation_field = \"pop\"\n"
                        "[practices]\nsource = \"p.csv\"\nid_field = \"code\"\nlist_size_field = \"n\"\n");
    data::Settings settings = data::read_description(dir.path() / "d.toml");
    settings.set("areas.id_field", "LSOA11CD");
    CHECK(data::describe(settings).areas.id_field == "LSOA11CD");
}

TEST_CASE("The fewest settings describe a dataset with defaults", "[description]") {
    const data::DatasetDescription d = data::describe(minimal_settings());
    CHECK(d.working_crs == "EPSG:27700");
    CHECK(d.origin.empty());
    CHECK_FALSE(d.registrations);
}

TEST_CASE("Every setting has a flag", "[description]") {
    CHECK(data::flag_for("areas.id_field") == "--areas-id-field");
    CHECK(data::flag_for("working_crs") == "--working-crs");
    CHECK(data::setting_specs().size() > 30);
}

TEST_CASE("Description errors name the file and the setting", "[description]") {
    TempDir dir;
    SECTION("unknown key lists the known ones") {
        dir.write("d.toml", "[areas]\nsorce = \"a.shp\"\n");
        CHECK_THROWS_WITH(data::read_description(dir.path() / "d.toml"),
                          Catch::Contains("d.toml: setting 'areas.sorce': unknown setting; known in [areas]: source, layer"));
    }
    SECTION("bad TOML gives the line") {
        dir.write("d.toml", "[areas]\nsource = \"a.shp\nid_field = 3\n");
        CHECK_THROWS_WITH(data::read_description(dir.path() / "d.toml"),
                          Catch::Contains("d.toml: line 2") && Catch::Contains("not valid TOML"));
    }
    SECTION("a number where a string is expected") {
        dir.write("d.toml", "[areas]\nid_field = 3\n");
        CHECK_THROWS_WITH(data::read_description(dir.path() / "d.toml"),
                          Catch::Contains("setting 'areas.id_field': expected a string"));
    }
    SECTION("a missing description") {
        CHECK_THROWS_WITH(data::read_description(dir.path() / "none.toml"), Catch::Contains("no such dataset description"));
    }
    SECTION("a name too long for the system, as a description or a source (found by fuzzing: an exception, exit 1)") {
        const std::string long_name(5000, 'a');
        CHECK_THROWS_AS(data::read_description(dir.path() / long_name), data::InputError);
        CHECK_THROWS_WITH(data::read_description(dir.path() / long_name), Catch::Contains("cannot read the dataset description: File name too long"));
        data::Settings s = minimal_settings();
        s.set("areas.source", (dir.path() / long_name).string());
        data::Progress quiet;
        CHECK_THROWS_WITH(data::load_dataset(data::describe(s), quiet), Catch::Contains("cannot read it: File name too long (areas.source)"));
    }
    SECTION("TOML text with its file's name for messages and paths") {
        const data::Settings s = data::parse_description("[areas]\nsource = \"a.gpkg\"\n", dir.path() / "d.toml");
        CHECK(s.get("areas.source") == (dir.path() / "a.gpkg").string());
        CHECK_THROWS_WITH(data::parse_description("[areas\n", dir.path() / "d.toml"), Catch::Contains("d.toml: line 1"));
    }
    SECTION("x without y") {
        data::Settings s = minimal_settings();
        s.set("practices.x_field", "x");
        CHECK_THROWS_WITH(data::describe(s), Catch::Contains("setting 'practices.y_field': required when practices.x_field is set"));
    }
    SECTION("no list size and no registrations") {
        data::Settings s = minimal_settings();
        s.values.erase("practices.list_size_field");
        CHECK_THROWS_WITH(data::describe(s), Catch::Contains("practices.list_size_field': required unless registrations"));
    }
}

TEST_CASE("A travel-time table is described by its own section and flags", "[description][travel-times]") {
    TempDir dir;
    dir.write("d.toml", R"(
[areas]
source = "areas.gpkg"
id_field = "code"
population_field = "pop"
[practices]
source = "p.csv"
id_field = "code"
list_size_field = "list"
[travel_times]
source = "r5r/transit.csv"
layer = "transit"
where = "departure = '08:00'"
open_options = ["AUTODETECT_TYPE=YES"]
encoding = "ISO-8859-1"
area_field = "from_id"
practice_field = "to_id"
minutes_field = "travel_time_p50"
)");
    data::Settings settings = data::read_description(dir.path() / "d.toml");
    CHECK(settings.get("travel_times.source") == (dir.path() / "r5r" / "transit.csv").string());
    data::DatasetDescription d = data::describe(settings);
    REQUIRE(d.travel_times);
    CHECK(d.travel_times->layer.source == (dir.path() / "r5r" / "transit.csv").string());
    CHECK(d.travel_times->layer.layer == "transit");
    CHECK(d.travel_times->layer.where == "departure = '08:00'");
    CHECK(d.travel_times->layer.open_options == std::vector<std::string>{"AUTODETECT_TYPE=YES"});
    CHECK(d.travel_times->layer.encoding == "ISO-8859-1");
    CHECK(d.travel_times->area_field == "from_id");
    CHECK(d.travel_times->practice_field == "to_id");
    CHECK(d.travel_times->minutes_field == "travel_time_p50");
    CHECK_FALSE(data::describe(minimal_settings()).travel_times);

    SECTION("every key has a flag, and a flag overrides the file") {
        for (const char* key : {"travel_times.source", "travel_times.layer", "travel_times.where", "travel_times.open_options",
                                "travel_times.encoding", "travel_times.area_field", "travel_times.practice_field", "travel_times.minutes_field"}) {
            INFO(key);
            const auto& specs = data::setting_specs();
            CHECK(std::any_of(specs.begin(), specs.end(), [&](const data::SettingSpec& s) { return s.key == key; }));
        }
        CHECK(data::flag_for("travel_times.minutes_field") == "--travel-times-minutes-field");
        settings.set("travel_times.minutes_field", "travel_time_p25");
        CHECK(data::describe(settings).travel_times->minutes_field == "travel_time_p25");
    }
    SECTION("each field is required once the section is given") {
        for (const char* key : {"travel_times.area_field", "travel_times.practice_field", "travel_times.minutes_field"}) {
            INFO(key);
            data::Settings without = settings;
            without.values.erase(key);
            CHECK_THROWS_WITH(data::describe(without), Catch::Contains(std::string("d.toml: setting '") + key + "': required"));
        }
    }
    SECTION("a field without a source") {
        data::Settings s = minimal_settings();
        s.set("travel_times.minutes_field", "minutes");
        CHECK_THROWS_WITH(data::describe(s), Catch::Contains("setting 'travel_times.source': required (the travel-time table) (flag --travel-times-source)"));
    }
    SECTION("an open option that is not NAME=VALUE") {
        settings.set("travel_times.open_options", "AUTODETECT_TYPE");
        CHECK_THROWS_WITH(data::describe(settings), Catch::Contains("setting 'travel_times.open_options': expected NAME=VALUE"));
    }
    SECTION("an unknown key lists the known ones") {
        CHECK_THROWS_WITH(data::parse_description("[travel_times]\nminutes = \"m\"\n", dir.path() / "e.toml"),
                          Catch::Contains("setting 'travel_times.minutes': unknown setting; known in [travel_times]: source, layer, where, "
                                          "open_options, encoding, area_field, practice_field, minutes_field"));
    }
}
