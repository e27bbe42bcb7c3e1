#pragma once
// What the server serves: a loaded dataset, a plan of it, the tile source cut from them and a renderer.
// The default plan is swapped in atomically on reload; plans made through POST /plans are kept in
// memory by the PlanCache and, with a plan store (data/plan_store.hpp), persist: a plan not in memory
// is restored from the store on request. Requests in flight keep the state they started with.
#include "data/plan_store.hpp"
#include "geo/dataset.hpp"
#include "geo/plan.hpp"
#include "geo/single_flight.hpp"
#include "tilesets/tile_cache.hpp"
#include "tilesets/tile_renderer.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace server {

struct CachedCollection;
struct CollectionInfo;

/// The id of the plan served at the root (also reachable as /plans/default).
inline constexpr std::string_view kDefaultPlanId = "default";

struct ServiceState {
    std::uint64_t version = 0;    // dataset version: 1 at start, +1 per reload
    std::uint64_t cache_key = 0;  // unique among every state of the process; keys the shared tile cache
    std::string plan_id{kDefaultPlanId};
    std::uint64_t dataset_fingerprint = 0;  // of the dataset planned from, before any what-if (geo::dataset_fingerprint)
    std::uint64_t served_fingerprint = 0;   // of `dataset` below: plans made from this state's dataset carry it
    std::string stored_id;            // the plan's id in the store (stored_plan_id): the same plan, the same id
    std::shared_ptr<const geo::Dataset> dataset;
    geo::Plan plan;
    std::shared_ptr<const tilesets::TileSource> tiles;
    std::uint64_t tiles_fingerprint = 0;  // tilesets::fingerprint(*tiles): equal ones make the same tiles
    std::unique_ptr<tilesets::TileRenderer> renderer;
    /// The collections as served for `dataset` (feature_collections(dataset)): areas and practices
    /// carry its input layers' fields.
    std::shared_ptr<const std::vector<CollectionInfo>> collections;
    /// Serialised feature collections (collection x CRS), built on first use by the feature handlers and
    /// owned here so that they go when the state goes.
    /// Bytes of features' GeoJSON kept ready, over all collections and CRSs: a city's collections fit
    /// and are served at memory speed; a nation's largest are written as they are sent.
    std::size_t feature_json_budget = std::size_t{32} << 20;
    mutable std::mutex feature_cache_mutex;  // covers looking up and storing only, never building
    mutable std::vector<std::shared_ptr<const CachedCollection>> feature_cache;
    mutable geo::SingleFlight<std::size_t, std::shared_ptr<const CachedCollection>> feature_building;  // per cache slot
};

/// Builds a state: plans `dataset` with `options` and prepares its tiles. `checkpoint` is passed to
/// geo::plan (it may throw to abandon the work). `dataset_fingerprint`: the dataset's, when known.
std::shared_ptr<ServiceState> make_state(std::shared_ptr<const geo::Dataset> dataset, const geo::PlanOptions& options,
                                         std::uint64_t version, int tile_maxzoom, const geo::PlanCheckpoint& checkpoint = {},
                                         std::uint64_t dataset_fingerprint = 0);
/// The same for a plan made already (restored from a snapshot): its tiles only.
std::shared_ptr<ServiceState> make_state(geo::Plan plan, std::uint64_t version, int tile_maxzoom, std::uint64_t dataset_fingerprint);

/// The plan's title: its options' title, else "Plan <id> of <dataset name>".
std::string plan_title(const ServiceState& state);
/// A stored plan's id: "p" and 16 hex digits of the dataset's and the options' fingerprints, so the
/// same plan of the same data has the same id in every replica and after every restart.
std::string stored_plan_id(std::uint64_t dataset_fingerprint, const geo::PlanOptions& options);
/// The record a state is stored with: its ids and fingerprints, `kind` ("default", "request", "file"),
/// `parameters` (JSON), the headline figures as `summary`, `created` (RFC 3339) and planning `seconds`.
data::PlanRecord plan_record(const ServiceState& state, std::string kind, std::string parameters, std::string created, double seconds);
/// The same for a plan of a dataset with `dataset_fingerprint`, titled `title`.
data::PlanRecord plan_record(const geo::Plan& plan, std::uint64_t dataset_fingerprint, std::string title, std::string kind,
                             std::string parameters, std::string created, double seconds);

/// Rough bytes a state holds beyond a shared dataset: plan and tile geometries, and the feature caches
/// built so far. Counts coordinates and text, so it is cheap and deterministic.
std::size_t approximate_bytes(const ServiceState& state, bool owns_dataset);

