// What-ifs on a hand-made study: where a closed practice's patients go, what an opened one gains,
// and that every total stays as it was.
#include "geo/plan.hpp"
#include "geo/what_if.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <numeric>

using namespace geo;

namespace {

/// Three 1 km squares in a row (A1, A2, A3) with a practice in each. P1 has patients in A1 and A2
/// and 50 recorded in no area; P2 in A1 and A2; P3 only in A3.
std::shared_ptr<const Dataset> three_squares() {
    auto d = std::make_shared<Dataset>();
    d->name = "three squares";
    d->working_crs = "EPSG:27700";
    const char* squares[] = {"POLYGON ((530000 180000, 531000 180000, 531000 181000, 530000 181000, 530000 180000))",
                             "POLYGON ((531000 180000, 532000 180000, 532000 181000, 531000 181000, 531000 180000))",
                             "POLYGON ((532000 180000, 533000 180000, 533000 181000, 532000 181000, 532000 180000))"};
    for (int i = 0; i < 3; ++i) {
        Area a;
        a.code = 'A';
        a.code += std::to_string(i + 1);
        a.population = 1000;
        a.geometry = from_wkt(*d->geos, squares[i]);
        d->areas.push_back(std::move(a));
    }
    for (int i = 0; i < 3; ++i) {
        Practice p;
        p.code = 'P';
        p.code += std::to_string(i + 1);
        p.location = {530500.0 + 1000 * i, 180500};
        d->practices.push_back(std::move(p));
    }
    d->practices[0].list_size = 800;  // the list size field: 50 more than its rows in areas... and NO2011
    d->practices[1].list_size = 800;
    d->practices[2].list_size = 400;
    const auto row = [&](std::int32_t practice, std::int32_t area, std::int64_t patients) {
        Registration r;
        r.practice = practice;
        r.area = area;
        r.patients = patients;
        r.practice_code = d->practices[static_cast<std::size_t>(practice)].code;
        r.area_code = area >= 0 ? d->areas[static_cast<std::size_t>(area)].code : "NO2011";
        d->registrations.push_back(r);
    };
    row(0, 0, 600);
    row(0, 1, 100);
    row(0, kAreaNotRecorded, 50);
    row(1, 0, 300);
    row(1, 1, 500);
    row(2, 2, 400);
    return d;
}

std::int64_t list_total(const Dataset& d) {
    return std::accumulate(d.practices.begin(), d.practices.end(), std::int64_t{0}, [](std::int64_t s, const Practice& p) { return s + p.list_size; });
}

/// Patients per area over every row.
std::map<std::int32_t, std::int64_t> by_area(const Dataset& d) {
    std::map<std::int32_t, std::int64_t> out;
    for (const Registration& r : d.registrations) out[r.area] += r.patients;
    return out;
}

const Practice& find(const Dataset& d, const std::string& code) {
    for (const Practice& p : d.practices) {
        if (p.code == code) return p;
    }
    FAIL("no practice " << code);
    return d.practices.front();
}

}  // namespace

TEST_CASE("apportion splits a whole number in proportion, largest remainders first", "[what-if]") {
    CHECK(apportion(10, {1, 1, 1}) == std::vector<std::int64_t>{4, 3, 3});
    CHECK(apportion(5, {2, 3}) == std::vector<std::int64_t>{2, 3});
    CHECK(apportion(7, {0, 0}) == std::vector<std::int64_t>{0, 0});
    CHECK(apportion(3, {0, 5, 0}) == std::vector<std::int64_t>{0, 3, 0});
    const auto parts = apportion(9713, {13.0, 7.0, 1.0, 0.5});
    CHECK(std::accumulate(parts.begin(), parts.end(), std::int64_t{0}) == 9713);
}

