#include "data/ogr_layer.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cmath>
#include <filesystem>
#include <mutex>

namespace data {

namespace {

std::string last_gdal_message(const char* when_silent = "no reason given") {
    const char* message = CPLGetLastErrorMsg();
    return message != nullptr && *message != '\0' ? std::string(message) : std::string(when_silent);
}

std::string trim(const char* raw) {
    std::string_view text(raw != nullptr ? raw : "");
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(first, last - first + 1));
}

bool looks_like_connection_string(const std::string& source) {
    return source.rfind("/vsi", 0) == 0 || source.find(':') != std::string::npos;
}

std::string layer_names(GDALDataset& dataset) {
    std::string names;
    for (int i = 0; i < dataset.GetLayerCount(); ++i) {
        if (!names.empty()) names += ", ";
        names += dataset.GetLayer(i)->GetName();
    }
    return names;
}

}  // namespace

void ensure_gdal_ready() {
    static std::once_flag once;
    std::call_once(once, [] {
        GDALAllRegister();
        // Errors reach the user through InputError with their location; GDAL's own stderr lines would
        // duplicate them without that context.
        CPLSetErrorHandler(CPLQuietErrorHandler);
    });
}

std::unique_ptr<OGRSpatialReference> spatial_reference(const std::string& text, const std::string& origin,
                                                        const std::string& setting) {
    ensure_gdal_ready();
    auto srs = std::make_unique<OGRSpatialReference>();
    if (srs->SetFromUserInput(text.c_str()) != OGRERR_NONE) {
        throw setting_error(origin, setting, "unknown CRS '" + text + "' (expected e.g. EPSG:27700 or WKT)");
    }
    srs->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

LayerReader::LayerReader(const LayerRef& ref, std::string role, const std::string& geometry_field)
    : ref_(ref), role_(std::move(role)) {
    ensure_gdal_ready();
    const InputLocation file_only{ref.source, {}, {}, {}};
    if (!looks_like_connection_string(ref.source)) {
        std::error_code error;  // (a name too long for the system is an error here, not an exception)
        if (!std::filesystem::exists(ref.source, error)) {
            throw InputError(file_only, (error ? "cannot read it: " + error.message() : std::string("no such file")) + " (" + role_ + ".source)");
        }
    }
    CPLStringList open_options;
    for (const std::string& option : ref.open_options) open_options.AddString(option.c_str());
    if (!geometry_field.empty()) {
        // CSV driver: read this column as WKT geometry. Other drivers ignore the option.
        open_options.SetNameValue("GEOM_POSSIBLE_NAMES", geometry_field.c_str());
        open_options.SetNameValue("KEEP_GEOM_COLUMNS", "NO");
    }
    CPLErrorReset();
    dataset_.reset(GDALDataset::Open(ref.source.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr,
                                     open_options.List(), nullptr));
    if (!dataset_) {
        std::error_code size_error;
        if (!looks_like_connection_string(ref.source) && std::filesystem::is_regular_file(ref.source, size_error) &&
            std::filesystem::file_size(ref.source, size_error) == 0 && !size_error) {
            throw InputError(file_only, "the file is empty (0 bytes); expected the " + role_ + " (" + role_ + ".source)");
        }
        throw InputError(file_only, "GDAL cannot open it as a vector source: " +
                                        last_gdal_message("no vector driver recognises the file (corrupt, or not a vector format?)"));
    }
    const std::string driver = dataset_->GetDriver() != nullptr ? dataset_->GetDriverName() : "";
    rows_are_table_rows_ = driver == "CSV" || driver == "XLSX" || driver == "ODS";
    rows_have_lines_ = driver == "CSV";
    if (ref.layer.empty()) {
        if (dataset_->GetLayerCount() == 0) throw InputError(file_only, "holds no layer");
        if (dataset_->GetLayerCount() > 1) {
            throw InputError(file_only, "holds " + std::to_string(dataset_->GetLayerCount()) + " layers; choose one with " +
                                            role_ + ".layer: " + layer_names(*dataset_));
        }
        layer_ = dataset_->GetLayer(0);
    } else {
        layer_ = dataset_->GetLayerByName(ref.layer.c_str());
        if (layer_ == nullptr) {
            throw InputError(file_only, "no layer '" + ref.layer + "' (" + role_ + ".layer); layers: " +
                                            layer_names(*dataset_));
        }
    }
    if (!geometry_field.empty()) {
        const OGRFeatureDefn* definition = layer_->GetLayerDefn();
        bool found = definition->GetGeomFieldIndex(geometry_field.c_str()) >= 0;
        // The CSV driver reads a column named WKT as an unnamed geometry field whatever it is told, so
        // that column counts only when it is the one named: another name must not fall back to it.
        for (int i = 0; !found && rows_are_table_rows_ && EQUAL(geometry_field.c_str(), "WKT") && i < definition->GetGeomFieldCount(); ++i) {
            found = definition->GetGeomFieldDefn(i)->GetNameRef()[0] == '\0';
        }
        if (!found) fail_layer("no geometry field '" + geometry_field + "' (" + role_ + ".geometry_field)");
    }
    if (!ref.where.empty()) {
        CPLErrorReset();
        if (layer_->SetAttributeFilter(ref.where.c_str()) != OGRERR_NONE) {
            fail_layer("invalid " + role_ + ".where filter \"" + ref.where + "\": " + last_gdal_message());
        }
    }
    if (!ref.crs.empty()) {
        source_srs_ = spatial_reference(ref.crs, ref.source, role_ + ".crs");
    } else if (const OGRSpatialReference* declared = layer_->GetSpatialRef()) {
        source_srs_.reset(declared->Clone());
        source_srs_->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    }
}

std::int64_t LayerReader::feature_count() {
    // Counting a CSV means reading it twice; report "unknown" (0) instead where it is not cheap.
    return layer_->TestCapability(OLCFastFeatureCount) ? layer_->GetFeatureCount(TRUE) : 0;
}

OGRFeatureUniquePtr LayerReader::next() {
    CPLErrorReset();
    OGRFeatureUniquePtr feature(layer_->GetNextFeature());
    // A driver that fails mid-layer (a corrupt page, a truncated file) returns null as at the end: only
    // the error state tells them apart, and a short read must never pass for the whole layer.
    if (CPLGetLastErrorType() >= CE_Failure) {
        fail_layer("reading failed after " + std::to_string(rows_read_) + " features: " + last_gdal_message());
    }
    if (feature) ++rows_read_;
    return feature;
}

int LayerReader::field(const std::string& name, const std::string& setting) const {
    if (name.empty()) return -1;
    const OGRFeatureDefn* definition = layer_->GetLayerDefn();
    const int index = definition->GetFieldIndex(name.c_str());
    if (index >= 0) return index;
    std::string fields;
    for (const std::string& field_name : field_names()) fields += (fields.empty() ? "" : ", ") + field_name;
    InputLocation where{ref_.source, layer_->GetName(), {}, name};
    if (fields.empty()) {
        // GDAL read no field at all: its own reason, when it gave one, is the useful part.
        throw InputError(where, "no such field (" + setting + "); the layer has no fields" +
                                    (CPLGetLastErrorMsg()[0] != '\0' ? std::string(" (GDAL: ") + CPLGetLastErrorMsg() + ")" : std::string()));
    }
    throw InputError(where, "no such field (" + setting + "); fields: " + fields);
}

std::string LayerReader::text(const OGRFeature& feature, int field) const {
    if (!feature.IsFieldSetAndNotNull(field)) return {};
    std::string value = trim(feature.GetFieldAsString(field));
    if (!ref_.encoding.empty() && !value.empty()) {
        char* recoded = CPLRecode(value.c_str(), ref_.encoding.c_str(), CPL_ENC_UTF8);
        value = recoded != nullptr ? recoded : "";
        CPLFree(recoded);
    }
    if (const std::size_t bad = first_invalid_utf8(value); bad != std::string::npos) {
        char detail[96];
        std::snprintf(detail, sizeof detail, "expected UTF-8 text, got byte 0x%02X at position %zu", static_cast<unsigned char>(value[bad]), bad + 1);
        fail(&feature, field, std::string(detail) + "; give the table's encoding (" + role_ + ".encoding, e.g. ISO-8859-1) or save it as UTF-8");
    }
    return value;
}

std::string LayerReader::required_text(const OGRFeature& feature, int field, const std::string& what) const {
    std::string value = text(feature, field);
    if (value.empty()) fail(&feature, field, "expected " + what + ", got an empty value");
    return value;
}

std::int64_t LayerReader::count(const OGRFeature& feature, int field) const {
    const auto expected = [] { return std::string("expected a whole number from 0 to 10,000,000"); };  // kMaxCount
    if (!feature.IsFieldSetAndNotNull(field)) fail(&feature, field, expected() + ", got an empty value");
    const OGRFieldType type = feature.GetFieldDefnRef(field)->GetType();
    if (type == OFTInteger || type == OFTInteger64) {
        const std::int64_t value = feature.GetFieldAsInteger64(field);
        if (value < 0 || value > kMaxCount) fail(&feature, field, expected() + ", got " + std::to_string(value));
        return value;
    }
    const std::string raw = trim(feature.GetFieldAsString(field));
    if (raw.empty()) fail(&feature, field, expected() + ", got an empty value");
    std::int64_t whole = 0;
    const auto [end, error] = std::from_chars(raw.data(), raw.data() + raw.size(), whole);
    if (error == std::errc() && end == raw.data() + raw.size() && whole >= 0 && whole <= kMaxCount) return whole;
    double real = 0;
    const auto [real_end, real_error] = std::from_chars(raw.data(), raw.data() + raw.size(), real);
    // Checked against the range before the cast: a double beyond int64 has no defined conversion.
    if (real_error == std::errc() && real_end == raw.data() + raw.size() && std::isfinite(real) && real >= 0 &&
        real <= static_cast<double>(kMaxCount) && real == std::floor(real)) {
        return static_cast<std::int64_t>(real);
    }
    fail(&feature, field, expected() + ", got '" + raw + "'");
}

double LayerReader::number(const OGRFeature& feature, int field) const {
    if (!feature.IsFieldSetAndNotNull(field)) fail(&feature, field, "expected a coordinate, got an empty value");
    const OGRFieldType type = feature.GetFieldDefnRef(field)->GetType();
    if (type == OFTInteger || type == OFTInteger64 || type == OFTReal) return feature.GetFieldAsDouble(field);
    const std::string raw = trim(feature.GetFieldAsString(field));
    if (raw.empty()) fail(&feature, field, "expected a coordinate, got an empty value");
    double value = 0;
    const auto [end, error] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
    if (error != std::errc() || end != raw.data() + raw.size() || !std::isfinite(value)) {
        fail(&feature, field, "expected a number, got '" + raw + "'");
    }
    return value;
}

void LayerReader::read_only(const std::vector<int>& fields, bool geometry) {
    std::vector<std::string> ignored;
    const OGRFeatureDefn* definition = layer_->GetLayerDefn();
    for (int i = 0; i < definition->GetFieldCount(); ++i) {
        if (std::find(fields.begin(), fields.end(), i) == fields.end()) ignored.emplace_back(definition->GetFieldDefn(i)->GetNameRef());
    }
    if (!geometry) ignored.emplace_back("OGR_GEOMETRY");
    std::vector<const char*> names;
    for (const std::string& name : ignored) names.push_back(name.c_str());
    names.push_back(nullptr);
    layer_->SetIgnoredFields(names.data());  // a speed-up only: drivers that cannot ignore fields read them all
}

const OGRSpatialReference& LayerReader::require_crs(const std::string& why) const {
    if (!source_srs_) {
        fail_layer("has no CRS; state the CRS of " + why + " with " + role_ + ".crs (flag " + flag_for(role_ + ".crs") +
                   ")");
    }
    return *source_srs_;
}

void LayerReader::check_area_of_use(const OGREnvelope& extent) const {
    if (ref_.crs.empty() || !source_srs_ || !extent.IsInit()) return;
    double west = 0, south = 0, east = 0, north = 0;
    const char* area_name = nullptr;
    if (!source_srs_->GetAreaOfUse(&west, &south, &east, &north, &area_name)) return;
    OGRSpatialReference lonlat;
    lonlat.SetWellKnownGeogCS("WGS84");
    lonlat.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> to_lonlat(OGRCreateCoordinateTransformation(source_srs_.get(), &lonlat));
    if (!to_lonlat) return;
    double xs[] = {extent.MinX, extent.MaxX, extent.MinX, extent.MaxX, (extent.MinX + extent.MaxX) / 2};
    double ys[] = {extent.MinY, extent.MinY, extent.MaxY, extent.MaxY, (extent.MinY + extent.MaxY) / 2};
    int ok[5] = {};
    CPLErrorReset();
    to_lonlat->Transform(5, xs, ys, nullptr, ok);
    bool inside = false;
    for (int i = 0; i < 5; ++i) {
        // A degree of slack: areas of use are drawn round the land, and practices stand on the coast.
        inside = inside || (ok[i] && xs[i] >= west - 1 && xs[i] <= east + 1 && ys[i] >= south - 1 && ys[i] <= north + 1);
    }
    if (inside) return;
    char detail[256];
    std::snprintf(detail, sizeof detail, "its coordinates (x %.6g to %.6g, y %.6g to %.6g) lie outside where ", extent.MinX, extent.MaxX,
                  extent.MinY, extent.MaxY);
    char where[128];
    std::snprintf(where, sizeof where, " is used (longitude %.2f to %.2f, latitude %.2f to %.2f)", west, east, south, north);
    fail_layer(std::string(detail) + ref_.crs + where + "; " + role_ + ".crs does not match them");
}

void LayerReader::check_area_of_use() const {
    OGREnvelope extent;
    if (layer_->GetLayerDefn()->GetGeomFieldCount() > 0 && layer_->GetExtent(&extent, TRUE) == OGRERR_NONE) check_area_of_use(extent);
}

std::string LayerReader::row_label(GIntBig fid) const {
    // CSV FIDs count data rows from 1; the header is line 1, so row N is on line N + 1.
    if (rows_have_lines_) return "row " + std::to_string(fid) + " (line " + std::to_string(fid + 1) + ")";
    return (rows_are_table_rows_ ? "row " : "feature ") + std::to_string(fid);
}

InputLocation LayerReader::where(const OGRFeature* feature, int field) const {
    InputLocation location{ref_.source, layer_->GetName(), {}, {}};
    if (feature != nullptr) {
        location.row = row_label(feature->GetFID());
        if (field >= 0) location.field = feature->GetFieldDefnRef(field)->GetNameRef();
    }
    return location;
}

void LayerReader::fail(const OGRFeature* feature, int field, const std::string& problem) const {
    throw InputError(where(feature, field), problem);
}

void LayerReader::fail_layer(const std::string& problem) const { throw InputError(where(nullptr), problem); }

std::vector<std::string> LayerReader::field_names() const {
    const OGRFeatureDefn* definition = layer_->GetLayerDefn();
    std::vector<std::string> names;
    for (int i = 0; i < definition->GetFieldCount(); ++i) names.emplace_back(definition->GetFieldDefn(i)->GetNameRef());
    return names;
}

std::vector<geo::FieldType> LayerReader::field_types() const {
    const OGRFeatureDefn* definition = layer_->GetLayerDefn();
    std::vector<geo::FieldType> types;
    for (int i = 0; i < definition->GetFieldCount(); ++i) {
        const OGRFieldDefn* field = definition->GetFieldDefn(i);
        switch (field->GetType()) {
            case OFTInteger:
                types.push_back(field->GetSubType() == OFSTBoolean ? geo::FieldType::boolean : geo::FieldType::integer);
                break;
            case OFTInteger64:
                types.push_back(geo::FieldType::integer);
                break;
            case OFTReal:
                types.push_back(geo::FieldType::real);
                break;
            default:
                types.push_back(geo::FieldType::text);
        }
    }
    return types;
}

std::vector<std::string> LayerReader::all_text(const OGRFeature& feature) const {
    std::vector<std::string> values;
    values.reserve(static_cast<std::size_t>(feature.GetFieldCount()));
    for (int i = 0; i < feature.GetFieldCount(); ++i) values.push_back(text(feature, i));
    return values;
}

geo::SourceInfo LayerReader::info() const {
    geo::SourceInfo info;
    info.role = role_;
    info.path = ref_.source;
    info.layer = layer_->GetName();
    info.filter = ref_.where;
    info.rows_read = rows_read_;
    if (source_srs_) {
        const char* authority = source_srs_->GetAuthorityName(nullptr);
        const char* code = source_srs_->GetAuthorityCode(nullptr);
        info.source_crs = authority != nullptr && code != nullptr ? std::string(authority) + ":" + code
                                                                  : std::string(source_srs_->GetName());
    }
    return info;
}

ToWorkingCrs::ToWorkingCrs(const OGRSpatialReference& from, const OGRSpatialReference& to, const LayerReader& layer) {
    if (from.IsSame(&to)) return;
    CPLErrorReset();
    transform_.reset(OGRCreateCoordinateTransformation(&from, &to));
    if (!transform_) layer.fail_layer("PROJ cannot transform its CRS to the working CRS: " + last_gdal_message());
}

namespace {

/// Beyond this many working-CRS units from its origin nothing is on the Earth (about 2.5 times its
/// circumference in metres); such coordinates come from a wrong CRS or a damaged file, and would
/// overflow the grids that index points.
constexpr double kPlausibleCoordinate = 1e8;

bool plausible(double x, double y) { return std::abs(x) <= kPlausibleCoordinate && std::abs(y) <= kPlausibleCoordinate; }

std::string coordinate_pair(double x, double y) {
    char text[96];
    std::snprintf(text, sizeof text, "(%.10g, %.10g)", x, y);
    return text;
}

}  // namespace

void ToWorkingCrs::apply(OGRGeometry& geometry, const LayerReader& layer, const OGRFeature& feature) const {
    if (transform_ && geometry.transform(transform_.get()) != OGRERR_NONE) {
        layer.fail(&feature, -1, "geometry cannot be transformed to the working CRS (coordinates outside the CRS?)");
    }
    OGREnvelope box;
    geometry.getEnvelope(&box);
    if (!plausible(box.MinX, box.MinY) || !plausible(box.MaxX, box.MaxY)) {
        layer.fail(&feature, -1,
                   "geometry reaches " + coordinate_pair(std::abs(box.MinX) > std::abs(box.MaxX) ? box.MinX : box.MaxX,
                                                         std::abs(box.MinY) > std::abs(box.MaxY) ? box.MinY : box.MaxY) +
                       " in the working CRS (expected finite coordinates within 1e8 of its origin: is the CRS right?)");
    }
}

geo::Point ToWorkingCrs::apply(geo::Point p, const LayerReader& layer, const OGRFeature& feature, int field) const {
    double x = p.x, y = p.y;
    if (transform_ && !transform_->Transform(1, &x, &y)) {
        layer.fail(&feature, field, "coordinates " + coordinate_pair(p.x, p.y) + " cannot be transformed to the working CRS: are they in the stated CRS?");
    }
    if (!plausible(x, y)) {
        layer.fail(&feature, field,
                   "coordinates " + coordinate_pair(p.x, p.y) + " are " + coordinate_pair(x, y) +
                       " in the working CRS (expected finite coordinates within 1e8 of its origin: is the CRS right?)");
    }
    return {x, y};
}

}  // namespace data
