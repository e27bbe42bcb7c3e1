// Plans made on request: POST /plans computes a plan on the blocking pool, within a time limit, and
// stores it; GET /plans and GET /plans/{plan} describe them. Every plan's layers are served like the
// default plan's under /plans/{plan}/... (see add_plan_scoped), so GDAL and QGIS open a plan with
// OAPIF:http://host/plans/{plan} and web maps with /plans/{plan}/style.json.
#include "data/plan_writer.hpp"
#include "geo/parallel.hpp"
#include "geo/plan_snapshot.hpp"
#include "server/api/plan_request.hpp"
#include "server/api/routes.hpp"
#include "server/service/diff_report.hpp"
#include "server/service/feature_collections.hpp"
#include "server/service/plan_report.hpp"

#include <boost/json.hpp>

#include <stdlib.h>  // mkdtemp

#include <chrono>
#include <filesystem>
#include <fstream>

namespace server {

namespace json = boost::json;

namespace {

/// The networks named by a request's `member` ("baseline", "against"): "reference" (the real networks of
/// `base`'s dataset), "default" (the served plan) or a stored plan's id. A 400 naming the member otherwise.
std::shared_ptr<const geo::Baseline> named_networks(const Service& service, const std::string& name, const ServiceState& base,
                                                    const std::string& member, const RouteContext& context) {
    const auto refuse = [&member](const std::string& why) { throw HttpError(http::status::bad_request, "InvalidParameterValue", member + ": " + why); };
    if (name == "reference") {
        try {
            return std::make_shared<const geo::Baseline>(geo::reference_baseline(*base.dataset));
        } catch (const geo::PlanError& error) {
            refuse(error.what());
        }
    }
    std::shared_ptr<const ServiceState> state;
    try {
        state = plan_state(service, name, context);
    } catch (const HttpError& error) {
        if (error.status() == http::status::service_unavailable) throw;
        refuse(error.what());
    }
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

/// A JSON member stored as text: parsed, or the text itself when it is not JSON (never a 500).
json::value stored_json(const std::string& text) {
    boost::system::error_code error;
    json::value value = json::parse(text, error);
    return error ? json::value(text) : value;
}

json::object download_link(const std::string& root, const std::string& id) {
    return json_link(root + "/plans/" + id + ".gpkg", "enclosure", "application/geopackage+sqlite3", "the plan as a GeoPackage");
}

/// A plan's entry in GET /plans: its record, whether it is the one served at the root, and whether it
/// was made from other data (stale: listed, never served).
json::object plan_entry(const data::PlanRecord& record, const ServiceState* current, const std::string& root) {
    const bool stale = current == nullptr || (record.dataset_fingerprint != geo::hex_fingerprint(current->dataset_fingerprint) &&
                                              record.dataset_fingerprint != geo::hex_fingerprint(current->served_fingerprint));
    json::object summary = stored_json(record.summary).is_object() ? stored_json(record.summary).as_object() : json::object{};
    json::object out{{"id", record.id},
                     {"title", record.title},
                     {"created", record.created},
                     {"kind", record.kind},
                     {"default", current != nullptr && record.id == current->stored_id},
                     {"stale", stale || record.format != geo::kSnapshotFormat},
                     {"seconds", record.seconds},
                     {"parameters", stored_json(record.parameters)}};
    for (const auto& [key, value] : summary) out[key] = value;  // (at the top, as the default's entry has them)
    out["summary"] = std::move(summary);
    json::array links{json_link(root + "/plans/" + record.id, "self", "application/json", "the plan")};
    if (!stale) links.push_back(download_link(root, record.id));
    out["links"] = std::move(links);
    return out;
}

json::object plan_document(const ServiceState& state, const StoredPlan* stored, const std::string& base, const std::string& root) {
    json::object out;
    out["id"] = state.plan_id;
    out["stored_id"] = state.stored_id;
    out["title"] = plan_title(state);
    out["dataset_version"] = state.version;
    json::array new_practices;
    for (const geo::NewPractice& practice : state.plan.options.new_practices) new_practices.push_back(json::value(practice.code));
    if (stored != nullptr) {
        out["created"] = stored->record.created;
        out["seconds"] = stored->record.seconds;
        out["parameters"] = stored_json(stored->record.parameters);
    } else {
        out["parameters"] = json::object{};
    }
    out["new_practices"] = std::move(new_practices);
    out["report"] = plan_report_json(*state.dataset, state.plan);
    json::array links = plan_links(base);
    links.push_back(download_link(root, state.stored_id));
    out["links"] = std::move(links);
    return out;
}

/// Streams a file in pieces; removes `owned` (a temporary folder) when done or dropped.
class FileStream final : public BodyStream {
public:
    FileStream(const std::filesystem::path& file, std::filesystem::path owned) : in_(file, std::ios::binary), owned_(std::move(owned)) {
        if (!in_) throw HttpError(http::status::service_unavailable, "StoreUnavailable", "the plan's file cannot be read");
    }
    ~FileStream() override {
        in_.close();
        std::error_code ignored;
        if (!owned_.empty()) std::filesystem::remove_all(owned_, ignored);
    }
    FileStream(const FileStream&) = delete;
    FileStream& operator=(const FileStream&) = delete;
    bool next(std::string& out) override {
        constexpr std::size_t kPiece = std::size_t{1} << 20;
        out.resize(kPiece);
        in_.read(out.data(), static_cast<std::streamsize>(kPiece));
        out.resize(static_cast<std::size_t>(in_.gcount()));
        if (in_.bad()) throw std::runtime_error("reading the plan's file failed");
        return !in_.eof();
    }

private:
    std::ifstream in_;
    std::filesystem::path owned_;
};

/// GET /plans/{id}.gpkg: the stored file itself, or one written from the plan in memory (restored when
/// stored elsewhere), with its record, as `catchment plan` writes it.
Response download(Service& service, const std::string& name, const RouteContext& context) {
    context.needs_worker();
    const auto state = plan_state(service, name, context);
    std::filesystem::path file;
    std::filesystem::path owned;
    if (data::PlanStore* store = service.store()) {
        try {
            if (auto stored = store->file(state->stored_id)) file = *stored;
        } catch (const data::PlanStoreError& error) {
            throw HttpError(http::status::service_unavailable, "StoreUnavailable", error.what());
        }
    }
    if (file.empty()) {
        std::string pattern = (std::filesystem::temp_directory_path() / "catchment-download-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw HttpError(http::status::service_unavailable, "StorageFull", "no room to write the plan");
        owned = pattern;
        file = owned / (state->stored_id + ".gpkg");
        const auto kept = service.plans().find(state->stored_id);
        const data::PlanRecord record = kept ? kept->record
                                             : plan_record(*state, state->plan_id == kDefaultPlanId ? "default" : "request", "{}", "", state->plan.report.runtime_s);
        data::PlanFileOptions options;
        options.record = &record;
        options.networks_csv = false;
        try {
            data::write_plan(file, *state->dataset, state->plan, options);
        } catch (const std::runtime_error& error) {
            std::error_code ignored;
            std::filesystem::remove_all(owned, ignored);
            throw HttpError(http::status::service_unavailable, "StorageFull", std::string("the plan could not be written: ") + error.what());
        }
    }
    Response response{http::status::ok, context.request.version()};
    response.set(http::field::content_type, "application/geopackage+sqlite3");
    response.set(http::field::content_disposition, "attachment; filename=\"" + state->stored_id + ".gpkg\"");
    stream_body(response, std::make_shared<FileStream>(file, owned));
    return response;
}

}  // namespace

void add_plan_routes(Router& router, Service& service, PlanSettings settings) {
    settings.validate();
    router.add(http::verb::get, "/plans", "plans", [&service](const RouteContext& context) {
        const std::string root = host_url(context);
        const auto current = service.current();
        json::array plans;
        json::array unreadable;
        if (current) {
            json::object entry = plan_headline(current->plan);
            entry["id"] = kDefaultPlanId;
            entry["stored_id"] = current->stored_id;
            entry["title"] = plan_title(*current);
            entry["links"] = json::array{json_link(root + "/plans/default", "self", "application/json", "the plan"),
                                         download_link(root, std::string(kDefaultPlanId))};
            plans.push_back(std::move(entry));
        }
        if (data::PlanStore* store = service.store()) {
            context.needs_worker();  // reads the store
            data::PlanListing listing;
            try {
                listing = store->list();
            } catch (const data::PlanStoreError& error) {
                throw HttpError(http::status::service_unavailable, "StoreUnavailable", std::string("the plan store cannot be read: ") + error.what());
            }
            for (const data::PlanRecord& record : listing.plans) plans.push_back(plan_entry(record, current.get(), root));
            for (const std::string& problem : listing.problems) unreadable.push_back(json::value(problem));
        } else {
            for (const auto& kept : service.plans().list()) plans.push_back(plan_entry(kept->record, current.get(), root));
        }
        const PlanCache::Limits& limits = service.plans().limits();
        json::object out{{"plans", std::move(plans)},
                         {"store", service.store() != nullptr ? json::value(service.store()->location()) : json::value(nullptr)},
                         {"unreadable", std::move(unreadable)},
                         {"limits", {{"max_plans", limits.max_plans}, {"max_bytes", limits.max_bytes}}},
                         {"evicted", service.plans().evicted()},
                         {"links", json::array{json_link(root + "/plans", "self", "application/json", "the plans")}}};
        return json_response(context.request, http::status::ok, out);
    });
    router.add(http::verb::get, "/plans/{plan}", "plan", [&service](const RouteContext& context) {
        const std::string& name = context.path.at("plan");
        if (name.ends_with(".gpkg")) return download(service, name.substr(0, name.size() - 5), context);
        const auto state = state_for(service, context);
        const auto stored = state->plan_id == kDefaultPlanId ? nullptr : service.plans().find(state->plan_id);
        return json_response(context.request, http::status::ok, plan_document(*state, stored.get(), base_url(context), host_url(context)));
    });
    Handler remove = [&service](const RouteContext& context) -> Response {
        const std::string& id = context.path.at("plan");
        const auto current = service.current();
        if (id == kDefaultPlanId || (current && id == current->stored_id)) {
            throw HttpError(http::status::conflict, "PlanInUse", "plan '" + id + "' is the one served at the root; it cannot be deleted");
        }
        bool removed = service.plans().remove(id);
        if (data::PlanStore* store = service.store()) {
            try {
                removed = store->remove(id) || removed;
            } catch (const data::PlanStoreError& error) {
                throw HttpError(http::status::service_unavailable, "StoreUnavailable", error.what());
            }
        }
        if (!removed) throw HttpError(http::status::not_found, "NotFound", "no plan '" + id + "'");
        Response response{http::status::no_content, context.request.version()};
        return response;
    };
    router.add(http::verb::delete_, "/plans/{plan}", "delete_plan", require_write_access(settings.access, std::move(remove)), Execution::blocking);

    router.add(http::verb::get, "/plans/{plan}/diff", "plan_diff", [&service](const RouteContext& context) {
        const auto state = state_for(service, context);
        std::string against(kDefaultPlanId);
        for (const auto& [name, value] : context.query) {
            if (name != "against") throw HttpError(http::status::bad_request, "InvalidParameterValue", name + ": unknown query parameter (expected against)");
            against = value;
        }
        const auto before = named_networks(service, against, *require_state(service), "against", context);
        const geo::PlanDiff diff = geo::diff(*before, geo::baseline_of(*state->dataset, state->plan));
        return json_response(context.request, http::status::ok, diff_json(diff, against, state->plan_id));
    });

    Handler create = [&service, settings](const RouteContext& context) -> Response {
        geo::lower_thread_priority();  // (on the blocking pool: tiles and features go first)
        const auto base = require_state(service);
        PlanRequest request = parse_plan_request(context.request.body(), settings.defaults, *base->dataset);
        if (!request.baseline.empty()) request.options.baseline = named_networks(service, request.baseline, *base, "baseline", context);
        const auto started = std::chrono::steady_clock::now();
        const geo::PlanCheckpoint checkpoint =
            work_checkpoint(context, "plan", settings.time_limit, "PlanTimeout", "try fewer construction_runs or a constraint_field");
        // The same plan of the same data has the same id: one made before is answered as it is.
        const std::string id = stored_plan_id(base->served_fingerprint, request.options);
        const auto respond = [&context](const ServiceState& state, const StoredPlan* kept, http::status status) {
            const std::string url = host_url(context) + "/plans/" + state.plan_id;
            Response response = json_response(context.request, status, plan_document(state, kept, url, host_url(context)));
            response.set(http::field::location, url);
            return response;
        };
        const auto kept_before = service.plans().find(id);
        if (service.store() != nullptr) {
            try {
                if (kept_before) {
                    // (Another process may have deleted it from the store meanwhile: it is stored again.)
                    if (!service.store()->contains(id)) service.store()->put(kept_before->record, *kept_before->state->dataset, kept_before->state->plan);
                    return respond(*kept_before->state, kept_before.get(), http::status::ok);
                }
                const Service::Restored restored = service.restore(id);
                if (restored.status == Service::StoredStatus::served) return respond(*restored.plan->state, restored.plan.get(), http::status::ok);
            } catch (const data::PlanStoreError& error) {
                throw HttpError(http::status::service_unavailable, "StoreUnavailable", std::string("the plan store cannot be used: ") + error.what());
            }
        } else if (kept_before) {
            return respond(*kept_before->state, kept_before.get(), http::status::ok);
        }
        std::shared_ptr<ServiceState> state;
        try {
            state = make_state(base->dataset, request.options, base->version, settings.tile_maxzoom, checkpoint, base->served_fingerprint);
        } catch (const geo::PlanError& error) {
            throw HttpError(http::status::bad_request, "InvalidParameterValue", std::string("parameters: ") + error.what());
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        state->plan_id = id;  // before the cache shares the state with other requests
        StoredPlan kept;
        kept.id = id;
        kept.record = plan_record(*state, "request", json::serialize(request.given), utc_now(), seconds);
        kept.owns_dataset = state->dataset != base->dataset;
        kept.state = state;
        if (data::PlanStore* store = service.store()) {
            try {
                store->put(kept.record, *state->dataset, state->plan);
            } catch (const data::PlanStoreError& error) {
                throw HttpError(http::status::service_unavailable, "StoreUnavailable", std::string("the plan was made but cannot be stored: ") + error.what());
            }
        }
        const auto saved = service.plans().add(std::move(kept));
        if (!saved) {
            throw HttpError(http::status::conflict, "DatasetReplaced",
                            "the dataset was reloaded while this plan was being made: it is not kept; send the request again");
        }
        return respond(*state, saved.get(), http::status::created);
    };
    router.add(http::verb::post, "/plans", "create_plan", require_write_access(settings.access, std::move(create)), Execution::blocking);
}

void PlanSettings::validate() const {
    if (time_limit.count() < 1) throw std::invalid_argument("the plan time limit must be at least 1 second");
    if (tile_maxzoom < 0 || tile_maxzoom > 22) throw std::invalid_argument("the tile maxzoom must be from 0 to 22");
}

}  // namespace server
