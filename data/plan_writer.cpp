#include "data/plan_writer.hpp"

#include "data/atomic_file.hpp"
#include "data/errors.hpp"
#include "data/qgis_styles.hpp"
#include "data/vector_writer.hpp"
#include "geo/output_layers.hpp"
#include "geo/plan_snapshot.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace data {

namespace {

void write_layer(VectorOutput& out, const geo::LayerSchema& layer, const geo::Dataset& dataset, const geo::Plan& plan, const GeosToOgr& to_ogr,
                 const std::function<bool()>& cancelled) {
    constexpr std::size_t kCheckEvery = 256;
    const LayerSpec spec = layer_spec(layer);
    const geo::LayerFeatures features = geo::layer_features(layer, dataset, plan);
    out.begin_layer(spec);
    for (std::size_t i = 0; i < features.features.size(); ++i) {
        if (cancelled && i % kCheckEvery == 0 && cancelled()) throw WriteCancelled{};
        const geo::LayerFeature& feature = features.features[i];
        out.add(to_ogr(feature.geometry, spec.geometry_type), feature.values);
    }
    out.end_layer();
}

std::string baseline_network(const geo::Plan& plan, std::size_t practice) {
    return practice < plan.practice_baseline.size() ? plan.practice_baseline[practice] : std::string();
}
bool moved(const geo::Plan& plan, std::size_t practice) { return practice < plan.practice_moved.size() && plan.practice_moved[practice]; }

/// One CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

}  // namespace

void check_plan_output(const std::filesystem::path& out) {
    const InputLocation where{out.string(), {}, {}, {}};
    if (!vector_format_of(out)) {
        throw InputError(where, "unsupported output format '" + out.extension().string() + "' (expected one of " +
                                    supported_vector_extensions() + ")");
    }
    check_output_file(out, "plan" + out.extension().string());
}

std::string networks_csv(const geo::Dataset& dataset, const geo::Plan& plan) {
    geo::check_plan_links(dataset, plan);
    std::vector<std::tuple<std::string, std::string, std::size_t>> rows;  // network id, practice code, practice
    for (std::size_t i = 0; i < dataset.practices.size(); ++i) {
        if (const std::int32_t network = plan.practice_network[i]; network >= 0) {
            rows.emplace_back(plan.networks[static_cast<std::size_t>(network)].id, dataset.practices[i].code, i);
        }
    }
    std::sort(rows.begin(), rows.end());
    const bool with_baseline = plan.options.baseline != nullptr;
    std::string csv = std::string("Partner Organisation Code,Partner Name,PCN Code,PCN Name,List Size") +
                      (with_baseline ? ",Baseline PCN Code,Moved" : "") + "\r\n";
    for (const auto& [network_id, code, practice_index] : rows) {
        const geo::Practice& practice = dataset.practices[practice_index];
        const geo::Network& network = plan.networks[static_cast<std::size_t>(plan.practice_network[practice_index])];
        csv += csv_field(practice.code) + ',' + csv_field(practice.name) + ',' + csv_field(network.id) + ',' +
               csv_field(network.name) + ',' + std::to_string(practice.list_size);
        if (with_baseline) {
            csv += ',' + csv_field(baseline_network(plan, practice_index)) + ',' + (moved(plan, practice_index) ? "true" : "false");
        }
        csv += "\r\n";
    }
    return csv;
}

void write_plan(const std::filesystem::path& out, const geo::Dataset& dataset, const geo::Plan& plan, const PlanFileOptions& options) {
    check_plan_output(out);
    geo::check_plan_links(dataset, plan);  // nothing out of range is written as null
    const std::string csv = networks_csv(dataset, plan);
    const GeosToOgr to_ogr(*dataset.geos);
    VectorOutput output(out, dataset.working_crs, "networks");
    const auto check_cancelled = [&options] {
        if (options.cancelled && options.cancelled()) throw WriteCancelled{};
    };
    for (const geo::LayerSchema& layer : geo::dataset_layers(dataset, geo::in_files)) {
        if (layer.id == "core_catchments" && plan.core_catchments.empty()) continue;  // only a core-method plan has them
        check_cancelled();  // (before each layer's features are computed, too)
        write_layer(output, layer, dataset, plan, to_ogr, options.cancelled);
    }
    check_cancelled();
    if (GDALDataset* geopackage = output.geopackage()) {
        try {
            write_layer_styles(*geopackage, qgis_styles(plan));  // QGIS draws every layer styled on open
            // In gpkg_metadata, where GDAL and QGIS show a GeoPackage's metadata.
            if (!dataset.attribution.empty() && geopackage->SetMetadataItem("ATTRIBUTION", dataset.attribution.c_str()) != CE_None) {
                throw std::runtime_error("cannot write the attribution into the GeoPackage's metadata");
            }
            if (options.record != nullptr) write_plan_record(*geopackage, *options.record, geo::encode_plan(plan));
        } catch (const std::runtime_error& error) {
            throw InputError({out.string(), {}, {}, {}}, error.what());
        }
    }
    if (options.networks_csv) output.add_text_file("-networks.csv", csv);
    output.commit();
}

}  // namespace data
