#pragma once
// Loads a described dataset through GDAL into the domain model: every geometry transformed into the
// working CRS, polygons repaired, tables joined by key, and every row that does not join kept and
// counted. Bad input throws InputError; nothing is written anywhere.
#include "data/description.hpp"
#include "data/progress.hpp"
#include "geo/dataset.hpp"

namespace data {

geo::Dataset load_dataset(const DatasetDescription& description, Progress& progress);

/// The quick part of loading: the working CRS, and every source opened with its layer and the fields
/// the description names (no row is read). Throws InputError as load_dataset would, so that a server
/// can refuse a dataset that cannot load before it listens.
void check_sources(const DatasetDescription& description);

inline geo::Dataset load_dataset(const DatasetDescription& description) {
    Progress silent;
    return load_dataset(description, silent);
}

}  // namespace data
