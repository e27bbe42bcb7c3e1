#pragma once
// Output files appear whole or not at all: written to a temporary file beside the target, flushed,
// then renamed over it. A failure leaves nothing behind.
#include <filesystem>
#include <string_view>

namespace data {

/// Writes `content` to `path` atomically. Throws InputError naming the path on failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace data
