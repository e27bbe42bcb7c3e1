#include "geo/plan_snapshot.hpp"

#include "geo/what_if.hpp"

#include <bit>
#include <cstring>
#include <map>
#include <span>
#include <type_traits>

namespace geo {

static_assert(std::endian::native == std::endian::little, "snapshots are written little-endian as the host stores numbers");

namespace {

constexpr std::string_view kMagic = "catchment plan snapshot";
constexpr std::uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;

template <class T>
concept Number = std::is_arithmetic_v<T> || std::is_enum_v<T>;

// Every member of each struct, in one order for both directions. A member added to a struct must be
// added here (and kSnapshotFormat bumped); the round-trip tests compare written files and reports.

template <class A> void describe(A& a, Point& v) { a(v.x, v.y); }
template <class A> void describe(A& a, DecayBand& v) { a(v.upto, v.weight); }
template <class A> void describe(A& a, NewPractice& v) { a(v.code, v.name, v.location, v.list_size); }
template <class A> void describe(A& a, Baseline::Network& v) { a(v.id, v.name); }
template <class A> void describe(A& a, Baseline& v) { a(v.source, v.networks, v.network_of, v.list_size, v.index_of); }
template <class A>
void describe(A& a, GapCriteria& v) {
    a(v.urban_distance_m, v.rural_distance_m, v.rural_field, v.rural_density, v.max_minutes, v.min_accessibility, v.accessibility_percentile);
}
template <class A> void describe(A& a, AccessOptions& v) { a(v.supply_field, v.distance_decay, v.time_decay); }
template <class A>
void describe(A& a, PlanOptions& v) {
    // (Not the thread count: the plan does not depend on it, and the same plan must give the same bytes.)
    a(v.min_list_size, v.max_list_size, v.method, v.core_share, v.radius_m, v.radius_minutes, v.constraint_field, v.lock_field,
      v.locked_values, v.excluded_practices, v.new_practices, v.baseline, v.title, v.seed, v.construction_runs, v.sweeps, v.gaps,
      v.access);
}
template <class A> void describe(A& a, AreaNeighbour& v) { a(v.area, v.shared_length); }
template <class A> void describe(A& a, AreaBridge& v) { a(v.from, v.to, v.distance); }
template <class A> void describe(A& a, AreaGraph& v) { a(v.neighbours, v.perimeter, v.area, v.bridges); }
template <class A>
void describe(A& a, AreaPlan& v) {
    a(v.dominant_practice, v.dominated_externally, v.owner, v.network, v.dominant_network);
}
template <class A>
void describe(A& a, Catchment& v) {
    a(v.practice, v.areas, v.population, v.registered, v.share, v.polygon);
}
template <class A>
void describe(A& a, NetworkMetrics& v) {
    a(v.list_size, v.population, v.registered_in_areas, v.registered_inside, v.territory_share, v.dominant_patients, v.cohesion,
      v.area_km2, v.perimeter_km, v.polsby_popper, v.contiguous, v.status, v.residents_per_practice, v.people_in_gaps);
}
template <class A>
void describe(A& a, Network& v) {
    a(v.id, v.name, v.practices, v.areas, v.hub, v.constraint_value, v.locked, v.baseline_id, v.baseline_change, v.band_cause,
      v.status_reason, v.metrics, v.polygon);
}
template <class A> void describe(A& a, NetworkBorder& v) { a(v.network_a, v.network_b, v.length_m, v.line); }
template <class A>
void describe(A& a, AreaCoverage& v) {
    a(v.nearest_practice, v.nearest_practice_m, v.nearest_practice_min, v.hub_m, v.registered_to_resident, v.residents_per_practice,
      v.rural, v.accessibility, v.access_rank, v.access_group_rank, v.constraint_group, v.gap, v.gap_criteria, v.gap_reason);
}
template <class A> void describe(A& a, GapTally& v) { a(v.criterion, v.areas, v.people); }
template <class A> void describe(A& a, PatientMove& v) { a(v.from, v.to, v.patients); }
template <class A>
void describe(A& a, PartitionSummary& v) {
    a(v.networks, v.in_band, v.share_in_band, v.forced, v.not_reached, v.min_size, v.median_size, v.max_size, v.cohesion,
      v.territory_share, v.mean_polsby_popper, v.non_contiguous);
}
template <class A>
void describe(A& a, QualityReport& v) {
    a(v.plan, v.has_reference, v.reference, v.reference_networks, v.adjusted_rand_index, v.people_in_gaps, v.gap_areas,
      v.gaps_by_criterion, v.supply_total, v.supply_reached, v.median_accessibility, v.notes, v.patient_moves,
      v.baseline_source, v.moved_practices, v.unchanged_networks, v.changed_networks, v.created_networks, v.dissolved_networks);
}
template <class A>
void describe(A& a, Plan& v) {
    a(v.options, v.graph, v.areas, v.practice_network, v.practice_baseline, v.practice_moved, v.catchments, v.core_catchments,
      v.networks, v.borders, v.coverage, v.area_points, v.report);
}

/// Writes values as bytes, or only hashes them (for fingerprints). Each struct's members are listed once,
/// in describe() below, for both directions; the writer never changes what it is given.
class Writer {
public:
    explicit Writer(bool hash_only) : hash_only_(hash_only), handle_(context_.handle()) {
        wkb_ = GEOSWKBWriter_create_r(handle_);
        GEOSWKBWriter_setByteOrder_r(handle_, wkb_, GEOS_WKB_NDR);
        GEOSWKBWriter_setOutputDimension_r(handle_, wkb_, 2);
    }
    ~Writer() { GEOSWKBWriter_destroy_r(handle_, wkb_); }
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;
    static constexpr bool reading = false;

