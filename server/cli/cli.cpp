#include "server/cli/cli.hpp"

#include "data/errors.hpp"
#include "geo/crs.hpp"
#include "geo/geos.hpp"
#include "geo/plan.hpp"
#include "server/cli/commands.hpp"
#include "server/http/http_server.hpp"
#include "tilesets/tile_archive.hpp"

#include <cstdio>
#include <exception>
#include <iostream>

namespace server {

DatasetOptions::DatasetOptions(CLI::App& command) {
    command.add_option("dataset", dataset_,
                       "Dataset description (TOML), or a folder holding dataset.toml. Optional when the flags below "
                       "describe every input");
    for (const data::SettingSpec& spec : data::setting_specs()) {
        command.add_option(data::flag_for(spec.key), flags_[std::string(spec.key)], std::string(spec.help))
            ->group("Dataset description (overrides the file)");
    }
}

data::DatasetDescription DatasetOptions::description() const {
    data::Settings settings = dataset_.empty() ? data::Settings{} : data::read_description(dataset_);
    for (const auto& [key, value] : flags_) {
        if (!value.empty()) settings.set(key, value);
    }
    return data::describe(settings);
}

int run_cli(int argc, char** argv) {
    CLI::App app{"catchment: GP practice catchments, primary care networks and coverage gaps"};
    app.set_version_flag("--version", std::string(CATCHMENT_VERSION));
    app.require_subcommand(1);
    app.footer("Exit codes: 0 success, 1 internal or system failure, 2 bad input or options.\n"
               "Run 'catchment COMMAND --help' for a command's options.");
    // A usage error is one line, like every other error.
    app.failure_message([](const CLI::App* failed, const CLI::Error& e) {
        std::string message = std::string("catchment: error: ") + e.what();
        for (char& c : message) {
            if (c == '\n' || c == '\r') c = ' ';
        }
        std::string help = "catchment --help";
        for (const CLI::App* command : failed->get_subcommands()) help = "catchment " + command->get_name() + " --help";
        return message + " (see '" + help + "')\n";
    });
    const std::vector<Command> commands = make_commands(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);  // prints help, version or the parse error
        return code == 0 ? kExitOk : kExitBadInput;
    }
    try {
        for (const Command& command : commands) {
            if (command.app->parsed()) return command.run();
        }
        return kExitFailure;
    } catch (const data::InputError& e) {
        std::fprintf(stderr, "catchment: error: %s\n", e.what());
        return kExitBadInput;
    } catch (const geo::CrsError& e) {
        std::fprintf(stderr, "catchment: error: %s\n", e.what());
        return kExitBadInput;
    } catch (const geo::PlanError& e) {
        std::fprintf(stderr, "catchment: error: %s\n", e.what());
        return kExitBadInput;
    } catch (const UsageError& e) {
        std::fprintf(stderr, "catchment: error: %s\n", e.what());
        return kExitBadInput;
    } catch (const ListenError& e) {
        std::fprintf(stderr, "catchment: error: %s\n", e.what());
        return kExitBadInput;
    } catch (const data::StorageError& e) {
        std::fprintf(stderr, "catchment: error: %s\n", e.what());  // a full disk: the system's failure
        return kExitFailure;
    } catch (const tilesets::ArchiveError& e) {
        std::fprintf(stderr, "catchment: error: %s\n", e.what());  // writing the tile set failed (the path was checked first)
        return kExitFailure;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "catchment: internal error: %s\n", e.what());
        return kExitFailure;
    }
}

}  // namespace server
