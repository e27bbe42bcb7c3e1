#include "data/atomic_file.hpp"
#include "data/errors.hpp"
#include "data/loader.hpp"
#include "data/plan_writer.hpp"
#include "geo/plan.hpp"
#include "server/cli.hpp"
#include "server/commands.hpp"
#include "server/plan_report.hpp"
#include "server/progress_bar.hpp"

#include <boost/json/serialize.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace server {

namespace {

struct PlanFlags {
    std::int64_t min = 30000;
    std::int64_t max = 50000;
    std::string method = "registrations";
    double core_share = 0.8;
    double radius_m = 1600;
    std::string constraint_field;
    std::string lock_field;
    std::vector<std::string> lock;
    std::vector<std::string> exclude;
    std::uint64_t seed = 1;
    double gap_distance_m = 1600;
    std::string out;
    std::string report;
    bool quiet = false;
};

/// The options from the flags. Checks what needs no dataset here, naming the flags; what does (fields,
/// practice codes) is checked by PlanOptions::validate once the dataset is loaded.
geo::PlanOptions plan_options(const PlanFlags& flags) {
    if (flags.min > flags.max) {
        throw geo::PlanError("--min " + std::to_string(flags.min) + " is greater than --max " + std::to_string(flags.max));
    }
    if (!flags.lock.empty() && flags.lock_field.empty()) {
        throw geo::PlanError("--lock names values of a practice field: give that field with --lock-field");
    }
    geo::PlanOptions options;
    options.min_list_size = flags.min;
    options.max_list_size = flags.max;
    options.method = geo::catchment_method_from(flags.method);
    options.core_share = flags.core_share;
    options.radius_m = flags.radius_m;
    options.constraint_field = flags.constraint_field;
    options.lock_field = flags.lock_field;
    options.locked_values = flags.lock;
    options.excluded_practices = flags.exclude;
    options.seed = flags.seed;
    options.gap_distance_m = flags.gap_distance_m;
    return options;
}

void check_report_path(const std::string& report) {
    if (report.empty()) return;
    const std::filesystem::path path(report);
    const std::filesystem::path directory = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    std::error_code error;
    if (!std::filesystem::is_directory(directory, error)) {
        throw data::InputError({report, {}, {}, {}}, "cannot write there: no such directory '" + directory.string() + "'");
    }
}

void add_options(CLI::App& command, PlanFlags& flags) {
    const std::string planning = "Planning";
    command.add_option("--min", flags.min, "Smallest list size of a network (registered patients)")
        ->capture_default_str()->check(CLI::PositiveNumber)->group(planning);
    command.add_option("--max", flags.max, "Largest list size of a network")
        ->capture_default_str()->check(CLI::PositiveNumber)->group(planning);
    command.add_option("--method", flags.method,
                       "How practice catchments are drawn: registrations (areas where the practice has the most "
                       "patients), nearest (areas nearest to it) or radius (areas within --radius-m)")
        ->capture_default_str()->check(CLI::IsMember({"registrations", "nearest", "radius"}))->group(planning);
    command.add_option("--core-share", flags.core_share,
                       "registrations method: a core catchment holds this share of a practice's patients")
        ->capture_default_str()->check(CLI::Range(0.01, 1.0))->group(planning);
    command.add_option("--radius-m", flags.radius_m, "radius method: catchment radius in metres")
        ->capture_default_str()->check(CLI::PositiveNumber)->group(planning);
    command.add_option("--constraint-field", flags.constraint_field,
                       "Area or practice field that networks must not cross, e.g. lad11cd (default: none)")
        ->group(planning);
    command.add_option("--lock-field", flags.lock_field,
                       "Practice field naming given networks to keep as they are, e.g. pcn_code (default: none)")
        ->group(planning);
    command.add_option("--lock", flags.lock, "Keep only these values of --lock-field, comma-separated (default: every non-empty value)")
        ->delimiter(',')->allow_extra_args(false)->type_name("CODE,...")->group(planning);
    command.add_option("--exclude", flags.exclude, "Practice codes to leave out of every network, comma-separated (default: none)")
        ->delimiter(',')->allow_extra_args(false)->type_name("CODE,...")->group(planning);
    command.add_option("--seed", flags.seed, "Random seed; the same seed, dataset and options give the same plan")
        ->capture_default_str()->group(planning);
    command.add_option("--gap-distance-m", flags.gap_distance_m,
                       "Areas farther than this many metres from every practice are coverage gaps")
        ->capture_default_str()->check(CLI::PositiveNumber)->group(planning);

    const std::string output = "Output";
    command.add_option("--out", flags.out,
                       "Write the plan here: .gpkg (every layer in one GeoPackage), or .geojson (WGS 84), .fgb or .shp "
                       "(networks in FILE, every other layer beside it as STEM-LAYER.EXT). STEM-networks.csv (ePCN "
                       "columns) is written beside it. Required")
        ->required()->type_name("FILE")->group(output);
    command.add_option("--report", flags.report, "Also write the quality report as JSON to this file (default: none)")
        ->type_name("FILE.json")->group(output);
    command.add_flag("--quiet", flags.quiet, "Do not print the quality report (default: print it)")->group(output);
}

}  // namespace

Command add_plan_command(CLI::App& app) {
    CLI::App* command = app.add_subcommand(
        "plan", "Plan primary care networks: practice catchments, networks of --min to --max registered patients with "
                "contiguous territories, their borders and coverage gaps; writes them for GIS and prints a quality "
                "report comparing the plan with the reference networks");
    auto flags = std::make_shared<PlanFlags>();
    auto dataset = std::make_shared<DatasetOptions>(*command);
    add_options(*command, *flags);
    command->footer("Example: catchment plan data/sample --constraint-field lad11cd --out plan.gpkg --report report.json\n"
                    "         catchment plan data/sample --method nearest --exclude F84012,F84013 --out plan.geojson");
    return {command, [flags, dataset] {
                data::check_plan_output(flags->out);
                check_report_path(flags->report);
                const geo::PlanOptions options = plan_options(*flags);
                const data::DatasetDescription description = dataset->description();
                ProgressBar progress;
                const geo::Dataset loaded = data::load_dataset(description, progress);
                options.validate(loaded);  // before the long work: names a missing field or practice code
                const geo::Plan planned = geo::plan(loaded, options, *loaded.geos,
                                                    [&progress](std::string_view stage) { progress.begin(stage, 0); });
                progress.begin("writing", 0);
                data::write_plan(flags->out, loaded, planned);
                if (!flags->report.empty()) {
                    data::write_file_atomically(flags->report, boost::json::serialize(plan_report_json(loaded, planned)) + "\n");
                }
                progress.end();
                if (!flags->quiet) {
                    const std::string text = plan_report_text(loaded, planned);
                    std::fwrite(text.data(), 1, text.size(), stdout);
                }
                return kExitOk;
            }};
}

}  // namespace server
