#include "server/planning_options.hpp"

namespace server {

PlanningOptions::PlanningOptions(CLI::App& command) {
    const std::string planning = "Planning";
    command.add_option("--min", min_, "Smallest list size of a network (registered patients)")
        ->capture_default_str()->check(CLI::PositiveNumber)->group(planning);
    command.add_option("--max", max_, "Largest list size of a network")->capture_default_str()->check(CLI::PositiveNumber)->group(planning);
    command.add_option("--method", method_,
                       "How practice catchments are drawn: registrations (areas where the practice has the most "
                       "patients), nearest (areas nearest to it) or radius (areas within --radius-m)")
        ->capture_default_str()->check(CLI::IsMember({"registrations", "nearest", "radius"}))->group(planning);
    command.add_option("--core-share", core_share_, "registrations method: a core catchment holds this share of a practice's patients")
        ->capture_default_str()->check(CLI::Range(0.01, 1.0))->group(planning);
    command.add_option("--radius-m", radius_m_, "radius method: catchment radius in metres")
        ->capture_default_str()->check(CLI::PositiveNumber)->group(planning);
    command.add_option("--constraint-field", constraint_field_,
                       "Area or practice field that networks must not cross, e.g. lad11cd (default: none)")
        ->group(planning);
    command.add_option("--lock-field", lock_field_,
                       "Practice field naming given networks to keep as they are, e.g. pcn_code (default: none)")
        ->group(planning);
    command.add_option("--lock", lock_, "Keep only these values of --lock-field, comma-separated (default: every non-empty value)")
        ->delimiter(',')->allow_extra_args(false)->type_name("CODE,...")->group(planning);
    command.add_option("--exclude", exclude_, "Practice codes to leave out of every network, comma-separated (default: none)")
        ->delimiter(',')->allow_extra_args(false)->type_name("CODE,...")->group(planning);
    command.add_option("--seed", seed_, "Random seed; the same seed, dataset and options give the same plan")->capture_default_str()->group(planning);
    command.add_option("--construction-runs", construction_runs_,
                       "Restarts of the network search for each independent part (constraint group or connected group of "
                       "practices); each part keeps its best")
        ->capture_default_str()->check(CLI::Range(1, 64))->group(planning);
    command.add_option("--sweeps", sweeps_, "Annealing moves tried per practice in each restart (more in larger parts): more is slower and may find better networks")
        ->capture_default_str()->check(CLI::Range(0.0, 100000.0))->group(planning);
    command.add_option("--plan-threads", threads_, "Planning threads (default: one per core); the plan is the same whatever the number")
        ->check(CLI::Range(0u, 256u))->group(planning);
    command.add_option("--gap-distance-m", gap_distance_m_, "Areas farther than this many metres from every practice are coverage gaps")
        ->capture_default_str()->check(CLI::PositiveNumber)->group(planning);
}

geo::PlanOptions PlanningOptions::options() const {
    if (min_ > max_) throw geo::PlanError("--min " + std::to_string(min_) + " is greater than --max " + std::to_string(max_));
    if (!lock_.empty() && lock_field_.empty()) {
        throw geo::PlanError("--lock names values of a practice field: give that field with --lock-field");
    }
    geo::PlanOptions options;
    options.min_list_size = min_;
    options.max_list_size = max_;
    options.method = geo::catchment_method_from(method_);
    options.core_share = core_share_;
    options.radius_m = radius_m_;
    options.constraint_field = constraint_field_;
    options.lock_field = lock_field_;
    options.locked_values = lock_;
    options.excluded_practices = exclude_;
    options.seed = seed_;
    options.gap_distance_m = gap_distance_m_;
    options.construction_runs = construction_runs_;
    options.sweeps = sweeps_;
    options.threads = threads_;
    return options;
}

}  // namespace server
