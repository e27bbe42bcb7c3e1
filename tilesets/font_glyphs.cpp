#include "tilesets/font_glyphs.hpp"

#include <ft2build.h>
#include FT_FREETYPE_H

#include <cmath>
#include <memory>
#include <stdexcept>
#include <system_error>

namespace tilesets {

namespace {

struct LibraryDeleter {
    void operator()(FT_Library library) const { FT_Done_FreeType(library); }
};
struct FaceDeleter {
    void operator()(FT_Face face) const { FT_Done_Face(face); }
};

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& what, FT_Error error) {
    const char* reason = FT_Error_String(error);
    throw std::runtime_error(file.string() + ": " + what + (reason != nullptr ? std::string(" (FreeType: ") + reason + ")" : std::string()));
}

// 26.6 fixed point to whole pixels, rounded.
std::int32_t pixels(FT_Pos value) { return static_cast<std::int32_t>(std::lround(static_cast<double>(value) / 64.0)); }

}  // namespace

FontGlyphs rasterise_font(const std::filesystem::path& font_file) {
    std::error_code unreadable;
    if (!std::filesystem::is_regular_file(font_file, unreadable)) throw std::runtime_error(font_file.string() + ": no such file");
    FT_Library raw_library = nullptr;
    if (const FT_Error error = FT_Init_FreeType(&raw_library)) fail(font_file, "cannot start FreeType", error);
    const std::unique_ptr<FT_LibraryRec_, LibraryDeleter> library(raw_library);
    FT_Face raw_face = nullptr;
    if (const FT_Error error = FT_New_Face(library.get(), font_file.c_str(), 0, &raw_face)) fail(font_file, "not a font FreeType can read", error);
    const std::unique_ptr<FT_FaceRec_, FaceDeleter> face(raw_face);
    if (const FT_Error error = FT_Select_Charmap(face.get(), FT_ENCODING_UNICODE)) fail(font_file, "the font has no Unicode character map", error);
    if (const FT_Error error = FT_Set_Pixel_Sizes(face.get(), 0, kGlyphPixelSize)) fail(font_file, "cannot size the font", error);

    FontGlyphs out;
    out.name = face->family_name != nullptr ? face->family_name : font_file.stem().string();
    if (face->style_name != nullptr) out.name += std::string(" ") + face->style_name;
    // GL clients place a glyph by its top below the line's ascender (node-fontnik's convention).
    const std::int32_t ascender = pixels(face->size->metrics.ascender);

    FT_UInt index = 0;
    for (FT_ULong code = FT_Get_First_Char(face.get(), &index); index != 0; code = FT_Get_Next_Char(face.get(), code, &index)) {
        if (code >= kGlyphCodePointEnd) break;  // the map is walked in code point order
        if (const FT_Error error = FT_Load_Glyph(face.get(), index, FT_LOAD_RENDER | FT_LOAD_NO_HINTING | FT_LOAD_TARGET_NORMAL)) {
            fail(font_file, "cannot render U+" + std::to_string(code), error);
        }
        const FT_GlyphSlot slot = face->glyph;
        const FT_Bitmap& bitmap = slot->bitmap;
        if (bitmap.pixel_mode != FT_PIXEL_MODE_GRAY && bitmap.rows > 0 && bitmap.width > 0) {
            throw std::runtime_error(font_file.string() + ": U+" + std::to_string(code) + " did not render as an 8-bit coverage bitmap");
        }
        Glyph glyph;
        glyph.id = static_cast<std::uint32_t>(code);
        glyph.width = bitmap.width;
        glyph.height = bitmap.rows;
        glyph.left = slot->bitmap_left;
        glyph.top = slot->bitmap_top - ascender;
        glyph.advance = static_cast<std::uint32_t>(std::max(0, pixels(slot->advance.x)));
        if (bitmap.width > 0 && bitmap.rows > 0) {
            glyph.bitmap = signed_distance_field(bitmap.buffer, static_cast<int>(bitmap.width), static_cast<int>(bitmap.rows), bitmap.pitch);
        }
        out.ranges[glyph.id - glyph.id % kGlyphRangeSize].push_back(std::move(glyph));
        ++out.glyph_count;
    }
    if (out.glyph_count == 0) throw std::runtime_error(font_file.string() + ": the font maps no code point below U+10000 to a glyph");
    return out;
}

}  // namespace tilesets
