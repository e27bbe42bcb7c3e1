// Heavy work stays off the I/O threads: cold tiles render on the worker pool, each zoom is generalised
// once however many tiles ask for it, and /health keeps answering at once meanwhile. Registered to run
// alone (RUN_SERIAL): it measures latency on a two-core machine.
#include "integration/process.hpp"
#include "integration/served.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <regex>
#include <string>
#include <thread>

using integration::Server;

namespace {

/// The value of a Prometheus counter or gauge in /metrics.
long long metric(const Server& server, const std::string& name) {
    const std::string text = server.body_and_status("/metrics");
    std::smatch match;
    if (!std::regex_search(text, match, std::regex("(^|\n)" + name + " ([0-9]+)"))) return -1;
    return std::stoll(match[2].str());
}

}  // namespace

TEST_CASE("20 cold z14 and z15 tiles at once: each zoom generalised once, /health answered within 20 ms", "[serve][load]") {
    Server server({"--prerender-maxzoom", "-1", "--quiet"});
    REQUIRE(metric(server, "catchment_zoom_generalisations_total") == 0);
    // Ten tiles of each zoom around Whitechapel, none cached yet, in one curl running them all at once.
    std::vector<std::string> command = {"curl", "-s", "--parallel", "--parallel-max", "20", "--max-time", "120"};
    for (const auto& [z, x0, y0] : {std::tuple{14, 8187, 5447}, std::tuple{15, 16374, 10894}}) {
        for (int i = 0; i < 10; ++i) {
            command.insert(command.end(), {"-o", "/dev/null", "-w", "%{http_code}\n",
                                           server.url("/tiles/" + std::to_string(z) + "/" + std::to_string(x0 + i % 5) + "/" +
                                                      std::to_string(y0 + i / 5) + ".mvt")});
        }
    }
    std::atomic<bool> done{false};
    auto tiles = std::async(std::launch::async, [&] {
        auto result = integration::run_bounded("150", command);
        done = true;
        return result;
    });
    std::vector<double> health_seconds;
    while (!done) {
        const auto answer = integration::run_bounded("15", {"curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}",
                                                            server.url("/health")});
        REQUIRE(answer.out.rfind("200 ", 0) == 0);
        health_seconds.push_back(std::stod(answer.out.substr(4)));
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const auto result = tiles.get();
    CHECK(std::count(result.out.begin(), result.out.end(), '\n') == 20);
    CHECK(result.out.find("200") != std::string::npos);
    CHECK(result.out.find("500") == std::string::npos);
    CHECK(result.out.find("503") == std::string::npos);
    REQUIRE(health_seconds.size() >= 3);  // polled while the tiles were being made
    const double slowest = *std::max_element(health_seconds.begin(), health_seconds.end());
    INFO(health_seconds.size() << " /health polls, slowest " << slowest * 1000 << " ms");
    CHECK(slowest < 0.020);
    CHECK(metric(server, "catchment_zoom_generalisations_total") == 2);  // z14 and z15, each once
}

TEST_CASE("After loading, the low zooms are rendered into the tile cache in the background", "[serve][load]") {
    Server server({"--prerender-maxzoom", "5", "--quiet"});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (server.log().find("catchment: prerendered") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    CHECK(metric(server, "catchment_zoom_generalisations_total") == 6);  // z0 to z5
    const long long misses = metric(server, "catchment_tile_cache_misses_total");
    CHECK(server.status("/tiles/5/15/10.mvt") == "200");
    CHECK(server.status("/tiles/3/3/2.mvt") == "200");
    CHECK(metric(server, "catchment_tile_cache_misses_total") == misses);  // both were ready
}

TEST_CASE("A plan past its time limit answers 503 within a second of it, while tiles keep being served", "[serve][load][plans]") {
    // No plan store: the served plan's background write would compete for the one core the plan gets.
    Server server({"--plan-timeout-s", "1", "--threads", "1", "--quiet", "--store", "none"});
    const auto posted = std::chrono::steady_clock::now();
    auto slow = std::async(std::launch::async, [&server] {
        return server.body_and_status("/plans", {"-X", "POST", "-H", "Content-Type: application/json", "--data-binary",
                                                 R"({"construction_runs":64,"sweeps":5000})"});
    });
    // While the plan computes on the blocking pool, the one I/O thread still answers.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto started = std::chrono::steady_clock::now();
    CHECK(server.status("/tiles/10/511/340.mvt") == "200");
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(900));
    const std::string timed_out = slow.get();
    const auto answered = std::chrono::steady_clock::now() - posted;
    CHECK(timed_out.substr(timed_out.rfind('\n') + 1) == "503");
    CHECK(timed_out.find("\"code\":\"PlanTimeout\"") != std::string::npos);
    CHECK(answered < std::chrono::seconds(2));  // the 1 s limit, plus at most a second
    CHECK(server.status("/health") == "200");
    CHECK(server.status("/plans/p1") == "404");
}
