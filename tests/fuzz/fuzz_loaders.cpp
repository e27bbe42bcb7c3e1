// libFuzzer target: the loaders fed in-memory GDAL datasets. The first byte picks which input the rest
// replaces in the data tests' small valid dataset (tests/data/fixtures.hpp): the areas
// as CSV with WKT or as GeoJSON, the practices or the registrations as CSV. What loads is then planned.
// Bad input must end in data::InputError (or geo::PlanError from planning); anything else is a finding.
#include "data/description.hpp"
#include "data/fixtures.hpp"
#include "data/errors.hpp"
#include "data/loader.hpp"
#include "geo/geos.hpp"
#include "geo/plan.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>

#include <cstdint>
#include <string>

namespace {

/// Puts `bytes` at `path` in GDAL's memory file system (a copy, freed by unlink).
void put(const std::string& path, const std::string& bytes) {
    auto* copy = static_cast<GByte*>(CPLMalloc(bytes.size() + 1));
    std::copy(bytes.begin(), bytes.end(), copy);
    VSIFCloseL(VSIFileFromMemBuffer(path.c_str(), copy, static_cast<vsi_l_offset>(bytes.size()), TRUE));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    CPLSetErrorHandler(CPLQuietErrorHandler);  // GDAL's own warnings; our errors are exceptions
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const int which = data[0] % 4;
    const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::string areas = which == 1 ? "/vsimem/fuzz/areas.geojson" : "/vsimem/fuzz/areas.csv";
    const fixtures::SmallDataset valid;
    put(areas, which == 0 || which == 1 ? input : valid.areas_csv);
    put("/vsimem/fuzz/practices.csv", which == 2 ? input : valid.practices_csv);
    put("/vsimem/fuzz/registrations.csv", which == 3 ? input : valid.registrations_csv);

    data::Settings s = fixtures::small_dataset_settings(areas, "/vsimem/fuzz/practices.csv", "/vsimem/fuzz/registrations.csv");
    if (which == 1) {  // GeoJSON: geometry and CRS from the file
        s.values.erase("areas.geometry_field");
        s.values.erase("areas.crs");
    }
    try {
        data::Progress quiet;
        const geo::Dataset dataset = data::load_dataset(data::describe(s), quiet);
        geo::PlanOptions options;
        options.min_list_size = 100;
        options.max_list_size = 5000;
        options.construction_runs = 1;
        options.sweeps = 5;
        options.threads = 1;
        geo::GeosContext context;
        geo::plan(dataset, options, context);
    } catch (const data::InputError&) {
    } catch (const geo::PlanError&) {
    }
    VSIUnlink(areas.c_str());
    VSIUnlink("/vsimem/fuzz/practices.csv");
    VSIUnlink("/vsimem/fuzz/registrations.csv");
    return 0;
}
