#pragma once
// Reading one OGR layer with precise errors: every failure names the file, layer, row or feature,
// field, and what was expected. The readers for areas, practices and registrations build on this.
#include "data/description.hpp"
#include "data/errors.hpp"
#include "geo/dataset.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace data {

/// Registers GDAL's drivers once and routes GDAL's messages away from stderr (we report our own).
void ensure_gdal_ready();

/// A spatial reference set from user input ("EPSG:27700", WKT, PROJ string) in traditional GIS axis
/// order. Throws InputError naming `setting` when GDAL/PROJ does not know it.
std::unique_ptr<OGRSpatialReference> spatial_reference(const std::string& text, const std::string& origin,
                                                        const std::string& setting);

/// One input layer open for reading. `role` is the description table it came from ("areas", ...).
class LayerReader {
public:
    LayerReader(const LayerRef& ref, std::string role, const std::string& geometry_field = {});

    const std::string& role() const { return role_; }
    std::int64_t feature_count();
    /// The next feature, or null at the end.
    OGRFeatureUniquePtr next();

    /// Index of a field the description names (setting is e.g. "areas.id_field"); throws listing the
    /// layer's fields when it is not there. Returns -1 when `name` is empty.
    int field(const std::string& name, const std::string& setting) const;

    /// The field's text, trimmed; empty when null.
    std::string text(const OGRFeature& feature, int field) const;
    /// Non-empty text, else an error "expected <what>".
    std::string required_text(const OGRFeature& feature, int field, const std::string& what) const;
    /// A whole number of people from 0 to kMaxCount (a list size, a population, patients). Accepts
    /// integer, real (integral) and text fields. The bound keeps every sum far from overflowing.
    std::int64_t count(const OGRFeature& feature, int field) const;
    static constexpr std::int64_t kMaxCount = 10'000'000;
    /// Any finite number (coordinates).
    double number(const OGRFeature& feature, int field) const;

    /// The CRS of the coordinates: the description's `crs` when set, else the layer's; null when
    /// neither exists.
    const OGRSpatialReference* source_crs() const { return source_srs_.get(); }
    /// Throws when the layer has no CRS and none was stated.
    const OGRSpatialReference& require_crs(const std::string& why) const;
    /// With a stated crs (an override of what the source says): fails when `extent`, the source's
    /// coordinates in that CRS, lies wholly outside the CRS's area of use, i.e. they are in another CRS.
    void check_area_of_use(const OGREnvelope& extent) const;
    /// The same for the layer's own extent (its geometries).
    void check_area_of_use() const;

    /// "row 12" for tables (CSV, spreadsheets), "feature 12" for vector layers.
    std::string row_label(GIntBig fid) const;
    /// Location of a feature (and optionally field) for messages.
    InputLocation where(const OGRFeature* feature, int field = -1) const;
    [[noreturn]] void fail(const OGRFeature* feature, int field, const std::string& problem) const;
    [[noreturn]] void fail_layer(const std::string& problem) const;

    /// Reads only these fields (and the geometry when `geometry`), where the driver can skip the rest.
    void read_only(const std::vector<int>& fields, bool geometry);

    /// Every attribute field's name, in layer order.
    std::vector<std::string> field_names() const;
    /// The fields' types as published: integers (booleans where GDAL says so), reals, else text.
    std::vector<geo::FieldType> field_types() const;
    /// Every attribute of a feature as text (empty when null), in layer order.
    std::vector<std::string> all_text(const OGRFeature& feature) const;

    geo::SourceInfo info() const;
    const LayerRef& ref() const { return ref_; }
    OGRLayer& layer() { return *layer_; }

private:
    LayerRef ref_;
    std::string role_;
    GDALDatasetUniquePtr dataset_;
    OGRLayer* layer_ = nullptr;
    bool rows_are_table_rows_ = false;  // CSV-like: say "row N" rather than "feature N"
    bool rows_have_lines_ = false;      // CSV: also give the line number
    std::unique_ptr<OGRSpatialReference> source_srs_;
    std::int64_t rows_read_ = 0;
};

/// Transforms from a layer's CRS into the working CRS (both in traditional GIS axis order).
class ToWorkingCrs {
public:
    ToWorkingCrs(const OGRSpatialReference& from, const OGRSpatialReference& to, const LayerReader& layer);
    /// Transforms in place; throws (naming the feature) when PROJ fails.
    void apply(OGRGeometry& geometry, const LayerReader& layer, const OGRFeature& feature) const;
    geo::Point apply(geo::Point p, const LayerReader& layer, const OGRFeature& feature, int field) const;
    bool is_identity() const { return transform_ == nullptr; }

private:
    std::unique_ptr<OGRCoordinateTransformation> transform_;
};

}  // namespace data
