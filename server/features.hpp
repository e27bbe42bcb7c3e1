#pragma once
// OGC API - Features Part 1 (Core, GeoJSON, OpenAPI 3.0) over the current plan: the landing page,
// conformance, the OpenAPI document, the collections and their items, for the default plan at the root
// and for each stored plan under /plans/{plan}. Every handler is pure (route context in, response out),
// resolves the plan's state once per request and throws
// HttpError for bad input. Part 2 (CRS by reference): items can be served in CRS84, EPSG:27700 or
// EPSG:3857. A collection's features (ids, properties, working-CRS geometries) are gathered once per
// state and their boxes computed once per CRS; a page of items is written as it is sent (chunked),
// each geometry reprojected then, so no response is ever whole in memory.
#include "server/router.hpp"
#include "server/service.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace server {

/// One feature of a collection as the handlers find it: its id, its properties (as JSON and as text
/// for the filters) and its geometry in the working CRS. The GeoJSON of a page is written from these
/// as the page is sent, never held whole.
struct CachedFeature {
    std::string id;
    std::string properties;           // the properties object, as JSON
    std::vector<std::string> values;  // property values as text, per CollectionInfo::properties
    const GEOSGeometry* geometry = nullptr;  // working CRS; owned by the state's dataset or plan, or by the collection
};

/// A CRS the items can be served in (OGC API - Features Part 2).
struct ServedCrs {
    std::string_view uri;   // e.g. http://www.opengis.net/def/crs/EPSG/0/27700
    std::string_view proj;  // what geo::CrsTransform takes, e.g. EPSG:27700
    int decimals;           // coordinate decimals: 7 for CRS84, 2 for projected CRSs
};

/// The served CRSs, CRS84 (the default) first, then EPSG:27700 and EPSG:3857.
const std::vector<ServedCrs>& served_crss();

struct CollectionInfo {
    std::string id;
    std::string title;
    std::string description;
    std::vector<std::string> properties;  // queryable names, in output order
};

/// The served collections, in order: practices, areas, catchments, networks, network_borders, gaps.
const std::vector<CollectionInfo>& feature_collections();

/// A collection's features, the same for every CRS, built once per state.
struct CollectionFeatures {
    std::shared_ptr<geo::GeosContext> geos;  // declared first: the geometries free themselves through it
    std::vector<CachedFeature> features;
    std::vector<geo::Geometry> owned;        // geometries the dataset holds otherwise (practices' points)
};

/// A collection in one served CRS: its features and their boxes there (what bbox filters and the
/// collection's extent use).
struct CachedCollection {
    const CollectionInfo* info = nullptr;
    std::shared_ptr<const CollectionFeatures> base;
    std::vector<geo::Envelope> boxes;  // per feature, in `crs`; empty for a feature with no geometry
    geo::Envelope extent;              // in `crs`
    const ServedCrs* crs = nullptr;
    /// Each feature's whole GeoJSON in `crs`, kept for a collection small enough for the state's
    /// budget (ServiceState::feature_json_budget): pages of it are copied out, not reprojected. Empty otherwise.
    std::vector<std::string> json;
    const std::vector<CachedFeature>& features() const { return base->features; }
};


class FeatureHandlers {
public:
    explicit FeatureHandlers(const Service& service) : service_(service) {}

    Response landing(const RouteContext& context) const;
    Response conformance(const RouteContext& context) const;
    Response api(const RouteContext& context) const;
    Response collections(const RouteContext& context) const;
    Response collection(const RouteContext& context) const;
    Response items(const RouteContext& context) const;
    Response item(const RouteContext& context) const;

    static constexpr std::int64_t kDefaultLimit = 100;
    static constexpr std::int64_t kMaxLimit = 10000;

private:
    /// The state of the plan the request names (/plans/{plan}/...), or the default plan's.
    std::shared_ptr<const ServiceState> state(const RouteContext& context) const;
    /// The collection's features for `state` in served_crss()[crs], built on first use and kept in the state.
    std::shared_ptr<const CachedCollection> cached(const ServiceState& state, std::size_t collection, std::size_t crs = 0) const;

    const Service& service_;
};

}  // namespace server
