#include "server/cli/planning_options.hpp"

#include "data/errors.hpp"
#include "data/plan_files.hpp"
#include "server/cli/cli.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace server {

namespace {

constexpr std::int64_t kMaxListSize = 10'000'000;  // as the data's counts (data::LayerReader::kMaxCount)

/// A finite number above 0, with a short message (CLI11's own range check prints the whole of DBL_MAX).
CLI::Validator positive_number() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            double value = 0;
            const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value <= 0) {
                return "expected a number above 0, got '" + text + "'";
            }
            return {};
        },
        "POSITIVE");
}

/// A finite number from `low` to `high` (CLI::Range lets NaN through: every comparison with it fails).
CLI::Validator number_from(double low, double high) {
    return CLI::Validator(
        [low, high](std::string& text) -> std::string {
            double value = 0;
            const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (error != std::errc() || end != text.data() + text.size() || !(value >= low && value <= high)) {
                return "expected a number from " + fmt::format("{:g}", low) + " to " + fmt::format("{:g}", high) + ", got '" + text + "'";
            }
            return {};
        },
        "");
}

/// A list size: a whole number of patients from 1 to the largest count the data may hold.
CLI::Validator list_size() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            std::int64_t value = 0;
            const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 1 || value > kMaxListSize) {
                return "expected a whole number from 1 to 10,000,000, got '" + text + "'";
            }
            return {};
        },
        "");
}

/// Text that goes into JSON reports and GIS files: it must be UTF-8.
CLI::Validator utf8_text() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            const std::size_t bad = data::first_invalid_utf8(text);
            if (bad == std::string::npos) return {};
            return fmt::format("expected UTF-8 text, got byte 0x{:02X} at position {}", static_cast<unsigned char>(text[bad]), bad + 1);
        },
        "");
}

/// A whole number from 0 to 2^64 - 1: "-1" must not wrap round to 2^64 - 1.
CLI::Validator unsigned_whole_number() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            std::uint64_t value = 0;
            const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
                return "expected a whole number from 0 to 18446744073709551615, got '" + text + "'";
            }
            return {};
        },
        "");  // the type already says UINT
}

}  // namespace

