#include "tilesets/tile_archive.hpp"

#include "tilesets/archive_file.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tilesets {

namespace detail {

ArchiveFile::ArchiveFile(std::filesystem::path target) : target_(std::move(target)) {
    temporary_ = target_.string();
    temporary_ += ".tmp-XXXXXX";
    fd_ = ::mkostemp(temporary_.data(), O_CLOEXEC);
    if (fd_ < 0) throw error(std::string("cannot create a temporary file beside it: ") + std::strerror(errno));
}

ArchiveFile::~ArchiveFile() { discard(); }

void ArchiveFile::discard() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (!committed_ && !temporary_.empty()) ::unlink(temporary_.c_str());
    temporary_.clear();
}

SpoolFile::SpoolFile(const std::filesystem::path& target) : target_(target) {
    std::string name = target.string();
    name += ".spool-XXXXXX";
    fd_ = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd_ < 0) throw archive_error(target_, std::string("cannot create a scratch file beside it: ") + std::strerror(errno));
    ::unlink(name.c_str());
}

SpoolFile::~SpoolFile() {
    if (fd_ >= 0) ::close(fd_);
}

std::uint64_t SpoolFile::append(std::string_view bytes) {
    const std::uint64_t start = size_;
    while (!bytes.empty()) {
        const ssize_t n = ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(size_));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw archive_error(target_, std::string("cannot write scratch data: ") + std::strerror(errno));
        bytes.remove_prefix(static_cast<std::size_t>(n));
        size_ += static_cast<std::uint64_t>(n);
    }
    return start;
}

void SpoolFile::read(std::uint64_t offset, std::size_t length, std::string& out) const {
    out.resize(length);
    std::size_t done = 0;
    while (done < length) {
        const ssize_t n = ::pread(fd_, out.data() + done, length - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw archive_error(target_, std::string("cannot read scratch data back: ") + (n < 0 ? std::strerror(errno) : "short read"));
        done += static_cast<std::size_t>(n);
    }
}

ArchiveError archive_error(const std::filesystem::path& path, std::string_view problem) {
    std::string message = path.string();
    message += ": ";
    message += problem;
    return ArchiveError(message);
}

ArchiveError ArchiveFile::error(std::string_view problem) const { return archive_error(target_, problem); }

void ArchiveFile::write(std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw error(std::string("cannot write: ") + std::strerror(errno));
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

void ArchiveFile::commit() {
    // mkstemp makes the file private (0600); an archive is meant to be served and shared.
    if (::fchmod(fd_, 0644) != 0 || ::fsync(fd_) != 0) throw error(std::string("cannot flush: ") + std::strerror(errno));
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw error(std::string("cannot close: ") + std::strerror(errno));
    if (::rename(temporary_.c_str(), target_.c_str()) != 0) {
        throw error(std::string("cannot move the finished archive into place: ") + std::strerror(errno));
    }
    committed_ = true;
}

std::string tile_name(const TileId& tile) {
    return std::to_string(tile.z) + "/" + std::to_string(tile.x) + "/" + std::to_string(tile.y);
}

std::string checked_vector_layers(const std::filesystem::path& path, const ArchiveMetadata& metadata) {
    auto fail = [&path](std::string_view problem) { return archive_error(path, problem); };
    if (metadata.minzoom < 0 || metadata.maxzoom > kMaxZoom || metadata.minzoom > metadata.maxzoom) {
        throw fail("metadata zooms " + std::to_string(metadata.minzoom) + ".." + std::to_string(metadata.maxzoom) +
                   " are not a range within 0.." + std::to_string(kMaxZoom));
    }
    const auto [west, south, east, north] = metadata.bounds;
    const bool finite = std::all_of(metadata.bounds.begin(), metadata.bounds.end(), [](double v) { return std::isfinite(v); }) &&
                        std::all_of(metadata.center.begin(), metadata.center.end(), [](double v) { return std::isfinite(v); });
    if (!finite || west < -180 || east > 180 || west > east || south < -90 || north > 90 || south > north) {
        throw fail("metadata bounds must be west, south, east, north in degrees with west <= east and south <= north");
    }
    if (metadata.center[0] < -180 || metadata.center[0] > 180 || metadata.center[1] < -90 || metadata.center[1] > 90 ||
        metadata.center[2] < 0 || metadata.center[2] > kMaxZoom) {
        throw fail("metadata center must be lon, lat in degrees and a zoom within 0.." + std::to_string(kMaxZoom));
    }
    boost::system::error_code parse_error;
    const boost::json::value layers = boost::json::parse(metadata.vector_layers_json, parse_error);
    // Both formats require vector_layers for vector tiles (MBTiles 1.3 "Vector tileset metadata", PMTiles v3 section 5).
    if (parse_error || !layers.is_array()) throw fail("metadata vector_layers_json is not a JSON array (TileJSON 3.0 vector_layers)");
    return boost::json::serialize(layers);
}

void check_archive_tile(const std::filesystem::path& path, const ArchiveMetadata& metadata, const TileId& tile) {
    std::string problem;
    try {
        check_tile(tile);
    } catch (const TileError& e) {
        problem = e.what();
    }
    if (problem.empty() && (tile.z < metadata.minzoom || tile.z > metadata.maxzoom)) {
        problem = "tile " + tile_name(tile) + " is outside the archive's zooms " + std::to_string(metadata.minzoom) + ".." +
                  std::to_string(metadata.maxzoom);
    }
    if (!problem.empty()) throw archive_error(path, problem);
}

}  // namespace detail

std::unique_ptr<TileArchiveWriter> open_tile_archive(const std::filesystem::path& path, const ArchiveMetadata& metadata) {
    std::string extension = path.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
    if (extension == ".mbtiles") return detail::make_mbtiles_writer(path, metadata);
    if (extension == ".pmtiles") return detail::make_pmtiles_writer(path, metadata);
    std::string message = path.string();
    message += ": unsupported tile archive extension '";
    message += path.extension().string();
    message += "' (supported: .mbtiles, .pmtiles)";
    throw ArchiveError(message);
}

}  // namespace tilesets
