#pragma once
// OGC API - Features Part 1 (Core, GeoJSON, OpenAPI 3.0) over the current plan: the landing page,
// conformance, the OpenAPI document, the collections and their items, for the default plan at the root
// and for each stored plan under /plans/{plan}. Every handler is pure (route context in, response out),
// resolves the plan's state once per request and throws
// HttpError for bad input. Part 2 (CRS by reference): items can be served in CRS84, EPSG:27700 or
// EPSG:3857. A collection's features (ids, properties, working-CRS geometries) are gathered once per
// state and their boxes computed once per CRS; a page of items is written as it is sent (chunked),
// each geometry reprojected then, so no response is ever whole in memory.
#include "server/http/router.hpp"
#include "server/service/feature_collections.hpp"
#include "server/service/service.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace server {

/// The position in feature_collections() of the collection a route's {id} names; 404 NotFound for none.
std::size_t collection_index(const RouteContext& context);

/// The media type of the OpenAPI document.
inline constexpr std::string_view kOpenApiMediaType = "application/vnd.oai.openapi+json;version=3.0";

class FeatureHandlers {
public:
    explicit FeatureHandlers(const Service& service) : service_(service) {}

    Response landing(const RouteContext& context) const;
    Response conformance(const RouteContext& context) const;
    Response api(const RouteContext& context) const;
    Response collections(const RouteContext& context) const;
    Response collection(const RouteContext& context) const;
    /// OGC API - Features Part 3: the collection's queryables as a JSON Schema, from its layer's fields.
    Response queryables(const RouteContext& context) const;
    Response items(const RouteContext& context) const;
    Response item(const RouteContext& context) const;

    static constexpr std::int64_t kDefaultLimit = 100;
    static constexpr std::int64_t kMaxLimit = 10000;

private:
    /// The state of the plan the request names (/plans/{plan}/...), or the default plan's.
    std::shared_ptr<const ServiceState> state(const RouteContext& context) const;
    /// The collection's features for `state` in served_crss()[crs], built on first use (on a worker, once
    /// however many ask at the same time) and kept in the state.
    std::shared_ptr<const CachedCollection> cached(const RouteContext& context, const ServiceState& state, std::size_t collection,
                                                   std::size_t crs = 0) const;

    const Service& service_;
};

}  // namespace server
