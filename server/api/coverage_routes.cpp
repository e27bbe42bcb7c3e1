// Coverage endpoints as pure handlers: GET /gaps (the areas meeting the query's gap criteria, paged,
// with a summary per criterion, network and group), GET /gaps/suggestions (where a new practice would
// help the people in those gaps most) and GET /practices/{code}/catchment (a practice's catchment and core
// catchment). GeoJSON is written by hand in CRS84 with 7 decimals; the area geometries /gaps serves
// are reprojected once per state version and reused.
#include "server/api/routes.hpp"
#include "server/api/gaps_query.hpp"
#include "server/api/items_query.hpp"
#include "server/service/feature_collections.hpp"

#include "geo/area_coverage.hpp"
#include "geo/crs.hpp"
#include "geo/site_suggestions.hpp"

#include <chrono>
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

/// The longest a /gaps/suggestions search may take (a what-if per candidate site: 1-3 s on London in a
/// release build): beyond it, 503 SuggestionTimeout rather than a core held for minutes.
constexpr std::chrono::seconds kSuggestionTimeLimit{30};

constexpr std::string_view kGeoJson = "application/geo+json";

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
    Response suggestions(const RouteContext& context) const;
    Response catchment(const RouteContext& context) const;

private:
    /// Each area's geometry as CRS84 GeoJSON text, and its box in CRS84 (for bbox).
    struct AreaGeometries {
        std::vector<std::string> json;
        std::vector<geo::Envelope> boxes;
    };
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
    areas->json.reserve(state.dataset->areas.size());
    for (const geo::Area& area : state.dataset->areas) {
        std::string text;
        writer.write(text, area.geometry.get());
        areas->json.push_back(std::move(text));
        const geo::Envelope box = area.geometry ? geo::envelope_of(context, area.geometry.get()) : geo::Envelope{};
        areas->boxes.push_back(box.is_empty ? box : to_crs84.transform_bounds(box));
    }
    cache_.dataset = state.dataset;
    cache_.areas = areas;
    return areas;
}

/// Areas and people: a summary's row.
struct Tally {
    std::int64_t areas = 0;
    std::int64_t people = 0;
    std::int64_t population = 0;  // of the whole group, for the share

    void add(std::int64_t residents) {
        ++areas;
        people += residents;
    }
};

void append_tally(std::string& body, const Tally& t, bool with_share) {
    body += R"("areas":)";
    body += std::to_string(t.areas);
    body += R"(,"people":)";
    body += std::to_string(t.people);
    if (with_share) {
        body += R"(,"population":)";
        body += std::to_string(t.population);
        body += R"(,"share":)";
        append_number(body, t.population > 0 ? static_cast<double>(t.people) / static_cast<double>(t.population) : 0.0);
    }
}

/// Each area's value of `field`: a field of the areas layer or an attribute of the area source.
std::vector<std::string> group_values(const geo::Dataset& dataset, const geo::Plan& plan, const std::string& field) {
    std::vector<std::string> out(dataset.areas.size());
    if (const int attribute = dataset.area_field(field); attribute >= 0) {
        for (std::size_t a = 0; a < out.size(); ++a) out[a] = dataset.areas[a].attributes[static_cast<std::size_t>(attribute)];
        return out;
    }
    const geo::LayerFeatures areas = geo::layer_features(geo::output_layer("areas"), dataset, plan);
    const std::size_t index = areas.schema->field_index(field);
    for (std::size_t a = 0; a < out.size() && a < areas.features.size(); ++a) {
        const geo::FieldValue& v = areas.features[a].values[index];
        if (const auto* text = std::get_if<std::string>(&v)) {
            out[a] = *text;
        } else if (const auto* whole = std::get_if<std::int64_t>(&v)) {
            out[a] = std::to_string(*whole);
        } else if (const auto* real = std::get_if<double>(&v)) {
            out[a] = std::isfinite(*real) ? number_text(*real) : std::string();
        } else {
            out[a] = std::get<bool>(v) ? "true" : "false";
        }
    }
    return out;
}

