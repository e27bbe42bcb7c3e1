// MBTiles and PMTiles writers, checked with readers that share no code with them: GDAL's ogrinfo and the
// sqlite3 shell for MBTiles, the `pmtiles` npm package (tests/js/read_pmtiles.mjs) for PMTiles, and the gzip
// and sha1sum tools for the bytes.
#include "integration/process.hpp"
#include "paths.hpp"
#include "tilesets/archive_file.hpp"
#include "tilesets/tile_archive.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <protozero/pbf_writer.hpp>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace tilesets;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

/// A folder for one test's files, removed afterwards.
class ScratchDir {
public:
    ScratchDir() {
        std::string pattern = (fs::temp_directory_path() / "catchment-archive-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~ScratchDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    fs::path operator/(const std::string& name) const { return path_ / name; }
    const fs::path& path() const { return path_; }
    std::vector<std::string> entries() const {
        std::vector<std::string> names;
        for (const auto& entry : fs::directory_iterator(path_)) names.push_back(entry.path().filename().string());
        return names;
    }

private:
    fs::path path_;
};

/// A valid MVT 2.1 tile by hand: one layer "test" (version 2, extent 4096) holding one point feature with
/// an id and a string property "name".
std::string make_mvt(std::uint64_t feature_id, const std::string& name, std::uint32_t x, std::uint32_t y) {
    std::string tile;
    protozero::pbf_writer tile_writer(tile);
    {
        protozero::pbf_writer layer(tile_writer, 3);  // Tile.layers
        layer.add_string(1, "test");                  // Layer.name
        {
            protozero::pbf_writer feature(layer, 2);  // Layer.features
            feature.add_uint64(1, feature_id);
            const std::array<std::uint32_t, 2> tags{0, 0};  // keys[0] = values[0]
            feature.add_packed_uint32(2, tags.begin(), tags.end());
            feature.add_enum(3, 1);  // POINT
            // MoveTo with a count of 1 (command integer 9), then the zigzag-encoded x and y.
            const std::array<std::uint32_t, 3> geometry{9, protozero::encode_zigzag32(static_cast<std::int32_t>(x)),
                                                        protozero::encode_zigzag32(static_cast<std::int32_t>(y))};
            feature.add_packed_uint32(4, geometry.begin(), geometry.end());
        }
        layer.add_string(3, "name");  // Layer.keys
        {
            protozero::pbf_writer value(layer, 4);  // Layer.values
            value.add_string(1, name);              // Value.string_value
        }
        layer.add_uint32(5, 4096);  // extent
        layer.add_uint32(15, 2);    // version
    }
    return tile;
}

ArchiveMetadata small_metadata() {
    ArchiveMetadata metadata;
    metadata.name = "Test \"tiles\"";
    metadata.description = "Points for the archive tests";
    metadata.attribution = "© catchment tests";
    metadata.minzoom = 0;
    metadata.maxzoom = 2;
    metadata.bounds = {-0.51, 51.28, 0.334, 51.6923};
    metadata.center = {-0.1, 51.5, 2};
    metadata.vector_layers_json = R"([{"id":"test","fields":{"name":"String"},"minzoom":0,"maxzoom":2}])";
    return metadata;
}

struct SmallTile {
    TileId id;
    std::string mvt;
};

/// z0/0/0, z1/1/0 and z2/2/1 with their own contents; z1/1/1 repeats z1/1/0 (the next Hilbert id, so a
/// run) and z2/0/0 repeats z0/0/0 (a repeat further on).
std::vector<SmallTile> small_tiles() {
    const std::string world = make_mvt(1, "world", 2048, 2048);
    const std::string north_east = make_mvt(2, "north east", 100, 4000);
    return {{{0, 0, 0}, world},
            {{1, 1, 0}, north_east},
            {{2, 2, 1}, make_mvt(3, "z2 tile", 10, 20)},
            {{1, 1, 1}, north_east},
            {{2, 0, 0}, world}};
}

void write_archive(const fs::path& path, const std::vector<SmallTile>& tiles, const ArchiveMetadata& metadata) {
    const std::unique_ptr<TileArchiveWriter> writer = open_tile_archive(path, metadata);
    for (const SmallTile& tile : tiles) writer->add(tile.id, tile.mvt);
    writer->finish();
}

integration::ProcessResult must_run(const std::string& program, const std::vector<std::string>& arguments) {
    integration::ProcessResult result = integration::run(program, arguments);
    INFO(program << " failed: " << result.err);
    REQUIRE(result.exit_code == 0);
    return result;
}

std::string sqlite(const fs::path& file, const std::string& sql) { return must_run("sqlite3", {"-readonly", file.string(), sql}).out; }

/// sha1sum's digest of each tile's bytes (the JS reader reports sha1 of what it decompressed).
std::vector<std::string> sha1_of(const std::vector<std::string>& contents) {
    ScratchDir dir;
    for (std::size_t i = 0; i < contents.size(); ++i) std::ofstream(dir / std::to_string(i), std::ios::binary) << contents[i];
    // The shell expands the names: thousands of paths would overflow one `sh -c` argument.
    const std::string out = must_run("sh", {"-c", "cd \"$0\" && sha1sum -- *", dir.path().string()}).out;
    std::vector<std::string> digests(contents.size());
    std::istringstream lines(out);
    for (std::string digest, file; lines >> digest >> file;) digests.at(std::stoul(file)) = digest;
    for (const std::string& digest : digests) REQUIRE(digest.size() == 40);
    return digests;
}

/// The JS reader's JSON for `file`, for the listed tiles or (none listed) every tile it enumerates.
json::value read_pmtiles(const fs::path& file, const std::vector<TileId>& tiles = {}) {
    const fs::path js = test_paths::source_dir() / "tests" / "js";
    INFO("tests/js/node_modules is missing: run `npm ci` in tests/js (.ci/install-deps does)");
    REQUIRE(fs::exists(js / "node_modules" / "pmtiles"));
    std::vector<std::string> arguments{(js / "read_pmtiles.mjs").string(), file.string()};
    for (const TileId& t : tiles) arguments.push_back(detail::tile_name(t));
    return json::parse(must_run("node", arguments).out);
}

std::int64_t number(const json::value& v) { return v.is_int64() ? v.as_int64() : static_cast<std::int64_t>(v.as_double()); }

/// What the JS reader reports of one tile: where its blob is and the sha1 of its decompressed bytes.
struct ReadTile {
    std::int64_t offset = -1;
    std::int64_t length = 0;
    std::string sha1;
};

/// "z/x/y" -> what the reader found there.
std::map<std::string, ReadTile> tiles_read(const json::value& read) {
    std::map<std::string, ReadTile> found;
    for (const json::value& t : read.at("tiles").as_array()) {
        const TileId id{static_cast<int>(number(t.at("z"))), static_cast<std::uint32_t>(number(t.at("x"))),
                        static_cast<std::uint32_t>(number(t.at("y")))};
        if (t.as_object().contains("missing")) continue;
        found[detail::tile_name(id)] = {t.as_object().contains("offset") ? number(t.at("offset")) : -1,
                                        number(t.at("length")), std::string(t.at("sha1").as_string())};
    }
    return found;
}

/// The reader found exactly the tiles that were added, each as long as it was added and, for every
/// `sha1_step`-th tile, with the same bytes (sha1sum creates a file per tile, which is slow by the thousand).
void check_same_tiles(const std::map<std::string, ReadTile>& found, const std::vector<SmallTile>& added, std::size_t sha1_step = 1) {
    std::vector<std::string> sampled;
    for (std::size_t i = 0; i < added.size(); i += sha1_step) sampled.push_back(added[i].mvt);
    const std::vector<std::string> digests = sha1_of(sampled);
    CHECK(found.size() == added.size());
    for (std::size_t i = 0; i < added.size(); ++i) {
        const std::string name = detail::tile_name(added[i].id);
        INFO("tile " << name);
        REQUIRE(found.count(name) == 1);
        CHECK(found.at(name).length == static_cast<std::int64_t>(added[i].mvt.size()));
        if (i % sha1_step == 0) CHECK(found.at(name).sha1 == digests[i / sha1_step]);
    }
}

}  // namespace

TEST_CASE("gzip writes a timestamp-free RFC 1952 stream that the gzip tool reads back", "[archive]") {
    std::string data;
    for (int i = 0; i < 200000; ++i) data += std::to_string(i * 7919 % 1000);  // > 500 kB, partly repetitive
    const std::string compressed = gzip(data);
    REQUIRE(compressed.size() > 18);
    CHECK(static_cast<unsigned char>(compressed[0]) == 0x1f);
    CHECK(static_cast<unsigned char>(compressed[1]) == 0x8b);
    CHECK(compressed[2] == 8);  // deflate
    CHECK(compressed[3] == 0);  // no flags: no file name, comment or extra field
    CHECK(compressed.substr(4, 4) == std::string(4, '\0'));  // MTIME 0
    CHECK(compressed.size() < data.size() / 2);
    CHECK(gzip(data) == compressed);

    ScratchDir dir;
    std::ofstream(dir / "data.gz", std::ios::binary) << compressed;
    CHECK(must_run("gzip", {"-dc", (dir / "data.gz").string()}).out == data);
    std::ofstream(dir / "empty.gz", std::ios::binary) << gzip("");
    const integration::ProcessResult empty = must_run("gzip", {"-dc", (dir / "empty.gz").string()});
    CHECK(empty.out.empty());
}

TEST_CASE("PMTiles tile ids follow the Hilbert curve of the spec's table", "[archive]") {
    CHECK(detail::pmtiles_tile_id({0, 0, 0}) == 0);
    CHECK(detail::pmtiles_tile_id({1, 0, 0}) == 1);
    CHECK(detail::pmtiles_tile_id({1, 0, 1}) == 2);
    CHECK(detail::pmtiles_tile_id({1, 1, 1}) == 3);
    CHECK(detail::pmtiles_tile_id({1, 1, 0}) == 4);
    CHECK(detail::pmtiles_tile_id({2, 0, 0}) == 5);
    CHECK(detail::pmtiles_tile_id({12, 3423, 1763}) == 19078479);
    // z30 runs from (4^30 - 1) / 3 at its top-left tile to just before z31's first id at its top-right one.
    CHECK(detail::pmtiles_tile_id({30, 0, 0}) == ((std::uint64_t{1} << 60) - 1) / 3);
    CHECK(detail::pmtiles_tile_id({30, (1u << 30) - 1, 0}) == ((std::uint64_t{1} << 62) - 1) / 3 - 1);
}

TEST_CASE("MBTiles: GDAL reads the layer and the feature back", "[archive]") {
    ScratchDir dir;
    const fs::path file = dir / "small.mbtiles";
    write_archive(file, small_tiles(), small_metadata());
    CHECK(dir.entries() == std::vector<std::string>{"small.mbtiles"});

    // The layer and its fields come from the metadata's json row (vector_layers).
    const std::string summary = must_run("ogrinfo", {"-ro", "-so", file.string(), "test"}).out;
    CHECK_THAT(summary, Catch::Contains("Layer name: test"));
    CHECK_THAT(summary, Catch::Contains("name: String"));
    CHECK_THAT(summary, Catch::Contains("description=Points for the archive tests"));
    // GDAL reads the deepest zoom by default: z2 holds z2/2/1 and the copy of the world tile at z2/0/0.
    const std::string z2 = must_run("ogrinfo", {"-ro", "-al", "-q", file.string()}).out;
    // z2/2/1 spans x 0..10018754 m and y 0..10018754 m; its point (10, 20) of 4096 is 24459.8 m east and
    // 48919.7 m below the top: where GDAL puts it only if tile_row is the TMS row.
    CHECK_THAT(z2, Catch::Contains("mvt_id (Integer64) = 3\n  name (String) = z2 tile\n  POINT (24459.849"));
    CHECK_THAT(z2, Catch::Contains(" 9969834.47"));
    CHECK_THAT(z2, Catch::Contains("name (String) = world"));
    const std::string z1 = must_run("ogrinfo", {"-ro", "-al", "-q", "-oo", "ZOOM_LEVEL=1", file.string()}).out;
    CHECK_THAT(z1, Catch::Contains("name (String) = north east"));
    CHECK_THAT(z1, !Catch::Contains("z2 tile"));
}

TEST_CASE("MBTiles: TMS rows and gzipped tiles and the metadata rows as the sqlite3 shell sees them", "[archive]") {
    ScratchDir dir;
    const fs::path file = dir / "small.mbtiles";
    write_archive(file, small_tiles(), small_metadata());

    // XYZ y -> TMS row 2^z - 1 - y: z1/1/0 -> 1, z1/1/1 -> 0, z2/2/1 -> 2, z2/0/0 -> 3.
    CHECK(sqlite(file, "SELECT zoom_level, tile_column, tile_row, hex(substr(tile_data, 1, 4)) FROM tiles ORDER BY 1, 2, 3") ==
          "0|0|0|1F8B0800\n1|1|0|1F8B0800\n1|1|1|1F8B0800\n2|0|3|1F8B0800\n2|2|2|1F8B0800\n");
    CHECK(sqlite(file, "SELECT name FROM metadata ORDER BY name") ==
          "attribution\nbounds\ncenter\ndescription\nformat\njson\nmaxzoom\nminzoom\nname\ntype\nversion\n");
    CHECK(sqlite(file, "SELECT value FROM metadata WHERE name IN ('format', 'type', 'minzoom', 'maxzoom') ORDER BY name") ==
          "pbf\n2\n0\noverlay\n");
    CHECK(sqlite(file, "SELECT value FROM metadata WHERE name = 'bounds'") == "-0.51,51.28,0.334,51.6923\n");
    CHECK(sqlite(file, "SELECT value FROM metadata WHERE name = 'center'") == "-0.1,51.5,2\n");
    CHECK(sqlite(file, "SELECT value FROM metadata WHERE name = 'name'") == "Test \"tiles\"\n");
    const json::value layers = json::parse(sqlite(file, "SELECT value FROM metadata WHERE name = 'json'"));
    CHECK(layers.at("vector_layers").at(0).at("id") == "test");
    CHECK(sqlite(file, "PRAGMA application_id") == "1297105496\n");  // "MPBX"
    CHECK(sqlite(file, "PRAGMA integrity_check") == "ok\n");
    CHECK_THAT(sqlite(file, ".schema tiles"), Catch::Contains("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)"));

    // The stored tile decompresses (with the gzip tool) to exactly what was added.
    must_run("sqlite3", {"-readonly", file.string(),
                         "SELECT writefile('" + (dir / "z2.gz").string() + "', tile_data) FROM tiles WHERE zoom_level = 2 AND tile_row = 2"});
    CHECK(must_run("gzip", {"-dc", (dir / "z2.gz").string()}).out == make_mvt(3, "z2 tile", 10, 20));
}

TEST_CASE("MBTiles: the same tiles in another order give the same database", "[archive]") {
    ScratchDir dir;
    std::vector<SmallTile> tiles = small_tiles();
    write_archive(dir / "a.mbtiles", tiles, small_metadata());
    std::reverse(tiles.begin(), tiles.end());
    write_archive(dir / "b.mbtiles", tiles, small_metadata());
    CHECK(sqlite(dir / "a.mbtiles", ".dump") == sqlite(dir / "b.mbtiles", ".dump"));
    CHECK(integration::slurp(dir / "a.mbtiles") == integration::slurp(dir / "b.mbtiles"));
}

TEST_CASE("PMTiles: the pmtiles reader finds every tile byte-identical and the header and metadata as written", "[archive]") {
    ScratchDir dir;
    const fs::path file = dir / "small.pmtiles";
    const std::vector<SmallTile> tiles = small_tiles();
    write_archive(file, tiles, small_metadata());
    CHECK(dir.entries() == std::vector<std::string>{"small.pmtiles"});

    const json::value read = read_pmtiles(file);
    const json::value& header = read.at("header");
    CHECK(header.at("specVersion") == 3);
    CHECK(header.at("tileType") == 1);             // MVT
    CHECK(header.at("tileCompression") == 2);      // gzip
    CHECK(header.at("internalCompression") == 2);  // gzip
    CHECK(header.at("clustered") == true);
    CHECK(header.at("minZoom") == 0);
    CHECK(header.at("maxZoom") == 2);
    CHECK(header.at("minLon").to_number<double>() == Approx(-0.51));
    CHECK(header.at("minLat").to_number<double>() == Approx(51.28));
    CHECK(header.at("maxLon").to_number<double>() == Approx(0.334));
    CHECK(header.at("maxLat").to_number<double>() == Approx(51.6923));
    CHECK(header.at("centerLon").to_number<double>() == Approx(-0.1));
    CHECK(header.at("centerLat").to_number<double>() == Approx(51.5));
    CHECK(header.at("centerZoom") == 2);
    // Five tiles, three distinct contents; z1/1/1 and z1/1/0 (ids 3 and 4) share one run-length entry.
    CHECK(header.at("numAddressedTiles") == 5);
    CHECK(header.at("numTileContents") == 3);
    CHECK(header.at("numTileEntries") == 4);
    CHECK(header.at("leafDirectoryLength") == 0);
    CHECK(number(header.at("rootDirectoryOffset")) == 127);

    const json::value& metadata = read.at("metadata");
    CHECK(metadata.at("name") == "Test \"tiles\"");
    CHECK(metadata.at("attribution") == "© catchment tests");
    CHECK(metadata.at("description") == "Points for the archive tests");
    CHECK(metadata.at("vector_layers").at(0).at("id") == "test");
    CHECK(metadata.at("vector_layers").at(0).at("fields").at("name") == "String");

    const std::map<std::string, ReadTile> found = tiles_read(read);
    check_same_tiles(found, tiles);
    // Repeated contents point at the same bytes.
    CHECK(found.at("1/1/1").offset == found.at("1/1/0").offset);
    CHECK(found.at("2/0/0").offset == found.at("0/0/0").offset);
    CHECK(found.at("2/2/1").offset != found.at("0/0/0").offset);

    // The reader's MVT decoder sees the hand-made feature.
    const json::value z2 = read_pmtiles(file, {{2, 2, 1}, {2, 3, 3}});
    const json::value& layer = z2.at("tiles").at(0).at("layers").at(0);
    CHECK(layer.at("name") == "test");
    CHECK(layer.at("version") == 2);
    CHECK(layer.at("extent") == 4096);
    CHECK(layer.at("features").at(0).at("id") == 3);
    CHECK(layer.at("features").at(0).at("type") == 1);
    CHECK(layer.at("features").at(0).at("properties").at("name") == "z2 tile");
    CHECK(z2.at("tiles").at(1).at("missing") == true);
}

TEST_CASE("PMTiles: the same tiles in another order give the same bytes", "[archive]") {
    ScratchDir dir;
    std::vector<SmallTile> tiles = small_tiles();
    write_archive(dir / "a.pmtiles", tiles, small_metadata());
    std::rotate(tiles.begin(), tiles.begin() + 2, tiles.end());
    write_archive(dir / "b.pmtiles", tiles, small_metadata());
    const std::string a = integration::slurp(dir / "a.pmtiles");
    CHECK(a.substr(0, 8) == std::string("PMTiles\x03", 8));
    CHECK(a == integration::slurp(dir / "b.pmtiles"));
}

TEST_CASE("PMTiles: thousands of scattered tiles go into leaf directories the reader follows", "[archive]") {
    // 8,000 distinct tiles scattered over z14 with contents of varied length: their directory does not
    // compress into the 16 KiB the root may use, so the writer must make leaf directories.
    ArchiveMetadata metadata = small_metadata();
    metadata.maxzoom = 14;
    std::mt19937 random(20240611);
    std::map<std::uint64_t, SmallTile> by_id;  // tile id -> tile, so the ids are distinct
    while (by_id.size() < 8000) {
        const TileId id{14, static_cast<std::uint32_t>(random() % (1u << 14)), static_cast<std::uint32_t>(random() % (1u << 14))};
        const std::string name = std::to_string(by_id.size()) + std::string(random() % 200, static_cast<char>('a' + random() % 26));
        by_id.emplace(detail::pmtiles_tile_id(id), SmallTile{id, make_mvt(by_id.size(), name, random() % 4096, random() % 4096)});
    }
    std::vector<SmallTile> tiles;
    for (auto& [id, tile] : by_id) tiles.push_back(tile);
    std::shuffle(tiles.begin(), tiles.end(), random);

    ScratchDir dir;
    const fs::path file = dir / "many.pmtiles";
    write_archive(file, tiles, metadata);

    const json::value read = read_pmtiles(file);
    const json::value& header = read.at("header");
    CHECK(header.at("numAddressedTiles") == 8000);
    CHECK(header.at("numTileEntries") == 8000);
    CHECK(header.at("numTileContents") == 8000);
    CHECK(number(header.at("leafDirectoryLength")) > 0);
    CHECK(number(header.at("rootDirectoryOffset")) + number(header.at("rootDirectoryLength")) <= 16384);
    CHECK(number(read.at("directories").at("leaf_directories")) >= 2);
    CHECK(read.at("directories").at("root_entries") == read.at("directories").at("leaf_directories"));
    // Every tile is found through the leaves, with its length; a sample of them byte for byte.
    check_same_tiles(tiles_read(read), tiles, 40);

    std::reverse(tiles.begin(), tiles.end());
    write_archive(dir / "again.pmtiles", tiles, metadata);
    CHECK(integration::slurp(dir / "again.pmtiles") == integration::slurp(file));
}

TEST_CASE("Archive failures throw ArchiveError naming the path and leave no file", "[archive]") {
    ScratchDir dir;
    SECTION("an unsupported extension") {
        try {
            open_tile_archive(dir / "tiles.zip", small_metadata());
            FAIL("no ArchiveError");
        } catch (const ArchiveError& e) {
            CHECK_THAT(e.what(), Catch::Contains("tiles.zip") && Catch::Contains(".mbtiles") && Catch::Contains(".pmtiles"));
        }
    }
    SECTION("a folder that does not exist") {
        for (const char* name : {"missing/tiles.mbtiles", "missing/tiles.pmtiles"}) {
            CHECK_THROWS_AS(open_tile_archive(dir / name, small_metadata()), ArchiveError);
            CHECK_THROWS_WITH(open_tile_archive(dir / name, small_metadata()), Catch::Contains((dir / name).string()));
        }
    }
    SECTION("a writer dropped before finish()") {
        for (const char* name : {"tiles.mbtiles", "tiles.pmtiles"}) {
            auto writer = open_tile_archive(dir / name, small_metadata());
            writer->add({0, 0, 0}, make_mvt(1, "world", 0, 0));
            CHECK(dir.entries().size() == 1);  // its temporary file
            writer.reset();
        }
    }
    SECTION("a tile outside the archive's zooms or added twice") {
        for (const char* name : {"tiles.mbtiles", "tiles.pmtiles"}) {
            auto writer = open_tile_archive(dir / name, small_metadata());
            CHECK_THROWS_AS(writer->add({3, 0, 0}, make_mvt(1, "deep", 0, 0)), ArchiveError);
            CHECK_THROWS_AS(writer->add({1, 2, 0}, make_mvt(1, "outside", 0, 0)), ArchiveError);
            writer->add({1, 0, 0}, make_mvt(1, "once", 0, 0));
            try {
                writer->add({1, 0, 0}, make_mvt(1, "twice", 0, 0));  // MBTiles notices now, PMTiles at finish()
                writer->finish();
                FAIL("no ArchiveError");
            } catch (const ArchiveError& e) {
                CHECK_THAT(e.what(), Catch::Contains("1/0/0 was added twice"));
            }
            CHECK(dir.entries().size() <= 1);  // at most the temporary file, until the writer goes
        }
    }
    SECTION("no tiles at all or vector_layers that are not a JSON array") {
        for (const char* name : {"tiles.mbtiles", "tiles.pmtiles"}) {
            CHECK_THROWS_WITH(open_tile_archive(dir / name, small_metadata())->finish(), Catch::Contains("no tiles"));
            ArchiveMetadata bad = small_metadata();
            bad.vector_layers_json = R"({"id": "test"})";
            CHECK_THROWS_WITH(open_tile_archive(dir / name, bad), Catch::Contains("vector_layers"));
        }
    }
    CHECK(dir.entries().empty());
}
