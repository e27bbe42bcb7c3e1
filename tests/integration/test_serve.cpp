// The real `catchment serve` on an ephemeral port: operations endpoints, errors, concurrency and a
// graceful SIGTERM. Every wait has a time bound; the child is always killed when a test ends.
#include "integration/serve_client.hpp"
#include "integration/served.hpp"
#include "paths.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace serve_test;
using namespace std::chrono_literals;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

TEST_CASE("catchment serve answers health, ready, metrics and unknown paths", "[serve]") {
    ServeProcess server;
    const auto health = fetch(server.port(), "/health");
    REQUIRE(health);
    CHECK(health->result() == http::status::ok);
    CHECK(boost::json::parse(health->body()) == boost::json::parse(R"({"status":"ok"})"));
    CHECK((*health)[http::field::access_control_allow_origin] == "*");

    server.wait_ready();
    const auto ready = fetch(server.port(), "/ready");
    REQUIRE(ready);
    CHECK(ready->result() == http::status::ok);
    CHECK(boost::json::parse(ready->body()).at("status") == "ready");
    CHECK(boost::json::parse(ready->body()).at("version") == 1);

    const auto missing = fetch(server.port(), "/no/such/thing");
    REQUIRE(missing);
    CHECK(missing->result() == http::status::not_found);
    CHECK(boost::json::parse(missing->body()).at("code") == "NotFound");

    const auto wrong_method = [&] {
        Client client(server.port());
        REQUIRE_FALSE(client.connect());
        return client.get("/health", http::verb::delete_);
    }();
    REQUIRE(wrong_method);
    CHECK(wrong_method->result() == http::status::method_not_allowed);
    CHECK(std::string((*wrong_method)[http::field::allow]).find("GET") != std::string::npos);

    const auto metrics = fetch(server.port(), "/metrics");
    REQUIRE(metrics);
    CHECK(metrics->result() == http::status::ok);
    CHECK(std::string((*metrics)[http::field::content_type]).find("text/plain; version=0.0.4") == 0);
    const std::regex sample_line(R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (-?[0-9.eE+-]+|\+Inf|-Inf|NaN)$)");
    std::istringstream lines(metrics->body());
    std::string line;
    int samples = 0;
    while (std::getline(lines, line)) {
        if (line.empty() || line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) continue;
        INFO(line);
        CHECK(std::regex_match(line, sample_line));
        ++samples;
    }
    CHECK(samples > 0);
    CHECK(metrics->body().find("catchment_requests_total{route=\"health\",status=\"200\"}") != std::string::npos);
    CHECK(metrics->body().find("catchment_requests_total{route=\"unknown\",status=\"404\"} 1") != std::string::npos);
    CHECK(metrics->body().find("catchment_dataset_version 1") != std::string::npos);

    // One access-log line per request (written once the response is sent: wait for it, bounded).
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (server.log().find("GET /no/such/thing 404") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
    }
    CHECK(server.log().find("GET /no/such/thing 404") != std::string::npos);
}

TEST_CASE("catchment serve holds requests to its header and body limits", "[serve]") {
    ServeProcess server;
    {
        Client client(server.port());
        REQUIRE_FALSE(client.connect());
        REQUIRE_FALSE(client.write_raw("POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2000000\r\n\r\n"));
        http::response<http::string_body> response;
        REQUIRE_FALSE(client.read(response));
        CHECK(response.result() == http::status::payload_too_large);
        CHECK(boost::json::parse(response.body()).at("code") == "PayloadTooLarge");
        CHECK_FALSE(response.keep_alive());
    }
    {
        Client client(server.port());
        REQUIRE_FALSE(client.connect());
        std::string request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ";
        request += std::string(9 * 1024, 'x');
        request += "\r\n\r\n";
        client.write_raw(request);  // the server may answer and close before it has read everything
        http::response<http::string_body> response;
        REQUIRE_FALSE(client.read(response));
        CHECK(response.result() == http::status::request_header_fields_too_large);
    }
    // Bytes that are not HTTP get a 400 naming the problem, then the connection closes.
    for (const std::string garbage : {"GARBAGE LINE\r\n\r\n", "GET /health HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n",
                                      "GET /health HTTP/1.1\r\nBad Header\r\n\r\n"}) {
        INFO(garbage);
        Client client(server.port());
        REQUIRE_FALSE(client.connect());
        REQUIRE_FALSE(client.write_raw(garbage));
        http::response<http::string_body> response;
        REQUIRE_FALSE(client.read(response));
        CHECK(response.result() == http::status::bad_request);
        CHECK(boost::json::parse(response.body()).at("code") == "InvalidRequest");
        CHECK_FALSE(response.keep_alive());
    }
    const auto health = fetch(server.port(), "/health");
    REQUIRE(health);
    CHECK(health->result() == http::status::ok);
}

