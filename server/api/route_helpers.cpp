// What every route uses: the state a request addresses, its public URLs, plan-scoped registration,
// OGC link objects and the 400 for a bad parameter.
#include "server/api/route_helpers.hpp"

#include "server/service/feature_collections.hpp"

namespace server {

std::shared_ptr<const ServiceState> require_state(const Service& service, const std::string& plan) {
    auto state = service.state_for(plan);
    if (state) return state;
    if (plan == kDefaultPlanId) throw HttpError(http::status::service_unavailable, "NotReady", "no dataset is loaded yet");
    throw HttpError(http::status::not_found, "NotFound",
                    "no plan '" + plan + "' (unknown, deleted, or evicted from memory and not stored)");
}

std::shared_ptr<const ServiceState> plan_state(const Service& service, const std::string& plan, const RouteContext& context) {
    if (auto state = service.state_for(plan)) return state;
    if (plan != kDefaultPlanId && service.store() != nullptr && data::valid_plan_id(plan) && service.current()) {
        context.needs_worker();  // reading, decoding and cutting tiles: not on an I/O thread
        Service::Restored restored;
        try {
            restored = service.restore(plan);
        } catch (const data::PlanStoreError& error) {
            throw HttpError(http::status::service_unavailable, "StoreUnavailable", std::string("the plan store cannot be read: ") + error.what());
        }
        switch (restored.status) {
            case Service::StoredStatus::served: return restored.plan->state;
            case Service::StoredStatus::stale:
            case Service::StoredStatus::unreadable: throw HttpError(http::status::conflict, "StalePlan", restored.why);
            case Service::StoredStatus::absent: break;
        }
    }
    return require_state(service, plan);
}

std::shared_ptr<const ServiceState> state_for(const Service& service, const RouteContext& context) {
    const auto plan = context.path.find("plan");
    return plan_state(service, plan == context.path.end() ? std::string(kDefaultPlanId) : plan->second, context);
}

std::string host_url(const RouteContext& context) { return public_base_url(context.request, context.public_url); }

std::string base_url(const RouteContext& context) {
    std::string url = host_url(context);
    const auto plan = context.path.find("plan");
    if (plan != context.path.end()) {
        url += "/plans/";
        url += plan->second;
    }
    return url;
}

void add_plan_scoped(Router& router, const std::string& pattern, const std::string& name, const Handler& handler) {
    router.add(http::verb::get, pattern, name, handler);
    router.add(http::verb::get, "/plans/{plan}" + pattern, "plan_" + name, handler);
}

boost::json::object json_link(const std::string& href, std::string_view rel, std::string_view type, std::string_view title) {
    boost::json::object out;
    out["href"] = href;
    out["rel"] = rel;
    out["type"] = type;
    if (!title.empty()) out["title"] = title;
    return out;
}

void invalid_parameter(const std::string& name, const std::string& why) {
    std::string message = "parameter '";
    message += name;
    message += "': ";
    message += why;
    throw HttpError(http::status::bad_request, "InvalidParameterValue", message);
}

Response json_reply(const Request& request, const boost::json::value& body, std::string_view content_type) {
    return json_response(request, http::status::ok, body, content_type);
}

void check_format(const RouteContext& context) {
    for (const auto& [name, value] : context.query) {
        if (name == "f" && value != "json" && value != "geojson") invalid_parameter("f", "unsupported format '" + value + "' (expected json)");
    }
}

void check_acceptable(const RouteContext& context, std::initializer_list<std::string_view> offered) {
    if (context.parameter("f") == nullptr) require_acceptable(context.request, offered);
}

boost::json::array served_crs_list() {
    boost::json::array out;
    for (const ServedCrs& crs : served_crss()) out.emplace_back(crs.uri);
    return out;
}

std::function<void()> work_checkpoint(const RouteContext& context, std::string_view work, std::chrono::seconds limit,
                                      std::string_view timeout_code, std::string_view advice) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    std::string abandoned = "; the ";
    abandoned += work;
    abandoned += " was abandoned";
    std::string too_long = "the ";
    too_long += work;
    too_long += " took longer than the server's limit of ";
    too_long += std::to_string(limit.count());
    too_long += " s; ";
    too_long += advice;
    return [&context, deadline, abandoned, too_long, code = std::string(timeout_code)] {
        if (context.cancelled()) {
            // Nobody is waiting for it: 499 (nginx's "client closed request") for the log and metrics.
            throw HttpError(static_cast<http::status>(499), "ClientClosedRequest", "the client hung up" + abandoned);
        }
        if (context.stopping()) throw HttpError(http::status::service_unavailable, "ShuttingDown", "the server is stopping" + abandoned);
        if (std::chrono::steady_clock::now() > deadline) throw HttpError(http::status::service_unavailable, code, too_long);
    };
}

}  // namespace server
