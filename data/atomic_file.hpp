#pragma once
// Output files appear whole or not at all: written to a temporary file beside the target, flushed,
// then renamed over it. A failure leaves nothing behind.
#include <filesystem>
#include <string>
#include <string_view>

namespace data {

/// A file written beside its target under a temporary name, moved into place by commit(); dropped
/// otherwise. Lets a command write several outputs and show them only when all succeeded.
class StagedFile {
public:
    /// Writes and flushes `content`. Throws InputError naming the path on failure.
    StagedFile(const std::filesystem::path& path, std::string_view content);
    ~StagedFile();
    StagedFile(const StagedFile&) = delete;
    StagedFile& operator=(const StagedFile&) = delete;
    /// Renames the file over its target. Throws InputError naming the path on failure.
    void commit();

private:
    std::string target_;
    std::string temporary_;
    bool committed_ = false;
};

/// Throws InputError naming `path` when a file cannot be written there: its folder does not exist, or
/// `path` is a folder (the message suggests `example_name` inside it). Lets a command fail before its work.
void check_output_file(const std::filesystem::path& path, std::string_view example_name);

/// Writes `content` to `path` atomically. Throws InputError naming the path on failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace data
