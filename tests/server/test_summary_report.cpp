#include "server/service/summary_report.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace server;

namespace {
geo::DatasetSummary example() {
    geo::DatasetSummary s;
    s.name = "example";
    s.working_crs = "EPSG:27700";
    s.area_count = 4835;
    s.population = 9002488;
    s.practice_count = 2;
    s.list_size_total = 12345;
    s.registration_rows = 3;
    s.unknown_practice = {1, 29540, 907, {"A81618", "A82046"}};
    s.repaired_areas = {{"E01000001", "Self-intersection[1 2]"}};
    s.extent.expand(503574.2, 155850.8);
    s.extent.expand(561956.7, 200933.6);
    s.sources.push_back({"areas", "a.shp", "a", "EPSG:27700", 4835, ""});
    return s;
}
}  // namespace

TEST_CASE("Thousands separators", "[report]") {
    CHECK(with_thousands(0) == "0");
    CHECK(with_thousands(999) == "999");
    CHECK(with_thousands(1000) == "1,000");
    CHECK(with_thousands(9002488) == "9,002,488");
    CHECK(with_thousands(-1234567) == "-1,234,567");
}

TEST_CASE("The JSON summary carries every figure and parses back", "[report]") {
    const std::string text = boost::json::serialize(summary_json(example()));
    const boost::json::value v = boost::json::parse(text);
    CHECK(v.at("areas").at("count").to_number<std::int64_t>() == 4835);
    CHECK(v.at("areas").at("population").to_number<std::int64_t>() == 9002488);
    CHECK(v.at("areas").at("repaired").as_array().at(0).at("code").as_string() == "E01000001");
    CHECK(v.at("practices").at("list_size_total").to_number<std::int64_t>() == 12345);
    CHECK(v.at("registrations").at("unknown_practice").at("patients").to_number<std::int64_t>() == 29540);
    CHECK(v.at("extent").as_array().at(2).to_number<double>() == Approx(561956.7));
    CHECK(v.at("extent_lonlat").is_null());  // not computed in this example
    CHECK(v.at("sources").as_array().size() == 1);
}

TEST_CASE("The text summary shows the headline figures", "[report]") {
    const std::string text = summary_text(example());
    CHECK_THAT(text, Catch::Contains("Dataset: example"));
    CHECK_THAT(text, Catch::Contains("9,002,488"));
    CHECK_THAT(text, Catch::Contains("E01000001: Self-intersection"));
    CHECK_THAT(text, Catch::Contains("patients of practices not loaded") && Catch::Contains("29,540  in 1 rows, 907 practices (A81618, A82046, ...)"));
    CHECK_THAT(text, Catch::Contains("503574.2, 155850.8 .. 561956.7, 200933.6 (EPSG:27700)"));
}

TEST_CASE("Travel times are reported with their unmatched rows when there are any", "[report]") {
    geo::DatasetSummary s = example();
    CHECK(summary_text(s).find("Travel times") == std::string::npos);
    s.travel_time_pairs = 12;
    s.travel_time_rows_unmatched = 150;
    s.travel_times_unmatched = {"row 2 (line 3): area 'X0' is not in the study"};
    const std::string text = summary_text(s);
    CHECK_THAT(text, Catch::Contains("Travel times (area-practice pairs)") && Catch::Contains("12"));
    CHECK_THAT(text, Catch::Contains("rows naming no area or practice") && Catch::Contains("150") &&
                         Catch::Contains("(row 2 (line 3): area 'X0' is not in the study, ...)"));
    const boost::json::value v = boost::json::parse(boost::json::serialize(summary_json(s)));
    CHECK(v.at("travel_times").at("pairs").to_number<std::int64_t>() == 12);
    CHECK(v.at("travel_times").at("rows_unmatched").to_number<std::int64_t>() == 150);
    CHECK(v.at("travel_times").at("unmatched").as_array().size() == 1);
}
