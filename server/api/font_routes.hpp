#pragma once
// GET /fonts/{fontstack}/{range}.pbf: the map labels' glyphs, as the served style's `glyphs` URL names them.
// The files are `catchment glyphs`' (made at build time from DejaVu Sans): one folder per font stack.
#include "server/api/web_assets.hpp"
#include "server/http/router.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace server {

class FontFiles {
public:
    /// The font stacks are the folders directly inside `fonts_dir` (none when it does not exist).
    explicit FontFiles(const std::filesystem::path& fonts_dir);

    /// The font stack names, sorted.
    std::vector<std::string> stacks() const;

    /// One range file of the first stack in `fontstacks` (a comma-separated list, as GL clients send a
    /// layer's `text-font`) that is here. 404 when none is, 400 when `file` is not a range name such as
    /// "0-255.pbf".
    Response serve(const Request& request, std::string_view fontstacks, std::string_view file) const;

private:
    std::filesystem::path directory_;
    std::map<std::string, std::unique_ptr<StaticFiles>, std::less<>> stacks_;
};

void add_font_routes(Router& router, std::shared_ptr<const FontFiles> fonts);

}  // namespace server
