#pragma once
// The planning flags (--min, --max, --method, --constraint-field, ...) shared by the commands that
// plan: plan, tiles (and serve).
#include "geo/plan.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace server {

class PlanningOptions {
public:
    /// Adds the flags to `command` in a "Planning" group.
    explicit PlanningOptions(CLI::App& command);
    /// The options from the flags. Checks what needs no dataset here, naming the flags; what does
    /// (fields, practice codes) is checked by PlanOptions::validate once the dataset is loaded.
    geo::PlanOptions options() const;

private:
    std::int64_t min_ = 30000;
    std::int64_t max_ = 50000;
    std::string method_ = "registrations";
    double core_share_ = 0.8;
    double radius_m_ = 1600;
    std::string constraint_field_;
    std::string lock_field_;
    std::vector<std::string> lock_;
    std::vector<std::string> exclude_;
    std::uint64_t seed_ = 1;
    double gap_distance_m_ = 1600;
    int construction_runs_ = geo::PlanOptions{}.construction_runs;
    double sweeps_ = geo::PlanOptions{}.sweeps;
    unsigned threads_ = 0;
};

}  // namespace server
