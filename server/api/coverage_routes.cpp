// Coverage endpoints as pure handlers: GET /gaps (areas far from every practice or outside every
// network, with a summary) and GET /practices/{code}/catchment (a practice's catchment and core
// catchment). GeoJSON is written by hand in CRS84 with 7 decimals; the area geometries /gaps serves
// are reprojected once per state version and reused.
#include "server/api/routes.hpp"
#include "server/service/feature_collections.hpp"

#include "geo/crs.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace server {

namespace {

constexpr std::string_view kGeoJson = "application/geo+json";

/// A finite, non-negative number.
double parse_distance(const std::string& name, const std::string& text) {
    double value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size() || !std::isfinite(value)) {
        std::string why = "expected a number, got '";
        why += text;
        why += '\'';
        invalid_parameter(name, why);
    }
    if (value < 0) {
        std::string why = "must not be negative, got ";
        why += text;
        invalid_parameter(name, why);
    }
    return value;
}

Response geojson_response(const Request& request, std::string body) {
    return text_response(request, http::status::ok, std::move(body), kGeoJson);
}

void append_number(std::string& out, double value) {
    if (std::isfinite(value)) {
        out += number_text(value);
    } else {
        out += "null";
    }
}

/// Writes a GEOS geometry in the working CRS as CRS84 GeoJSON with the feature collections' writer
/// (polygons as MultiPolygon); "null" for no geometry.
class GeometryWriter {
public:
    GeometryWriter(geo::GeosContext& context, const geo::CrsTransform& to_crs84) : context_(context), to_crs84_(to_crs84) {}

    void write(std::string& out, const GEOSGeometry* source) {
        write_geojson_geometry(context_.handle(), source, out, kCrs84Decimals, &to_crs84_);
    }

private:
    static constexpr int kCrs84Decimals = 7;
    geo::GeosContext& context_;
    const geo::CrsTransform& to_crs84_;
};

class CoverageHandlers {
public:
    explicit CoverageHandlers(const Service& service) : service_(service) {}

    Response gaps(const RouteContext& context) const;
    Response catchment(const RouteContext& context) const;

private:
    /// Each area's geometry as CRS84 GeoJSON text.
    using AreaGeometries = std::vector<std::string>;
    /// Keyed by the dataset, which stored plans may share with the default plan.
    struct Cache {
        std::weak_ptr<const geo::Dataset> dataset;
        std::shared_ptr<const AreaGeometries> areas;
    };
    std::shared_ptr<const AreaGeometries> area_geometries(const ServiceState& state) const;

    const Service& service_;
    mutable std::mutex mutex_;
    mutable Cache cache_;
};

std::shared_ptr<const CoverageHandlers::AreaGeometries> CoverageHandlers::area_geometries(const ServiceState& state) const {
    std::lock_guard<std::mutex> lock(mutex_);  // held while building: only workers come here (see gaps)
    if (cache_.areas && cache_.dataset.lock() == state.dataset) return cache_.areas;
    geo::GeosContext context;
    const geo::CrsTransform to_crs84(state.dataset->working_crs, "OGC:CRS84");
    GeometryWriter writer(context, to_crs84);
    auto areas = std::make_shared<AreaGeometries>();
    areas->reserve(state.dataset->areas.size());
    for (const geo::Area& area : state.dataset->areas) {
        std::string text;
        writer.write(text, area.geometry.get());
        areas->push_back(std::move(text));
    }
    cache_.dataset = state.dataset;
    cache_.areas = areas;
    return areas;
}

