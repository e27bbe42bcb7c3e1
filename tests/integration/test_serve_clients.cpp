// The real `catchment serve` on an ephemeral port, read by real clients: GDAL's OAPIF driver (ogr2ogr),
// GDAL's MVT driver over /vsicurl/, and curl for HTTP semantics. Every client runs under `timeout` and
// the child server is killed when each test case ends.
#include "integration/process.hpp"
#include "paths.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <regex>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using namespace std::chrono_literals;
using integration::ProcessResult;

/// Runs a client under coreutils `timeout` so no test can hang on it.
ProcessResult run_bounded(const std::string& seconds, const std::vector<std::string>& command) {
    std::vector<std::string> arguments = {"-k", "5", seconds};
    arguments.insert(arguments.end(), command.begin(), command.end());
    return integration::run("timeout", arguments);
}

/// A fresh temporary directory, removed with its contents on destruction.
class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "catchment-clients-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string operator/(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

/// `catchment serve data/sample --constraint-field lad11cd --port 0`, its output in a file; killed on destruction.
class Server {
public:
    Server() {
        const std::string binary = test_paths::catchment_binary().string();
        std::vector<std::string> arguments = {binary, "serve", test_paths::sample_dir().string(), "--constraint-field", "lad11cd",
                                              "--port", "0"};
        std::vector<char*> argv;
        for (std::string& argument : arguments) argv.push_back(argument.data());
        argv.push_back(nullptr);
        const std::string log = dir_ / "serve.log";
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0) ::_exit(127);
            ::dup2(fd, STDERR_FILENO);
            ::dup2(fd, STDOUT_FILENO);
            ::execv(binary.c_str(), argv.data());
            ::_exit(127);
        }
        const std::regex listening("listening on http://127\\.0\\.0\\.1:([0-9]+)");
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        while (port_ == 0 && std::chrono::steady_clock::now() < deadline && !exited()) {
            std::smatch match;
            const std::string text = integration::slurp(log);
            if (std::regex_search(text, match, listening)) port_ = static_cast<std::uint16_t>(std::stoi(match[1].str()));
            else std::this_thread::sleep_for(20ms);
        }
        if (port_ == 0) {
            kill_child();
            FAIL("catchment serve did not report its port:\n" << integration::slurp(log));
        }
        // Bounded wait for /ready (the plan is computed in the background).
        const auto ready_deadline = std::chrono::steady_clock::now() + 120s;
        while (std::chrono::steady_clock::now() < ready_deadline && !exited()) {
            if (status("/ready") == "200") return;
            std::this_thread::sleep_for(100ms);
        }
        kill_child();
        FAIL("catchment serve never became ready:\n" << integration::slurp(log));
    }
    ~Server() { kill_child(); }
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    std::string url(const std::string& target) const { return "http://127.0.0.1:" + std::to_string(port_) + target; }

    /// The HTTP status code curl saw for a GET (extra curl arguments allowed).
    std::string status(const std::string& target, std::vector<std::string> extra = {}) const {
        std::vector<std::string> command = {"curl", "-s", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}"};
        command.insert(command.end(), extra.begin(), extra.end());
        command.push_back(url(target));
        return run_bounded("15", command).out;
    }
    /// The response headers (lower-cased, without CR) of a request; the body is discarded.
    std::string headers(const std::string& target, std::vector<std::string> extra = {}) const {
        std::vector<std::string> command = {"curl", "-s", "--max-time", "10", "-o", "/dev/null", "-D", "-"};
        command.insert(command.end(), extra.begin(), extra.end());
        command.push_back(url(target));
        std::string text = run_bounded("15", command).out;
        text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
        std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return text;
    }
    /// Body and status code of a GET, as "<body>\n<code>".
    std::string body_and_status(const std::string& target) const {
        return run_bounded("15", {"curl", "-s", "--max-time", "10", "-w", "\n%{http_code}", url(target)}).out;
    }

private:
    bool exited() {
        if (pid_ <= 0) return true;
        int status_code = 0;
        if (::waitpid(pid_, &status_code, WNOHANG) == pid_) {
            pid_ = -1;
            return true;
        }
        return false;
    }
    void kill_child() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            int status_code = 0;
            ::waitpid(pid_, &status_code, 0);
            pid_ = -1;
        }
    }
    TempDir dir_;
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

std::string header_value(const std::string& headers, const std::string& name) {
    std::smatch match;
    if (std::regex_search(headers, match, std::regex("(^|\n)" + name + ": *([^\n]*)"))) return match[2].str();
    return "";
}

}  // namespace

