// catchment glyphs FONT... --out DIR: the label glyphs the served style asks for (/fonts/{fontstack}/{range}.pbf),
// made from font files such as Debian's fonts-dejavu-core. The build runs it, so nothing is fetched at run time.
#include "data/atomic_file.hpp"
#include "data/errors.hpp"
#include "server/cli/cli.hpp"
#include "server/cli/commands.hpp"
#include "tilesets/font_glyphs.hpp"
#include "tilesets/glyphs.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>

namespace server {

namespace {

struct GlyphsFlags {
    std::vector<std::string> fonts;
    std::string out;
};

namespace fs = std::filesystem;

// A font's glyph files, every range of the plane (a range the font has no glyph in gets a file with none,
// so that a label's odd character costs clients a request, not a 404), staged in a hidden folder beside
// the target and swapped in whole.
void write_font(const tilesets::FontGlyphs& font, const fs::path& out) {
    const fs::path target = out / font.name;
    const fs::path staging = out / ("." + font.name + ".partial");
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    try {
        fs::create_directories(staging);
        for (std::uint32_t first = 0; first < tilesets::kGlyphCodePointEnd; first += tilesets::kGlyphRangeSize) {
            const auto found = font.ranges.find(first);
            static const std::vector<tilesets::Glyph> kNone;
            data::write_file_atomically(staging / (tilesets::glyph_range_name(first) + ".pbf"),
                                        tilesets::encode_glyph_range(font.name, first, found == font.ranges.end() ? kNone : found->second));
        }
        fs::remove_all(target);
        fs::rename(staging, target);
    } catch (...) {
        fs::remove_all(staging, ignored);
        throw;
    }
}

}  // namespace

Command add_glyphs_command(CLI::App& app) {
    CLI::App* command = app.add_subcommand("glyphs", "Make the map labels' glyphs (signed distance fields, 256 code points a file) from font files, "
                                                     "as `serve --fonts-dir` serves them at /fonts/{fontstack}/{range}.pbf");
    auto flags = std::make_shared<GlyphsFlags>();
    command->add_option("fonts", flags->fonts, "TrueType or OpenType font files; each becomes the font stack named by its family and style")
        ->required()->type_name("FONT...");
    command->add_option("--out", flags->out, "Folder to write FONTSTACK/FIRST-LAST.pbf into (made if missing)")->required()->type_name("DIR");
    command->footer("Example: catchment glyphs /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf --out fonts\n"
                    "         (writes 'fonts/DejaVu Sans Book/0-255.pbf' ... '65280-65535.pbf')");
    return {command, [flags] {
                // Every font is read before anything is written: a bad one leaves nothing behind.
                std::vector<tilesets::FontGlyphs> fonts;
                for (const std::string& file : flags->fonts) {
                    try {
                        fonts.push_back(tilesets::rasterise_font(file));
                    } catch (const std::runtime_error& unreadable) {
                        // The message already names the file.
                        throw data::InputError({}, std::string(unreadable.what()) + "; expected a TrueType or OpenType font");
                    }
                }
                const fs::path out(flags->out);
                std::error_code error;
                fs::create_directories(out, error);
                if (error || !fs::is_directory(out)) {
                    throw data::InputError({flags->out, {}, {}, "--out"}, "cannot make this folder for the glyphs" +
                                                                           (error ? ": " + error.message() : std::string()));
                }
                for (const tilesets::FontGlyphs& font : fonts) {
                    write_font(font, out);
                    std::fprintf(stderr, "catchment: %s: %zu glyphs in %zu ranges -> %s\n", font.name.c_str(), font.glyph_count, font.ranges.size(),
                                 (out / font.name).c_str());
                }
                return kExitOk;
            }};
}

}  // namespace server
