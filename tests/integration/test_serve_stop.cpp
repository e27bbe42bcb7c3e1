// Staying reachable and stopping on time: the health checks' own connection slots, which idle clients
// cannot keep, and SIGTERM or SIGINT obeyed within a second even while the dataset loads.
#include "integration/serve_client.hpp"
#include "integration/served.hpp"
#include "paths.hpp"

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

using namespace serve_test;
using namespace std::chrono_literals;

namespace {

/// Connections that connect and then say nothing.
class SilentClients {
public:
    SilentClients(std::uint16_t port, std::size_t count) {
        rlimit limit{};
        ::getrlimit(RLIMIT_NOFILE, &limit);
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        for (std::size_t i = 0; i < count; ++i) {
            const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
            REQUIRE(fd >= 0);
            REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
            fds_.push_back(fd);
        }
    }
    ~SilentClients() {
        for (const int fd : fds_) ::close(fd);
    }
    SilentClients(const SilentClients&) = delete;
    SilentClients& operator=(const SilentClients&) = delete;

private:
    std::vector<int> fds_;
};

using Clock = std::chrono::steady_clock;

/// The first answer to GET `target` within `limit`, trying new connections until then; with the time it took.
std::pair<std::optional<http::response<http::string_body>>, Clock::duration> first_answer(std::uint16_t port, const std::string& target,
                                                                                           Clock::duration limit) {
    const auto started = Clock::now();
    while (Clock::now() - started < limit) {
        if (auto response = fetch(port, target)) return {std::move(response), Clock::now() - started};
        std::this_thread::sleep_for(20ms);
    }
    return {std::nullopt, Clock::now() - started};
}

}  // namespace

TEST_CASE("1024 silent connections do not lock out /health and /ready", "[serve]") {
    integration::Server server({"--threads", "2"});
    SilentClients silent(server.port(), 1024);  // every regular slot (--max-connections 1024)
    std::this_thread::sleep_for(200ms);
    const auto [health, health_took] = first_answer(server.port(), "/health", 5s);
    REQUIRE(health);
    CHECK(health->result() == http::status::ok);
    CHECK(health_took < 1s);
    CHECK_FALSE(health->keep_alive());  // a health check's slot serves one request
    const auto ready = fetch(server.port(), "/ready");
    REQUIRE(ready);
    CHECK(ready->result() == http::status::ok);
    // Anything else there gets 503 with the reason, not the silence of a closed socket.
    const auto other = fetch(server.port(), "/collections");
    REQUIRE(other);
    CHECK(other->result() == http::status::service_unavailable);
    CHECK(other->at(http::field::retry_after) == "5");
    const auto error = boost::json::parse(other->body());
    CHECK(error.at("code") == "Busy");
    CHECK_THAT(std::string(error.at("description").as_string()), Catch::Contains("maximum of 1024 connections"));

    // Silent clients on the health checks' slots too (32 of them) hold each for 2 s at most.
    SilentClients more(server.port(), 64);
    std::this_thread::sleep_for(200ms);
    const auto [later, later_took] = first_answer(server.port(), "/health", 10s);
    REQUIRE(later);
    CHECK(later->result() == http::status::ok);
    CHECK(later_took < 3500ms);
}

TEST_CASE("A request line sent too slowly on a health check slot is cut off after 2 s", "[serve]") {
    integration::Server server({"--max-connections", "2"});
    SilentClients regular(server.port(), 2);
    std::this_thread::sleep_for(200ms);
    Client slow(server.port());
    REQUIRE_FALSE(slow.connect());
    const auto started = Clock::now();
    REQUIRE_FALSE(slow.write_raw("GET /hea"));
    http::response<http::string_body> none;
    const beast::error_code closed = slow.read(none);
    CHECK(closed);
    CHECK(Clock::now() - started < 4s);
    CHECK(Clock::now() - started > 1500ms);
}

