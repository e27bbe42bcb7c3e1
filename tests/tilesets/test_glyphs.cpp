// Label glyphs: the signed distance field against distances worked by hand, the glyphs protobuf read back
// (and refused when malformed, citing the format), range names, and DejaVu Sans rasterised by FreeType.
// MapLibre decoding and drawing them is the browser test's (tests/js/viewer_labels.mjs).
#include "tilesets/font_glyphs.hpp"
#include "tilesets/glyphs.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <vector>

using namespace tilesets;

namespace {

const std::filesystem::path kDejaVu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

// The byte the field holds at signed distance `d` pixels from the outline (positive outside).
int expected_byte(double d) { return static_cast<int>(std::clamp(std::round(255 - 255 * (d / kGlyphRadius + kGlyphCutoff)), 0.0, 255.0)); }

std::uint8_t at(const std::string& field, int width, int x, int y) {
    return static_cast<std::uint8_t>(field[static_cast<std::size_t>(y * (width + 2 * kGlyphBorder) + x)]);
}

}  // namespace

TEST_CASE("A solid square's field holds the distance to its outline") {
    // 10 x 10 pixels of full coverage: pixel centres lie half a pixel inside the outline, so the field's
    // cells hold whole-pixel distances between centres of inside and outside cells.
    const std::vector<std::uint8_t> square(100, 255);
    const std::string field = signed_distance_field(square.data(), 10, 10, 10);
    REQUIRE(field.size() == 16u * 16u);
    CHECK(at(field, 10, 3, 8) == expected_byte(-1));   // the first inside column: one pixel from the nearest outside cell
    CHECK(at(field, 10, 2, 8) == expected_byte(1));    // the last outside column
    CHECK(at(field, 10, 0, 8) == expected_byte(3));
    CHECK(at(field, 10, 8, 8) == expected_byte(-5));   // the centre: clamped at 255
    CHECK(at(field, 10, 8, 8) == 255);
    CHECK(at(field, 10, 0, 0) == expected_byte(3 * std::sqrt(2.0)));  // diagonal from the corner
    // The outline (191.25) lies between the two cells either side of it.
    CHECK(at(field, 10, 3, 8) + at(field, 10, 2, 8) == 382);
}

TEST_CASE("A half-covered edge pixel puts the outline through its centre") {
    // One row: full, half, empty. The half pixel's centre is on the outline.
    const std::vector<std::uint8_t> row{255, 128, 0};
    const std::string field = signed_distance_field(row.data(), 3, 1, 3);
    REQUIRE(field.size() == 9u * 7u);
    const int half = at(field, 3, kGlyphBorder + 1, kGlyphBorder);
    CHECK(std::abs(half - 191) <= 1);
    CHECK(at(field, 3, kGlyphBorder, kGlyphBorder) > half);
    CHECK(at(field, 3, kGlyphBorder + 2, kGlyphBorder) < half);
}

TEST_CASE("An empty bitmap has no field and a bad pitch is refused") {
    const std::vector<std::uint8_t> none;
    CHECK(signed_distance_field(none.data(), 0, 5, 0).empty());
    const std::vector<std::uint8_t> row(4, 255);
    CHECK_THROWS_WITH(signed_distance_field(row.data(), 4, 1, 2), Catch::Contains("pitch below its width"));
}

TEST_CASE("Glyph range names are 256 code points of the Basic Multilingual Plane") {
    CHECK(glyph_range_name(0) == "0-255");
    CHECK(glyph_range_name(65280) == "65280-65535");
    CHECK(parse_glyph_range("0-255") == 0);
    CHECK(parse_glyph_range("8192-8447") == 8192);
    CHECK(parse_glyph_range("65280-65535") == 65280);
    for (const char* bad : {"1-256", "0-256", "256-255", "65536-65791", "00-255", "-0-255", "0255", "", "0-255.pbf", "abc-def"}) {
        INFO(bad);
        CHECK_THROWS_WITH(parse_glyph_range(bad), Catch::Contains("a glyph range is 256 code points"));
    }
}