/// The gaps a query selects: areas meeting its criteria, in its box, with enough residents.
struct GapSelection {
    std::vector<std::uint32_t> areas;  // ascending
    std::vector<unsigned> met;         // per selected area: the criteria it meets
    geo::GapRule rule;
};

GapSelection select_gaps(const geo::Dataset& dataset, const geo::Plan& plan, const GapsQuery& query, const std::vector<geo::Envelope>* boxes) {
    std::vector<double> accessibility(dataset.areas.size(), 0);
    std::vector<std::int64_t> population(dataset.areas.size(), 0);
    for (std::size_t a = 0; a < dataset.areas.size(); ++a) {
        population[a] = std::max<std::int64_t>(dataset.areas[a].population, 0);
        if (a < plan.coverage.size()) accessibility[a] = plan.coverage[a].accessibility;
    }
    GapSelection out{{}, {}, geo::GapRule(query.criteria, query.use, accessibility, population, !dataset.travel_times.empty())};
    for (std::uint32_t a = 0; a < dataset.areas.size() && a < plan.coverage.size(); ++a) {
        const unsigned met = out.rule.judge(geo::gap_facts(plan, a));
        if (met == 0 || static_cast<double>(dataset.areas[a].population) < query.min_population) continue;
        if (query.has_bbox && boxes != nullptr) {
            const geo::Envelope& b = (*boxes)[a];
            if (b.is_empty || b.max_x < query.bbox[0] || b.min_x > query.bbox[2] || b.max_y < query.bbox[1] || b.min_y > query.bbox[3]) continue;
        }
        out.areas.push_back(a);
        out.met.push_back(met);
    }
    return out;
}

/// The summary of a selection: totals, per criterion, per network and per group.
std::string gaps_summary(const geo::Dataset& dataset, const geo::Plan& plan, const GapsQuery& query, const GapSelection& selection) {
    const std::vector<std::string> groups = group_values(dataset, plan, query.group_by);
    Tally all;
    for (const geo::Area& area : dataset.areas) all.population += std::max<std::int64_t>(area.population, 0);
    std::map<std::string, Tally> by_group;
    for (std::size_t a = 0; a < dataset.areas.size(); ++a) by_group[groups[a]].population += std::max<std::int64_t>(dataset.areas[a].population, 0);
    std::map<std::int32_t, Tally> by_network;  // -1: outside every network
    std::map<unsigned, Tally> by_criterion;
    for (std::size_t k = 0; k < selection.areas.size(); ++k) {
        const std::uint32_t a = selection.areas[k];
        const std::int64_t residents = dataset.areas[a].population;
        all.add(residents);
        by_group[groups[a]].add(residents);
        const std::int32_t network = plan.areas[a].network;
        by_network[network >= 0 && static_cast<std::size_t>(network) < plan.networks.size() ? network : -1].add(residents);
        for (unsigned flag = 1; flag <= geo::gap_accessibility; flag <<= 1) {
            if ((selection.met[k] & flag) != 0) by_criterion[flag].add(residents);
        }
    }
    const geo::GapCriteria& c = query.criteria;
    std::string body = R"({"criteria":[)";
    bool first = true;
    for (unsigned flag = 1; flag <= geo::gap_accessibility; flag <<= 1) {
        if ((selection.rule.in_use() & flag) == 0) continue;
        if (!first) body += ',';
        first = false;
        append_escaped(body, geo::gap_criteria_text(flag));
    }
    body += R"(],"thresholds":{"urban_distance_m":)";
    append_number(body, c.urban_distance_m);
    body += R"(,"rural_distance_m":)";
    append_number(body, c.rural_distance_m);
    body += R"(,"rural":)";
    if (c.rural_field.empty()) {
        body += R"({"density_below":)";
        append_number(body, c.rural_density);
        body += '}';
    } else {
        body += R"({"field":)";
        append_escaped(body, c.rural_field);
        body += '}';
    }
    body += R"(,"max_minutes":)";
    append_number(body, (selection.rule.in_use() & geo::gap_travel_time) != 0 ? c.max_minutes : std::nan(""));
    body += R"(,"min_accessibility":)";
    append_number(body, c.min_accessibility > 0 ? c.min_accessibility : std::nan(""));
    body += R"(,"accessibility_percentile":)";
    append_number(body, c.accessibility_percentile > 0 ? c.accessibility_percentile : std::nan(""));
    body += R"(,"accessibility_cut":)";
    append_number(body, selection.rule.accessibility_cut());
    body += R"(},"min_population":)";
    append_number(body, query.min_population);
    body += ',';
    append_tally(body, all, true);
    body += R"(,"by_criterion":[)";
    first = true;
    for (const auto& [flag, t] : by_criterion) {
        if (!first) body += ',';
        first = false;
        body += R"({"criterion":)";
        append_escaped(body, geo::gap_criteria_text(flag));
        body += ',';
        append_tally(body, t, false);
        body += '}';
    }
    body += R"(],"by_network":[)";
    first = true;
    const auto add_network = [&](std::int32_t key, const Tally& t) {
        if (!first) body += ',';
        first = false;
        body += R"({"network_id":)";
        if (key < 0) {
            body += "null";
        } else {
            append_escaped(body, plan.networks[static_cast<std::size_t>(key)].id);
        }
        body += ',';
        append_tally(body, t, false);
        body += '}';
    };
    for (const auto& [key, t] : by_network) {
        if (key >= 0) add_network(key, t);
    }
    if (const auto outside = by_network.find(-1); outside != by_network.end()) add_network(-1, outside->second);
    body += R"(],"group_by":)";
    append_escaped(body, query.group_by);
    body += R"(,"by_group":[)";
    first = true;
    for (const auto& [group, t] : by_group) {
        if (t.areas == 0) continue;  // only groups with gaps
        if (!first) body += ',';
        first = false;
        body += R"({"group":)";
        if (group.empty()) {
            body += "null";
        } else {
            append_escaped(body, group);
        }
        body += ',';
        append_tally(body, t, true);
        body += '}';
    }
    body += "]}";
    return body;
}

