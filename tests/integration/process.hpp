#pragma once
// Runs a command line in a shell and captures its exit code, stdout and stderr.
#include <cstdint>
#include <filesystem>
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

/// A whole file's bytes.
std::string slurp(const std::filesystem::path& file);

/// One number from GDAL's `ogrinfo -sql` on `file`, e.g. "SUM(population) (Integer) = 9002488".
/// Throws std::runtime_error when ogrinfo fails or prints no number.
std::int64_t ogr_sql_number(const std::string& file, const std::string& sql);

}  // namespace integration
