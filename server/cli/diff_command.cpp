// catchment diff BEFORE AFTER: what changed between two plans (or a plan and the real networks).
#include "data/atomic_file.hpp"
#include "data/description.hpp"
#include "data/errors.hpp"
#include "data/loader.hpp"
#include "data/plan_files.hpp"
#include "data/plan_writer.hpp"
#include "server/cli/cli.hpp"
#include "server/cli/commands.hpp"
#include "server/service/diff_report.hpp"

#include <boost/json/serialize.hpp>

#include <cstdio>
#include <memory>

namespace server {

namespace {

struct DiffFlags {
    std::string before, after;
    std::string dataset;
    std::string format = "text";
    std::string out;
};

constexpr std::string_view kReference = "reference";

}  // namespace

Command add_diff_command(CLI::App& app) {
    CLI::App* command = app.add_subcommand(
        "diff", "Compare two plans: practices that moved (from, to), networks created, dissolved, changed or unchanged, and "
                "each changed network's list size before and after");
    auto flags = std::make_shared<DiffFlags>();
    command->add_option("before", flags->before, "The earlier plan: its .gpkg or STEM-networks.csv, or 'reference' (with --dataset)")
        ->required()->type_name("PLAN|reference");
    command->add_option("after", flags->after, "The later plan, likewise")->required()->type_name("PLAN|reference");
    command->add_option("--dataset", flags->dataset, "Dataset description (or folder) whose reference networks 'reference' means")
        ->type_name("DATASET");
    command->add_option("--format", flags->format, "text or json")->capture_default_str()->check(CLI::IsMember({"text", "json"}));
    command->add_option("--out", flags->out,
                        "Also write the changed networks as a layer 'network_changes' (.gpkg, .geojson, .fgb or .shp) for QGIS")
        ->type_name("FILE");
    command->footer("Example: catchment diff plan.gpkg closed.gpkg --out changes.gpkg\n"
                    "         catchment diff reference repaired.gpkg --dataset data/sample --format json");
    return {command, [flags] {
                if (!flags->out.empty()) data::check_plan_output(flags->out);
                std::shared_ptr<const geo::Dataset> dataset;
                const auto read = [&](const std::string& which) {
                    if (which != kReference) return data::read_plan_networks(which);
                    if (flags->dataset.empty()) throw UsageError("'reference' needs --dataset: the dataset whose reference networks to compare");
                    if (!dataset) dataset = std::make_shared<const geo::Dataset>(data::load_dataset(data::describe(data::read_description(flags->dataset))));
                    return geo::reference_baseline(*dataset);
                };
                const geo::Baseline before = read(flags->before);
                const geo::Baseline after = read(flags->after);
                const geo::PlanDiff diff = geo::diff(before, after);
                if (!flags->out.empty()) {
                    data::write_network_changes(flags->out, diff, flags->before == kReference ? std::string() : flags->before,
                                                flags->after == kReference ? std::string() : flags->after);
                }
                const std::string text = flags->format == "json"
                                             ? boost::json::serialize(diff_json(diff, flags->before, flags->after)) + "\n"
                                             : diff_text(diff, flags->before, flags->after);
                std::fwrite(text.data(), 1, text.size(), stdout);
                return kExitOk;
            }};
}

}  // namespace server
