#pragma once
// What every route uses: the state a request addresses, its public URLs, plan-scoped registration,
// OGC link objects, the checks of a metadata page's format and the 400 for a bad parameter.
#include "server/http/router.hpp"
#include "server/service/service.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <functional>
#include <initializer_list>

#include <memory>
#include <string>
#include <string_view>

namespace server {

/// The state of plan `plan` ("default": the one served at the root). Throws 503 NotReady before the
/// dataset is loaded and 404 for an unknown (or evicted) plan.
std::shared_ptr<const ServiceState> require_state(const Service& service, const std::string& plan = std::string(kDefaultPlanId));
/// The state of plan `plan`, restored from the plan store when it is stored but not in memory (on a
/// worker: see RouteContext::needs_worker). 409 StalePlan for a stored plan of other data (or of another
/// catchment's snapshot format), 503 StoreUnavailable when the store fails, else as require_state.
std::shared_ptr<const ServiceState> plan_state(const Service& service, const std::string& plan, const RouteContext& context);
/// The state a request addresses: the stored plan of /plans/{plan}/..., else the default plan.
std::shared_ptr<const ServiceState> state_for(const Service& service, const RouteContext& context);
/// Where clients reach the server: --public-url, else the proxy's or the request's own (public_base_url).
std::string host_url(const RouteContext& context);
/// The base of every link in a response: host_url() plus "/plans/{plan}" on a plan's routes.
std::string base_url(const RouteContext& context);
/// Registers GET `pattern` for the default plan and GET /plans/{plan}`pattern` for every plan (route
/// name "plan_" + `name`), with the same handler.
void add_plan_scoped(Router& router, const std::string& pattern, const std::string& name, const Handler& handler);

/// An OGC API link object: href, rel, type and (when given) title.
boost::json::object json_link(const std::string& href, std::string_view rel, std::string_view type, std::string_view title = {});

/// A checkpoint for long work on a worker (a plan, a site search), called between its steps: it gives up
/// with 499 ClientClosedRequest once the client hung up, 503 ShuttingDown once the server stops, and 503
/// `timeout_code` once `limit` has passed since it was made ("the `work` took longer than the server's
/// limit of N s; `advice`").
std::function<void()> work_checkpoint(const RouteContext& context, std::string_view work, std::chrono::seconds limit,
                                      std::string_view timeout_code, std::string_view advice);

/// Throws the 400 "InvalidParameterValue" naming the query parameter and what was wrong with it.
[[noreturn]] void invalid_parameter(const std::string& name, const std::string& why);

/// A 200 with `body` as JSON of `content_type`.
Response json_reply(const Request& request, const boost::json::value& body, std::string_view content_type = "application/json");
/// Only f=json (or geojson) is served; other query parameters of the metadata pages are ignored.
void check_format(const RouteContext& context);
/// 406 unless the client accepts one of `offered`; an explicit f= wins over the Accept header.
void check_acceptable(const RouteContext& context, std::initializer_list<std::string_view> offered);
/// The URIs of the served CRSs (served_crss()), CRS84 first.
boost::json::array served_crs_list();

}  // namespace server
