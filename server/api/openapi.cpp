// The OpenAPI 3.0 document of the OGC API - Features routes and the plan endpoints. Its enums, defaults and
// limits are filled in from the definitions the handlers check against (collections, CRSs, page limits,
// plan request limits), so that the two cannot drift.
#include "server/api/features.hpp"

#include "server/api/plan_request.hpp"
#include "server/api/route_helpers.hpp"
#include "server/service/feature_collections.hpp"

#include <boost/json.hpp>

#include <string>
#include <string_view>

namespace server {

namespace json = boost::json;

Response FeatureHandlers::api(const RouteContext& context) const {
    check_acceptable(context, {"application/vnd.oai.openapi+json", "application/json"});
    check_format(context);
    static constexpr std::string_view kDocument = R"json({
  "openapi": "3.0.3",
  "info": {"title": "catchment", "version": "1.0.0",
           "description": "GP practices, areas, catchments and primary care networks as OGC API - Features"},
  "paths": {
    "/": {"get": {"operationId": "getLandingPage", "summary": "Landing page",
      "responses": {"200": {"description": "The landing page", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    "/conformance": {"get": {"operationId": "getConformance", "summary": "Conformance classes",
      "responses": {"200": {"description": "The conformance classes", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    "/api": {"get": {"operationId": "getApi", "summary": "This document",
      "responses": {"200": {"description": "The OpenAPI definition", "content": {"application/vnd.oai.openapi+json;version=3.0": {"schema": {"type": "object"}}}}}}},
    "/collections": {"get": {"operationId": "getCollections", "summary": "The feature collections",
      "responses": {"200": {"description": "The collections", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    "/collections/{collectionId}": {"get": {"operationId": "describeCollection", "summary": "One collection",
      "parameters": [{"$ref": "#/components/parameters/collectionId"}],
      "responses": {"200": {"description": "The collection", "content": {"application/json": {"schema": {"type": "object"}}}},
                    "404": {"$ref": "#/components/responses/NotFound"}}}},
    "/collections/{collectionId}/queryables": {"get": {"operationId": "getQueryables", "summary": "The properties items can be filtered by (?name=value)",
      "parameters": [{"$ref": "#/components/parameters/collectionId"}],
      "responses": {"200": {"description": "A JSON Schema of the queryables", "content": {"application/schema+json": {"schema": {"type": "object"}}}},
                    "404": {"$ref": "#/components/responses/NotFound"}}}},
    "/collections/{collectionId}/items": {"get": {"operationId": "getFeatures", "summary": "The features of a collection",
      "parameters": [{"$ref": "#/components/parameters/collectionId"}, {"$ref": "#/components/parameters/limit"},
                     {"$ref": "#/components/parameters/offset"}, {"$ref": "#/components/parameters/bbox"},
                     {"$ref": "#/components/parameters/datetime"}, {"$ref": "#/components/parameters/crs"},
                     {"$ref": "#/components/parameters/bbox-crs"},
                     {"name": "filter", "in": "query", "required": false, "description": "A CQL2 text filter (Basic CQL2, LIKE, BETWEEN, IN, S_INTERSECTS)", "schema": {"type": "string"}},
                     {"name": "filter-lang", "in": "query", "required": false, "schema": {"type": "string", "enum": ["cql2-text"], "default": "cql2-text"}},
                     {"name": "filter-crs", "in": "query", "required": false, "description": "The CRS of the filter's geometry literals", "schema": {"type": "string", "format": "uri"}},
                     {"name": "sortby", "in": "query", "required": false, "style": "form", "explode": false, "description": "Properties to sort by, each with + (ascending, the default) or - (descending); nulls last",
                      "schema": {"type": "array", "items": {"type": "string"}}},
                     {"name": "properties", "in": "query", "required": false, "style": "form", "explode": false, "description": "The properties to write (default: all)",
                      "schema": {"type": "array", "items": {"type": "string"}}},
                     {"name": "f", "in": "query", "required": false, "schema": {"type": "string", "enum": ["json", "geojson", "csv"], "default": "json"}}],
      "responses": {"200": {"description": "A GeoJSON FeatureCollection, or CSV with a WKT column", "content": {"application/geo+json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}}}},
                    "400": {"$ref": "#/components/responses/InvalidParameter"},
                    "404": {"$ref": "#/components/responses/NotFound"}}}},
    "/collections/{collectionId}/items/{featureId}": {"get": {"operationId": "getFeature", "summary": "One feature",
      "parameters": [{"$ref": "#/components/parameters/collectionId"}, {"$ref": "#/components/parameters/featureId"},
                     {"$ref": "#/components/parameters/crs"}],
      "responses": {"200": {"description": "A GeoJSON Feature", "content": {"application/geo+json": {"schema": {"type": "object"}}}},
                    "400": {"$ref": "#/components/responses/InvalidParameter"},
                    "404": {"$ref": "#/components/responses/NotFound"}}}},
    "/gaps": {"get": {"operationId": "getGaps", "summary": "Coverage gaps by the criteria asked for, with a summary per criterion, network and group",
      "parameters": [{"$ref": "#/components/parameters/criteria"}, {"$ref": "#/components/parameters/max_distance_m"},
                     {"$ref": "#/components/parameters/urban_distance_m"}, {"$ref": "#/components/parameters/rural_distance_m"},
                     {"$ref": "#/components/parameters/max_minutes"}, {"$ref": "#/components/parameters/min_accessibility"},
                     {"$ref": "#/components/parameters/accessibility_percentile"}, {"$ref": "#/components/parameters/min_population"},
                     {"$ref": "#/components/parameters/group_by"}, {"$ref": "#/components/parameters/bbox"},
                     {"name": "limit", "in": "query", "required": false, "description": "The most gaps to return (default: all)",
                      "schema": {"type": "integer", "minimum": 1}},
                     {"$ref": "#/components/parameters/offset"}],
      "responses": {"200": {"description": "A GeoJSON FeatureCollection named gaps, with numberMatched, links and a summary", "content": {"application/geo+json": {"schema": {"type": "object"}}}},
                    "400": {"$ref": "#/components/responses/InvalidParameter"}}}},
    "/gaps/suggestions": {"get": {"operationId": "getGapSuggestions", "summary": "Where a new practice would bring most accessibility to the people in gaps",
      "parameters": [{"name": "count", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "default": 5}},
                     {"name": "list_size", "in": "query", "required": false, "description": "The new practice's list size (default: the median practice's)",
                      "schema": {"type": "integer", "minimum": 1}},
                     {"name": "min_spacing_m", "in": "query", "required": false, "description": "Sites at least this far apart (default: half the decay's reach)",
                      "schema": {"type": "number", "exclusiveMinimum": 0}},
                     {"$ref": "#/components/parameters/criteria"}, {"$ref": "#/components/parameters/max_distance_m"},
                     {"$ref": "#/components/parameters/urban_distance_m"}, {"$ref": "#/components/parameters/rural_distance_m"},
                     {"$ref": "#/components/parameters/max_minutes"}, {"$ref": "#/components/parameters/min_accessibility"},
                     {"$ref": "#/components/parameters/accessibility_percentile"}, {"$ref": "#/components/parameters/min_population"}],
      "responses": {"200": {"description": "A GeoJSON FeatureCollection of points named gap_suggestions", "content": {"application/geo+json": {"schema": {"type": "object"}}}},
                    "400": {"$ref": "#/components/responses/InvalidParameter"}}}}
  },
  "components": {
    "parameters": {
      "collectionId": {"name": "collectionId", "in": "path", "required": true, "schema": {"type": "string"}},
      "featureId": {"name": "featureId", "in": "path", "required": true, "schema": {"type": "string"}},
      "limit": {"name": "limit", "in": "query", "required": false, "style": "form", "explode": false,
                "description": "The most features to return; larger values are reduced to the maximum",
                "schema": {"type": "integer", "minimum": 1}},
      "offset": {"name": "offset", "in": "query", "required": false, "style": "form", "explode": false,
                 "description": "How many matching features to skip",
                 "schema": {"type": "integer", "minimum": 0, "default": 0}},
      "bbox": {"name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
               "description": "minx,miny,maxx,maxy in the bbox-crs (CRS84 longitude, latitude by default)",
               "schema": {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}}},
      "datetime": {"name": "datetime", "in": "query", "required": false, "style": "form", "explode": false,
                   "description": "Accepted and ignored: the features have no time", "schema": {"type": "string"}},
      "crs": {"name": "crs", "in": "query", "required": false, "style": "form", "explode": false,
              "description": "The CRS of the response's coordinates (OGC API - Features Part 2)",
              "schema": {"type": "string", "format": "uri"}},
      "bbox-crs": {"name": "bbox-crs", "in": "query", "required": false, "style": "form", "explode": false,
                   "description": "The CRS of the bbox parameter (OGC API - Features Part 2)",
                   "schema": {"type": "string", "format": "uri"}},
      "criteria": {"name": "criteria", "in": "query", "required": false, "style": "form", "explode": false,
                   "description": "Gap criteria to apply (default: the plan's, plus those whose thresholds are given)",
                   "schema": {"type": "array", "items": {"type": "string", "enum": ["outside_network", "distance", "travel_time", "accessibility"]}}},
      "max_distance_m": {"name": "max_distance_m", "in": "query", "required": false, "description": "Distance threshold for urban and rural areas alike",
                         "schema": {"type": "number", "minimum": 0}},
      "urban_distance_m": {"name": "urban_distance_m", "in": "query", "required": false, "description": "Distance threshold for urban areas",
                           "schema": {"type": "number", "minimum": 0}},
      "rural_distance_m": {"name": "rural_distance_m", "in": "query", "required": false, "description": "Distance threshold for rural areas",
                           "schema": {"type": "number", "minimum": 0}},
      "max_minutes": {"name": "max_minutes", "in": "query", "required": false, "description": "Travel-time threshold (needs the study's travel times)",
                      "schema": {"type": "number", "exclusiveMinimum": 0}},
      "min_accessibility": {"name": "min_accessibility", "in": "query", "required": false,
                            "description": "Areas below this accessibility (capacity per 1,000 residents) are gaps",
                            "schema": {"type": "number", "exclusiveMinimum": 0}},
      "accessibility_percentile": {"name": "accessibility_percentile", "in": "query", "required": false,
                                   "description": "Areas among the poorest accessibility of this percentage of residents are gaps",
                                   "schema": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 100}},
      "min_population": {"name": "min_population", "in": "query", "required": false, "description": "Leave out areas with fewer residents",
                         "schema": {"type": "number", "minimum": 0}},
      "group_by": {"name": "group_by", "in": "query", "required": false,
                   "description": "Area field the summary groups by (e.g. a borough, LAD or CCG code)",
                   "schema": {"type": "string", "default": "constraint_group"}}
    },
    "responses": {
      "NotFound": {"description": "No such collection or feature", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}}},
      "InvalidParameter": {"description": "A query parameter is unknown or invalid", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}}}
    },
    "schemas": {
      "exception": {"type": "object", "required": ["code"], "properties": {"code": {"type": "string"}, "description": {"type": "string"}}}
    }
  }
})json";
    static constexpr std::string_view kPlanPaths = R"json({
    "/plans": {
      "get": {"operationId": "getPlans", "summary": "The stored plans: default (the one served at the root) first, then every plan in the store, stale ones marked",
        "responses": {"200": {"description": "The plans", "content": {"application/json": {"schema": {"type": "object"}}}}}},
      "post": {"operationId": "createPlan", "summary": "Plan networks with other parameters or hypothetical practices",
        "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false,
          "properties": {"min_list_size": {"type": "integer"}, "max_list_size": {"type": "integer"},
                         "method": {"type": "string"},
                         "core_share": {"type": "number"}, "radius_m": {"type": "number"}, "constraint_field": {"type": "string"},
                         "lock_field": {"type": "string"}, "locked_networks": {"type": "array", "items": {"type": "string"}},
                         "excluded_practices": {"type": "array", "items": {"type": "string"}}, "seed": {"type": "integer"},
                         "construction_runs": {"type": "integer", "minimum": 1},
                         "sweeps": {"type": "integer", "minimum": 0}, "radius_minutes": {"type": "number"},
                         "gap_distance_m": {"type": "number", "description": "Urban areas farther than this from every practice are gaps"},
                         "rural_gap_distance_m": {"type": "number", "description": "Rural areas farther than this from every practice are gaps"},
                         "rural_field": {"type": "string"}, "rural_density": {"type": "number", "minimum": 0},
                         "gap_max_minutes": {"type": "number", "minimum": 0}, "gap_min_accessibility": {"type": "number", "minimum": 0},
                         "gap_accessibility_percentile": {"type": "number", "minimum": 0, "exclusiveMaximum": 100},
                         "supply_field": {"type": "string", "description": "Practice field holding capacity for accessibility (default: list size)"},
                         "access_bands": {"type": "string", "description": "Distance-decay bands, metres:weight, comma-separated"},
                         "access_time_bands": {"type": "string", "description": "Travel-time decay bands, minutes:weight, comma-separated"},
                         "new_practices": {"type": "array", "items": {"type": "object", "required": ["code"],
                           "description": "Practices to open, at lon and lat (WGS 84) or x and y (the dataset's CRS); each gains patients from its neighbours by a Huff gravity model, up to list_size when given",
                           "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "lon": {"type": "number"},
                                          "lat": {"type": "number"}, "x": {"type": "number"}, "y": {"type": "number"},
                                          "list_size": {"type": "integer", "minimum": 0}}}},
                         "baseline": {"type": "string", "description": "Re-plan from these networks, moving as few practices as the change needs: default, a plan id, or reference (the real networks)"},
                         "title": {"type": "string"}}}}}},
        "responses": {"201": {"description": "The new plan", "content": {"application/json": {"schema": {"type": "object"}}}},
                      "400": {"$ref": "#/components/responses/InvalidParameter"},
                      "401": {"description": "A token is needed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}}},
                      "503": {"description": "Busy, past the time limit, or the plan store cannot be written", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}}}}}},
    "/plans/{planId}": {"get": {"operationId": "getPlan", "summary": "A plan: parameters, quality report and links; {planId}.gpkg downloads it as a GeoPackage with QGIS styles",
      "parameters": [{"name": "planId", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"200": {"description": "The plan", "content": {"application/json": {"schema": {"type": "object"}},
                                                                  "application/geopackage+sqlite3": {"schema": {"type": "string", "format": "binary"}}}},
                    "404": {"$ref": "#/components/responses/NotFound"},
                    "409": {"description": "A stored plan made from other data (StalePlan)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}}},
                    "503": {"description": "The plan store cannot be read (StoreUnavailable)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}}}}},
      "delete": {"operationId": "deletePlan", "summary": "Removes a stored plan (not the one served at the root)",
        "parameters": [{"name": "planId", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"204": {"description": "Removed"},
                      "401": {"description": "A token is needed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}}},
                      "404": {"$ref": "#/components/responses/NotFound"},
                      "409": {"description": "The plan served at the root (PlanInUse)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}}},
                      "503": {"description": "The plan store cannot be written (StoreUnavailable)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}}}}}},
    "/plans/{planId}/diff": {"get": {"operationId": "getPlanDiff", "summary": "What changed from another plan: moved practices, created, dissolved and changed networks",
      "parameters": [{"name": "planId", "in": "path", "required": true, "schema": {"type": "string"}},
                     {"name": "against", "in": "query", "required": false, "schema": {"type": "string", "default": "default"},
                      "description": "default, reference or a plan id"}],
      "responses": {"200": {"description": "The differences", "content": {"application/json": {"schema": {"type": "object"}}}},
                    "400": {"$ref": "#/components/responses/InvalidParameter"},
                    "404": {"$ref": "#/components/responses/NotFound"}}}}
})json";
    json::value document = json::parse(kDocument);
    document.as_object()["servers"] = json::array{json::object{{"url", base_url(context)}}};
    // Enums, defaults and limits are filled in from the definitions the handlers check against, so the
    // two cannot drift.
    json::object& parameters = document.at("components").at("parameters").as_object();
    json::array collection_ids;
    std::string described;
    for (const CollectionInfo& info : feature_collections()) {
        collection_ids.emplace_back(info.id);
        described += (described.empty() ? "" : ", ") + info.id;
    }
    parameters.at("collectionId").as_object()["description"] = "One of: " + described;
    parameters.at("collectionId").at("schema").as_object()["enum"] = collection_ids;
    json::object& limit = parameters.at("limit").at("schema").as_object();
    limit["maximum"] = kMaxLimit;
    limit["default"] = kDefaultLimit;
    for (const char* name : {"crs", "bbox-crs"}) {
        json::object& schema = parameters.at(name).at("schema").as_object();
        schema["enum"] = served_crs_list();
        schema["default"] = served_crss().front().uri;
    }
    // The plan endpoints belong to the root; a plan's own API (/plans/{plan}/api) is its layers only.
    if (context.path.find("plan") == context.path.end()) {
        json::value plan_paths = json::parse(kPlanPaths);
        json::object& body = plan_paths.at("/plans").at("post").at("requestBody").at("content").at("application/json").at("schema").at(
            "properties").as_object();
        json::array methods;
        for (const auto method : {geo::CatchmentMethod::registrations, geo::CatchmentMethod::nearest, geo::CatchmentMethod::radius}) {
            methods.emplace_back(geo::to_string(method));
        }
        body.at("method").as_object()["enum"] = methods;
        body.at("construction_runs").as_object()["maximum"] = PlanRequestLimits::kMaxConstructionRuns;
        body.at("sweeps").as_object()["maximum"] = PlanRequestLimits::kMaxSweeps;
        body.at("new_practices").as_object()["maxItems"] = PlanRequestLimits::kMaxNewPractices;
        body.at("new_practices").at("items").at("properties").at("list_size").as_object()["maximum"] = PlanRequestLimits::kMaxListSize;
        json::object& paths = document.at("paths").as_object();
        for (const auto& [path, item] : plan_paths.as_object()) paths[path] = item;
    }
    return json_reply(context.request, document, kOpenApiMediaType);
}

}  // namespace server