Response CoverageHandlers::gaps(const RouteContext& context) const {
    bool has_max = false;
    double max_distance = 0;
    double min_population = 0;
    for (const auto& [name, value] : context.query) {
        if (name == "max_distance_m") {
            max_distance = parse_distance(name, value);
            has_max = true;
        } else if (name == "min_population") {
            min_population = parse_distance(name, value);
        } else {
            invalid_parameter(name, "unknown query parameter (expected max_distance_m or min_population)");
        }
    }
    const auto current = state_for(service_, context);
    context.needs_worker();  // every area is looked at and written: CPU work, not for an I/O thread
    const geo::Dataset& dataset = *current->dataset;
    const geo::Plan& plan = current->plan;
    if (!has_max) max_distance = plan.options.gap_distance_m;
    const auto geometries = area_geometries(*current);

    struct Totals {
        std::int64_t areas = 0;
        std::int64_t people = 0;
    };
    Totals all;
    std::map<std::int32_t, Totals> by_network;  // -1: outside every network

    const geo::LayerSchema& gaps_layer = geo::output_layer("gaps");
    std::string features;
    std::string threshold;
    threshold += "farther than ";
    threshold += number_text(max_distance);
    threshold += " m from any practice";
    for (std::size_t a = 0; a < dataset.areas.size(); ++a) {
        const geo::Area& area = dataset.areas[a];
        const std::int32_t network = a < plan.areas.size() ? plan.areas[a].network : -1;
        const geo::AreaCoverage* coverage = a < plan.coverage.size() ? &plan.coverage[a] : nullptr;
        const double distance = coverage != nullptr ? coverage->nearest_practice_m : 0;
        const bool outside = network < 0 || static_cast<std::size_t>(network) >= plan.networks.size();
        const bool far = distance > max_distance;
        if (!outside && !far) continue;
        if (static_cast<double>(area.population) < min_population) continue;

        const std::int32_t key = outside ? -1 : network;
        ++all.areas;
        all.people += area.population;
        ++by_network[key].areas;
        by_network[key].people += area.population;

        // The gaps layer's fields, with this query's threshold as the reason.
        const geo::LayerFeature gap =
            geo::gap_feature(dataset, plan, a, outside ? std::string("outside every network") : threshold);
        if (!features.empty()) features += ',';
        features += R"({"type":"Feature","id":)";
        append_escaped(features, gap.id);
        features += R"(,"geometry":)";
        features += (*geometries)[a];
        features += R"(,"properties":)";
        append_properties(features, gaps_layer, gap.values);
        features += '}';
    }

    std::string body;
    body += R"({"type":"FeatureCollection","features":[)";
    body += features;
    body += R"(],"numberReturned":)";
    body += std::to_string(all.areas);
    body += R"(,"summary":{"max_distance_m":)";
    append_number(body, max_distance);
    body += R"(,"min_population":)";
    append_number(body, min_population);
    body += R"(,"areas":)";
    body += std::to_string(all.areas);
    body += R"(,"people":)";
    body += std::to_string(all.people);
    body += R"(,"by_network":[)";
    bool first = true;
    auto add_network = [&](std::int32_t key, const Totals& totals) {
        if (!first) body += ',';
        first = false;
        body += R"({"network_id":)";
        if (key < 0) {
            body += "null";
        } else {
            append_escaped(body, plan.networks[static_cast<std::size_t>(key)].id);
        }
        body += R"(,"areas":)";
        body += std::to_string(totals.areas);
        body += R"(,"people":)";
        body += std::to_string(totals.people);
        body += '}';
    };
    for (const auto& [key, totals] : by_network) {
        if (key >= 0) add_network(key, totals);
    }
    if (const auto outside = by_network.find(-1); outside != by_network.end()) add_network(-1, outside->second);
    body += "]}}";
    return geojson_response(context.request, std::move(body));
}

Response CoverageHandlers::catchment(const RouteContext& context) const {
    for (const auto& [name, value] : context.query) {
        if (name != "f" || (value != "json" && value != "geojson")) {
            invalid_parameter(name, "unknown or unsupported query parameter");
        }
    }
    const auto found = context.path.find("code");
    const std::string code = found != context.path.end() ? found->second : std::string();
    const auto current = state_for(service_, context);
    context.needs_worker();  // the catchment is reprojected and written: CPU work, not for an I/O thread
    const geo::Dataset& dataset = *current->dataset;
    const geo::Plan& plan = current->plan;

    std::size_t practice = dataset.practices.size();
    for (std::size_t i = 0; i < dataset.practices.size(); ++i) {
        if (dataset.practices[i].code == code) {
            practice = i;
            break;
        }
    }
    if (practice == dataset.practices.size()) {
        std::string message = "no practice '";
        message += code;
        message += '\'';
        throw HttpError(http::status::not_found, "NotFound", message);
    }
    auto find = [practice](const std::vector<geo::Catchment>& list) -> const geo::Catchment* {
        for (const geo::Catchment& c : list) {
            if (c.practice == practice) return &c;
        }
        return nullptr;
    };
    const geo::LayerSchema& catchments_layer = geo::output_layer("catchments");

    geo::GeosContext geos;
    const TransformLease to_crs84 = borrow_transform(dataset.working_crs, "OGC:CRS84");
    GeometryWriter writer(geos, *to_crs84);

    std::string body;
    body += R"({"type":"FeatureCollection","features":[)";
    std::size_t returned = 0;
    auto add = [&](const geo::Catchment& c, std::string_view kind) {
        if (returned > 0) body += ',';
        ++returned;
        std::string id = code;
        id += '-';
        id += kind;
        body += R"({"type":"Feature","id":)";
        append_escaped(body, id);
        body += R"(,"geometry":)";
        writer.write(body, c.polygon.get());
        // The catchments layer's fields, then which of the two this is.
        std::string properties;
        append_properties(properties, catchments_layer, geo::catchment_feature(dataset, plan, c).values);
        properties.pop_back();
        properties += R"(,"kind":)";
        append_escaped(properties, kind);
        body += R"(,"properties":)";
        body += properties;
        body += "}}";
    };
    if (const geo::Catchment* c = find(plan.catchments)) add(*c, "catchment");
    if (!plan.core_catchments.empty()) {
        if (const geo::Catchment* c = find(plan.core_catchments)) add(*c, "core");
    }
    body += R"(],"numberReturned":)";
    body += std::to_string(returned);
    body += '}';
    return geojson_response(context.request, std::move(body));
}

}  // namespace

void add_coverage_routes(Router& router, const Service& service) {
    auto handlers = std::make_shared<CoverageHandlers>(service);
    add_plan_scoped(router, "/gaps", "gaps", [handlers](const RouteContext& context) { return handlers->gaps(context); });
    add_plan_scoped(router, "/practices/{code}/catchment", "practice_catchment",
                    [handlers](const RouteContext& context) { return handlers->catchment(context); });
}

}  // namespace server
