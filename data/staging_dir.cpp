#include "data/staging_dir.hpp"

#include "data/errors.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <vector>

namespace data {

namespace {

/// StorageError for a full disk or an I/O error, InputError otherwise (see throw_write_error).
[[noreturn]] void output_error(const std::filesystem::path& target, const std::string& doing, int error) {
    throw_write_error(target.string(), doing + ": " + std::strerror(error), error);
}

std::filesystem::path directory_of(const std::filesystem::path& target) {
    return target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
}

/// GDAL does not sync what it writes; a rename must not publish a file whose data is still in flight.
void flush_to_disk(const std::filesystem::path& file, const std::filesystem::path& target) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        const int error = errno;
        if (fd >= 0) ::close(fd);
        output_error(target, "cannot flush " + file.filename().string(), error);
    }
    ::close(fd);
}

}  // namespace

StagingDir::StagingDir(const std::filesystem::path& target) : target_(target) {
    std::string name = ".";  // appended piecewise: GCC 12 warns falsely (-Wrestrict) on "." + string
    name += target.filename().string();
    name += ".tmp-XXXXXX";
    std::string pattern = (directory_of(target) / name).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        const int error = errno;
        output_error(target, "cannot create the output files", error);
    }
    staging_ = pattern;
}

StagingDir::~StagingDir() {
    std::error_code ignored;
    std::filesystem::remove_all(staging_, ignored);
}

void StagingDir::write_text(const std::string& name, std::string_view content) const {
    const std::filesystem::path file = path_for(name);
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        const int error = errno;
        output_error(target_, "cannot create " + name, error);
    }
    std::size_t written = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int error = errno;
            ::close(fd);
            output_error(target_, "cannot write " + name, error);
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const int error = errno;
        output_error(target_, "cannot flush " + name, error);
    }
}

void StagingDir::commit() {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(staging_)) {
        if (entry.is_regular_file()) names.push_back(entry.path().filename().string());
    }
    const std::string primary = target_.filename().string();
    std::sort(names.begin(), names.end(), [&primary](const std::string& a, const std::string& b) {
        return std::make_pair(a == primary, a) < std::make_pair(b == primary, b);
    });
    for (const std::string& name : names) flush_to_disk(path_for(name), target_);
    // GDAL's writers (GeoJSON's, for one) may drop a write that failed for want of space without a
    // word: a disk that is full now may hold short files, which must not be published.
    if (file_system_full(staging_)) {
        throw StorageError(target_.string(), "cannot write the output files: the file system is full (No space left on device)");
    }
    const std::filesystem::path directory = directory_of(target_);
    std::vector<std::filesystem::path> moved;
    for (const std::string& name : names) {
        const std::filesystem::path destination = directory / name;
        if (std::rename(path_for(name).c_str(), destination.c_str()) != 0) {
            const int error = errno;
            for (const std::filesystem::path& done : moved) ::unlink(done.c_str());
            output_error(target_, "cannot move " + destination.string() + " into place", error);
        }
        moved.push_back(destination);
    }
    std::error_code ignored;
    std::filesystem::remove_all(staging_, ignored);
}

}  // namespace data
