// What-ifs on the real data: re-planning London from its plain plan when a practice closes or opens,
// repairing the real PCNs, and where a closed practice's patients go.
#include "data/loader.hpp"
#include "geo/plan.hpp"
#include "paths.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <set>

namespace {

geo::Dataset load(const std::filesystem::path& description) { return data::load_dataset(data::describe(data::read_description(description))); }

using Members = std::map<std::string, std::set<std::string>>;  // network id -> practice codes

/// Each network's members, leaving out `ignored` (a closed or new practice).
Members members(const geo::Plan& p, const std::string& ignored) {
    Members out;
    for (const geo::Network& n : p.networks) {
        auto& codes = out[n.id];
        for (const std::uint32_t m : n.practices) {
            if (p.dataset->practices[m].code != ignored) codes.insert(p.dataset->practices[m].code);
        }
    }
    return out;
}

/// Networks whose membership differs (ids in one plan only count too).
std::size_t changed(const Members& before, const Members& after) {
    std::set<std::string> ids;
    for (const auto& [id, m] : before) ids.insert(id);
    for (const auto& [id, m] : after) ids.insert(id);
    std::size_t n = 0;
    for (const std::string& id : ids) {
        const auto b = before.find(id), a = after.find(id);
        n += b == before.end() || a == after.end() || b->second != a->second;
    }
    return n;
}

std::map<std::string, std::string> names(const geo::Plan& p) {
    std::map<std::string, std::string> out;
    for (const geo::Network& n : p.networks) out[n.id] = n.name;
    return out;
}

struct London {
    geo::Dataset dataset = load(test_paths::sample_dir());
    geo::PlanOptions options;
    geo::Plan plain;
    London() {
        options.constraint_field = "lad11cd";
        plain = geo::plan(dataset, options, *dataset.geos);
    }
    geo::PlanOptions from_plain() const {
        geo::PlanOptions o = options;
        o.baseline = std::make_shared<const geo::Baseline>(geo::baseline_of(*plain.dataset, plain));
        return o;
    }
};

/// Unchanged networks keep their ids and names; at most `most` networks change beyond `ignored`.
void check_minimal_change(const geo::Plan& before, const geo::Plan& after, const std::string& ignored, std::size_t most) {
    const Members b = members(before, ignored), a = members(after, ignored);
    INFO("networks changed beyond " << ignored << ": " << changed(b, a));
    CHECK(changed(b, a) <= most);
    const auto old_names = names(before), new_names = names(after);
    std::size_t kept = 0;
    for (const auto& [id, codes] : b) {
        const auto it = a.find(id);
        if (it == a.end() || it->second != codes) continue;
        ++kept;
        CHECK(new_names.at(id) == old_names.at(id));
    }
    CHECK(kept + most >= b.size());
}

}  // namespace

TEST_CASE("London by borough, re-planned from its plain plan: closing F84012 or opening a practice changes at most 3 networks",
          "[what-if][london][sample]") {
    const London london;
    geo::PlanOptions closing = london.from_plain();
    closing.excluded_practices = {"F84012"};
    const geo::Plan closed = geo::plan(london.dataset, closing, *london.dataset.geos);
    check_minimal_change(london.plain, closed, "F84012", 3);
    CHECK(closed.report.moved_practices <= 6);
    CHECK(closed.report.plan.share_in_band >= london.plain.report.plan.share_in_band - 0.01);

    geo::PlanOptions opening = london.from_plain();
    opening.new_practices = {{"NEW1", "Hypothetical Mile End surgery", {535975, 182104}, 9000}};  // Mile End Road, Tower Hamlets
    const geo::Plan opened = geo::plan(london.dataset, opening, *london.dataset.geos);
    check_minimal_change(london.plain, opened, "NEW1", 3);
    CHECK(opened.practice_network.back() >= 0);  // the new practice is in a network
    CHECK(opened.dataset->practices.back().list_size > 0);
    CHECK(opened.dataset->practices.back().list_size <= 9000);

    // The same options again: nothing changes at all.
    const geo::Plan again = geo::plan(london.dataset, london.from_plain(), *london.dataset.geos);
    CHECK(changed(members(london.plain, ""), members(again, "")) == 0);
    CHECK(again.report.moved_practices == 0);
}

