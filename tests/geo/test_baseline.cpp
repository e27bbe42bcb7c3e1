// Baselines: the repair of networks outside the band moving few practices, and the diff of two plans.
#include "geo/baseline.hpp"
#include "geo/networks.hpp"
#include "geo/partition_fixture.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

using namespace geo;

namespace {

/// Units in a row, each adjacent to the next; each unit's patients live in an area of its own.
PartitionProblem row_of(const std::vector<std::int64_t>& weights, const std::vector<std::int32_t>& home) {
    partition_fixture::Edges edges;
    for (std::uint32_t u = 0; u + 1 < weights.size(); ++u) edges.emplace_back(u, u + 1);
    PartitionProblem p = partition_fixture::problem_of(weights, edges);
    const std::size_t n = weights.size();
    p.min_weight = 30;
    p.max_weight = 50;
    p.home = home;
    p.practices.assign(n, 1);
    return p;
}

/// The baseline network each unit ended in (-1: a new one).
std::vector<std::int32_t> identities(const PartitionResult& r) {
    std::vector<std::int32_t> out;
    for (const std::int32_t region : r.region) out.push_back(r.identity[static_cast<std::size_t>(region)]);
    return out;
}

}  // namespace

TEST_CASE("A baseline inside the band is kept exactly, with its identities", "[baseline][repair]") {
    const PartitionProblem p = row_of({20, 20, 15, 25, 40}, {0, 0, 1, 1, 2});
    const PartitionResult r = partition_units(p, {});
    CHECK(r.in_band == 3);
    CHECK(identities(r) == std::vector<std::int32_t>{0, 0, 1, 1, 2});
}

TEST_CASE("A network over the maximum sheds a practice to a neighbour with room, and nothing else moves", "[baseline][repair]") {
    // Network 0 holds 60 (above 50); network 1 (25) beside it has room for one of its units.
    const PartitionProblem p = row_of({20, 20, 20, 25, 35}, {0, 0, 0, 1, 2});
    const PartitionResult r = partition_units(p, {});
    CHECK(r.in_band == static_cast<std::size_t>(r.regions));
    CHECK(identities(r) == std::vector<std::int32_t>{0, 0, 1, 1, 2});
}

TEST_CASE("A network far over the maximum is split, its practices staying together", "[baseline][repair]") {
    const PartitionProblem p = row_of({20, 20, 20, 20, 40}, {0, 0, 0, 0, 1});
    const PartitionResult r = partition_units(p, {});
    CHECK(r.in_band == static_cast<std::size_t>(r.regions));
    CHECK(r.regions == 3);
    // Units 0-3 make two networks of 40: one keeps the identity, the other is new; unit 4 is untouched.
    const auto id = identities(r);
    CHECK(id[4] == 1);
    CHECK(std::count(id.begin(), id.begin() + 4, 0) == 2);
    CHECK(std::count(id.begin(), id.begin() + 4, -1) == 2);
    CHECK(r.region[0] == r.region[1]);
    CHECK(r.region[2] == r.region[3]);
}

TEST_CASE("A network under the minimum is topped up from a neighbour that can spare a practice", "[baseline][repair]") {
    const PartitionProblem p = row_of({20, 15, 20, 20}, {0, 1, 1, 1});
    const PartitionResult r = partition_units(p, {});
    CHECK(r.in_band == 2);
    CHECK(identities(r) == std::vector<std::int32_t>{0, 0, 1, 1});
}

TEST_CASE("A practice new to the baseline joins a neighbouring network with room", "[baseline][repair]") {
    const PartitionProblem p = row_of({20, 20, 5, 40}, {0, 0, -1, 1});
    const PartitionResult r = partition_units(p, {});
    CHECK(r.in_band == 2);
    CHECK((r.region[2] == r.region[0] || r.region[2] == r.region[3]));  // it joined a neighbour
    CHECK(identities(r)[0] == 0);
    CHECK(identities(r)[3] == 1);
}

TEST_CASE("diff reports moved, removed and added practices and each network's change", "[baseline][diff]") {
    Baseline before, after;
    before.assign("P1", "N1", "North");
    before.assign("P2", "N1", "North");
    before.assign("P3", "N2", "South");
    before.assign("P4", "N3", "East");
    before.list_size = {{"P1", 10}, {"P2", 20}, {"P3", 30}, {"P4", 40}};
    CHECK(diff(before, before).empty());
    CHECK(diff(before, before).unchanged == 3);

    after.assign("P1", "N1", "North");
    after.assign("P3", "N2", "South");
    after.assign("P2", "N2", "South");
    after.assign("P5", "N4", "New");
    after.list_size = {{"P1", 15}, {"P2", 20}, {"P3", 30}, {"P5", 40}};
    const PlanDiff d = diff(before, after);
    REQUIRE(d.moved.size() == 1);
    CHECK(d.moved[0].code == "P2");
    CHECK(d.moved[0].from == "N1");
    CHECK(d.moved[0].to == "N2");
    CHECK(d.removed == std::vector<std::string>{"P4"});
    REQUIRE(d.added.size() == 1);
    CHECK(d.added[0].code == "P5");
    CHECK(d.created == 1);
    CHECK(d.dissolved == 1);
    CHECK(d.changed == 2);
    CHECK(d.unchanged == 0);
    const auto n1 = std::find_if(d.networks.begin(), d.networks.end(), [](const auto& n) { return n.id == "N1"; });
    REQUIRE(n1 != d.networks.end());
    CHECK(n1->list_size_before == 30);
    CHECK(n1->list_size_after == 15);
    CHECK(n1->left == std::vector<std::string>{"P2"});
}