/// The request's URL with its own parameters, paged at `offset` when `paging`.
std::string page_url(const RouteContext& context, std::string_view path, const GapsQuery& query, std::int64_t offset) {
    std::string url = base_url(context);
    url += path;
    std::string q;
    for (const auto& [name, value] : context.query) {
        if (name == "limit" || name == "offset") continue;
        q += q.empty() ? '?' : '&';
        q += percent_encode(name);
        q += '=';
        q += percent_encode(value);
    }
    if (query.limited) {
        q += q.empty() ? '?' : '&';
        q += "limit=";
        q += std::to_string(query.limit);
        q += "&offset=";
        q += std::to_string(offset);
    }
    return url + q;
}

Response CoverageHandlers::gaps(const RouteContext& context) const {
    const auto current = state_for(service_, context);
    const geo::Plan& plan = current->plan;
    const geo::Dataset& dataset = *current->dataset;
    const GapsQuery query = parse_gaps_query(context, dataset, plan, false);
    context.needs_worker();  // every area is looked at and written: CPU work, not for an I/O thread
    const auto geometries = area_geometries(*current);
    const GapSelection selection = select_gaps(dataset, plan, query, &geometries->boxes);

    const geo::LayerSchema& gaps_layer = geo::output_layer("gaps");
    const auto matched = static_cast<std::int64_t>(selection.areas.size());
    const std::int64_t begin = std::min(query.offset, matched);
    const std::int64_t end = matched - begin > query.limit ? begin + query.limit : matched;
    std::string body = R"({"type":"FeatureCollection","name":"gaps","features":[)";
    for (std::int64_t k = begin; k < end; ++k) {
        const std::uint32_t a = selection.areas[static_cast<std::size_t>(k)];
        const unsigned met = selection.met[static_cast<std::size_t>(k)];
        // The gaps layer's fields, with this query's criteria and reason.
        const geo::LayerFeature gap = geo::gap_feature(dataset, plan, a, met, selection.rule.reason(geo::gap_facts(plan, a), met));
        if (k > begin) body += ',';
        body += R"({"type":"Feature","id":)";
        append_escaped(body, gap.id);
        body += R"(,"geometry":)";
        body += geometries->json[a];
        body += R"(,"properties":)";
        append_properties(body, gaps_layer, gap.values);
        body += '}';
    }
    body += R"(],"numberMatched":)";
    body += std::to_string(matched);
    body += R"(,"numberReturned":)";
    body += std::to_string(end - begin);
    const std::string path = "/gaps";  // base_url() holds /plans/{plan} on a plan's route
    body += R"(,"links":[)";
    append_link(body, page_url(context, path, query, begin), "self", kGeoJson);
    if (query.limited && end < matched) {
        body += ',';
        append_link(body, page_url(context, path, query, end), "next", kGeoJson);
    }
    if (query.limited && begin > 0) {
        body += ',';
        append_link(body, page_url(context, path, query, std::max<std::int64_t>(0, begin - query.limit)), "prev", kGeoJson);
    }
    body += R"(],"summary":)";
    body += gaps_summary(dataset, plan, query, selection);
    body += '}';
    return geojson_response(context.request, std::move(body));
}

