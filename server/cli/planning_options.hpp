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
    /// The options from the flags. Checks what needs no dataset here, naming the flags, and reads a
    /// baseline file; what needs the dataset (fields, practice codes) is checked by
    /// PlanOptions::validate once it is loaded, after resolve().
    geo::PlanOptions options() const;
    /// What needs the dataset: `--baseline reference` and the `--new-practices` file (in its CRS).
    void resolve(geo::PlanOptions& options, const geo::Dataset& dataset) const;

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
    geo::GapCriteria gaps_;
    double radius_minutes_ = geo::PlanOptions{}.radius_minutes;
    std::string supply_field_;
    std::string access_bands_ = geo::default_distance_decay().text();
    std::string access_time_bands_ = geo::default_time_decay().text();
    int construction_runs_ = geo::PlanOptions{}.construction_runs;
    double sweeps_ = geo::PlanOptions{}.sweeps;
    unsigned threads_ = 0;
    std::string baseline_;
    std::vector<std::string> add_practice_;
    std::string new_practices_;
    std::string title_;
};

/// A practice to open from "CODE,NAME,X,Y[,LIST_SIZE]" (X and Y in the working CRS). Throws
/// geo::PlanError naming --add-practice and what is wrong.
geo::NewPractice parse_new_practice(const std::string& text);

}  // namespace server
