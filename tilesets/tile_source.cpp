#include "tilesets/tile_source.hpp"

#include "geo/crs.hpp"
#include "geo/network_colours.hpp"
#include "geo/parallel.hpp"
#include "tilesets/tile_math.hpp"
#include "tilesets/tilejson.hpp"

#include <cmath>
#include <functional>

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

/// Builds one layer on its own thread, with its own PROJ transform and GEOS context.
class LayerBuilder {
public:
    LayerBuilder(const std::string& working_crs, std::string name, GeometryType type, std::vector<std::string> keys, bool is_coverage,
                 bool may_drop_small)
        : transform_(working_crs, "EPSG:3857") {
        layer_.name = std::move(name);
        layer_.type = type;
        layer_.keys = std::move(keys);
        layer_.is_coverage = is_coverage;
        layer_.may_drop_small = may_drop_small;
    }
    /// Adds a feature from a working-CRS geometry (null geometries are skipped: nothing to draw).
    void add(const GEOSGeometry* working, std::vector<PropertyValue> values) {
        if (working == nullptr || GEOSisEmpty_r(context_.handle(), working) == 1) return;
        SourceFeature f;
        f.id = layer_.features.size() + 1;
        f.geometry = to_mercator(context_, transform_, working);
        f.box = geo::envelope_of(context_, f.geometry.get());
        f.values = std::move(values);
        bounds_.expand(f.box);
        layer_.features.push_back(std::move(f));
    }
    geo::GeosContext& context() { return context_; }
    /// The finished layer, and its bounds into `bounds`.
    SourceLayer take(geo::Envelope& bounds) {
        bounds.expand(bounds_);
        return std::move(layer_);
    }

private:
    geo::GeosContext context_;
    geo::CrsTransform transform_;
    SourceLayer layer_;
    geo::Envelope bounds_;
};

std::string network_id(const geo::Plan& plan, std::int32_t network) {
    return network >= 0 ? plan.networks[static_cast<std::size_t>(network)].id : std::string();
}

}  // namespace

TileSource make_tile_source(const geo::Dataset& dataset, const geo::Plan& plan) {
    TileSource source;
    source.name = dataset.name;
    const std::string& crs = dataset.working_crs;
    const std::vector<std::int64_t> colours = geo::network_colour_slots(plan, kNetworkPaletteSize);
    // Each task builds its own layers, two tasks at a time.
    const std::vector<std::function<void(std::vector<SourceLayer>&, geo::Envelope&)>> tasks{
        [&](std::vector<SourceLayer>& out, geo::Envelope& box) {
            LayerBuilder areas(crs, "areas", GeometryType::polygon,
                               {"code", "name", "population", "density", "network_id", "gap", "nearest_practice_m"}, true, true);
            LayerBuilder gaps(crs, "gaps", GeometryType::polygon, {"code", "population", "nearest_practice_m", "reason"}, true, false);
            for (std::size_t a = 0; a < dataset.areas.size(); ++a) {
                const geo::Area& area = dataset.areas[a];
                const geo::AreaCoverage& cov = plan.coverage[a];
                const double km2 = plan.graph.area[a] / 1e6;
                areas.add(area.geometry.get(), {area.code, area.name, area.population, km2 > 0 ? std::round(area.population / km2) : 0.0,
                                                network_id(plan, plan.areas[a].network), cov.gap, std::round(cov.nearest_practice_m)});
                if (cov.gap) gaps.add(area.geometry.get(), {area.code, area.population, std::round(cov.nearest_practice_m), cov.gap_reason});
            }
            out.push_back(areas.take(box));
            out.push_back(gaps.take(box));
        },
        [&](std::vector<SourceLayer>& out, geo::Envelope& box) {
            LayerBuilder networks(crs, "networks", GeometryType::polygon,
                                  {"network_id", "name", "list_size", "population", "practice_count", "status", "band_cause", "cohesion",
                                   "polsby_popper", "constraint", "colour"},
                                  true, false);
            for (std::size_t i = 0; i < plan.networks.size(); ++i) {
                const geo::Network& n = plan.networks[i];
                networks.add(n.polygon.get(), {n.id, n.name, n.metrics.list_size, n.metrics.population,
                                               static_cast<std::int64_t>(n.practices.size()), std::string(geo::to_string(n.metrics.status)),
                                               std::string(geo::to_string(n.band_cause)), n.metrics.cohesion, n.metrics.polsby_popper,
                                               n.constraint_value, colours[i]});
            }
            out.push_back(networks.take(box));
            LayerBuilder borders(crs, "network_borders", GeometryType::linestring, {"network_a", "network_b"}, false, false);
            for (const geo::NetworkBorder& b : plan.borders) {
                borders.add(b.line.get(), {plan.networks[b.network_a].id, plan.networks[b.network_b].id});
            }
            out.push_back(borders.take(box));
        },
        [&](std::vector<SourceLayer>& out, geo::Envelope& box) {
            LayerBuilder catchments(crs, "catchments", GeometryType::polygon,
                                    {"practice_code", "practice_name", "network_id", "registered", "population", "share"}, true, true);
            LayerBuilder labels(crs, "catchment_labels", GeometryType::point, {"practice_code", "practice_name", "network_id"}, false,
                                false);
            for (const geo::Catchment& c : plan.catchments) {
                const geo::Practice& p = dataset.practices[c.practice];
                const std::string network = network_id(plan, plan.practice_network[c.practice]);
                catchments.add(c.polygon.get(), {p.code, p.name, network, c.registered, c.population, c.share});
                if (c.polygon) {
                    geo::GeosContext& context = labels.context();
                    const geo::Geometry label =
                        geo::adopt(context, GEOSPointOnSurface_r(context.handle(), c.polygon.get()), "placing a catchment label");
                    labels.add(label.get(), {p.code, p.name, network});
                }
            }
            out.push_back(catchments.take(box));
            out.push_back(labels.take(box));
        },
        [&](std::vector<SourceLayer>& out, geo::Envelope& box) {
            LayerBuilder practices(crs, "practices", GeometryType::point,
                                   {"code", "name", "list_size", "network_id", "network_name", "status"}, false, false);
            for (std::size_t i = 0; i < dataset.practices.size(); ++i) {
                const geo::Practice& p = dataset.practices[i];
                const std::int32_t n = plan.practice_network[i];
                const geo::Geometry point = geo::make_point(practices.context(), p.location.x, p.location.y);
                practices.add(point.get(), {p.code, p.name, p.list_size, network_id(plan, n),
                                            n >= 0 ? plan.networks[static_cast<std::size_t>(n)].name : std::string(),
                                            n >= 0 ? std::string(geo::to_string(plan.networks[static_cast<std::size_t>(n)].metrics.status))
                                                   : std::string("excluded")});
            }
            out.push_back(practices.take(box));
        },
    };
    std::vector<std::vector<SourceLayer>> built(tasks.size());
    std::vector<geo::Envelope> bounds(tasks.size());
    geo::parallel_for(tasks.size(), kBuildThreads, [&](std::size_t t, unsigned) { tasks[t](built[t], bounds[t]); });
    // Layer order: networks, network_borders, catchments, catchment_labels, practices, areas, gaps.
    for (const std::size_t t : {1, 2, 3, 0}) {
        for (SourceLayer& layer : built[t]) source.layers.push_back(std::move(layer));
        source.bounds.expand(bounds[t]);
    }

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
