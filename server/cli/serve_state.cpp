#include "server/cli/serve_state.hpp"

#include "data/errors.hpp"
#include "data/loader.hpp"
#include "data/plan_record.hpp"
#include "data/plan_writer.hpp"
#include "geo/parallel.hpp"
#include "geo/plan_snapshot.hpp"
#include "server/http/http.hpp"
#include "server/service/plan_report.hpp"

#include <boost/json/serialize.hpp>

#include <condition_variable>
#include <cstdio>
#include <optional>
#include <set>

namespace server {

namespace {

/// The plan of --plan FILE for `dataset`: refused (InputError naming the file) when the file holds no
/// plan record, was written by another snapshot format, or was made from other data.
geo::Plan plan_from_file(const std::string& file, std::shared_ptr<const geo::Dataset> dataset, std::uint64_t fingerprint) {
    const auto archive = data::read_plan_archive(file, true);
    const data::InputLocation where{file, data::kPlanRecordTable, {}, {}};
    if (!archive) throw data::InputError({file, {}, {}, {}}, "not a plan written by catchment plan (it has no catchment_plan table)");
    if (archive->record.format != geo::kSnapshotFormat) {
        throw data::InputError(where, "written by another version of catchment (snapshot format " + std::to_string(archive->record.format) +
                                          ", this one reads " + std::to_string(geo::kSnapshotFormat) + "); write it again with catchment plan");
    }
    if (archive->record.dataset_fingerprint != geo::hex_fingerprint(fingerprint)) {
        throw data::InputError(where, "planned from other data (dataset fingerprint " + archive->record.dataset_fingerprint +
                                          ", this dataset's " + geo::hex_fingerprint(fingerprint) +
                                          "): serve the dataset it was made from, or plan this one again");
    }
    try {
        return geo::decode_plan(std::move(dataset), archive->snapshot);
    } catch (const geo::SnapshotError& error) {
        throw data::InputError(where, error.what());
    }
}

/// The stored plan with `id` for `dataset`, or nullopt when the store has none that fits (a failing store
/// or an unreadable plan is reported, and the plan is made again).
std::optional<geo::Plan> plan_from_store(data::PlanStore& store, const std::string& id, std::shared_ptr<const geo::Dataset> dataset,
                                         std::uint64_t fingerprint) {
    try {
        const auto archive = store.get(id);
        if (!archive || archive->record.format != geo::kSnapshotFormat || archive->record.dataset_fingerprint != geo::hex_fingerprint(fingerprint)) {
            return std::nullopt;
        }
        return geo::decode_plan(std::move(dataset), archive->snapshot);
    } catch (const std::exception& error) {  // PlanStoreError, SnapshotError
        std::fprintf(stderr, "catchment: warning: stored plan %s not used (it is made again): %s\n", id.c_str(), error.what());
        return std::nullopt;
    }
}

}  // namespace

LoadedState load_state(const data::DatasetDescription& description, const PlanningOptions& planning, geo::PlanOptions options,
                       std::uint64_t version, int maxzoom, data::Progress& progress, const PlanSources& sources,
                       const geo::PlanCheckpoint& checkpoint) {
    auto dataset = std::make_shared<const geo::Dataset>(data::load_dataset(description, progress));
    const std::uint64_t fingerprint = geo::dataset_fingerprint(*dataset);
    LoadedState out;
    if (!sources.plan_file.empty()) {
        progress.begin("restoring the plan", 0);
        out.state = make_state(plan_from_file(sources.plan_file, dataset, fingerprint), version, maxzoom, fingerprint);
        out.restored_from = sources.plan_file;
        return out;
    }
    planning.resolve(options, *dataset);
    options.validate(*dataset);
    if (sources.store) {
        progress.begin("restoring the plan", 0);
        if (auto stored = plan_from_store(*sources.store, stored_plan_id(fingerprint, options), dataset, fingerprint)) {
            out.state = make_state(std::move(*stored), version, maxzoom, fingerprint);
            out.restored_from = "the plan store";
            return out;
        }
    }
    progress.begin("planning", 0);
    out.state = make_state(std::move(dataset), options, version, maxzoom, checkpoint, fingerprint);
    out.planned = true;
    return out;
}

void BackgroundStore::start(const LoadedState& loaded) {
    if (!sources_.store || loaded.restored_from == "the plan store") return;
    const std::lock_guard<std::mutex> lock(mutex_);
    thread_ = std::jthread([this, state = loaded.state, kind = loaded.planned ? "default" : "file"](std::stop_token stop) {
        geo::lower_thread_priority();
        data::PlanStore& store = *sources_.store;
        try {
            if (store.contains(state->stored_id)) return;
            // Its parameters: the options it was planned with, as the plan report gives them.
            const std::string parameters = boost::json::serialize(plan_report_json(*state->dataset, state->plan).at("options"));
            const data::PlanRecord record = plan_record(*state, kind, parameters, utc_now(), state->plan.report.runtime_s);
            store.put(record, *state->dataset, state->plan, [&stop] { return stop.stop_requested(); });
        } catch (const data::WriteCancelled&) {
        } catch (const std::exception& error) {
            std::fprintf(stderr, "catchment: warning: the served plan could not be stored in %s: %s\n", store.location().c_str(), error.what());
        }
    });
}

StorePoller::StorePoller(Service& service, std::chrono::seconds every) {
    if (service.store() == nullptr) return;
    thread_ = std::jthread([&service, every](std::stop_token stop) {
        std::mutex mutex;
        std::condition_variable_any wake;
        while (true) {
            {
                std::unique_lock<std::mutex> lock(mutex);
                if (wake.wait_for(lock, stop, every, [] { return false; }) || stop.stop_requested()) return;
            }
            try {
                std::set<std::string> stored;
                for (const data::PlanRecord& record : service.store()->list().plans) stored.insert(record.id);
                for (const auto& kept : service.plans().list()) {
                    if (!stored.contains(kept->id)) service.plans().remove(kept->id);
                }
            } catch (const data::PlanStoreError&) {
                // (the store is away: what is in memory goes on being served; the next poll tries again)
            }
        }
    });
}

}  // namespace server
