#include "data/loader.hpp"

#include "data/readers.hpp"

#include "geo/area_index.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

namespace data {

namespace {

constexpr double kTablesApartM = 50'000;  // practices this far from every area: a CRS is wrong
constexpr double kOutsideAreasM = 100;  // farther than this outside every area (boundaries generalised to 20 m): not in the study

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

const geo::SourceInfo* source(const geo::Dataset& d, const std::string& role) {
    for (const geo::SourceInfo& s : d.sources) {
        if (s.role == role) return &s;
    }
    return nullptr;
}

/// Practices far from every area mean that one table's coordinates were read in the wrong CRS (lon/lat
/// taken for metres, or a CRS override that does not fit): an error naming both tables and their CRSs,
/// rather than a plan where every practice stands in the sea.
void check_tables_meet(const geo::Dataset& out) {
    geo::GeosContext context;
    geo::Envelope areas, practices;
    for (const geo::Area& a : out.areas) areas.expand(geo::envelope_of(context, a.geometry.get()));
    for (const geo::Practice& p : out.practices) practices.expand(p.location.x, p.location.y);
    if (areas.is_empty || practices.is_empty) return;
    const double dx = std::max({0.0, areas.min_x - practices.max_x, practices.min_x - areas.max_x});
    const double dy = std::max({0.0, areas.min_y - practices.max_y, practices.min_y - areas.max_y});
    const double gap_m = std::hypot(dx, dy);
    if (gap_m <= kTablesApartM) return;
    const geo::SourceInfo* area_source = source(out, "areas");
    const geo::SourceInfo* practice_source = source(out, "practices");
    const auto crs = [](const geo::SourceInfo* s) { return s == nullptr || s->source_crs.empty() ? std::string("?") : s->source_crs; };
    char distance[32];
    std::snprintf(distance, sizeof distance, "%.0f km", gap_m / 1000);
    throw InputError({practice_source != nullptr ? practice_source->path : std::string(), practice_source != nullptr ? practice_source->layer : std::string(), {}, {}},
                     "every practice lies at least " + std::string(distance) + " from every area (" +
                         (area_source != nullptr ? area_source->path : std::string("the areas")) + "): one of the two is read in the wrong CRS "
                         "(practices in " + crs(practice_source) + ", areas in " + crs(area_source) + "; set practices.crs or areas.crs to the one "
                         "their coordinates are in)");
}

/// Practices standing outside every area (beyond the generalised boundaries' slack) take part in no
/// network: reported and left out, or an error with practices.on_unplaced = "error".
void place_practices(const PracticeSpec& spec, geo::Dataset& out) {
    geo::GeosContext context;
    const geo::AreaIndex areas(context, out.areas);
    std::erase_if(out.practices, [&](const geo::Practice& p) {
        const double distance = areas.locate(p.location) ? 0.0 : areas.distance_to_nearest(p.location);
        if (distance <= kOutsideAreasM) return false;
        char detail[64];
        std::snprintf(detail, sizeof detail, "%.1f km", distance / 1000);
        const std::string problem = "outside every study area (" + std::string(detail) + " from the nearest)";
        if (!spec.skip_unplaced) {
            throw InputError({spec.layer.source, spec.layer.layer, {}, spec.id_field},
                             "practice '" + p.code + "' lies " + problem + "; practices.on_unplaced = \"skip\" leaves such practices out");
        }
        out.unplaced_practices.push_back({p.code, p.name, problem});
        return true;
    });
    if (out.practices.empty()) {
        throw InputError({spec.layer.source, spec.layer.layer, {}, {}}, "no practice could be placed in the study areas (" +
                                                                         std::to_string(out.unplaced_practices.size()) + " left out)");
    }
}

std::unique_ptr<OGRSpatialReference> working_crs(const DatasetDescription& description) {
    auto working = spatial_reference(description.working_crs, description.origin, "working_crs");
    if (!working->IsProjected()) {
        throw setting_error(description.origin, "working_crs",
                            "'" + description.working_crs +
                                "' is not a projected CRS; distances and areas need metres (e.g. EPSG:27700)");
    }
    return working;
}

/// Opens `ref` and looks up each named field (setting, name), as the reader of `role` does.
void check_layer(const LayerRef& ref, const std::string& role, const std::vector<std::pair<std::string, std::string>>& fields,
                 const std::string& geometry_field = {}) {
    const LayerReader layer(ref, role, geometry_field);
    for (const auto& [setting, name] : fields) layer.field(name, setting);
}

}  // namespace

void check_sources(const DatasetDescription& description) {
    working_crs(description);
    const AreaSpec& areas = description.areas;
    {
        const LayerReader layer(areas.layer, "areas", areas.geometry_field);
        for (const auto& [setting, name] : std::vector<std::pair<std::string, std::string>>{
                 {"areas.id_field", areas.id_field}, {"areas.name_field", areas.name_field},
                 {"areas.group_field", areas.group_field}, {"areas.group_name_field", areas.group_name_field},
                 {"areas.population_field", areas.population_field}}) {
            layer.field(name, setting);
        }
        layer.require_crs("the area geometries");
    }
    if (const auto& population = description.population) {
        check_layer(population->layer, "population", {{"population.key_field", population->key_field}, {"population.value_field", population->value_field}});
    }
    const PracticeSpec& practices = description.practices;
    check_layer(practices.layer, "practices",
                {{"practices.id_field", practices.id_field}, {"practices.name_field", practices.name_field},
                 {"practices.list_size_field", practices.list_size_field}, {"practices.reference_network_field", practices.reference_network_field},
                 {"practices.reference_network_name_field", practices.reference_network_name_field}, {"practices.x_field", practices.x_field},
                 {"practices.y_field", practices.y_field}, {"practices.postcode_field", practices.postcode_field}});
    if (const auto& postcodes = description.postcodes) {
        check_layer(postcodes->layer, "postcodes",
                    {{"postcodes.key_field", postcodes->key_field}, {"postcodes.x_field", postcodes->x_field}, {"postcodes.y_field", postcodes->y_field}});
    }
    if (const auto& registrations = description.registrations) {
        check_layer(registrations->layer, "registrations",
                    {{"registrations.practice_field", registrations->practice_field}, {"registrations.area_field", registrations->area_field},
                     {"registrations.patients_field", registrations->patients_field}});
    }
    if (const auto& travel_times = description.travel_times) {
        check_layer(travel_times->layer, "travel_times",
                    {{"travel_times.area_field", travel_times->area_field}, {"travel_times.practice_field", travel_times->practice_field},
                     {"travel_times.minutes_field", travel_times->minutes_field}});
    }
}

geo::Dataset load_dataset(const DatasetDescription& description, Progress& progress) {
    const auto working = working_crs(description);
    geo::Dataset out;
    out.name = description.name;
    out.attribution = description.attribution;
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
                rows = read_registration_rows(*description.registrations, progress);
            } catch (...) {
                registration_error = std::current_exception();
            }
        });
    }
    TravelTimeRows travel_times;
    try {
        read_areas(description, *working, out, progress);
        read_practices(description, *working, out, progress);
        check_tables_meet(out);
        place_practices(description.practices, out);
        // Joined to the final areas and practices, while the registrations may still be loading.
        if (description.travel_times) travel_times = read_travel_times(*description.travel_times, out, progress);
        if (registrations.joinable()) progress.begin("registrations", 0);
    } catch (...) {
        if (registrations.joinable()) registrations.join();
        throw;
    }
    if (registrations.joinable()) {
        registrations.join();
        progress.end();
        if (registration_error) std::rethrow_exception(registration_error);
        join_registrations(*description.registrations, std::move(rows), out);
    }
    reconcile_list_sizes(description, out);
    if (description.travel_times) {
        out.travel_times = std::move(travel_times.pairs);
        out.travel_times_unmatched = std::move(travel_times.unmatched);
        out.sources.push_back(std::move(travel_times.source));
    }
    return out;
}

}  // namespace data
