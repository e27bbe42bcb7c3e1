// MBTiles 1.3 (https://github.com/mapbox/mbtiles-spec/blob/master/1.3/spec.md): an SQLite database with a
// `metadata` key/value table and a `tiles` table of gzipped MVT tiles addressed by TMS rows.
#include "tilesets/archive_file.hpp"

#include <sqlite3.h>

#include <charconv>
#include <cmath>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

namespace tilesets {

namespace {

/// Shortest text that reads back as the same double, independent of the locale.
std::string number_text(double value) {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

struct DatabaseCloser {
    void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StatementFinalizer {
    void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Database = std::unique_ptr<sqlite3, DatabaseCloser>;
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

class MbtilesWriter final : public TileArchiveWriter {
public:
    MbtilesWriter(const std::filesystem::path& path, const ArchiveMetadata& metadata)
        : metadata_(metadata), vector_layers_json_(detail::checked_vector_layers(path, metadata)), file_(path) {}

    void add_gzipped(const TileId& tile, std::string gzipped) override {
        if (finished_) throw file_.error("tile " + detail::tile_name(tile) + " added after finish()");
        detail::check_archive_tile(file_.target(), metadata_, tile);
        // Keyed as the unique index orders rows, so the database is built the same whatever the add() order.
        const TileKey key{tile.z, tile.x, flip_row(tile.y, tile.z)};
        if (!tiles_.emplace(key, std::move(gzipped)).second) throw file_.error("tile " + detail::tile_name(tile) + " was added twice");
    }

    void finish() override {
        if (finished_) throw file_.error("finish() called twice");
        finished_ = true;
        try {
            write_database();
        } catch (...) {
            file_.discard();
            throw;
        }
    }

private:
    using TileKey = std::tuple<int, std::uint32_t, std::uint32_t>;  // zoom_level, tile_column, tile_row (TMS)

    void write_database() {
        if (tiles_.empty()) throw file_.error("no tiles were added");
        sqlite3* opened = nullptr;
        const int code = sqlite3_open_v2(file_.temporary().c_str(), &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
        Database db(opened);
        if (code != SQLITE_OK) throw sqlite_error(db.get(), "cannot open the database");

        // No journal and no syncs: the file is private until complete, and ArchiveFile::commit() flushes it.
        execute(db.get(),
                "PRAGMA application_id = 0x4d504258;"  // "MPBX", SQLite's registered number for MBTiles
                "PRAGMA journal_mode = OFF;"
                "PRAGMA synchronous = OFF;"
                "BEGIN;"
                "CREATE TABLE metadata (name TEXT, value TEXT);"
                "CREATE UNIQUE INDEX name ON metadata (name);"
                "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);");

        Statement metadata_insert = prepare(db.get(), "INSERT INTO metadata (name, value) VALUES (?1, ?2)");
        for (const auto& [name, value] : metadata_rows()) {
            sqlite3_bind_text(metadata_insert.get(), 1, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
            sqlite3_bind_text(metadata_insert.get(), 2, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
            step(db.get(), metadata_insert.get());
        }

        Statement tile_insert =
            prepare(db.get(), "INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?1, ?2, ?3, ?4)");
        for (const auto& [key, data] : tiles_) {
            const auto& [zoom, column, row] = key;
            sqlite3_bind_int(tile_insert.get(), 1, zoom);
            sqlite3_bind_int64(tile_insert.get(), 2, column);
            sqlite3_bind_int64(tile_insert.get(), 3, row);
            sqlite3_bind_blob64(tile_insert.get(), 4, data.data(), data.size(), SQLITE_STATIC);
            step(db.get(), tile_insert.get());
        }
        tile_insert.reset();
        metadata_insert.reset();
        // Built after the rows, which is faster than maintaining it row by row.
        execute(db.get(), "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row); COMMIT;");
        if (sqlite3_close(db.release()) != SQLITE_OK) throw file_.error("SQLite could not close the database");
        file_.commit();
    }

    /// The rows of MBTiles 1.3 "Metadata": name and format are required; json lists the vector layers.
    std::vector<std::pair<std::string, std::string>> metadata_rows() const {
        const auto [west, south, east, north] = metadata_.bounds;
        std::string bounds = number_text(west);
        for (const double edge : {south, east, north}) {
            bounds += ',';
            bounds += number_text(edge);
        }
        std::string center = number_text(metadata_.center[0]);
        center += ',';
        center += number_text(metadata_.center[1]);
        center += ',';
        center += std::to_string(std::lround(metadata_.center[2]));
        std::string json = "{\"vector_layers\":";
        json += vector_layers_json_;
        json += '}';
        return {{"name", metadata_.name},
                {"format", "pbf"},
                {"minzoom", std::to_string(metadata_.minzoom)},
                {"maxzoom", std::to_string(metadata_.maxzoom)},
                {"bounds", bounds},
                {"center", center},
                {"description", metadata_.description},
                {"attribution", metadata_.attribution},
                {"type", "overlay"},
                {"version", "1"},
                {"json", json}};
    }

    ArchiveError sqlite_error(sqlite3* db, std::string_view doing) const {
        std::string problem(doing);
        problem += ": SQLite: ";
        problem += db != nullptr ? sqlite3_errmsg(db) : "out of memory";
        return file_.error(problem);
    }

    void execute(sqlite3* db, const char* sql) const {
        char* message = nullptr;
        if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
            std::string problem = "cannot write the database: SQLite: ";
            problem += message != nullptr ? message : sqlite3_errmsg(db);
            sqlite3_free(message);
            throw file_.error(problem);
        }
    }

    Statement prepare(sqlite3* db, std::string_view sql) const {
        sqlite3_stmt* statement = nullptr;
        if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &statement, nullptr) != SQLITE_OK) {
            throw sqlite_error(db, "cannot prepare a statement");
        }
        return Statement(statement);
    }

    void step(sqlite3* db, sqlite3_stmt* statement) const {
        if (sqlite3_step(statement) != SQLITE_DONE) throw sqlite_error(db, "cannot insert a row");
        sqlite3_reset(statement);
        sqlite3_clear_bindings(statement);
    }

    ArchiveMetadata metadata_;
    std::string vector_layers_json_;
    detail::ArchiveFile file_;
    std::map<TileKey, std::string> tiles_;  // gzipped tiles, written at finish() in index order
    bool finished_ = false;
};

}  // namespace

std::unique_ptr<TileArchiveWriter> detail::make_mbtiles_writer(const std::filesystem::path& path, const ArchiveMetadata& metadata) {
    return std::make_unique<MbtilesWriter>(path, metadata);
}

}  // namespace tilesets
