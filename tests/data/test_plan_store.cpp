// Stored plans: a plan's snapshot restores it exactly (the files written from the restored plan are
// byte-identical), fingerprints tell a stored plan's data and options apart, and the folder and
// PostGIS stores keep, list, return and remove plans.
#include "data/errors.hpp"
#include "data/loader.hpp"
#include "data/plan_store.hpp"
#include "data/plan_writer.hpp"
#include "geo/plan_snapshot.hpp"
#include "integration/process.hpp"
#include "paths.hpp"
#include "pg_cluster.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

namespace {

std::shared_ptr<const geo::Dataset> load_sample() {
    return std::make_shared<const geo::Dataset>(data::load_dataset(data::describe(data::read_description(test_paths::sample_dir()))));
}

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
}

data::PlanRecord record_of(const geo::Dataset& base, const geo::Plan& plan, const std::string& id, const std::string& created) {
    data::PlanRecord record;
    record.id = id;
    record.title = plan.options.title;
    record.created = created;
    record.dataset_fingerprint = geo::hex_fingerprint(geo::dataset_fingerprint(base));
    record.options_fingerprint = geo::hex_fingerprint(geo::options_fingerprint(plan.options));
    record.format = geo::kSnapshotFormat;
    record.seconds = plan.report.runtime_s;
    return record;
}

/// London by borough, then a what-if from it: a practice closes, one opens, the rest moves as little as it can.
struct Plans {
    std::shared_ptr<const geo::Dataset> base = load_sample();
    geo::Plan plain;
    geo::Plan what_if;
    Plans() {
        geo::PlanOptions options;
        options.constraint_field = "lad11cd";
        options.title = "London by borough";
        plain = geo::plan(base, options, *base->geos);
        geo::PlanOptions change = options;
        change.title = "one closes, one opens";
        change.baseline = std::make_shared<const geo::Baseline>(geo::baseline_of(*plain.dataset, plain));
        change.excluded_practices = {base->practices[10].code};
        const geo::Practice& near = base->practices[20];
        change.new_practices = {{"NEW1", "New surgery", {near.location.x + 300, near.location.y + 200}, 6000}};
        what_if = geo::plan(base, change, *base->geos);
    }
};

Plans& plans() {
    static Plans shared;  // planning London twice is the slow part: once for every test here
    return shared;
}

}  // namespace

TEST_CASE("A restored what-if plan writes byte-identical files and encodes to the same snapshot", "[store]") {
    const Plans& p = plans();
    REQUIRE(p.what_if.dataset != p.base);  // a what-if copy: decoding must make it again
    REQUIRE_FALSE(p.what_if.report.patient_moves.empty());
    test_support::TempDir dir;
    const data::PlanRecord record = record_of(*p.base, p.what_if, "what-if", "2026-12-04T06:00:00Z");
    data::PlanFileOptions options;
    options.record = &record;
    data::write_plan(dir.path() / "original.gpkg", *p.what_if.dataset, p.what_if, options);

    const auto archive = data::read_plan_archive(dir.path() / "original.gpkg", true);
    REQUIRE(archive);
    CHECK(archive->record.id == "what-if");
    CHECK(archive->record.title == "one closes, one opens");
    const std::string snapshot = geo::encode_plan(p.what_if);
    CHECK(archive->snapshot == snapshot);

    const geo::Plan restored = geo::decode_plan(p.base, archive->snapshot);
    CHECK(restored.dataset != p.base);
    CHECK(restored.dataset->practices.size() == p.what_if.dataset->practices.size());
    CHECK(restored.networks.size() == p.what_if.networks.size());
    CHECK(geo::encode_plan(restored) == snapshot);
    data::write_plan(dir.path() / "restored.gpkg", *restored.dataset, restored, options);
    CHECK(slurp(dir.path() / "restored.gpkg") == slurp(dir.path() / "original.gpkg"));
    CHECK(slurp(dir.path() / "restored-networks.csv") == slurp(dir.path() / "original-networks.csv"));
}

