#pragma once
// The route table: method and path pattern to a pure handler. handle() is the one error boundary: it
// never throws, answers HttpError with its status and anything else with a 500 that leaks nothing,
// answers a known path with the wrong method with 405 (and Allow), OPTIONS with a CORS preflight, and
// puts CORS headers on every response.
#include "server/http/http.hpp"

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace server {

/// Thrown by RouteContext::needs_worker() on an I/O thread: the server runs the handler again on its
/// worker pool. Not an error, so not a std::exception.
struct WorkerNeeded {};

struct RouteContext {
    const Request& request;
    std::map<std::string, std::string> path;                   // values of {placeholders}
    std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
    std::string_view public_url = {};                          // --public-url, when the server was given one
    bool on_worker = true;                                     // false on an I/O thread, which must stay responsive
    const std::atomic<bool>* client_gone = nullptr;            // set by the server when the client hangs up
    const std::atomic<bool>* server_stopping = nullptr;        // set when the server is asked to stop (SIGTERM)
    /// Whether the client has hung up while its request was handled (long computations give up then).
    bool cancelled() const { return client_gone != nullptr && client_gone->load(); }
    /// Whether the server is stopping: long computations give up, so that it stops within a second.
    bool stopping() const { return server_stopping != nullptr && server_stopping->load(); }
    /// Call before CPU work (a cold tile, a collection to build): on an I/O thread it throws WorkerNeeded,
    /// and the handler runs again on a worker; elsewhere it returns at once.
    void needs_worker() const {
        if (!on_worker) throw WorkerNeeded{};
    }
    /// The query parameter's value, or nullptr when absent.
    const std::string* parameter(const std::string& name) const;
};

using Handler = std::function<Response(const RouteContext&)>;

/// Where the server runs a route's handler: on the io threads (quick handlers, which move to the worker
/// pool when they find CPU work: RouteContext::needs_worker), or on the separate pool for long
/// computations, so that they never hold an io thread.
enum class Execution { io, worker, blocking };

/// What the server needs to know of a request's route before handling it.
struct RouteInfo {
    std::string name = "unknown";  // labels the route in metrics and logs
    Execution execution = Execution::io;
};

class Router {
public:
    /// `pattern` is a path such as "/collections/{id}/items/{featureId}"; a placeholder matches one
    /// path segment. `name` labels the route in metrics and logs (e.g. "collection_items").
    void add(http::verb method, std::string pattern, std::string name, Handler handler, Execution execution = Execution::io);

    /// The URL every link starts with (see public_base_url); empty: from each request.
    void set_public_url(std::string url) { public_url_ = std::move(url); }

    /// Origins (scheme://host[:port], or "*") whose web pages may send requests that change the server
    /// (POST, PUT, PATCH, DELETE); the server's own origin always may. Others get 403 CrossOriginRefused
    /// and no CORS grant. Those requests also need Content-Type: application/json (else 415), which a
    /// page elsewhere cannot send without a preflight.
    void set_write_origins(std::vector<std::string> origins) { write_origins_ = std::move(origins); }

    /// Pure: the response to `request`. Never throws.
    Response handle(const Request& request) const;

    /// How handle() met a request: the matched route's name ("unknown" when none; valid as long as the
    /// router), where its handler must run (blocking, or worker when it asked for one), and whether it
    /// was left for that pool.
    struct Routed {
        std::string_view name = "unknown";
        Execution execution = Execution::io;
        bool deferred = false;
    };
    /// The same, matching the request once. With `run_blocking` false (on an I/O thread), a blocking
    /// route's handler is not run, nor finished when it calls needs_worker(): `routed.deferred` is set and
    /// the caller calls handle() again on the pool `routed.execution` names.
    Response handle(const Request& request, Routed& routed, bool run_blocking = true, const std::atomic<bool>* client_gone = nullptr,
                    const std::atomic<bool>* server_stopping = nullptr) const;
    /// On a pool, for a deferred request: `client_gone` (may be null) tells the handler its client left,
    /// `server_stopping` (may be null) that the server is stopping.
    Response handle_off_io(const Request& request, const std::atomic<bool>* client_gone,
                           const std::atomic<bool>* server_stopping = nullptr) const;

    /// The route `request` matches (name "unknown" when none), for metrics and for choosing the thread.
    RouteInfo route_info(const Request& request) const;
    std::string route_name(const Request& request) const { return route_info(request).name; }

private:
    struct Route {
        http::verb method;
        std::vector<std::string> segments;  // "{id}" for a placeholder
        std::string name;
        Handler handler;
        Execution execution = Execution::io;
    };
    bool origin_may_write(const Request& request) const;
    void check_write(const Request& request) const;  // throws 403 or 415
    void add_cors_headers(const Request& request, Response& response) const;

    std::vector<Route> routes_;
    std::string public_url_;
    std::vector<std::string> write_origins_;
};

/// Adds the CORS headers of a response to reading: any origin.
void add_cors_headers(Response& response);

}  // namespace server
