// The cached GeoJSON of each OGC API collection: geometries reprojected to a served CRS once per
// dataset version, each feature written once by hand (7 decimals in CRS84, 2 in metres), properties
// in the order of catchment's other outputs.
#include "server/service/feature_collections.hpp"

#include "geo/crs.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <charconv>
#include <cmath>
#include <system_error>

namespace server {

namespace {

// ---------------------------------------------------------------------------------------------
// Building the cached features

/// Writes a GEOS geometry as GeoJSON, polygons and lines promoted to their multi forms as in catchment's
/// other outputs. With `transform`, coordinates are reprojected as they are written (no copy of the
/// geometry); without, the geometry is in the served CRS already.
class GeometryWriter {
public:
    GeometryWriter(GEOSContextHandle_t handle, std::string& out, int decimals, const geo::CrsTransform* transform = nullptr)
        : handle_(handle), out_(out), decimals_(decimals), transform_(transform) {}

    void write(const GEOSGeometry* geometry) {
        if (geometry == nullptr || GEOSisEmpty_r(handle_, geometry) == 1) {
            out_ += "null";
            return;
        }
        const int type = GEOSGeomTypeId_r(handle_, geometry);
        switch (type) {
            case GEOS_POINT:
                out_ += R"({"type":"Point","coordinates":)";
                sequence(GEOSGeom_getCoordSeq_r(handle_, geometry), false);
                break;
            case GEOS_LINESTRING:
                out_ += R"({"type":"MultiLineString","coordinates":[)";
                sequence(GEOSGeom_getCoordSeq_r(handle_, geometry), true);
                out_ += ']';
                break;
            case GEOS_MULTILINESTRING:
                out_ += R"({"type":"MultiLineString","coordinates":[)";
                for (int i = 0; i < GEOSGetNumGeometries_r(handle_, geometry); ++i) {
                    if (i > 0) out_ += ',';
                    sequence(GEOSGeom_getCoordSeq_r(handle_, GEOSGetGeometryN_r(handle_, geometry, i)), true);
                }
                out_ += ']';
                break;
            case GEOS_POLYGON:
                out_ += R"({"type":"MultiPolygon","coordinates":[)";
                polygon(geometry);
                out_ += ']';
                break;
            case GEOS_MULTIPOLYGON:
                out_ += R"({"type":"MultiPolygon","coordinates":[)";
                for (int i = 0; i < GEOSGetNumGeometries_r(handle_, geometry); ++i) {
                    if (i > 0) out_ += ',';
                    polygon(GEOSGetGeometryN_r(handle_, geometry, i));
                }
                out_ += ']';
                break;
            default:
                throw std::logic_error("features: unsupported geometry type " + std::to_string(type));
        }
        out_ += '}';
    }

private:
    void polygon(const GEOSGeometry* geometry) {
        out_ += '[';
        sequence(GEOSGeom_getCoordSeq_r(handle_, GEOSGetExteriorRing_r(handle_, geometry)), true);
        for (int i = 0; i < GEOSGetNumInteriorRings_r(handle_, geometry); ++i) {
            out_ += ',';
            sequence(GEOSGeom_getCoordSeq_r(handle_, GEOSGetInteriorRingN_r(handle_, geometry, i)), true);
        }
        out_ += ']';
    }
    /// A position, or with `many` an array of positions.
    void sequence(const GEOSCoordSequence* coordinates, bool many) {
        unsigned int size = 0;
        GEOSCoordSeq_getSize_r(handle_, coordinates, &size);
        if (many) out_ += '[';
        for (unsigned int i = 0; i < size; ++i) {
            double x = 0, y = 0;
            GEOSCoordSeq_getXY_r(handle_, coordinates, i, &x, &y);
            if (transform_ != nullptr) {
                const geo::Point p = transform_->transform({x, y});
                x = p.x;
                y = p.y;
            }
            if (i > 0) out_ += ',';
            out_ += '[';
            append_coordinate(out_, x, decimals_);
            out_ += ',';
            append_coordinate(out_, y, decimals_);
            out_ += ']';
        }
        if (many) out_ += ']';
    }

