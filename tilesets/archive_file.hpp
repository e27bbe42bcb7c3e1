#pragma once
// Internals shared by the MBTiles and PMTiles writers (not part of the tilesets interface): the
// temporary file an archive is written under, checks of the metadata and tiles, and the writers' factories.
#include "tilesets/tile_archive.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace tilesets::detail {

/// A file created as `<target>.tmp-XXXXXX` beside the target (same file system, so the final move is a
/// rename). Destroyed before commit(), it removes itself.
class ArchiveFile {
public:
    /// Throws ArchiveError when the file cannot be created (e.g. the folder does not exist).
    explicit ArchiveFile(std::filesystem::path target);
    ~ArchiveFile();
    ArchiveFile(const ArchiveFile&) = delete;
    ArchiveFile& operator=(const ArchiveFile&) = delete;

    const std::filesystem::path& target() const { return target_; }
    const std::string& temporary() const { return temporary_; }
    /// Appends bytes at the end of what was written through this object.
    void write(std::string_view bytes);
    /// Makes the file readable by others, flushes it to disk and renames it over the target.
    void commit();
    /// Removes the temporary file now (after a failure), rather than at destruction.
    void discard();
    /// archive_error() for the target.
    ArchiveError error(std::string_view problem) const;

private:
    std::filesystem::path target_;
    std::string temporary_;
    int fd_ = -1;
    bool committed_ = false;
};

/// Scratch bytes on disk beside the target: created and at once unlinked, so it holds no name and goes
/// with the process whatever happens. A writer keeps tiles here, not in memory, until it lays them out.
class SpoolFile {
public:
    explicit SpoolFile(const std::filesystem::path& target);
    ~SpoolFile();
    SpoolFile(const SpoolFile&) = delete;
    SpoolFile& operator=(const SpoolFile&) = delete;
    /// Appends `bytes`; returns where they start.
    std::uint64_t append(std::string_view bytes);
    /// The `length` bytes at `offset`, into `out` (replaced).
    void read(std::uint64_t offset, std::size_t length, std::string& out) const;

private:
    std::filesystem::path target_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
};

/// An ArchiveError whose message is "<path>: <problem>".
ArchiveError archive_error(const std::filesystem::path& path, std::string_view problem);

/// Throws ArchiveError (naming `path`) unless the zooms, bounds and center make sense and
/// vector_layers_json is a JSON array; returns that array re-serialised compactly.
std::string checked_vector_layers(const std::filesystem::path& path, const ArchiveMetadata& metadata);
/// Throws ArchiveError (naming `path`) unless the tile exists and lies within the metadata's zoom range.
void check_archive_tile(const std::filesystem::path& path, const ArchiveMetadata& metadata, const TileId& tile);
/// "z/x/y", for messages.
std::string tile_name(const TileId& tile);

/// PMTiles v3 TileID: the tile's position along the Hilbert curves of zooms 0, 1, 2, ... (spec section 4.1).
std::uint64_t pmtiles_tile_id(const TileId& tile);

std::unique_ptr<TileArchiveWriter> make_mbtiles_writer(const std::filesystem::path& path, const ArchiveMetadata& metadata);
std::unique_ptr<TileArchiveWriter> make_pmtiles_writer(const std::filesystem::path& path, const ArchiveMetadata& metadata);

}  // namespace tilesets::detail