TEST_CASE("A glyph range is read back as written") {
    const std::vector<std::uint8_t> square(4, 255);
    Glyph a{65, 2, 2, 1, -10, 12, signed_distance_field(square.data(), 2, 2, 2)};
    Glyph space{32, 0, 0, 0, 0, 6, {}};
    const std::string pbf = encode_glyph_range("Test Sans Book", 0, {space, a});
    const GlyphRange back = decode_glyph_range(pbf);
    CHECK(back.fontstack == "Test Sans Book");
    CHECK(back.range == "0-255");
    REQUIRE(back.glyphs.size() == 2);
    CHECK(back.glyphs[0].id == 32);
    CHECK(back.glyphs[0].bitmap.empty());
    CHECK(back.glyphs[0].advance == 6);
    CHECK(back.glyphs[1].id == 65);
    CHECK(back.glyphs[1].top == -10);
    CHECK(back.glyphs[1].left == 1);
    CHECK(back.glyphs[1].bitmap == a.bitmap);
    CHECK(encode_glyph_range("Test Sans Book", 256, {}).size() < 40);  // a range without glyphs is just its name
}

TEST_CASE("Malformed glyph ranges are refused citing glyphs.proto") {
    Glyph wrong_size{65, 2, 2, 0, 0, 10, std::string(10, 'x')};
    CHECK_THROWS_WITH(encode_glyph_range("F", 0, {wrong_size}), Catch::Contains("glyphs.proto") && Catch::Contains("(width + 6) * (height + 6) = 64"));
    Glyph outside{300, 0, 0, 0, 0, 10, {}};
    CHECK_THROWS_WITH(encode_glyph_range("F", 0, {outside}), Catch::Contains("glyph 300 lies outside range 0-255"));
    Glyph b{66, 0, 0, 0, 0, 10, {}}, a{65, 0, 0, 0, 0, 10, {}};
    CHECK_THROWS_WITH(encode_glyph_range("F", 0, {b, a}), Catch::Contains("increasing id order"));
    CHECK_THROWS_WITH(encode_glyph_range("F", 100, {}), Catch::Contains("multiple of 256"));
    CHECK_THROWS_WITH(decode_glyph_range(std::string("\x0a\x05\x0a\x03", 4)), Catch::Contains("not a glyphs protobuf"));
}

TEST_CASE("DejaVu Sans rasterises into glyph ranges the way GL clients expect") {
    if (!std::filesystem::exists(kDejaVu)) FAIL("fonts-dejavu-core is not installed (.ci/debian-packages.txt lists it)");
    const FontGlyphs font = rasterise_font(kDejaVu);
    CHECK(font.name == "DejaVu Sans Book");
    CHECK(font.glyph_count > 3000);
    REQUIRE(font.ranges.count(0) == 1);
    const std::vector<Glyph>& latin = font.ranges.at(0);
    const auto glyph = [&](std::uint32_t id) {
        const auto found = std::find_if(latin.begin(), latin.end(), [id](const Glyph& g) { return g.id == id; });
        REQUIRE(found != latin.end());
        return *found;
    };
    const Glyph space = glyph(' ');
    CHECK(space.bitmap.empty());
    CHECK(space.advance >= 5);
    const Glyph capital = glyph('H');
    CHECK(capital.width >= 10);
    CHECK(capital.height >= 15);            // a capital is about 0.73 em: 17 px at 24 px
    CHECK(capital.height <= 20);
    CHECK(capital.advance >= capital.width);
    CHECK(capital.bitmap.size() == (capital.width + 6) * (capital.height + 6));
    const Glyph x = glyph('x');
    CHECK(x.top < capital.top);             // tops fall below the ascender line: lower case lower
    CHECK(glyph('g').top == x.top);         // same x-height
    // Latin-1 letters of names (é) are there.
    CHECK(glyph(0xE9).width > 0);
    // Encoding the whole range and reading it back keeps every glyph.
    const GlyphRange back = decode_glyph_range(encode_glyph_range(font.name, 0, latin));
    CHECK(back.glyphs.size() == latin.size());
    // Determinism: the same font gives the same bytes.
    CHECK(encode_glyph_range(font.name, 0, rasterise_font(kDejaVu).ranges.at(0)) == encode_glyph_range(font.name, 0, latin));
}

TEST_CASE("A file that is not a font is refused naming it") {
    CHECK_THROWS_WITH(rasterise_font(CATCHMENT_SOURCE_DIR "/README.md"), Catch::Contains("README.md: not a font FreeType can read"));
    CHECK_THROWS_WITH(rasterise_font("/nowhere/font.ttf"), Catch::Contains("/nowhere/font.ttf: no such file"));
}
