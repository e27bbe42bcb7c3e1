#pragma once
// Planning: practice catchments, networks of 30,000-50,000 registered patients with contiguous
// territories, network boundaries that tessellate the study area, coverage gaps and a quality
// report. plan() is the one call; the parts live in catchments, networks and network_metrics.
#include "geo/accessibility.hpp"
#include "geo/adjacency.hpp"
#include "geo/baseline.hpp"
#include "geo/dataset.hpp"
#include "geo/gaps.hpp"
#include "geo/networks.hpp"
#include "geo/what_if.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace geo {

/// The options are inconsistent or name something that does not exist (exit code 2 in the CLI).
class PlanError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// A new practice is wrong (PlanOptions::new_practices[index]).
class NewPracticeError : public PlanError {
public:
    NewPracticeError(std::size_t at, const std::string& what) : PlanError(what), index(at) {}
    std::size_t index;
};

enum class CatchmentMethod { registrations, nearest, radius };
std::string_view to_string(CatchmentMethod method);
CatchmentMethod catchment_method_from(std::string_view name);  // throws PlanError

enum class BandStatus { in_band, below_band, above_band };
std::string_view to_string(BandStatus status);

struct PlanOptions {
    std::int64_t min_list_size = 30000;
    std::int64_t max_list_size = 50000;
    CatchmentMethod method = CatchmentMethod::registrations;
    double core_share = 0.8;    // registrations: a core catchment holds this share of a practice's patients
    double radius_m = 1600;     // radius: areas within this distance of the practice
    double radius_minutes = 15; // radius, for practices with travel times: areas within this many minutes
    std::string constraint_field;  // area or practice field networks must not cross (e.g. LAD11CD); empty: none
    std::string lock_field;        // practice field holding given networks to keep (e.g. the real PCN code)
    std::vector<std::string> locked_values;  // lock only these values of lock_field; empty: every non-empty value
    std::vector<std::string> excluded_practices;  // practices that close: left out, their patients go to others (what_if.hpp)
    std::vector<NewPractice> new_practices;       // practices that open, gaining patients from their neighbours
    std::shared_ptr<const Baseline> baseline;     // start from these networks and move as few practices as the
                                                  // change needs (baseline_repair.hpp); null: plan afresh
    std::string title;                            // the plan's name, for reports and comparisons
    std::uint64_t seed = 1;
    int construction_runs = 2;          // restarts per independent part, each annealed; each part keeps its best
    double sweeps = 200;                // annealing moves tried per practice and restart (more in larger parts)
    unsigned threads = 0;               // planning threads (0: one per core); the plan does not depend on it
    GapCriteria gaps;                   // what makes an area a coverage gap (gaps.hpp)
    AccessOptions access;               // the accessibility measure's supply and decay (accessibility.hpp)

    /// Throws PlanError naming the bad option.
    void validate(const Dataset& dataset) const;
    /// Throws NewPracticeError for a new practice with an empty or taken code, a negative list size, or a
    /// location outside every study area.
    void validate_new_practices(const Dataset& dataset) const;
    /// Per practice of `dataset`: open in this plan (not among the excluded practices).
    std::vector<bool> active_practices(const Dataset& dataset) const;
};

/// Where each area ended up.
struct AreaPlan {
    std::int32_t dominant_practice = -1;  // loaded practice with most registered patients living here; -1 none
    bool dominated_externally = false;    // the top registrant is a practice outside the study (or excluded)
    std::int32_t owner = -1;              // practice whose territory holds the area (every area has one)
    std::int32_t network = -1;            // index into Plan::networks: the network whose territory holds the area
    std::int32_t dominant_network = -1;   // the network whose practices have most patients living here (cohesion); -1 none
};

/// A set of areas belonging to a practice, with its union polygon.
struct Catchment {
    std::uint32_t practice = 0;
    std::vector<std::uint32_t> areas;  // sorted indices into Dataset::areas
    std::int64_t population = 0;       // residents of those areas
    std::int64_t registered = 0;       // this practice's patients living in those areas
    double share = 0;                  // registered / the practice's patients living in any study area
    Geometry polygon;                  // union of the areas (null when there are none)
};

struct NetworkMetrics {
    std::int64_t list_size = 0;
    std::int64_t population = 0;        // residents of the territory
    std::int64_t registered_in_areas = 0;  // members' patients living in any study area
    std::int64_t registered_inside = 0; // ... of those, living inside the territory
    double territory_share = 0;         // registered_inside / registered_in_areas
    std::int64_t dominant_patients = 0; // ... living in areas the network dominates (see AreaPlan::dominant_network)
    double cohesion = 0;                // dominant_patients / registered_in_areas (Beaney et al. 2022)
    double area_km2 = 0;
    double perimeter_km = 0;
    double polsby_popper = 0;           // 4 pi A / P^2: 1 for a disc
    bool contiguous = true;
    BandStatus status = BandStatus::in_band;
    double residents_per_practice = 0;  // population / member practices
    std::int64_t people_in_gaps = 0;    // residents of the territory's gap areas
};

struct Network {
    std::string id;     // "N001"... in a stable order, or the locked value
    std::string name;
    std::vector<std::uint32_t> practices;  // sorted indices into Dataset::practices
    std::vector<std::uint32_t> areas;      // territory, sorted
    std::uint32_t hub = 0;                 // the largest member practice
    std::string constraint_value;
    bool locked = false;
    std::string baseline_id;               // with a baseline: the baseline network it continues; empty when new
    std::string baseline_change;           // with a baseline: "unchanged", "changed" or "created"; empty without
    BandCause band_cause = BandCause::none;  // why a network is outside the band: forced, or not reached by the search
    std::string status_reason;             // the same in words
    NetworkMetrics metrics;
    Geometry polygon;                      // union of the territory
};

