#include "data/atomic_file.hpp"
#include "data/errors.hpp"
#include "data/loader.hpp"
#include "data/plan_writer.hpp"
#include "geo/plan.hpp"
#include "geo/plan_snapshot.hpp"
#include "geo/site_suggestions.hpp"
#include "server/cli/cli.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/planning_options.hpp"
#include "server/cli/progress_bar.hpp"
#include "server/service/plan_report.hpp"
#include "server/service/service.hpp"

#include <boost/json/serialize.hpp>

#include <cstdio>
#include <memory>
#include <optional>

namespace server {

namespace {

struct PlanFlags {
    std::string out;
    std::string report;
    bool quiet = false;
    std::size_t suggest_sites = 0;
    std::int64_t suggest_list_size = 0;
};

void add_options(CLI::App& command, PlanFlags& flags) {
    const std::string output = "Output";
    command.add_option("--out", flags.out,
                       "Write the plan here: .gpkg (every layer in one GeoPackage), or .geojson (WGS 84), .fgb or .shp "
                       "(networks in FILE, every other layer beside it as STEM-LAYER.EXT). STEM-networks.csv (ePCN "
                       "columns) is written beside it. Required")
        ->required()->type_name("FILE")->group(output);
    command.add_option("--report", flags.report, "Also write the quality report as JSON to this file (default: none)")
        ->type_name("FILE.json")->group(output);
    command.add_flag("--quiet", flags.quiet, "Do not print the quality report (default: print it)")->group(output);
    command.add_option("--suggest-sites", flags.suggest_sites,
                       "Also rank up to N sites (area points) where a new practice would bring most accessibility to the "
                       "people in gaps, by the what-if's gravity model; shown with the report and in its JSON")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100}))->type_name("N")->group("Coverage and access");
    command.add_option("--suggest-list-size", flags.suggest_list_size,
                       "The suggested practice's list size (default: the median practice's)")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{10'000'000}))->type_name("PATIENTS")->group("Coverage and access");
}

}  // namespace

Command add_plan_command(CLI::App& app) {
    CLI::App* command = app.add_subcommand(
        "plan", "Plan primary care networks: practice catchments, networks of --min to --max registered patients with "
                "contiguous territories, their borders and coverage gaps; writes them for GIS and prints a quality "
                "report comparing the plan with the reference networks");
    auto flags = std::make_shared<PlanFlags>();
    auto dataset = std::make_shared<DatasetOptions>(*command);
    auto planning = std::make_shared<PlanningOptions>(*command);
    add_options(*command, *flags);
    command->footer("Example: catchment plan data/sample --constraint-field lad11cd --out plan.gpkg --report report.json\n"
                    "         catchment plan data/sample --method nearest --exclude F84012,F84013 --out plan.geojson\n"
                    "         catchment plan data/sample --constraint-field lad11cd --baseline plan.gpkg --exclude F84012 --out closed.gpkg\n"
                    "         catchment plan data/sample --baseline reference --out repaired.gpkg");
    return {command, [flags, dataset, planning] {
                data::check_plan_output(flags->out);
                if (!flags->report.empty()) data::check_output_file(flags->report, "report.json");
                geo::PlanOptions options = planning->options();
                const data::DatasetDescription description = dataset->description();
                ProgressBar progress;
                const geo::Dataset loaded = data::load_dataset(description, progress);
                planning->resolve(options, loaded);
                options.validate(loaded);  // before the long work: names a missing field or practice code
                const geo::Plan planned = geo::plan(loaded, options, *loaded.geos,
                                                    [&progress](std::string_view stage) { progress.begin(stage, 0); });
                const geo::Dataset& study = *planned.dataset;  // with the what-if's practices and patients
                std::optional<geo::LayerFeatures> sites;
                if (flags->suggest_sites > 0) {
                    progress.begin("suggesting sites", 0);
                    geo::SuggestionOptions wanted;
                    wanted.count = flags->suggest_sites;
                    wanted.list_size = flags->suggest_list_size;
                    std::vector<bool> gap(study.areas.size());
                    for (std::size_t a = 0; a < gap.size(); ++a) gap[a] = planned.coverage[a].gap;
                    sites = geo::suggestion_features(study, geo::suggest_sites(study, planned, gap, wanted), geo::suggestion_list_size(study, planned, wanted));
                }
                progress.begin("writing", 0);
                // The report is staged first and shown only once the plan's files are in place: all or nothing.
                std::optional<data::StagedFile> report;
                if (!flags->report.empty()) {
                    boost::json::value json = plan_report_json(study, planned);
                    if (sites) json.as_object()["suggestions"] = suggestions_json(*sites);
                    report.emplace(flags->report, boost::json::serialize(json) + "\n");
                }
                // With its record and snapshot (GeoPackage only), so that `catchment serve --plan` serves it as it is.
                // No creation time or runtime: the same plan gives the same file.
                const std::string title = !planned.options.title.empty() ? planned.options.title
                                          : loaded.name.empty()          ? std::string("Plan")
                                                                         : "Plan of " + loaded.name;
                const data::PlanRecord record = plan_record(planned, geo::dataset_fingerprint(loaded), title, "file",
                                                            boost::json::serialize(plan_report_json(study, planned).at("options")), "", 0);
                data::PlanFileOptions file_options;
                file_options.record = &record;
                data::write_plan(flags->out, study, planned, file_options);
                if (report) report->commit();
                progress.end();
                if (!flags->quiet) {
                    std::string text = plan_report_text(study, planned);
                    if (sites) text += suggestions_text(*sites);
                    std::fwrite(text.data(), 1, text.size(), stdout);
                }
                return kExitOk;
            }};
}

}  // namespace server
