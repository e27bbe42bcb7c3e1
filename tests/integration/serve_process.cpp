#include "integration/serve_process.hpp"

#include "paths.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <regex>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace integration {

using namespace std::chrono_literals;

ProcessResult run_bounded(const std::string& seconds, const std::vector<std::string>& command) {
    std::vector<std::string> arguments = {"-k", "5", seconds};
    arguments.insert(arguments.end(), command.begin(), command.end());
    return run("timeout", arguments);
}

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "catchment-clients-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

ServeProcess::ServeProcess() {
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
        const std::string text = slurp(log);
        if (std::regex_search(text, match, listening)) port_ = static_cast<std::uint16_t>(std::stoi(match[1].str()));
        else std::this_thread::sleep_for(20ms);
    }
    if (port_ == 0) {
        kill_child();
        FAIL("catchment serve did not report its port:\n" << slurp(log));
    }
    // Bounded wait for /ready (the plan is computed in the background).
    const auto ready_deadline = std::chrono::steady_clock::now() + 120s;
    while (std::chrono::steady_clock::now() < ready_deadline && !exited()) {
        if (status("/ready") == "200") return;
        std::this_thread::sleep_for(100ms);
    }
    kill_child();
    FAIL("catchment serve never became ready:\n" << slurp(log));
}

ServeProcess::~ServeProcess() { kill_child(); }

std::string ServeProcess::status(const std::string& target, std::vector<std::string> extra) const {
    std::vector<std::string> command = {"curl", "-s", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}"};
    command.insert(command.end(), extra.begin(), extra.end());
    command.push_back(url(target));
    return run_bounded("15", command).out;
}

std::string ServeProcess::headers(const std::string& target, std::vector<std::string> extra) const {
    std::vector<std::string> command = {"curl", "-s", "--max-time", "10", "-o", "/dev/null", "-D", "-"};
    command.insert(command.end(), extra.begin(), extra.end());
    command.push_back(url(target));
    std::string text = run_bounded("15", command).out;
    text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string ServeProcess::body_and_status(const std::string& target) const {
    return run_bounded("15", {"curl", "-s", "--max-time", "10", "-w", "\n%{http_code}", url(target)}).out;
}

bool ServeProcess::exited() {
    if (pid_ <= 0) return true;
    int status_code = 0;
    if (::waitpid(pid_, &status_code, WNOHANG) == pid_) {
        pid_ = -1;
        return true;
    }
    return false;
}

void ServeProcess::kill_child() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status_code = 0;
        ::waitpid(pid_, &status_code, 0);
        pid_ = -1;
    }
}

}  // namespace integration
