#pragma once
// Writes a plan for GIS: practices, areas, catchments, core catchments (when planned), networks,
// network borders and coverage gaps as vector layers, plus an ePCN-shaped CSV of who is in which
// network. Output appears whole or not at all, and the same plan gives byte-identical files.
#include "data/plan_record.hpp"
#include "geo/dataset.hpp"
#include "geo/plan.hpp"

#include <filesystem>
#include <functional>
#include <string>

namespace data {

/// Throws InputError naming `out` when its extension is not one write_plan supports or its directory
/// does not exist. Lets a command fail before the long work rather than after it.
void check_plan_output(const std::filesystem::path& out);

/// The format follows the extension: `.gpkg` holds every layer in one GeoPackage; `.geojson`, `.fgb`
/// and `.shp` put the `networks` layer in `out` and every other layer beside it as
/// `<stem>-<layer><ext>`. GeoJSON is in WGS 84 lon/lat (RFC 7946); the others in the working CRS.
/// `<stem>-networks.csv` is written beside `out` in every case.
/// Layer types are MultiPolygon, MultiLineString and Point. Two limits of GDAL 3.6's writers: GeoJSON
/// (RFC 7946) writes a single-part geometry as Polygon or LineString, and FlatGeobuf skips features
/// without geometry (e.g. the catchment of a practice that has no areas); every other format keeps
/// those with a null geometry.
/// Throws InputError (naming the path) for an unsupported extension or when writing fails; then no
/// file is left behind.
struct PlanFileOptions {
    /// When given (and the output is a GeoPackage): the plan's record and snapshot go in with the layers
    /// (data/plan_record.hpp), so that `catchment serve --plan` and the plan store serve it as it is.
    const PlanRecord* record = nullptr;
    bool networks_csv = true;  // <stem>-networks.csv beside the output
    /// Asked between features: true gives up (WriteCancelled), leaving nothing behind.
    std::function<bool()> cancelled;
};
/// Thrown by write_plan when PlanFileOptions::cancelled said so. Not a failure of the data or the disk.
struct WriteCancelled {};
void write_plan(const std::filesystem::path& out, const geo::Dataset& dataset, const geo::Plan& plan, const PlanFileOptions& options = {});

/// The ePCN-shaped CSV: "Partner Organisation Code,Partner Name,PCN Code,PCN Name,List Size" (re-planned
/// from a baseline, also "Baseline PCN Code,Moved": the practice's baseline network and whether it left it); one row
/// per practice in a network, sorted by network id then practice code; CRLF line ends (RFC 4180).
std::string networks_csv(const geo::Dataset& dataset, const geo::Plan& plan);

}  // namespace data
