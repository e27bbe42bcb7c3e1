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

}  // namespace data
