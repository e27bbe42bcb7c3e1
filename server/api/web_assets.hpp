#pragma once
// The map viewer's static files (server/web: index.html, app.js, app.css) and MapLibre GL JS (from
// server/web/node_modules/maplibre-gl/dist, installed by `npm ci`), served by catchment itself. Handlers
// are pure: request in, response out. Files are read once and kept until their size or modification time
// changes; text files are gzipped for clients that accept it; strong ETags with 304; only plain file
// names inside the one directory are served, so no path can climb out of it.
#include "server/http/router.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace server {

/// True when the client asks for HTML: `?f=html`, or (without `f`) an Accept header that ranks text/html
/// above JSON, as browsers send. `?f=json`, `Accept: application/json`, `*/*` and no Accept are JSON.
bool prefers_html(const RouteContext& context);

/// The Content-Type served for a file name, by its extension (application/octet-stream when unknown).
std::string_view content_type_for(std::string_view name);

/// True for a plain file name: letters, digits, '_', '-' and '.', not starting with '.' (so never "..",
/// a hidden file or anything with a slash).
bool is_plain_file_name(std::string_view name);

class StaticFiles {
public:
    /// Serves the files directly inside `directory` with the given Cache-Control. `missing_hint` ends the
    /// 404 description when the file does not exist (e.g. how to install it).
    StaticFiles(std::filesystem::path directory, std::string cache_control, std::string missing_hint = {});

    /// 200 with the file (gzip when accepted and worth it), 304 when If-None-Match names its ETag, 404 JSON
    /// (HttpError) when the name is not a plain file name or no such file exists.
    Response serve(const Request& request, const std::string& name) const;

    const std::filesystem::path& directory() const { return directory_; }

private:
    struct Entry {
        std::filesystem::file_time_type modified;
        std::uintmax_t size = 0;
        std::string body;
        std::string gzip;  // empty when not compressible
        std::string etag;  // without the "-gz" suffix and quotes
    };
    std::shared_ptr<const Entry> load(const std::string& name) const;

    std::filesystem::path directory_;
    std::string cache_control_;
    std::string missing_hint_;
    mutable std::mutex mutex_;
    mutable std::map<std::string, std::shared_ptr<const Entry>> entries_;
};

/// The viewer's files under `web_dir` and MapLibre from `web_dir`/node_modules/maplibre-gl/dist.
struct WebAssets {
    explicit WebAssets(const std::filesystem::path& web_dir);
    StaticFiles app;       // index.html, app.js, app.css: revalidated on every use (Cache-Control: no-cache)
    StaticFiles maplibre;  // a pinned release: cached for an hour
};

/// GET /web/{file} and GET /web/maplibre-gl/{file}.
void add_web_routes(Router& router, std::shared_ptr<const WebAssets> assets);

/// The handler for GET / when the client prefers HTML: the viewer's index.html.
Handler viewer_page(std::shared_ptr<const WebAssets> assets);

}  // namespace server
