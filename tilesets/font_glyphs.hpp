#pragma once
// A font file rasterised with FreeType into GL glyph ranges (glyphs.hpp): what `catchment glyphs` writes at
// build time from a Debian font package, so that the server's labels need nothing fetched at run time.
#include "tilesets/glyphs.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace tilesets {

struct FontGlyphs {
    std::string name;  // the font stack name clients ask for: family and style, e.g. "DejaVu Sans Bold"
    std::map<std::uint32_t, std::vector<Glyph>> ranges;  // by first code point; only ranges the font has glyphs in
    std::size_t glyph_count = 0;
};

/// Every code point of the Basic Multilingual Plane that the font's Unicode map covers, rendered at
/// kGlyphPixelSize. Throws std::runtime_error naming the file when FreeType cannot read it or it has no
/// Unicode map.
FontGlyphs rasterise_font(const std::filesystem::path& font_file);

}  // namespace tilesets
