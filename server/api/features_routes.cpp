// The feature routes on the one table; kept apart from the handlers so that the handlers can be
// tested without the router. Each route answers HTML too (html_pages.hpp): a browser's request is
// answered by the JSON handler, whose document the page renders.
#include "server/api/features.hpp"
#include "server/api/html_pages.hpp"
#include "server/api/route_helpers.hpp"
#include "server/api/routes.hpp"
#include "server/api/web_assets.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <functional>
#include <memory>

namespace server {

namespace {

using Renderer = std::function<std::string(const html::PageContext&, const RouteContext&, const boost::json::object&)>;

/// `json_handler` for JSON clients; for browsers (prefers_html) the page `render` makes of its JSON answer
/// to the same request without `f` and with a JSON Accept.
Handler with_html(const Service& service, Handler json_handler, Renderer render) {
    return [&service, json_handler = std::move(json_handler), render = std::move(render)](const RouteContext& context) {
        if (!prefers_html(context)) return json_handler(context);
        Request json_request = context.request;
        json_request.set(http::field::accept, "application/geo+json, application/json;q=0.9");
        std::vector<std::pair<std::string, std::string>> query;
        std::copy_if(context.query.begin(), context.query.end(), std::back_inserter(query), [](const auto& p) { return p.first != "f"; });
        const RouteContext json_context{json_request, context.path, std::move(query), context.public_url,
                                        context.on_worker, context.client_gone, context.server_stopping};
        const Response answer = json_handler(json_context);
        const boost::json::value document = boost::json::parse(body_text(answer));
        const auto state = state_for(service, context);
        const html::PageContext page{host_url(context), base_url(context), state->dataset->name, state->dataset->attribution};
        Response response = text_response(context.request, http::status::ok, render(page, context, document.as_object()), "text/html; charset=utf-8");
        response.set(http::field::vary, "Accept");
        return response;
    };
}

}  // namespace

void add_feature_routes(Router& router, const Service& service, Handler html_landing) {
    auto handlers = std::make_shared<FeatureHandlers>(service);
    using Method = Response (FeatureHandlers::*)(const RouteContext&) const;
    const auto json = [handlers](Method method) {
        return [handlers, method](const RouteContext& context) { return ((*handlers).*method)(context); };
    };
    const auto add = [&](const char* pattern, const char* name, Method method, Renderer render) {
        add_plan_scoped(router, pattern, name, render ? with_html(service, json(method), std::move(render)) : Handler(json(method)));
    };
    // A plan's landing page, /plans/{plan}, is its document (see add_plan_routes). At the root, a browser
    // gets the map viewer; ?f=html asks for the OGC landing page as HTML.
    const Handler landing = with_html(service, json(&FeatureHandlers::landing), [](const auto& page, const auto&, const auto& doc) {
        return html::landing_page(page, doc);
    });
    router.add(http::verb::get, "/", "landing", [landing, html_landing](const RouteContext& context) {
        if (html_landing && context.parameter("f") == nullptr && prefers_html(context)) return html_landing(context);
        Response response = landing(context);
        if (html_landing) response.set(http::field::vary, "Accept");
        return response;
    });
    add("/conformance", "conformance", &FeatureHandlers::conformance,
        [](const auto& page, const auto&, const auto& doc) { return html::conformance_page(page, doc); });
    add("/api", "api", &FeatureHandlers::api, nullptr);
    add("/collections", "collections", &FeatureHandlers::collections,
        [](const auto& page, const auto&, const auto& doc) { return html::collections_page(page, doc); });
    add("/collections/{id}", "collection", &FeatureHandlers::collection,
        [](const auto& page, const auto&, const auto& doc) { return html::collection_page(page, doc); });
    // (The JSON handler has answered by then, so the collection exists.)
    add("/collections/{id}/queryables", "collection_queryables", &FeatureHandlers::queryables,
        [](const auto& page, const RouteContext& context, const auto& doc) { return html::queryables_page(page, context.path.at("id"), doc); });
    add("/collections/{id}/items", "collection_items", &FeatureHandlers::items, [](const auto& page, const RouteContext& context, const auto& doc) {
        const CollectionInfo& info = feature_collections()[collection_index(context)];
        return html::items_page(page, info.id, info.title, doc);
    });
    add("/collections/{id}/items/{featureId}", "collection_item", &FeatureHandlers::item,
        [](const auto& page, const RouteContext& context, const auto& doc) {
            const CollectionInfo& info = feature_collections()[collection_index(context)];
            return html::item_page(page, info.id, info.title, doc);
        });
}

}  // namespace server
