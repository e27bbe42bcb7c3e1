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

/// Collects one feature's properties as JSON and as filter text, in the collection's order.
class FeatureBuilder {
public:
    FeatureBuilder(const CollectionInfo& info, std::string id) : info_(info) {
        feature_.id = std::move(id);
        properties_.push_back('{');  // push_back, not = "{": GCC 12 warns falsely (-Wrestrict) on the latter
    }
    FeatureBuilder& text(std::string_view value) {
        key();
        append_escaped(properties_, value);
        feature_.values.emplace_back(value);
        return *this;
    }
    FeatureBuilder& integer(std::int64_t value) {
        key();
        const std::string text = std::to_string(value);
        properties_ += text;
        feature_.values.push_back(text);
        return *this;
    }
    FeatureBuilder& real(double value) {
        key();
        if (std::isfinite(value)) {
            const std::string text = number_text(value);
            properties_ += text;
            feature_.values.push_back(text);
        } else {
            properties_ += "null";
            feature_.values.emplace_back();
        }
        return *this;
    }
    FeatureBuilder& boolean(bool value) {
        key();
        properties_ += value ? "true" : "false";
        feature_.values.emplace_back(value ? "true" : "false");
        return *this;
    }

    /// The finished feature; `geometry` is in the working CRS (or null).
    CachedFeature finish(const GEOSGeometry* geometry) {
        if (feature_.values.size() != info_.properties.size()) {
            throw std::logic_error("features: wrong property count for " + info_.id);
        }
        properties_ += '}';
        feature_.properties = std::move(properties_);
        feature_.geometry = geometry;
        return std::move(feature_);
    }

private:
    void key() {
        const std::size_t n = feature_.values.size();
        if (n >= info_.properties.size()) throw std::logic_error("features: too many properties for " + info_.id);
        if (n > 0) properties_ += ',';
        append_escaped(properties_, info_.properties[n]);
        properties_ += ':';
    }

    const CollectionInfo& info_;
    CachedFeature feature_;
    std::string properties_;
};

/// Resolves plan indices, tolerating -1 (none).
struct Names {
    const geo::Dataset& dataset;
    const geo::Plan& plan;
    std::string practice(std::int64_t index) const {
        return index >= 0 && static_cast<std::size_t>(index) < dataset.practices.size()
                   ? dataset.practices[static_cast<std::size_t>(index)].code
                   : std::string();
    }
    const geo::Network* network(std::int64_t index) const {
        return index >= 0 && static_cast<std::size_t>(index) < plan.networks.size() ? &plan.networks[static_cast<std::size_t>(index)]
                                                                                      : nullptr;
    }
    std::string network_id(std::int64_t index) const {
        const geo::Network* found = network(index);
        return found != nullptr ? found->id : std::string();
    }
};

}  // namespace

