#pragma once
// Runs a command line in a shell and captures its exit code, stdout and stderr.
#include <string>
#include <vector>

namespace integration {

struct ProcessResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

/// Quotes one argument for /bin/sh.
std::string shell_quote(const std::string& argument);
/// Runs `program` with `arguments` (each quoted) and waits for it.
ProcessResult run(const std::string& program, const std::vector<std::string>& arguments);

}  // namespace integration
