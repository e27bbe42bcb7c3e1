#include "geo/dataset.hpp"

#include <algorithm>

namespace geo {

namespace {
int index_of(const std::vector<std::string>& names, const std::string& name) {
    const auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}
}  // namespace

int Dataset::area_field(const std::string& field) const { return index_of(area_fields, field); }
int Dataset::practice_field(const std::string& field) const { return index_of(practice_fields, field); }

Dataset copy_dataset(const Dataset& source) {
    Dataset copy;
    copy.name = source.name;
    copy.attribution = source.attribution;
    copy.group_names = source.group_names;
    copy.working_crs = source.working_crs;
    copy.areas.reserve(source.areas.size());
    for (const Area& area : source.areas) {
        Area& out = copy.areas.emplace_back();
        out.code = area.code;
        out.name = area.name;
        out.group = area.group;
        out.population = area.population;
        out.attributes = area.attributes;
        if (area.geometry) {
            out.geometry = adopt(*copy.geos, GEOSGeom_clone_r(copy.geos->handle(), area.geometry.get()), "copying an area");
        } else {
            out.geometry = Geometry(nullptr, GeometryDeleter{});
        }
    }
    copy.practices = source.practices;
    copy.registrations = source.registrations;
    copy.travel_times = source.travel_times;
    copy.area_fields = source.area_fields;
    copy.practice_fields = source.practice_fields;
    copy.area_field_types = source.area_field_types;
    copy.practice_field_types = source.practice_field_types;
    copy.sources = source.sources;
    copy.repaired_areas = source.repaired_areas;
    copy.unplaced_practices = source.unplaced_practices;
    copy.list_size_mismatches = source.list_size_mismatches;
    copy.population_rows_unmatched = source.population_rows_unmatched;
    copy.travel_times_unmatched = source.travel_times_unmatched;
    copy.list_size_from_registrations = source.list_size_from_registrations;
    return copy;
}

}  // namespace geo
