// libFuzzer target: the loaders fed in-memory GDAL datasets. The first byte picks which input the rest
// replaces in a small valid dataset (two 1 km squares, two practices, their registrations): the areas
// as CSV with WKT or as GeoJSON, the practices or the registrations as CSV. What loads is then planned.
// Bad input must end in data::InputError (or geo::PlanError from planning); anything else is a finding.
#include "data/description.hpp"
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

const std::string kAreasCsv =
    "code,name,pop,WKT\n"
    "A1,Area one,100,\"POLYGON ((530000 180000,531000 180000,531000 181000,530000 181000,530000 180000))\"\n"
    "A2,Area two,200,\"POLYGON ((531000 180000,532000 180000,532000 181000,531000 181000,531000 180000))\"\n";
const std::string kPracticesCsv = "code,name,x,y,list\nP1,One,530500,180500,1000\nP2,Two,531500,180500,1900\n";
const std::string kRegistrationsCsv = "practice,area,patients\nP1,A1,900\nP1,A2,100\nP2,A2,1900\n";

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
    put(areas, which == 0 || which == 1 ? input : kAreasCsv);
    put("/vsimem/fuzz/practices.csv", which == 2 ? input : kPracticesCsv);
    put("/vsimem/fuzz/registrations.csv", which == 3 ? input : kRegistrationsCsv);

    data::Settings s;
    s.origin = "fuzz";
    s.set("areas.source", areas);
    if (which != 1) {
        s.set("areas.geometry_field", "WKT");
        s.set("areas.crs", "EPSG:27700");
    }
    s.set("areas.id_field", "code");
    s.set("areas.name_field", "name");
    s.set("areas.population_field", "pop");
    s.set("practices.source", "/vsimem/fuzz/practices.csv");
    s.set("practices.id_field", "code");
    s.set("practices.name_field", "name");
    s.set("practices.x_field", "x");
    s.set("practices.y_field", "y");
    s.set("practices.crs", "EPSG:27700");
    s.set("practices.list_size_field", "list");
    s.set("registrations.source", "/vsimem/fuzz/registrations.csv");
    s.set("registrations.practice_field", "practice");
    s.set("registrations.area_field", "area");
    s.set("registrations.patients_field", "patients");
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
