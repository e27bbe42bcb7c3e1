#include "server/api/font_routes.hpp"

#include "tilesets/glyphs.hpp"

#include <algorithm>
#include <stdexcept>
#include <system_error>

namespace server {

namespace {

// Glyph files never change for a build: a day in caches.
constexpr std::string_view kFontCacheControl = "public, max-age=86400";

}  // namespace

FontFiles::FontFiles(const std::filesystem::path& fonts_dir) : directory_(fonts_dir) {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(fonts_dir, error)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.front() == '.' || !entry.is_directory(error)) continue;  // staging folders start with '.'
        stacks_.emplace(name, std::make_unique<StaticFiles>(entry.path(), std::string(kFontCacheControl)));
    }
}

std::vector<std::string> FontFiles::stacks() const {
    std::vector<std::string> out;
    for (const auto& [name, files] : stacks_) out.push_back(name);
    return out;
}

Response FontFiles::serve(const Request& request, std::string_view fontstacks, std::string_view file) const {
    constexpr std::string_view kSuffix = ".pbf";
    const bool pbf = file.size() > kSuffix.size() && file.substr(file.size() - kSuffix.size()) == kSuffix;
    try {
        if (!pbf) throw std::invalid_argument("a glyph file is FIRST-LAST.pbf");
        tilesets::parse_glyph_range(file.substr(0, file.size() - kSuffix.size()));
    } catch (const std::invalid_argument& bad) {
        throw HttpError(http::status::bad_request, "InvalidParameterValue", std::string(bad.what()) + ", e.g. /fonts/DejaVu Sans Book/0-255.pbf");
    }
    for (const std::string_view stack : split_list(fontstacks, ',')) {
        const auto found = stacks_.find(stack);
        if (found != stacks_.end()) return found->second->serve(request, std::string(file));
    }
    std::string known;
    for (const auto& [name, files] : stacks_) known += (known.empty() ? "'" : ", '") + name + "'";
    throw HttpError(http::status::not_found, "NotFound",
                    "no font stack '" + std::string(fontstacks.substr(0, 80)) + "' here; " +
                        (known.empty() ? "no glyphs were made (catchment glyphs FONT --out " + directory_.string() + ")" : "there are " + known));
}

void add_font_routes(Router& router, std::shared_ptr<const FontFiles> fonts) {
    router.add(http::verb::get, "/fonts/{fontstack}/{file}", "font_glyphs", [fonts](const RouteContext& context) {
        return fonts->serve(context.request, context.path.at("fontstack"), context.path.at("file"));
    });
}

}  // namespace server
