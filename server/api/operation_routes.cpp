#include "server/api/routes.hpp"
#include "server/http/metrics.hpp"

#include <boost/json/object.hpp>

namespace server {

void add_operation_routes(Router& router, const Service& service, const Metrics& metrics) {
    router.add(http::verb::get, "/health", "health", [](const RouteContext& context) {
        return json_response(context.request, http::status::ok, boost::json::object{{"status", "ok"}});
    });
    router.add(http::verb::get, "/ready", "ready", [&service](const RouteContext& context) {
        const auto state = service.current();
        if (!state) {
            return json_response(context.request, http::status::service_unavailable,
                                 boost::json::object{{"status", "loading"}});
        }
        return json_response(context.request, http::status::ok,
                             boost::json::object{{"status", "ready"}, {"version", state->version}});
    });
    router.add(http::verb::get, "/metrics", "metrics", [&service, &metrics](const RouteContext& context) {
        Response response = text_response(context.request, http::status::ok, metrics.render() + service_metrics(service),
                                          "text/plain; version=0.0.4; charset=utf-8");
        response.set(http::field::cache_control, "no-store");
        return response;
    });
}

}  // namespace server