    GEOSContextHandle_t handle_;
    std::string& out_;
    int decimals_;
    const geo::CrsTransform* transform_;
};

}  // namespace

std::shared_ptr<const CollectionFeatures> collection_features(const ServiceState& state, const CollectionInfo& info) {
    auto out = std::make_shared<CollectionFeatures>();
    geo::LayerFeatures layer = geo::layer_features(*info.schema, *state.dataset, state.plan);
    out->features.reserve(layer.features.size());
    for (geo::LayerFeature& feature : layer.features) {
        CachedFeature& cached = out->features.emplace_back();
        cached.id = std::move(feature.id);
        cached.geometry = feature.geometry;
        append_properties(cached.properties, *info.schema, feature.values, &cached.values);
        cached.fields = std::move(feature.values);
    }
    out->owned = std::move(layer.owned);
    return out;
}

std::string value_text(const geo::FieldValue& value) {
    if (geo::is_null(value)) return {};
    if (const auto* text = std::get_if<std::string>(&value)) return *text;
    if (const auto* integer = std::get_if<std::int64_t>(&value)) return std::to_string(*integer);
    if (const auto* real = std::get_if<double>(&value)) return number_text(*real);
    return std::get<bool>(value) ? "true" : "false";
}

void append_json_value(std::string& out, const geo::FieldValue& value) {
    if (geo::is_null(value)) {
        out += "null";
    } else if (const auto* text = std::get_if<std::string>(&value)) {
        append_escaped(out, *text);
    } else {
        out += value_text(value);
    }
}

void append_properties(std::string& out, const geo::LayerSchema& schema, const std::vector<geo::FieldValue>& values,
                       std::vector<std::string>* texts) {
    std::vector<std::string> ignored;
    std::vector<std::string>& kept = texts != nullptr ? *texts : ignored;
    out += '{';
    for (std::size_t i = 0; i < schema.fields.size() && i < values.size(); ++i) {
        if (i > 0) out += ',';
        append_escaped(out, schema.fields[i].name);
        out += ':';
        append_json_value(out, values[i]);
        kept.push_back(value_text(values[i]));
    }
    out += '}';
}

std::shared_ptr<const CachedCollection> collection_in_crs(const ServiceState& state, const CollectionInfo& info,
                                                          std::shared_ptr<const CollectionFeatures> base, const ServedCrs& crs,
                                                          std::size_t json_budget) {
    auto out = std::make_shared<CachedCollection>();
    out->info = &info;
    out->crs = &crs;
    out->base = std::move(base);
    const geo::CrsTransform to_crs(state.dataset->working_crs, std::string(crs.proj));
    geo::GeosContext context;
    out->boxes.reserve(out->base->features.size());
    for (const CachedFeature& feature : out->base->features) {
        geo::Envelope& box = out->boxes.emplace_back();
        if (feature.geometry != nullptr) {
            const geo::Geometry projected = geo::transform_geometry(context, feature.geometry, to_crs);
            if (GEOSisEmpty_r(context.handle(), projected.get()) == 0) box = geo::envelope_of(context, projected.get());
        }
        out->extent.expand(box);
    }
    // An estimate first (a coordinate pair takes about twice its decimals plus 12 characters), so
    // that a collection too large for the budget is never written whole.
    std::size_t estimate = 0;
    for (const CachedFeature& feature : out->base->features) {
        const int coordinates = feature.geometry != nullptr ? GEOSGetNumCoordinates_r(context.handle(), feature.geometry) : 0;
        estimate += 64 + feature.id.size() + feature.properties.size() +
                    static_cast<std::size_t>(std::max(coordinates, 0)) * static_cast<std::size_t>(2 * crs.decimals + 12);
    }
    if (estimate <= json_budget) {
        out->json.reserve(out->base->features.size());
        for (const CachedFeature& feature : out->base->features) append_feature(out->json.emplace_back(), context.handle(), feature, to_crs, crs.decimals);
    }
    return out;
}

void append_feature(std::string& out, GEOSContextHandle_t handle, const CachedFeature& feature, const geo::CrsTransform& to_crs,
                    int decimals, bool close) {
    out += R"({"type":"Feature","id":)";
    append_escaped(out, feature.id);
    out += R"(,"geometry":)";
    write_geojson_geometry(handle, feature.geometry, out, decimals, &to_crs);
    out += R"(,"properties":)";
    out += feature.properties;
    if (close) out += '}';
}

namespace {

/// The idle transformations, by (from, to); a few of each are kept.
struct TransformShelf {
    static constexpr std::size_t kIdlePerPair = 8;
    std::mutex mutex;
    std::map<std::pair<std::string, std::string>, std::vector<std::unique_ptr<geo::CrsTransform>>> idle;
    std::map<const geo::CrsTransform*, std::pair<std::string, std::string>> lent;
};

TransformShelf& shelf() {
    static auto* kept = new TransformShelf;  // never destroyed: leases may end during exit
    return *kept;
}

void give_back(geo::CrsTransform* transform) {
    std::unique_ptr<geo::CrsTransform> owned(transform);
    TransformShelf& s = shelf();
    const std::lock_guard<std::mutex> lock(s.mutex);
    const auto found = s.lent.find(transform);
    if (found == s.lent.end()) return;
    auto& idle = s.idle[found->second];
    s.lent.erase(found);
    if (idle.size() < TransformShelf::kIdlePerPair) idle.push_back(std::move(owned));
}

}  // namespace

TransformLease borrow_transform(const std::string& from, const std::string& to) {
    TransformShelf& s = shelf();
    std::unique_ptr<geo::CrsTransform> transform;
    {
        const std::lock_guard<std::mutex> lock(s.mutex);
        auto& idle = s.idle[{from, to}];
        if (!idle.empty()) {
            transform = std::move(idle.back());
            idle.pop_back();
        }
    }
    if (!transform) transform = std::make_unique<geo::CrsTransform>(from, to);
    const std::lock_guard<std::mutex> lock(s.mutex);
    s.lent.emplace(transform.get(), std::pair(from, to));
    return TransformLease(transform.release(), &give_back);
}

// ---------------------------------------------------------------------------------------------
// Text helpers

void append_escaped(std::string& out, std::string_view text) {
    out += '"';
    for (const char c : text) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    static constexpr char kHex[] = "0123456789abcdef";
                    out += "\\u00";
                    out += kHex[(static_cast<unsigned char>(c) >> 4) & 0xf];
                    out += kHex[static_cast<unsigned char>(c) & 0xf];
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

/// Shortest round-trip text of a finite number.
std::string number_text(double value) {
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

/// A coordinate with 7 decimals (about 1 cm), trailing zeros trimmed.
void append_coordinate(std::string& out, double value) { append_coordinate(out, value, 7); }

void append_coordinate(std::string& out, double value, int decimals) {
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
    char* end = result.ptr;
    while (end > buffer && end[-1] == '0') --end;
    if (end > buffer && end[-1] == '.') --end;
    std::string_view text(buffer, static_cast<std::size_t>(end - buffer));
    if (text == "-0") text = "0";
    out += text;
}

const std::vector<ServedCrs>& served_crss() {
    static const std::vector<ServedCrs> kCrss{
        {"http://www.opengis.net/def/crs/OGC/1.3/CRS84", "OGC:CRS84", 7},
        {"http://www.opengis.net/def/crs/EPSG/0/27700", "EPSG:27700", 2},
        {"http://www.opengis.net/def/crs/EPSG/0/3857", "EPSG:3857", 2},
    };
    return kCrss;
}

namespace {

std::vector<CollectionInfo> collections_of(std::vector<geo::LayerSchema> layers) {
    std::vector<CollectionInfo> out;
    for (geo::LayerSchema& layer : layers) {
        auto schema = std::make_shared<const geo::LayerSchema>(std::move(layer));
        CollectionInfo info{std::string(schema->id), std::string(schema->title), std::string(schema->description), {}, schema};
        for (const geo::FieldSchema& field : schema->fields) info.properties.emplace_back(field.name);
        out.push_back(std::move(info));
    }
    return out;
}

}  // namespace

const std::vector<CollectionInfo>& feature_collections() {
    static const std::vector<CollectionInfo> kCollections = [] {
        std::vector<geo::LayerSchema> layers;
        for (const geo::LayerSchema* layer : geo::output_layers(geo::in_collections)) layers.push_back(*layer);
        return collections_of(std::move(layers));
    }();
    return kCollections;
}

std::vector<CollectionInfo> feature_collections(const geo::Dataset& dataset) {
    return collections_of(geo::dataset_layers(dataset, geo::in_collections));
}

const std::vector<CollectionInfo>& feature_collections(const ServiceState& state) {
    return state.collections ? *state.collections : feature_collections();
}

void write_geojson_geometry(GEOSContextHandle_t handle, const GEOSGeometry* geometry, std::string& out, int decimals,
                            const geo::CrsTransform* transform) {
    GeometryWriter(handle, out, decimals, transform).write(geometry);
}

}  // namespace server
