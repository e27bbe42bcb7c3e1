#pragma once
// Where `catchment serve` gets the plan it serves: made now, restored from the plan store, or read from a
// plan file (--plan); and the background work around the store (keeping the served plan, following
// deletions by other replicas).
#include "data/description.hpp"
#include "data/plan_store.hpp"
#include "data/progress.hpp"
#include "geo/plan.hpp"
#include "server/cli/planning_options.hpp"
#include "server/service/service.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace server {

/// Where a served plan comes from besides planning: the plan store, a plan file (--plan).
struct PlanSources {
    std::shared_ptr<data::PlanStore> store;
    std::string plan_file;
};

/// A loaded state, and whether its plan was made now (else restored: from the store or the plan file).
struct LoadedState {
    std::shared_ptr<ServiceState> state;
    bool planned = false;
    std::string restored_from;  // "the plan store", the plan file
};

/// Loads the dataset, checks the planning options against it and plans it as dataset version `version`,
/// or restores its plan from --plan (InputError when that file is no plan of this dataset) or the store.
/// `checkpoint` is called between stages and rows (it may throw to give up).
LoadedState load_state(const data::DatasetDescription& description, const PlanningOptions& planning, geo::PlanOptions options,
                       std::uint64_t version, int maxzoom, data::Progress& progress, const PlanSources& sources,
                       const geo::PlanCheckpoint& checkpoint = {});

/// Keeps the served plan in the store (made now, or from --plan) unless it is there already, on a thread
/// of its own: the server serves meanwhile, and a stop (or the next load) abandons the write, leaving
/// nothing behind. A failure is reported: the plan is served all the same, and made again at the next start.
class BackgroundStore {
public:
    explicit BackgroundStore(PlanSources sources) : sources_(std::move(sources)) {}
    void start(const LoadedState& loaded);

private:
    PlanSources sources_;
    std::mutex mutex_;
    std::jthread thread_;  // (the previous write is stopped and joined when a new one starts, and at the end)
};

/// Replicas share a store: a plan another replica deleted goes from this one's memory too, within a poll
/// (new plans need no poll: a plan not in memory is looked up in the store when asked for).
class StorePoller {
public:
    StorePoller(Service& service, std::chrono::seconds every);

private:
    std::jthread thread_;
};

}  // namespace server
