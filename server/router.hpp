#pragma once
// The route table: method and path pattern to a pure handler. handle() is the one error boundary: it
// never throws, answers HttpError with its status and anything else with a 500 that leaks nothing,
// answers a known path with the wrong method with 405 (and Allow), OPTIONS with a CORS preflight, and
// puts CORS headers on every response.
#include "server/http.hpp"

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace server {

struct RouteContext {
    const Request& request;
    std::map<std::string, std::string> path;                   // values of {placeholders}
    std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
    /// The query parameter's value, or nullptr when absent.
    const std::string* parameter(const std::string& name) const;
};

using Handler = std::function<Response(const RouteContext&)>;

class Router {
public:
    /// `pattern` is a path such as "/collections/{id}/items/{featureId}"; a placeholder matches one
    /// path segment. `name` labels the route in metrics and logs (e.g. "collection_items").
    void add(http::verb method, std::string pattern, std::string name, Handler handler);

    /// Pure: the response to `request`. Never throws.
    Response handle(const Request& request) const;
    /// The same, matching the request once and also giving the matched route's name ("unknown" when
    /// none; it stays valid as long as the router), for metrics and logs.
    Response handle(const Request& request, std::string_view& route) const;

    /// The name of the route `request` matches ("unknown" when none), for metrics.
    std::string route_name(const Request& request) const;

private:
    struct Route {
        http::verb method;
        std::vector<std::string> segments;  // "{id}" for a placeholder
        std::string name;
        Handler handler;
    };
    std::vector<Route> routes_;
};

/// Adds the CORS headers every response carries.
void add_cors_headers(Response& response);

}  // namespace server