TEST_CASE("ogr2ogr copies all networks over OAPIF and they match `catchment plan`", "[serve][clients]") {
    Server server;
    TempDir dir;
    const std::string copy = dir / "oapif.gpkg";
    const std::string plan = dir / "plan.gpkg";

    const ProcessResult fetched = run_bounded("120", {"ogr2ogr", "-f", "GPKG", copy, "OAPIF:" + server.url(""), "networks",
                                                      "-t_srs", "EPSG:27700", "-nln", "oapif"});
    REQUIRE(fetched.exit_code == 0);
    const ProcessResult planned = run_bounded("300", {test_paths::catchment_binary().string(), "plan", test_paths::sample_dir().string(),
                                                      "--constraint-field", "lad11cd", "--out", plan});
    INFO(planned.err);
    REQUIRE(planned.exit_code == 0);
    const ProcessResult merged = run_bounded("60", {"ogr2ogr", "-update", "-append", plan, copy, "oapif", "-nln", "oapif"});
    INFO(merged.err);
    REQUIRE(merged.exit_code == 0);

    const std::int64_t planned_count = integration::ogr_sql_number(plan, "SELECT COUNT(*) FROM networks");
    CHECK(planned_count > 0);
    CHECK(integration::ogr_sql_number(plan, "SELECT COUNT(*) FROM oapif") == planned_count);
    const std::string joined = " FROM oapif a JOIN networks b ON a.network_id = b.network_id";
    const ProcessResult matched = run_bounded(
        "120", {"ogrinfo", "-ro", "-q", "-dialect", "SQLite", "-sql",
                "SELECT COUNT(*) AS matched, SUM(CASE WHEN ST_Area(ST_SymDifference(a.geom, b.geom)) < 0.001 * ST_Area(b.geom) "
                "THEN 1 ELSE 0 END) AS close" + joined,
                plan});
    INFO(matched.out << matched.err);
    REQUIRE(matched.exit_code == 0);
    std::smatch m;
    REQUIRE(std::regex_search(matched.out, m, std::regex(R"(matched \(Integer\) = ([0-9]+))")));
    CHECK(std::stoll(m[1]) == planned_count);
    REQUIRE(std::regex_search(matched.out, m, std::regex(R"(close \(Integer\) = ([0-9]+))")));
    CHECK(std::stoll(m[1]) == planned_count);
}

TEST_CASE("GDAL's MVT driver reads a served tile through /vsicurl/", "[serve][clients]") {
    Server server;
    const ProcessResult info = run_bounded("60", {"ogrinfo", "-ro", "-so", "/vsicurl/" + server.url("/tiles/12/2047/1361.mvt"), "-oo",
                                                  "X=2047", "-oo", "Y=1361", "-oo", "Z=12", "networks"});
    INFO(info.out << info.err);
    REQUIRE(info.exit_code == 0);
    std::smatch m;
    REQUIRE(std::regex_search(info.out, m, std::regex(R"(Feature Count: ([0-9]+))")));
    CHECK(std::stoll(m[1]) > 0);
}

TEST_CASE("curl sees ETag/304, gzip, CORS and JSON errors", "[serve][clients]") {
    Server server;
    const std::string tile = "/tiles/12/2047/1361.mvt";

    SECTION("ETag then If-None-Match gives 304") {
        const std::string etag = header_value(server.headers(tile), "etag");
        REQUIRE_FALSE(etag.empty());
        CHECK(server.status(tile, {"-H", "If-None-Match: " + etag}) == "304");
        CHECK(server.status(tile, {"-H", "If-None-Match: \"something-else\""}) == "200");
    }
    SECTION("gzip only when accepted") {
        CHECK(header_value(server.headers(tile, {"-H", "Accept-Encoding: gzip"}), "content-encoding") == "gzip");
        CHECK(header_value(server.headers(tile), "content-encoding").empty());
    }
    SECTION("CORS on GET and on a preflight") {
        CHECK(header_value(server.headers("/collections/networks/items?limit=1"), "access-control-allow-origin") == "*");
        const std::string preflight = server.headers("/collections/networks/items", {"-X", "OPTIONS", "-H", "Origin: http://example.org",
                                                                                    "-H", "Access-Control-Request-Method: GET"});
        CHECK(preflight.rfind("http/1.1 204", 0) == 0);
        CHECK(header_value(preflight, "access-control-allow-origin") == "*");
    }
    SECTION("bad parameters and unknown resources give JSON errors") {
        const std::vector<std::pair<std::string, std::string>> cases = {
            {"/collections/networks/items?bbox=1,2,3", "400"},
            {"/collections/networks/items?limit=-1", "400"},
            {"/collections/elephants/items", "404"},
            {"/tiles/40/0/0.mvt", "404"},
        };
        for (const auto& [target, code] : cases) {
            const std::string answer = server.body_and_status(target);
            INFO(target << " -> " << answer);
            const auto newline = answer.rfind('\n');
            REQUIRE(newline != std::string::npos);
            CHECK(answer.substr(newline + 1) == code);
            const std::string body = answer.substr(0, newline);
            CHECK(std::regex_search(body, std::regex(R"(^\s*\{.*"code"\s*:\s*"[^"]+".*"description"\s*:\s*"[^"]+)")));
        }
    }
}
