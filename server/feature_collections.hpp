#pragma once
// Building the cached collections the OGC API handlers serve, and the text helpers both use.
#include "server/features.hpp"

#include "geo/crs.hpp"

#include <boost/json/object.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace server {

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

/// An OGC API link object: href, rel, type and (when given) title.
boost::json::object json_link(const std::string& href, std::string_view rel, std::string_view type, std::string_view title = {});

/// Appends `text` as a JSON string body (without the quotes), escaped.
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

/// GEOSGeom_transformXY_r callback applying the geo::CrsTransform passed as `user` (0 on failure).
int transform_callback(double* x, double* y, void* user);

/// Throws the 400 "InvalidParameterValue" naming the query parameter and what was wrong with it.
[[noreturn]] void invalid_parameter(const std::string& name, const std::string& why);

}  // namespace server
