#include "server/service/diff_report.hpp"

#include "server/service/summary_report.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace server {

namespace json = boost::json;

namespace {

json::array strings(const std::vector<std::string>& values) { return json::array(values.begin(), values.end()); }

std::string codes(const std::vector<std::string>& values) {
    std::string out;
    for (const std::string& v : values) out += (out.empty() ? "" : ", ") + v;
    return out;
}

}  // namespace

json::value diff_json(const geo::PlanDiff& diff, const std::string& before, const std::string& after) {
    json::array moved, added, networks, unchanged;
    for (const auto& m : diff.moved) moved.push_back({{"practice", m.code}, {"from", m.from}, {"to", m.to}});
    for (const auto& m : diff.added) added.push_back({{"practice", m.code}, {"to", m.to}});
    for (const auto& n : diff.networks) {
        if (n.change == "unchanged") {
            unchanged.push_back(json::string(n.id));
            continue;
        }
        networks.push_back({{"network_id", n.id},  // the networks layer's names
                            {"network_name", n.name},
                            {"change", n.change},
                            {"list_size_before", n.list_size_before},
                            {"list_size_after", n.list_size_after},
                            {"joined", strings(n.joined)},
                            {"left", strings(n.left)}});
    }
    return {{"before", before},
            {"after", after},
            {"summary",
             {{"moved", diff.moved.size()},
              {"removed", diff.removed.size()},
              {"added", diff.added.size()},
              {"created", diff.created},
              {"dissolved", diff.dissolved},
              {"changed", diff.changed},
              {"unchanged", diff.unchanged}}},
            {"moved_practices", std::move(moved)},
            {"removed_practices", strings(diff.removed)},
            {"added_practices", std::move(added)},
            {"networks", std::move(networks)},
            {"unchanged_networks", std::move(unchanged)}};
}

std::string diff_text(const geo::PlanDiff& diff, const std::string& before, const std::string& after) {
    std::string out = fmt::format("Before: {}\nAfter:  {}\n", before, after);
    if (diff.empty()) return out + "Nothing changed: every practice is in a network of the same id, with the same members.\n";
    out += fmt::format("Networks: {} unchanged, {} changed, {} created, {} dissolved\n", diff.unchanged, diff.changed, diff.created, diff.dissolved);
    out += fmt::format("Practices: {} moved, {} in no network after, {} in no network before\n", diff.moved.size(), diff.removed.size(), diff.added.size());
    for (const auto& m : diff.moved) out += fmt::format("  {} {} -> {}\n", m.code, m.from, m.to);
    for (const auto& code : diff.removed) out += fmt::format("  {} left every network\n", code);
    for (const auto& m : diff.added) out += fmt::format("  {} joined {}\n", m.code, m.to);
    constexpr auto kRow = "{:<10} {:<10} {:>12} {:>12}  {}\n";
    out += '\n';
    out += fmt::format(kRow, "Network", "Change", "Size before", "Size after", "Joined / left");
    for (const auto& n : diff.networks) {
        if (n.change == "unchanged") continue;
        std::string who;
        if (!n.joined.empty()) who += fmt::format("+{}", codes(n.joined));
        if (!n.left.empty()) who += fmt::format("{}-{}", who.empty() ? "" : "; ", codes(n.left));
        out += fmt::format(kRow, n.id, n.change, with_thousands(n.list_size_before), with_thousands(n.list_size_after), who);
    }
    return out;
}

}  // namespace server