/// The line where two networks meet.
struct NetworkBorder {
    std::uint32_t network_a = 0;  // a < b
    std::uint32_t network_b = 0;
    double length_m = 0;
    Geometry line;
};

struct AreaCoverage {
    std::int32_t nearest_practice = -1;
    double nearest_practice_m = 0;   // from the area's representative point
    double nearest_practice_min = std::numeric_limits<double>::quiet_NaN();  // by the travel times; NaN without one
    double hub_m = 0;                // to its network's hub
    double registered_to_resident = 0;  // all registered patients living here / residents
    double residents_per_practice = 0;  // its network's residents per member practice
    bool rural = false;              // for the distance criterion (gaps.hpp)
    double accessibility = 0;        // E2SFCA: capacity per 1,000 residents (accessibility.hpp)
    std::int64_t access_rank = 0;    // 1 for the poorest accessibility in the study
    std::int64_t access_group_rank = 0;  // 1 for the poorest in its constraint group
    std::string constraint_group;    // the constraint field's value for the area, or its group field's
    bool gap = false;
    unsigned gap_criteria = 0;       // GapCriterion flags the area meets
    std::string gap_reason;          // "farther than 1600 m from any practice (urban area)", "outside every network"
};

/// People and areas meeting one gap criterion.
struct GapTally {
    unsigned criterion = 0;
    std::size_t areas = 0;
    std::int64_t people = 0;
};

struct PartitionSummary {
    std::size_t networks = 0;
    std::size_t in_band = 0;
    double share_in_band = 0;
    std::size_t forced = 0;         // outside the band because the data leave no way in (see BandCause)
    std::size_t not_reached = 0;    // outside the band where the search found no way in
    std::int64_t min_size = 0, median_size = 0, max_size = 0;
    double cohesion = 0;            // all networks' dominant_patients / their patients living in study areas
    double territory_share = 0;     // all networks' registered_inside / their patients living in study areas
    double mean_polsby_popper = 0;
    std::size_t non_contiguous = 0;
};

struct QualityReport {
    PartitionSummary plan;
    bool has_reference = false;
    PartitionSummary reference;              // the reference networks (e.g. real PCNs) measured the same way
    std::vector<Network> reference_networks; // without polygons
    double adjusted_rand_index = 0;          // plan vs reference over practices that have a reference
    std::int64_t people_in_gaps = 0;
    std::size_t gap_areas = 0;
    std::vector<GapTally> gaps_by_criterion;  // each criterion in use (an area may meet several)
    double supply_total = 0;                 // accessibility: every active practice's supply
    double supply_reached = 0;               // ... of those with residents in reach (conserved by E2SFCA)
    double median_accessibility = 0;         // per 1,000 residents, population-weighted median
    double runtime_s = 0;
    std::vector<std::string> notes;          // islands bridged, practices attached, ...
    std::vector<PatientMove> patient_moves;  // patients who change practice because practices close or open
    // With a baseline:
    std::string baseline_source;             // "reference", the file or plan it came from
    std::size_t moved_practices = 0;         // practices in a network other than their baseline one
    std::size_t unchanged_networks = 0;      // networks exactly as in the baseline
    std::size_t changed_networks = 0;        // baseline networks whose membership changed (closures included)
    std::size_t created_networks = 0;        // networks continuing no baseline network
    std::vector<std::string> dissolved_networks;  // baseline networks that no longer exist
};

struct Plan {
    /// The study planned: the dataset given, or (when practices close or open) a copy in which their
    /// patients have moved (see what_if.hpp). Indices below refer to it; write and serve the plan with it.
    std::shared_ptr<const Dataset> dataset;
    PlanOptions options;
    AreaGraph graph;
    std::vector<AreaPlan> areas;              // per Dataset::areas
    std::vector<std::int32_t> practice_network;  // per Dataset::practices; -1 for excluded practices
    std::vector<std::string> practice_baseline;  // per practice, with a baseline: its baseline network id ("" none)
    std::vector<bool> practice_moved;            // per practice: in a network other than its baseline one
    std::vector<Catchment> catchments;        // per practice: dominant (registrations), nearest or radius areas
    std::vector<Catchment> core_catchments;   // per practice, registrations method only: core_share of patients
    std::vector<Network> networks;
    std::vector<NetworkBorder> borders;
    std::vector<AreaCoverage> coverage;       // per area
    std::vector<Point> area_points;           // per area: where its distances are measured from (point on surface)
    QualityReport report;
};

/// Progress by stage name ("adjacency", "catchments", "networks", "boundaries", "gaps").
using PlanProgress = std::function<void(std::string_view stage)>;
/// Called at every stage and often during the network search (between restarts and passes); it may
/// throw to abandon the plan, e.g. when a time limit has passed. The exception propagates unchanged.
using PlanCheckpoint = std::function<void()>;

/// Plans networks for `dataset`. Deterministic: the same dataset and options give the same plan.
/// Plan::dataset shares `dataset` (or a what-if copy of it).
Plan plan(std::shared_ptr<const Dataset> dataset, const PlanOptions& options, GeosContext& context, const PlanProgress& progress = {},
          const PlanCheckpoint& checkpoint = {});
/// The same for a dataset the caller keeps alive as long as the plan: Plan::dataset then refers to it
/// without owning it (or owns the what-if copy).
Plan plan(const Dataset& dataset, const PlanOptions& options, GeosContext& context, const PlanProgress& progress = {},
          const PlanCheckpoint& checkpoint = {});

}  // namespace geo
