#include "data/readers.hpp"

#include <algorithm>

namespace data {

void read_registrations(const RegistrationSpec& spec, geo::Dataset& out, Progress& progress) {
    LayerReader table(spec.layer, "registrations");
    const int practice_field = table.field(spec.practice_field, "registrations.practice_field");
    const int area_field = table.field(spec.area_field, "registrations.area_field");
    const int patients_field = table.field(spec.patients_field, "registrations.patients_field");

    std::unordered_map<std::string, std::int32_t> practice_index, area_index;
    for (std::size_t i = 0; i < out.practices.size(); ++i) practice_index.emplace(out.practices[i].code, static_cast<std::int32_t>(i));
    for (std::size_t i = 0; i < out.areas.size(); ++i) area_index.emplace(out.areas[i].code, static_cast<std::int32_t>(i));
    auto no_area = [&spec](const std::string& code) {
        return std::find(spec.no_area_codes.begin(), spec.no_area_codes.end(), code) != spec.no_area_codes.end();
    };

    progress.begin("registrations", table.feature_count());
    while (OGRFeatureUniquePtr row = table.next()) {
        geo::Registration registration;
        registration.practice_code = table.required_text(*row, practice_field, "a practice code");
        registration.area_code = table.required_text(*row, area_field, "an area code");
        registration.patients = table.count(*row, patients_field);
        if (auto it = practice_index.find(registration.practice_code); it != practice_index.end()) {
            registration.practice = it->second;
        }
        if (auto it = area_index.find(registration.area_code); it != area_index.end()) {
            registration.area = it->second;
        } else if (no_area(registration.area_code)) {
            registration.area = geo::kAreaNotRecorded;
        }
        out.registrations.push_back(std::move(registration));
        if (out.registrations.size() % kProgressEvery == 0) progress.update(static_cast<std::int64_t>(out.registrations.size()));
    }
    progress.end();
    if (out.registrations.empty()) {
        table.fail_layer(spec.layer.where.empty() ? "has no rows" : "no rows match registrations.where");
    }
    out.sources.push_back(table.info());
}

}  // namespace data
