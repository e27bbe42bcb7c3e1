#include "data/errors.hpp"

#include <cerrno>
#include <sys/statvfs.h>
#include <unistd.h>

namespace data {

namespace {

std::string compose(const InputLocation& where, const std::string& problem) {
    std::string message;
    auto add = [&message](const std::string& part) {
        if (part.empty()) return;
        if (!message.empty()) message += ": ";
        message += part;
    };
    add(where.file);
    if (!where.layer.empty()) add("layer '" + where.layer + "'");
    add(where.row);
    if (!where.field.empty()) add("field '" + where.field + "'");
    add(problem);
    // One line, whatever GDAL or GEOS put in their messages.
    for (char& c : message) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return message;
}

}  // namespace

InputError::InputError(InputLocation where, const std::string& problem)
    : std::runtime_error(compose(where, problem)), where_(std::move(where)), problem_(problem) {}

InputError setting_error(const std::string& description_file, const std::string& key, const std::string& problem) {
    InputLocation where;
    where.file = description_file.empty() ? "command line" : description_file;
    return InputError(where, "setting '" + key + "': " + problem);
}

StorageError::StorageError(const std::string& file, const std::string& problem)
    : std::runtime_error(InputError({file, {}, {}, {}}, problem).what()) {}

bool is_storage_failure(int errnum) { return errnum == ENOSPC || errnum == EDQUOT || errnum == EIO || errnum == EFBIG; }

void throw_write_error(const std::string& file, const std::string& problem, int errnum) {
    if (is_storage_failure(errnum)) throw StorageError(file, problem);
    throw InputError({file, {}, {}, {}}, problem);
}

bool file_system_full(const std::filesystem::path& directory) {
    struct statvfs fs {};
    if (::statvfs(directory.c_str(), &fs) != 0) return false;
    // Root may write into the blocks reserved for it; anyone else stops at the available ones.
    return (::geteuid() == 0 ? fs.f_bfree : fs.f_bavail) == 0;
}

std::size_t first_invalid_utf8(std::string_view text) {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n;) {
        const unsigned char c = s[i];
        std::size_t length = 0;
        unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
        if (c < 0x80) {
            ++i;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            if (c == 0xE0) low = 0xA0;
            if (c == 0xED) high = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            if (c == 0xF0) low = 0x90;
            if (c == 0xF4) high = 0x8F;
        } else {
            return i;
        }
        if (i + length > n || s[i + 1] < low || s[i + 1] > high) return i;
        for (std::size_t k = 2; k < length; ++k) {
            if (s[i + k] < 0x80 || s[i + k] > 0xBF) return i;
        }
        i += length;
    }
    return std::string_view::npos;
}

}  // namespace data
