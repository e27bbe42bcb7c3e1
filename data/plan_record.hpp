#pragma once
// What is kept with a plan beside its layers: who made it, when, from what (dataset and options
// fingerprints, the parameters as given) and its snapshot (geo/plan_snapshot.hpp), so that it can be
// listed without reading its layers and served again without planning. A plan's GeoPackage holds it
// as the one-row table `catchment_plan`; the PostGIS store as a row of its `catchment_plans` table.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

class GDALDataset;
class OGRFeature;
class OGRLayer;

namespace data {

struct PlanRecord {
    std::string id;                    // [A-Za-z0-9_-]{1,64} (see valid_plan_id)
    std::string title;
    std::string created;               // UTC, RFC 3339; empty for a plan written by `catchment plan`
    std::string parameters = "{}";     // JSON: the request as given, or the command's options
    std::string summary = "{}";        // JSON: the plan's headline figures
    std::string dataset_fingerprint;   // geo::hex_fingerprint(geo::dataset_fingerprint(...))
    std::string options_fingerprint;   // geo::hex_fingerprint(geo::options_fingerprint(...))
    std::uint32_t format = 0;          // geo::kSnapshotFormat of the snapshot
    double seconds = 0;                // how long planning took
    std::string kind = "request";      // "default": the plan a server serves at its root; "request"; "file"
};

/// Ids name files and URL segments: letters, digits, '-' and '_', 1 to 64 of them.
bool valid_plan_id(const std::string& id);

/// The record table's name in a plan GeoPackage.
inline constexpr const char* kPlanRecordTable = "catchment_plan";

/// Adds the record table with one row (`record` and `snapshot`) to an open GeoPackage being written.
/// Throws std::runtime_error with GDAL's reason.
void write_plan_record(GDALDataset& geopackage, const PlanRecord& record, const std::string& snapshot);

/// The columns of a record table, for stores that create one of their own.
void create_plan_record_fields(OGRLayer& table);
/// A record's columns set on `row` (of a table made by create_plan_record_fields); the snapshot is
/// set only when given.
void set_plan_record(OGRFeature& row, const PlanRecord& record, const std::string* snapshot);
/// The record in `row`; throws std::runtime_error naming the column that is missing or wrong.
PlanRecord get_plan_record(const OGRFeature& row);
/// The snapshot in `row`, or nullopt when it has none.
std::optional<std::string> get_plan_snapshot(const OGRFeature& row);

/// A plan GeoPackage's record and (when asked) snapshot; nullopt when the file has no record table (a
/// GeoPackage written by an older catchment or by something else). Throws InputError naming the file
/// when it cannot be opened or its record is damaged.
struct PlanArchive {
    PlanRecord record;
    std::string snapshot;
};
std::optional<PlanArchive> read_plan_archive(const std::filesystem::path& geopackage, bool with_snapshot);

}  // namespace data