PlanningOptions::PlanningOptions(CLI::App& command) {
    const std::string planning = "Planning";
    command.add_option("--min", min_, "Smallest list size of a network (registered patients)")
        ->capture_default_str()->check(list_size())->group(planning);
    command.add_option("--max", max_, "Largest list size of a network")->capture_default_str()->check(list_size())->group(planning);
    command.add_option("--method", method_,
                       "How practice catchments are drawn: registrations (areas where the practice has the most "
                       "patients), nearest (areas nearest to it) or radius (areas within --radius-m)")
        ->capture_default_str()->check(CLI::IsMember({"registrations", "nearest", "radius"}))->group(planning);
    command.add_option("--core-share", core_share_, "registrations method: a core catchment holds this share of a practice's patients")
        ->capture_default_str()->check(number_from(0.01, 1.0))->group(planning);
    command.add_option("--radius-m", radius_m_, "radius method: catchment radius in metres")
        ->capture_default_str()->check(positive_number())->group(planning);
    command.add_option("--constraint-field", constraint_field_,
                       "Area or practice field that networks must not cross, e.g. lad11cd (default: none)")
        ->group(planning);
    command.add_option("--lock-field", lock_field_,
                       "Practice field naming given networks to keep as they are, e.g. pcn_code (default: none)")
        ->group(planning);
    command.add_option("--lock", lock_, "Keep only these values of --lock-field, comma-separated (default: every non-empty value)")
        ->delimiter(',')->allow_extra_args(false)->type_name("CODE,...")->group(planning);
    command.add_option("--exclude", exclude_, "Practice codes to leave out of every network, comma-separated (default: none)")
        ->delimiter(',')->allow_extra_args(false)->type_name("CODE,...")->group(planning);
    command.add_option("--seed", seed_, "Random seed; the same seed, dataset and options give the same plan")
        ->capture_default_str()->check(unsigned_whole_number())->group(planning);
    command.add_option("--construction-runs", construction_runs_,
                       "Restarts of the network search for each independent part (constraint group or connected group of "
                       "practices); each part keeps its best")
        ->capture_default_str()->check(CLI::Range(1, 64))->group(planning);
    command.add_option("--sweeps", sweeps_, "Annealing moves tried per practice in each restart (more in larger parts): more is slower and may find better networks")
        ->capture_default_str()->check(number_from(0.0, 100000.0))->group(planning);
    command.add_option("--plan-threads", threads_, "Planning threads (default: one per core); the plan is the same whatever the number")
        ->check(CLI::Range(0u, 256u))->group(planning);
    const std::string what_if = "What-if";
    command.add_option("--baseline", baseline_,
                       "Re-plan from these networks, moving as few practices as the change needs: an earlier plan "
                       "(its .gpkg or STEM-networks.csv) or 'reference' (the dataset's reference networks, e.g. the real "
                       "PCNs); unchanged networks keep their ids and names (default: plan afresh)")
        ->type_name("FILE|reference")->group(what_if);
    command.add_option("--add-practice", add_practice_,
                       "Open a practice at X,Y (working CRS, e.g. easting,northing in EPSG:27700); it gains patients from "
                       "its neighbours by a gravity (Huff) model, up to LIST_SIZE when given. Repeatable; --exclude closes "
                       "practices, whose patients move to the practices their areas already use")
        ->type_name("CODE,NAME,X,Y[,LIST_SIZE]")->take_all()->group(what_if);
    command.add_option("--new-practices", new_practices_,
                       "Open every practice of this OGR point source (fields code, name, list_size; any CRS), as --add-practice")
        ->type_name("FILE")->group(what_if);
    command.add_option("--title", title_, "The plan's title, for reports and comparisons")->check(utf8_text())->group(what_if);
    command.add_option("--radius-minutes", radius_minutes_,
                       "Method radius with travel times: a practice's catchment is the areas within this many minutes")
        ->capture_default_str()->check(positive_number())->group(planning);
    const std::string access = "Coverage and access";
    command.add_option("--gap-distance-m", gaps_.urban_distance_m,
                       "Urban areas farther than this many metres from every practice are coverage gaps")
        ->capture_default_str()->check(positive_number())->group(access);
    command.add_option("--rural-gap-distance-m", gaps_.rural_distance_m,
                       "Rural areas farther than this many metres from every practice are coverage gaps")
        ->capture_default_str()->check(positive_number())->group(access);
    command.add_option("--rural-field", gaps_.rural_field,
                       "Area field marking rural areas (rural, true, yes, 1, an ONS RUC 2011 name starting 'Rural' or code D1-F2); "
                       "default: rural means fewer than --rural-density residents per km2")
        ->group(access);
    command.add_option("--rural-density", gaps_.rural_density, "Residents per km2 under which an area is rural, without --rural-field")
        ->capture_default_str()->check(number_from(0.0, 1e9))->group(access);
    command.add_option("--gap-max-minutes", gaps_.max_minutes,
                       "With travel times: areas more than this many minutes from every practice are gaps (default 0: not a criterion)")
        ->check(number_from(0.0, 1e6))->group(access);
    command.add_option("--gap-min-accessibility", gaps_.min_accessibility,
                       "Areas whose accessibility (capacity per 1,000 residents) is below this are gaps (default 0: not a criterion)")
        ->check(number_from(0.0, 1e12))->group(access);
    command.add_option("--gap-accessibility-percentile", gaps_.accessibility_percentile,
                       "Areas among the poorest accessibility of this percentage of residents are gaps (default 0: not a criterion)")
        ->check(number_from(0.0, 99.999))->group(access);
    command.add_option("--supply-field", supply_field_,
                       "Practice field holding each practice's capacity for accessibility, e.g. GP FTE (default: the list size)")
        ->group(access);
    command.add_option("--access-bands", access_bands_,
                       "Distance-decay bands for accessibility by straight line: upper bound in metres and weight, comma-separated")
        ->capture_default_str()->type_name("M:W,...")->group(access);
    command.add_option("--access-time-bands", access_time_bands_,
                       "Distance-decay bands for accessibility by travel time: upper bound in minutes and weight, comma-separated")
        ->capture_default_str()->type_name("MIN:W,...")->group(access);
}

