#include "plan_fixture.hpp"
#include "server/service/plan_report.hpp"

#include <boost/json.hpp>
#include "geo/output_layers.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

#include <cmath>
#include <limits>
#include <regex>
#include <sstream>

using namespace server;

namespace {
boost::json::value report_of(const plan_fixture::Example& e) {
    return boost::json::parse(boost::json::serialize(plan_report_json(e.dataset, e.plan)));
}

/// Whether some whole line of `text` matches `pattern`.
bool has_line(const std::string& text, const std::string& pattern) {
    const std::regex re(pattern);
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (std::regex_match(line, re)) return true;
    }
    return false;
}
}  // namespace

TEST_CASE("The plan report JSON carries the options and every figure and parses back", "[plan_report]") {
    const plan_fixture::Example e = plan_fixture::example();
    const boost::json::value v = report_of(e);

    const auto& options = v.at("options");
    CHECK(options.at("min_list_size").to_number<std::int64_t>() == 1500);
    CHECK(options.at("max_list_size").to_number<std::int64_t>() == 2500);
    CHECK(options.at("method").as_string() == "registrations");
    CHECK(options.at("seed").to_number<std::uint64_t>() == 7);
    CHECK(options.at("constraint_field").as_string() == "group");
    CHECK(options.at("lock_field").as_string() == "");
    CHECK(options.at("excluded_practices").as_array() == boost::json::array{"P3"});

    const auto& plan = v.at("summary").at("plan");
    const auto& reference = v.at("summary").at("reference");
    CHECK(plan.at("networks").to_number<std::int64_t>() == 2);
    CHECK(plan.at("share_in_band").to_number<double>() == Approx(0.5));
    CHECK(plan.at("median_size").to_number<std::int64_t>() == 1500);
    CHECK(reference.at("max_size").to_number<std::int64_t>() == 3000);
    CHECK(reference.at("non_contiguous").to_number<std::int64_t>() == 1);
    CHECK(v.at("adjusted_rand_index").to_number<double>() == Approx(0.25));
    CHECK(v.at("gaps").at("people_in_gaps").to_number<std::int64_t>() == 200);
    CHECK(v.at("gaps").at("gap_areas").to_number<std::int64_t>() == 1);
    CHECK(v.at("runtime_s").to_number<double>() == Approx(1.25));
    CHECK(v.at("notes").as_array() == boost::json::array{"1 island bridged"});

    const auto& networks = v.at("networks").as_array();
    REQUIRE(networks.size() == 2);
    const auto& west = networks.at(0);
    CHECK(west.at("network_id").as_string() == "N001");
    CHECK(west.at("practices").as_array() == boost::json::array{"P1"});
    CHECK(west.at("hub_practice").as_string() == "P1");
    CHECK(west.at("status").as_string() == "below_band");
    CHECK(west.at("status_reason").as_string() == "1,000 patients, below --min 1,500");
    CHECK(west.at("constraint_value").as_string() == "B1");
    CHECK(west.at("list_size").to_number<std::int64_t>() == 1000);
    CHECK(west.at("registered_inside").to_number<std::int64_t>() == 800);
    CHECK(west.at("polsby_popper").to_number<double>() == Approx(0.785));
    CHECK(west.at("contiguous").as_bool());
    CHECK(networks.at(1).at("locked").as_bool());
    CHECK(networks.at(1).at("people_in_gaps").to_number<std::int64_t>() == 200);
    CHECK(networks.at(1).at("status_reason").is_null());  // no value is null, as in every output layer
    // Every figure the networks layer also has goes by the layer's name; the rest are the report's own.
    const geo::LayerSchema& layer = geo::output_layer("networks");
    for (const auto& [key, value] : west.as_object()) {
        INFO("report field " << key);
        const bool in_layer = std::any_of(layer.fields.begin(), layer.fields.end(), [&](const geo::FieldSchema& f) { return f.name == key; });
        CHECK((in_layer || key == "practices" || key == "registered_in_areas" || key == "baseline_id"));
    }
    CHECK(networks.at(1).at("residents_per_practice").to_number<double>() == Approx(200));
}

TEST_CASE("Without a reference the report has null reference figures and NaN becomes null", "[plan_report]") {
    plan_fixture::Example e = plan_fixture::example();
    e.plan.report.has_reference = false;
    e.plan.networks[0].metrics.polsby_popper = std::numeric_limits<double>::quiet_NaN();
    const boost::json::value v = report_of(e);
    CHECK(v.at("summary").at("reference").is_null());
    CHECK(v.at("adjusted_rand_index").is_null());
    CHECK(v.at("networks").at(0).at("polsby_popper").is_null());

    const std::string text = plan_report_text(e.dataset, e.plan);
    CHECK_THAT(text, !Catch::Contains("Reference") && !Catch::Contains("Adjusted Rand"));
}

TEST_CASE("The plan report text: a row per network then plan and reference side by side", "[plan_report]") {
    const plan_fixture::Example e = plan_fixture::example();
    const std::string text = plan_report_text(e.dataset, e.plan);
    INFO(text);
    CHECK_THAT(text, Catch::Contains("Dataset: two squares (2 areas, 3 practices)"));
    CHECK_THAT(text, Catch::Contains("1,500 to 2,500 patients per network") && Catch::Contains("within group") &&
                         Catch::Contains("excluding P3") && Catch::Contains("seed 7"));
    // The table: the long name cut to 24 characters; list size with thousands separators; cohesion in %.
    CHECK_THAT(text, Catch::Contains("East network with a n...") && !Catch::Contains("longer than the table"));
    CHECK(has_line(text, "N002 +East network with a n\\.\\.\\. +1 +2,000 +200 +1\\.0 +0\\.79 +95\\.0%  in_band, locked"));
    CHECK_THAT(text, Catch::Contains("below_band (1,000 patients, below --min 1,500)"));
    // Side by side: label, plan, reference.
    CHECK(has_line(text, " +Plan +Reference"));
    CHECK(has_line(text, "  Networks +2 +1"));
    CHECK(has_line(text, "  In band +1 \\(50\\.0%\\) +0 \\(0\\.0%\\)"));
    CHECK(has_line(text, "  Median list size +1,500 +3,000"));
    CHECK(has_line(text, "  Cohesion +90\\.0% +97\\.0%"));
    CHECK(has_line(text, "  Not contiguous +0 +1"));
    CHECK_THAT(text, Catch::Contains("Adjusted Rand index, plan vs reference: 0.250"));
    CHECK_THAT(text, Catch::Contains("Coverage gaps: 200 people in 1 areas"));
    CHECK_THAT(text, Catch::Contains("Runtime: 1.2 s") || Catch::Contains("Runtime: 1.3 s"));
    CHECK_THAT(text, Catch::Contains("  - 1 island bridged"));
}