TEST_CASE("Beyond --max-connections only health checks are answered, and a freed slot is taken again", "[serve]") {
    ServeProcess server({"--max-connections", "4"});
    server.wait_ready();
    std::vector<std::unique_ptr<Client>> held;
    // The readiness probes' connections may still hold a slot for a moment after they closed (the
    // server reaps them on its own threads): a held connection refused then is simply tried again.
    const auto settle = std::chrono::steady_clock::now() + 10s;
    for (int c = 0; c < 4; ++c) {
        std::optional<http::response<http::string_body>> response;
        while (!response && std::chrono::steady_clock::now() < settle) {
            auto client = std::make_unique<Client>(server.port());
            REQUIRE_FALSE(client->connect());
            response = client->get("/health");
            if (response) {
                held.push_back(std::move(client));
            } else {
                std::this_thread::sleep_for(20ms);
            }
        }
        REQUIRE(response);
        CHECK(response->result() == http::status::ok);
    }
    // A fifth connection takes one of the health checks' slots: anything else is refused there.
    const auto over = fetch(server.port(), "/collections");
    REQUIRE(over);
    CHECK(over->result() == http::status::service_unavailable);
    held.pop_back();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    std::optional<http::response<http::string_body>> again;
    while ((!again || again->result() != http::status::ok) && std::chrono::steady_clock::now() < deadline) {
        again = fetch(server.port(), "/collections");
        if (!again || again->result() != http::status::ok) std::this_thread::sleep_for(20ms);
    }
    REQUIRE(again);
    CHECK(again->result() == http::status::ok);
    for (auto& client : held) CHECK(client->get("/health"));  // the kept connections still work
}

TEST_CASE("catchment serve answers 64 concurrent keep-alive clients", "[serve]") {
    ServeProcess server;
    constexpr int kClients = 64, kRequests = 5;
    std::atomic<int> ok{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
        clients.emplace_back([&] {
            Client client(server.port());
            if (client.connect()) return;
            for (int r = 0; r < kRequests; ++r) {
                const auto response = client.get("/health");
                if (!response || response->result() != http::status::ok) return;
                ++ok;
                std::this_thread::sleep_for(2ms);
            }
        });
    }
    for (std::thread& t : clients) t.join();
    CHECK(ok == kClients * kRequests);
}

