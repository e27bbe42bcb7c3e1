#pragma once
// OGC API - Features Part 1 (Core, GeoJSON, OpenAPI 3.0) over the current plan: the landing page,
// conformance, the OpenAPI document, the collections and their items. Every handler is pure (route
// context in, response out), reads the state through Service::current() once per request and throws
// HttpError for bad input. Features are reprojected to CRS84 and serialised once per state version
// and collection, lazily, then reused by every request.
#include "server/router.hpp"
#include "server/service.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace server {

/// One feature ready to serve: its GeoJSON text and what the filters look at.
struct CachedFeature {
    std::string id;
    std::string json;                 // the whole Feature object
    geo::Envelope bbox;               // CRS84; empty for a feature with no geometry
    geo::Geometry geometry;           // CRS84, for the exact bbox test; null when none
    std::vector<std::string> values;  // property values as text, per CollectionInfo::properties
};

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
    geo::Envelope extent;  // CRS84
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
    struct Cache {
        const ServiceState* state = nullptr;
        std::uint64_t version = 0;
        std::vector<std::shared_ptr<const CachedCollection>> collections;
    };
    std::shared_ptr<const ServiceState> state() const;
    /// The collection's features for `state`, built on first use.
    std::shared_ptr<const CachedCollection> cached(const ServiceState& state, std::size_t collection) const;

    const Service& service_;
    mutable std::mutex mutex_;
    mutable Cache cache_;
};

}  // namespace server
