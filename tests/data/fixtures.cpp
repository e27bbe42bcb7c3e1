#include "fixtures.hpp"

#include <fstream>
#include <stdexcept>
#include <stdlib.h>

namespace fixtures {

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
