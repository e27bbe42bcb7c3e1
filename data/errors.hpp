#pragma once
// One kind of error for bad input: it names the file, layer, row or feature, field, and what was
// expected, in one line. The CLI turns it into exit code 2.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace data {

/// Where in the input a problem is. Empty parts are left out of the message.
struct InputLocation {
    std::string file;
    std::string layer;
    std::string row;    // "row 12" (tables) or "feature 12" (vector layers)
    std::string field;  // a field name, or a description setting such as "areas.id_field"
};

class InputError : public std::runtime_error {
public:
    InputError(InputLocation where, const std::string& problem);
    const InputLocation& where() const noexcept { return where_; }
    const std::string& problem() const noexcept { return problem_; }

private:
    InputLocation where_;
    std::string problem_;
};

/// A setting in the dataset description (or its CLI flag) is missing or wrong.
InputError setting_error(const std::string& description_file, const std::string& key, const std::string& problem);

/// Output could not be written for the system's reason, not the input's or the options': the disk is
/// full, an I/O error. One line naming the file; the CLI turns it into exit code 1.
class StorageError : public std::runtime_error {
public:
    StorageError(const std::string& file, const std::string& problem);
};

/// Whether `errnum` (an errno) is the storage's failure (no space, quota, I/O error, file too large)
/// rather than an unusable path (no such directory, permission, read-only file system).
bool is_storage_failure(int errnum);
/// StorageError or InputError (naming `file`) for `problem`, as `errnum` says.
[[noreturn]] void throw_write_error(const std::string& file, const std::string& problem, int errnum);
/// True when the file system holding `directory` has no space left for this process: GDAL's writers
/// may lose a failed write silently, so a full disk after writing means the files may be short.
bool file_system_full(const std::filesystem::path& directory);

/// Where `text` stops being valid UTF-8 (RFC 3629: no overlong forms, surrogates or code points above
/// U+10FFFF), or npos.
std::size_t first_invalid_utf8(std::string_view text);

}  // namespace data
