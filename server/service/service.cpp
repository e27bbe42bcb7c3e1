#include "server/service/service.hpp"

#include "geo/plan_snapshot.hpp"
#include "server/service/feature_collections.hpp"
#include "server/service/plan_report.hpp"
#include "tilesets/tile_source.hpp"

#include <boost/json/serialize.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#ifdef __GLIBC__
#include <malloc.h>  // malloc_trim
#endif

namespace server {

namespace {

std::atomic<std::uint64_t> next_cache_key{1};

/// Bytes of a geometry's coordinates and a fixed overhead per geometry.
std::size_t geometry_bytes(GEOSContextHandle_t handle, const GEOSGeometry* geometry) {
    constexpr std::size_t kPerGeometry = 128;
    constexpr std::size_t kPerCoordinate = 24;  // x, y and GEOS's padding
    if (geometry == nullptr) return 0;
    const int coordinates = GEOSGetNumCoordinates_r(handle, geometry);
    return kPerGeometry + kPerCoordinate * static_cast<std::size_t>(std::max(coordinates, 0));
}

std::size_t plan_bytes(GEOSContextHandle_t handle, const geo::Plan& plan) {
    std::size_t bytes = sizeof(geo::Plan) + plan.areas.size() * (sizeof(geo::AreaPlan) + sizeof(geo::AreaCoverage) + 64);
    for (const geo::Catchment& c : plan.catchments) bytes += geometry_bytes(handle, c.polygon.get()) + c.areas.size() * 4;
    for (const geo::Catchment& c : plan.core_catchments) bytes += geometry_bytes(handle, c.polygon.get()) + c.areas.size() * 4;
    for (const geo::Network& n : plan.networks) bytes += geometry_bytes(handle, n.polygon.get()) + n.areas.size() * 4 + 256;
    for (const geo::NetworkBorder& b : plan.borders) bytes += geometry_bytes(handle, b.line.get());
    return bytes;
}

std::size_t dataset_bytes(GEOSContextHandle_t handle, const geo::Dataset& dataset) {
    std::size_t bytes = dataset.registrations.size() * (sizeof(geo::Registration) + 16);
    bytes += dataset.practices.size() * (sizeof(geo::Practice) + 64);
    for (const geo::Area& area : dataset.areas) bytes += sizeof(geo::Area) + 64 + geometry_bytes(handle, area.geometry.get());
    return bytes;
}

/// What a state holds from the moment it is made: its plan, its tile geometries and an owned dataset.
std::size_t fixed_bytes(GEOSContextHandle_t handle, const ServiceState& state, bool owns_dataset) {
    std::size_t bytes = sizeof(ServiceState) + plan_bytes(handle, state.plan);
    if (owns_dataset) bytes += dataset_bytes(handle, *state.dataset);
    if (state.tiles) {
        for (const tilesets::SourceLayer& layer : state.tiles->layers) {
            for (const tilesets::SourceFeature& feature : layer.features) {
                bytes += sizeof(feature) + feature.values.size() * 32 + geometry_bytes(handle, feature.geometry.get());
            }
        }
    }
    return bytes;
}

/// What a state's caches hold so far (they grow as collections and zooms are first requested): the
/// collections' features and boxes, and the renderer's generalised zooms.
std::size_t cache_bytes(GEOSContextHandle_t handle, const ServiceState& state) {
    std::size_t bytes = state.renderer ? state.renderer->zoom_bytes() : 0;
    std::lock_guard<std::mutex> lock(state.feature_cache_mutex);
    std::vector<const CollectionFeatures*> counted;
    for (const auto& collection : state.feature_cache) {
        if (!collection) continue;
        bytes += collection->boxes.size() * sizeof(geo::Envelope);
        for (const std::string& json : collection->json) bytes += sizeof(json) + json.size();
        const CollectionFeatures* base = collection->base.get();
        if (base == nullptr || std::find(counted.begin(), counted.end(), base) != counted.end()) continue;
        counted.push_back(base);
        for (const CachedFeature& feature : base->features) {
            bytes += sizeof(feature) + feature.properties.size() + feature.id.size();
            for (const std::string& value : feature.values) bytes += value.size() + sizeof(value);
        }
        for (const geo::Geometry& owned : base->owned) bytes += geometry_bytes(handle, owned.get());
    }
    return bytes;
}

}  // namespace

std::shared_ptr<ServiceState> make_state(std::shared_ptr<const geo::Dataset> dataset, const geo::PlanOptions& options,
                                         std::uint64_t version, int tile_maxzoom, const geo::PlanCheckpoint& checkpoint,
                                         std::uint64_t dataset_fingerprint) {
    if (dataset_fingerprint == 0) dataset_fingerprint = geo::dataset_fingerprint(*dataset);
    // A context of the plan's own: several plans of one shared dataset may be made one after another
    // while others are read. (Its geometries do not need it once made: see geo::destroying_context.)
    geo::GeosContext context;
    geo::Plan plan = geo::plan(std::move(dataset), options, context, {}, checkpoint);
    if (checkpoint) checkpoint();
    return make_state(std::move(plan), version, tile_maxzoom, dataset_fingerprint);
}

std::shared_ptr<ServiceState> make_state(geo::Plan plan, std::uint64_t version, int tile_maxzoom, std::uint64_t dataset_fingerprint) {
    auto state = std::make_shared<ServiceState>();
    state->version = version;
    state->cache_key = next_cache_key.fetch_add(1);
    state->dataset_fingerprint = dataset_fingerprint;
    state->stored_id = stored_plan_id(dataset_fingerprint, plan.options);
    state->plan = std::move(plan);
    state->dataset = state->plan.dataset;  // a what-if's copy, when practices close or open
    state->served_fingerprint = state->plan.options.excluded_practices.empty() && state->plan.options.new_practices.empty()
                                    ? dataset_fingerprint
                                    : geo::dataset_fingerprint(*state->dataset);
    state->tiles = std::make_shared<const tilesets::TileSource>(tilesets::make_tile_source(*state->dataset, state->plan));
    state->tiles_fingerprint = tilesets::fingerprint(*state->tiles);
    tilesets::TileOptions tile_options;
    tile_options.maxzoom = tile_maxzoom;
    tile_options.release_memory_after_zoom = true;
    tile_options.validate();
    state->renderer = std::make_unique<tilesets::TileRenderer>(state->tiles, tile_options);
    state->collections = std::make_shared<const std::vector<CollectionInfo>>(feature_collections(*state->dataset));
#ifdef __GLIBC__
    malloc_trim(0);  // planning's scratch memory, freed but kept by glibc's arenas, goes back (see TileOptions)
#endif
    return state;
}

std::string plan_title(const ServiceState& state) {
    if (!state.plan.options.title.empty()) return state.plan.options.title;
    std::string title = "Plan ";
    title += state.plan_id;
    if (!state.dataset->name.empty()) {
        title += " of ";
        title += state.dataset->name;
    }
    return title;
}

std::string stored_plan_id(std::uint64_t dataset_fingerprint, const geo::PlanOptions& options) {
    std::string id(1, 'p');  // (appended, not "p" + string: GCC 12's -Wrestrict misfires on that, bug 105329)
    id += geo::hex_fingerprint(geo::combine_fingerprints(dataset_fingerprint, geo::options_fingerprint(options)));
    return id;
}

data::PlanRecord plan_record(const ServiceState& state, std::string kind, std::string parameters, std::string created, double seconds) {
    return plan_record(state.plan, state.dataset_fingerprint, plan_title(state), std::move(kind), std::move(parameters), std::move(created), seconds);
}

data::PlanRecord plan_record(const geo::Plan& plan, std::uint64_t dataset_fingerprint, std::string title, std::string kind,
                             std::string parameters, std::string created, double seconds) {
    data::PlanRecord record;
    record.id = stored_plan_id(dataset_fingerprint, plan.options);
    record.title = std::move(title);
    record.created = std::move(created);
    record.kind = std::move(kind);
    record.parameters = std::move(parameters);
    record.summary = boost::json::serialize(plan_headline(plan));
    record.dataset_fingerprint = geo::hex_fingerprint(dataset_fingerprint);
    record.options_fingerprint = geo::hex_fingerprint(geo::options_fingerprint(plan.options));
    record.format = geo::kSnapshotFormat;
    record.seconds = seconds;
    return record;
}

std::size_t approximate_bytes(const ServiceState& state, bool owns_dataset) {
    const geo::GeosContext scratch;
    return fixed_bytes(scratch.handle(), state, owns_dataset) + cache_bytes(scratch.handle(), state);
}

void PlanCache::Limits::validate() const {
    if (max_plans < 1) throw std::invalid_argument("the plan store must hold at least one plan");
    if (max_bytes < (std::size_t{1} << 20)) throw std::invalid_argument("the plan store needs at least 1 MB");
}

PlanCache::PlanCache(Limits limits) : limits_(limits) { limits_.validate(); }

std::shared_ptr<const StoredPlan> PlanCache::add(StoredPlan plan) {
    // The plan's own geometries are counted once, here, outside the lock; only the caches change later.
    const geo::GeosContext scratch;
    plan.fixed_bytes = fixed_bytes(scratch.handle(), *plan.state, plan.owns_dataset);
    std::lock_guard<std::mutex> lock(mutex_);
    if (dataset_version_ != 0 && plan.state->version != dataset_version_) return nullptr;  // made from a replaced dataset
    auto stored = std::make_shared<const StoredPlan>(std::move(plan));
    std::erase_if(plans_, [&stored](const auto& kept) { return kept->id == stored->id; });  // the same plan again
    plans_.push_back(stored);
    // Least recently used first; the new plan (last) always stays.
    while (plans_.size() > limits_.max_plans) {
        plans_.pop_front();
        ++evicted_;
    }
    std::vector<std::size_t> bytes;  // per plan, in the list's order
    std::size_t total = 0;
    for (const auto& kept : plans_) total += bytes.emplace_back(kept->fixed_bytes + cache_bytes(scratch.handle(), *kept->state));
    for (std::size_t i = 0; total > limits_.max_bytes && plans_.size() > 1; ++i) {
        total -= bytes[i];
        plans_.pop_front();
        ++evicted_;
    }
    return stored;
}

std::shared_ptr<const StoredPlan> PlanCache::find(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = std::find_if(plans_.begin(), plans_.end(), [&id](const auto& stored) { return stored->id == id; });
    if (it == plans_.end()) return nullptr;
    plans_.splice(plans_.end(), plans_, it);  // most recently used last
    return plans_.back();
}

bool PlanCache::remove(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::erase_if(plans_, [&id](const auto& kept) { return kept->id == id; }) > 0;
}

std::vector<std::shared_ptr<const StoredPlan>> PlanCache::list() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::shared_ptr<const StoredPlan>> out(plans_.begin(), plans_.end());
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a->id.size() != b->id.size() ? a->id.size() < b->id.size() : a->id < b->id;
    });
    return out;
}

