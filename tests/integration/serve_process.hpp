#pragma once
// The real `catchment serve` on an ephemeral port for client tests, and the helpers they share: bounded
// client runs and temporary directories.
#include "integration/process.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <sys/types.h>
#include <vector>

namespace integration {

/// Runs a client under coreutils `timeout` so no test can hang on it.
ProcessResult run_bounded(const std::string& seconds, const std::vector<std::string>& command);

/// A fresh temporary directory, removed with its contents on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string operator/(const std::string& name) const { return (path_ / name).string(); }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

/// `catchment serve data/sample --constraint-field lad11cd --port 0`, its output in a file. The constructor
/// returns once /ready answers 200 (or fails the test case); the server is killed on destruction.
class ServeProcess {
public:
    ServeProcess();
    ~ServeProcess();
    ServeProcess(const ServeProcess&) = delete;
    ServeProcess& operator=(const ServeProcess&) = delete;

    std::string url(const std::string& target) const { return "http://127.0.0.1:" + std::to_string(port_) + target; }

    /// The HTTP status code curl saw for a GET (extra curl arguments allowed).
    std::string status(const std::string& target, std::vector<std::string> extra = {}) const;
    /// The response headers (lower-cased, without CR) of a request; the body is discarded.
    std::string headers(const std::string& target, std::vector<std::string> extra = {}) const;
    /// Body and status code of a GET, as "<body>\n<code>".
    std::string body_and_status(const std::string& target) const;

private:
    bool exited();
    void kill_child();
    TempDir dir_;
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

}  // namespace integration
