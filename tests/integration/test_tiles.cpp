// Vector tiles of all London read by independent decoders: GDAL's MBTiles/MVT drivers, @mapbox/vector-tile
// and the pmtiles package. The tile sets are made once per test run by `catchment tiles` (the ctest
// fixture "London tile sets"); the seam and winding checks render tiles with the same renderer.
#include "data/loader.hpp"
#include "geo/crs.hpp"
#include "geo/plan.hpp"
#include "paths.hpp"
#include "process.hpp"
#include "tilesets/tile_renderer.hpp"
#include "tilesets/tilejson.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <fstream>
#include <map>
#include <set>

using integration::run;

namespace {

const std::filesystem::path fixtures = CATCHMENT_TILE_FIXTURES;
const std::string catchment = test_paths::catchment_binary().string();

/// The sample planned as the fixture was (same options, so the same plan: plans are deterministic).
struct London {
    geo::Dataset dataset;
    geo::Plan plan;
    std::shared_ptr<const tilesets::TileSource> source;
};
const London& london() {
    static const London instance = [] {
        London l{data::load_dataset(data::describe(data::read_description(test_paths::sample_dir()))), {}, {}};
        geo::PlanOptions options;
        options.constraint_field = "lad11cd";
        l.plan = geo::plan(l.dataset, options, *l.dataset.geos);
        l.source = std::make_shared<const tilesets::TileSource>(tilesets::make_tile_source(l.dataset, l.plan));
        return l;
    }();
    return instance;
}

/// Decodes the given tile files with @mapbox/vector-tile.
boost::json::array decode(const std::vector<std::string>& files) {
    std::vector<std::string> args{(test_paths::source_dir() / "tests/js/decode_tile.mjs").string()};
    args.insert(args.end(), files.begin(), files.end());
    const auto r = run("node", args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return boost::json::parse(r.out).as_array();
}

/// Polygons of one decoded feature as GEOS, in tile coordinates.
geo::Geometry feature_polygons(geo::GeosContext& context, const boost::json::value& feature) {
    auto* h = context.handle();
    const auto& rings = feature.at("geometry").as_array();
    auto ring = [&](std::size_t index) {
        const auto& points = rings.at(index).as_array();
        GEOSCoordSequence* seq = GEOSCoordSeq_create_r(h, static_cast<unsigned>(points.size()), 2);
        for (std::size_t i = 0; i < points.size(); ++i) {
            GEOSCoordSeq_setXY_r(h, seq, static_cast<unsigned>(i), points[i].as_array()[0].to_number<double>(), points[i].as_array()[1].to_number<double>());
        }
        return GEOSGeom_createLinearRing_r(h, seq);
    };
    std::vector<GEOSGeometry*> polygons;
    for (const auto& group : feature.at("polygons").as_array()) {
        const auto& indexes = group.as_array();
        std::vector<GEOSGeometry*> holes;
        for (std::size_t k = 1; k < indexes.size(); ++k) holes.push_back(ring(indexes[k].to_number<std::size_t>()));
        polygons.push_back(GEOSGeom_createPolygon_r(h, ring(indexes[0].to_number<std::size_t>()), holes.data(), static_cast<unsigned>(holes.size())));
    }
    return geo::adopt(context, GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polygons.data(), static_cast<unsigned>(polygons.size())), "decoded polygons");
}

geo::Geometry unite(geo::GeosContext& context, std::vector<geo::Geometry>& parts) {
    std::vector<GEOSGeometry*> raw;
    for (auto& p : parts) raw.push_back(p.release());
    parts.clear();
    const geo::Geometry all = geo::adopt(context, GEOSGeom_createCollection_r(context.handle(), GEOS_GEOMETRYCOLLECTION, raw.data(), static_cast<unsigned>(raw.size())), "");
    return geo::adopt(context, GEOSUnaryUnion_r(context.handle(), all.get()), "uniting");
}

std::string write_temp(const std::string& name, const std::string& bytes) {
    const auto path = std::filesystem::temp_directory_path() / ("catchment-tiles-" + std::to_string(::getpid()) + "-" + name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
}

}  // namespace

TEST_CASE("GDAL reads every layer of the MBTiles with catchment's fields", "[tiles][gdal]") {
    const std::string mbtiles = (fixtures / "london.mbtiles").string();
    const auto layers = run("ogrinfo", {"-ro", "-so", "-q", mbtiles});
    REQUIRE(layers.exit_code == 0);
    for (const char* name : {"networks", "network_borders", "catchments", "catchment_labels", "practices", "areas", "gaps"}) {
        CHECK_THAT(layers.out, Catch::Contains(std::string(": ") + name));
    }
    // A known practice at z14: Albion Health Centre, 9,713 patients, in its planned network.
    const auto albion = run("ogrinfo", {"-ro", "-q", mbtiles, "-oo", "ZOOM_LEVEL=14", "practices", "-where", "practice_code = 'F84012'"});
    REQUIRE(albion.exit_code == 0);
    const auto& d = london().dataset;
    const auto it = std::find_if(d.practices.begin(), d.practices.end(), [](const geo::Practice& p) { return p.code == "F84012"; });
    const std::string network = london().plan.networks[static_cast<std::size_t>(london().plan.practice_network[static_cast<std::size_t>(it - d.practices.begin())])].id;
    CHECK_THAT(albion.out, Catch::Contains("practice_name (String) = ALBION HEALTH CENTRE") && Catch::Contains("list_size (Real) = 9713") &&
                               Catch::Contains("network_id (String) = " + network));
}

TEST_CASE("Each network at z14 read back by GDAL matches its source with IoU of at least 0.99", "[tiles][gdal][iou]") {
    const std::string gpkg = (std::filesystem::temp_directory_path() / ("catchment-z14-" + std::to_string(::getpid()) + ".gpkg")).string();
    const auto copy = run("ogr2ogr", {"-f", "GPKG", gpkg, (fixtures / "london.mbtiles").string(), "-oo", "ZOOM_LEVEL=14", "networks"});
    INFO(copy.err);
    REQUIRE(copy.exit_code == 0);
    geo::GeosContext context;
    std::map<std::string, std::vector<geo::Geometry>> pieces;
    {
        GDALAllRegister();
        GDALDatasetUniquePtr ds(GDALDataset::Open(gpkg.c_str(), GDAL_OF_VECTOR));
        REQUIRE(ds);
        OGRLayer* layer = ds->GetLayerByName("networks");
        REQUIRE(layer != nullptr);
        for (auto& f : *layer) {
            std::vector<unsigned char> wkb(static_cast<std::size_t>(f->GetGeometryRef()->WkbSize()));
            f->GetGeometryRef()->exportToWkb(wkbNDR, wkb.data(), wkbVariantIso);
            pieces[f->GetFieldAsString("network_id")].push_back(geo::from_wkb(context, wkb));
        }
    }
    std::filesystem::remove(gpkg);
    const auto& plan = london().plan;
    REQUIRE(pieces.size() == plan.networks.size());
    const geo::CrsTransform to_mercator(london().dataset.working_crs, "EPSG:3857");
    double worst = 1;
    std::string worst_id;
    for (const geo::Network& n : plan.networks) {
        auto transform = [](double* x, double* y, void* user) -> int {
            const geo::Point p = static_cast<const geo::CrsTransform*>(user)->transform({*x, *y});
            *x = p.x;
            *y = p.y;
            return 1;
        };
        const geo::Geometry source = geo::adopt(context, GEOSGeom_transformXY_r(context.handle(), n.polygon.get(), transform, const_cast<geo::CrsTransform*>(&to_mercator)), "");
        const geo::Geometry tiled = unite(context, pieces[n.id]);
        const geo::Geometry both = geo::adopt(context, GEOSIntersection_r(context.handle(), source.get(), tiled.get()), "");
        const geo::Geometry either = geo::adopt(context, GEOSUnion_r(context.handle(), source.get(), tiled.get()), "");
        const double iou = geo::area_of(context, both.get()) / geo::area_of(context, either.get());
        if (iou < worst) {
            worst = iou;
            worst_id = n.id;
        }
    }
    INFO("worst network " << worst_id << " IoU " << worst);
    CHECK(worst >= 0.99);
}

TEST_CASE("Networks that share a border have different colour slots in the MBTiles read by GDAL", "[tiles][gdal][colour]") {
    GDALAllRegister();
    const char* const options[] = {"ZOOM_LEVEL=8", nullptr};
    GDALDatasetUniquePtr ds(GDALDataset::Open((fixtures / "london.mbtiles").string().c_str(), GDAL_OF_VECTOR, nullptr, options));
    REQUIRE(ds);
    OGRLayer* layer = ds->GetLayerByName("networks");
    REQUIRE(layer != nullptr);
    std::map<std::string, std::set<std::int64_t>> colours;  // a network cut by tile edges has one piece per tile
    for (auto& f : *layer) colours[f->GetFieldAsString("network_id")].insert(f->GetFieldAsInteger64("colour"));
    const auto& plan = london().plan;
    REQUIRE(colours.size() == plan.networks.size());
    std::set<std::int64_t> used;
    for (const auto& [id, slots] : colours) {
        INFO("network " << id);
        CHECK(slots.size() == 1);
        CHECK(*slots.begin() >= 0);
        CHECK(*slots.begin() < static_cast<std::int64_t>(tilesets::kNetworkPaletteSize));
        used.insert(*slots.begin());
    }
    CHECK(used.size() == tilesets::kNetworkPaletteSize);
    REQUIRE(plan.borders.size() > 0);
    for (const geo::NetworkBorder& border : plan.borders) {
        const std::string& a = plan.networks[border.network_a].id;
        const std::string& b = plan.networks[border.network_b].id;
        INFO(a << " and " << b);
        CHECK(*colours[a].begin() != *colours[b].begin());
    }
}

TEST_CASE("Adjacent networks leave no gap or overlap larger than a pixel at z6 z8 z10 and z12", "[tiles][js][seams]") {
    const auto& source = *london().source;
    const tilesets::TileRenderer renderer(london().source, tilesets::TileOptions{});
    geo::GeosContext context;
    auto* h = context.handle();
    // The source coverage (every network united) in Web Mercator, to tell gaps between networks from
    // the generalised outer edge of London and the Thames.
    std::vector<geo::Geometry> all;
    for (const auto& f : source.layers[0].features) all.push_back(geo::adopt(context, GEOSGeom_clone_r(h, f.geometry.get()), ""));
    const geo::Geometry coverage = unite(context, all);
    constexpr double kPixel2 = 16.0 * 16.0;  // one screen pixel of a 256-pixel tile, in 4096-unit tile coordinates
    const geo::Geometry tile_square = geo::from_wkt(context, "POLYGON ((0 0, 4096 0, 4096 4096, 0 4096, 0 0))");
    for (const int z : {6, 8, 10, 12}) {
        const auto range = tilesets::tiles_covering({source.bounds.min_x, source.bounds.min_y, source.bounds.max_x, source.bounds.max_y}, z);
        std::vector<tilesets::TileId> tiles;
        std::vector<std::string> files;
        for (auto x = range.min_x; x <= range.max_x; ++x) {
            for (auto y = range.min_y; y <= range.max_y; ++y) {
                const std::string bytes = renderer.render({z, x, y});
                if (bytes.empty()) continue;
                tiles.push_back({z, x, y});
                files.push_back(write_temp(std::to_string(z) + "-" + std::to_string(x) + "-" + std::to_string(y) + ".mvt", bytes));
            }
        }
        const boost::json::array decoded = decode(files);
        for (const auto& f : files) std::filesystem::remove(f);
        double worst_overlap = 0, worst_gap = 0;
        std::size_t invalid = 0;
        for (std::size_t t = 0; t < tiles.size(); ++t) {
            std::vector<geo::Geometry> networks;
            double summed = 0;
            for (const auto& layer : decoded[t].at("layers").as_array()) {
                if (layer.at("name").as_string() != "networks") continue;
                for (const auto& feature : layer.at("features").as_array()) {
                    const geo::Geometry polygons = feature_polygons(context, feature);
                    if (GEOSisValid_r(h, polygons.get()) != 1) {
                        char* why = GEOSisValidReason_r(h, polygons.get());
                        WARN("z" << z << " " << feature.at("properties").at("network_id").as_string() << ": " << why << " rings " << feature.at("geometry").as_array().size());
                        GEOSFree_r(h, why);
                        ++invalid;
                        continue;
                    }
                    geo::Geometry clipped = geo::adopt(context, GEOSIntersection_r(h, polygons.get(), tile_square.get()), "");
                    summed += geo::area_of(context, clipped.get());
                    networks.push_back(std::move(clipped));
                }
            }
            const geo::Geometry united = unite(context, networks);
            worst_overlap = std::max(worst_overlap, summed - geo::area_of(context, united.get()));
            // What the source covers in this tile, in tile coordinates (y down), eroded by two pixels.
            const tilesets::MercatorBox box = tilesets::tile_bounds(tiles[t]);
            const geo::Geometry here = geo::adopt(context, GEOSClipByRect_r(h, coverage.get(), box.min_x, box.min_y, box.max_x, box.max_y), "");
            auto to_tile = [](double* x, double* y, void* user) -> int {
                const auto* b = static_cast<const tilesets::MercatorBox*>(user);
                *x = (*x - b->min_x) / (b->max_x - b->min_x) * 4096;
                *y = (b->max_y - *y) / (b->max_y - b->min_y) * 4096;
                return 1;
            };
            const geo::Geometry covered = geo::adopt(context, GEOSGeom_transformXY_r(h, here.get(), to_tile, const_cast<tilesets::MercatorBox*>(&box)), "");
            const geo::Geometry inner = geo::adopt(context, GEOSBuffer_r(h, covered.get(), -32, 4), "");
            const geo::Geometry missing = geo::adopt(context, GEOSDifference_r(h, inner.get(), united.get()), "");
            worst_gap = std::max(worst_gap, geo::area_of(context, missing.get()));
        }
        INFO("zoom " << z << ": " << tiles.size() << " tiles, " << invalid << " invalid polygons, worst overlap " << worst_overlap
                      << " and gap " << worst_gap << " square units");
        CHECK(tiles.size() >= 1);
        CHECK(invalid == 0);
        CHECK(worst_overlap <= kPixel2);
        CHECK(worst_gap <= kPixel2);
    }
}

TEST_CASE("Polygon rings are wound as MVT 2.1 requires and none is degenerate", "[tiles][js][winding]") {
    const tilesets::TileRenderer renderer(london().source, tilesets::TileOptions{});
    double x = 0, y = 0;
    tilesets::lonlat_to_mercator(-0.057658, 51.520017, x, y);  // Whitechapel
    std::vector<std::string> files;
    for (const int z : {9, 11, 13, 14}) files.push_back(write_temp("w" + std::to_string(z) + ".mvt", renderer.render(tilesets::tile_at(x, y, z))));
    const boost::json::array decoded = decode(files);
    for (const auto& f : files) std::filesystem::remove(f);
    std::size_t polygons = 0, holes = 0;
    for (const auto& tile : decoded) {
        for (const auto& layer : tile.at("layers").as_array()) {
            for (const auto& feature : layer.at("features").as_array()) {
                if (feature.at("type").to_number<int>() != 3) continue;
                const auto& areas = feature.at("ring_area").as_array();
                CHECK(areas.at(0).to_number<double>() > 0);  // the first ring is exterior: clockwise, y down
                for (const auto& a : areas) CHECK(a.to_number<double>() != 0);
                for (const auto& group : feature.at("polygons").as_array()) {
                    const auto& rings = group.as_array();
                    CHECK(areas.at(rings[0].to_number<std::size_t>()).to_number<double>() > 0);
                    for (std::size_t k = 1; k < rings.size(); ++k) CHECK(areas.at(rings[k].to_number<std::size_t>()).to_number<double>() < 0);
                    ++polygons;
                    holes += rings.size() - 1;
                }
            }
        }
    }
    CHECK(polygons > 100);
}

TEST_CASE("Tiles outside the data are empty and absent from the tile sets", "[tiles]") {
    const tilesets::TileRenderer renderer(london().source, tilesets::TileOptions{});
    double x = 0, y = 0;
    tilesets::lonlat_to_mercator(-3.19, 55.95, x, y);  // Edinburgh
    const tilesets::TileId far = tilesets::tile_at(x, y, 10);
    CHECK(renderer.render(far).empty());
    const auto rows = run("sqlite3", {(fixtures / "london.mbtiles").string(),
                                      "SELECT COUNT(*) FROM tiles WHERE zoom_level = 10 AND tile_column = " + std::to_string(far.x) +
                                          " AND tile_row = " + std::to_string(tilesets::flip_row(far.y, 10))});
    REQUIRE(rows.exit_code == 0);
    CHECK(rows.out == "0\n");
    const auto pm = run("node", {(test_paths::source_dir() / "tests/js/read_pmtiles.mjs").string(), (fixtures / "london.pmtiles").string(),
                                 "10/" + std::to_string(far.x) + "/" + std::to_string(far.y)});
    REQUIRE(pm.exit_code == 0);
    CHECK(boost::json::parse(pm.out).at("tiles").as_array().at(0).at("missing").as_bool());
}

TEST_CASE("The PMTiles set holds the same tiles as the MBTiles set", "[tiles][js][pmtiles]") {
    const auto pm = run("node", {(test_paths::source_dir() / "tests/js/read_pmtiles.mjs").string(), (fixtures / "london.pmtiles").string()});
    INFO(pm.err);
    REQUIRE(pm.exit_code == 0);
    const auto json = boost::json::parse(pm.out);
    const auto& header = json.at("header");
    CHECK(header.at("tileType").to_number<int>() == 1);         // MVT
    CHECK(header.at("tileCompression").to_number<int>() == 2);  // gzip
    CHECK(header.at("minZoom").to_number<int>() == 0);
    CHECK(header.at("maxZoom").to_number<int>() == 14);
    const auto count = run("sqlite3", {(fixtures / "london.mbtiles").string(), "SELECT COUNT(*) FROM tiles"});
    REQUIRE(count.exit_code == 0);
    CHECK(header.at("numAddressedTiles").to_number<std::int64_t>() == std::stoll(count.out));
    CHECK(json.at("metadata").at("vector_layers").as_array().size() == 9);
    // Both sets carry the dataset description's attribution (the sample's licence statements).
    CHECK_THAT(std::string(json.at("metadata").at("attribution").as_string()), Catch::Contains("Open Government Licence"));
    const auto attribution = run("sqlite3", {(fixtures / "london.mbtiles").string(), "SELECT value FROM metadata WHERE name = 'attribution'"});
    REQUIRE(attribution.exit_code == 0);
    CHECK_THAT(attribution.out, Catch::Contains("Open Government Licence") && Catch::Contains("Crown copyright"));
}

TEST_CASE("catchment tiles refuses bad options with exit code 2 and leaves no file", "[tiles][cli]") {
    const auto dir = std::filesystem::temp_directory_path() / ("catchment-tiles-cli-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string sample = test_paths::sample_dir().string();
    const auto wrong = run(catchment, {"tiles", sample, "--out", (dir / "london.zip").string()});
    CHECK(wrong.exit_code == 2);
    CHECK_THAT(wrong.err, Catch::Contains("expected .mbtiles or .pmtiles"));
    const auto zooms = run(catchment, {"tiles", sample, "--minzoom", "9", "--maxzoom", "4", "--out", (dir / "x.pmtiles").string()});
    CHECK(zooms.exit_code == 2);
    CHECK_THAT(zooms.err, Catch::Contains("--minzoom 9 is greater than --maxzoom 4"));
    CHECK(run(catchment, {"tiles", "--help"}).exit_code == 0);
    const auto style = run(catchment, {"tiles", sample, "--out", (dir / "x.mbtiles").string(), "--style", (dir / "style.json").string()});
    CHECK(style.exit_code == 2);
    CHECK_THAT(style.err, Catch::Contains("needs --style-source"));
    CHECK(std::filesystem::is_empty(dir));
    std::filesystem::remove_all(dir);
}