/// The tile cache's version for a state's whole tile set (layer -1) or one of its layers (0 to 62): the
/// two are cached apart, and a state's tiles are dropped together (Service::install).
std::uint64_t tile_cache_version(std::uint64_t state_key, int layer);

/// A plan made through POST /plans (or restored from the store), in memory.
struct StoredPlan {
    std::string id;            // its stored id (stored_plan_id)
    data::PlanRecord record;   // parameters, created, seconds, ... as stored
    std::shared_ptr<const ServiceState> state;
    bool owns_dataset = false;  // a copy with hypothetical practices, not the shared one
    std::size_t fixed_bytes = 0;  // approximate bytes of its plan, tiles and owned dataset (set by PlanStore::add)
};

/// The plans kept in memory, bounded in count and (approximate) memory. Adding beyond a bound evicts the
/// least recently used plans first; the plan being added always stays. Thread-safe.
class PlanCache {
public:
    struct Limits {
        std::size_t max_plans = 16;
        std::size_t max_bytes = std::size_t{512} << 20;
        void validate() const;  // throws std::invalid_argument
    };
    explicit PlanCache(Limits limits);

    /// Keeps `plan` (replacing one with its id) and evicts as needed; returns the plan kept, or null
    /// when it was made from another dataset version than the cache's (a reload came meanwhile).
    std::shared_ptr<const StoredPlan> add(StoredPlan plan);
    /// The plan with `id`, marked as used; null when unknown or evicted.
    std::shared_ptr<const StoredPlan> find(const std::string& id);
    /// Drops the plan with `id` from memory; whether it was there.
    bool remove(const std::string& id);
    /// Every stored plan, oldest first.
    std::vector<std::shared_ptr<const StoredPlan>> list() const;
    /// Drops every plan and accepts from now on only plans of `dataset_version` (0: of any version); the
    /// plans dropped.
    std::vector<std::shared_ptr<const StoredPlan>> clear(std::uint64_t dataset_version = 0);
    const Limits& limits() const { return limits_; }
    std::size_t evicted() const;

private:
    Limits limits_;
    mutable std::mutex mutex_;
    std::size_t evicted_ = 0;
    std::uint64_t dataset_version_ = 0;
    std::list<std::shared_ptr<const StoredPlan>> plans_;  // least recently used first
};

class Service {
public:
    /// `store`: where plans persist (null: in memory only).
    explicit Service(std::size_t tile_cache_bytes, PlanCache::Limits plan_limits = {}, std::shared_ptr<data::PlanStore> store = nullptr)
        : cache_(tile_cache_bytes), plans_(plan_limits), store_(std::move(store)) {}
    std::shared_ptr<const ServiceState> current() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return state_;
    }
    /// Serves `state` from now on; a new dataset version drops the stored plans (see PlanStore::clear), and
    /// the tiles of the states replaced go from the cache.
    void install(std::shared_ptr<const ServiceState> state);
    tilesets::TileCache& cache() { return cache_; }
    PlanCache& plans() { return plans_; }
    const PlanCache& plans() const { return plans_; }
    /// The persistent store, or null.
    data::PlanStore* store() const { return store_.get(); }
    /// The state for plan `id` held in memory: the current one for "default" (or its stored id), a
    /// kept plan's otherwise; null when none.
    std::shared_ptr<const ServiceState> state_for(const std::string& id) const;

    /// Why a stored plan cannot be served.
    enum class StoredStatus { served, absent, stale, unreadable };
    struct Restored {
        StoredStatus status = StoredStatus::absent;
        std::shared_ptr<const StoredPlan> plan;
        std::string why;  // for stale and unreadable
    };
    /// Restores plan `id` from the store into memory (CPU work: decoding and tiles), when it was made
    /// from the dataset being served. Throws data::PlanStoreError when the store fails.
    Restored restore(const std::string& id) const;
    /// The zooms restored plans' tiles are made for (the server's --maxzoom).
    void set_tile_maxzoom(int maxzoom) { tile_maxzoom_ = maxzoom; }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const ServiceState> state_;
    tilesets::TileCache cache_;
    mutable PlanCache plans_;
    std::shared_ptr<data::PlanStore> store_;
    int tile_maxzoom_ = 16;
};

/// The service's gauges and counters in Prometheus's text format (tile cache, dataset version, plan
/// store), for /metrics after the HTTP layer's own.
std::string service_metrics(const Service& service);

}  // namespace server
