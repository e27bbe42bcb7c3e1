#include "server/api/web_assets.hpp"

#include "tilesets/tile_archive.hpp"
#include "tilesets/tile_cache.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

namespace server {

namespace {

constexpr std::string_view kAppCacheControl = "no-cache";
constexpr std::string_view kMaplibreCacheControl = "public, max-age=3600";

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool compressible(std::string_view name) {
    const std::string_view type = content_type_for(name);
    // Glyph files (.pbf) are mostly distance fields, which gzip to about a third.
    return type.rfind("text/", 0) == 0 || type.rfind("application/json", 0) == 0 || type.rfind("image/svg", 0) == 0 ||
           type == "application/x-protobuf";
}

[[noreturn]] void not_found(const std::string& description) { throw HttpError(http::status::not_found, "NotFound", description); }

}  // namespace

bool prefers_html(const RouteContext& context) {
    if (const std::string* format = context.parameter("f")) return *format == "html";
    double html = 0;
    double json = 0;
    for (const MediaRange& range : accept_ranges(context.request)) {
        if (range.type == "text/html" || range.type == "application/xhtml+xml") html = std::max(html, range.q);
        if (range.type == "application/json" || range.type == "application/geo+json" || range.type == "application/*" ||
            range.type == "*/*") {
            json = std::max(json, range.q);
        }
    }
    return html > 0 && html > json;
}

std::string_view content_type_for(std::string_view name) {
    static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
        {".html", "text/html; charset=utf-8"},  {".mjs", "text/javascript; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".map", "application/json"},            {".json", "application/json"},
        {".svg", "image/svg+xml"},               {".png", "image/png"},
        {".ico", "image/x-icon"},                {".txt", "text/plain; charset=utf-8"},
        {".pbf", "application/x-protobuf"},
    };
    for (const auto& [extension, type] : kTypes) {
        if (ends_with(name, extension)) return type;
    }
    return "application/octet-stream";
}

bool is_plain_file_name(std::string_view name) {
    if (name.empty() || name.size() > 255 || name.front() == '.') return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return std::isalnum(u) != 0 || c == '_' || c == '-' || c == '.';
    });
}

StaticFiles::StaticFiles(std::filesystem::path directory, std::string cache_control, std::string missing_hint)
    : directory_(std::move(directory)), cache_control_(std::move(cache_control)), missing_hint_(std::move(missing_hint)) {}

std::shared_ptr<const StaticFiles::Entry> StaticFiles::load(const std::string& name) const {
    std::string what = "no file '";
    what += name;
    what += "' here";
    if (!is_plain_file_name(name)) not_found(what);
    const std::filesystem::path file = directory_ / name;
    std::error_code error;
    const auto status = std::filesystem::status(file, error);
    if (error || !std::filesystem::is_regular_file(status)) {
        if (!missing_hint_.empty()) what += " (" + missing_hint_ + ")";
        not_found(what);
    }
    // Defence in depth: whatever links there are, the file must really lie inside the directory.
    const auto real = std::filesystem::canonical(file, error);
    const auto root = std::filesystem::canonical(directory_, error);
    if (error || real.parent_path() != root) not_found(what);
    const auto modified = std::filesystem::last_write_time(file, error);
    const auto size = std::filesystem::file_size(file, error);
    if (error) not_found(what);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        const auto found = entries_.find(name);
        if (found != entries_.end() && found->second->modified == modified && found->second->size == size) return found->second;
    }
    auto entry = std::make_shared<Entry>();
    entry->modified = modified;
    std::ifstream in(file, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in && !in.eof()) not_found(what);
    entry->body = std::move(bytes).str();
    entry->size = entry->body.size();
    if (compressible(name) && entry->body.size() > 1024) entry->gzip = tilesets::gzip(entry->body);
    char tag[32];
    std::snprintf(tag, sizeof tag, "%016llx", static_cast<unsigned long long>(tilesets::content_hash(entry->body)));
    entry->etag = tag;
    std::lock_guard<std::mutex> lock(mutex_);
    entries_[name] = entry;
    return entry;
}

Response StaticFiles::serve(const Request& request, const std::string& name) const {
    const auto entry = load(name);
    const bool gzip = !entry->gzip.empty() && accepts_encoding(request, "gzip");
    std::string etag = "\"" + entry->etag + (gzip ? "-gz\"" : "\"");
    Response response{http::status::ok, request.version()};
    response.keep_alive(request.keep_alive());
    response.set(http::field::etag, etag);
    response.set(http::field::cache_control, cache_control_);
    if (!entry->gzip.empty()) response.set(http::field::vary, "Accept-Encoding");
    if (matches_etag(request[http::field::if_none_match], etag)) {
        response.result(http::status::not_modified);
        return response;
    }
    response.set(http::field::content_type, content_type_for(name));
    response.set("X-Content-Type-Options", "nosniff");
    if (gzip) response.set(http::field::content_encoding, "gzip");
    // The cached bytes, referenced (MapLibre is about 1 MB), with the entry kept alive by the response.
    response.body().append_view(gzip ? entry->gzip : entry->body, entry);
    response.prepare_payload();
    return response;
}

WebAssets::WebAssets(const std::filesystem::path& web_dir)
    : app(web_dir, std::string(kAppCacheControl)),
      maplibre(web_dir / "node_modules" / "maplibre-gl" / "dist", std::string(kMaplibreCacheControl),
               "MapLibre GL JS is not installed: run `npm ci --prefix " + web_dir.string() + "` or .ci/install-deps") {}

void add_web_routes(Router& router, std::shared_ptr<const WebAssets> assets) {
    router.add(http::verb::get, "/web/{file}", "web_file", [assets](const RouteContext& context) {
        return assets->app.serve(context.request, context.path.at("file"));
    });
    router.add(http::verb::get, "/web/maplibre-gl/{file}", "web_maplibre", [assets](const RouteContext& context) {
        return assets->maplibre.serve(context.request, context.path.at("file"));
    });
}

Handler viewer_page(std::shared_ptr<const WebAssets> assets) {
    return [assets](const RouteContext& context) {
        Response response = assets->app.serve(context.request, "index.html");
        response.set(http::field::vary, "Accept, Accept-Encoding");
        return response;
    };
}

}  // namespace server
