#include "data/loader.hpp"

#include "data/readers.hpp"

#include <exception>
#include <thread>

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
    ensure_gdal_ready();
    // The registrations, the largest table, load on a thread of their own meanwhile. When both fail,
    // the areas' or practices' error is the one reported, as it would be without the thread.
    RegistrationRows rows;
    std::exception_ptr registration_error;
    std::thread registrations;
    if (description.registrations) {
        registrations = std::thread([&] {
            try {
                rows = read_registration_rows(*description.registrations);
            } catch (...) {
                registration_error = std::current_exception();
            }
        });
    }
    try {
        read_areas(description, *working, out, progress);
        read_practices(description, *working, out, progress);
    } catch (...) {
        if (registrations.joinable()) registrations.join();
        throw;
    }
    if (registrations.joinable()) {
        progress.begin("registrations", 0);
        registrations.join();
        progress.end();
        if (registration_error) std::rethrow_exception(registration_error);
        join_registrations(*description.registrations, std::move(rows), out);
    }
    reconcile_list_sizes(description, out);
    return out;
}

}  // namespace data
