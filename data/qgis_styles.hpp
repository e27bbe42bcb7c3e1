#pragma once
// Default QGIS styles for a plan GeoPackage. Each is a QML document (QGIS's own style format), stored in
// the GeoPackage's `layer_styles` table as QGIS itself stores styles, and marked as the layer's default,
// so QGIS draws the layers styled as soon as they are added.
#include "geo/plan.hpp"

#include <string>
#include <vector>

class GDALDataset;

namespace data {

struct QgisStyle {
    std::string layer;        // the table it styles
    std::string description;  // one line for QGIS's style manager
    std::string qml;
};

/// One style per plan layer: networks categorised by id with neighbours in different colours (out-of-band
/// networks also get a dashed outline in their status colour), practices as circles sized by list size and
/// coloured by their network's status, gaps hatched red, borders dark lines, the rest as outlines.
/// The same plan gives the same documents.
std::vector<QgisStyle> qgis_styles(const geo::Plan& plan);

/// Creates the `layer_styles` table (the QGIS convention: f_table_catalog, f_table_schema, f_table_name,
/// f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, owner, ui, update_time)
/// in an open GeoPackage, registered in gpkg_contents as attributes, with each style as the default for
/// its layer. Styles for layers the GeoPackage lacks are skipped. update_time is fixed, so the file stays
/// reproducible. Throws std::runtime_error with GDAL's message when writing fails.
void write_layer_styles(GDALDataset& geopackage, const std::vector<QgisStyle>& styles);

}  // namespace data