TEST_CASE("An access log file is rotated by size, keeping --access-log-keep files, and --access-log off logs nothing", "[serve]") {
    integration::TempDir dir;
    const std::string log = dir / "access.log";
    constexpr std::size_t kLimit = 4096;  // --access-log-max-mb 0.004 is about 4 kB
    {
        ServeProcess server({"--access-log", log, "--access-log-max-mb", "0.00390625", "--access-log-keep", "2"});
        server.wait_ready();
        Client client(server.port());
        REQUIRE_FALSE(client.connect());
        for (int i = 0; i < 400; ++i) {  // about 20 kB of log lines, written in batches
            REQUIRE(client.get("/health?n=" + std::to_string(i)));
            if (i % 50 == 0) std::this_thread::sleep_for(30ms);  // let batches be written between rotations
        }
        REQUIRE(::kill(server.pid(), SIGTERM) == 0);
        REQUIRE(server.wait_exit(30s) == std::optional<int>(0));
        CHECK(server.log().find("GET /health") == std::string::npos);  // not on stderr
    }
    std::size_t lines = 0;
    for (const std::string& file : {log, log + ".1", log + ".2"}) {
        INFO(file);
        REQUIRE(std::filesystem::exists(file));
        CHECK(std::filesystem::file_size(file) <= kLimit + 64 * 1024);  // at most one batch past the limit
        std::ifstream in(file);
        for (std::string line; std::getline(in, line);) lines += line.rfind("GET /health?n=", 0) == 0 ? 1 : 0;
    }
    CHECK_FALSE(std::filesystem::exists(log + ".3"));  // older ones are gone
    CHECK(lines > 0);
    CHECK(lines < 400);  // some went with the rotated files beyond the two kept

    ServeProcess quiet({"--access-log", "off"});
    quiet.wait_ready();
    CHECK(quiet.status("/health") == "200");
    REQUIRE(::kill(quiet.pid(), SIGTERM) == 0);
    REQUIRE(quiet.wait_exit(30s) == std::optional<int>(0));
    CHECK(quiet.log().find("GET /health") == std::string::npos);
}

