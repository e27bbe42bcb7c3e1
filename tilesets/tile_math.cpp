#include "tilesets/tile_math.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

namespace tilesets {

namespace {
constexpr double kEarthRadius = 6378137.0;
constexpr double kMaxLatitude = 85.05112877980659;
}  // namespace

std::uint32_t tiles_per_side(int z) {
    if (z < 0 || z > kMaxZoom) throw TileError("zoom " + std::to_string(z) + " is outside 0.." + std::to_string(kMaxZoom));
    return std::uint32_t{1} << z;
}

void check_tile(const TileId& tile) {
    const std::uint32_t n = tiles_per_side(tile.z);
    if (tile.x >= n || tile.y >= n) {
        throw TileError("tile " + std::to_string(tile.z) + "/" + std::to_string(tile.x) + "/" + std::to_string(tile.y) +
                        " is outside the zoom's 0.." + std::to_string(n - 1) + " range");
    }
}

MercatorBox tile_bounds(const TileId& tile) {
    check_tile(tile);
    const double size = 2 * kMercatorHalfWorld / tiles_per_side(tile.z);
    MercatorBox box;
    box.min_x = -kMercatorHalfWorld + tile.x * size;
    box.max_x = box.min_x + size;
    box.max_y = kMercatorHalfWorld - tile.y * size;
    box.min_y = box.max_y - size;
    return box;
}

TileId tile_at(double x, double y, int z) {
    const std::uint32_t n = tiles_per_side(z);
    const double size = 2 * kMercatorHalfWorld / n;
    auto index = [n](double offset_in_tiles) {
        const double clamped = std::clamp(std::floor(offset_in_tiles), 0.0, static_cast<double>(n - 1));
        return static_cast<std::uint32_t>(clamped);
    };
    return {z, index((x + kMercatorHalfWorld) / size), index((kMercatorHalfWorld - y) / size)};
}

TileRange tiles_covering(const MercatorBox& box, int z) {
    const TileId top_left = tile_at(box.min_x, box.max_y, z);
    const TileId bottom_right = tile_at(box.max_x, box.min_y, z);
    return {z, top_left.x, top_left.y, bottom_right.x, bottom_right.y};
}

std::uint32_t flip_row(std::uint32_t y, int z) { return tiles_per_side(z) - 1 - y; }

void lonlat_to_mercator(double lon, double lat, double& x, double& y) {
    const double clamped = std::clamp(lat, -kMaxLatitude, kMaxLatitude);
    x = kEarthRadius * lon * std::numbers::pi / 180.0;
    y = kEarthRadius * std::log(std::tan(std::numbers::pi / 4 + clamped * std::numbers::pi / 360.0));
}

void mercator_to_lonlat(double x, double y, double& lon, double& lat) {
    lon = x / kEarthRadius * 180.0 / std::numbers::pi;
    lat = (2 * std::atan(std::exp(y / kEarthRadius)) - std::numbers::pi / 2) * 180.0 / std::numbers::pi;
}

}  // namespace tilesets
