#pragma once
// Each group of endpoints registers its routes on the one table.
#include "server/router.hpp"
#include "server/service.hpp"

namespace server {

class Metrics;

/// /health, /ready, /metrics.
void add_operation_routes(Router& router, const Service& service, const Metrics& metrics);
/// OGC API - Features: /, /conformance, /api, /collections, /collections/{id}, /collections/{id}/items,
/// /collections/{id}/items/{featureId}.
void add_feature_routes(Router& router, const Service& service);
/// /tiles/{z}/{x}/{y}.mvt, /collections/{id}/tiles/{z}/{x}/{y}.mvt, /tiles.json, /style.json.
void add_tile_routes(Router& router, Service& service, const std::string& public_url);

}  // namespace server

namespace server {

/// GET /gaps?max_distance_m=&min_population= (GeoJSON of coverage-gap areas with a summary) and
/// GET /practices/{code}/catchment (the practice's catchment and core catchment as GeoJSON).
void add_coverage_routes(Router& router, const Service& service);

}  // namespace server
