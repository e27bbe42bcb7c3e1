#pragma once
// The real `catchment serve` on an ephemeral port for client tests: started on the bundled sample,
// ready when constructed, killed when destroyed; plus curl helpers and bounded client runs.
#include "integration/process.hpp"
#include "temp_dir.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <sys/types.h>
#include <vector>

namespace integration {

/// Runs a client under coreutils `timeout` so no test can hang on it.
ProcessResult run_bounded(const std::string& seconds, const std::vector<std::string>& command);

using test_support::TempDir;

/// Starts `arguments` (the program first) as a child with stdout and stderr in `log`; its pid.
pid_t spawn(std::vector<std::string> arguments, const std::filesystem::path& log);

/// `catchment serve data/sample --constraint-field lad11cd --port 0 EXTRA...` (or another dataset), its output in a file;
/// waits (bounded) for /ready; killed on destruction.
class Server {
public:
    explicit Server(std::vector<std::string> extra = {});
    /// The same on another dataset (a folder or description file); with `until_ready` false, returns as
    /// soon as the port is known (call wait_ready() later).
    Server(std::vector<std::string> extra, const std::filesystem::path& dataset, bool until_ready = true);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    std::uint16_t port() const { return port_; }
    pid_t pid() const { return pid_; }
    /// Waits (bounded) until /ready answers 200; fails the test when the server exits or never does.
    void wait_ready();
    /// True once the child has exited (its code is then in exit_code()).
    bool exited();
    int exit_code() const { return exit_code_; }
    /// Waits (bounded) for the child to exit: true when it did.
    bool wait_exit(std::chrono::seconds timeout);
    std::string url(const std::string& target) const { return "http://127.0.0.1:" + std::to_string(port_) + target; }
    std::string log() const;

    /// The HTTP status code curl saw for a GET (extra curl arguments allowed).
    std::string status(const std::string& target, std::vector<std::string> extra = {}) const;
    /// The response headers (lower-cased, without CR) of a request; the body is discarded.
    std::string headers(const std::string& target, std::vector<std::string> extra = {}) const;
    /// Body and status code of a request, as "<body>\n<code>" (extra curl arguments allowed).
    std::string body_and_status(const std::string& target, std::vector<std::string> extra = {}) const;

private:
    void kill_child();
    TempDir dir_;
    pid_t pid_ = -1;
    int exit_code_ = -1;
    std::uint16_t port_ = 0;
};

/// The value of header `name` (lower-case) in curl's lower-cased header dump, or "".
std::string header_value(const std::string& headers, const std::string& name);

}  // namespace integration
