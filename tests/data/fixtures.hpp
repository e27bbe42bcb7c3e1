#pragma once
// Small input files that the data tests write for themselves, and the settings that describe them.
#include "data/description.hpp"
#include "temp_dir.hpp"

#include <filesystem>
#include <map>
#include <string>

namespace fixtures {

using test_support::TempDir;

/// Two 1 km squares (CSV with WKT, British National Grid), two practices with x/y and list sizes,
/// and registrations with one NO2011 row and one row for an unknown practice. Valid as written.
struct SmallDataset {
    std::string areas_csv =
        "code,name,pop,WKT\n"
        "A1,Area one,100,\"POLYGON ((530000 180000,531000 180000,531000 181000,530000 181000,530000 180000))\"\n"
        "A2,Area two,200,\"POLYGON ((531000 180000,532000 180000,532000 181000,531000 181000,531000 180000))\"\n";
    std::string practices_csv =
        "code,name,x,y,list,postcode\n"
        "P1,One,530500,180500,1000,E1 1BU\n"
        "P2,Two,531500,180500,2000,e1 6ab\n";
    std::string registrations_csv =
        "practice,area,patients\n"
        "P1,A1,800\n"
        "P1,A2,200\n"
        "P2,A2,1900\n"
        "P2,NO2011,100\n"
        "P9,A1,5\n";
    std::string postcodes_csv =
        "Postcode,Eastings,Northings\n"
        "\"E1 1BU\",530500,180500\n"
        "\"E1 6AB\",531500,180500\n";

    /// Writes the files into `dir` and returns settings describing them.
    data::Settings write(const TempDir& dir) const;
};

/// Settings describing files laid out as SmallDataset's, wherever they are (a folder, GDAL's /vsimem/).
data::Settings small_dataset_settings(const std::string& areas, const std::string& practices, const std::string& registrations);

}  // namespace fixtures
