// The network search on hand-made problems: the exact solver for small parts, why networks are
// outside the band, determinism whatever the thread count, and the parallel helper.
#include "geo/exact_partition.hpp"
#include "geo/networks.hpp"
#include "geo/parallel.hpp"
#include "geo/partition_fixture.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>

using namespace geo;

namespace {

using partition_fixture::Edges;
using partition_fixture::problem_of;

PartProblem part_of(const PartitionProblem& p) {
    PartProblem part;
    for (std::uint32_t u = 0; u < p.weight.size(); ++u) {
        part.units.push_back(u);
        part.weight.push_back(p.weight[u]);
        part.neighbours.push_back(p.neighbours[u]);
        part.area.push_back(p.area[u]);
        part.perimeter.push_back(p.perimeter[u]);
        part.patients.push_back({{u, p.weight[u]}});
        part.background.push_back(0);
    }
    return part;
}

/// Hartlepool's 11 practice territories (England, 2022): 97,258 patients would make two networks
/// of 30,000-50,000 by their totals, but four practices hang off one hub and three more off a
/// second, and no contiguous split puts both halves in the band.
PartitionProblem hartlepool() {
    return problem_of({9927, 11513, 13062, 9391, 18675, 5943, 5552, 6658, 3748, 5713, 7076},
                      {{0, 1}, {0, 4}, {0, 9}, {1, 4}, {1, 5}, {1, 9}, {2, 4}, {2, 7}, {3, 4}, {3, 6}, {3, 10}, {4, 5}, {4, 7},
                       {4, 8}, {4, 9}, {5, 9}});
}

std::int64_t total(const PartitionProblem& p) { return std::accumulate(p.weight.begin(), p.weight.end(), std::int64_t{0}); }

}  // namespace

TEST_CASE("The exact solver finds the fewest networks outside the band, contiguity included", "[partition][exact]") {
    const PartitionProblem p = hartlepool();
    REQUIRE(total(p) == 97258);  // two networks of 48,629 would do, by the totals alone
    const auto exact = exact_partition(part_of(p));
    REQUIRE(exact);
    CHECK(exact->out_of_band == 1);
    // Its partition achieves that count and keeps every region connected.
    std::map<std::int32_t, std::int64_t> weight;
    for (std::size_t u = 0; u < p.weight.size(); ++u) weight[exact->region[u]] += p.weight[u];
    std::size_t out = 0;
    for (const auto& [r, w] : weight) out += w < 30000 || w > 50000;
    CHECK(out == 1);

    // A path of six 10,000-patient units splits into two in-band networks of three.
    const auto path = exact_partition(part_of(problem_of({10000, 10000, 10000, 10000, 10000, 10000}, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}})));
    REQUIRE(path);
    CHECK(path->out_of_band == 0);
    CHECK(path->region == std::vector<std::int32_t>{0, 0, 0, 1, 1, 1});

    // Parts too large for it are left to the search.
    CHECK_FALSE(exact_partition(part_of(problem_of(std::vector<std::int64_t>(kExactPartitionUnits + 1, 10000), {}))));
}

TEST_CASE("The depth-first band search finds a partition all in the band, or proves there is none", "[partition][exact]") {
    // Hartlepool again: no partition has every network in the band.
    CHECK(search_all_in_band(part_of(hartlepool())).answer == BandSearch::Answer::impossible);
    // A 4 x 6 grid of 8,000-patient units: 192,000 patients, four to six networks of 30,000-50,000.
    std::vector<std::int64_t> weights(24, 8000);
    Edges edges;
    for (std::uint32_t i = 0; i < 24; ++i) {
        if (i % 6 != 5) edges.emplace_back(i, i + 1);
        if (i < 18) edges.emplace_back(i, i + 6);
    }
    const PartProblem grid = part_of(problem_of(weights, edges));
    const BandSearch found = search_all_in_band(grid);
    REQUIRE(found.answer == BandSearch::Answer::found);
    std::map<std::int32_t, std::int64_t> weight;
    for (std::size_t u = 0; u < 24; ++u) weight[found.partition.region[u]] += 8000;
    for (const auto& [r, w] : weight) {
        CHECK(w >= 30000);
        CHECK(w <= 50000);
        // Each region is connected: a walk from one of its units reaches all of them.
        std::vector<std::uint32_t> members, stack;
        for (std::uint32_t u = 0; u < 24; ++u) {
            if (found.partition.region[u] == r) members.push_back(u);
        }
        std::set<std::uint32_t> reached{members.front()};
        stack.push_back(members.front());
        while (!stack.empty()) {
            const std::uint32_t u = stack.back();
            stack.pop_back();
            for (const auto& [v, length] : grid.neighbours[u]) {
                if (found.partition.region[v] == r && reached.insert(v).second) stack.push_back(v);
            }
        }
        CHECK(reached.size() == members.size());
    }
    // Past its budget it says it does not know.
    CHECK(search_all_in_band(grid, 3).answer == BandSearch::Answer::unknown);
}

