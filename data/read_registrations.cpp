#include "data/readers.hpp"

#include <algorithm>

namespace data {

RegistrationRows read_registration_rows(const RegistrationSpec& spec, Progress& progress) {
    LayerReader table(spec.layer, "registrations");
    const int practice_field = table.field(spec.practice_field, "registrations.practice_field");
    const int area_field = table.field(spec.area_field, "registrations.area_field");
    const int patients_field = table.field(spec.patients_field, "registrations.patients_field");
    table.read_only({practice_field, area_field, patients_field}, false);
    RegistrationRows out;
    while (OGRFeatureUniquePtr row = table.next()) {
        if (out.rows.size() % kProgressEvery == 0) progress.checkpoint();
        geo::Registration registration;
        registration.practice_code = table.required_text(*row, practice_field, "a practice code");
        registration.area_code = table.required_text(*row, area_field, "an area code");
        registration.patients = table.count(*row, patients_field);
        out.rows.push_back(std::move(registration));
    }
    if (out.rows.empty()) table.fail_layer(spec.layer.where.empty() ? "has no rows" : "no rows match registrations.where");
    out.source = table.info();
    return out;
}

void join_registrations(const RegistrationSpec& spec, RegistrationRows rows, geo::Dataset& out) {
    std::unordered_map<std::string, std::int32_t> practice_index, area_index;
    for (std::size_t i = 0; i < out.practices.size(); ++i) practice_index.emplace(out.practices[i].code, static_cast<std::int32_t>(i));
    for (std::size_t i = 0; i < out.areas.size(); ++i) area_index.emplace(out.areas[i].code, static_cast<std::int32_t>(i));
    for (geo::Registration& registration : rows.rows) {
        if (auto it = practice_index.find(registration.practice_code); it != practice_index.end()) registration.practice = it->second;
        if (auto it = area_index.find(registration.area_code); it != area_index.end()) {
            registration.area = it->second;
        } else if (std::find(spec.no_area_codes.begin(), spec.no_area_codes.end(), registration.area_code) != spec.no_area_codes.end()) {
            registration.area = geo::kAreaNotRecorded;
        }
    }
    out.registrations = std::move(rows.rows);
    out.sources.push_back(std::move(rows.source));
}

}  // namespace data
