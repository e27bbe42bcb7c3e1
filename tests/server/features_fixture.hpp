#pragma once
// The OGC API - Features handlers called directly on the hand-made two-squares plan (with input fields on its
// areas and practices): a service holding it,
// the handlers, and helpers that call them and read the answers.
#include "plan_fixture.hpp"
#include "server/api/features.hpp"
#include "service_fixture.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace features_fixture {

using namespace server;
namespace json = boost::json;

using Query = std::vector<std::pair<std::string, std::string>>;
using Path = std::map<std::string, std::string>;

struct Fixture {
    Service service{1 << 20};
    FeatureHandlers handlers{service};
    Request request{http::verb::get, "/", 11};

    Fixture() {
        service.install(service_fixture::state_of(plan_fixture::example_with_input_fields()));
        request.set(http::field::host, "example.test:8080");
    }

    json::value call(Response (FeatureHandlers::*method)(const RouteContext&) const, Path path = {}, Query query = {},
                     std::string_view content_type = "") {
        const RouteContext context{request, std::move(path), std::move(query)};
        const Response response = (handlers.*method)(context);
        REQUIRE(response.result() == http::status::ok);
        if (!content_type.empty()) CHECK(response[http::field::content_type] == content_type);
        return json::parse(body_text(response));
    }
    Response raw(Response (FeatureHandlers::*method)(const RouteContext&) const, Path path, Query query = {}) {
        const RouteContext context{request, std::move(path), std::move(query)};
        Response response = (handlers.*method)(context);
        REQUIRE(response.result() == http::status::ok);
        return response;
    }
    json::value items(const std::string& collection, Query query = {}) {
        return call(&FeatureHandlers::items, {{"id", collection}}, std::move(query), "application/geo+json");
    }
    /// The HttpError the call throws.
    HttpError error(Response (FeatureHandlers::*method)(const RouteContext&) const, Path path, Query query = {}) {
        const RouteContext context{request, std::move(path), std::move(query)};
        try {
            (handlers.*method)(context);
        } catch (const HttpError& e) {
            return e;
        }
        FAIL("no HttpError");
        throw std::logic_error("unreachable");
    }
};

inline const json::object* find_link(const json::value& document, const std::string& rel) {
    for (const json::value& link : document.at("links").as_array()) {
        if (link.at("rel").as_string() == rel) return &link.as_object();
    }
    return nullptr;
}

inline std::vector<std::string> ids(const json::value& collection) {
    std::vector<std::string> out;
    for (const json::value& feature : collection.at("features").as_array()) {
        out.emplace_back(feature.at("id").as_string());
    }
    return out;
}

}  // namespace features_fixture
