#include "fixtures.hpp"

#include <fstream>
#include <stdexcept>
#include <stdlib.h>

namespace fixtures {

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "catchment-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a temporary directory");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::write(const std::string& name, const std::string& content) const {
    const std::filesystem::path file = path_ / name;
    std::ofstream(file, std::ios::binary) << content;
    return file.string();
}

data::Settings SmallDataset::write(const TempDir& dir) const {
    data::Settings s;
    s.set("areas.source", dir.write("areas.csv", areas_csv));
    s.set("areas.geometry_field", "WKT");
    s.set("areas.crs", "EPSG:27700");
    s.set("areas.id_field", "code");
    s.set("areas.name_field", "name");
    s.set("areas.population_field", "pop");
    s.set("practices.source", dir.write("practices.csv", practices_csv));
    s.set("practices.id_field", "code");
    s.set("practices.name_field", "name");
    s.set("practices.x_field", "x");
    s.set("practices.y_field", "y");
    s.set("practices.crs", "EPSG:27700");
    s.set("practices.list_size_field", "list");
    s.set("registrations.source", dir.write("registrations.csv", registrations_csv));
    s.set("registrations.practice_field", "practice");
    s.set("registrations.area_field", "area");
    s.set("registrations.patients_field", "patients");
    dir.write("postcodes.csv", postcodes_csv);
    return s;
}

}  // namespace fixtures
