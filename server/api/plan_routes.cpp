// Plans made on request: POST /plans computes a plan on the blocking pool, within a time limit, and
// stores it; GET /plans and GET /plans/{plan} describe them. Every plan's layers are served like the
// default plan's under /plans/{plan}/... (see add_plan_scoped), so GDAL and QGIS open a plan with
// OAPIF:http://host/plans/{plan} and web maps with /plans/{plan}/style.json.
#include "geo/parallel.hpp"
#include "server/api/plan_request.hpp"
#include "server/api/routes.hpp"
#include "server/service/diff_report.hpp"
#include "server/service/feature_collections.hpp"
#include "server/service/plan_report.hpp"

#include <boost/json.hpp>

#include <chrono>

namespace server {

namespace json = boost::json;

namespace {

/// The networks named by a request's `member` ("baseline", "against"): "reference" (the real networks of
/// `base`'s dataset), "default" (the served plan) or a stored plan's id. A 400 naming the member otherwise.
std::shared_ptr<const geo::Baseline> named_networks(const Service& service, const std::string& name, const ServiceState& base,
                                                    const std::string& member) {
    const auto refuse = [&member](const std::string& why) { throw HttpError(http::status::bad_request, "InvalidParameterValue", member + ": " + why); };
    if (name == "reference") {
        try {
            return std::make_shared<const geo::Baseline>(geo::reference_baseline(*base.dataset));
        } catch (const geo::PlanError& error) {
            refuse(error.what());
        }
    }
    const auto state = service.state_for(name);
    if (!state) refuse("no plan '" + name + "' (expected \"default\", a plan id or \"reference\")");
    if (state->version != base.version) refuse("plan '" + name + "' was made from an earlier version of the dataset");
    auto baseline = std::make_shared<geo::Baseline>(geo::baseline_of(*state->dataset, state->plan));
    baseline->source = name;
    return baseline;
}

/// The links of a plan; with service-desc, conformance and data it doubles as an OGC API landing page.
json::array plan_links(const std::string& base) {
    return json::array{
        json_link(base, "self", "application/json", "this plan"),
        json_link(base + "/api", "service-desc", "application/vnd.oai.openapi+json;version=3.0", "the API definition"),
        json_link(base + "/conformance", "conformance", "application/json", "conformance classes"),
        json_link(base + "/collections", "data", "application/json", "the plan's layers as OGC API - Features collections"),
        json_link(base + "/tiles.json", "tilejson", "application/json", "the plan's vector tiles (TileJSON 3.0.0)"),
        json_link(base + "/style.json", "stylesheet", "application/vnd.mapbox.style+json", "a MapLibre style for the tiles"),
        json_link(base + "/gaps", "gaps", "application/geo+json", "coverage gaps"),
    };
}

json::object plan_summary(const ServiceState& state, const std::string& base) {
    const geo::PartitionSummary& s = state.plan.report.plan;
    return json::object{{"networks", s.networks},
                        {"in_band", s.in_band},
                        {"share_in_band", s.share_in_band},
                        {"forced_out_of_band", s.forced},
                        {"not_reached", s.not_reached},
                        {"cohesion", s.cohesion},
                        {"people_in_gaps", state.plan.report.people_in_gaps},
                        {"links", json::array{json_link(base, "self", "application/json", "the plan")}}};
}

json::object plan_document(const ServiceState& state, const StoredPlan* stored, const std::string& base) {
    json::object out;
    out["id"] = state.plan_id;
    out["title"] = !state.plan.options.title.empty() ? state.plan.options.title
                   : "Plan " + state.plan_id + (state.dataset->name.empty() ? std::string() : " of " + state.dataset->name);
    out["dataset_version"] = state.version;
    if (stored != nullptr) {
        out["created"] = stored->created;
        out["seconds"] = stored->seconds;
        out["parameters"] = json::parse(stored->request);
        out["new_practices"] = json::value_from(stored->new_practices);
    } else {
        out["parameters"] = json::object{};
        out["new_practices"] = json::array{};
    }
    out["report"] = plan_report_json(*state.dataset, state.plan);
    out["links"] = plan_links(base);
    return out;
}

}  // namespace

void add_plan_routes(Router& router, Service& service, PlanSettings settings) {
    settings.validate();
    router.add(http::verb::get, "/plans", "plans", [&service](const RouteContext& context) {
        const std::string root = host_url(context);
        json::array plans;
        if (const auto current = service.current()) {
            json::object summary = plan_summary(*current, root + "/plans/default");
            summary["id"] = kDefaultPlanId;
            plans.push_back(std::move(summary));
        }
        for (const auto& stored : service.plans().list()) {
            json::object summary = plan_summary(*stored->state, root + "/plans/" + stored->id);
            summary["id"] = stored->id;
            summary["created"] = stored->created;
            plans.push_back(std::move(summary));
        }
        const PlanStore::Limits& limits = service.plans().limits();
        json::object out{{"plans", std::move(plans)},
                         {"limits", {{"max_plans", limits.max_plans}, {"max_bytes", limits.max_bytes}}},
                         {"evicted", service.plans().evicted()},
                         {"links", json::array{json_link(root + "/plans", "self", "application/json", "the plans")}}};
        return json_response(context.request, http::status::ok, out);
    });
    router.add(http::verb::get, "/plans/{plan}", "plan", [&service](const RouteContext& context) {
        const auto state = state_for(service, context);
        const auto stored = state->plan_id == kDefaultPlanId ? nullptr : service.plans().find(state->plan_id);
        return json_response(context.request, http::status::ok, plan_document(*state, stored.get(), base_url(context)));
    });

    router.add(http::verb::get, "/plans/{plan}/diff", "plan_diff", [&service](const RouteContext& context) {
        const auto state = state_for(service, context);
        std::string against(kDefaultPlanId);
        for (const auto& [name, value] : context.query) {
            if (name != "against") throw HttpError(http::status::bad_request, "InvalidParameterValue", name + ": unknown query parameter (expected against)");
            against = value;
        }
        const auto before = named_networks(service, against, *require_state(service), "against");
        const geo::PlanDiff diff = geo::diff(*before, geo::baseline_of(*state->dataset, state->plan));
        return json_response(context.request, http::status::ok, diff_json(diff, against, state->plan_id));
    });

    Handler create = [&service, settings](const RouteContext& context) -> Response {
        geo::lower_thread_priority();  // (on the blocking pool: tiles and features go first)
        const auto base = require_state(service);
        PlanRequest request = parse_plan_request(context.request.body(), settings.defaults, *base->dataset);
        if (!request.baseline.empty()) request.options.baseline = named_networks(service, request.baseline, *base, "baseline");
        const auto started = std::chrono::steady_clock::now();
        const auto deadline = started + settings.time_limit;
        const geo::PlanCheckpoint checkpoint = [deadline, limit = settings.time_limit, &context] {
            if (context.cancelled()) {
                // Nobody is waiting for it: 499 (nginx's "client closed request") for the log and metrics.
                throw HttpError(static_cast<http::status>(499), "ClientClosedRequest", "the client hung up; the plan was abandoned");
            }
            if (context.stopping()) {
                throw HttpError(http::status::service_unavailable, "ShuttingDown", "the server is stopping; the plan was abandoned");
            }
            if (std::chrono::steady_clock::now() > deadline) {
                throw HttpError(http::status::service_unavailable, "PlanTimeout",
                                "the plan took longer than the server's limit of " + std::to_string(limit.count()) +
                                    " s; try fewer construction_runs or a constraint_field");
            }
        };
        StoredPlan stored;
        stored.created = utc_now();
        stored.request = json::serialize(request.given);
        for (const geo::NewPractice& practice : request.options.new_practices) stored.new_practices.push_back(practice.code);
        std::shared_ptr<ServiceState> state;
        try {
            state = make_state(base->dataset, request.options, base->version, settings.tile_maxzoom, checkpoint);
        } catch (const geo::PlanError& error) {
            throw HttpError(http::status::bad_request, "InvalidParameterValue", std::string("parameters: ") + error.what());
        }
        stored.owns_dataset = state->dataset != base->dataset;
        stored.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const std::string id = service.plans().reserve_id();
        state->plan_id = id;  // before the store shares the state with other requests
        stored.id = id;
        stored.state = state;
        const auto saved = service.plans().add(std::move(stored));
        if (!saved) {
            throw HttpError(http::status::conflict, "DatasetReplaced",
                            "the dataset was reloaded while this plan was being made: it is not kept; send the request again");
        }
        const std::string url = host_url(context) + "/plans/" + id;
        Response response = json_response(context.request, http::status::created, plan_document(*state, saved.get(), url));
        response.set(http::field::location, url);
        return response;
    };
    router.add(http::verb::post, "/plans", "create_plan", require_write_access(settings.access, std::move(create)), Execution::blocking);
}

void PlanSettings::validate() const {
    if (time_limit.count() < 1) throw std::invalid_argument("the plan time limit must be at least 1 second");
    if (tile_maxzoom < 0 || tile_maxzoom > 22) throw std::invalid_argument("the tile maxzoom must be from 0 to 22");
}

}  // namespace server
