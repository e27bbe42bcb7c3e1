// libFuzzer target: a dataset description as TOML text, and (after a NUL byte) command-line flags, one
// per line, as `catchment inspect|plan` take them. Bad input must end in InputError, UsageError or
// CLI11's parse errors; any other exception or a crash is a finding.
#include "data/description.hpp"
#include "data/errors.hpp"
#include "server/cli/cli.hpp"
#include "server/cli/planning_options.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

void description_text(std::string_view text) {
    try {
        data::describe(data::parse_description(text, "/fuzz/dataset.toml"));
    } catch (const data::InputError&) {
    }
}

void flags(std::string_view text) {
    std::vector<std::string> arguments{"catchment-plan"};
    for (std::size_t start = 0; start <= text.size();) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        arguments.emplace_back(text.substr(start, end - start));
        start = end + 1;
    }
    std::vector<const char*> argv;
    for (const std::string& argument : arguments) argv.push_back(argument.c_str());
    CLI::App app;
    server::DatasetOptions dataset(app);
    server::PlanningOptions planning(app);
    try {
        app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError&) {
        return;
    }
    try {
        dataset.description();
    } catch (const data::InputError&) {
    } catch (const server::UsageError&) {
    }
    try {
        planning.options();
    } catch (const data::InputError&) {
    } catch (const server::UsageError&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t split = input.find('\0');
    description_text(input.substr(0, split));
    if (split != std::string_view::npos) flags(input.substr(split + 1));
    return 0;
}
