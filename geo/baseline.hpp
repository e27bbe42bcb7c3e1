#pragma once
// Baselines: networks a plan starts from (an earlier plan, or the real PCNs) and changes as little as
// it can, and the comparison of two sets of networks (what moved, what was made, dissolved, changed).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace geo {

struct Dataset;
struct Plan;

/// Networks as a membership list: which network each practice code belongs to.
struct Baseline {
    struct Network {
        std::string id;
        std::string name;
    };
    std::string source;                               // "reference", a file or a plan id: for reports
    std::vector<Network> networks;
    std::map<std::string, std::uint32_t> network_of;  // practice code -> index into networks
    std::map<std::string, std::int64_t> list_size;    // practice code -> list size, where known
    std::map<std::string, std::uint32_t> index_of;    // network id -> index into networks (kept by assign)

    /// Index of the network with `id`, or -1.
    std::int32_t find(const std::string& id) const;
    /// Adds (or finds) the network `id` and puts practice `code` in it.
    void assign(const std::string& code, const std::string& id, const std::string& name);
};

/// The dataset's reference networks (e.g. the real PCNs), with their names where the dataset has them.
Baseline reference_baseline(const Dataset& dataset);
/// The networks of a plan.
Baseline baseline_of(const Dataset& dataset, const Plan& plan);

/// What changed from `before` to `after`.
struct PlanDiff {
    struct MovedPractice {
        std::string code;
        std::string from, to;  // network ids; empty: in no network (closed, or new)
    };
    struct NetworkChange {
        std::string id;
        std::string name;
        std::string change;             // "created", "dissolved", "changed", "unchanged"
        std::int64_t list_size_before = 0;
        std::int64_t list_size_after = 0;
        std::vector<std::string> joined;  // practice codes that came in
        std::vector<std::string> left;    // practice codes that went out
    };
    std::vector<MovedPractice> moved;     // in a network before and a different one after, by code
    std::vector<std::string> removed;     // in a network before and in none after (e.g. closed), by code
    std::vector<MovedPractice> added;     // in none before (e.g. new practices), by code
    std::vector<NetworkChange> networks;  // sorted by id
    std::size_t created = 0, dissolved = 0, changed = 0, unchanged = 0;
    bool empty() const { return moved.empty() && removed.empty() && added.empty() && created == 0 && dissolved == 0 && changed == 0; }
};
PlanDiff diff(const Baseline& before, const Baseline& after);

}  // namespace geo