TEST_CASE("Closing F84012 keeps London's registered totals and hands its patients to the practices its areas use",
          "[what-if][london][sample]") {
    const geo::Dataset d = load(test_paths::sample_dir());
    geo::PlanOptions options;
    options.constraint_field = "lad11cd";
    options.excluded_practices = {"F84012"};
    const geo::Plan p = geo::plan(d, options, *d.geos);
    const geo::Dataset& after = *p.dataset;
    REQUIRE(after.practices.size() == d.practices.size());
    std::int64_t list_before = 0, list_after = 0;
    for (std::size_t i = 0; i < d.practices.size(); ++i) {
        list_before += d.practices[i].list_size;
        list_after += after.practices[i].list_size;
    }
    CHECK(list_after == list_before);
    // Registered patients living in Tower Hamlets (E09000030) and in every area stay as they were.
    const auto living = [](const geo::Dataset& x, const std::string& borough) {
        std::int64_t n = 0;
        for (const geo::Registration& r : x.registrations) {
            if (r.area >= 0 && (borough.empty() || x.areas[static_cast<std::size_t>(r.area)].group == borough)) n += r.patients;
        }
        return n;
    };
    CHECK(living(after, "E09000030") == living(d, "E09000030"));
    CHECK(living(after, "") == living(d, ""));
    // Every practice that gained is registered in an area where F84012's patients live.
    std::set<std::int32_t> areas;
    std::int32_t closed = -1;
    for (std::size_t i = 0; i < d.practices.size(); ++i) {
        if (d.practices[i].code == "F84012") closed = static_cast<std::int32_t>(i);
    }
    for (const geo::Registration& r : d.registrations) {
        if (r.practice == closed && r.area >= 0) areas.insert(r.area);
    }
    std::set<std::int32_t> used;
    for (const geo::Registration& r : d.registrations) {
        if (areas.contains(r.area) && r.practice >= 0 && r.practice != closed) used.insert(r.practice);
    }
    std::int64_t gained = 0;
    for (std::size_t i = 0; i < d.practices.size(); ++i) {
        const std::int64_t delta = after.practices[i].list_size - d.practices[i].list_size;
        if (delta > 0) {
            INFO(d.practices[i].code);
            CHECK(used.contains(static_cast<std::int32_t>(i)));
            gained += delta;
        }
    }
    CHECK(gained == 9713);  // F84012's list
    CHECK(after.practices[static_cast<std::size_t>(closed)].list_size == 0);
    std::int64_t moved = 0;
    for (const geo::PatientMove& m : p.report.patient_moves) moved += m.patients;
    CHECK(moved == 9713);
}

TEST_CASE("Tower Hamlets without F84012 still plans all 377,414 of its registered patients", "[shared][what-if][tower-hamlets]") {
    const geo::Dataset d = load(test_paths::descriptions() / "tower-hamlets-shared.toml");
    geo::PlanOptions options;
    options.excluded_practices = {"F84012"};
    const geo::Plan p = geo::plan(d, options, *d.geos);
    std::int64_t planned = 0;
    for (const geo::Network& n : p.networks) planned += n.metrics.list_size;
    CHECK(planned == 377414);
}

TEST_CASE("Repairing London's real PCNs: 90% of networks in band, 90% of practices still mostly with their own PCN",
          "[what-if][london][sample][repair]") {
    const geo::Dataset d = load(test_paths::sample_dir());
    geo::PlanOptions options;
    options.baseline = std::make_shared<const geo::Baseline>(geo::reference_baseline(d));
    const geo::Plan p = geo::plan(d, options, *d.geos);
    INFO("in band " << p.report.plan.in_band << " of " << p.report.plan.networks << ", moved " << p.report.moved_practices);
    CHECK(p.report.plan.share_in_band >= 0.90);
    // Counted here from the networks' members and the practices' real PCNs.
    std::size_t with_pcn = 0, among_own = 0;
    for (const geo::Network& n : p.networks) {
        std::map<std::string, std::size_t> pcn;
        for (const std::uint32_t m : n.practices) ++pcn[d.practices[m].reference_network];
        for (const std::uint32_t m : n.practices) {
            const std::string& own = d.practices[m].reference_network;
            if (own.empty()) continue;
            ++with_pcn;
            among_own += 2 * pcn[own] > n.practices.size();
        }
    }
    INFO("practices mostly among their own PCN: " << among_own << " of " << with_pcn);
    CHECK(static_cast<double>(among_own) >= 0.90 * static_cast<double>(with_pcn));
    // Networks that continue a real PCN keep its code and name.
    std::size_t continued = 0;
    for (const geo::Network& n : p.networks) {
        if (n.baseline_id.empty()) continue;
        ++continued;
        const auto it = std::find_if(d.practices.begin(), d.practices.end(), [&](const geo::Practice& x) { return x.reference_network == n.id; });
        REQUIRE(it != d.practices.end());
        CHECK(n.name == it->reference_network_name);
    }
    CHECK(continued >= 150);
}
