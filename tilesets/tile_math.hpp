#pragma once
// WebMercatorQuad (EPSG:3857) XYZ tile arithmetic: tile bounds, the tile under a point, the range of
// tiles over a box, and the TMS row flip MBTiles uses. Pure arithmetic, no I/O.
#include <compare>
#include <cstdint>
#include <stdexcept>

namespace tilesets {

/// Half the width of the Web Mercator square, in metres (pi * 6378137).
inline constexpr double kMercatorHalfWorld = 20037508.342789244;
/// Deepest zoom we address; 2^30 tiles a side still fits the 32-bit x and y.
inline constexpr int kMaxZoom = 30;

struct TileId {
    int z = 0;
    std::uint32_t x = 0;
    std::uint32_t y = 0;  // XYZ row: 0 at the top (north)
    friend bool operator==(const TileId&, const TileId&) = default;
    friend auto operator<=>(const TileId&, const TileId&) = default;
};

/// A box in EPSG:3857 metres.
struct MercatorBox {
    double min_x = 0, min_y = 0, max_x = 0, max_y = 0;
};

/// An inclusive range of tiles at one zoom.
struct TileRange {
    int z = 0;
    std::uint32_t min_x = 0, min_y = 0, max_x = 0, max_y = 0;
    std::uint64_t count() const {
        return static_cast<std::uint64_t>(max_x - min_x + 1) * static_cast<std::uint64_t>(max_y - min_y + 1);
    }
};

class TileError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// Throws TileError unless 0 <= z <= kMaxZoom and x, y < 2^z.
void check_tile(const TileId& tile);
std::uint32_t tiles_per_side(int z);
MercatorBox tile_bounds(const TileId& tile);
/// The tile holding a point (metres); points on the far edges go to the last tile.
TileId tile_at(double x, double y, int z);
/// The tiles a box touches at zoom z, clamped to the world.
TileRange tiles_covering(const MercatorBox& box, int z);
/// XYZ row <-> TMS row (MBTiles counts rows from the south). Its own inverse.
std::uint32_t flip_row(std::uint32_t y, int z);

/// Spherical Mercator from WGS 84 degrees and back (the EPSG:3857 formulas; latitude clamped to
/// the square's +-85.0511 degrees).
void lonlat_to_mercator(double lon, double lat, double& x, double& y);
void mercator_to_lonlat(double x, double y, double& lon, double& lat);

}  // namespace tilesets
