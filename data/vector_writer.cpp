#include "data/vector_writer.hpp"

#include "data/errors.hpp"
#include "data/ogr_layer.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace data {

namespace {

struct FormatInfo {
    VectorFormat format;
    const char* extension;
    const char* driver;
};

constexpr FormatInfo kFormats[] = {
    {VectorFormat::geopackage, ".gpkg", "GPKG"},
    {VectorFormat::geojson, ".geojson", "GeoJSON"},
    {VectorFormat::flatgeobuf, ".fgb", "FlatGeobuf"},
    {VectorFormat::shapefile, ".shp", "ESRI Shapefile"},
};

const FormatInfo& info_of(VectorFormat format) {
    for (const FormatInfo& info : kFormats) {
        if (info.format == format) return info;
    }
    throw std::logic_error("unknown vector format");
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

VectorFormat format_or_throw(const std::filesystem::path& target) {
    if (const auto format = vector_format_of(target)) return *format;
    throw InputError({target.string(), {}, {}, {}},
                     "unsupported output format '" + target.extension().string() + "' (expected one of " +
                         supported_vector_extensions() + ")");
}

/// Whether a GDAL or SQLite message says the disk is full (SQLite's SQLITE_FULL, strerror's ENOSPC, EDQUOT).
bool says_disk_full(std::string message) {
    for (char& c : message) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return message.find("disk is full") != std::string::npos || message.find("no space left") != std::string::npos ||
           message.find("quota exceeded") != std::string::npos;
}

std::string gdal_message() {
    const char* message = CPLGetLastErrorMsg();
    return message != nullptr && *message != '\0' ? std::string(message) : std::string("no reason given");
}

void collect_parts(const OGRGeometry& geometry, OGRwkbGeometryType part, OGRGeometryCollection& into) {
    const OGRwkbGeometryType type = wkbFlatten(geometry.getGeometryType());
    if (type == part) {
        into.addGeometry(&geometry);
    } else if (OGR_GT_IsSubClassOf(type, wkbGeometryCollection)) {
        const auto& collection = *geometry.toGeometryCollection();
        for (int i = 0; i < collection.getNumGeometries(); ++i) collect_parts(*collection.getGeometryRef(i), part, into);
    }
    // Parts of another dimension (a point left by a union, say) have no area or length to show.
}

OGRFieldType ogr_type(FieldKind kind) {
    switch (kind) {
        case FieldKind::text: return OFTString;
        case FieldKind::integer: return OFTInteger64;
        case FieldKind::real: return OFTReal;
        case FieldKind::boolean: return OFTInteger;
    }
    return OFTString;
}

/// Empty text and non-finite reals are "no value" (geo::FieldValue): written as NULL.
void set_value(OGRFeature& feature, int field, const FieldValue& value) {
    if (geo::is_null(value)) {
        feature.SetFieldNull(field);
    } else if (const auto* text = std::get_if<std::string>(&value)) {
        feature.SetField(field, text->c_str());
    } else if (const auto* whole = std::get_if<std::int64_t>(&value)) {
        feature.SetField(field, static_cast<GIntBig>(*whole));
    } else if (const auto* real = std::get_if<double>(&value)) {
        feature.SetField(field, *real);
    } else {
        feature.SetField(field, std::get<bool>(value) ? 1 : 0);
    }
}

}  // namespace

LayerSpec layer_spec(const geo::LayerSchema& layer) {
    LayerSpec spec{std::string(layer.id), wkbUnknown, {}};
    switch (layer.geometry) {
        case geo::LayerGeometry::point: spec.geometry_type = wkbPoint; break;
        case geo::LayerGeometry::line: spec.geometry_type = wkbMultiLineString; break;
        case geo::LayerGeometry::polygon: spec.geometry_type = wkbMultiPolygon; break;
    }
    for (const geo::FieldSchema& field : layer.fields) {
        spec.fields.push_back({std::string(field.name), std::string(field.short_name), field.type});
    }
    return spec;
}

std::unique_ptr<OGRFieldDefn> field_definition(const FieldSpec& field) {
    auto definition = std::make_unique<OGRFieldDefn>(field.name.c_str(), ogr_type(field.kind));
    if (field.kind == FieldKind::boolean) definition->SetSubType(OFSTBoolean);
    return definition;
}

void set_field(OGRFeature& feature, int index, const FieldSpec& field, const FieldValue& value) {
    if (!geo::fits(field.kind, value)) throw std::logic_error("wrong value type for field '" + field.name + "'");
    set_value(feature, index, value);
}

std::optional<VectorFormat> vector_format_of(const std::filesystem::path& file) {
    const std::string extension = lower(file.extension().string());
    for (const FormatInfo& info : kFormats) {
        if (extension == info.extension) return info.format;
    }
    return std::nullopt;
}

std::string supported_vector_extensions() {
    std::string list;
    for (const FormatInfo& info : kFormats) list += (list.empty() ? "" : ", ") + std::string(info.extension);
    return list;
}

GeosToOgr::GeosToOgr(geo::GeosContext& context) : context_(context), writer_(GEOSWKBWriter_create_r(context.handle())) {
    if (writer_ == nullptr) context_.fail("creating a WKB writer");
    GEOSWKBWriter_setOutputDimension_r(context_.handle(), writer_, 2);
}

GeosToOgr::~GeosToOgr() { GEOSWKBWriter_destroy_r(context_.handle(), writer_); }

std::unique_ptr<OGRGeometry> GeosToOgr::operator()(const GEOSGeometry* geometry, OGRwkbGeometryType type) const {
    if (geometry == nullptr || GEOSisEmpty_r(context_.handle(), geometry) == 1) return nullptr;
    std::size_t size = 0;
    unsigned char* wkb = GEOSWKBWriter_write_r(context_.handle(), writer_, geometry, &size);
    if (wkb == nullptr) context_.fail("writing a geometry as WKB");
    OGRGeometry* raw = nullptr;
    const OGRErr error = OGRGeometryFactory::createFromWkb(wkb, nullptr, &raw, size);
    GEOSFree_r(context_.handle(), wkb);
    std::unique_ptr<OGRGeometry> converted(raw);
    if (error != OGRERR_NONE || !converted) throw std::runtime_error("GDAL cannot read a WKB geometry that GEOS wrote");

    std::unique_ptr<OGRGeometryCollection> multi;
    if (type == wkbMultiPolygon) {
        multi = std::make_unique<OGRMultiPolygon>();
        collect_parts(*converted, wkbPolygon, *multi);
    } else if (type == wkbMultiLineString) {
        multi = std::make_unique<OGRMultiLineString>();
        collect_parts(*converted, wkbLineString, *multi);
    } else {
        return converted;
    }
    if (multi->IsEmpty()) return nullptr;
    return multi;
}

FixedCurrentDate::FixedCurrentDate() {
    if (const char* current = CPLGetThreadLocalConfigOption("OGR_CURRENT_DATE", nullptr)) previous_ = current;
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z");
}

FixedCurrentDate::~FixedCurrentDate() {
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", previous_ ? previous_->c_str() : nullptr);
}

VectorOutput::VectorOutput(const std::filesystem::path& target, const std::string& crs, std::string primary_layer)
    : target_(target), format_(format_or_throw(target)), primary_layer_(std::move(primary_layer)),
      srs_(crs.empty() ? nullptr : spatial_reference(crs, target.string(), "working_crs")), staging_(target) {
    ensure_gdal_ready();
    if (format_ == VectorFormat::geopackage) {
        GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(info_of(format_).driver);
        if (driver == nullptr) fail("GDAL has no GPKG driver");
        CPLErrorReset();
        dataset_.reset(driver->Create(staging_.path_for(target_.filename().string()).c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        if (!dataset_) fail("cannot create the GeoPackage");
    }
}

VectorOutput::~VectorOutput() = default;

std::string VectorOutput::file_name_for(const std::string& layer) const {
    if (layer == primary_layer_) return target_.filename().string();
    return target_.stem().string() + "-" + layer + target_.extension().string();
}

VectorOutput::FirstGdalError::FirstGdalError() { CPLPushErrorHandlerEx(&FirstGdalError::record, this); }

VectorOutput::FirstGdalError::~FirstGdalError() { CPLPopErrorHandler(); }

void CPL_STDCALL VectorOutput::FirstGdalError::record(CPLErr type, CPLErrorNum, const char* message) {
    auto* self = static_cast<FirstGdalError*>(CPLGetErrorHandlerUserData());
    if (self != nullptr && type >= CE_Failure && self->message_.empty() && message != nullptr) self->message_ = message;
}

void VectorOutput::fail(const std::string& doing) const {
    const std::string cause = first_error_.message().empty() ? gdal_message() : first_error_.message();
    // A full disk is the system's failure, whatever the driver made of it (GDAL may not say).
    if (says_disk_full(cause) || file_system_full(staging_.path_for(""))) {
        throw StorageError(target_.string(), doing + ": " + cause + (says_disk_full(cause) ? "" : " (the file system is full)"));
    }
    throw InputError({target_.string(), {}, {}, {}}, doing + ": " + cause);
}

void VectorOutput::begin_layer(const LayerSpec& spec) {
    if (layer_ != nullptr) throw std::logic_error("VectorOutput: layer '" + spec_.name + "' was not ended");
    spec_ = spec;
    const FormatInfo& info = info_of(format_);
    CPLStringList options;
    if (format_ != VectorFormat::geopackage) {
        GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(info.driver);
        if (driver == nullptr) fail(std::string("GDAL has no ") + info.driver + " driver");
        const std::string file = staging_.path_for(file_name_for(spec.name)).string();
        CPLErrorReset();
        dataset_.reset(driver->Create(file.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        if (!dataset_) fail("cannot create " + file_name_for(spec.name));
    }
    switch (format_) {
        case VectorFormat::geojson:
            options.SetNameValue("RFC7946", "YES");  // reprojects to WGS 84 lon/lat
            break;
        case VectorFormat::shapefile:
            options.SetNameValue("ENCODING", "UTF-8");
            options.SetNameValue("RESIZE", "YES");                       // text fields start at the DBF maximum
            options.SetNameValue("DBF_DATE_LAST_UPDATE", "2000-01-01");  // else today's date: not reproducible
            break;
        case VectorFormat::flatgeobuf:
            options.SetNameValue("SPATIAL_INDEX", "YES");
            break;
        case VectorFormat::geopackage:
            break;
    }
    CPLErrorReset();
    layer_ = dataset_->CreateLayer(spec.name.c_str(), srs_.get(), spec.geometry_type, options.List());
    if (layer_ == nullptr) fail("cannot create layer '" + spec.name + "'");
    for (const FieldSpec& field : spec.fields) {
        const bool shapefile = format_ == VectorFormat::shapefile;
        OGRFieldDefn definition(shapefile ? field.short_name.c_str() : field.name.c_str(), ogr_type(field.kind));
        if (field.kind == FieldKind::boolean) definition.SetSubType(OFSTBoolean);
        if (shapefile && field.kind == FieldKind::text) definition.SetWidth(254);
        CPLErrorReset();
        if (layer_->CreateField(&definition) != OGRERR_NONE) fail("cannot create field '" + field.name + "' in layer '" + spec.name + "'");
    }
    if (format_ == VectorFormat::geopackage && dataset_->StartTransaction() != OGRERR_NONE) {
        fail("cannot start writing layer '" + spec.name + "'");
    }
}

void VectorOutput::add(std::unique_ptr<OGRGeometry> geometry, const std::vector<FieldValue>& values) {
    if (layer_ == nullptr) throw std::logic_error("VectorOutput::add outside a layer");
    if (values.size() != spec_.fields.size()) {
        throw std::logic_error("VectorOutput: layer '" + spec_.name + "' expects " + std::to_string(spec_.fields.size()) +
                               " values, got " + std::to_string(values.size()));
    }
    OGRFeature feature(layer_->GetLayerDefn());
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!geo::fits(spec_.fields[i].kind, values[i])) {
            throw std::logic_error("VectorOutput: wrong value type for field '" + spec_.fields[i].name + "'");
        }
        set_value(feature, static_cast<int>(i), values[i]);
    }
    if (geometry) feature.SetGeometryDirectly(geometry.release());
    CPLErrorReset();
    if (layer_->CreateFeature(&feature) != OGRERR_NONE) fail("cannot write a feature to layer '" + spec_.name + "'");
}

void VectorOutput::end_layer() {
    if (layer_ == nullptr) throw std::logic_error("VectorOutput::end_layer without begin_layer");
    CPLErrorReset();
    if (format_ == VectorFormat::geopackage) {
        if (dataset_->CommitTransaction() != OGRERR_NONE) fail("cannot write layer '" + spec_.name + "'");
    } else {
        dataset_.reset();  // GDALClose: FlatGeobuf builds its index, Shapefile resizes its fields
        if (CPLGetLastErrorType() == CE_Failure) fail("cannot finish layer '" + spec_.name + "'");
    }
    layer_ = nullptr;
}

void VectorOutput::add_text_file(const std::string& suffix, std::string_view content) {
    staging_.write_text(target_.stem().string() + suffix, content);
}

void VectorOutput::commit() {
    if (layer_ != nullptr) throw std::logic_error("VectorOutput: layer '" + spec_.name + "' was not ended");
    CPLErrorReset();
    dataset_.reset();
    if (CPLGetLastErrorType() == CE_Failure) fail("cannot finish writing");
    staging_.commit();
}

}  // namespace data
