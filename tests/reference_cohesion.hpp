#pragma once
// Cohesion as Beaney et al. (BJGP Open 2022) define it, counted here from the registrations alone,
// apart from the engine's own count: each area's dominant network is the one whose practices have
// most patients living there, and cohesion is the share of the networks' patients who live in an
// area their own network dominates.
#include "geo/dataset.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <vector>

namespace test_reference {

/// `practice_network` gives each practice's network (-1 for none).
inline double cohesion(const geo::Dataset& d, const std::vector<std::int32_t>& practice_network) {
    std::map<std::int32_t, std::map<std::int32_t, std::int64_t>> by_area;  // area -> network -> patients
    for (const geo::Registration& r : d.registrations) {
        if (r.area < 0 || r.practice < 0) continue;
        const std::int32_t network = practice_network[static_cast<std::size_t>(r.practice)];
        if (network >= 0) by_area[r.area][network] += r.patients;
    }
    std::int64_t dominant = 0, all = 0;
    for (const auto& [area, counts] : by_area) {
        std::int64_t best = 0;
        for (const auto& [network, patients] : counts) {
            best = std::max(best, patients);
            all += patients;
        }
        dominant += best;
    }
    return all > 0 ? static_cast<double>(dominant) / static_cast<double>(all) : 0;
}

}  // namespace test_reference
