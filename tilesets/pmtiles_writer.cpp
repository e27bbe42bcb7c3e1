// PMTiles v3 (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md): a 127-byte header, the
// gzipped root directory, gzipped JSON metadata, gzipped leaf directories, then the gzipped tiles in
// TileID order, each distinct tile stored once.
#include "tilesets/archive_file.hpp"
#include "tilesets/tile_cache.hpp"  // content_hash

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tilesets {

namespace detail {

std::uint64_t pmtiles_tile_id(const TileId& tile) {
    check_tile(tile);
    // Tiles of all lower zooms come first: 4^0 + 4^1 + ... + 4^(z-1) = (4^z - 1) / 3.
    std::uint64_t id = ((std::uint64_t{1} << (2 * tile.z)) - 1) / 3;
    std::uint64_t x = tile.x, y = tile.y;
    // The Hilbert distance of (x, y) on the 2^z square (the spec's reference zxy_to_tileid).
    for (std::uint64_t s = tile.z > 0 ? std::uint64_t{1} << (tile.z - 1) : 0; s > 0; s >>= 1) {
        const std::uint64_t rx = (x & s) != 0 ? 1 : 0;
        const std::uint64_t ry = (y & s) != 0 ? 1 : 0;
        id += s * s * ((3 * rx) ^ ry);
        if (ry == 0) {  // rotate the quadrant so the curve's sub-squares line up
            if (rx == 1) {
                x = s - 1 - (x & (s - 1));
                y = s - 1 - (y & (s - 1));
            }
            std::swap(x, y);
        }
    }
    return id;
}

}  // namespace detail

namespace {

using detail::archive_error;

// Header fields (spec section 3).
constexpr std::size_t kHeaderSize = 127;
constexpr std::uint8_t kCompressionGzip = 2;
constexpr std::uint8_t kTileTypeMvt = 1;
// Header plus compressed root directory must fit the first 16 KiB (spec section 4).
constexpr std::size_t kMaxRootSize = 16384 - kHeaderSize;

struct DirectoryEntry {
    std::uint64_t tile_id = 0;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    std::uint64_t run_length = 0;  // 0 marks a leaf directory
};

void append_varint(std::string& out, std::uint64_t value) {
    while (value >= 0x80) {
        out += static_cast<char>((value & 0x7f) | 0x80);
        value >>= 7;
    }
    out += static_cast<char>(value);
}

void append_le(std::string& out, std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xff);
}

/// A whole directory, gzipped (spec section 4.2): the count, then all tile id deltas, run lengths,
/// lengths and offsets, an offset written as 0 when it directly follows the previous entry.
std::string encode_directory(const DirectoryEntry* begin, const DirectoryEntry* end) {
    std::string out;
    append_varint(out, static_cast<std::uint64_t>(end - begin));
    std::uint64_t last_id = 0;
    for (const DirectoryEntry* e = begin; e != end; ++e) {
        append_varint(out, e->tile_id - last_id);
        last_id = e->tile_id;
    }
    for (const DirectoryEntry* e = begin; e != end; ++e) append_varint(out, e->run_length);
    for (const DirectoryEntry* e = begin; e != end; ++e) append_varint(out, e->length);
    std::uint64_t next_offset = 0;
    for (const DirectoryEntry* e = begin; e != end; ++e) {
        append_varint(out, e != begin && e->offset == next_offset ? 0 : e->offset + 1);
        next_offset = e->offset + e->length;
    }
    return gzip(out);
}

struct Directories {
    std::string root;
    std::string leaves;
};

/// The root alone when it fits the first 16 KiB; otherwise the root points to leaf directories, made
/// larger until it fits (as go-pmtiles does: at least 4096 entries a leaf, a root of at most ~3500 leaves).
Directories build_directories(const std::vector<DirectoryEntry>& entries) {
    const DirectoryEntry* first = entries.data();
    Directories result;
    result.root = encode_directory(first, first + entries.size());
    if (result.root.size() <= kMaxRootSize) return result;
    for (std::size_t leaf_size = std::max<std::size_t>(4096, entries.size() / 3500);; leaf_size += leaf_size / 5) {
        std::vector<DirectoryEntry> leaf_pointers;
        result.leaves.clear();
        for (std::size_t start = 0; start < entries.size(); start += leaf_size) {
            const std::size_t count = std::min(leaf_size, entries.size() - start);
            const std::string leaf = encode_directory(first + start, first + start + count);
            leaf_pointers.push_back({entries[start].tile_id, result.leaves.size(), leaf.size(), 0});
            result.leaves += leaf;
        }
        result.root = encode_directory(leaf_pointers.data(), leaf_pointers.data() + leaf_pointers.size());
        if (result.root.size() <= kMaxRootSize) return result;
    }
}

std::int32_t e7(double degrees) { return static_cast<std::int32_t>(std::lround(degrees * 1e7)); }

void append_position(std::string& out, double lon, double lat) {
    append_le(out, static_cast<std::uint32_t>(e7(lon)), 4);
    append_le(out, static_cast<std::uint32_t>(e7(lat)), 4);
}

class PmtilesWriter final : public TileArchiveWriter {
public:
    PmtilesWriter(const std::filesystem::path& path, const ArchiveMetadata& metadata)
        : metadata_(metadata), vector_layers_json_(detail::checked_vector_layers(path, metadata)), file_(path) {}

    void add_gzipped(const TileId& tile, std::string compressed) override {
        if (finished_) throw file_.error("tile " + detail::tile_name(tile) + " added after finish()");
        detail::check_archive_tile(file_.target(), metadata_, tile);
        // Identical tiles (the same compressed bytes, since gzip is deterministic) share one blob: found
        // by hash, confirmed byte for byte against the spooled copy.
        const std::uint64_t hash = content_hash(compressed);
        std::uint32_t content = 0;
        bool found = false;
        for (auto [it, end] = content_index_.equal_range(hash); it != end && !found; ++it) {
            const Blob& blob = contents_[it->second];
            if (blob.length != compressed.size()) continue;
            spool_.read(blob.offset, blob.length, scratch_);
            if (scratch_ == compressed) {
                content = it->second;
                found = true;
            }
        }
        if (!found) {
            content = static_cast<std::uint32_t>(contents_.size());
            contents_.push_back({spool_.append(compressed), compressed.size()});
            content_index_.emplace(hash, content);
        }
        tiles_.push_back({detail::pmtiles_tile_id(tile), tile, content});
    }

    void finish() override {
        if (finished_) throw file_.error("finish() called twice");
        finished_ = true;
        try {
            write_archive();
        } catch (...) {
            file_.discard();
            throw;
        }
    }

private:
    struct AddedTile {
        std::uint64_t tile_id = 0;
        TileId tile;
        std::uint32_t content = 0;
    };

    void write_archive() {
        // Spec section 4.2: a directory holds at least one entry.
        if (tiles_.empty()) throw file_.error("no tiles were added (a PMTiles directory needs at least one entry)");
        std::sort(tiles_.begin(), tiles_.end(), [](const AddedTile& a, const AddedTile& b) { return a.tile_id < b.tile_id; });
        const auto repeated = std::adjacent_find(tiles_.begin(), tiles_.end(),
                                                 [](const AddedTile& a, const AddedTile& b) { return a.tile_id == b.tile_id; });
        if (repeated != tiles_.end()) throw file_.error("tile " + detail::tile_name(repeated->tile) + " was added twice");

        // Clustered: blobs in the order of the first tile that uses each, so the layout does not depend
        // on the order of add() calls; a repeated blob points back to its first copy.
        constexpr std::uint64_t kUnplaced = std::numeric_limits<std::uint64_t>::max();
        std::vector<std::uint64_t> content_offset(contents_.size(), kUnplaced);
        std::vector<std::uint32_t> data_order;
        std::uint64_t data_length = 0;
        std::vector<DirectoryEntry> entries;
        for (const AddedTile& added : tiles_) {
            const Blob& blob = contents_[added.content];
            if (content_offset[added.content] == kUnplaced) {
                content_offset[added.content] = data_length;
                data_length += blob.length;
                data_order.push_back(added.content);
            }
            const std::uint64_t offset = content_offset[added.content];
            if (!entries.empty()) {
                DirectoryEntry& last = entries.back();
                if (last.offset == offset && last.tile_id + last.run_length == added.tile_id) {
                    ++last.run_length;  // the next tile id with the same blob
                    continue;
                }
            }
            entries.push_back({added.tile_id, offset, blob.length, 1});
        }

        const Directories directories = build_directories(entries);
        const std::string metadata = gzip(metadata_json());

        std::string header = "PMTiles";
        header += static_cast<char>(3);
        const std::uint64_t root_offset = kHeaderSize;
        const std::uint64_t metadata_offset = root_offset + directories.root.size();
        const std::uint64_t leaves_offset = metadata_offset + metadata.size();
        const std::uint64_t data_offset = leaves_offset + directories.leaves.size();
        for (const std::uint64_t field : {root_offset, std::uint64_t{directories.root.size()}, metadata_offset,
                                          std::uint64_t{metadata.size()}, leaves_offset, std::uint64_t{directories.leaves.size()},
                                          data_offset, data_length, std::uint64_t{tiles_.size()}, std::uint64_t{entries.size()},
                                          std::uint64_t{contents_.size()}}) {
            append_le(header, field, 8);
        }
        header += static_cast<char>(1);  // clustered
        header += static_cast<char>(kCompressionGzip);  // internal compression
        header += static_cast<char>(kCompressionGzip);  // tile compression
        header += static_cast<char>(kTileTypeMvt);
        header += static_cast<char>(metadata_.minzoom);
        header += static_cast<char>(metadata_.maxzoom);
        const auto [west, south, east, north] = metadata_.bounds;
        append_position(header, west, south);
        append_position(header, east, north);
        header += static_cast<char>(std::lround(metadata_.center[2]));
        append_position(header, metadata_.center[0], metadata_.center[1]);

        file_.write(header);
        file_.write(directories.root);
        file_.write(metadata);
        file_.write(directories.leaves);
        write_tile_data(data_order);
        file_.commit();
    }

    /// The blobs in cluster order, gathered into large writes.
    void write_tile_data(const std::vector<std::uint32_t>& data_order) {
        constexpr std::size_t kWriteSize = std::size_t{1} << 20;
        std::string buffer;
        for (const std::uint32_t content : data_order) {
            spool_.read(contents_[content].offset, contents_[content].length, scratch_);
            buffer += scratch_;
            if (buffer.size() >= kWriteSize) {
                file_.write(buffer);
                buffer.clear();
            }
        }
        file_.write(buffer);
    }

    /// The metadata object (spec section 5): vector_layers is required for MVT tiles.
    std::string metadata_json() const {
        auto quoted = [](const std::string& text) { return boost::json::serialize(boost::json::string(text)); };
        std::string json = "{\"name\":";
        json += quoted(metadata_.name);
        json += ",\"description\":";
        json += quoted(metadata_.description);
        json += ",\"attribution\":";
        json += quoted(metadata_.attribution);
        json += ",\"type\":\"overlay\",\"version\":\"1.0.0\",\"vector_layers\":";
        json += vector_layers_json_;
        json += "}";
        return json;
    }

    ArchiveMetadata metadata_;
    std::string vector_layers_json_;
    detail::ArchiveFile file_;
    std::vector<AddedTile> tiles_;
    // Each distinct gzipped tile once, on disk until the archive is laid out (a national set is hundreds
    // of MB), found again by its hash.
    struct Blob {
        std::uint64_t offset = 0;
        std::uint64_t length = 0;
    };
    detail::SpoolFile spool_{file_.target()};
    std::vector<Blob> contents_;
    std::unordered_multimap<std::uint64_t, std::uint32_t> content_index_;
    std::string scratch_;
    bool finished_ = false;
};

}  // namespace

std::unique_ptr<TileArchiveWriter> detail::make_pmtiles_writer(const std::filesystem::path& path, const ArchiveMetadata& metadata) {
    return std::make_unique<PmtilesWriter>(path, metadata);
}

}  // namespace tilesets
