#pragma once
// Writing a tile set to one file: MBTiles 1.3 (SQLite, TMS rows, gzip tiles) or PMTiles v3 (one file of
// clustered, deduplicated tiles with a header and directories). Chosen by the file's extension. The
// archive appears whole or not at all: it is written under a temporary name and renamed when finished.
#include "tilesets/tile_math.hpp"

#include <array>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tilesets {

class ArchiveError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct ArchiveMetadata {
    std::string name;
    std::string description;
    std::string attribution;
    int minzoom = 0;
    int maxzoom = 14;
    std::array<double, 4> bounds{-180, -85.0511, 180, 85.0511};  // west, south, east, north in degrees
    std::array<double, 3> center{0, 0, 0};                       // lon, lat, zoom
    std::string vector_layers_json;  // a JSON array: TileJSON vector_layers ([{"id": ..., "fields": {...}, ...}])
};

/// gzip (RFC 1952) of `data` with zlib, deterministic (no timestamp, no file name).
std::string gzip(std::string_view data);

/// Receives the tiles of a set, then writes the archive.
class TileArchiveWriter {
public:
    virtual ~TileArchiveWriter() = default;
    /// Adds one tile: `mvt` is the uncompressed Mapbox Vector Tile; the writer gzips it. Tiles may come
    /// in any order; an empty tile (no layers) need not be added.
    void add(const TileId& tile, std::string_view mvt) { add_gzipped(tile, gzip(mvt)); }
    /// The same with the tile already gzipped by gzip() below (so that callers can compress on their
    /// own threads).
    virtual void add_gzipped(const TileId& tile, std::string gzipped) = 0;
    /// Writes everything and moves the file into place. Nothing is left behind if it throws.
    virtual void finish() = 0;
};

/// `.mbtiles` or `.pmtiles`; anything else throws ArchiveError naming the supported extensions.
std::unique_ptr<TileArchiveWriter> open_tile_archive(const std::filesystem::path& path, const ArchiveMetadata& metadata);


}  // namespace tilesets
