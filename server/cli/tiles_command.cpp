#include "data/atomic_file.hpp"
#include "data/errors.hpp"
#include "data/loader.hpp"
#include "geo/parallel.hpp"
#include "geo/plan.hpp"
#include "server/cli/cli.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/planning_options.hpp"
#include "server/cli/progress_bar.hpp"
#include "server/service/summary_report.hpp"
#include "tilesets/tile_archive.hpp"
#include "tilesets/tile_renderer.hpp"
#include "tilesets/tilejson.hpp"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <future>
#include <memory>
#include <thread>

namespace server {

namespace {

struct TilesFlags {
    std::string out;
    int minzoom = 0;
    int maxzoom = 14;
    std::uint32_t extent = 4096;
    std::uint32_t buffer = 64;
    std::string style;
    std::string style_source;
    std::string glyphs;
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
};

void add_options(CLI::App& command, TilesFlags& flags) {
    const std::string output = "Output";
    command.add_option("--out", flags.out, "The tile set: FILE.mbtiles (MBTiles 1.3) or FILE.pmtiles (PMTiles v3). Required")
        ->required()->type_name("FILE")->group(output);
    command.add_option("--minzoom", flags.minzoom, "Lowest zoom written")->capture_default_str()->check(CLI::Range(0, 22))->group(output);
    command.add_option("--maxzoom", flags.maxzoom, "Highest zoom written")->capture_default_str()->check(CLI::Range(0, 22))->group(output);
    command.add_option("--extent", flags.extent, "Tile extent in MVT units")->capture_default_str()->check(CLI::Range(256, 65536))->group(output);
    command.add_option("--buffer", flags.buffer, "Tile buffer in MVT units")->capture_default_str()->check(CLI::Range(0, 4096))->group(output);
    command.add_option("--style", flags.style,
                       "Also write a MapLibre GL style for the tile set to this file (with .pmtiles its source is "
                       "pmtiles://FILE; with .mbtiles give --style-source)")
        ->type_name("FILE.json")->group(output);
    command.add_option("--style-source", flags.style_source, "The style's source URL: a TileJSON URL, or pmtiles://...")
        ->type_name("URL")->group(output);
    command.add_option("--glyphs", flags.glyphs,
                       "The style's glyphs URL, e.g. https://host/fonts/{fontstack}/{range}.pbf (a `catchment serve`, or files "
                       "`catchment glyphs` made): with it the style labels groups, networks and practices; without, it has no text")
        ->type_name("URL")->group(output);
    command.add_option("--threads", flags.threads, "Threads rendering tiles (default: one per core)")->check(CLI::Range(1, 64))->group(output);
}

/// Renders every tile of one zoom, spread over `threads`, and hands those that hold a feature to
/// `writer` in a stable order as they are done (so a zoom's tiles are never all in memory at once).
/// Adds to `tiles` and `bytes` what was written.
void render_zoom(const tilesets::TileRenderer& renderer, int z, unsigned threads, tilesets::TileArchiveWriter& writer, ProgressBar& progress,
                 tilesets::RenderStats& totals, std::size_t& written_tiles, std::size_t& written_bytes) {
    const auto& b = renderer.source().bounds;
    const tilesets::TileRange range = tilesets::tiles_covering({b.min_x, b.min_y, b.max_x, b.max_y}, z);
    std::vector<tilesets::TileId> tiles;
    for (std::uint32_t x = range.min_x; x <= range.max_x; ++x) {
        for (std::uint32_t y = range.min_y; y <= range.max_y; ++y) tiles.push_back({z, x, y});
    }
    std::vector<std::string> bytes(tiles.size()), gzipped(tiles.size());
    std::unique_ptr<std::atomic<bool>[]> ready(new std::atomic<bool>[tiles.size()]);
    for (std::size_t i = 0; i < tiles.size(); ++i) ready[i] = false;
    std::vector<tilesets::RenderStats> stats(geo::worker_count(threads, tiles.size()));
    std::atomic<bool> failed{false};
    progress.begin("zoom " + std::to_string(z) + " tiles", static_cast<std::int64_t>(tiles.size()));
    // The next zoom is generalised meanwhile (prepare_zoom ignores zooms past the maximum); a failure
    // there shows again, and is reported, when that zoom renders.
    auto next_zoom = std::async(std::launch::async, [&renderer, z] {
        try {
            renderer.prepare_zoom(z + 1);
        } catch (...) {
        }
    });
    // Rendering runs beside this thread; its first exception comes back from rendering.get().
    auto rendering = std::async(std::launch::async, [&] {
        try {
            geo::parallel_for(tiles.size(), threads, [&](std::size_t i, unsigned worker) {
                if (failed) return;  // the writer stopped: nothing more is wanted
                tilesets::RenderStats s;
                bytes[i] = renderer.render(tiles[i], &s);
                if (!bytes[i].empty()) gzipped[i] = tilesets::gzip(bytes[i]);  // here, on the render threads
                stats[worker] += s;
                ready[i] = true;
            });
        } catch (...) {
            failed = true;  // also when no task ran (a thread that could not start): the writer must not wait
            throw;
        }
    });
    // This thread writes the finished tiles in order, and shows progress.
    const auto finish = [&] {
        next_zoom.wait();
        rendering.get();  // rethrows a render failure
    };
    std::size_t written = 0;
    try {
        while (written < tiles.size() && !failed) {
            if (!ready[written]) {
                progress.update(static_cast<std::int64_t>(written));
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
                continue;
            }
            for (; written < tiles.size() && ready[written]; ++written) {
                if (bytes[written].empty()) continue;
                writer.add_gzipped(tiles[written], std::move(gzipped[written]));
                ++written_tiles;
                written_bytes += bytes[written].size();
                std::string().swap(bytes[written]);
                std::string().swap(gzipped[written]);
            }
        }
    } catch (...) {
        failed = true;
        try {
            finish();
        } catch (...) {
        }
        throw;  // the writer's failure
    }
    finish();
    for (const auto& s : stats) totals += s;
    const auto [repaired, dropped] = renderer.zoom_repairs(z);
    totals.repaired += repaired;
    totals.dropped_invalid += dropped;
    renderer.forget_zoom(z);  // done with this zoom: hold one zoom's generalised geometries at a time
}

}  // namespace

Command add_tiles_command(CLI::App& app) {
    CLI::App* command = app.add_subcommand(
        "tiles", "Plan the dataset's networks and write them as Mapbox Vector Tiles in one file (MBTiles or PMTiles): "
                 "networks, network_borders, catchments, catchment_labels, practices, areas, gaps, and network and group "
                 "label points");
    auto flags = std::make_shared<TilesFlags>();
    auto dataset = std::make_shared<DatasetOptions>(*command);
    auto planning = std::make_shared<PlanningOptions>(*command);
    add_options(*command, *flags);
    command->footer("Example: catchment tiles data/sample --constraint-field lad11cd --out london.pmtiles --maxzoom 14");
    return {command, [flags, dataset, planning] {
                const auto started = std::chrono::steady_clock::now();
                if (flags->minzoom > flags->maxzoom) {
                    throw UsageError("--minzoom " + std::to_string(flags->minzoom) + " is greater than --maxzoom " +
                                         std::to_string(flags->maxzoom));
                }
                const std::string extension = std::filesystem::path(flags->out).extension().string();
                if (extension != ".mbtiles" && extension != ".pmtiles") {
                    throw data::InputError({flags->out, {}, {}, {}}, "unsupported tile set format (expected .mbtiles or .pmtiles)");
                }
                if (!flags->style.empty() && flags->style_source.empty() && extension != ".pmtiles") {
                    throw UsageError("--style with an MBTiles tile set needs --style-source (the URL the tiles are served from)");
                }
                // Before the long work: a tile set that cannot be written there is the user's path, not a failure.
                data::check_output_file(flags->out, "catchment" + extension);
                if (!flags->style.empty()) data::check_output_file(flags->style, "style.json");
                if (!flags->glyphs.empty() && flags->style.empty()) throw UsageError("--glyphs is the style's: give --style too");
                if (!flags->glyphs.empty() && (flags->glyphs.find("{fontstack}") == std::string::npos || flags->glyphs.find("{range}") == std::string::npos)) {
                    throw UsageError("--glyphs must hold {fontstack} and {range}, e.g. https://host/fonts/{fontstack}/{range}.pbf");
                }
                geo::PlanOptions options = planning->options();
                ProgressBar progress;
                // The dataset and its plan go once the tile source (their copy in Web Mercator) is made:
                // rendering needs nothing else, and England's take some 400 MB.
                // They are freed on a thread of their own, while the first zooms render.
                auto loaded = std::make_shared<geo::Dataset>(data::load_dataset(dataset->description(), progress));
                planning->resolve(options, *loaded);
                options.validate(*loaded);
                auto planned = std::make_shared<geo::Plan>(
                    geo::plan(*loaded, options, *loaded->geos, [&progress](std::string_view stage) { progress.begin(stage, 0); }));
                progress.begin("tile source", 0);
                const auto source = std::make_shared<const tilesets::TileSource>(tilesets::make_tile_source(*planned->dataset, *planned));
                const std::string attribution = loaded->attribution;  // (the description's, or --attribution's)
                std::jthread release([planned = std::move(planned), loaded = std::move(loaded)]() mutable {
                    planned.reset();  // before the dataset it may point into
                    loaded.reset();
                });
                tilesets::TileOptions tile_options;
                tile_options.extent = flags->extent;
                tile_options.buffer = flags->buffer;
                tile_options.maxzoom = flags->maxzoom;
                const tilesets::TileRenderer renderer(source, tile_options);

                tilesets::ArchiveMetadata metadata;
                metadata.name = source->name.empty() ? "catchment" : source->name;
                metadata.description = "GP practice catchments and primary care networks planned by catchment";
                metadata.attribution = attribution;
                metadata.minzoom = flags->minzoom;
                metadata.maxzoom = flags->maxzoom;
                const auto& box = source->bounds_lonlat;
                metadata.bounds = {box.min_x, box.min_y, box.max_x, box.max_y};
                metadata.center = {(box.min_x + box.max_x) / 2, (box.min_y + box.max_y) / 2, static_cast<double>(std::min(flags->maxzoom, 10))};
                metadata.vector_layers_json = boost::json::serialize(tilesets::vector_layers(tilesets::catchment_layers(flags->maxzoom)));
                auto writer = tilesets::open_tile_archive(flags->out, metadata);

                tilesets::RenderStats totals;
                std::size_t tiles = 0, bytes = 0;
                for (int z = flags->minzoom; z <= flags->maxzoom; ++z) render_zoom(renderer, z, flags->threads, *writer, progress, totals, tiles, bytes);
                release.join();  // (a jthread: also joined if rendering throws)
                progress.begin("writing " + flags->out, 0);
                writer->finish();
                if (!flags->style.empty()) {
                    tilesets::TileSetInfo info;
                    info.name = metadata.name;
                    info.attribution = metadata.attribution;
                    info.minzoom = metadata.minzoom;
                    info.maxzoom = metadata.maxzoom;
                    info.bounds = metadata.bounds;
                    info.center = metadata.center;
                    const std::string url = flags->style_source.empty()
                                                ? "pmtiles://" + std::filesystem::path(flags->out).filename().string()
                                                : flags->style_source;
                    data::write_file_atomically(flags->style, boost::json::serialize(tilesets::maplibre_style(
                                                                  info, tilesets::catchment_layers(flags->maxzoom), url, flags->glyphs)) + "\n");
                }
                progress.end();
                const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
                std::printf("%s", fmt::format("Wrote {}: {} tiles, zoom {} to {}, {} MB of MVT before compression, in {:.1f} s\n"
                                              "Features written: {}; sub-pixel polygons left out: {}; polygons repaired on the "
                                              "tile grid: {}, dropped: {}; whole-tile squares: {}\n",
                                              flags->out, with_thousands(static_cast<std::int64_t>(tiles)), flags->minzoom,
                                              flags->maxzoom, fmt::format("{:.1f}", static_cast<double>(bytes) / 1e6), seconds,
                                              with_thousands(static_cast<std::int64_t>(totals.features)), totals.dropped_small,
                                              totals.repaired, totals.dropped_invalid, totals.whole_tile)
                                      .c_str());
                return kExitOk;
            }};
}

}  // namespace server