TEST_CASE("Networks outside the band say whether the data force it", "[partition][causes]") {
    // Units 0-10: Hartlepool. Unit 11: 60,000 patients alone. Units 12-13: a separate pair of 10,000.
    PartitionProblem p = hartlepool();
    p.weight.push_back(60000);
    p.weight.push_back(10000);
    p.weight.push_back(10000);
    p.neighbours.push_back({});
    p.neighbours.push_back({{13, 100.0}});
    p.neighbours.push_back({{12, 100.0}});
    for (std::uint32_t u = 11; u < 14; ++u) {
        p.area.push_back(1e6);
        p.perimeter.push_back(4000);
        p.patients.push_back({{u, p.weight[u]}});
        p.constraint.push_back("");
        p.locked_region.push_back(-1);
    }
    p.areas = 14;
    const PartitionResult result = partition_units(p, PartitionSettings{});
    CHECK(result.parts == 2);  // Hartlepool and the pair; the large unit is a network of its own
    const auto cause_of = [&](std::uint32_t u) { return result.cause[static_cast<std::size_t>(result.region[u])]; };
    CHECK(cause_of(11) == BandCause::alone_above_max);
    CHECK(cause_of(12) == BandCause::part_below_min);
    CHECK(result.region[12] == result.region[13]);
    CHECK(result.part_weight[static_cast<std::size_t>(result.region[12])] == 20000);
    std::size_t hartlepool_out = 0;
    for (std::uint32_t u = 0; u < 11; ++u) {
        if (cause_of(u) == BandCause::part_unsplittable) ++hartlepool_out;
        CHECK(cause_of(u) != BandCause::not_reached);
    }
    CHECK(hartlepool_out > 0);  // the members of its one network outside the band
    CHECK(result.in_band == static_cast<std::size_t>(result.regions) - 3);
    CHECK(is_forced(BandCause::part_unsplittable));
    CHECK_FALSE(is_forced(BandCause::not_reached));
    CHECK(to_string(BandCause::not_reached) == "not_reached");
    CHECK(to_string(BandCause::none).empty());
}

TEST_CASE("The search gives the same networks whatever the number of threads", "[partition][determinism]") {
    // A 10 x 10 grid of units of 7,000 to 13,000 patients, with patients spilling into neighbours'
    // areas so that cohesion differs between partitions.
    std::vector<std::int64_t> weights;
    Edges edges;
    for (std::uint32_t i = 0; i < 100; ++i) {
        weights.push_back(7000 + static_cast<std::int64_t>((i * 37) % 61) * 100);
        if (i % 10 != 9) edges.emplace_back(i, i + 1);
        if (i < 90) edges.emplace_back(i, i + 10);
    }
    PartitionProblem p = problem_of(weights, edges);
    for (std::uint32_t u = 0; u < 100; ++u) {
        p.patients[u].clear();
        std::int64_t left = weights[u];
        for (const auto& [v, length] : p.neighbours[u]) {
            p.patients[u].emplace_back(v, weights[u] / 10);
            left -= weights[u] / 10;
        }
        p.patients[u].emplace_back(u, left);
        std::sort(p.patients[u].begin(), p.patients[u].end());
    }
    PartitionSettings one;
    one.threads = 1;
    one.seed = 7;
    PartitionSettings four = one;
    four.threads = 4;
    const PartitionResult a = partition_units(p, one);
    const PartitionResult b = partition_units(p, four);
    CHECK(a.region == b.region);
    CHECK(a.in_band == b.in_band);
    CHECK(a.in_band == static_cast<std::size_t>(a.regions));  // a grid like this fits the band everywhere
    PartitionSettings other = one;
    other.seed = 8;
    CHECK(partition_units(p, other).region.size() == 100);
}

TEST_CASE("parallel_for runs every index once and hands a task's exception to the caller", "[parallel]") {
    std::vector<std::atomic<int>> runs(1000);
    std::atomic<unsigned> highest_worker{0};
    parallel_for(runs.size(), 3, [&](std::size_t i, unsigned worker) {  // no Catch2 assertions off the main thread
        ++runs[i];
        for (unsigned seen = highest_worker; worker > seen && !highest_worker.compare_exchange_weak(seen, worker);) {}
    });
    for (const auto& r : runs) CHECK(r == 1);
    CHECK(highest_worker < 3);
    CHECK(worker_count(0, 1) == 1);
    CHECK(worker_count(8, 3) == 3);
    CHECK_THROWS_WITH(parallel_for(100, 2,
                                   [](std::size_t i, unsigned) {
                                       if (i == 42) throw std::runtime_error("task 42 failed");
                                   }),
                      "task 42 failed");
}
