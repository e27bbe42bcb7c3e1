#pragma once
// What the server serves: a loaded dataset, a plan of it, the tile source cut from them and a renderer.
// The default plan is swapped in atomically on reload; plans made through POST /plans live in the
// PlanStore. Requests in flight keep the state they started with.
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

/// The id of the plan served at the root (also reachable as /plans/default).
inline constexpr std::string_view kDefaultPlanId = "default";

struct ServiceState {
    std::uint64_t version = 0;    // dataset version: 1 at start, +1 per reload
    std::uint64_t cache_key = 0;  // unique among every state of the process; keys the shared tile cache
    std::string plan_id{kDefaultPlanId};
    std::shared_ptr<const geo::Dataset> dataset;
    geo::Plan plan;
    std::shared_ptr<const tilesets::TileSource> tiles;
    std::uint64_t tiles_fingerprint = 0;  // tilesets::fingerprint(*tiles): equal ones make the same tiles
    std::unique_ptr<tilesets::TileRenderer> renderer;
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
/// geo::plan (it may throw to abandon the work).
std::shared_ptr<ServiceState> make_state(std::shared_ptr<const geo::Dataset> dataset, const geo::PlanOptions& options,
                                         std::uint64_t version, int tile_maxzoom, const geo::PlanCheckpoint& checkpoint = {});

/// Rough bytes a state holds beyond a shared dataset: plan and tile geometries, and the feature caches
/// built so far. Counts coordinates and text, so it is cheap and deterministic.
std::size_t approximate_bytes(const ServiceState& state, bool owns_dataset);

/// The tile cache's version for a state's whole tile set (layer -1) or one of its layers (0 to 62): the
/// two are cached apart, and a state's tiles are dropped together (Service::install).
std::uint64_t tile_cache_version(std::uint64_t state_key, int layer);

/// A plan made through POST /plans.
struct StoredPlan {
    std::string id;       // "p1", "p2", ...
    std::string created;  // UTC, RFC 3339
    std::string request;  // the parameters as given (JSON text)
    std::vector<std::string> new_practices;  // codes of the hypothetical practices it added
    double seconds = 0;   // computation time
    std::shared_ptr<const ServiceState> state;
    bool owns_dataset = false;  // a copy with hypothetical practices, not the shared one
    std::size_t fixed_bytes = 0;  // approximate bytes of its plan, tiles and owned dataset (set by PlanStore::add)
};

/// The stored plans, bounded in count and (approximate) memory. Adding beyond a bound evicts the least
/// recently used plans first; the plan being added always stays. Thread-safe.
class PlanStore {
public:
    struct Limits {
        std::size_t max_plans = 16;
        std::size_t max_bytes = std::size_t{512} << 20;
        void validate() const;  // throws std::invalid_argument
    };
    explicit PlanStore(Limits limits);

    /// A new plan id ("p1", "p2", ...), never given out twice.
    std::string reserve_id();
    /// Stores `plan` (its id from reserve_id()) and evicts as needed; returns the stored plan, or null
    /// when it was made from another dataset version than the store's (a reload came meanwhile).
    std::shared_ptr<const StoredPlan> add(StoredPlan plan);
    /// The plan with `id`, marked as used; null when unknown or evicted.
    std::shared_ptr<const StoredPlan> find(const std::string& id);
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
    std::uint64_t next_id_ = 1;
    std::size_t evicted_ = 0;
    std::uint64_t dataset_version_ = 0;
    std::list<std::shared_ptr<const StoredPlan>> plans_;  // least recently used first
};

class Service {
public:
    explicit Service(std::size_t tile_cache_bytes, PlanStore::Limits plan_limits = {})
        : cache_(tile_cache_bytes), plans_(plan_limits) {}
    std::shared_ptr<const ServiceState> current() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return state_;
    }
    /// Serves `state` from now on; a new dataset version drops the stored plans (see PlanStore::clear), and
    /// the tiles of the states replaced go from the cache.
    void install(std::shared_ptr<const ServiceState> state);
    tilesets::TileCache& cache() { return cache_; }
    PlanStore& plans() { return plans_; }
    const PlanStore& plans() const { return plans_; }
    /// The state for plan `id`: the current one for "default", a stored plan's otherwise; null when none.
    std::shared_ptr<const ServiceState> state_for(const std::string& id) const;

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const ServiceState> state_;
    tilesets::TileCache cache_;
    mutable PlanStore plans_;
};

/// The service's gauges and counters in Prometheus's text format (tile cache, dataset version, plan
/// store), for /metrics after the HTTP layer's own.
std::string service_metrics(const Service& service);

}  // namespace server
