#include "data/readers.hpp"

#include "geo/parallel.hpp"

#include <algorithm>
#include <vector>

namespace data {

void UniqueKeys::add(const std::string& key, const LayerReader& layer, const OGRFeature& feature, int field) {
    const auto [it, inserted] = first_seen_.emplace(key, feature.GetFID());
    if (!inserted) {
        layer.fail(&feature, field,
                   "duplicate id '" + key + "' (expected unique values; first at " + layer.row_label(it->second) + ")");
    }
}

namespace {

bool is_area_type(OGRwkbGeometryType type) {
    switch (wkbFlatten(type)) {
        case wkbPolygon:
        case wkbMultiPolygon:
        case wkbCurvePolygon:
        case wkbMultiSurface:
            return true;
        default:
            return false;
    }
}

/// The feature's polygon in the working CRS as a GEOS geometry (validity is checked afterwards).
geo::Geometry area_geometry(OGRFeature& feature, int geometry_field, const LayerReader& layer, const ToWorkingCrs& to_working,
                            geo::GeosContext& geos) {
    OGRGeometry* geometry = geometry_field >= 0 ? feature.GetGeomFieldRef(geometry_field) : feature.GetGeometryRef();
    if (geometry == nullptr) layer.fail(&feature, -1, "expected a polygon, got no geometry");
    if (geometry->IsEmpty()) layer.fail(&feature, -1, "expected a polygon, got an empty geometry");
    if (!is_area_type(geometry->getGeometryType())) {
        layer.fail(&feature, -1, std::string("expected a Polygon or MultiPolygon, got a ") + OGRGeometryTypeToName(wkbFlatten(geometry->getGeometryType())));
    }
    std::unique_ptr<OGRGeometry> linear;
    if (geometry->hasCurveGeometry()) {
        linear.reset(geometry->getLinearGeometry());
        geometry = linear.get();
    }
    geometry->flattenTo2D();
    to_working.apply(*geometry, layer, feature);
    std::vector<unsigned char> wkb(static_cast<std::size_t>(geometry->WkbSize()));
    geometry->exportToWkb(wkbNDR, wkb.data(), wkbVariantIso);
    try {
        return geo::from_wkb(geos, wkb);
    } catch (const geo::GeosError& e) {
        layer.fail(&feature, -1, std::string("geometry cannot be read: ") + e.what());
    }
}

/// Repairs the areas that are not valid. The validity checks, the slow part, run in parallel: each
/// worker reads geometries with a GEOS context of its own; repairs (rare) use the dataset's.
void repair_areas(LayerReader& layer, const std::vector<GIntBig>& fids, geo::Dataset& out) {
    std::vector<char> valid(out.areas.size(), 0);
    const unsigned workers = geo::worker_count(0, out.areas.size());
    std::vector<std::unique_ptr<geo::GeosContext>> contexts;
    for (unsigned w = 0; w < workers; ++w) contexts.push_back(std::make_unique<geo::GeosContext>());
    geo::parallel_for(out.areas.size(), workers, [&](std::size_t i, unsigned worker) {
        valid[i] = GEOSisValid_r(contexts[worker]->handle(), out.areas[i].geometry.get()) == 1;
    });
    for (std::size_t i = 0; i < out.areas.size(); ++i) {
        if (valid[i]) continue;
        geo::Area& area = out.areas[i];
        try {
            geo::PolygonalRepair repair = geo::make_valid_polygonal(*out.geos, std::move(area.geometry));
            if (repair.repaired) out.repaired_areas.push_back({area.code, repair.reason});
            area.geometry = std::move(repair.geometry);
        } catch (const geo::GeosError& e) {
            const OGRFeatureUniquePtr feature(layer.layer().GetFeature(fids[i]));
            const std::string problem = std::string("geometry cannot be repaired: ") + e.what();
            if (feature) layer.fail(feature.get(), -1, problem);
            layer.fail_layer("area '" + area.code + "': " + problem);
        }
    }
}

/// Population by area code from a separate table.
std::unordered_map<std::string, std::int64_t> read_population_table(const JoinSpec& spec, geo::Dataset& out,
                                                                    Progress& progress) {
    LayerReader table(spec.layer, "population");
    const int key = table.field(spec.key_field, "population.key_field");
    const int value = table.field(spec.value_field, "population.value_field");
    std::unordered_map<std::string, std::int64_t> population;
    UniqueKeys keys;
    progress.begin("population", table.feature_count());
    while (OGRFeatureUniquePtr row = table.next()) {
        const std::string code = table.required_text(*row, key, "an area code");
        keys.add(code, table, *row, key);
        population.emplace(code, table.count(*row, value));
        if (keys.size() % kProgressEvery == 0) progress.update(static_cast<std::int64_t>(keys.size()));
    }
    progress.end();
    if (population.empty()) table.fail_layer(spec.layer.where.empty() ? "has no rows" : "no rows match population.where");
    out.sources.push_back(table.info());
    return population;
}

}  // namespace

void read_areas(const DatasetDescription& description, const OGRSpatialReference& working, geo::Dataset& out,
                Progress& progress) {
    const AreaSpec& spec = description.areas;
    LayerReader layer(spec.layer, "areas", spec.geometry_field);
    const int id = layer.field(spec.id_field, "areas.id_field");
    const int name = layer.field(spec.name_field, "areas.name_field");
    const int group = layer.field(spec.group_field, "areas.group_field");
    const int group_name = layer.field(spec.group_name_field, "areas.group_name_field");
    const int population = layer.field(spec.population_field, "areas.population_field");
    if (layer.layer().GetLayerDefn()->GetGeomFieldCount() == 0) {
        layer.fail_layer("has no geometry; areas must be polygons (for CSV, name the WKT column with "
                         "areas.geometry_field)");
    }
    const int geometry_field =
        spec.geometry_field.empty() ? -1 : layer.layer().GetLayerDefn()->GetGeomFieldIndex(spec.geometry_field.c_str());
    const ToWorkingCrs to_working(layer.require_crs("the area geometries"), working, layer);
    layer.check_area_of_use();

    geo::GeosContext& geos = *out.geos;
    out.area_fields = layer.field_names();
    out.area_field_types = layer.field_types();
    UniqueKeys keys;
    std::vector<GIntBig> fids;
    progress.begin("areas", layer.feature_count());
    while (OGRFeatureUniquePtr feature = layer.next()) {
        geo::Area area;
        area.code = layer.required_text(*feature, id, "an area code");
        keys.add(area.code, layer, *feature, id);
        if (name >= 0) area.name = layer.text(*feature, name);
        if (group >= 0) area.group = layer.text(*feature, group);
        if (group >= 0 && group_name >= 0) out.group_names.emplace(area.group, layer.text(*feature, group_name));  // the first name a group has
        if (population >= 0) area.population = layer.count(*feature, population);
        area.attributes = layer.all_text(*feature);
        area.geometry = area_geometry(*feature, geometry_field, layer, to_working, geos);
        if (!geo::is_polygonal(geos, area.geometry.get())) {
            layer.fail(feature.get(), -1, "expected a Polygon or MultiPolygon, got a " + geo::type_name(geos, area.geometry.get()));
        }
        fids.push_back(feature->GetFID());
        out.areas.push_back(std::move(area));
        if (out.areas.size() % 256 == 0) progress.update(static_cast<std::int64_t>(out.areas.size()));
    }
    progress.end();
    if (out.areas.empty()) layer.fail_layer(spec.layer.where.empty() ? "has no features" : "no features match areas.where");
    repair_areas(layer, fids, out);
    out.sources.push_back(layer.info());

    if (!description.population) return;
    const auto table = read_population_table(*description.population, out, progress);
    for (geo::Area& area : out.areas) {
        auto it = table.find(area.code);
        if (it == table.end()) {
            InputLocation where{description.population->layer.source, {}, {}, description.population->key_field};
            throw InputError(where, "no population row for area '" + area.code + "' (expected one row per area)");
        }
        area.population = it->second;
    }
    if (table.size() > out.areas.size()) {
        std::unordered_map<std::string, bool> known;
        for (const geo::Area& area : out.areas) known.emplace(area.code, true);
        for (const auto& [code, value] : table) {
            if (!known.contains(code)) out.population_rows_unmatched.push_back(code);
        }
        std::sort(out.population_rows_unmatched.begin(), out.population_rows_unmatched.end());
    }
}

}  // namespace data
