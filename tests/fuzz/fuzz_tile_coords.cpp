// libFuzzer target: tile coordinates. The input, as text, ends a tile URL of `catchment serve` on the
// bundled sample (/tiles/..., /collections/{id}/tiles/..., /plans/{plan}/tiles/...): every answer must be
// a 200 with a valid MVT 2.1 tile (mvt_check.hpp) for a tile in range, or a JSON error. The same bytes
// as numbers check the tile math: a tile's bounds hold its centre, tile_at finds it again, flip_row is
// its own inverse, and degrees survive the round trip through Web Mercator.
#include "fuzz/mvt_check.hpp"
#include "fuzz/sample_server.hpp"
#include "tilesets/tile_math.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

[[noreturn]] void finding(const std::string& what) {
    std::fprintf(stderr, "fuzz finding: %s\n", what.c_str());
    std::abort();
}

void tile_math(const std::uint8_t* data, std::size_t size) {
    if (size < 9) return;
    const int z = data[0] % 31;
    std::uint32_t x = 0, y = 0;
    std::memcpy(&x, data + 1, 4);
    std::memcpy(&y, data + 5, 4);
    const tilesets::TileId tile{z, x, y};
    try {
        tilesets::check_tile(tile);
    } catch (const tilesets::TileError&) {
        if (x < tilesets::tiles_per_side(z) && y < tilesets::tiles_per_side(z)) finding("check_tile refused a tile in range");
        return;
    }
    const tilesets::MercatorBox box = tilesets::tile_bounds(tile);
    const double cx = (box.min_x + box.max_x) / 2, cy = (box.min_y + box.max_y) / 2;
    if (!(box.min_x < box.max_x && box.min_y < box.max_y)) finding("a tile with empty bounds");
    if (!(tilesets::tile_at(cx, cy, z) == tile)) finding("tile_at of a tile's centre is another tile");
    if (tilesets::flip_row(tilesets::flip_row(y, z), z) != y) finding("flip_row is not its own inverse");
    double lon = 0, lat = 0, mx = 0, my = 0;
    tilesets::mercator_to_lonlat(cx, cy, lon, lat);
    tilesets::lonlat_to_mercator(lon, lat, mx, my);
    if (std::abs(mx - cx) > 1e-6 * (1 + std::abs(cx)) || std::abs(my - cy) > 1e-6 * (1 + std::abs(cy))) {
        finding("Web Mercator round trip moved a tile centre");
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::sample_server();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    tile_math(data, size);
    if (size == 0) return 0;
    static const char* const prefixes[] = {"/tiles/", "/collections/networks/tiles/", "/collections/areas/tiles/", "/plans/p0/tiles/"};
    std::string target = prefixes[data[0] % 4];
    target.append(reinterpret_cast<const char*>(data) + 1, size - 1);
    fuzz::SampleServer& sample = fuzz::sample_server();
    server::Request request{server::http::verb::get, target, 11};
    request.set(server::http::field::host, "localhost");
    const server::Response response = sample.router.handle_off_io(request, nullptr);
    fuzz::check_response(request, response);
    if (response.result_int() == 200 && !response.body().streamed()) {
        std::string tile;
        for (const auto& piece : response.body().pieces()) tile.append(piece.data, piece.size);
        if (response.count(server::http::field::content_encoding) == 0) {
            if (const std::string problem = fuzz::mvt_problem(tile); !problem.empty()) finding(target + ": " + problem);
        }
    }
    return 0;
}
