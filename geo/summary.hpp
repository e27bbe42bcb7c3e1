#pragma once
// What `catchment inspect` reports about a loaded dataset: counts, totals, extent, repairs and every
// key that did not join. Pure computation over a Dataset; formatting lives with the CLI.
#include "geo/dataset.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace geo {

/// Registration rows that share one fate (e.g. "practice not in the practice layer").
struct RowTally {
    std::int64_t rows = 0;
    std::int64_t patients = 0;
    std::size_t distinct_codes = 0;
    std::vector<std::string> examples;  // the first few distinct codes, sorted
};

struct DatasetSummary {
    std::string name;
    std::string working_crs;
    std::vector<SourceInfo> sources;

    std::size_t area_count = 0;
    std::size_t multipart_areas = 0;
    std::size_t areas_with_holes = 0;
    std::int64_t population = 0;
    double area_km2 = 0;
    Envelope extent;         // working CRS
    Envelope extent_lonlat;  // WGS 84 longitude/latitude

    std::size_t practice_count = 0;
    std::int64_t list_size_total = 0;
    bool list_size_from_registrations = false;
    std::vector<std::string> practices_outside_areas;      // codes, sorted (within the slack of the areas' edge)
    std::vector<UnplacedPractice> unplaced_practices;      // left out: they could not be placed
    std::vector<std::string> practices_without_registrations;
    std::vector<ListSizeMismatch> list_size_mismatches;

    std::size_t registration_rows = 0;
    std::int64_t registered_patients = 0;      // rows of known practices
    std::int64_t registered_in_study_area = 0; // ... living in one of the areas
    RowTally unknown_practice;   // rows whose practice is not in the practice layer
    RowTally area_not_recorded;  // rows of known practices with no area (NO2011)
    RowTally area_outside_study; // rows of known practices whose area is not one of the areas
    RowTally duplicate_pairs;    // rows repeating an earlier row's practice and area ("P1 E01000001")

    std::vector<RepairedArea> repaired_areas;
    std::vector<std::string> population_rows_unmatched;

    std::size_t travel_time_pairs = 0;                // area-practice pairs loaded
    std::int64_t travel_time_rows_unmatched = 0;      // rows naming no loaded area or practice, in all
    std::vector<std::string> travel_times_unmatched;  // the first of them, "row N: why"
};

/// How many example codes a tally keeps.
inline constexpr std::size_t kTallyExamples = 5;

/// Computes the summary. Practices outside every area are found with a GEOS STRtree over the areas
/// and prepared-geometry point tests.
DatasetSummary summarize(const Dataset& dataset, GeosContext& context);

}  // namespace geo
