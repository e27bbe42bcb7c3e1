#include "data/plan_files.hpp"

#include "data/readers.hpp"
#include "data/vector_writer.hpp"

#include <map>

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace data {

namespace {

bool is_csv(const std::string& path) {
    std::string ext = std::filesystem::path(path).extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext == ".csv";
}

/// The network shapes of a plan's GeoPackage by id, and its CRS; empty for any other source.
struct NetworkShapes {
    std::map<std::string, std::unique_ptr<OGRGeometry>> by_id;
    std::string crs;
};

NetworkShapes network_shapes(const std::string& path) {
    NetworkShapes out;
    if (path.empty() || std::filesystem::path(path).extension() != ".gpkg") return out;
    LayerReader layer({path, "networks", {}, {}, {}, {}}, "networks");
    const int id = layer.field("network_id", "a plan's networks layer");
    if (const OGRSpatialReference* srs = layer.source_crs()) {
        const char* authority = srs->GetAuthorityName(nullptr);
        const char* code = srs->GetAuthorityCode(nullptr);
        if (authority != nullptr && code != nullptr) out.crs = std::string(authority) + ":" + code;
    }
    while (OGRFeatureUniquePtr feature = layer.next()) {
        if (const OGRGeometry* geometry = feature->GetGeometryRef()) out.by_id[layer.text(*feature, id)].reset(geometry->clone());
    }
    return out;
}

std::string joined(const std::vector<std::string>& codes) {
    std::string out;
    for (const std::string& code : codes) out += (out.empty() ? "" : ",") + code;
    return out;
}

}  // namespace

void write_network_changes(const std::string& out, const geo::PlanDiff& diff, const std::string& before, const std::string& after) {
    ensure_gdal_ready();
    NetworkShapes old_shapes = network_shapes(before), new_shapes = network_shapes(after);
    const std::string crs = !new_shapes.crs.empty() ? new_shapes.crs : !old_shapes.crs.empty() ? old_shapes.crs : "EPSG:27700";
    const LayerSpec spec{"network_changes", wkbMultiPolygon,
                         {{"network_id", "network_id", FieldKind::text},
                          {"network_name", "net_name", FieldKind::text},
                          {"change", "change", FieldKind::text},
                          {"list_size_before", "size_befor", FieldKind::integer},
                          {"list_size_after", "size_after", FieldKind::integer},
                          {"practices_joined", "joined", FieldKind::text},
                          {"practices_left", "left", FieldKind::text}}};
    VectorOutput output(out, crs, spec.name);
    output.begin_layer(spec);
    for (const geo::PlanDiff::NetworkChange& n : diff.networks) {
        if (n.change == "unchanged") continue;
        auto& shapes = n.change == "dissolved" ? old_shapes.by_id : new_shapes.by_id;
        const auto it = shapes.find(n.id);
        std::unique_ptr<OGRGeometry> shape;
        if (it != shapes.end()) shape.reset(OGRGeometryFactory::forceToMultiPolygon(it->second.release()));
        output.add(std::move(shape), {n.id, n.name, n.change, n.list_size_before, n.list_size_after, joined(n.joined), joined(n.left)});
    }
    output.end_layer();
    output.commit();
}

geo::Baseline read_plan_networks(const std::string& path) {
    ensure_gdal_ready();
    const bool csv = is_csv(path);
    LayerReader layer({path, csv ? std::string() : std::string("practices"), {}, {}, {}, {}}, "baseline");
    const std::string what = "a plan's " + std::string(csv ? "networks CSV" : "practices layer");
    const int code = layer.field(csv ? "Partner Organisation Code" : "practice_code", what);
    const int id = layer.field(csv ? "PCN Code" : "network_id", what);
    const int name = layer.field(csv ? "PCN Name" : "network_name", what);
    const int list_size = layer.field(csv ? "List Size" : "list_size", what);
    geo::Baseline out;
    out.source = path;
    UniqueKeys keys;
    while (OGRFeatureUniquePtr feature = layer.next()) {
        const std::string practice = layer.required_text(*feature, code, "a practice code");
        keys.add(practice, layer, *feature, code);
        out.list_size[practice] = layer.count(*feature, list_size);
        const std::string network = layer.text(*feature, id);
        if (!network.empty()) out.assign(practice, network, layer.text(*feature, name));
    }
    if (out.networks.empty()) layer.fail_layer("names no practice in a network; expected " + what);
    return out;
}

std::vector<geo::NewPractice> read_new_practices(const std::string& path, const std::string& working_crs) {
    ensure_gdal_ready();
    LayerReader layer({path, {}, {}, {}, {}, {}}, "new practices");
    const auto fields = layer.field_names();
    const auto optional = [&](const std::string& field) {
        return std::find(fields.begin(), fields.end(), field) == fields.end() ? -1 : layer.field(field, "new practices");
    };
    const int code = layer.field("code", "new practices: code, name, list_size");
    const int name = optional("name");
    const int list_size = optional("list_size");
    const auto working = spatial_reference(working_crs, path, "working_crs");
    if (layer.layer().GetLayerDefn()->GetGeomFieldCount() == 0 || layer.source_crs() == nullptr) {
        layer.fail_layer("has no points with a CRS; expected a point layer (GeoPackage, GeoJSON, Shapefile...) with fields code, "
                         "name and list_size; for X,Y in the working CRS use --add-practice");
    }
    const ToWorkingCrs to_working(*layer.source_crs(), *working, layer);
    std::vector<geo::NewPractice> out;
    UniqueKeys keys;
    while (OGRFeatureUniquePtr feature = layer.next()) {
        geo::NewPractice practice;
        practice.code = layer.required_text(*feature, code, "a practice code");
        keys.add(practice.code, layer, *feature, code);
        if (name >= 0) practice.name = layer.text(*feature, name);
        if (list_size >= 0 && !layer.text(*feature, list_size).empty()) practice.list_size = layer.count(*feature, list_size);
        const auto point = point_geometry(*feature, layer, to_working);
        if (!point) layer.fail(feature.get(), -1, "expected a point, got no geometry");
        practice.location = *point;
        out.push_back(std::move(practice));
    }
    if (out.empty()) layer.fail_layer("has no features; expected points with a code field");
    return out;
}

}  // namespace data