Response CoverageHandlers::suggestions(const RouteContext& context) const {
    const auto current = state_for(service_, context);
    const geo::Plan& plan = current->plan;
    const geo::Dataset& dataset = *current->dataset;
    const GapsQuery query = parse_gaps_query(context, dataset, plan, true);
    if (query.has_bbox || query.limited) invalid_parameter(query.has_bbox ? "bbox" : "limit", "not taken by /gaps/suggestions (use count)");
    context.needs_worker();  // a what-if per candidate site: CPU work
    const GapSelection selection = select_gaps(dataset, plan, query, nullptr);
    std::vector<bool> gap(dataset.areas.size(), false);
    for (const std::uint32_t a : selection.areas) gap[a] = true;
    geo::SuggestionOptions options;
    options.count = query.count;
    options.list_size = query.list_size;
    options.min_spacing_m = query.min_spacing_m;
    options.checkpoint = work_checkpoint(context, "search", kSuggestionTimeLimit, "SuggestionTimeout",
                                         "ask for fewer sites, a smaller list_size or a stricter gap criterion");
    const std::vector<geo::SiteSuggestion> sites = geo::suggest_sites(dataset, plan, gap, options);
    const std::int64_t list_size = geo::suggestion_list_size(dataset, plan, options);
    const geo::LayerFeatures features = geo::suggestion_features(dataset, sites, list_size);

    geo::GeosContext geos;
    const TransformLease to_crs84 = borrow_transform(dataset.working_crs, "OGC:CRS84");
    GeometryWriter writer(geos, *to_crs84);
    std::string body = R"({"type":"FeatureCollection","name":"gap_suggestions","features":[)";
    for (std::size_t i = 0; i < features.features.size(); ++i) {
        if (i > 0) body += ',';
        body += R"({"type":"Feature","id":)";
        append_escaped(body, features.features[i].id);
        body += R"(,"geometry":)";
        writer.write(body, features.features[i].geometry);
        body += R"(,"properties":)";
        append_properties(body, *features.schema, features.features[i].values);
        body += '}';
    }
    body += R"(],"numberReturned":)";
    body += std::to_string(features.features.size());
    body += R"(,"summary":)";
    body += gaps_summary(dataset, plan, query, selection);
    body += '}';
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
    add_plan_scoped(router, "/gaps/suggestions", "gap_suggestions", [handlers](const RouteContext& context) { return handlers->suggestions(context); });
    add_plan_scoped(router, "/practices/{code}/catchment", "practice_catchment",
                    [handlers](const RouteContext& context) { return handlers->catchment(context); });
}

}  // namespace server
