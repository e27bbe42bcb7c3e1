#pragma once
// The served feature collections: what each holds, its features gathered once per state, the same
// in each served CRS (boxes, and GeoJSON when small enough), and the GeoJSON text helpers the OGC API
// and coverage handlers write with.
#include "server/service/service.hpp"

#include "geo/crs.hpp"
#include "geo/geos.hpp"
#include "geo/output_layers.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace server {

/// One feature of a collection as the handlers find it: its id, its properties (as JSON and as text
/// for the filters) and its geometry in the working CRS. The GeoJSON of a page is written from these
/// as the page is sent, never held whole.
struct CachedFeature {
    std::string id;
    std::string properties;           // the properties object, as JSON
    std::vector<std::string> values;  // property values as text, per CollectionInfo::properties
    std::vector<geo::FieldValue> fields;  // the same values typed, as CQL2 filters and sortby compare them
    const GEOSGeometry* geometry = nullptr;  // working CRS; owned by the state's dataset or plan, or by the collection
};

/// A CRS the items can be served in (OGC API - Features Part 2).
struct ServedCrs {
    std::string_view uri;   // e.g. http://www.opengis.net/def/crs/EPSG/0/27700
    std::string_view proj;  // what geo::CrsTransform takes, e.g. EPSG:27700
    int decimals;           // coordinate decimals: 7 for CRS84, 2 for projected CRSs
};

/// The served CRSs, CRS84 (the default) first, then EPSG:27700 and EPSG:3857.
const std::vector<ServedCrs>& served_crss();

/// A served collection: one of the published layers (geo/output_layers.hpp).
struct CollectionInfo {
    std::string id;
    std::string title;
    std::string description;
    std::vector<std::string> properties;  // queryable names, in output order
    std::shared_ptr<const geo::LayerSchema> schema;
};

/// The served collections, the layers published in collections, in order: practices, areas, catchments,
/// networks, network_borders, gaps. Their ids, titles and order are every dataset's; their properties
/// those of any dataset (without the input layers' own fields).
const std::vector<CollectionInfo>& feature_collections();
/// The same collections as published for `dataset`: areas and practices go on with the fields of
/// the input layers they were read from (geo::dataset_layers).
std::vector<CollectionInfo> feature_collections(const geo::Dataset& dataset);
/// A state's collections: those of its dataset (the plain ones for a state made without them).
const std::vector<CollectionInfo>& feature_collections(const ServiceState& state);

/// A collection's features, the same for every CRS, built once per state.
struct CollectionFeatures {
    std::vector<CachedFeature> features;
    std::vector<geo::Geometry> owned;        // geometries the dataset and plan do not hold (practices' points)
};

/// A collection in one served CRS: its features and their boxes there (what bbox filters and the
/// collection's extent use).
struct CachedCollection {
    const CollectionInfo* info = nullptr;
    std::shared_ptr<const CollectionFeatures> base;
    std::vector<geo::Envelope> boxes;  // per feature, in `crs`; empty for a feature with no geometry
    geo::Envelope extent;              // in `crs`
    const ServedCrs* crs = nullptr;
    /// Each feature's whole GeoJSON in `crs`, kept for a collection small enough for the state's
    /// budget (ServiceState::feature_json_budget): pages of it are copied out, not reprojected. Empty otherwise.
    std::vector<std::string> json;
    const std::vector<CachedFeature>& features() const { return base->features; }
};


/// The collection's features from the state's dataset and plan (geometries in the working CRS).
std::shared_ptr<const CollectionFeatures> collection_features(const ServiceState& state, const CollectionInfo& info);
/// The same features with their boxes in `crs`, and their GeoJSON when it would take at most
/// `json_budget` bytes.
std::shared_ptr<const CachedCollection> collection_in_crs(const ServiceState& state, const CollectionInfo& info,
                                                          std::shared_ptr<const CollectionFeatures> base, const ServedCrs& crs,
                                                          std::size_t json_budget = 0);

/// Appends the feature as a GeoJSON Feature, its geometry reprojected with `to_crs` as it is written
/// (`decimals` decimals), without the closing brace unless `close` (the item route adds its links).
void append_feature(std::string& out, GEOSContextHandle_t handle, const CachedFeature& feature, const geo::CrsTransform& to_crs,
                    int decimals, bool close = true);

/// A PROJ transformation borrowed for one request: making one costs milliseconds (PROJ's database is
/// read), far more than a page of features takes to reproject, so they are kept and handed out again.
/// Returned when the lease goes. Thread-safe.
using TransformLease = std::unique_ptr<geo::CrsTransform, void (*)(geo::CrsTransform*)>;
TransformLease borrow_transform(const std::string& from, const std::string& to);

/// Appends a feature's values as a JSON properties object named by the layer's fields; with `texts`, also
/// each value as the text filters compare (empty for null).
void append_properties(std::string& out, const geo::LayerSchema& schema, const std::vector<geo::FieldValue>& values,
                       std::vector<std::string>* texts = nullptr);

/// A value as the property filters compare it and CSV writes it: empty for null, numbers in their
/// shortest round-trip form, booleans true/false.
std::string value_text(const geo::FieldValue& value);
/// Appends a value as JSON: null, a string, a number or a boolean.
void append_json_value(std::string& out, const geo::FieldValue& value);

/// Appends `text` as a JSON string, quoted and escaped.
void append_escaped(std::string& out, std::string_view text);
/// Shortest round-trip text of a finite number.
std::string number_text(double value);
/// A coordinate with 7 decimals (about 1 cm), trailing zeros trimmed.
void append_coordinate(std::string& out, double value);
/// A coordinate with `decimals` decimals, trailing zeros trimmed.
void append_coordinate(std::string& out, double value, int decimals);

/// Writes a geometry as GeoJSON, polygons and lines as their multi forms, "null" for none (or an empty
/// one). With `transform`, each coordinate is reprojected as it is written; without, the geometry is
/// in the output CRS already.
void write_geojson_geometry(GEOSContextHandle_t handle, const GEOSGeometry* geometry, std::string& out, int decimals,
                            const geo::CrsTransform* transform = nullptr);

}  // namespace server