std::vector<std::shared_ptr<const StoredPlan>> PlanCache::clear(std::uint64_t dataset_version) {
    std::lock_guard<std::mutex> lock(mutex_);
    evicted_ += plans_.size();
    std::vector<std::shared_ptr<const StoredPlan>> dropped(plans_.begin(), plans_.end());
    plans_.clear();
    dataset_version_ = dataset_version;
    return dropped;
}

std::uint64_t tile_cache_version(std::uint64_t state_key, int layer) { return state_key * 64 + static_cast<std::uint64_t>(layer + 1); }

void Service::install(std::shared_ptr<const ServiceState> state) {
    std::vector<std::uint64_t> gone;  // states nobody can ask tiles of any more
    {
        std::lock_guard<std::mutex> lock(mutex_);
        // Plans made from another dataset version would now mislead, and so would those still being made.
        if (state && (!state_ || state_->version != state->version)) {
            for (const auto& plan : plans_.clear(state->version)) {
                if (plan->state) gone.push_back(plan->state->cache_key);
            }
        }
        if (state_ && state && state_->cache_key != state->cache_key) gone.push_back(state_->cache_key);
        state_ = std::move(state);
    }
    // Their tiles go at once: a reload every few minutes would otherwise fill the cache with dead versions.
    for (const std::uint64_t key : gone) cache_.erase_versions(tile_cache_version(key, -1), tile_cache_version(key, 62));
}

