#include "geo/summary.hpp"

#include "geo/area_index.hpp"
#include "geo/crs.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_set>

namespace geo {

namespace {

constexpr double kSquareMetresPerKm2 = 1e6;

/// Accumulates rows per code, then turns into a RowTally.
class TallyBuilder {
public:
    void add(const std::string& code, std::int64_t patients) {
        ++rows_;
        patients_ += patients;
        codes_.insert(code);
    }
    RowTally finish() const {
        RowTally tally;
        tally.rows = rows_;
        tally.patients = patients_;
        tally.distinct_codes = codes_.size();
        for (auto it = codes_.begin(); it != codes_.end() && tally.examples.size() < kTallyExamples; ++it) {
            tally.examples.push_back(*it);
        }
        return tally;
    }

private:
    std::int64_t rows_ = 0;
    std::int64_t patients_ = 0;
    std::set<std::string> codes_;
};

void summarize_areas(const Dataset& dataset, GeosContext& context, DatasetSummary& out) {
    out.area_count = dataset.areas.size();
    double area_m2 = 0;
    for (const Area& area : dataset.areas) {
        out.population += area.population;
        area_m2 += area_of(context, area.geometry.get());
        out.extent.expand(envelope_of(context, area.geometry.get()));
        if (polygon_count(context, area.geometry.get()) > 1) ++out.multipart_areas;
        if (hole_count(context, area.geometry.get()) > 0) ++out.areas_with_holes;
    }
    out.area_km2 = area_m2 / kSquareMetresPerKm2;
}

void summarize_practices(const Dataset& dataset, GeosContext& context, DatasetSummary& out) {
    out.practice_count = dataset.practices.size();
    out.list_size_from_registrations = dataset.list_size_from_registrations;
    out.list_size_mismatches = dataset.list_size_mismatches;
    out.unplaced_practices = dataset.unplaced_practices;
    AreaIndex index(context, dataset.areas);
    for (const Practice& practice : dataset.practices) {
        out.list_size_total += practice.list_size;
        out.extent.expand(practice.location.x, practice.location.y);
        if (!index.locate(practice.location)) out.practices_outside_areas.push_back(practice.code);
    }
    std::sort(out.practices_outside_areas.begin(), out.practices_outside_areas.end());
}

void summarize_registrations(const Dataset& dataset, DatasetSummary& out) {
    out.registration_rows = dataset.registrations.size();
    TallyBuilder unknown_practice, not_recorded, outside, duplicates;
    std::vector<bool> has_rows(dataset.practices.size(), false);
    std::unordered_set<std::string> pairs;
    pairs.reserve(dataset.registrations.size());
    for (const Registration& row : dataset.registrations) {
        std::string pair = row.practice_code + " " + row.area_code;
        if (!pairs.insert(pair).second) duplicates.add(pair, row.patients);
        if (row.practice == kUnmatched) {
            unknown_practice.add(row.practice_code, row.patients);
            continue;
        }
        has_rows[static_cast<std::size_t>(row.practice)] = true;
        out.registered_patients += row.patients;
        if (row.area >= 0) {
            out.registered_in_study_area += row.patients;
        } else if (row.area == kAreaNotRecorded) {
            not_recorded.add(row.area_code, row.patients);
        } else {
            outside.add(row.area_code, row.patients);
        }
    }
    out.unknown_practice = unknown_practice.finish();
    out.area_not_recorded = not_recorded.finish();
    out.area_outside_study = outside.finish();
    out.duplicate_pairs = duplicates.finish();
    if (!dataset.registrations.empty()) {
        for (std::size_t i = 0; i < dataset.practices.size(); ++i) {
            if (!has_rows[i]) out.practices_without_registrations.push_back(dataset.practices[i].code);
        }
        std::sort(out.practices_without_registrations.begin(), out.practices_without_registrations.end());
    }
}

}  // namespace

DatasetSummary summarize(const Dataset& dataset, GeosContext& context) {
    DatasetSummary out;
    out.name = dataset.name;
    out.working_crs = dataset.working_crs;
    out.sources = dataset.sources;
    out.repaired_areas = dataset.repaired_areas;
    out.population_rows_unmatched = dataset.population_rows_unmatched;
    out.travel_time_pairs = dataset.travel_times.size();
    out.travel_times_unmatched = dataset.travel_times_unmatched;
    for (const SourceInfo& source : dataset.sources) {
        // Every row read is either a pair or a row that did not join (a repeated pair is an error).
        if (source.role == "travel_times") out.travel_time_rows_unmatched = source.rows_read - static_cast<std::int64_t>(dataset.travel_times.size());
    }
    summarize_areas(dataset, context, out);
    summarize_practices(dataset, context, out);
    summarize_registrations(dataset, out);
    if (!out.extent.is_empty) {
        out.extent_lonlat = CrsTransform(dataset.working_crs, "OGC:CRS84").transform_bounds(out.extent);
    }
    return out;
}

}  // namespace geo
