#pragma once
// Loads a described dataset through GDAL into the domain model: every geometry transformed into the
// working CRS, polygons repaired, tables joined by key, and every row that does not join kept and
// counted. Bad input throws InputError; nothing is written anywhere.
#include "data/description.hpp"
#include "data/progress.hpp"
#include "geo/dataset.hpp"

namespace data {

geo::Dataset load_dataset(const DatasetDescription& description, Progress& progress);

inline geo::Dataset load_dataset(const DatasetDescription& description) {
    Progress silent;
    return load_dataset(description, silent);
}

}  // namespace data
