#pragma once
// The loader's parts, one per input. Internal to data/.
#include "data/description.hpp"
#include "data/ogr_layer.hpp"
#include "data/progress.hpp"
#include "geo/dataset.hpp"

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

/// Areas with geometry (in the working CRS) and population from the layer or the population table.
void read_areas(const DatasetDescription& description, const OGRSpatialReference& working, geo::Dataset& out,
                Progress& progress);

/// Practices with locations (geometry, x/y fields or postcode lookup) and list sizes from their field.
void read_practices(const DatasetDescription& description, const OGRSpatialReference& working, geo::Dataset& out,
                    Progress& progress);

/// The registrations table, joined to practices and areas by code.
void read_registrations(const RegistrationSpec& spec, geo::Dataset& out, Progress& progress);

}  // namespace data
