#pragma once
// The socket side of the service, in the style of Beast's advanced server example: one io_context run
// by a pool of threads, an acceptor, and one session per connection with HTTP/1.1 keep-alive. Every
// request goes to Router::handle on the io threads (a blocking route's on a small pool of its own), is
// recorded in Metrics and logged on stderr.
// stop() is graceful: no new connections, idle keep-alive connections closed, requests in flight
// answered (with Connection: close), then the io_context runs out of work and wait() returns.
#include "server/http/access_log.hpp"
#include "server/http/metrics.hpp"
#include "server/http/router.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace server {

/// The named limits a connection is held to.
struct ServerLimits {
    std::size_t header_limit = 8 * 1024;          // bytes of request line and headers (beyond: 431)
    std::uint64_t body_limit = 1024 * 1024;       // bytes of request body (beyond: 413)
    std::chrono::seconds read_timeout{30};        // to read one request (and to write its response)
    std::chrono::seconds idle_timeout{60};        // a keep-alive connection waiting for its next request
    std::size_t max_connections = 1024;           // open connections; beyond, the probe slots, then closed at once
    std::size_t probe_connections = 32;           // beyond max_connections: slots for ServerOptions::probe_paths only
    std::chrono::seconds probe_timeout{2};        // for a probe slot's one request (idle clients cannot keep it)
    std::size_t max_blocking_queue = 4;           // blocking requests running or waiting; beyond: 503 Busy
    std::size_t max_worker_queue = 1024;          // requests on or waiting for the worker pool; beyond: 503 Busy
    /// Throws std::invalid_argument naming the bad limit.
    void validate() const;
};

/// The address cannot be listened on (port in use, no such address here, a privileged port): the
/// user's option, not a failure of the server.
class ListenError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct ServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;        // 0: an ephemeral port, see HttpServer::port()
    unsigned threads = 0;             // 0: one per core
    unsigned blocking_threads = 1;    // run the handlers of Execution::blocking routes (e.g. POST /plans)
    unsigned worker_threads = 0;      // run handlers with CPU work to do (cold tiles, collections); 0: one per core
    ServerLimits limits;
    bool access_log = true;           // one line per request, written in batches (at most 20 ms late)
    AccessLogOptions access_log_file; // where: stderr, or a file rotated by size
    bool handle_signals = false;      // SIGINT and SIGTERM call stop()
    /// Paths (e.g. /health, /ready) still answered when max_connections are open, on limits.probe_connections
    /// further connections, each closed after one request or limits.probe_timeout; other requests there get 503.
    std::vector<std::string> probe_paths;
};

class HttpServer {
public:
    explicit HttpServer(ServerOptions options);
    ~HttpServer();  // stops and waits
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds and listens on host:port; returns the bound port. Throws ListenError.
    std::uint16_t listen();
    std::uint16_t port() const;
    /// Starts accepting on the io threads; `router` and `metrics` must outlive the server.
    void start(const Router& router, Metrics& metrics);
    /// Graceful stop; thread-safe, idempotent, returns at once.
    void stop();
    /// Whether stop() was called (or a signal asked for it).
    bool stopping() const;
    /// Blocks until every io thread has finished (after stop()).
    void wait();

    class Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace server
