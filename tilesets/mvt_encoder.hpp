#pragma once
// Mapbox Vector Tile 2.1 encoding on protozero: layers of features with zig-zag delta-encoded command
// geometry and per-layer key/value tables without duplicates. No I/O; errors cite the spec section.
#include "tilesets/tile_source.hpp"

#include <protozero/pbf_builder.hpp>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace tilesets {

/// A geometry the encoder cannot write as the spec requires.
class MvtError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct TilePoint {
    std::int32_t x = 0;
    std::int32_t y = 0;
    friend bool operator==(const TilePoint&, const TilePoint&) = default;
};

/// Geometry in tile coordinates. Points: one part holding every point. Lines: one part per
/// linestring. Polygons: rings (without the closing repeat), each exterior ring (positive area in
/// tile coordinates, i.e. clockwise with y down) followed by its interior rings (negative area).
struct TileGeometry {
    GeometryType type = GeometryType::point;
    std::vector<std::vector<TilePoint>> parts;
    bool empty() const { return parts.empty(); }
};

/// Twice the signed area of a ring by the surveyor's formula in tile coordinates (MVT 2.1 4.3.4.4:
/// positive means exterior).
std::int64_t ring_area2(const std::vector<TilePoint>& ring);

/// Encodes one layer; add features, then take its bytes.
class LayerEncoder {
public:
    LayerEncoder(std::string name, const std::vector<std::string>& keys, std::uint32_t extent);
    /// `values` are aligned with the keys given to the constructor.
    void add(std::uint64_t id, const TileGeometry& geometry, const std::vector<PropertyValue>& values);
    std::size_t size() const { return features_; }
    /// The Layer message (MVT 2.1 section 4.1), or empty when no feature was added.
    std::string finish();

private:
    std::uint32_t value_index(const PropertyValue& value);

    std::string name_;
    const std::vector<std::string>& keys_;
    std::uint32_t extent_;
    std::string features_bytes_;
    std::size_t features_ = 0;
    std::vector<std::int32_t> key_index_;         // key position -> index in the layer's keys, or -1
    std::vector<std::string> used_keys_;
    std::map<PropertyValue, std::uint32_t> value_index_;
    std::vector<PropertyValue> values_;
};

/// MVT 2.1 section 4.3.1: a command integer.
constexpr std::uint32_t command_integer(std::uint32_t id, std::uint32_t count) { return (id & 0x7) | (count << 3); }
/// MVT 2.1 section 4.3.2: zig-zag encoding of a parameter.
constexpr std::uint32_t zigzag(std::int32_t n) { return (static_cast<std::uint32_t>(n) << 1) ^ static_cast<std::uint32_t>(n >> 31); }

}  // namespace tilesets
