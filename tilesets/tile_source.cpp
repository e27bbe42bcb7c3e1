#include "tilesets/tile_source.hpp"

#include "geo/crs.hpp"
#include "geo/network_colours.hpp"
#include "tilesets/tile_math.hpp"
#include "tilesets/tilejson.hpp"

#include <cmath>

namespace tilesets {

namespace {

/// Copies a geometry into Web Mercator through PROJ.
geo::Geometry to_mercator(geo::GeosContext& context, const geo::CrsTransform& transform, const GEOSGeometry* g) {
    auto callback = [](double* x, double* y, void* user) -> int {
        const auto* t = static_cast<const geo::CrsTransform*>(user);
        const geo::Point p = t->transform({*x, *y});
        *x = p.x;
        *y = p.y;
        return 1;
    };
    return geo::adopt(context, GEOSGeom_transformXY_r(context.handle(), g, callback, const_cast<geo::CrsTransform*>(&transform)),
                      "transforming to Web Mercator");
}

class LayerBuilder {
public:
    LayerBuilder(TileSource& source, const geo::CrsTransform& transform, std::string name, GeometryType type,
                 std::vector<std::string> keys, bool is_coverage, bool may_drop_small)
        : source_(source), transform_(transform) {
        layer_.name = std::move(name);
        layer_.type = type;
        layer_.keys = std::move(keys);
        layer_.is_coverage = is_coverage;
        layer_.may_drop_small = may_drop_small;
    }
    /// Adds a feature from a working-CRS geometry (null geometries are skipped: nothing to draw).
    void add(const GEOSGeometry* working, std::vector<PropertyValue> values) {
        if (working == nullptr || GEOSisEmpty_r(source_.geos->handle(), working) == 1) return;
        SourceFeature f;
        f.id = layer_.features.size() + 1;
        f.geometry = to_mercator(*source_.geos, transform_, working);
        f.box = geo::envelope_of(*source_.geos, f.geometry.get());
        f.values = std::move(values);
        source_.bounds.expand(f.box);
        layer_.features.push_back(std::move(f));
    }
    void finish() { source_.layers.push_back(std::move(layer_)); }

private:
    TileSource& source_;
    const geo::CrsTransform& transform_;
    SourceLayer layer_;
};

std::string network_id(const geo::Plan& plan, std::int32_t network) {
    return network >= 0 ? plan.networks[static_cast<std::size_t>(network)].id : std::string();
}

}  // namespace

TileSource make_tile_source(const geo::Dataset& dataset, const geo::Plan& plan) {
    TileSource source;
    source.name = dataset.name;
    const geo::CrsTransform transform(dataset.working_crs, "EPSG:3857");
    geo::GeosContext& geos = *dataset.geos;
    auto* h = geos.handle();

    LayerBuilder networks(source, transform, "networks", GeometryType::polygon,
                          {"network_id", "name", "list_size", "population", "practice_count", "status", "band_cause", "cohesion",
                           "polsby_popper", "constraint", "colour"},
                          true, false);
    const std::vector<std::int64_t> colours = geo::network_colour_slots(plan, kNetworkPaletteSize);
    for (std::size_t i = 0; i < plan.networks.size(); ++i) {
        const geo::Network& n = plan.networks[i];
        networks.add(n.polygon.get(), {n.id, n.name, n.metrics.list_size, n.metrics.population,
                                       static_cast<std::int64_t>(n.practices.size()), std::string(geo::to_string(n.metrics.status)),
                                       std::string(geo::to_string(n.band_cause)), n.metrics.cohesion, n.metrics.polsby_popper, n.constraint_value, colours[i]});
    }
    networks.finish();

    LayerBuilder borders(source, transform, "network_borders", GeometryType::linestring, {"network_a", "network_b"}, false, false);
    for (const geo::NetworkBorder& b : plan.borders) {
        borders.add(b.line.get(), {plan.networks[b.network_a].id, plan.networks[b.network_b].id});
    }
    borders.finish();

    LayerBuilder catchments(source, transform, "catchments", GeometryType::polygon,
                            {"practice_code", "practice_name", "network_id", "registered", "population", "share"}, true, true);
    LayerBuilder labels(source, transform, "catchment_labels", GeometryType::point, {"practice_code", "practice_name", "network_id"},
                        false, false);
    for (const geo::Catchment& c : plan.catchments) {
        const geo::Practice& p = dataset.practices[c.practice];
        const std::string network = network_id(plan, plan.practice_network[c.practice]);
        catchments.add(c.polygon.get(), {p.code, p.name, network, c.registered, c.population, c.share});
        if (c.polygon) {
            const geo::Geometry label = geo::adopt(geos, GEOSPointOnSurface_r(h, c.polygon.get()), "placing a catchment label");
            labels.add(label.get(), {p.code, p.name, network});
        }
    }
    catchments.finish();
    labels.finish();

    LayerBuilder practices(source, transform, "practices", GeometryType::point,
                           {"code", "name", "list_size", "network_id", "network_name", "status"}, false, false);
    for (std::size_t i = 0; i < dataset.practices.size(); ++i) {
        const geo::Practice& p = dataset.practices[i];
        const std::int32_t n = plan.practice_network[i];
        const geo::Geometry point = geo::make_point(geos, p.location.x, p.location.y);
        practices.add(point.get(), {p.code, p.name, p.list_size, network_id(plan, n),
                                    n >= 0 ? plan.networks[static_cast<std::size_t>(n)].name : std::string(),
                                    n >= 0 ? std::string(geo::to_string(plan.networks[static_cast<std::size_t>(n)].metrics.status))
                                           : std::string("excluded")});
    }
    practices.finish();

    LayerBuilder areas(source, transform, "areas", GeometryType::polygon,
                       {"code", "name", "population", "density", "network_id", "gap", "nearest_practice_m"}, true, true);
    LayerBuilder gaps(source, transform, "gaps", GeometryType::polygon, {"code", "population", "nearest_practice_m", "reason"}, true,
                      false);
    for (std::size_t a = 0; a < dataset.areas.size(); ++a) {
        const geo::Area& area = dataset.areas[a];
        const geo::AreaCoverage& cov = plan.coverage[a];
        const double km2 = plan.graph.area[a] / 1e6;
        areas.add(area.geometry.get(), {area.code, area.name, area.population, km2 > 0 ? std::round(area.population / km2) : 0.0,
                                        network_id(plan, plan.areas[a].network), cov.gap, std::round(cov.nearest_practice_m)});
        if (cov.gap) gaps.add(area.geometry.get(), {area.code, area.population, std::round(cov.nearest_practice_m), cov.gap_reason});
    }
    areas.finish();
    gaps.finish();

    // Layer zoom ranges come from the one schema that TileJSON and the style are made from.
    for (const LayerSchema& schema : catchment_layers(kMaxZoom)) {
        for (SourceLayer& layer : source.layers) {
            if (layer.name == schema.id) layer.minzoom = schema.minzoom;
        }
    }
    source.bounds_lonlat = geo::CrsTransform("EPSG:3857", "OGC:CRS84").transform_bounds(source.bounds);
    return source;
}

}  // namespace tilesets