namespace {

/// Starts `catchment serve` on all England (a load of several seconds), sends `signal` after `delay`
/// and returns how long the process took to exit then, and its log.
struct Stopped {
    int status = -1;
    Clock::duration took{};
    std::string log;
};

Stopped stop_during_load(int signal, std::chrono::milliseconds delay) {
    integration::TempDir dir;
    const auto log = dir.path() / "serve.log";
    const pid_t pid = integration::spawn({test_paths::catchment_binary().string(), "serve",
                                          (test_paths::descriptions() / "england-shared.toml").string(), "--port", "0",
                                          "--constraint-field", "lad_code", "--access-log", "off", "--store", "none"},
                                         log);
    std::this_thread::sleep_for(delay);
    Stopped out;
    const auto sent = Clock::now();
    ::kill(pid, signal);
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
        if (Clock::now() - sent > 30s) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            break;
        }
        std::this_thread::sleep_for(5ms);
    }
    out.took = Clock::now() - sent;
    out.status = status;
    out.log = integration::slurp(log);
    return out;
}

}  // namespace

TEST_CASE("SIGTERM and SIGINT stop the server within a second at any moment of loading all England", "[serve][shared]") {
    // Moments in several stages (on this machine): areas, registrations, adjacency, networks, serving.
    bool term = true;
    for (const int delay_ms : {300, 900, 1300, 2500, 6000}) {
        const int signal = term ? SIGTERM : SIGINT;
        term = !term;
        const Stopped stopped = stop_during_load(signal, std::chrono::milliseconds(delay_ms));
        INFO("signal " << signal << " after " << delay_ms << " ms; log:\n" << stopped.log);
        CHECK(std::chrono::duration<double>(stopped.took).count() < 1.0);
        REQUIRE(WIFEXITED(stopped.status));
        CHECK(WEXITSTATUS(stopped.status) == 0);
        CHECK_THAT(stopped.log, Catch::Contains("catchment: stopped"));
    }
}

TEST_CASE("SIGTERM while a long plan computes abandons it with 503 and exits within a second", "[serve][plans]") {
    integration::Server server({"--quiet"});
    // The served plan is first stored in the background (a stop abandons that write too, between layers,
    // which takes longer under the sanitizers): once it is, only the plan below is running.
    const auto stored = Clock::now() + 120s;
    while (server.body_and_status("/plans").find("\"kind\":\"default\"") == std::string::npos && Clock::now() < stored) {
        std::this_thread::sleep_for(100ms);
    }
    auto slow = std::async(std::launch::async, [&server] {
        return server.body_and_status("/plans", {"-X", "POST", "-H", "Content-Type: application/json", "--data-binary",
                                                 R"({"construction_runs":64,"sweeps":5000})"});
    });
    std::this_thread::sleep_for(500ms);  // the plan is computing
    const auto sent = Clock::now();
    REQUIRE(::kill(server.pid(), SIGTERM) == 0);
    REQUIRE(server.wait_exit(std::chrono::seconds(30)));
    const auto took = Clock::now() - sent;
    INFO(server.log());
    CHECK(took < 1s);
    CHECK(server.exit_code() == 0);
    const std::string answer = slow.get();
    CHECK(answer.substr(answer.rfind('\n') + 1) == "503");
    CHECK_THAT(answer, Catch::Contains("\"code\":\"ShuttingDown\""));
}

TEST_CASE("A streamed page on a kept-alive connection is not held back by Nagle's algorithm", "[serve]") {
    // Its header and body go out in separate writes: without TCP_NODELAY each answer waited for the
    // client's delayed ACK, 40 ms on Linux (found by the soak benchmark: feature pages' p50 was 43 ms).
    integration::Server server({"--quiet"});
    Client client(server.port());
    REQUIRE_FALSE(client.connect());
    std::vector<double> ms;
    for (int i = 0; i < 21; ++i) {
        const auto started = Clock::now();
        const auto page = client.get("/collections/areas/items?limit=20&offset=" + std::to_string(i * 20));
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
        REQUIRE(page);
        REQUIRE(page->result() == http::status::ok);
        REQUIRE(page->chunked());  // written as it is sent: header and pieces apart
    }
    std::sort(ms.begin(), ms.end());
    INFO("median " << ms[10] << " ms");
    CHECK(ms[10] < 25);
}
