#pragma once
// The loader's parts, one per input. Internal to data/.
#include "data/description.hpp"
#include "data/ogr_layer.hpp"
#include "data/progress.hpp"
#include "geo/dataset.hpp"

#include <optional>
#include <string>
#include <unordered_map>

namespace data {

/// Code -> first row it was seen at; raises the duplicate-id error.
class UniqueKeys {
public:
    /// Records `key` at `feature`; throws InputError naming both rows when it was seen before.
    void add(const std::string& key, const LayerReader& layer, const OGRFeature& feature, int field);
    std::size_t size() const { return first_seen_.size(); }

private:
    std::unordered_map<std::string, GIntBig> first_seen_;
};

/// A feature's point in the working CRS; nullopt when it has no geometry; fails naming the feature for another type.
std::optional<geo::Point> point_geometry(OGRFeature& feature, const LayerReader& layer, const ToWorkingCrs& to_working);

/// Areas with geometry (in the working CRS) and population from the layer or the population table.
void read_areas(const DatasetDescription& description, const OGRSpatialReference& working, geo::Dataset& out,
                Progress& progress);

/// Practices with locations (geometry, x/y fields or postcode lookup) and list sizes from their field.
void read_practices(const DatasetDescription& description, const OGRSpatialReference& working, geo::Dataset& out,
                    Progress& progress);

/// The rows of the registrations table, read apart from the rest (it is the largest input, and is
/// read on a thread of its own while the areas and practices load).
struct RegistrationRows {
    std::vector<geo::Registration> rows;  // codes and patients; not yet joined
    geo::SourceInfo source;
};
/// Reads every row; calls progress.checkpoint() (only) now and then, so it may run on a thread of its own.
RegistrationRows read_registration_rows(const RegistrationSpec& spec, Progress& progress);

/// Joins the rows to practices and areas by code, keeping every row (unmatched ones are counted later).
void join_registrations(const RegistrationSpec& spec, RegistrationRows rows, geo::Dataset& out);

/// Travel times joined to the loaded areas and practices by code.
struct TravelTimeRows {
    std::vector<geo::TravelTime> pairs;  // sorted by (area, practice)
    std::vector<std::string> unmatched;  // "row N: why" for the first kTravelTimesUnmatchedKept rows that did not join;
                                         // how many there were in all is source.rows_read - pairs.size()
    geo::SourceInfo source;
};
inline constexpr std::size_t kTravelTimesUnmatchedKept = 100;
/// Reads the travel-time table once `loaded` holds its areas and practices (final: their indices are
/// kept). Bad minutes and a repeated pair are InputErrors; rows naming an area or practice that is not
/// loaded are kept as examples. Reports progress (so checkpoints) every kProgressEvery rows.
TravelTimeRows read_travel_times(const TravelTimeSpec& spec, const geo::Dataset& loaded, Progress& progress);

}  // namespace data
