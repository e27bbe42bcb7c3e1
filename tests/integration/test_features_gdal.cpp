// `catchment serve` on the bundled sample read back by GDAL's OGC API - Features client (OAPIF).
#include "integration/process.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>
#include <sys/types.h>
#include <thread>
#include <unistd.h>

namespace {

/// `catchment serve --port 0` in the background, stopped (by its pid) when this goes out of scope.
class Server {
public:
    Server() {
        const std::filesystem::path directory = std::filesystem::temp_directory_path() /
                                                ("catchment-features-" + std::to_string(::getpid()));
        std::filesystem::create_directories(directory);
        log_ = directory / "serve.err";
        const std::filesystem::path pid_file = directory / "serve.pid";
        std::string command = integration::shell_quote(CATCHMENT_BINARY);
        command += " serve ";
        command += integration::shell_quote(std::string(CATCHMENT_SOURCE_DIR) + "/data/sample");
        command += " --port 0 --quiet --threads 2 >/dev/null 2>";
        command += integration::shell_quote(log_.string());
        command += " & echo $! >";
        command += integration::shell_quote(pid_file.string());
        REQUIRE(std::system(command.c_str()) == 0);
        pid_ = static_cast<pid_t>(std::stol(integration::slurp(pid_file)));

        // Wait for the port, then for the dataset to be planned.
        const std::regex listening(R"(listening on (http://127\.0\.0\.1:[0-9]+))");
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
        while (std::chrono::steady_clock::now() < deadline) {
            const std::string text = std::filesystem::exists(log_) ? integration::slurp(log_) : std::string();
            std::smatch match;
            if (url_.empty() && std::regex_search(text, match, listening)) url_ = match[1].str();
            if (!url_.empty() && text.find("catchment: serving") != std::string::npos) return;
            if (::kill(pid_, 0) != 0) FAIL("catchment serve stopped: " + text);
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        FAIL("catchment serve was not ready in time: " + integration::slurp(log_));
    }
    ~Server() {
        if (pid_ > 0) ::kill(pid_, SIGTERM);
    }
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    const std::string& url() const { return url_; }

private:
    std::filesystem::path log_;
    pid_t pid_ = -1;
    std::string url_;
};

}  // namespace

TEST_CASE("GDAL's OAPIF driver lists the collections and counts the areas", "[features][gdal]") {
    Server server;
    const std::string source = "OAPIF:" + server.url();

    const integration::ProcessResult listing = integration::run("ogrinfo", {"-ro", "-so", source});
    INFO(listing.err);
    REQUIRE(listing.exit_code == 0);
    for (const char* layer : {"1: practices (title: GP practices) (Point)", "2: areas (title: Small areas) (Multi Polygon)",
                              "3: catchments", "4: networks", "5: network_borders (title: Network borders) (Multi Line String)",
                              "6: gaps"}) {
        CHECK(listing.out.find(layer) != std::string::npos);
    }

    const integration::ProcessResult areas = integration::run("ogrinfo", {"-ro", "-so", source, "areas"});
    INFO(areas.err);
    REQUIRE(areas.exit_code == 0);
    CHECK(areas.out.find("Feature Count: 4835") != std::string::npos);
    CHECK(areas.out.find("area_code: String") != std::string::npos);
    CHECK(areas.out.find("population: Integer") != std::string::npos);

    // Reading every practice follows the next links page by page.
    const integration::ProcessResult every = integration::run("ogrinfo", {"-ro", "-q", source, "practices"});
    INFO(every.err);
    REQUIRE(every.exit_code == 0);
    std::size_t features = 0;
    for (std::size_t at = every.out.find("OGRFeature(practices)"); at != std::string::npos;
         at = every.out.find("OGRFeature(practices)", at + 1)) {
        ++features;
    }
    CHECK(features == 1183);
}