TEST_CASE("A damaged snapshot or one of another dataset is refused", "[store]") {
    const Plans& p = plans();
    const std::string snapshot = geo::encode_plan(p.plain);
    CHECK_THROWS_WITH(geo::decode_plan(p.base, snapshot.substr(0, snapshot.size() / 2)), Catch::Contains("truncated"));
    CHECK_THROWS_WITH(geo::decode_plan(p.base, "not a plan at all"), Catch::Contains("not a catchment plan snapshot"));
    std::string other_format = snapshot;
    other_format[8 + 23] = static_cast<char>(geo::kSnapshotFormat + 1);  // the format after the length-prefixed magic
    CHECK_THROWS_WITH(geo::decode_plan(p.base, other_format), Catch::Contains("format " + std::to_string(geo::kSnapshotFormat + 1)));
    CHECK_THROWS_WITH(geo::decode_plan(p.base, snapshot + "x"), Catch::Contains("bytes after its end"));

    auto smaller = std::make_shared<geo::Dataset>(geo::copy_dataset(*p.base));
    smaller->areas.pop_back();
    CHECK_THROWS_WITH(geo::decode_plan(smaller, snapshot), Catch::Contains("areas"));
}

TEST_CASE("Fingerprints follow the data and the options, not where the files are or the thread count", "[store]") {
    const Plans& p = plans();
    const std::uint64_t fingerprint = geo::dataset_fingerprint(*p.base);
    CHECK(geo::dataset_fingerprint(*load_sample()) == fingerprint);
    geo::Dataset moved = geo::copy_dataset(*p.base);
    for (geo::SourceInfo& source : moved.sources) source.path = "/elsewhere/" + source.path;
    CHECK(geo::dataset_fingerprint(moved) == fingerprint);
    geo::Dataset changed = geo::copy_dataset(*p.base);
    changed.areas[100].population += 1;
    CHECK(geo::dataset_fingerprint(changed) != fingerprint);

    geo::PlanOptions options = p.plain.options;
    const std::uint64_t planned = geo::options_fingerprint(options);
    options.threads = 7;
    CHECK(geo::options_fingerprint(options) == planned);
    options.seed = 2;
    CHECK(geo::options_fingerprint(options) != planned);
    CHECK(geo::hex_fingerprint(0x0123456789abcdefULL) == "0123456789abcdef");
}

TEST_CASE("The folder store keeps lists returns and removes plans and reports files it cannot read", "[store]") {
    const Plans& p = plans();
    test_support::TempDir dir;
    const auto store = data::open_folder_store(dir.path() / "store");
    CHECK(store->list().plans.empty());
    store->put(record_of(*p.base, p.what_if, "p-later", "2026-12-04T06:00:02Z"), *p.what_if.dataset, p.what_if);
    store->put(record_of(*p.base, p.plain, "p-earlier", "2026-12-04T06:00:01Z"), *p.plain.dataset, p.plain);
    std::ofstream(dir.path() / "store" / "stray.gpkg") << "not a GeoPackage";

    const data::PlanListing listing = store->list();
    REQUIRE(listing.plans.size() == 2);
    CHECK(listing.plans[0].id == "p-earlier");
    CHECK(listing.plans[1].id == "p-later");
    CHECK(listing.plans[1].dataset_fingerprint == geo::hex_fingerprint(geo::dataset_fingerprint(*p.base)));
    REQUIRE(listing.problems.size() == 1);
    CHECK_THAT(listing.problems[0], Catch::Contains("stray.gpkg"));
    CHECK_FALSE(std::filesystem::exists(dir.path() / "store" / "p-later-networks.csv"));

    const auto archive = store->get("p-later");
    REQUIRE(archive);
    CHECK(geo::encode_plan(geo::decode_plan(p.base, archive->snapshot)) == geo::encode_plan(p.what_if));
    REQUIRE(store->file("p-later"));
    CHECK(store->file("p-later")->filename() == "p-later.gpkg");
    CHECK_FALSE(store->get("nope"));
    CHECK_FALSE(store->get("../store/p-later"));  // not a plan id: never a path
    CHECK(store->remove("p-later"));
    CHECK_FALSE(store->remove("p-later"));
    CHECK(store->list().plans.size() == 1);
    CHECK_THROWS_AS(store->put(record_of(*p.base, p.plain, "../escape", ""), *p.plain.dataset, p.plain), data::PlanStoreError);

    std::ofstream(dir.path() / "a-file") << "x";
    CHECK_THROWS_AS(data::open_folder_store(dir.path() / "a-file"), data::InputError);
}

