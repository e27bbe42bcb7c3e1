#pragma once
// OGC API - Features Part 1 (Core, GeoJSON, OpenAPI 3.0) over the current plan: the landing page,
// conformance, the OpenAPI document, the collections and their items, for the default plan at the root
// and for each stored plan under /plans/{plan}. Every handler is pure (route context in, response out),
// resolves the plan's state once per request and throws
// HttpError for bad input. Part 2 (CRS by reference): items can be served in CRS84, EPSG:27700 or
// EPSG:3857. Features are reprojected and serialised once per state version, collection and CRS,
// lazily, then reused by every request.
#include "server/router.hpp"
#include "server/service.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace server {

/// One feature ready to serve: its GeoJSON text and what the filters look at.
struct CachedFeature {
    std::string id;
    std::string json;                 // the whole Feature object
    geo::Envelope bbox;               // in the cache's CRS; empty for a feature with no geometry
    geo::Geometry geometry;           // in the cache's CRS, for the exact bbox test; null when none
    std::vector<std::string> values;  // property values as text, per CollectionInfo::properties
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

struct CachedCollection {
    std::shared_ptr<geo::GeosContext> geos;  // declared first: the geometries free themselves through it
    const CollectionInfo* info = nullptr;
    std::vector<CachedFeature> features;
    geo::Envelope extent;  // in `crs`
    const ServedCrs* crs = nullptr;
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
