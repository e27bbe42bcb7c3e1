#pragma once
// The loaded study: small areas with population, practices with list sizes, and registrations
// (patients of a practice living in an area). All coordinates are in one projected working CRS.
#include "geo/geos.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace geo {

/// The type of an attribute: of an input layer's field (Dataset::area_field_types) or a published one.
enum class FieldType { text, integer, real, boolean };

/// A small area (e.g. a 2011 LSOA): the unit catchments and networks are built from.
struct Area {
    std::string code;    // unique id, e.g. E01000001
    std::string name;    // may be empty
    std::string group;   // optional grouping such as the borough code; networks may be kept inside it
    std::int64_t population = 0;
    Geometry geometry;   // valid Polygon or MultiPolygon in the working CRS
    std::vector<std::string> attributes;  // every field of the source layer as text, see Dataset::area_fields
};

/// A GP practice.
struct Practice {
    std::string code;    // unique id, e.g. the ODS code F84012
    std::string name;
    Point location;      // working CRS
    std::int64_t list_size = 0;    // registered patients
    std::string reference_network; // e.g. the real PCN code, for comparison; may be empty
    std::vector<std::string> attributes;  // every field of the source layer as text, see Dataset::practice_fields
    std::string reference_network_name;   // the reference network's name, where the dataset has one
};

/// Index value of a registration row whose practice or area did not join.
inline constexpr std::int32_t kUnmatched = -1;
/// Area index of a row that records no area at all (NHS Digital's NO2011).
inline constexpr std::int32_t kAreaNotRecorded = -2;

/// One row of the long registrations table: `patients` of `practice` live in `area`.
/// Codes are kept as read so that rows that did not join can be reported, never silently dropped.
struct Registration {
    std::int32_t practice = kUnmatched;  // index into Dataset::practices
    std::int32_t area = kUnmatched;      // index into Dataset::areas, kUnmatched or kAreaNotRecorded
    std::int64_t patients = 0;
    std::string practice_code;
    std::string area_code;
};

/// Travel time by road or public transport from an area to a practice, computed elsewhere (OSRM, r5r,
/// OpenTripPlanner) and given as a table. Accessibility, nearest practices, radius catchments and gaps
/// use it instead of straight-line distance where it is given.
struct TravelTime {
    std::uint32_t area = 0;      // index into Dataset::areas
    std::uint32_t practice = 0;  // index into Dataset::practices
    double minutes = 0;          // finite, >= 0
};

/// Where one input came from, for the summary.
struct SourceInfo {
    std::string role;          // "areas", "population", "practices", "postcodes", "registrations"
    std::string path;
    std::string layer;
    std::string source_crs;    // as the source declared it, or as the description stated it
    std::int64_t rows_read = 0;
    std::string filter;        // attribute filter applied, if any
};

/// A practice left out because it cannot be placed (no coordinates, a postcode not in the lookup,
/// outside every study area): reported, never silently dropped.
struct UnplacedPractice {
    std::string code;
    std::string name;
    std::string reason;  // e.g. "no coordinates (row 3688)"
};

/// An area whose geometry was invalid and has been repaired with make-valid.
struct RepairedArea {
    std::string code;
    std::string reason;  // GEOS's validity message for the original
};

/// A practice whose list-size field disagrees with the sum of its registrations.
struct ListSizeMismatch {
    std::string code;
    std::int64_t list_size_field = 0;
    std::int64_t registrations_sum = 0;
};

struct Dataset {
    // Declared first so it is destroyed last: every Geometry below uses its handle to free itself.
    std::shared_ptr<GeosContext> geos = std::make_shared<GeosContext>();
    std::string name;
    std::string attribution;  // the data's licence statements (may be empty): shown with everything made from it
    std::string working_crs;  // e.g. "EPSG:27700"
    std::vector<Area> areas;
    std::vector<Practice> practices;
    std::vector<Registration> registrations;
    std::vector<TravelTime> travel_times;      // sorted by (area, practice), one per pair; empty when none are given
    std::vector<std::string> area_fields;      // names of Area::attributes, in order
    std::vector<std::string> practice_fields;  // names of Practice::attributes, in order
    std::vector<FieldType> area_field_types;      // the source types of area_fields (text where shorter)
    std::vector<FieldType> practice_field_types;  // the source types of practice_fields (text where shorter)
    std::map<std::string, std::string> group_names;  // Area::group -> the group's name (areas.group_name_field), where given

    // Load notes
    std::vector<SourceInfo> sources;
    std::vector<RepairedArea> repaired_areas;
    std::vector<UnplacedPractice> unplaced_practices;  // left out of `practices`
    std::vector<ListSizeMismatch> list_size_mismatches;
    std::vector<std::string> population_rows_unmatched;  // population keys naming no area
    std::vector<std::string> travel_times_unmatched;     // travel-time rows naming no loaded area or practice, as "row N: why"
    bool list_size_from_registrations = false;

    /// Index of a field in area_fields / practice_fields, or -1.
    int area_field(const std::string& name) const;
    int practice_field(const std::string& name) const;
};

/// A deep copy with its own GEOS context (e.g. to add hypothetical practices to a loaded study).
/// Reads `source` only, so it may run while other threads read `source` too.
Dataset copy_dataset(const Dataset& source);

}  // namespace geo
