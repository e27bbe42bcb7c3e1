// The feature routes on the one table; kept apart from the handlers so that the handlers can be
// tested without the router.
#include "server/api/features.hpp"
#include "server/api/routes.hpp"
#include "server/api/web_assets.hpp"

#include <memory>

namespace server {

void add_feature_routes(Router& router, const Service& service, Handler html_landing) {
    auto handlers = std::make_shared<FeatureHandlers>(service);
    using Method = Response (FeatureHandlers::*)(const RouteContext&) const;
    auto add = [&](const char* pattern, const char* name, Method method) {
        add_plan_scoped(router, pattern, name, [handlers, method](const RouteContext& context) {
            return ((*handlers).*method)(context);
        });
    };
    // A plan's landing page, /plans/{plan}, is its document (see add_plan_routes).
    router.add(http::verb::get, "/", "landing", [handlers, html_landing](const RouteContext& context) {
        if (html_landing && prefers_html(context)) return html_landing(context);
        Response response = handlers->landing(context);
        if (html_landing) response.set(http::field::vary, "Accept");
        return response;
    });
    add("/conformance", "conformance", &FeatureHandlers::conformance);
    add("/api", "api", &FeatureHandlers::api);
    add("/collections", "collections", &FeatureHandlers::collections);
    add("/collections/{id}", "collection", &FeatureHandlers::collection);
    add("/collections/{id}/queryables", "collection_queryables", &FeatureHandlers::queryables);
    add("/collections/{id}/items", "collection_items", &FeatureHandlers::items);
    add("/collections/{id}/items/{featureId}", "collection_item", &FeatureHandlers::item);
}

}  // namespace server
