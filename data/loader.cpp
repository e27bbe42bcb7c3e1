#include "data/loader.hpp"

#include "data/readers.hpp"

namespace data {

namespace {

/// Sums registrations into list sizes, or checks a list-size field against them.
void reconcile_list_sizes(const DatasetDescription& description, geo::Dataset& out) {
    if (!description.registrations) return;
    std::vector<std::int64_t> summed(out.practices.size(), 0);
    for (const geo::Registration& row : out.registrations) {
        if (row.practice >= 0) summed[static_cast<std::size_t>(row.practice)] += row.patients;
    }
    out.list_size_from_registrations = description.practices.list_size_field.empty();
    for (std::size_t i = 0; i < out.practices.size(); ++i) {
        geo::Practice& practice = out.practices[i];
        if (out.list_size_from_registrations) {
            practice.list_size = summed[i];
        } else if (practice.list_size != summed[i]) {
            out.list_size_mismatches.push_back({practice.code, practice.list_size, summed[i]});
        }
    }
}

}  // namespace

geo::Dataset load_dataset(const DatasetDescription& description, Progress& progress) {
    const auto working = spatial_reference(description.working_crs, description.origin, "working_crs");
    if (!working->IsProjected()) {
        throw setting_error(description.origin, "working_crs",
                            "'" + description.working_crs +
                                "' is not a projected CRS; distances and areas need metres (e.g. EPSG:27700)");
    }
    geo::Dataset out;
    out.name = description.name;
    out.working_crs = description.working_crs;
    read_areas(description, *working, out, progress);
    read_practices(description, *working, out, progress);
    if (description.registrations) read_registrations(*description.registrations, out, progress);
    reconcile_list_sizes(description, out);
    return out;
}

}  // namespace data
