#include "server/cli/progress_bar.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <pty.h>
#include <unistd.h>

using namespace std::chrono_literals;

namespace {
/// Everything readable from a pseudo-terminal's master side right now.
std::string drain(int master) {
    std::string text;
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::read(master, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(n));
    return text;
}
}  // namespace

TEST_CASE("The progress line is drawn on a terminal and cleared at the end", "[progress]") {
    int master = -1, slave = -1;
    REQUIRE(::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
    ::fcntl(master, F_SETFL, O_NONBLOCK);
    std::FILE* terminal = ::fdopen(slave, "w");
    {
        server::ProgressBar bar(terminal, 0ms);
        bar.begin("registrations", 304958);
        bar.update(152479);
        bar.end();
    }
    std::fclose(terminal);
    const std::string shown = drain(master);
    ::close(master);
    CHECK_THAT(shown, Catch::Contains("reading registrations: 0 / 304,958 (0%)"));
    CHECK_THAT(shown, Catch::EndsWith("\r\033[K"));  // the line is cleared, not left behind
}

TEST_CASE("No progress is written to a file or a pipe nor during the first second", "[progress]") {
    std::FILE* file = std::tmpfile();
    {
        server::ProgressBar bar(file, 0ms);
        bar.begin("areas", 10);
        bar.update(5);
    }
    CHECK(std::ftell(file) == 0);
    std::fclose(file);

    int master = -1, slave = -1;
    REQUIRE(::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
    ::fcntl(master, F_SETFL, O_NONBLOCK);
    std::FILE* terminal = ::fdopen(slave, "w");
    {
        server::ProgressBar bar(terminal);  // default: quiet for the first second
        bar.begin("areas", 10);
        bar.update(5);
    }
    std::fclose(terminal);
    CHECK(drain(master).empty());
    ::close(master);
}

TEST_CASE("A stage with no rows to count shows its name alone", "[progress]") {
    int master = -1, slave = -1;
    REQUIRE(::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
    ::fcntl(master, F_SETFL, O_NONBLOCK);
    std::FILE* terminal = ::fdopen(slave, "w");
    {
        server::ProgressBar bar(terminal, 0ms);
        bar.begin("networks", 0);  // a planning step
    }
    std::fclose(terminal);
    const std::string shown = drain(master);
    ::close(master);
    CHECK_THAT(shown, Catch::Contains("networks...") && !Catch::Contains("reading"));
}