    template <class... T>
    void operator()(const T&... values) {
        (item(values), ...);
    }
    std::string bytes() { return std::move(out_); }
    std::uint64_t hash() const { return hash_; }

private:
    void raw(const void* data, std::size_t size) {
        if (size == 0) return;  // (an empty vector's data() may be null)
        if (!hash_only_) {
            out_.append(static_cast<const char*>(data), size);
            return;
        }
        const auto* p = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < size; ++i) hash_ = (hash_ ^ p[i]) * kFnvPrime;
    }
    template <Number T>
    void item(T value) {
        raw(&value, sizeof value);
    }
    void item(const std::string& text) {
        item(static_cast<std::uint64_t>(text.size()));
        raw(text.data(), text.size());
    }
    void item(const std::vector<bool>& flags) {
        item(static_cast<std::uint64_t>(flags.size()));
        for (const bool flag : flags) item(flag);
    }
    template <class T>
    void item(const std::vector<T>& values) {
        item(static_cast<std::uint64_t>(values.size()));
        if constexpr (Number<T>) {
            raw(values.data(), values.size() * sizeof(T));
        } else {
            for (const T& value : values) item(value);
        }
    }
    template <class K, class V>
    void item(const std::map<K, V>& values) {
        item(static_cast<std::uint64_t>(values.size()));
        for (const auto& [key, value] : values) (*this)(key, value);
    }
    template <class K, class V>
    void item(const std::pair<K, V>& value) {
        (*this)(value.first, value.second);
    }
    void item(const Geometry& geometry) {
        if (!geometry) {
            item(std::uint64_t{0});
            return;
        }
        std::size_t size = 0;
        unsigned char* wkb = GEOSWKBWriter_write_r(handle_, wkb_, geometry.get(), &size);
        if (wkb == nullptr) context_.fail("writing a plan geometry as WKB");
        item(static_cast<std::uint64_t>(size));
        raw(wkb, size);
        GEOSFree_r(handle_, wkb);
    }
    void item(const DistanceDecay& decay) { item(decay.bands()); }
    template <class T>
    void item(const std::shared_ptr<const T>& value) {
        item(value != nullptr);
        if (value) item(*value);
    }
    template <class T>
        requires std::is_class_v<T>
    void item(const T& value) {
        describe(*this, const_cast<T&>(value));  // (describe reads members only when writing)
    }

