#pragma once
// The layers catchment publishes, each defined once: its fields (name, type, short name for shapefiles,
// description) and its features' values, computed once from a dataset and a plan. The GDAL writer, the
// OGC API collections and queryables, the vector tiles and TileJSON, /gaps and the viewer all read
// these, so a field has one name everywhere.
#include "geo/dataset.hpp"
#include "geo/geos.hpp"
#include "geo/plan.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace geo {

enum class LayerGeometry { point, line, polygon };

/// Where a layer or field is published.
enum Output : unsigned {
    in_files = 1u,        // the GDAL files `plan` writes
    in_collections = 2u,  // the OGC API - Features collections
    in_tiles = 4u,        // the vector tiles (and TileJSON): only what maps draw, filter and label
    everywhere = in_files | in_collections | in_tiles,
};

/// A field of a layer. Files and collections carry every field of their layer; tiles only those that
/// maps draw, filter and label with.
struct FieldSchema {
    std::string name;
    std::string short_name;  // at most 10 characters, for Shapefile's DBF
    FieldType type = FieldType::text;
    std::string description;
    bool in_tiles = false;
};

struct LayerSchema {
    std::string_view id;
    std::string_view title;
    std::string_view description;
    LayerGeometry geometry = LayerGeometry::polygon;
    unsigned outputs = everywhere;
    std::vector<FieldSchema> fields;
    /// How many of the last fields are the input layer's own (Dataset::area_fields for areas,
    /// practice_fields for practices), in its order: see dataset_layers.
    std::size_t input_fields = 0;

    /// The field's position in `fields`; throws std::logic_error naming the layer when it has none.
    std::size_t field_index(std::string_view name) const;
    bool published_in(Output output) const { return (outputs & output) != 0; }
};

/// Every layer, in the order outputs list them: practices, areas, catchments, core_catchments, networks,
/// network_borders, gaps, gap_suggestions, catchment_labels.
const std::vector<LayerSchema>& output_layers();
/// The layers published in `output`, in that order.
std::vector<const LayerSchema*> output_layers(Output output);
/// One layer by id; throws std::logic_error for an unknown id (a bug, not input).
const LayerSchema& output_layer(std::string_view id);

/// The layers as published for `dataset`: output_layers(), except that `areas` and `practices` go on
/// with every field of the input layer they were read from (the borough's name, say), in files and
/// collections, not tiles. Each keeps its input name and type, prefixed "src_" where the layer has
/// that name already (names compare without case, as in GeoPackage and Shapefile).
std::vector<LayerSchema> dataset_layers(const Dataset& dataset);
/// The layers of dataset_layers published in `output`, in order.
std::vector<LayerSchema> dataset_layers(const Dataset& dataset, Output output);

/// One attribute value; the alternative matches the field's type. An empty text or a real that is not
/// finite means "no value" (a practice in no network, an area that is not a gap): null in JSON and in
/// GDAL files, absent from a tile's feature.
using FieldValue = std::variant<std::string, std::int64_t, double, bool>;

/// Whether the value means "no value".
bool is_null(const FieldValue& value);
/// Whether `value` may stand in a field of `type`: its alternative is the type's, or it is empty text (null,
/// in any field: an input field's missing value).
bool fits(FieldType type, const FieldValue& value);

/// A feature of a layer: its id, its geometry in the working CRS and its values, one per schema field.
struct LayerFeature {
    std::string id;
    const GEOSGeometry* geometry = nullptr;  // owned by the dataset, the plan or LayerFeatures::owned; null for none
    std::vector<FieldValue> values;
};

struct LayerFeatures {
    const LayerSchema* schema = nullptr;
    std::vector<LayerFeature> features;
    std::vector<Geometry> owned;  // geometries made for this layer (practice points, catchment label points)
};

/// The layer's features from `dataset` and `plan`, in dataset or plan order. A plan that holds fewer
/// entries than the dataset (none yet) leaves the missing links empty.
LayerFeatures layer_features(const LayerSchema& layer, const Dataset& dataset, const Plan& plan);

/// Throws std::logic_error when the plan does not fit the dataset: sizes that differ, or an index of a
/// practice, network or area out of range (a bug, not input). layer_features tolerates a plan that is
/// short (none yet); a writer of files calls this first, so that nothing wrong is written as null.
void check_plan_links(const Dataset& dataset, const Plan& plan);

/// A `gaps` feature for area `area`, meeting `criteria` (GapCriterion flags) for `reason`: /gaps lists
/// areas by its own query's criteria with the same fields the gaps layer has.
LayerFeature gap_feature(const Dataset& dataset, const Plan& plan, std::size_t area, unsigned criteria, std::string reason);

struct SiteSuggestion;
/// The `gap_suggestions` layer (published by /gaps/suggestions and the plan report, not as files,
/// collections or tiles): `sites` in rank order, each tried with `list_size` patients.
LayerFeatures suggestion_features(const Dataset& dataset, const std::vector<SiteSuggestion>& sites, std::int64_t list_size);

/// A `catchments` (or `core_catchments`) feature: /practices/{code}/catchment answers one practice's.
LayerFeature catchment_feature(const Dataset& dataset, const Plan& plan, const Catchment& catchment);

/// How many colours a map's network palette has: a network's `colour` is a slot in it
/// (network_colour_slots), so that neighbouring networks differ.
inline constexpr std::size_t kNetworkPaletteSize = 12;

}  // namespace geo
