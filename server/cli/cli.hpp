#pragma once
// The catchment command line: subcommands, the dataset flags shared by them, and the one error
// boundary that turns failures into messages and exit codes.
#include "data/description.hpp"

#include <CLI/CLI.hpp>

#include <map>
#include <stdexcept>
#include <string>

namespace server {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // our fault or the system's: a bug, disk full
inline constexpr int kExitBadInput = 2;  // the user's input or options are wrong

/// Options that do not go together or cannot be used (exit 2): "--minzoom 9 is greater than --maxzoom 4".
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The DATASET argument and one flag per description setting (--areas-source, ...), added to a
/// subcommand. Flags override the description file.
class DatasetOptions {
public:
    explicit DatasetOptions(CLI::App& command);
    /// The description from the file (if given) overlaid with the flags; throws InputError.
    data::DatasetDescription description() const;

private:
    std::string dataset_;
    std::map<std::string, std::string> flags_;
};

/// Runs the command line and returns the exit code.
int run_cli(int argc, char** argv);

}  // namespace server
