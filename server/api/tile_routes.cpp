// Vector tiles over HTTP: /tiles/{z}/{x}/{y}.mvt (every layer), /collections/{id}/tiles/{z}/{x}/{y}.mvt
// (one layer), /tiles.json (TileJSON 3.0.0) and /style.json (MapLibre). Tiles come from the shared
// cache, keyed by dataset version; gzip only for clients that accept it; strong ETags per encoding. A
// stored plan's tiles (/plans/{id}/tiles/...) are immutable; TileJSON points there, also for the default.
#include "server/api/routes.hpp"
#include "tilesets/prerender.hpp"
#include "tilesets/tile_archive.hpp"
#include "tilesets/tilejson.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <limits>

namespace server {

namespace {

constexpr std::string_view kMvtType = "application/vnd.mapbox-vector-tile";
constexpr std::string_view kTileCacheControl = "public, max-age=300";
// A stored plan's id names its content (the data's and the options' fingerprints): its tiles never change.
constexpr std::string_view kImmutableTileCacheControl = "public, max-age=31536000, immutable";
constexpr std::string_view kMvtSuffix = ".mvt";

/// A tile coordinate from a path segment; 400 naming it when it is not a whole number. A whole number
/// too large for 32 bits is the largest one: like any other beyond the tile set, a tile that does not exist.
std::uint32_t coordinate(const std::string& text, const char* name) {
    std::uint32_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    const bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (error == std::errc::result_out_of_range && digits) return std::numeric_limits<std::uint32_t>::max();
    if (error != std::errc() || end != text.data() + text.size()) {
        throw HttpError(http::status::bad_request, "InvalidParameterValue",
                        std::string("tile ") + name + " must be a whole number, got '" + text + "'");
    }
    return value;
}

tilesets::TileId tile_from(const RouteContext& context, int maxzoom) {
    std::string y = context.path.at("y");
    if (y.size() <= kMvtSuffix.size() || y.compare(y.size() - kMvtSuffix.size(), kMvtSuffix.size(), kMvtSuffix) != 0) {
        throw HttpError(http::status::not_found, "NotFound", "tiles are served as {z}/{x}/{y}.mvt");
    }
    y.resize(y.size() - kMvtSuffix.size());
    const std::uint32_t z = coordinate(context.path.at("z"), "z");
    const tilesets::TileId tile{static_cast<int>(std::min<std::uint32_t>(z, 255)), coordinate(context.path.at("x"), "x"), coordinate(y, "y")};
    if (z > static_cast<std::uint32_t>(maxzoom)) {
        throw HttpError(http::status::not_found, "NotFound",
                        "zoom " + context.path.at("z") + " is outside this tile set's 0 to " + std::to_string(maxzoom));
    }
    const std::uint32_t side = tilesets::tiles_per_side(tile.z);
    if (tile.x >= side || tile.y >= side) {
        throw HttpError(http::status::not_found, "NotFound",
                        "tile " + std::to_string(z) + "/" + context.path.at("x") + "/" + y + " does not exist");
    }
    return tile;
}

Response tile_response(const RouteContext& context, const ServiceState& state, Service& service, const tilesets::TileId& tile,
                       const std::string& layer, int layer_index) {
    const Request& request = context.request;
    require_acceptable(request, {kMvtType, "application/x-protobuf", "application/octet-stream"});
    const std::uint64_t key = tile_cache_version(state.cache_key, layer_index);
    // On an I/O thread only a cached tile is served; a miss is counted (and the tile made) on a worker.
    auto cached = context.on_worker ? nullptr : service.cache().probe(key, tile);
    if (!cached) {
        context.needs_worker();  // rendering (and maybe generalising a zoom) is CPU work: not on an I/O thread
        cached = service.cache().find_or_make(key, tile, [&] {
            auto fresh = std::make_shared<tilesets::CachedTile>();
            fresh->raw = layer.empty() ? state.renderer->render(tile) : state.renderer->render_layer(tile, layer);
            if (!fresh->raw.empty()) fresh->gzip = tilesets::gzip(fresh->raw);
            fresh->raw_hash = tilesets::content_hash(fresh->raw);
            return std::shared_ptr<const tilesets::CachedTile>(std::move(fresh));
        });
    }
    const bool gzip = accepts_encoding(request, "gzip") && !cached->raw.empty();
    // Under /plans/{id}/ (a stored plan's id, not "default") the URL names the plan's content: immutable,
    // and the ETag is the bytes' own, the same from every replica.
    const auto plan = context.path.find("plan");
    const bool immutable = plan != context.path.end() && plan->second != kDefaultPlanId;
    const std::uint64_t content = cached->raw_hash ? cached->raw_hash : tilesets::content_hash(cached->raw);
    char etag[64];
    std::snprintf(etag, sizeof etag, "\"%llx%s\"", static_cast<unsigned long long>(immutable ? content : content ^ state.version), gzip ? "-gz" : "");
    Response response{http::status::ok, request.version()};
    response.keep_alive(request.keep_alive());
    response.set(http::field::etag, etag);
    response.set(http::field::cache_control, immutable ? kImmutableTileCacheControl : kTileCacheControl);
    response.set(http::field::vary, "Accept-Encoding");
    if (matches_etag(request[http::field::if_none_match], etag)) {
        response.result(http::status::not_modified);
        return response;
    }
    // An empty tile is an empty 200 body: MapLibre and QGIS both draw nothing for it without an error.
    response.set(http::field::content_type, kMvtType);
    if (gzip) response.set(http::field::content_encoding, "gzip");
    // The cached bytes themselves, kept alive by the response: no copy per request.
    response.body().append_view(gzip ? cached->gzip : cached->raw, cached);
    response.prepare_payload();
    return response;
}

/// The tile set of a plan. Its tile URLs are those of the plan's stored id, immutable, also for the
/// default plan: when the default plan changes (a reload of changed data), so do they, and no cache in
/// front ever serves a tile of the previous plan.
tilesets::TileSetInfo tile_set_info(const ServiceState& state, const RouteContext& context) {
    tilesets::TileSetInfo info;
    info.name = state.dataset->name.empty() ? "catchment" : state.dataset->name;
    if (state.plan_id != kDefaultPlanId) info.name += " (plan " + state.plan_id + ")";
    info.description = "GP practice catchments and primary care networks planned by catchment";
    info.attribution = state.dataset->attribution;
    info.tile_urls = {state.stored_id.empty() ? base_url(context) + "/tiles/{z}/{x}/{y}.mvt"  // (a state made by hand)
                                              : host_url(context) + "/plans/" + state.stored_id + "/tiles/{z}/{x}/{y}.mvt"};
    info.minzoom = 0;
    info.maxzoom = state.renderer->options().maxzoom;
    const auto& box = state.tiles->bounds_lonlat;
    info.bounds = {box.min_x, box.min_y, box.max_x, box.max_y};
    info.center = {(box.min_x + box.max_x) / 2, (box.min_y + box.max_y) / 2, static_cast<double>(std::min(info.maxzoom, 10))};
    return info;
}

}  // namespace

void add_tile_routes(Router& router, Service& service) {
    add_plan_scoped(router, "/tiles/{z}/{x}/{y}", "tile", [&service](const RouteContext& context) {
        const auto state = state_for(service, context);
        return tile_response(context, *state, service, tile_from(context, state->renderer->options().maxzoom), {}, -1);
    });
    add_plan_scoped(router, "/collections/{id}/tiles/{z}/{x}/{y}", "collection_tile", [&service](const RouteContext& context) {
        const auto state = state_for(service, context);
        const std::string& id = context.path.at("id");
        const auto& layers = state->tiles->layers;
        const auto it = std::find_if(layers.begin(), layers.end(), [&id](const tilesets::SourceLayer& l) { return l.name == id; });
        if (it == layers.end()) throw HttpError(http::status::not_found, "NotFound", "no collection '" + id + "' has tiles");
        return tile_response(context, *state, service, tile_from(context, state->renderer->options().maxzoom), id,
                             static_cast<int>(it - layers.begin()));
    });
    add_plan_scoped(router, "/tiles.json", "tilejson", [&service](const RouteContext& context) {
        const auto state = state_for(service, context);
        const tilesets::TileSetInfo info = tile_set_info(*state, context);
        return json_response(context.request, http::status::ok,
                             tilesets::tilejson(info, tilesets::catchment_layers(state->renderer->options().maxzoom)));
    });
    add_plan_scoped(router, "/style.json", "style", [&service](const RouteContext& context) {
        const auto state = state_for(service, context);
        const std::string base = base_url(context);
        const tilesets::TileSetInfo info = tile_set_info(*state, context);
        return json_response(context.request, http::status::ok,
                             tilesets::maplibre_style(info, tilesets::catchment_layers(state->renderer->options().maxzoom), base + "/tiles.json",
                                                      host_url(context) + "/fonts/{fontstack}/{range}.pbf"));
    });
}

std::size_t prerender_tiles(Service& service, const ServiceState& state, int maxzoom, const std::function<bool()>& stop) {
    const int top = std::min(maxzoom, state.renderer->options().maxzoom);
    return tilesets::prerender(*state.renderer, service.cache(), tile_cache_version(state.cache_key, -1), 0, top, 1, stop);
}

}  // namespace server
