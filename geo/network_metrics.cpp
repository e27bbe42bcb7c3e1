#include "geo/network_metrics.hpp"

#include <algorithm>
#include <map>
#include <numbers>

namespace geo {

NetworkMetrics measure_network(const Dataset& dataset, const AreaGraph& graph, const RegistrationIndex& index,
                               const std::vector<std::uint32_t>& practices, const std::vector<std::uint32_t>& areas,
                               std::int64_t min_list_size, std::int64_t max_list_size) {
    NetworkMetrics m;
    std::vector<bool> inside(dataset.areas.size(), false);
    double area_m2 = 0, perimeter_m = 0;
    for (const std::uint32_t a : areas) {
        inside[a] = true;
        m.population += dataset.areas[a].population;
        area_m2 += graph.area[a];
        perimeter_m += graph.perimeter[a];
    }
    for (const std::uint32_t a : areas) {
        for (const AreaNeighbour& n : graph.neighbours[a]) perimeter_m -= inside[n.area] ? n.shared_length : 0;  // each side once
    }
    for (const std::uint32_t p : practices) {
        m.list_size += dataset.practices[p].list_size;
        m.registered_in_areas += index.practice_in_areas[p];
        for (const auto& [a, patients] : index.by_practice[p]) m.registered_inside += inside[a] ? patients : 0;
    }
    m.residents_per_practice = practices.empty() ? 0 : static_cast<double>(m.population) / static_cast<double>(practices.size());
    m.territory_share = m.registered_in_areas > 0 ? static_cast<double>(m.registered_inside) / static_cast<double>(m.registered_in_areas) : 0;
    m.area_km2 = area_m2 / 1e6;
    m.perimeter_km = perimeter_m / 1e3;
    m.polsby_popper = perimeter_m > 0 ? 4 * std::numbers::pi * area_m2 / (perimeter_m * perimeter_m) : 0;
    m.contiguous = connected_groups(graph, areas).size() <= 1;
    m.status = m.list_size < min_list_size   ? BandStatus::below_band
               : m.list_size > max_list_size ? BandStatus::above_band
                                             : BandStatus::in_band;
    return m;
}

Dominance dominance(const RegistrationIndex& index, const std::vector<std::int32_t>& practice_network,
                    const std::vector<std::string>& network_ids) {
    Dominance d;
    d.area_network.assign(index.by_area.size(), -1);
    d.network_patients.assign(network_ids.size(), 0);
    d.network_dominant.assign(network_ids.size(), 0);
    std::vector<std::pair<std::int32_t, std::int64_t>> counts;  // (network, patients) in one area
    for (std::size_t a = 0; a < index.by_area.size(); ++a) {
        counts.clear();
        for (const auto& r : index.by_area[a]) {
            if (r.practice < 0) continue;
            const std::int32_t n = practice_network[static_cast<std::size_t>(r.practice)];
            if (n < 0) continue;
            const auto it = std::find_if(counts.begin(), counts.end(), [n](const auto& c) { return c.first == n; });
            if (it == counts.end()) {
                counts.emplace_back(n, r.patients);
            } else {
                it->second += r.patients;
            }
        }
        if (counts.empty()) continue;
        const auto best = std::min_element(counts.begin(), counts.end(), [&](const auto& x, const auto& y) {
            if (x.second != y.second) return x.second > y.second;
            return network_ids[static_cast<std::size_t>(x.first)] < network_ids[static_cast<std::size_t>(y.first)];
        });
        d.area_network[a] = best->first;
        d.network_dominant[static_cast<std::size_t>(best->first)] += best->second;
        for (const auto& [n, patients] : counts) d.network_patients[static_cast<std::size_t>(n)] += patients;
    }
    return d;
}

PartitionSummary summarize_partition(const std::vector<Network>& networks) {
    PartitionSummary s;
    std::vector<std::int64_t> sizes;
    std::int64_t inside = 0, dominant = 0, living = 0;
    double polsby_popper = 0;
    for (const Network& n : networks) {
        if (n.practices.empty()) continue;
        ++s.networks;
        s.in_band += n.metrics.status == BandStatus::in_band;
        s.forced += n.metrics.status != BandStatus::in_band && is_forced(n.band_cause);
        s.not_reached += n.metrics.status != BandStatus::in_band && n.band_cause == BandCause::not_reached;
        s.non_contiguous += !n.metrics.contiguous;
        sizes.push_back(n.metrics.list_size);
        inside += n.metrics.registered_inside;
        dominant += n.metrics.dominant_patients;
        living += n.metrics.registered_in_areas;
        polsby_popper += n.metrics.polsby_popper;
    }
    if (sizes.empty()) return s;
    std::sort(sizes.begin(), sizes.end());
    s.share_in_band = static_cast<double>(s.in_band) / static_cast<double>(s.networks);
    s.min_size = sizes.front();
    s.max_size = sizes.back();
    s.median_size = sizes.size() % 2 == 1 ? sizes[sizes.size() / 2] : (sizes[sizes.size() / 2 - 1] + sizes[sizes.size() / 2]) / 2;
    s.cohesion = living > 0 ? static_cast<double>(dominant) / static_cast<double>(living) : 0;
    s.territory_share = living > 0 ? static_cast<double>(inside) / static_cast<double>(living) : 0;
    s.mean_polsby_popper = polsby_popper / static_cast<double>(s.networks);
    return s;
}

double adjusted_rand_index(const std::vector<std::int32_t>& a, const std::vector<std::int32_t>& b) {
    std::map<std::pair<std::int32_t, std::int32_t>, double> both;
    std::map<std::int32_t, double> rows, columns;
    double n = 0;
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
        if (a[i] < 0 || b[i] < 0) continue;
        both[{a[i], b[i]}] += 1;
        rows[a[i]] += 1;
        columns[b[i]] += 1;
        n += 1;
    }
    auto pairs = [](double k) { return k * (k - 1) / 2; };
    double index = 0, row_sum = 0, column_sum = 0;
    for (const auto& [key, k] : both) index += pairs(k);
    for (const auto& [key, k] : rows) row_sum += pairs(k);
    for (const auto& [key, k] : columns) column_sum += pairs(k);
    const double expected = n > 1 ? row_sum * column_sum / pairs(n) : 0;
    const double maximum = (row_sum + column_sum) / 2;
    return maximum == expected ? 1.0 : (index - expected) / (maximum - expected);
}

}  // namespace geo