TEST_CASE("A closed practice's patients go to the practices registered where they live, and no total changes", "[what-if]") {
    const auto base = three_squares();
    const Scenario s = make_scenario(base, {"P1"}, {});
    REQUIRE(s.dataset != base);
    const Dataset& d = *s.dataset;
    // P2 is the only other practice in A1 and A2: it receives all 800 of P1's list and its rows.
    CHECK(find(d, "P1").list_size == 0);
    CHECK(find(d, "P2").list_size == 1600);
    CHECK(find(d, "P3").list_size == 400);
    CHECK(list_total(d) == list_total(*base));
    CHECK(by_area(d) == by_area(*base));  // nobody moved house
    for (const Registration& r : d.registrations) CHECK(r.practice != 0);
    REQUIRE(s.moves.size() == 1);
    CHECK(s.moves[0].from == "P1");
    CHECK(s.moves[0].to == "P2");
    CHECK(s.moves[0].patients == 800);
    // The base is untouched.
    CHECK(find(*base, "P1").list_size == 800);
}

TEST_CASE("Where no other practice is registered, a closed practice's patients go to the nearest", "[what-if]") {
    const auto base = three_squares();
    const Scenario s = make_scenario(base, {"P3"}, {});
    // A3's 400 patients have no other practice there: P2, 1 km away, is the nearest.
    CHECK(find(*s.dataset, "P2").list_size == 1200);
    CHECK(find(*s.dataset, "P1").list_size == 800);
    CHECK(by_area(*s.dataset) == by_area(*base));
}

TEST_CASE("A new practice draws patients from its neighbours by the gravity model, up to its list size", "[what-if]") {
    const auto base = three_squares();
    NewPractice n;
    n.code = "N1";
    n.name = "New";
    n.location = {531500, 180600};  // in A2, beside P2
    const Scenario free = make_scenario(base, {}, {n});
    const Practice& added = find(*free.dataset, "N1");
    CHECK(added.list_size > 0);
    CHECK(list_total(*free.dataset) == list_total(*base));
    CHECK(by_area(*free.dataset) == by_area(*base));
    // It draws more from A2, where it stands, than from A1.
    std::map<std::int32_t, std::int64_t> gained;
    for (const Registration& r : free.dataset->registrations) {
        if (r.practice_code == "N1") gained[r.area] += r.patients;
    }
    CHECK(gained[1] > gained[0]);
    std::int64_t moved = 0;
    for (const PatientMove& m : free.moves) {
        CHECK(m.to == "N1");
        moved += m.patients;
    }
    CHECK(moved == added.list_size);

    // The list size given is its size in the model and the most it may gain.
    n.list_size = 10;
    const Scenario small = make_scenario(base, {}, {n});
    CHECK(find(*small.dataset, "N1").list_size > 0);
    CHECK(find(*small.dataset, "N1").list_size <= 10);
    CHECK(list_total(*small.dataset) == list_total(*base));
    n.list_size = 5000;
    const Scenario large = make_scenario(base, {}, {n});
    CHECK(find(*large.dataset, "N1").list_size > added.list_size);
    CHECK(find(*large.dataset, "N1").list_size < 5000);
}

TEST_CASE("New practices are checked: a taken code, a place outside every area, a negative list size", "[what-if]") {
    const auto base = three_squares();
    PlanOptions o;
    o.method = CatchmentMethod::nearest;
    NewPractice n;
    n.code = "P2";
    n.location = {531500, 180500};
    o.new_practices = {n};
    CHECK_THROWS_WITH(o.validate(*base), "new practice 1 ('P2'): the code is already a practice's");
    o.new_practices[0].code = "N1";
    o.new_practices[0].location = {600000, 180500};
    CHECK_THROWS_WITH(o.validate(*base), "new practice 1 ('N1'): its location (600000.0, 180500.0) in EPSG:27700 lies outside every study area");
    o.new_practices[0].location = {531500, 180500};
    o.new_practices[0].list_size = -1;
    CHECK_THROWS_WITH(o.validate(*base), "new practice 1 ('N1'): the list size must be a whole number of patients from 0 to 10,000,000, got -1");
    o.new_practices[0].list_size = std::int64_t{1} << 62;  // would overflow the totals
    CHECK_THROWS_WITH(o.validate(*base), Catch::Contains("from 0 to 10,000,000"));
    o.new_practices[0].list_size = 0;
    CHECK_NOTHROW(o.validate(*base));
}