TEST_CASE("SIGTERM closes idle connections, finishes requests in flight and exits 0", "[serve]") {
    ServeProcess server;
    // An idle keep-alive connection.
    Client idle(server.port());
    REQUIRE_FALSE(idle.connect());
    const auto first = idle.get("/health");
    REQUIRE(first);
    REQUIRE(first->keep_alive());
    // Requests in flight: their headers are half sent when the signal comes.
    constexpr int kInFlight = 8;
    std::vector<std::unique_ptr<Client>> in_flight;
    for (int i = 0; i < kInFlight; ++i) {
        in_flight.push_back(std::make_unique<Client>(server.port()));
        REQUIRE_FALSE(in_flight.back()->connect());
        REQUIRE_FALSE(in_flight.back()->write_raw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
    }
    std::this_thread::sleep_for(300ms);  // let the server read the partial requests
    REQUIRE(::kill(server.pid(), SIGTERM) == 0);
    std::this_thread::sleep_for(300ms);

    // The idle connection is closed by the server.
    http::response<http::string_body> none;
    const beast::error_code closed = idle.read(none);
    CHECK((closed == http::error::end_of_stream || closed == net::error::connection_reset || closed == net::error::eof));

    // Every request in flight gets its answer, and the connection is then closed.
    int answered = 0;
    for (auto& client : in_flight) {
        REQUIRE_FALSE(client->write_raw("\r\n"));
        http::response<http::string_body> response;
        const beast::error_code ec = client->read(response);
        INFO(ec.message());
        CHECK_FALSE(ec);
        if (!ec && response.result() == http::status::ok) ++answered;
        CHECK_FALSE(response.keep_alive());
    }
    CHECK(answered == kInFlight);

    const auto code = server.wait_exit(20s);
    INFO(server.log());
    REQUIRE(code);
    CHECK(*code == 0);
    CHECK(server.log().find("catchment: stopped") != std::string::npos);
    // Nothing listens any more.
    Client late(server.port());
    CHECK(late.connect());
}

namespace {

/// /ready's version, or 0 when it does not answer 200.
std::int64_t ready_version(std::uint16_t port) {
    const auto ready = fetch(port, "/ready");
    if (!ready || ready->result() != http::status::ok) return 0;
    return boost::json::parse(ready->body()).at("version").as_int64();
}

}  // namespace

TEST_CASE("POST /admin/reload and SIGHUP swap in a new version while clients keep being answered", "[serve]") {
    ServeProcess server({"--token", "secret", "--quiet"});
    server.wait_ready();
    REQUIRE(ready_version(server.port()) == 1);

    // 8 keep-alive clients ask for a tile and /health until told to stop (each request bounded by Client).
    // They pause a little between requests: with none, they keep every core busy and starve the reload,
    // which runs at a lower priority by design (65 s under the sanitizers on a busy CI machine).
    std::atomic<bool> stop{false};
    std::atomic<int> ok{0}, failed{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < 8; ++c) {
        clients.emplace_back([&, c] {
            Client client(server.port());
            if (client.connect()) {
                ++failed;
                return;
            }
            for (int r = 0; !stop; ++r) {
                const auto response = client.get((r + c) % 2 ? "/health" : "/tiles/12/2047/1361.mvt");
                if (!response || response->result() != http::status::ok) {
                    ++failed;
                    return;
                }
                ++ok;
                std::this_thread::sleep_for(2ms);
            }
        });
    }
    struct Join {
        std::atomic<bool>& stop;
        std::vector<std::thread>& threads;
        ~Join() {
            stop = true;
            for (std::thread& t : threads) t.join();
        }
    } join{stop, clients};

    const auto admin = [&](const std::string& authorization) {
        Client client(server.port());
        REQUIRE_FALSE(client.connect());
        auto response = client.get("/admin/reload", http::verb::post, authorization);
        REQUIRE(response);
        return *response;
    };
    const auto denied = admin("");
    CHECK(denied.result() == http::status::unauthorized);
    CHECK(boost::json::parse(denied.body()).at("code") == "Unauthorized");
    CHECK(denied[http::field::www_authenticate] == "Bearer");
    CHECK(admin("Bearer wrong").result() == http::status::unauthorized);
    CHECK(ready_version(server.port()) == 1);

    // Reloads of unchanged data make the same tiles: they stay cached, so nothing is made again.
    const auto prerendered = std::chrono::steady_clock::now() + 30s;
    while (server.log().find("catchment: prerendered") == std::string::npos && std::chrono::steady_clock::now() < prerendered) {
        std::this_thread::sleep_for(20ms);
    }
    const auto tile_misses = [&] {
        const auto metrics = fetch(server.port(), "/metrics");
        REQUIRE(metrics);
        std::smatch found;
        const std::string body = metrics->body();
        REQUIRE(std::regex_search(body, found, std::regex("\ncatchment_tile_cache_misses_total ([0-9]+)")));
        return std::stoll(found[1]);
    };
    const auto misses_before = tile_misses();

    const int before = ok;
    const auto reloaded = admin("Bearer secret");
    INFO(reloaded.body());
    REQUIRE(reloaded.result() == http::status::ok);
    CHECK(boost::json::parse(reloaded.body()).at("status") == "reloaded");
    CHECK(boost::json::parse(reloaded.body()).at("version") == 2);
    CHECK(ready_version(server.port()) == 2);

    REQUIRE(::kill(server.pid(), SIGHUP) == 0);
    // As long as the first reload took, three times over, and at least a minute.
    const auto reload_time = std::chrono::duration<double>(boost::json::parse(reloaded.body()).at("seconds").to_number<double>());
    const auto deadline = std::chrono::steady_clock::now() + std::max<std::chrono::duration<double>>(60s, 3 * reload_time);
    while (ready_version(server.port()) != 3 && std::chrono::steady_clock::now() < deadline) {
        REQUIRE_FALSE(server.exited());
        std::this_thread::sleep_for(50ms);
    }
    CHECK(ready_version(server.port()) == 3);
    const auto logged = std::chrono::steady_clock::now() + 5s;
    while (server.log().find("catchment: reloaded version 3") == std::string::npos && std::chrono::steady_clock::now() < logged) {
        std::this_thread::sleep_for(20ms);
    }
    CHECK(server.log().find("catchment: reloaded version 3") != std::string::npos);

    stop = true;
    for (std::thread& t : clients) t.join();
    clients.clear();
    CHECK(failed == 0);
    CHECK(ok > before);
    CHECK(tile_misses() == misses_before);
}
