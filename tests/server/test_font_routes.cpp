// GET /fonts/{fontstack}/{range}.pbf as a pure handler: a temporary folder of glyph files written with the
// encoder, a font-stack list falling back to a stack that is here, and 400/404 answers naming what is wrong;
// then the glyphs the build made from DejaVu Sans.
#include "server/api/font_routes.hpp"
#include "tilesets/glyphs.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace server;
namespace fs = std::filesystem;

namespace {

struct FontFolder {
    fs::path root;
    FontFolder() {
        std::string pattern = (fs::temp_directory_path() / "catchment-fonts-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        root = pattern;
        for (const std::string name : {"Test Sans Book", "Test Sans Bold"}) {
            fs::create_directories(root / name);
            const tilesets::Glyph a{65, 0, 0, 0, -5, 9, {}};
            std::ofstream(root / name / "0-255.pbf", std::ios::binary) << tilesets::encode_glyph_range(name, 0, {a});
        }
        fs::create_directories(root / ".Test Sans Book.partial");  // a staging folder: not a stack
        std::ofstream(root / "README.txt") << "not a stack";
    }
    ~FontFolder() {
        std::error_code ignored;
        fs::remove_all(root, ignored);
    }
    FontFolder(const FontFolder&) = delete;
    FontFolder& operator=(const FontFolder&) = delete;
};

Request get(const std::string& target) {
    Request request{http::verb::get, target, 11};
    request.set(http::field::host, "maps.example:8080");
    return request;
}

Router font_router(const fs::path& dir) {
    Router router;
    add_font_routes(router, std::make_shared<const FontFiles>(dir));
    return router;
}

std::string error_code_of(const Response& response) {
    return std::string(boost::json::parse(body_text(response)).as_object().at("code").as_string());
}

}  // namespace

TEST_CASE("Glyph files are served by font stack and range", "[fonts]") {
    FontFolder folder;
    const FontFiles fonts(folder.root);
    CHECK(fonts.stacks() == std::vector<std::string>{"Test Sans Bold", "Test Sans Book"});
    const Router router = font_router(folder.root);
    const Response response = router.handle(get("/fonts/Test%20Sans%20Bold/0-255.pbf"));
    REQUIRE(response.result() == http::status::ok);
    CHECK(response[http::field::content_type] == "application/x-protobuf");
    CHECK(response[http::field::cache_control] == "public, max-age=86400");
    const tilesets::GlyphRange range = tilesets::decode_glyph_range(body_text(response));
    CHECK(range.fontstack == "Test Sans Bold");
    REQUIRE(range.glyphs.size() == 1);
    CHECK(range.glyphs[0].id == 65);
}

TEST_CASE("A font stack list is served by its first stack that is here", "[fonts]") {
    FontFolder folder;
    const Router router = font_router(folder.root);
    const Response response = router.handle(get("/fonts/Open%20Sans%20Regular,Test%20Sans%20Book/0-255.pbf"));
    REQUIRE(response.result() == http::status::ok);
    CHECK(tilesets::decode_glyph_range(body_text(response)).fontstack == "Test Sans Book");
}

TEST_CASE("Unknown font stacks and ranges are 404 and malformed ranges 400", "[fonts]") {
    FontFolder folder;
    const Router router = font_router(folder.root);
    const Response unknown = router.handle(get("/fonts/Arial%20Unicode%20MS/0-255.pbf"));
    CHECK(unknown.result() == http::status::not_found);
    CHECK(error_code_of(unknown) == "NotFound");
    CHECK_THAT(body_text(unknown), Catch::Contains("no font stack 'Arial Unicode MS' here; there are 'Test Sans Bold', 'Test Sans Book'"));
    CHECK(router.handle(get("/fonts/.Test%20Sans%20Book.partial/0-255.pbf")).result() == http::status::not_found);
    CHECK(router.handle(get("/fonts/Test%20Sans%20Book/256-511.pbf")).result() == http::status::not_found);  // not written here
    for (const std::string bad : {"/fonts/Test%20Sans%20Book/0-256.pbf", "/fonts/Test%20Sans%20Book/0-255.json",
                                  "/fonts/Test%20Sans%20Book/..%2F..%2Fsecret", "/fonts/Test%20Sans%20Book/65536-65791.pbf"}) {
        INFO(bad);
        const Response response = router.handle(get(bad));
        CHECK(response.result() == http::status::bad_request);
        CHECK(error_code_of(response) == "InvalidParameterValue");
    }
    const Response none = font_router(folder.root / "missing").handle(get("/fonts/Test%20Sans%20Book/0-255.pbf"));
    CHECK(none.result() == http::status::not_found);
    CHECK_THAT(body_text(none), Catch::Contains("no glyphs were made"));
}

TEST_CASE("The build made every range of DejaVu Sans Book and Bold", "[fonts]") {
    const fs::path made = fs::path(CATCHMENT_BINARY).parent_path() / "fonts";
    const Router router = font_router(made);
    for (const std::string stack : {"DejaVu%20Sans%20Book", "DejaVu%20Sans%20Bold"}) {
        INFO(stack);
        const Response latin = router.handle(get("/fonts/" + stack + "/0-255.pbf"));
        REQUIRE(latin.result() == http::status::ok);
        CHECK(tilesets::decode_glyph_range(body_text(latin)).glyphs.size() > 150);
        // A range the font has nothing in is a file without glyphs, not a 404 (clients ask for any range).
        const Response hangul = router.handle(get("/fonts/" + stack + "/44032-44287.pbf"));
        REQUIRE(hangul.result() == http::status::ok);
        CHECK(tilesets::decode_glyph_range(body_text(hangul)).glyphs.empty());
    }
    std::size_t files = 0;
    for (const auto& entry : fs::directory_iterator(made / "DejaVu Sans Book")) files += entry.path().extension() == ".pbf" ? 1 : 0;
    CHECK(files == 256);
}