std::size_t PlanCache::evicted() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return evicted_;
}

std::shared_ptr<const ServiceState> Service::state_for(const std::string& id) const {
    auto state = current();
    if (id == kDefaultPlanId || (state && id == state->stored_id)) return state;
    const auto stored = plans_.find(id);
    return stored ? stored->state : nullptr;
}

Service::Restored Service::restore(const std::string& id) const {
    Restored out;
    const auto base = current();
    if (!store_ || !base || !data::valid_plan_id(id)) return out;
    auto archive = store_->get(id);
    if (!archive) return out;
    const std::string fingerprint = geo::hex_fingerprint(base->served_fingerprint);
    if (archive->record.dataset_fingerprint != fingerprint) {
        out.status = StoredStatus::stale;
        out.why = "plan '" + id + "' was made from other data than the dataset now served (fingerprint " +
                  archive->record.dataset_fingerprint + ", now " + fingerprint + "); make it again";
        return out;
    }
    try {
        geo::Plan plan = geo::decode_plan(base->dataset, archive->snapshot);  // what POST /plans plans from
        plan.report.runtime_s = archive->record.seconds;  // (not in the snapshot, so that plan files are reproducible)
        auto state = make_state(std::move(plan), base->version, tile_maxzoom_, base->served_fingerprint);
        state->plan_id = id;
        StoredPlan kept;
        kept.id = id;
        kept.record = std::move(archive->record);
        kept.owns_dataset = state->dataset != base->dataset;
        kept.state = std::move(state);
        out.plan = plans_.add(std::move(kept));
        out.status = out.plan ? StoredStatus::served : StoredStatus::absent;  // (a reload came meanwhile)
    } catch (const geo::SnapshotError& error) {
        out.status = StoredStatus::unreadable;
        out.why = "plan '" + id + "' cannot be restored: " + error.what();
    }
    return out;
}

