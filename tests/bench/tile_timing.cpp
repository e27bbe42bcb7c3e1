// Cold tile encode times on a planned dataset: every tile over its extent at the given zooms is rendered
// once (no tile cache), after that zoom's generalisation is built (timed separately). Prints, per zoom,
// the tile count, median and p99 milliseconds, and the generalisation time.
//
//   tile_timing DATASET [--constraint-field F] [--zooms 8,12,14]
#include "data/loader.hpp"
#include "geo/plan.hpp"
#include "tilesets/tile_renderer.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: tile_timing DATASET [--constraint-field F] [--zooms 8,12,14]\n");
        return 2;
    }
    std::string constraint, zooms = "8,12,14";
    for (int i = 2; i + 1 < argc; i += 2) {
        if (std::string(argv[i]) == "--constraint-field") constraint = argv[i + 1];
        if (std::string(argv[i]) == "--zooms") zooms = argv[i + 1];
    }
    const geo::Dataset dataset = data::load_dataset(data::describe(data::read_description(argv[1])));
    geo::PlanOptions options;
    options.constraint_field = constraint;
    const geo::Plan plan = geo::plan(dataset, options, *dataset.geos);
    auto source = std::make_shared<const tilesets::TileSource>(tilesets::make_tile_source(dataset, plan));
    const tilesets::TileRenderer renderer(source, tilesets::TileOptions{});
    using Clock = std::chrono::steady_clock;
    for (std::size_t at = 0; at < zooms.size();) {
        const std::size_t comma = zooms.find(',', at);
        const int z = std::stoi(zooms.substr(at, comma - at));
        at = comma == std::string::npos ? zooms.size() : comma + 1;
        const auto& b = source->bounds;
        const tilesets::TileRange range = tilesets::tiles_covering({b.min_x, b.min_y, b.max_x, b.max_y}, z);
        const auto g0 = Clock::now();
        (void)renderer.zoom_repairs(z);  // builds the zoom's generalisation
        const double generalise = std::chrono::duration<double>(Clock::now() - g0).count();
        std::vector<double> ms;
        for (auto x = range.min_x; x <= range.max_x; ++x) {
            for (auto y = range.min_y; y <= range.max_y; ++y) {
                const auto t0 = Clock::now();
                const std::string bytes = renderer.render({z, x, y});
                const double elapsed = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
                if (!bytes.empty()) ms.push_back(elapsed);  // tiles with data: empty ones are trivially fast
            }
        }
        std::sort(ms.begin(), ms.end());
        const double median = ms.empty() ? 0 : ms[ms.size() / 2];
        const double p99 = ms.empty() ? 0 : ms[std::min(ms.size() - 1, static_cast<std::size_t>(0.99 * static_cast<double>(ms.size())))];
        std::printf("z%-2d %5zu tiles with data   median %7.3f ms   p99 %7.3f ms   (zoom generalisation %.2f s, once)\n", z, ms.size(),
                    median, p99, generalise);
    }
    return 0;
}
