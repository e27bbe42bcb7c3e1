#pragma once
// Each group of endpoints registers its routes on the one table.
#include "server/api/route_helpers.hpp"
#include "server/http/router.hpp"
#include "server/service/service.hpp"

#include <chrono>
#include <string>

namespace server {

class Metrics;

/// /health, /ready, /metrics.
void add_operation_routes(Router& router, const Service& service, const Metrics& metrics);
/// OGC API - Features: /, /conformance, /api, /collections, /collections/{id}, /collections/{id}/items,
/// /collections/{id}/items/{featureId}. With `html_landing`, GET / answers it instead of the JSON landing
/// page when the client prefers HTML (a browser; see prefers_html), and `?f=json` or a JSON Accept header
/// keep the landing page; both carry `Vary: Accept`.
void add_feature_routes(Router& router, const Service& service, Handler html_landing = {});
/// /tiles/{z}/{x}/{y}.mvt, /collections/{id}/tiles/{z}/{x}/{y}.mvt, /tiles.json, /style.json.
void add_tile_routes(Router& router, Service& service);
/// Renders the whole tile set of `state` from zoom 0 to `maxzoom` into the tile cache (on this thread),
/// so the tiles every map opens with are ready; stops early once `stop()` says so. Tiles made.
std::size_t prerender_tiles(Service& service, const ServiceState& state, int maxzoom, const std::function<bool()>& stop = {});

}  // namespace server

namespace server {

/// GET /gaps?max_distance_m=&min_population= (GeoJSON of coverage-gap areas with a summary) and
/// GET /practices/{code}/catchment (the practice's catchment and core catchment as GeoJSON).
void add_coverage_routes(Router& router, const Service& service);

}  // namespace server

#include <cstdint>
#include <functional>
#include <string>

namespace server {

/// What one reload attempt did. The reload function never throws: a bad dataset is `failed` with its
/// message, and a reload asked for while another runs is `busy`.
struct ReloadResult {
    enum class Outcome { reloaded, failed, busy };
    Outcome outcome = Outcome::failed;
    std::uint64_t version = 0;  // the version now served (the old one when failed)
    double seconds = 0;         // time spent building the new state
    std::string message;        // why it failed
};
using ReloadFunction = std::function<ReloadResult()>;

/// Wraps `reload` so that one runs at a time: a call while another is running answers `busy` at once.
/// The wrapper may be called from any thread (HTTP handlers, the SIGHUP thread).
ReloadFunction one_reload_at_a_time(ReloadFunction reload);

/// Who may change the server (POST /plans, POST /admin/reload).
struct WriteAccess {
    std::string token;       // when not empty: requests need Authorization: Bearer <token>
    bool read_only = false;  // nobody may (a public address without a token): 403 ReadOnly
};

struct PlanSettings {
    geo::PlanOptions defaults;                // what a POST /plans body starts from (the server's flags)
    int tile_maxzoom = 16;
    std::chrono::seconds time_limit{60};      // a computation still running after this answers 503 PlanTimeout
    WriteAccess access;                       // who may POST /plans
    void validate() const;                    // throws std::invalid_argument
};

/// POST /plans (201 with the plan's document and Location; on the blocking pool; behind the token),
/// GET /plans and GET /plans/{plan} (the plan's document: parameters, quality report, links; it is
/// also the plan's OGC API landing page).
void add_plan_routes(Router& router, Service& service, PlanSettings settings);

/// `handler` for those `access` lets write: with a token, behind `Authorization: Bearer <token>` (compared
/// in constant time; else 401 {"code":"Unauthorized"} with `WWW-Authenticate: Bearer`); read-only, a 403
/// {"code":"ReadOnly"}; otherwise open (a loopback server without a token).
Handler require_write_access(WriteAccess access, Handler handler);

/// POST /admin/reload: 200 {"status":"reloaded","version","seconds"}, 422 ReloadFailed (the old state keeps
/// serving) or 409 ReloadInProgress; behind require_write_access(access).
void add_admin_routes(Router& router, ReloadFunction reload, const WriteAccess& access);

}  // namespace server