std::shared_ptr<const CollectionFeatures> collection_features(const ServiceState& state, const CollectionInfo& info) {
    auto out = std::make_shared<CollectionFeatures>();
    geo::GeosContext context;  // makes the practices' points; they do not need it afterwards (geo::destroying_context)
    const geo::Dataset& dataset = *state.dataset;
    const geo::Plan& plan = state.plan;
    const Names names{dataset, plan};
    auto add = [&](FeatureBuilder& builder, const GEOSGeometry* geometry) { out->features.push_back(builder.finish(geometry)); };
    auto area_at = [&](std::size_t i) -> const geo::AreaPlan* { return i < plan.areas.size() ? &plan.areas[i] : nullptr; };
    auto coverage_at = [&](std::size_t i) -> const geo::AreaCoverage* {
        return i < plan.coverage.size() ? &plan.coverage[i] : nullptr;
    };
    static const geo::AreaPlan kNoPlan{};
    static const geo::AreaCoverage kNoCoverage{};

    if (info.id == "practices") {
        std::vector<std::int64_t> dominated(dataset.practices.size(), 0);
        for (const geo::AreaPlan& area : plan.areas) {
            if (area.dominant_practice >= 0 && static_cast<std::size_t>(area.dominant_practice) < dominated.size()) {
                ++dominated[static_cast<std::size_t>(area.dominant_practice)];
            }
        }
        for (std::size_t i = 0; i < dataset.practices.size(); ++i) {
            const geo::Practice& practice = dataset.practices[i];
            const std::int32_t network_index = i < plan.practice_network.size() ? plan.practice_network[i] : -1;
            const geo::Network* network = names.network(network_index);
            FeatureBuilder builder(info, practice.code);
            builder.text(practice.code)
                .text(practice.name)
                .integer(practice.list_size)
                .text(network ? network->id : std::string())
                .text(network ? network->name : std::string())
                .text(network ? std::string(geo::to_string(network->metrics.status)) : std::string())
                .text(practice.reference_network)
                .integer(dominated[i])
                .boolean(network_index == -1)
                .text(i < plan.practice_baseline.size() ? plan.practice_baseline[i] : std::string())
                .boolean(i < plan.practice_moved.size() && plan.practice_moved[i]);
            out->owned.push_back(geo::make_point(context, practice.location.x, practice.location.y));
            add(builder, out->owned.back().get());
        }
    } else if (info.id == "areas" || info.id == "gaps") {
        const bool gaps = info.id == "gaps";
        for (std::size_t i = 0; i < dataset.areas.size(); ++i) {
            const geo::Area& area = dataset.areas[i];
            const geo::AreaPlan& placed = area_at(i) != nullptr ? *area_at(i) : kNoPlan;
            const geo::AreaCoverage& coverage = coverage_at(i) != nullptr ? *coverage_at(i) : kNoCoverage;
            if (gaps && !coverage.gap) continue;
            FeatureBuilder builder(info, area.code);
            if (gaps) {
                builder.text(area.code)
                    .text(area.name)
                    .integer(area.population)
                    .text(names.network_id(placed.network))
                    .real(coverage.nearest_practice_m)
                    .text(coverage.gap_reason);
            } else {
                builder.text(area.code)
                    .text(area.name)
                    .integer(area.population)
                    .text(names.practice(placed.dominant_practice))
                    .boolean(placed.dominated_externally)
                    .text(names.practice(placed.owner))
                    .text(names.network_id(placed.network))
                    .text(names.network_id(placed.dominant_network))
                    .text(names.practice(coverage.nearest_practice))
                    .real(coverage.nearest_practice_m)
                    .real(coverage.hub_m)
                    .real(coverage.registered_to_resident)
                    .real(coverage.residents_per_practice)
                    .boolean(coverage.gap)
                    .text(coverage.gap_reason);
            }
            add(builder, area.geometry.get());
        }
    } else if (info.id == "catchments") {
        const std::string method(geo::to_string(plan.options.method));
        for (const geo::Catchment& catchment : plan.catchments) {
            const std::string code = names.practice(catchment.practice);
            const std::string name =
                catchment.practice < dataset.practices.size() ? dataset.practices[catchment.practice].name : std::string();
            FeatureBuilder builder(info, code);
            builder.text(code)
                .text(name)
                .text(method)
                .integer(static_cast<std::int64_t>(catchment.areas.size()))
                .integer(catchment.population)
                .integer(catchment.registered)
                .real(catchment.share);
            add(builder, catchment.polygon.get());
        }
    } else if (info.id == "networks") {
        for (const geo::Network& network : plan.networks) {
            std::string codes;
            for (const std::uint32_t member : network.practices) {
                if (!codes.empty()) codes += ',';
                codes += names.practice(member);
            }
            const geo::NetworkMetrics& m = network.metrics;
            FeatureBuilder builder(info, network.id);
            builder.text(network.id)
                .text(network.name)
                .text(codes)
                .integer(static_cast<std::int64_t>(network.practices.size()))
                .text(network.practices.empty() ? std::string() : names.practice(network.hub))
                .integer(m.list_size)
                .integer(m.population)
                .integer(m.registered_inside)
                .real(m.territory_share)
                .integer(m.dominant_patients)
                .real(m.cohesion)
                .real(m.area_km2)
                .real(m.perimeter_km)
                .real(m.polsby_popper)
                .real(m.residents_per_practice)
                .integer(m.people_in_gaps)
                .text(geo::to_string(m.status))
                .text(geo::to_string(network.band_cause))
                .text(network.status_reason)
                .boolean(m.contiguous)
                .boolean(network.locked)
                .text(network.constraint_value)
                .text(network.baseline_change);
            add(builder, network.polygon.get());
        }
    } else if (info.id == "network_borders") {
        for (const geo::NetworkBorder& border : plan.borders) {
            const std::string a = names.network_id(border.network_a);
            const std::string b = names.network_id(border.network_b);
            std::string id = a;
            id += '-';
            id += b;
            FeatureBuilder builder(info, id);
            builder.text(a).text(b).real(border.length_m);
            add(builder, border.line.get());
        }
    }
    return out;
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
            const geo::Geometry projected = geo::adopt(context,
                                                       GEOSGeom_transformXY_r(context.handle(), feature.geometry, transform_callback,
                                                                              const_cast<geo::CrsTransform*>(&to_crs)),
                                                       "reprojecting a feature");
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

const std::vector<CollectionInfo>& feature_collections() {
    static const std::vector<CollectionInfo> kCollections{
        {"practices", "GP practices",
         "GP practice locations with their list sizes and the network each was placed in",
         {"practice_code", "practice_name", "list_size", "network_id", "network_name", "network_status", "reference_network",
          "dominant_areas", "excluded", "baseline_network", "moved"}},
        {"areas", "Small areas",
         "Small areas (LSOAs) with population, dominant and owning practice, network and coverage measures",
         {"area_code", "area_name", "population", "dominant_practice", "dominated_externally", "owner_practice", "network_id",
          "dominant_network", "nearest_practice", "nearest_practice_m", "hub_m", "registered_to_resident", "residents_per_practice", "gap",
          "gap_reason"}},
        {"catchments", "Practice catchments", "Each practice's catchment: the union of the areas it serves",
         {"practice_code", "practice_name", "method", "area_count", "population", "registered", "share"}},
        {"networks", "Primary care networks", "Planned networks with their territories and quality measures",
         {"network_id", "network_name", "practice_codes", "practice_count", "hub_practice", "list_size", "population",
          "registered_inside", "territory_share", "dominant_patients", "cohesion", "area_km2", "perimeter_km", "polsby_popper",
          "residents_per_practice", "people_in_gaps", "status", "band_cause", "status_reason", "contiguous", "locked",
          "constraint_value", "baseline_change"}},
        {"network_borders", "Network borders", "The lines where two networks' territories meet",
         {"network_a", "network_b", "length_m"}},
        {"gaps", "Coverage gaps", "Areas far from every practice or outside every network",
         {"area_code", "area_name", "population", "network_id", "nearest_practice_m", "gap_reason"}},
    };
    return kCollections;
}


int transform_callback(double* x, double* y, void* user) {
    try {
        const geo::Point p = static_cast<const geo::CrsTransform*>(user)->transform({*x, *y});
        *x = p.x;
        *y = p.y;
        return 1;
    } catch (...) {
        return 0;  // GEOS then reports the transform as failed
    }
}

void write_geojson_geometry(GEOSContextHandle_t handle, const GEOSGeometry* geometry, std::string& out, int decimals,
                            const geo::CrsTransform* transform) {
    GeometryWriter(handle, out, decimals, transform).write(geometry);
}

}  // namespace server
