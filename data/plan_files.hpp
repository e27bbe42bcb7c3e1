#pragma once
// Plans read back (as a baseline to re-plan from, or to compare) and practices to open read from
// any OGR point source.
#include "geo/baseline.hpp"
#include "geo/what_if.hpp"

#include <string>
#include <vector>

namespace data {

/// The networks of a plan written by `catchment plan`: its GeoPackage (layer `practices`, fields
/// practice_code, network_id, network_name, list_size) or the STEM-networks.csv written beside
/// every output (ePCN columns: Partner Organisation Code, PCN Code, PCN Name, List Size). Throws
/// InputError naming the file, layer and missing field, or the row of a bad value.
geo::Baseline read_plan_networks(const std::string& path);

/// Practices to open: points of any OGR source with a `code` field and optional `name` and
/// `list_size` (a whole number; empty or 0: as the gravity model gives), reprojected from the
/// source's CRS to `working_crs`. Throws InputError naming the file, row and field.
std::vector<geo::NewPractice> read_new_practices(const std::string& path, const std::string& working_crs);

/// Writes the networks that differ between two plans as one layer, `network_changes`, to a new file
/// (`.gpkg`, `.geojson`, `.fgb` or `.shp`): created and changed networks with their shape in `after`,
/// dissolved ones with their shape in `before` (a plan's GeoPackage; other sources give no shapes).
/// Fields: network_id, network_name, change, list_size_before, list_size_after, practices_joined,
/// practices_left. Appears whole or not at all.
void write_network_changes(const std::string& out, const geo::PlanDiff& diff, const std::string& before, const std::string& after);

}  // namespace data
