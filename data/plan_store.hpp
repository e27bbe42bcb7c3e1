#pragma once
// Where plans persist: the plans a server makes (its default plan and every POST /plans) are stored
// with their record and snapshot (data/plan_record.hpp), survive restarts and reloads, and are served
// again without planning. One interface, two kinds:
//  - a folder of GeoPackages (`--store DIR`): <id>.gpkg per plan, each the file `catchment plan`
//    writes (layers, QGIS styles, record);
//  - PostgreSQL/PostGIS through GDAL's PG driver (`--store PG:...`), shared by replicas.
#include "data/plan_record.hpp"
#include "geo/dataset.hpp"
#include "geo/plan.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace data {

/// The store cannot be read or written now (the database is gone, the disk is full). The server
/// answers 503 to what needs the store and goes on serving what it holds.
class PlanStoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The stored plans' records, oldest first (by created, then id), and what could not be read, as
/// "where: why" (never dropped silently).
struct PlanListing {
    std::vector<PlanRecord> plans;
    std::vector<std::string> problems;
};

class PlanStore {
public:
    virtual ~PlanStore() = default;
    /// Where the store is, for messages (a PostgreSQL store without its password).
    virtual std::string location() const = 0;
    /// Stores the plan whole or not at all, replacing a plan with the same id. `dataset` is the plan's
    /// own (plan.dataset); the record carries the fingerprints. Throws PlanStoreError, or WriteCancelled
    /// once `cancelled` (asked now and then) says so.
    virtual void put(const PlanRecord& record, const geo::Dataset& dataset, const geo::Plan& plan,
                     const std::function<bool()>& cancelled = {}) = 0;
    virtual PlanListing list() = 0;
    /// The plan's record and snapshot; nullopt when there is no such plan. Throws PlanStoreError.
    virtual std::optional<PlanArchive> get(const std::string& id) = 0;
    /// Whether the plan is stored (without reading it). Throws PlanStoreError.
    virtual bool contains(const std::string& id) = 0;
    /// Removes the plan; false when there was none. Throws PlanStoreError.
    virtual bool remove(const std::string& id) = 0;
    /// The plan's GeoPackage as a file, when the store keeps it as one (a folder store); nullopt
    /// otherwise (write it from the plan instead).
    virtual std::optional<std::filesystem::path> file(const std::string& id) const = 0;
};

/// A folder of plan GeoPackages, created when missing. Throws InputError naming the folder when it
/// cannot be created or written.
std::unique_ptr<PlanStore> open_folder_store(const std::filesystem::path& folder);

/// A PostgreSQL/PostGIS database ("PG:host=... dbname=..." as GDAL takes it); its tables are created
/// when missing. Throws InputError when it cannot be reached or used.
std::unique_ptr<PlanStore> open_postgis_store(const std::string& connection);

/// The store at `location`: "PG:<connection string>" for PostgreSQL, otherwise a folder. Throws
/// InputError (one line, exit code 2 at start-up) when it cannot be opened.
std::unique_ptr<PlanStore> open_plan_store(const std::string& location);

}  // namespace data
