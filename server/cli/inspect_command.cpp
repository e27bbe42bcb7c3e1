#include "data/atomic_file.hpp"
#include "data/loader.hpp"
#include "geo/summary.hpp"
#include "server/cli/cli.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/progress_bar.hpp"
#include "server/service/summary_report.hpp"

#include <boost/json/serialize.hpp>

#include <cstdio>
#include <memory>

namespace server {

namespace {

struct InspectOptions {
    std::string format = "text";
    std::string out;
};

}  // namespace

Command add_inspect_command(CLI::App& app) {
    CLI::App* command = app.add_subcommand(
        "inspect", "Load and validate a dataset, then print a summary: counts, totals, CRS, extent, repaired "
                   "geometries and every key that did not join");
    auto options = std::make_shared<InspectOptions>();
    auto dataset = std::make_shared<DatasetOptions>(*command);
    command->add_option("--format", options->format, "Summary format")->check(CLI::IsMember({"text", "json"}));
    command->add_option("--out", options->out, "Write the summary to this file (atomically) instead of stdout");
    command->footer("Example: catchment inspect data/sample\n"
                    "         catchment inspect --areas-source lsoa.shp --areas-id-field LSOA11CD ...");
    return {command, [options, dataset] {
                if (!options->out.empty()) data::check_output_file(options->out, "summary." + std::string(options->format == "json" ? "json" : "txt"));
                const data::DatasetDescription description = dataset->description();
                ProgressBar progress;
                const geo::Dataset loaded = data::load_dataset(description, progress);
                progress.end();
                const geo::DatasetSummary summary = geo::summarize(loaded, *loaded.geos);
                const std::string text =
                    options->format == "json" ? boost::json::serialize(summary_json(summary)) + "\n" : summary_text(summary);
                if (options->out.empty()) {
                    std::fwrite(text.data(), 1, text.size(), stdout);
                } else {
                    data::write_file_atomically(options->out, text);
                }
                return kExitOk;
            }};
}

}  // namespace server