geo::PlanOptions PlanningOptions::options() const {
    if (min_ > max_) throw UsageError("--min " + std::to_string(min_) + " is greater than --max " + std::to_string(max_));
    if (!lock_.empty() && lock_field_.empty()) {
        throw UsageError("--lock names values of a practice field: give that field with --lock-field");
    }
    geo::PlanOptions options;
    options.min_list_size = min_;
    options.max_list_size = max_;
    options.method = geo::catchment_method_from(method_);
    options.core_share = core_share_;
    options.radius_m = radius_m_;
    options.constraint_field = constraint_field_;
    options.lock_field = lock_field_;
    options.locked_values = lock_;
    options.excluded_practices = exclude_;
    options.seed = seed_;
    options.gaps = gaps_;
    options.radius_minutes = radius_minutes_;
    options.access.supply_field = supply_field_;
    try {
        options.access.distance_decay = geo::DistanceDecay::parse(access_bands_);
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--access-bands: ") + e.what());
    }
    try {
        options.access.time_decay = geo::DistanceDecay::parse(access_time_bands_);
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--access-time-bands: ") + e.what());
    }
    options.construction_runs = construction_runs_;
    options.sweeps = sweeps_;
    options.threads = threads_;
    options.title = title_;
    for (const std::string& text : add_practice_) options.new_practices.push_back(parse_new_practice(text));
    if (!baseline_.empty() && baseline_ != "reference") {
        options.baseline = std::make_shared<const geo::Baseline>(data::read_plan_networks(baseline_));
    }
    return options;
}

void PlanningOptions::resolve(geo::PlanOptions& options, const geo::Dataset& dataset) const {
    if (baseline_ == "reference") options.baseline = std::make_shared<const geo::Baseline>(geo::reference_baseline(dataset));
    if (!new_practices_.empty()) {
        for (geo::NewPractice& p : data::read_new_practices(new_practices_, dataset.working_crs)) options.new_practices.push_back(std::move(p));
    }
}

geo::NewPractice parse_new_practice(const std::string& text) {
    std::vector<std::string> parts;
    for (std::size_t start = 0;;) {
        const std::size_t comma = text.find(',', start);
        parts.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    const std::string flag = "--add-practice '" + text + "': ";
    if (parts.size() < 4 || parts.size() > 5) throw UsageError(flag + "expected CODE,NAME,X,Y[,LIST_SIZE]");
    geo::NewPractice p;
    p.code = parts[0];
    p.name = parts[1];
    if (p.code.empty()) throw UsageError(flag + "the code is empty");
    const auto number = [&flag](const std::string& value, const char* what) {
        double out = 0;
        const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), out);
        if (error != std::errc() || end != value.data() + value.size() || value.empty() || !std::isfinite(out)) {
            throw UsageError(flag + what + " '" + value + "' is not a number");
        }
        return out;
    };
    p.location = {number(parts[2], "X"), number(parts[3], "Y")};
    if (parts.size() == 5) {
        const std::string& value = parts[4];
        std::int64_t size = 0;
        const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), size);
        if (error != std::errc() || end != value.data() + value.size() || value.empty() || size < 0 || size > kMaxListSize) {
            throw UsageError(flag + "LIST_SIZE '" + value + "' is not a whole number of patients from 0 to 10,000,000");
        }
        p.list_size = size;
    }
    return p;
}

}  // namespace server
