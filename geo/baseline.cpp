#include "geo/baseline.hpp"

#include "geo/dataset.hpp"
#include "geo/plan.hpp"

#include <algorithm>
#include <set>

namespace geo {

std::int32_t Baseline::find(const std::string& id) const {
    const auto it = index_of.find(id);
    return it == index_of.end() ? -1 : static_cast<std::int32_t>(it->second);
}

void Baseline::assign(const std::string& code, const std::string& id, const std::string& name) {
    const auto [it, added] = index_of.emplace(id, static_cast<std::uint32_t>(networks.size()));
    if (added) networks.push_back({id, name.empty() ? id : name});
    network_of[code] = it->second;
}

Baseline reference_baseline(const Dataset& dataset) {
    Baseline out;
    out.source = "reference";
    for (const Practice& p : dataset.practices) {
        out.list_size[p.code] = p.list_size;
        if (!p.reference_network.empty()) out.assign(p.code, p.reference_network, p.reference_network_name);
    }
    if (out.networks.empty()) throw PlanError("the dataset has no reference networks (practices.reference_network_field) to start from");
    return out;
}

Baseline baseline_of(const Dataset& dataset, const Plan& plan) {
    Baseline out;
    out.source = plan.options.title;
    for (std::size_t p = 0; p < dataset.practices.size(); ++p) {
        out.list_size[dataset.practices[p].code] = dataset.practices[p].list_size;
        const std::int32_t n = p < plan.practice_network.size() ? plan.practice_network[p] : -1;
        if (n < 0) continue;
        const Network& network = plan.networks[static_cast<std::size_t>(n)];
        out.assign(dataset.practices[p].code, network.id, network.name);
    }
    return out;
}

namespace {

std::map<std::string, std::set<std::string>> members_by_id(const Baseline& b) {
    std::map<std::string, std::set<std::string>> out;
    for (const auto& network : b.networks) out[network.id];
    for (const auto& [code, index] : b.network_of) out[b.networks[index].id].insert(code);
    return out;
}

std::int64_t list_size(const Baseline& b, const std::set<std::string>& members) {
    std::int64_t total = 0;
    for (const std::string& code : members) {
        if (const auto it = b.list_size.find(code); it != b.list_size.end()) total += it->second;
    }
    return total;
}

const std::string& name_of(const Baseline& b, const std::string& id) {
    static const std::string none;
    const std::int32_t i = b.find(id);
    return i < 0 ? none : b.networks[static_cast<std::size_t>(i)].name;
}

}  // namespace

PlanDiff diff(const Baseline& before, const Baseline& after) {
    PlanDiff out;
    std::set<std::string> codes;
    for (const auto& [code, n] : before.network_of) codes.insert(code);
    for (const auto& [code, n] : after.network_of) codes.insert(code);
    for (const std::string& code : codes) {
        const auto b = before.network_of.find(code);
        const auto a = after.network_of.find(code);
        const std::string from = b == before.network_of.end() ? std::string() : before.networks[b->second].id;
        const std::string to = a == after.network_of.end() ? std::string() : after.networks[a->second].id;
        if (from == to) continue;
        if (to.empty()) {
            out.removed.push_back(code);
        } else if (from.empty()) {
            out.added.push_back({code, from, to});
        } else {
            out.moved.push_back({code, from, to});
        }
    }
    const auto old_members = members_by_id(before);
    const auto new_members = members_by_id(after);
    std::set<std::string> ids;
    for (const auto& [id, m] : old_members) ids.insert(id);
    for (const auto& [id, m] : new_members) ids.insert(id);
    static const std::set<std::string> none;
    for (const std::string& id : ids) {
        const auto o = old_members.find(id);
        const auto n = new_members.find(id);
        const auto& was = o == old_members.end() ? none : o->second;
        const auto& is = n == new_members.end() ? none : n->second;
        PlanDiff::NetworkChange change;
        change.id = id;
        change.name = is.empty() ? name_of(before, id) : name_of(after, id);
        change.list_size_before = list_size(before, was);
        change.list_size_after = list_size(after, is);
        std::set_difference(is.begin(), is.end(), was.begin(), was.end(), std::back_inserter(change.joined));
        std::set_difference(was.begin(), was.end(), is.begin(), is.end(), std::back_inserter(change.left));
        if (was.empty() && !is.empty()) {
            change.change = "created";
            ++out.created;
        } else if (is.empty()) {
            change.change = "dissolved";
            ++out.dissolved;
        } else if (!change.joined.empty() || !change.left.empty()) {
            change.change = "changed";
            ++out.changed;
        } else {
            change.change = "unchanged";
            ++out.unchanged;
        }
        out.networks.push_back(std::move(change));
    }
    return out;
}

}  // namespace geo
