#pragma once
// Subcommands. Each registers its options on the app and returns what to run once parsed.
#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

namespace server {

struct Command {
    CLI::App* app;
    std::function<int()> run;
};

Command add_inspect_command(CLI::App& app);
Command add_plan_command(CLI::App& app);
Command add_tiles_command(CLI::App& app);
Command add_serve_command(CLI::App& app);
Command add_diff_command(CLI::App& app);
Command add_glyphs_command(CLI::App& app);

inline std::vector<Command> make_commands(CLI::App& app) {
    return {add_inspect_command(app), add_plan_command(app), add_diff_command(app), add_tiles_command(app), add_serve_command(app), add_glyphs_command(app)};
}

}  // namespace server
