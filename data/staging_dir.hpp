#pragma once
// Several output files that appear together or not at all. They are written into a private hidden
// directory beside the target (same file system, so each move is a rename), then moved into place
// once every one was written. A failure before commit() removes the staging directory with
// everything in it.
#include <filesystem>
#include <string>
#include <string_view>

namespace data {

class StagingDir {
public:
    /// Creates `.<target name>.tmp-XXXXXX/` beside `target`. Throws InputError naming `target` when
    /// its directory does not exist or is not writable.
    explicit StagingDir(const std::filesystem::path& target);
    ~StagingDir();
    StagingDir(const StagingDir&) = delete;
    StagingDir& operator=(const StagingDir&) = delete;

    /// Where to write the file that will become `<target directory>/<name>`.
    std::filesystem::path path_for(const std::string& name) const { return staging_ / name; }
    /// Writes a whole text file into the staging directory.
    void write_text(const std::string& name, std::string_view content) const;

    /// Moves every file of the staging directory into the target directory, the target itself last
    /// (so that once it exists, the files beside it are complete). When a move fails, the files
    /// already moved are removed again and InputError is thrown.
    void commit();

private:
    std::filesystem::path target_;
    std::filesystem::path staging_;
};

}  // namespace data
