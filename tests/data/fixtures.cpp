#include "fixtures.hpp"

#include <fstream>
#include <stdexcept>
#include <stdlib.h>

namespace fixtures {

data::Settings SmallDataset::write(const TempDir& dir) const {
    dir.write("postcodes.csv", postcodes_csv);
    return small_dataset_settings(dir.write("areas.csv", areas_csv), dir.write("practices.csv", practices_csv),
                                  dir.write("registrations.csv", registrations_csv));
}

data::Settings small_dataset_settings(const std::string& areas, const std::string& practices, const std::string& registrations) {
    data::Settings s;
    s.set("areas.source", areas);
    s.set("areas.geometry_field", "WKT");
    s.set("areas.crs", "EPSG:27700");
    s.set("areas.id_field", "code");
    s.set("areas.name_field", "name");
    s.set("areas.population_field", "pop");
    s.set("practices.source", practices);
    s.set("practices.id_field", "code");
    s.set("practices.name_field", "name");
    s.set("practices.x_field", "x");
    s.set("practices.y_field", "y");
    s.set("practices.crs", "EPSG:27700");
    s.set("practices.list_size_field", "list");
    s.set("registrations.source", registrations);
    s.set("registrations.practice_field", "practice");
    s.set("registrations.area_field", "area");
    s.set("registrations.patients_field", "patients");
    return s;
}

}  // namespace fixtures
