#include "data/atomic_file.hpp"

#include "data/errors.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace data {

StagedFile::StagedFile(const std::filesystem::path& path, std::string_view content) : target_(path.string()), temporary_(target_ + ".tmp-XXXXXX") {
    const int fd = ::mkstemp(temporary_.data());
    if (fd < 0) {
        const int error = errno;
        throw_write_error(target_, std::string("cannot create the output file: ") + std::strerror(error), error);
    }
    auto fail = [&](const char* doing) {
        const int error = errno;
        ::close(fd);
        ::unlink(temporary_.c_str());
        throw_write_error(target_, std::string(doing) + ": " + std::strerror(error), error);
    };
    std::size_t written = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("cannot write the output file");
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0) fail("cannot flush the output file");
    if (::close(fd) != 0) {
        const int error = errno;
        ::unlink(temporary_.c_str());
        throw_write_error(target_, std::string("cannot close the output file: ") + std::strerror(error), error);
    }
}

StagedFile::~StagedFile() {
    if (!committed_) ::unlink(temporary_.c_str());
}

void StagedFile::commit() {
    if (::rename(temporary_.c_str(), target_.c_str()) != 0) {
        const int error = errno;
        throw_write_error(target_, std::string("cannot move the output file into place: ") + std::strerror(error), error);
    }
    committed_ = true;
}

void check_output_file(const std::filesystem::path& path, std::string_view example_name) {
    const InputLocation where{path.string(), {}, {}, {}};
    const std::filesystem::path directory = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    std::error_code error;
    if (!std::filesystem::is_directory(directory, error)) throw InputError(where, "cannot write there: no such directory '" + directory.string() + "'");
    if (std::filesystem::is_directory(path, error)) {
        throw InputError(where, "is a directory; give a file name such as " + (path / std::string(example_name)).string());
    }
    // A folder this process may not write in, or a read-only file system (which binds root too).
    if (::access(directory.c_str(), W_OK | X_OK) != 0) throw InputError(where, std::string("cannot write there: ") + std::strerror(errno));
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content) { StagedFile(path, content).commit(); }

}  // namespace data
