#pragma once
// Writing vector layers through GDAL in a format chosen by the file extension: a GeoPackage holds
// every layer; GeoJSON, FlatGeobuf and Shapefile hold one layer per file. Everything is staged and
// appears only when complete, and the same input gives byte-identical files.
#include "data/staging_dir.hpp"
#include "geo/geos.hpp"
#include "geo/output_layers.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace data {

enum class VectorFormat { geopackage, geojson, flatgeobuf, shapefile };

/// The format for a file's extension (case-insensitive), or nullopt when it is not supported.
std::optional<VectorFormat> vector_format_of(const std::filesystem::path& file);
/// The supported extensions, for messages: ".gpkg, .geojson, .fgb, .shp".
std::string supported_vector_extensions();

/// A field's type: the output layers' own (geo/output_layers.hpp).
using FieldKind = geo::FieldType;

struct FieldSpec {
    std::string name;
    std::string short_name;  // at most 10 characters, for Shapefile's DBF
    FieldKind kind = FieldKind::text;
};

/// One attribute value; the alternative must match the field's kind.
using FieldValue = geo::FieldValue;

struct LayerSpec {
    std::string name;
    OGRwkbGeometryType geometry_type = wkbUnknown;  // wkbPoint, wkbMultiLineString or wkbMultiPolygon
    std::vector<FieldSpec> fields;
};

/// The GDAL layer definition of a published layer: its fields with their Shapefile short names.
LayerSpec layer_spec(const geo::LayerSchema& layer);
/// A field's OGR definition (booleans as integers of subtype boolean).
std::unique_ptr<OGRFieldDefn> field_definition(const FieldSpec& field);
/// Sets field `index` of `feature` to `value` (empty text and non-finite reals as NULL); throws
/// std::logic_error when the value is not of the field's kind.
void set_field(OGRFeature& feature, int index, const FieldSpec& field, const FieldValue& value);

/// Converts GEOS geometries to OGR through WKB.
class GeosToOgr {
public:
    explicit GeosToOgr(geo::GeosContext& context);
    ~GeosToOgr();
    GeosToOgr(const GeosToOgr&) = delete;
    GeosToOgr& operator=(const GeosToOgr&) = delete;

    /// The geometry promoted to `type` (Polygon -> MultiPolygon, LineString -> MultiLineString; parts
    /// of another dimension in a collection are dropped). Null for a null or empty geometry.
    std::unique_ptr<OGRGeometry> operator()(const GEOSGeometry* geometry, OGRwkbGeometryType type) const;

private:
    geo::GeosContext& context_;
    GEOSWKBWriter* writer_;
};

/// GDAL reads OGR_CURRENT_DATE for the timestamps GeoPackage stores; fixing it for the lifetime of
/// this object (on this thread) makes the files reproducible.
class FixedCurrentDate {
public:
    FixedCurrentDate();
    ~FixedCurrentDate();
    FixedCurrentDate(const FixedCurrentDate&) = delete;
    FixedCurrentDate& operator=(const FixedCurrentDate&) = delete;

private:
    std::optional<std::string> previous_;
};

class VectorOutput {
public:
    /// Output to `target` (its extension selects the format) with coordinates in `crs`, the working
    /// CRS; GeoJSON is written in WGS 84 lon/lat as RFC 7946 requires. In the single-layer formats the
    /// layer named `primary_layer` goes to `target` and every other layer beside it as
    /// `<stem>-<layer><ext>`. Throws InputError for an unsupported extension or a missing directory;
    /// every method throws StorageError when the disk is full or fails.
    VectorOutput(const std::filesystem::path& target, const std::string& crs, std::string primary_layer);
    ~VectorOutput();
    VectorOutput(const VectorOutput&) = delete;
    VectorOutput& operator=(const VectorOutput&) = delete;

    void begin_layer(const LayerSpec& spec);
    /// Adds a feature to the current layer; `geometry` may be null. `values` are in field order.
    void add(std::unique_ptr<OGRGeometry> geometry, const std::vector<FieldValue>& values);
    void end_layer();

    /// The GeoPackage being written, for tables beyond the layers (such as QGIS's layer_styles); null for
    /// the other formats. Call it between layers, not inside one.
    GDALDataset* geopackage() { return format_ == VectorFormat::geopackage ? dataset_.get() : nullptr; }

    /// A text file beside the target named `<stem><suffix>`, e.g. "-networks.csv".
    void add_text_file(const std::string& suffix, std::string_view content);
    /// Closes every file and moves them all into place. Without it, nothing appears.
    void commit();

private:
    std::string file_name_for(const std::string& layer) const;
    [[noreturn]] void fail(const std::string& doing) const;

    std::filesystem::path target_;
    VectorFormat format_;
    std::string primary_layer_;
    std::unique_ptr<OGRSpatialReference> srs_;
    // Destroyed in reverse: the open dataset closes first, then the date is restored, then the
    // staging directory goes.
    StagingDir staging_;
    FixedCurrentDate fixed_date_;
    /// GDAL's first failure while the output is open (on this thread): the cause, where the last
    /// message is often a consequence ("no such table" after "database or disk is full").
    class FirstGdalError {
    public:
        FirstGdalError();
        ~FirstGdalError();
        FirstGdalError(const FirstGdalError&) = delete;
        FirstGdalError& operator=(const FirstGdalError&) = delete;
        const std::string& message() const { return message_; }

    private:
        static void CPL_STDCALL record(CPLErr type, CPLErrorNum number, const char* message);
        std::string message_;
    };
    FirstGdalError first_error_;
    GDALDatasetUniquePtr dataset_;
    OGRLayer* layer_ = nullptr;
    LayerSpec spec_;
};

}  // namespace data
