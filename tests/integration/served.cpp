#include "integration/served.hpp"

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

pid_t spawn(std::vector<std::string> arguments, const std::filesystem::path& log) {
    std::vector<char*> argv;
    for (std::string& argument : arguments) argv.push_back(argument.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) ::_exit(127);
        ::dup2(fd, STDERR_FILENO);
        ::dup2(fd, STDOUT_FILENO);
        ::execv(argv.front(), argv.data());
        ::_exit(127);
    }
    return pid;
}

Server::Server(std::vector<std::string> extra) : Server(std::move(extra), test_paths::sample_dir()) {}

Server::Server(std::vector<std::string> extra, const std::filesystem::path& dataset, bool until_ready) {
    const std::string binary = test_paths::catchment_binary().string();
    std::vector<std::string> arguments = {binary, "serve", dataset.string(), "--constraint-field", "lad11cd", "--port", "0"};
    // A plan store of its own, unless the test names one: no test sees another's plans.
    if (std::find(extra.begin(), extra.end(), "--store") == extra.end()) {
        arguments.push_back("--store");
        arguments.push_back(dir_ / "store");
    }
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    pid_ = spawn(std::move(arguments), dir_ / "serve.log");
    const std::regex listening("listening on http://[^ ]*:([0-9]+)");  // 127.0.0.1 or the --host given
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (port_ == 0 && std::chrono::steady_clock::now() < deadline && !exited()) {
        std::smatch match;
        const std::string text = log();
        if (std::regex_search(text, match, listening)) port_ = static_cast<std::uint16_t>(std::stoi(match[1].str()));
        else std::this_thread::sleep_for(20ms);
    }
    if (port_ == 0) {
        kill_child();
        FAIL("catchment serve did not report its port:\n" << log());
    }
    if (until_ready) wait_ready();
}

void Server::wait_ready() {
    // Bounded wait for /ready (the plan is computed in the background).
    const auto ready_deadline = std::chrono::steady_clock::now() + 120s;
    while (std::chrono::steady_clock::now() < ready_deadline && !exited()) {
        if (status("/ready") == "200") return;
        std::this_thread::sleep_for(100ms);
    }
    const std::string text = log();
    kill_child();
    FAIL("catchment serve never became ready:\n" << text);
}

bool Server::wait_exit(std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (exited()) return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

Server::~Server() { kill_child(); }

std::string Server::log() const { return slurp(dir_ / "serve.log"); }

std::string Server::status(const std::string& target, std::vector<std::string> extra) const {
    std::vector<std::string> command = {"curl", "-s", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}"};
    command.insert(command.end(), extra.begin(), extra.end());
    command.push_back(url(target));
    return run_bounded("15", command).out;
}

std::string Server::headers(const std::string& target, std::vector<std::string> extra) const {
    std::vector<std::string> command = {"curl", "-s", "--max-time", "10", "-o", "/dev/null", "-D", "-"};
    command.insert(command.end(), extra.begin(), extra.end());
    command.push_back(url(target));
    std::string text = run_bounded("15", command).out;
    text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string Server::body_and_status(const std::string& target, std::vector<std::string> extra) const {
    std::vector<std::string> command = {"curl", "-s", "--max-time", "120", "-w", "\n%{http_code}"};
    command.insert(command.end(), extra.begin(), extra.end());
    command.push_back(url(target));
    return run_bounded("130", command).out;
}

bool Server::exited() {
    if (pid_ <= 0) return true;
    int status_code = 0;
    if (::waitpid(pid_, &status_code, WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status_code) ? WEXITSTATUS(status_code) : 128 + WTERMSIG(status_code);
        pid_ = -1;
        return true;
    }
    return false;
}

void Server::kill_child() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status_code = 0;
        ::waitpid(pid_, &status_code, 0);
        pid_ = -1;
    }
}

std::string header_value(const std::string& headers, const std::string& name) {
    std::smatch match;
    if (std::regex_search(headers, match, std::regex("(^|\n)" + name + ": *([^\n]*)"))) return match[2].str();
    return "";
}

}  // namespace integration