    bool hash_only_;
    GeosContext context_;
    GEOSContextHandle_t handle_;
    GEOSWKBWriter* wkb_ = nullptr;
    std::string out_;
    std::uint64_t hash_ = kFnvOffset;
};

class Reader {
public:
    explicit Reader(std::string_view bytes) : bytes_(bytes) {}
    static constexpr bool reading = true;

    template <class... T>
    void operator()(T&... values) {
        (item(values), ...);
    }
    bool at_end() const { return at_ == bytes_.size(); }

private:
    const char* take(std::size_t size) {
        if (size > bytes_.size() - at_) throw SnapshotError("the plan snapshot is truncated");
        const char* p = bytes_.data() + at_;
        at_ += size;
        return p;
    }
    std::size_t count(std::size_t item_size) {
        std::uint64_t n = 0;
        item(n);
        if (n > (bytes_.size() - at_) / std::max<std::size_t>(item_size, 1)) throw SnapshotError("the plan snapshot is damaged (a count exceeds its bytes)");
        return static_cast<std::size_t>(n);
    }
    template <Number T>
    void item(T& value) {
        std::memcpy(&value, take(sizeof value), sizeof value);
    }
    void item(bool& flag) {
        std::uint8_t byte = 0;
        std::memcpy(&byte, take(1), 1);
        if (byte > 1) throw SnapshotError("the plan snapshot is damaged (a flag is neither 0 nor 1)");
        flag = byte == 1;
    }
    void item(std::string& text) {
        const std::size_t n = count(1);
        text.assign(take(n), n);
    }
    void item(std::vector<bool>& flags) {
        flags.assign(count(1), false);
        for (std::size_t i = 0; i < flags.size(); ++i) {
            bool flag = false;
            item(flag);
            flags[i] = flag;
        }
    }
    template <class T>
    void item(std::vector<T>& values) {
        if constexpr (Number<T>) {
            values.resize(count(sizeof(T)));
            if (!values.empty()) std::memcpy(values.data(), take(values.size() * sizeof(T)), values.size() * sizeof(T));  // (data() may be null)
        } else {
            values.resize(count(1));
            for (T& value : values) item(value);
        }
    }
    template <class K, class V>
    void item(std::map<K, V>& values) {
        values.clear();
        const std::size_t n = count(1);
        for (std::size_t i = 0; i < n; ++i) {
            std::pair<K, V> entry;
            (*this)(entry.first, entry.second);
            values.insert(values.end(), std::move(entry));
        }
    }
    template <class K, class V>
    void item(std::pair<K, V>& value) {
        (*this)(value.first, value.second);
    }
    void item(Geometry& geometry) {
        const std::size_t n = count(1);
        if (n == 0) {
            geometry.reset();
            return;
        }
        const auto* wkb = reinterpret_cast<const unsigned char*>(take(n));
        try {
            geometry = from_wkb(context_, std::span<const unsigned char>(wkb, n));
        } catch (const GeosError& error) {
            throw SnapshotError(std::string("the plan snapshot holds a damaged geometry: ") + error.what());
        }
    }
    void item(DistanceDecay& decay) {
        std::vector<DecayBand> bands;
        item(bands);
        try {
            decay = DistanceDecay(std::move(bands));
        } catch (const std::invalid_argument& error) {
            throw SnapshotError(std::string("the plan snapshot holds bad decay bands: ") + error.what());
        }
    }
    template <class T>
    void item(std::shared_ptr<const T>& value) {
        bool present = false;
        item(present);
        if (!present) {
            value.reset();
            return;
        }
        auto made = std::make_shared<T>();
        item(*made);
        value = std::move(made);
    }
    template <class T>
        requires std::is_class_v<T>
    void item(T& value) {
        describe(*this, value);
    }

