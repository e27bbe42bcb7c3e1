#include "server/api/features.hpp"

#include "server/api/cql2.hpp"
#include "server/api/items_query.hpp"
#include "server/api/routes.hpp"
#include "server/service/feature_collections.hpp"

#include "geo/crs.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>
#include <optional>
#include <stdexcept>
#include <system_error>

namespace server {

namespace {

namespace json = boost::json;

constexpr std::string_view kCrs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
constexpr std::string_view kGeoJson = "application/geo+json";
constexpr std::string_view kSchemaJson = "application/schema+json";
constexpr std::string_view kCsv = "text/csv; charset=utf-8";


[[noreturn]] void not_found(const std::string& what) {
    throw HttpError(http::status::not_found, "NotFound", what);
}

// ---------------------------------------------------------------------------------------------
// Items queries

/// The Content-Crs header (OGC API - Features Part 2): the URI in angle brackets.
void set_content_crs(Response& response, std::size_t crs) {
    std::string value(1, '<');
    value += served_crss()[crs].uri;
    value += '>';
    response.set("Content-Crs", value);
}

/// The URI of the dataset's working CRS if it is served, else CRS84.
std::string_view storage_crs(const std::string& working_crs) {
    for (const ServedCrs& crs : served_crss()) {
        if (crs.proj == working_crs || crs.uri == working_crs) return crs.uri;
    }
    return kCrs84;
}

json::object collection_json(const std::string& base, const CachedCollection& collection, const geo::Dataset& dataset) {
    const CollectionInfo& info = *collection.info;
    json::object out;
    out["id"] = info.id;
    out["title"] = info.title;
    out["description"] = info.description;
    if (!dataset.attribution.empty()) out["attribution"] = dataset.attribution;
    if (!collection.extent.is_empty) {  // CRS84: the collections are described from their CRS84 boxes
        const geo::Envelope& e = collection.extent;
        json::object spatial;
        spatial["bbox"] = json::array{json::array{e.min_x, e.min_y, e.max_x, e.max_y}};
        spatial["crs"] = kCrs84;
        out["extent"] = json::object{{"spatial", std::move(spatial)}};
    }
    out["itemType"] = "feature";
    out["crs"] = served_crs_list();
    out["storageCrs"] = storage_crs(dataset.working_crs);
    std::string self = base;
    self += "/collections/";
    self += info.id;
    std::string items = self;
    items += "/items";
    out["links"] = json::array{json_link(self, "self", "application/json", "this collection"),
                               json_link(items, "items", kGeoJson, "the features"),
                               json_link(self + "/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables", kSchemaJson,
                                         "the properties items can be filtered by")};
    return out;
}

/// JSON Schema's name for a field type.
std::string_view json_type(geo::FieldType type) {
    switch (type) {
        case geo::FieldType::text: return "string";
        case geo::FieldType::integer: return "integer";
        case geo::FieldType::real: return "number";
        case geo::FieldType::boolean: return "boolean";
    }
    return "string";
}

/// OGC API - Features Part 3's name for the geometry a layer holds (our lines and polygons are multi).
std::string_view geometry_format(geo::LayerGeometry geometry) {
    switch (geometry) {
        case geo::LayerGeometry::point: return "geometry-point";
        case geo::LayerGeometry::line: return "geometry-multilinestring";
        case geo::LayerGeometry::polygon: return "geometry-multipolygon";
    }
    return "geometry-any";
}

/// How a page writes its features: GeoJSON (all properties, or those `properties` selects) or CSV.
struct PageFormat {
    ItemsQuery::Format format = ItemsQuery::Format::geojson;
    bool selects_properties = false;
    std::vector<std::size_t> properties;  // with selects_properties, else every property
};

/// Appends one CSV field (RFC 4180): quoted when it holds a comma, a quote, a line break or edge spaces.
void append_csv_field(std::string& out, std::string_view text) {
    const bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos ||
                       (!text.empty() && (text.front() == ' ' || text.back() == ' '));
    if (!quote) {
        out += text;
        return;
    }
    out += '"';
    for (const char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

/// A page of items written as it is sent: the features' GeoJSON (or CSV rows), a batch of about 64 kB
/// at a time, each geometry reprojected as it is written. Holds the state, so the geometries outlive a reload.
class FeaturePage : public BodyStream {
public:
    FeaturePage(std::shared_ptr<const ServiceState> state, std::shared_ptr<const CachedCollection> collection,
                std::vector<std::uint32_t> features, std::string tail, PageFormat format)
        : state_(std::move(state)), collection_(std::move(collection)), features_(std::move(features)), tail_(std::move(tail)),
          format_(std::move(format)),
          // Pages copied from a collection's kept GeoJSON need no reprojection.
          to_crs_(copies_json() ? TransformLease(nullptr, nullptr)
                                : borrow_transform(state_->dataset->working_crs, std::string(collection_->crs->proj))) {
        if (!format_.selects_properties) {
            for (std::size_t i = 0; i < collection_->info->properties.size(); ++i) format_.properties.push_back(i);
        }
    }

    bool next(std::string& out) override {
        constexpr std::size_t kPieceBytes = 64 * 1024;
        if (!started_) {
            start(out);
            started_ = true;
        }
        const auto& all = collection_->features();
        while (next_ < features_.size() && out.size() < kPieceBytes) {
            const std::uint32_t feature = features_[next_++];
            if (format_.format == ItemsQuery::Format::csv) {
                append_row(out, all[feature]);
            } else {
                if (next_ > 1) out += ',';
                append_geojson(out, feature);
            }
        }
        if (next_ < features_.size()) return true;
        out += tail_;
        return false;
    }

private:
    bool copies_json() const { return !collection_->json.empty() && !format_.selects_properties && format_.format == ItemsQuery::Format::geojson; }

    void start(std::string& out) const {
        if (format_.format == ItemsQuery::Format::geojson) {
            out += R"({"type":"FeatureCollection","features":[)";
            return;
        }
        // GDAL's CSV driver reads a column named WKT as the geometry.
        out += "id";
        for (const std::size_t p : format_.properties) {
            out += ',';
            append_csv_field(out, collection_->info->properties[p]);
        }
        out += ",WKT\r\n";
    }

    void append_geojson(std::string& out, std::uint32_t feature) {
        if (copies_json()) {
            out += collection_->json[feature];
            return;
        }
        const CachedFeature& f = collection_->features()[feature];
        if (!format_.selects_properties) {
            append_feature(out, geos_.handle(), f, *to_crs_, collection_->crs->decimals);
            return;
        }
        out += R"({"type":"Feature","id":)";
        append_escaped(out, f.id);
        out += R"(,"geometry":)";
        write_geojson_geometry(geos_.handle(), f.geometry, out, collection_->crs->decimals, to_crs_.get());
        out += R"(,"properties":{)";
        for (std::size_t i = 0; i < format_.properties.size(); ++i) {
            const std::size_t p = format_.properties[i];
            if (i > 0) out += ',';
            append_escaped(out, collection_->info->properties[p]);
            out += ':';
            append_json_value(out, f.fields[p]);
        }
        out += "}}";
    }

    void append_row(std::string& out, const CachedFeature& f) {
        append_csv_field(out, f.id);
        for (const std::size_t p : format_.properties) {
            out += ',';
            append_csv_field(out, f.values[p]);  // the filter text: empty for null
        }
        out += ',';
        if (f.geometry != nullptr) {
            const geo::Geometry there = geo::transform_geometry(geos_, f.geometry, *to_crs_);
            append_csv_field(out, geo::to_wkt(geos_, there.get(), collection_->crs->decimals));
        }
        out += "\r\n";
    }

    std::shared_ptr<const ServiceState> state_;
    std::shared_ptr<const CachedCollection> collection_;
    std::vector<std::uint32_t> features_;  // the page's, in order
    std::string tail_;                     // numberMatched and the rest, after the features
    PageFormat format_;
    TransformLease to_crs_;
    geo::GeosContext geos_;
    std::size_t next_ = 0;
    bool started_ = false;
};

/// Orders features by the sortby keys: numbers as numbers, texts by their bytes, nulls last whatever
/// the direction; ties keep the collection's order.
void sort_features(std::vector<std::uint32_t>& matched, const std::vector<CachedFeature>& features,
                   const std::vector<ItemsQuery::SortKey>& keys) {
    const auto order = [](const geo::FieldValue& a, const geo::FieldValue& b) -> int {
        const bool null_a = geo::is_null(a), null_b = geo::is_null(b);
        if (null_a || null_b) return null_a == null_b ? 0 : (null_a ? 2 : -2);  // +-2: nulls last in either direction
        if (const auto* text = std::get_if<std::string>(&a)) return text->compare(std::get<std::string>(b)) < 0 ? -1 : (*text == std::get<std::string>(b) ? 0 : 1);
        const auto number = [](const geo::FieldValue& v) {
            if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
            if (const auto* r = std::get_if<double>(&v)) return *r;
            return std::get<bool>(v) ? 1.0 : 0.0;
        };
        const double x = number(a), y = number(b);
        return x < y ? -1 : (x > y ? 1 : 0);
    };
    std::stable_sort(matched.begin(), matched.end(), [&](std::uint32_t a, std::uint32_t b) {
        for (const ItemsQuery::SortKey& key : keys) {
            const int o = order(features[a].fields[key.property], features[b].fields[key.property]);
            if (o == 2 || o == -2) return o < 0;
            if (o != 0) return key.descending ? o > 0 : o < 0;
        }
        return false;
    });
}

}  // namespace

// -------------------------------------------------------------------------------------------------

std::size_t collection_index(const RouteContext& context) {
    const auto id = context.path.find("id");
    if (id == context.path.end()) not_found("no collection named");
    const auto& all = feature_collections();
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (all[i].id == id->second) return i;
    }
    not_found("no collection '" + id->second + "'");
}

std::shared_ptr<const ServiceState> FeatureHandlers::state(const RouteContext& context) const {
    return state_for(service_, context);
}

std::shared_ptr<const CachedCollection> FeatureHandlers::cached(const RouteContext& context, const ServiceState& state,
                                                                std::size_t collection, std::size_t crs) const {
    const std::size_t crs_count = served_crss().size();
    const std::size_t index = collection * crs_count + crs;
    {
        const std::lock_guard<std::mutex> lock(state.feature_cache_mutex);
        if (state.feature_cache.empty()) state.feature_cache.assign(feature_collections().size() * crs_count, nullptr);
        if (const auto& slot = state.feature_cache.at(index)) return slot;
    }
    context.needs_worker();  // gathering and reprojecting a collection is CPU work: not on an I/O thread
    return state.feature_building.run(index, [&]() -> std::shared_ptr<const CachedCollection> {
        // The features are the same in every CRS: gathered once, then only their boxes per CRS.
        std::shared_ptr<const CollectionFeatures> base;
        std::size_t kept = 0;
        {
            const std::lock_guard<std::mutex> lock(state.feature_cache_mutex);
            if (const auto& slot = state.feature_cache.at(index)) return slot;  // built just before this flight
            for (std::size_t other = 0; other < crs_count && !base; ++other) {
                if (const auto& built = state.feature_cache[collection * crs_count + other]) base = built->base;
            }
            for (const auto& built : state.feature_cache) {
                if (!built) continue;
                for (const std::string& json : built->json) kept += json.size();
            }
        }
        const CollectionInfo& info = feature_collections(state)[collection];
        if (!base) base = collection_features(state, info);
        auto built = collection_in_crs(state, info, std::move(base), served_crss().at(crs),
                                       state.feature_json_budget - std::min(kept, state.feature_json_budget));
        const std::lock_guard<std::mutex> lock(state.feature_cache_mutex);
        state.feature_cache.at(index) = built;
        return built;
    });
}

Response FeatureHandlers::landing(const RouteContext& context) const {
    check_format(context);
    const auto current = state(context);
    const std::string base = base_url(context);
    json::object out;
    std::string title = "catchment";
    if (!current->dataset->name.empty()) {
        title += ": ";
        title += current->dataset->name;
    }
    out["title"] = title;
    if (!current->dataset->attribution.empty()) out["attribution"] = current->dataset->attribution;
    out["description"] =
        "GP practices, small areas, practice catchments, planned primary care networks, their borders and coverage gaps "
        "as OGC API - Features";
    out["links"] = json::array{json_link(base + "/", "self", "application/json", "this document"),
                               json_link(base + "/api", "service-desc", kOpenApiMediaType, "the API definition"),
                               json_link(base + "/conformance", "conformance", "application/json", "conformance classes"),
                               json_link(base + "/collections", "data", "application/json", "the feature collections"),
                               json_link(host_url(context) + "/?f=html", "alternate", "text/html", "this document as HTML"),
                               json_link(host_url(context) + "/", "related", "text/html", "the map viewer")};
    return json_reply(context.request, out);
}

Response FeatureHandlers::conformance(const RouteContext& context) const {
    check_acceptable(context, {"application/json"});
    check_format(context);
    json::object out;
    out["conformsTo"] = json::array{"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
                                    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
                                    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
                                    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
                                    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
                                    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters"};
    for (const std::string_view more : cql2::conformance_classes()) out["conformsTo"].as_array().push_back(json::string(more));
    for (const std::string_view more : items_query_conformance()) out["conformsTo"].as_array().push_back(json::string(more));
    return json_reply(context.request, out);
}

Response FeatureHandlers::collections(const RouteContext& context) const {
    check_acceptable(context, {"application/json"});
    check_format(context);
    const auto current = state(context);
    const std::string base = base_url(context);
    json::array list;
    for (std::size_t i = 0; i < feature_collections().size(); ++i) list.push_back(collection_json(base, *cached(context, *current, i), *current->dataset));
    json::object out;
    out["links"] = json::array{json_link(base + "/collections", "self", "application/json", "this document")};
    out["collections"] = std::move(list);
    out["crs"] = served_crs_list();
    return json_reply(context.request, out);
}

Response FeatureHandlers::collection(const RouteContext& context) const {
    check_acceptable(context, {"application/json"});
    check_format(context);
    const std::size_t index = collection_index(context);
    const auto current = state(context);
    return json_reply(context.request, collection_json(base_url(context), *cached(context, *current, index), *current->dataset));
}

Response FeatureHandlers::queryables(const RouteContext& context) const {
    check_acceptable(context, {kSchemaJson, "application/json"});
    check_format(context);
    const std::size_t index = collection_index(context);
    const auto current = state(context);  // a plan that does not exist (or a dataset not loaded yet) has no queryables either
    const CollectionInfo& info = feature_collections(*current)[index];
    json::object properties;
    properties["geometry"] = {{"format", geometry_format(info.schema->geometry)}, {"x-ogc-role", "primary-geometry"}};
    // Every property is a queryable: ?name=value on the items keeps the features whose value is that text.
    for (const geo::FieldSchema& field : info.schema->fields) {
        properties[field.name] = {{"title", field.name}, {"description", field.description}, {"type", json_type(field.type)}};
    }
    json::object out;
    out["$schema"] = "https://json-schema.org/draft/2020-12/schema";
    out["$id"] = base_url(context) + "/collections/" + info.id + "/queryables";
    out["type"] = "object";
    out["title"] = info.title;
    out["properties"] = std::move(properties);
    out["additionalProperties"] = false;
    return json_reply(context.request, out, kSchemaJson);
}

Response FeatureHandlers::items(const RouteContext& context) const {
    const std::size_t index = collection_index(context);
    const auto current = state(context);
    const CollectionInfo& info = feature_collections(*current)[index];
    const ItemsQuery query = parse_items_query(context, info);
    if (query.format == ItemsQuery::Format::csv) {
        check_acceptable(context, {kCsv});
    } else {
        check_acceptable(context, {kGeoJson, "application/json"});
    }
    // Filter on the boxes in the bbox's CRS, serve in the output CRS: the same features, in the same order.
    const auto collection = cached(context, *current, index, query.crs);
    const auto filtered = query.bbox_crs == query.crs || !query.has_bbox ? collection : cached(context, *current, index, query.bbox_crs);
    const std::vector<CachedFeature>& features = collection->features();

    // The exact test (a polygon's box may meet the bbox while the polygon does not) is made in the
    // working CRS, against the bbox carried there with its edges densified.
    geo::GeosContext geos;
    geo::Geometry box;
    const GEOSPreparedGeometry* prepared = nullptr;
    if (query.has_bbox) {
        const TransformLease to_working = borrow_transform(std::string(served_crss()[query.bbox_crs].proj), current->dataset->working_crs);
        if (query.bbox_crs == 0 && (query.bbox[0] < -180 || query.bbox[2] > 180 || query.bbox[1] < -90 || query.bbox[3] > 90)) {
            invalid_parameter("bbox", "longitudes must lie within -180..180 and latitudes within -90..90 (CRS84)");
        }
        try {
            box = geo::transform_box(geos, {query.bbox[0], query.bbox[1], query.bbox[2], query.bbox[3], false}, *to_working);
        } catch (const geo::CrsError& error) {
            invalid_parameter("bbox", std::string("cannot be carried into the dataset's CRS (") + error.what() + ")");
        }
        prepared = GEOSPrepare_r(geos.handle(), box.get());
        if (prepared == nullptr) geos.fail("preparing the bbox");
    }
    const std::unique_ptr<const GEOSPreparedGeometry, std::function<void(const GEOSPreparedGeometry*)>> prepared_owner(
        prepared, [&geos](const GEOSPreparedGeometry* p) { GEOSPreparedGeom_destroy_r(geos.handle(), p); });
    std::optional<cql2::Filter> filter;
    if (!query.filter.empty()) {
        const TransformLease to_working =
            borrow_transform(std::string(served_crss()[query.filter_crs].proj), current->dataset->working_crs);
        try {
            filter.emplace(query.filter, *info.schema, to_working.get());
        } catch (const cql2::Error& error) {
            invalid_parameter("filter", error.what());
        }
    }
    std::vector<std::uint32_t> matched;
    for (std::size_t n = 0; n < features.size(); ++n) {
        const CachedFeature& feature = features[n];
        bool keep = true;
        for (const auto& [property, value] : query.filters) {
            if (feature.values[property] != value) {
                keep = false;
                break;
            }
        }
        if (keep && query.has_bbox) {
            const geo::Envelope& e = filtered->boxes[n];
            keep = !e.is_empty && e.max_x >= query.bbox[0] && e.min_x <= query.bbox[2] && e.max_y >= query.bbox[1] &&
                   e.min_y <= query.bbox[3];
            const bool inside = e.min_x >= query.bbox[0] && e.max_x <= query.bbox[2] && e.min_y >= query.bbox[1] &&
                                e.max_y <= query.bbox[3];
            if (keep && !inside && feature.geometry != nullptr) {
                const char result = GEOSPreparedIntersects_r(geos.handle(), prepared, feature.geometry);
                if (result == 2) geos.fail("testing a feature against the bbox");
                keep = result == 1;
            }
        }
        if (keep && filter) keep = filter->matches(feature.fields, feature.geometry);
        if (keep) matched.push_back(static_cast<std::uint32_t>(n));
    }
    if (!query.sortby.empty()) sort_features(matched, features, query.sortby);

    const auto total = static_cast<std::int64_t>(matched.size());
    const std::int64_t first = std::min(query.offset, total);
    const std::int64_t last = std::min(total, first + query.limit);
    const std::string base = base_url(context);

    std::string tail = R"(],"numberMatched":)";
    tail += std::to_string(total);
    tail += R"(,"numberReturned":)";
    tail += std::to_string(last - first);
    tail += R"(,"timeStamp":")";
    tail += utc_now();
    tail += R"(","links":[)";
    append_link(tail, items_url(base, context, info, nullptr, 0), "self", kGeoJson);
    if (last < total) {
        tail += ',';
        append_link(tail, items_url(base, context, info, &query, last), "next", kGeoJson);
    }
    if (query.offset > 0) {
        tail += ',';
        append_link(tail, items_url(base, context, info, &query, std::max<std::int64_t>(0, std::min(query.offset, total) - query.limit)),
                    "prev", kGeoJson);
    }
    std::string collection_url = base;
    collection_url += "/collections/";
    collection_url += info.id;
    tail += ',';
    append_link(tail, collection_url, "collection", "application/json");
    tail += "]}";

    matched.erase(matched.begin() + last, matched.end());
    matched.erase(matched.begin(), matched.begin() + first);
    const bool csv = query.format == ItemsQuery::Format::csv;
    Response response = text_response(context.request, http::status::ok, {}, csv ? kCsv : kGeoJson);
    if (csv) {
        // The paging a GeoJSON page carries in its body goes in Link headers (RFC 8288) and OGC's counts.
        tail.clear();
        std::string links(1, '<');
        links += items_url(base, context, info, nullptr, 0);
        links += R"(>; rel="self")";
        if (last < total) {
            links += ", <";
            links += items_url(base, context, info, &query, last);
            links += R"(>; rel="next")";
        }
        response.set(http::field::link, links);
        response.set("OGC-NumberMatched", std::to_string(total));
        response.set("OGC-NumberReturned", std::to_string(last - first));
        response.set(http::field::content_disposition, "inline; filename=\"" + info.id + ".csv\"");
    }
    PageFormat format{query.format, query.selects_properties, query.properties};
    auto page = std::make_shared<FeaturePage>(current, collection, std::move(matched), std::move(tail), std::move(format));
    if (csv) {
        // Whole, with its length: GDAL's /vsicurl/ (how a GIS reads a CSV by URL) needs the size.
        std::string body;
        std::string piece;
        for (bool more = true; more; body += piece) {
            piece.clear();
            more = page->next(piece);
        }
        response.body() = std::move(body);
        response.prepare_payload();
    } else {
        stream_body(response, std::move(page));
    }
    set_content_crs(response, query.crs);
    return response;
}

Response FeatureHandlers::item(const RouteContext& context) const {
    check_acceptable(context, {kGeoJson, "application/json"});
    const std::size_t index = collection_index(context);
    const CollectionInfo& info = feature_collections()[index];
    check_format(context);
    const auto found_id = context.path.find("featureId");
    if (found_id == context.path.end()) not_found("no feature named");
    std::size_t crs = 0;
    for (const auto& [name, value] : context.query) {
        if (name == "crs") crs = parse_crs(name, value);
    }
    const auto current = state(context);
    const auto collection = cached(context, *current, index, crs);
    for (const CachedFeature& feature : collection->features()) {
        if (feature.id != found_id->second) continue;
        const std::string base = base_url(context);
        std::string self = base;
        self += "/collections/";
        self += info.id;
        std::string collection_url = self;
        self += "/items/";
        self += percent_encode(feature.id);
        geo::GeosContext geos;
        std::string out;
        if (!collection->json.empty()) {
            const std::string& whole = collection->json[static_cast<std::size_t>(&feature - collection->features().data())];
            out.assign(whole, 0, whole.size() - 1);  // without its closing brace: the links go before it
        } else {
            const TransformLease to_crs = borrow_transform(current->dataset->working_crs, std::string(served_crss()[crs].proj));
            append_feature(out, geos.handle(), feature, *to_crs, served_crss()[crs].decimals, false);
        }
        out += R"(,"links":[)";
        append_link(out, self, "self", kGeoJson);
        out += ',';
        append_link(out, collection_url, "collection", "application/json");
        out += "]}";
        Response response = text_response(context.request, http::status::ok, std::move(out), kGeoJson);
        set_content_crs(response, crs);
        return response;
    }
    not_found("no feature '" + found_id->second + "' in collection " + info.id);
}

}  // namespace server
