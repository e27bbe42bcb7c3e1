#include "server/http/metrics.hpp"

#include <catch2/catch.hpp>

using server::Metrics;

TEST_CASE("metrics count requests per route and status and fill the histogram", "[metrics]") {
    Metrics metrics;
    metrics.record("health", 200, 0.0001);
    metrics.record("health", 200, 0.003);
    metrics.record("tile", 404, 10.0);
    const std::string text = metrics.render();
    CHECK(text.find("catchment_requests_total{route=\"health\",status=\"200\"} 2\n") != std::string::npos);
    CHECK(text.find("catchment_requests_total{route=\"tile\",status=\"404\"} 1\n") != std::string::npos);
    CHECK(text.find("catchment_request_duration_seconds_bucket{route=\"health\",le=\"0.0005\"} 1\n") != std::string::npos);
    CHECK(text.find("catchment_request_duration_seconds_bucket{route=\"health\",le=\"0.005\"} 2\n") != std::string::npos);
    CHECK(text.find("catchment_request_duration_seconds_bucket{route=\"tile\",le=\"5\"} 0\n") != std::string::npos);
    CHECK(text.find("catchment_request_duration_seconds_bucket{route=\"tile\",le=\"+Inf\"} 1\n") != std::string::npos);
    CHECK(text.find("catchment_request_duration_seconds_count{route=\"health\"} 2\n") != std::string::npos);
    CHECK(text.find("catchment_tiles_served_total 1\n") != std::string::npos);
    CHECK(metrics.tiles_served() == 1);
    CHECK(server::prometheus_label("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
}