    std::string_view bytes_;
    std::size_t at_ = 0;
    GeosContext context_;
};

void check_shape(const Plan& plan, const Dataset& dataset) {
    const std::size_t areas = dataset.areas.size();
    const std::size_t practices = dataset.practices.size();
    const bool fits = plan.areas.size() == areas && plan.coverage.size() == areas && plan.area_points.size() == areas &&
                      plan.graph.size() == areas && plan.practice_network.size() == practices;
    if (!fits) {
        throw SnapshotError("the plan snapshot is of a study with " + std::to_string(plan.areas.size()) + " areas and " +
                            std::to_string(plan.practice_network.size()) + " practices, not this dataset's " +
                            std::to_string(areas) + " and " + std::to_string(practices));
    }
    const auto in_range = [](const auto& indices, std::size_t n) {
        for (const auto i : indices) {
            if (static_cast<std::size_t>(i) >= n) return false;
        }
        return true;
    };
    for (const Network& n : plan.networks) {
        if (!in_range(n.practices, practices) || !in_range(n.areas, areas)) throw SnapshotError("the plan snapshot is damaged (a network names no such area or practice)");
    }
    for (const Catchment& c : plan.catchments) {
        if (c.practice >= practices || !in_range(c.areas, areas)) throw SnapshotError("the plan snapshot is damaged (a catchment names no such area or practice)");
    }
}

}  // namespace

std::string encode_plan(const Plan& plan) {
    Writer writer(false);
    writer(std::string(kMagic), kSnapshotFormat, plan);
    return writer.bytes();
}

Plan decode_plan(std::shared_ptr<const Dataset> base, std::string_view bytes) {
    Reader reader(bytes);
    std::string magic;
    std::uint32_t format = 0;
    try {
        reader(magic);
    } catch (const SnapshotError&) {
        magic.clear();
    }
    if (magic != kMagic) throw SnapshotError("not a catchment plan snapshot");
    reader(format);
    if (format != kSnapshotFormat) {
        throw SnapshotError("the plan snapshot is of format " + std::to_string(format) + "; this catchment reads format " +
                            std::to_string(kSnapshotFormat));
    }
    Plan plan;
    reader(plan);
    if (!reader.at_end()) throw SnapshotError("the plan snapshot is damaged (bytes after its end)");
    // The what-if's study is made again from the base dataset: deterministic, and far cheaper than planning.
    plan.dataset = make_scenario(std::move(base), plan.options.excluded_practices, plan.options.new_practices,
                                 plan.options.constraint_field)
                       .dataset;
    check_shape(plan, *plan.dataset);
    return plan;
}

std::uint64_t dataset_fingerprint(const Dataset& d) {
    Writer hash(true);
    hash(d.name, d.working_crs, d.area_fields, d.practice_fields, d.list_size_from_registrations);
    for (const Area& a : d.areas) hash(a.code, a.name, a.group, a.population, a.geometry, a.attributes);
    for (const Practice& p : d.practices) hash(p.code, p.name, p.location, p.list_size, p.reference_network, p.attributes, p.reference_network_name);
    for (const Registration& r : d.registrations) hash(r.practice, r.area, r.patients, r.practice_code, r.area_code);
    for (const TravelTime& t : d.travel_times) hash(t.area, t.practice, t.minutes);
    // What the reports say of the load, but not where the files were: a moved folder is the same data.
    for (const SourceInfo& s : d.sources) hash(s.role, s.layer, s.source_crs, s.rows_read, s.filter);
    for (const RepairedArea& r : d.repaired_areas) hash(r.code, r.reason);
    for (const UnplacedPractice& u : d.unplaced_practices) hash(u.code, u.name, u.reason);
    for (const ListSizeMismatch& m : d.list_size_mismatches) hash(m.code, m.list_size_field, m.registrations_sum);
    hash(d.population_rows_unmatched, d.travel_times_unmatched);
    return hash.hash();
}

std::uint64_t options_fingerprint(const PlanOptions& options) {
    Writer hash(true);
    hash(std::string(kMagic), kSnapshotFormat, options);  // (describe() leaves the thread count out)
    return hash.hash();
}

std::uint64_t combine_fingerprints(std::uint64_t first, std::uint64_t second) {
    Writer hash(true);
    hash(first, second);
    return hash.hash();
}

std::string hex_fingerprint(std::uint64_t fingerprint) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, fingerprint >>= 4) out[static_cast<std::size_t>(i)] = kDigits[fingerprint & 0xF];
    return out;
}

}  // namespace geo
