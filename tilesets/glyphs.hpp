#pragma once
// Map label glyphs the way MapLibre and Mapbox GL read them from a style's `glyphs` URL: each glyph a
// signed distance field (SDF) of its 24 px rendering with a 3 px border, 256 code points to a file, each
// file a protobuf `glyphs { fontstack { name, range, glyph* } }` (mapbox/node-fontnik's glyphs.proto).
// Encoders are pure; rasterising a font file with FreeType is font_glyphs.hpp's.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tilesets {

/// The pixel size GL clients assume a glyph was rendered at (their ONE_EM).
inline constexpr int kGlyphPixelSize = 24;
/// The field's border around each glyph's box, fixed in GL clients (GLYPH_PBF_BORDER).
inline constexpr int kGlyphBorder = 3;
/// Pixels of distance that the byte range spans, and the share of it outside the edge: a byte of
/// 255 * (1 - cutoff) = 191 lies on the outline, as clients' shaders expect.
inline constexpr double kGlyphRadius = 8;
inline constexpr double kGlyphCutoff = 0.25;
/// The font stacks the served style's labels use: Debian's DejaVu Sans (fonts-dejavu-core), which the
/// build renders (server/CMakeLists.txt). QGIS, which draws labels with local fonts, finds the same family.
inline constexpr std::string_view kLabelFont = "DejaVu Sans Book";
inline constexpr std::string_view kLabelFontBold = "DejaVu Sans Bold";
/// Code points per glyph file.
inline constexpr std::uint32_t kGlyphRangeSize = 256;
/// GL clients ask for ranges of the Basic Multilingual Plane only.
inline constexpr std::uint32_t kGlyphCodePointEnd = 65536;

struct Glyph {
    std::uint32_t id = 0;      // Unicode code point
    std::uint32_t width = 0;   // the glyph's box in pixels, without the border
    std::uint32_t height = 0;
    std::int32_t left = 0;     // from the pen position to the box's left edge
    std::int32_t top = 0;      // from the ascender line to the box's top edge (negative below it)
    std::uint32_t advance = 0; // how far the pen moves
    std::string bitmap;        // (width + 2 * border) * (height + 2 * border) bytes; empty for a blank glyph
};

/// The SDF of a coverage bitmap (`height` rows of `width` bytes, `pitch` bytes apart; 255 inside, 0 outside,
/// between on the anti-aliased edge), with kGlyphBorder pixels around it: the distance to the outline by
/// Felzenszwalb and Huttenlocher's exact transform, as MapLibre's TinySDF computes it for local fonts.
std::string signed_distance_field(const std::uint8_t* coverage, int width, int height, int pitch);

/// "0-255", "256-511", ...: the name of the range starting at `first` (a multiple of 256).
std::string glyph_range_name(std::uint32_t first);

/// Parses a range name; throws std::invalid_argument unless it is one of the 256 names glyph_range_name
/// gives for the Basic Multilingual Plane.
std::uint32_t parse_glyph_range(std::string_view name);

/// One glyph file: `glyphs` in id order, each inside the range starting at `first`; throws
/// std::invalid_argument citing the format otherwise.
std::string encode_glyph_range(std::string_view fontstack, std::uint32_t first, const std::vector<Glyph>& glyphs);

/// A glyph file read back (tests, and stacks merged from several fonts).
struct GlyphRange {
    std::string fontstack;
    std::string range;
    std::vector<Glyph> glyphs;
};
/// Throws std::invalid_argument when the bytes are not a glyphs protobuf or a bitmap has the wrong size.
GlyphRange decode_glyph_range(std::string_view pbf);

}  // namespace tilesets
