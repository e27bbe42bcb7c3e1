#include "data/plan_store.hpp"

#include "data/errors.hpp"
#include "data/plan_writer.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace data {

namespace {

void sort_oldest_first(std::vector<PlanRecord>& plans) {
    std::sort(plans.begin(), plans.end(), [](const PlanRecord& a, const PlanRecord& b) {
        return a.created != b.created ? a.created < b.created : a.id < b.id;
    });
}

class FolderStore final : public PlanStore {
public:
    explicit FolderStore(std::filesystem::path folder) : folder_(std::move(folder)) {
        std::error_code error;
        std::filesystem::create_directories(folder_, error);
        if (error || !std::filesystem::is_directory(folder_)) {
            throw InputError({folder_.string(), {}, {}, {}},
                             "cannot use it as the plan store: " + (error ? error.message() : std::string("it is not a folder")));
        }
        if (::access(folder_.c_str(), W_OK | X_OK) != 0) {
            throw InputError({folder_.string(), {}, {}, {}}, std::string("cannot write plans into the plan store: ") + std::strerror(errno));
        }
        remove_abandoned_writes();
    }

    std::string location() const override { return folder_.string(); }

    void put(const PlanRecord& record, const geo::Dataset& dataset, const geo::Plan& plan, const std::function<bool()>& cancelled) override {
        require_id(record.id);
        PlanFileOptions options;
        options.record = &record;
        options.networks_csv = false;
        options.cancelled = cancelled;
        try {
            write_plan(path_of(record.id), dataset, plan, options);
        } catch (const std::runtime_error& error) {  // InputError, StorageError: the folder went or filled up
            throw PlanStoreError(error.what());
        }
    }

    PlanListing list() override {
        PlanListing out;
        std::error_code error;
        std::filesystem::directory_iterator it(folder_, error);
        if (error) throw PlanStoreError(folder_.string() + ": cannot list the plan store: " + error.message());
        for (const std::filesystem::directory_entry& entry : it) {
            const std::string name = entry.path().filename().string();
            if (name.starts_with('.') || entry.path().extension() != ".gpkg") continue;  // staging folders, other files
            try {
                auto archive = read_plan_archive(entry.path(), false);
                if (!archive) {
                    out.problems.push_back(entry.path().string() + ": not a stored plan (no " + kPlanRecordTable + " table)");
                } else if (archive->record.id != entry.path().stem().string()) {
                    out.problems.push_back(entry.path().string() + ": its record names plan '" + archive->record.id + "'");
                } else {
                    out.plans.push_back(std::move(archive->record));
                }
            } catch (const InputError& bad) {
                out.problems.push_back(bad.what());
            }
        }
        sort_oldest_first(out.plans);
        std::sort(out.problems.begin(), out.problems.end());
        return out;
    }

    std::optional<PlanArchive> get(const std::string& id) override {
        if (!valid_plan_id(id) || !std::filesystem::exists(path_of(id))) return std::nullopt;
        try {
            return read_plan_archive(path_of(id), true);
        } catch (const InputError& error) {
            throw PlanStoreError(error.what());
        }
    }

    bool contains(const std::string& id) override { return file(id).has_value(); }

    bool remove(const std::string& id) override {
        if (!valid_plan_id(id)) return false;
        std::error_code error;
        const bool removed = std::filesystem::remove(path_of(id), error);
        if (error) throw PlanStoreError(path_of(id).string() + ": cannot remove the plan: " + error.message());
        return removed;
    }

    std::optional<std::filesystem::path> file(const std::string& id) const override {
        if (!valid_plan_id(id) || !std::filesystem::exists(path_of(id))) return std::nullopt;
        return path_of(id);
    }

private:
    /// Staging folders of writes a killed process left (.<id>.gpkg.tmp-XXXXXX), once old enough that no
    /// live writer can own them.
    void remove_abandoned_writes() const {
        constexpr auto kAbandonedAfter = std::chrono::hours(1);
        std::error_code error;
        for (const auto& entry : std::filesystem::directory_iterator(folder_, error)) {
            const std::string name = entry.path().filename().string();
            if (!name.starts_with('.') || name.find(".gpkg.tmp-") == std::string::npos || !entry.is_directory(error)) continue;
            const auto written = entry.last_write_time(error);
            if (!error && std::filesystem::file_time_type::clock::now() - written > kAbandonedAfter) std::filesystem::remove_all(entry.path(), error);
        }
    }
    std::filesystem::path path_of(const std::string& id) const { return folder_ / (id + ".gpkg"); }
    static void require_id(const std::string& id) {
        if (!valid_plan_id(id)) throw PlanStoreError("'" + id + "' is not a plan id (letters, digits, '-' and '_')");
    }

    std::filesystem::path folder_;
};

}  // namespace

std::unique_ptr<PlanStore> open_folder_store(const std::filesystem::path& folder) { return std::make_unique<FolderStore>(folder); }

std::unique_ptr<PlanStore> open_plan_store(const std::string& location) {
    if (location.empty()) throw InputError({"--store", {}, {}, {}}, "the plan store location is empty");
    if (location.starts_with("PG:")) return open_postgis_store(location);
    return open_folder_store(location);
}

}  // namespace data