std::string service_metrics(const Service& service) {
    std::string out;
    const tilesets::TileCacheStats stats = const_cast<Service&>(service).cache().stats();
    out += "# HELP catchment_tile_cache_hits_total Tile cache hits.\n# TYPE catchment_tile_cache_hits_total counter\n";
    out += fmt::format("catchment_tile_cache_hits_total {}\n", stats.hits);
    out += "# HELP catchment_tile_cache_misses_total Tile cache misses.\n# TYPE catchment_tile_cache_misses_total counter\n";
    out += fmt::format("catchment_tile_cache_misses_total {}\n", stats.misses);
    out += "# HELP catchment_tile_cache_evictions_total Tiles evicted from the cache.\n"
           "# TYPE catchment_tile_cache_evictions_total counter\n";
    out += fmt::format("catchment_tile_cache_evictions_total {}\n", stats.evictions);
    out += "# HELP catchment_tile_cache_bytes Bytes held by the tile cache.\n# TYPE catchment_tile_cache_bytes gauge\n";
    out += fmt::format("catchment_tile_cache_bytes {}\n", stats.bytes);
    out += "# HELP catchment_tile_cache_tiles Tiles held by the tile cache.\n# TYPE catchment_tile_cache_tiles gauge\n";
    out += fmt::format("catchment_tile_cache_tiles {}\n", stats.tiles);
    const auto state = service.current();
    out += "# HELP catchment_zoom_generalisations_total Zooms generalised for the served plan's tiles (each once).\n"
           "# TYPE catchment_zoom_generalisations_total counter\n";
    out += fmt::format("catchment_zoom_generalisations_total {}\n", state && state->renderer ? state->renderer->zoom_builds() : 0);
    out += "# HELP catchment_dataset_version Version of the dataset being served (0: none yet).\n"
           "# TYPE catchment_dataset_version gauge\n";
    out += fmt::format("catchment_dataset_version {}\n", state ? state->version : 0);
    out += "# HELP catchment_plans_stored Plans made with POST /plans and kept.\n# TYPE catchment_plans_stored gauge\n";
    out += fmt::format("catchment_plans_stored {}\n", service.plans().list().size());
    out += "# HELP catchment_plans_evicted_total Stored plans dropped to stay within the store's limits (or by a reload).\n"
           "# TYPE catchment_plans_evicted_total counter\n";
    out += fmt::format("catchment_plans_evicted_total {}\n", service.plans().evicted());
    return out;
}

}  // namespace server
