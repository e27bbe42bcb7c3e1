#pragma once
// What-ifs: practices that close or open, and where their registered patients go.
//
// A closing practice hands its patients to the practices their areas already use: in each area, in
// proportion to the other practices' registrations there (to the nearest practice where no other
// is registered). Its patients recorded in no study area follow the same shares overall, so every
// total stays as it was.
//
// An opening practice draws patients from its neighbours by the Huff gravity model (Huff, "A
// probabilistic analysis of shopping center trade areas", Land Economics 39(1), 1963): in an area,
// the chance that a patient chooses practice j is (S_j / d_j^b) / sum_k (S_k / d_k^b), where S is the
// practice's size (its list size; for the new practice the list size given, or the median list size
// when none is), d the distance from the area's representative point (at least kGravityNearestM) and
// b = kGravityDecay (distance_decay.hpp). The new practice takes that share of each registered practice's patients in
// every area within kGravityReachM, scaled down to the list size given when it would gain more.
#include "geo/dataset.hpp"
#include "geo/distance_decay.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace geo {

/// A hypothetical practice.
struct NewPractice {
    std::string code;
    std::string name;
    Point location;              // working CRS
    std::int64_t list_size = 0;  // the most patients it may gain; 0: as many as the gravity model gives
};

/// Patients who change practice in a what-if.
struct PatientMove {
    std::string from;  // practice codes
    std::string to;
    std::int64_t patients = 0;
};

/// The study a plan sees.
struct Scenario {
    std::shared_ptr<const Dataset> dataset;  // `base` itself when no practice closes or opens
    std::vector<PatientMove> moves;          // per closing practice and receiver, then per opening practice and giver
    std::vector<std::string> notes;
};

/// Closes `closed` and opens `opened` (in that order; each opening sees the ones before it) on a copy
/// of `base`, moving registrations and list sizes as described above. With `constraint_field` a
/// practice field, a new practice takes that field's value from the nearest practice. Codes and
/// locations must have been checked (PlanOptions::validate).
Scenario make_scenario(std::shared_ptr<const Dataset> base, const std::vector<std::string>& closed,
                       const std::vector<NewPractice>& opened, const std::string& constraint_field = {});

/// Splits `total` into whole parts proportional to `weights` (the largest-remainder method; ties go
/// to the lower index). Every part is 0 when the weights sum to 0.
std::vector<std::int64_t> apportion(std::int64_t total, const std::vector<double>& weights);

}  // namespace geo