TEST_CASE("The PostGIS store keeps plans and their layers in one transaction each and survives the database going away", "[store][postgis]") {
    const Plans& p = plans();
    test_support::PgCluster cluster;
    const auto store = data::open_plan_store(cluster.location());
    CHECK(store->location().find("dbname=catchment") != std::string::npos);
    store->put(record_of(*p.base, p.what_if, "p-later", "2026-12-04T06:00:02Z"), *p.what_if.dataset, p.what_if);
    store->put(record_of(*p.base, p.plain, "p-earlier", "2026-12-04T06:00:01Z"), *p.plain.dataset, p.plain);
    store->put(record_of(*p.base, p.plain, "p-earlier", "2026-12-04T06:00:01Z"), *p.plain.dataset, p.plain);  // replaced, not doubled

    const data::PlanListing listing = store->list();
    REQUIRE(listing.plans.size() == 2);
    CHECK(listing.plans[0].id == "p-earlier");
    CHECK(listing.plans[1].title == "one closes, one opens");
    CHECK(listing.problems.empty());
    const auto archive = store->get("p-later");
    REQUIRE(archive);
    CHECK(geo::encode_plan(geo::decode_plan(p.base, archive->snapshot)) == geo::encode_plan(p.what_if));
    CHECK_FALSE(store->file("p-later"));  // downloads are written from the plan
    CHECK(store->contains("p-earlier"));
    CHECK_FALSE(store->get("nope"));

    // Each layer is a table QGIS can open, its rows tagged with the plan's id.
    const auto rows = [&cluster](const std::string& table, const std::string& id) {
        return integration::ogr_sql_number(cluster.location(), "SELECT COUNT(*) FROM catchment_" + table + " WHERE plan_id = '" + id + "'");
    };
    CHECK(rows("networks", "p-later") == static_cast<std::int64_t>(p.what_if.networks.size()));
    CHECK(rows("networks", "p-earlier") == static_cast<std::int64_t>(p.plain.networks.size()));
    CHECK(rows("areas", "p-earlier") == static_cast<std::int64_t>(p.base->areas.size()));
    CHECK(rows("practices", "p-later") == static_cast<std::int64_t>(p.what_if.dataset->practices.size()));

    // A write given up half way leaves nothing; a removal takes every row.
    std::size_t asked = 0;
    CHECK_THROWS_AS(store->put(record_of(*p.base, p.plain, "p-abandoned", ""), *p.plain.dataset, p.plain, [&asked] { return ++asked > 3; }),
                    data::WriteCancelled);
    CHECK_FALSE(store->contains("p-abandoned"));
    CHECK(rows("areas", "p-abandoned") == 0);
    CHECK(store->remove("p-later"));
    CHECK_FALSE(store->remove("p-later"));
    CHECK(rows("networks", "p-later") == 0);
    CHECK(store->list().plans.size() == 1);

    // The database goes away: the store says so, then works again once it is back.
    cluster.stop();
    CHECK_THROWS_AS(store->list(), data::PlanStoreError);
    CHECK_THROWS_WITH(store->contains("p-earlier"), Catch::Contains("cannot connect to PG:"));
    cluster.restart();
    CHECK(store->list().plans.size() == 1);

    CHECK_THROWS_WITH(data::open_plan_store("PG:host=/nonexistent port=1 dbname=catchment user=postgres password=hidden"),
                      Catch::Contains("--store: the PostgreSQL plan store cannot be used: cannot connect") && !Catch::Contains("hidden"));
}
