#include "server/api/html_pages.hpp"

#include "server/api/items_query.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>

namespace server::html {

namespace json = boost::json;

namespace {

std::string text_of(const json::value& value) {
    if (value.is_string()) return std::string(value.as_string());
    if (value.is_null()) return {};
    if (value.is_double()) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.6g", value.as_double());
        return buffer;
    }
    return json::serialize(value);
}

std::string string_at(const json::object& object, std::string_view key) {
    const json::value* found = object.if_contains(key);
    return found != nullptr ? text_of(*found) : std::string();
}

/// A JSON document for a <script type="application/json">: '<' escaped, so that no "</script>" can end it early.
std::string embedded_json(const json::object& value) {
    const std::string text = json::serialize(value);
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        if (c == '<') out += "\\u003c";
        else out += c;
    }
    return out;
}

struct Crumb {
    std::string title;
    std::string url;  // empty for the current page
};

// The frame every page shares: the breadcrumbs, the body, a link to the same document as JSON, and the
// attribution. `map_data` (GeoJSON), when given, is drawn in the page's #map.
std::string frame(const PageContext& page, const std::string& title, const std::vector<Crumb>& crumbs, const std::string& body,
                  const std::string& json_url, const json::object* map_data = nullptr) {
    std::string out = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                      "<link rel=\"icon\" href=\"data:,\">\n<title>";
    out += escape(title);
    if (!page.dataset.empty()) out += " · " + escape(page.dataset);
    out += "</title>\n";
    if (map_data != nullptr) out += "<link rel=\"stylesheet\" href=\"" + escape(page.host) + "/web/maplibre-gl/maplibre-gl.css\">\n";
    out += "<link rel=\"alternate\" type=\"application/json\" href=\"" + escape(json_url) + "\">\n"
           "<style>\n"
           "body{font:15px/1.45 system-ui,sans-serif;color:#1a1a1a;margin:0 auto;max-width:72rem;padding:0 1rem 2rem}\n"
           "nav ol{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4rem}nav li+li::before{content:'›';margin-right:.4rem;color:#595959}\n"
           "a{color:#0b4f8a}a:focus{outline:2px solid #0b4f8a;outline-offset:2px}\n"
           "table{border-collapse:collapse;width:100%;font-size:14px}th,td{border-bottom:1px solid #d0d0d0;padding:.3rem .5rem;text-align:left;vertical-align:top}\n"
           "th{background:#f2f2f2}td.number{text-align:right;font-variant-numeric:tabular-nums}.scroll{overflow-x:auto}\n"
           "#map{height:22rem;border:1px solid #d0d0d0;margin:1rem 0}.muted{color:#595959}footer{margin-top:2rem;font-size:13px;color:#595959}\n"
           "</style>\n</head>\n<body>\n<header>\n<nav aria-label=\"Breadcrumbs\"><ol>";
    for (const Crumb& crumb : crumbs) {
        out += "<li>";
        if (crumb.url.empty()) out += "<span aria-current=\"page\">" + escape(crumb.title) + "</span>";
        else out += "<a href=\"" + escape(crumb.url) + "\">" + escape(crumb.title) + "</a>";
        out += "</li>";
    }
    out += "</ol></nav>\n<h1>" + escape(title) + "</h1>\n</header>\n<main>\n" + body;
    if (map_data != nullptr) out += "<div id=\"map\" role=\"img\" aria-label=\"Map of the features on this page\"></div>\n";
    out += "<p><a href=\"" + escape(json_url) + "\">This page as JSON</a></p>\n</main>\n<footer>";
    if (!page.attribution.empty()) out += "<p>" + escape(page.attribution) + "</p>";
    out += "<p>Served by catchment. <a href=\"" + escape(page.host) + "/\">The map viewer</a></p></footer>\n";
    if (map_data != nullptr) {
        out += "<script type=\"application/json\" id=\"features\">" + embedded_json(*map_data) + "</script>\n";
        out += "<script type=\"module\">\nimport { Map, LngLatBounds } from '" + escape(page.host) + "/web/maplibre-gl/maplibre-gl.mjs';\n";
        out += R"(const data = JSON.parse(document.getElementById('features').textContent);
const bounds = new LngLatBounds();
const extend = (c) => { if (typeof c[0] === 'number') bounds.extend(c); else c.forEach(extend); };
(data.type === 'Feature' ? [data] : data.features).forEach((f) => { if (f.geometry) extend(f.geometry.coordinates); });
const map = new Map({ container: 'map', attributionControl: false, style: { version: 8,
  sources: { features: { type: 'geojson', data } },
  layers: [
    { id: 'background', type: 'background', paint: { 'background-color': '#f8f7f4' } },
    { id: 'fill', type: 'fill', source: 'features', filter: ['in', ['geometry-type'], ['literal', ['Polygon', 'MultiPolygon']]], paint: { 'fill-color': '#80b1d3', 'fill-opacity': 0.5 } },
    { id: 'line', type: 'line', source: 'features', filter: ['!', ['in', ['geometry-type'], ['literal', ['Point', 'MultiPoint']]]], paint: { 'line-color': '#08306b', 'line-width': 1 } },
    { id: 'point', type: 'circle', source: 'features', filter: ['in', ['geometry-type'], ['literal', ['Point', 'MultiPoint']]], paint: { 'circle-radius': 5, 'circle-color': '#08306b', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1 } } ] } });
if (!bounds.isEmpty()) map.fitBounds(bounds, { padding: 20, maxZoom: 15, duration: 0 });
window.catchmentPage = { map };
</script>
)";
    }
    out += "</body>\n</html>\n";
    return out;
}

std::string links_list(const json::object& document) {
    const json::value* links = document.if_contains("links");
    if (links == nullptr || !links->is_array() || links->as_array().empty()) return {};
    std::string out = "<h2>Links</h2>\n<ul>\n";
    for (const json::value& entry : links->as_array()) {
        if (!entry.is_object()) continue;
        const json::object& link = entry.as_object();
        const std::string href = string_at(link, "href"), type = string_at(link, "type");
        std::string title = string_at(link, "title");
        if (title.empty()) title = string_at(link, "rel");
        out += "<li><a href=\"" + escape(href) + "\">" + escape(title) + "</a> <span class=\"muted\">(" + escape(string_at(link, "rel"));
        if (!type.empty()) out += ", " + escape(type);
        out += ")</span></li>\n";
    }
    return out + "</ul>\n";
}

std::string value_cell(const json::value& value) {
    if (value.is_int64() || value.is_uint64() || value.is_double()) return "<td class=\"number\">" + escape(text_of(value)) + "</td>";
    if (value.is_null()) return "<td class=\"muted\">null</td>";
    return "<td>" + escape(text_of(value)) + "</td>";
}

std::string extent_text(const json::object& collection) {
    const json::value* bbox = collection.if_contains("extent");
    if (bbox == nullptr || !bbox->is_object()) return {};
    const json::value* spatial = bbox->as_object().if_contains("spatial");
    if (spatial == nullptr || !spatial->is_object() || !spatial->as_object().contains("bbox")) return {};
    const json::value& boxes = spatial->as_object().at("bbox");
    if (!boxes.is_array() || boxes.as_array().empty() || !boxes.as_array()[0].is_array()) return {};
    std::string out;
    for (const json::value& v : boxes.as_array()[0].as_array()) {
        if (!out.empty()) out += ", ";
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.4f", v.is_double() ? v.as_double() : v.to_number<double>());
        out += buffer;
    }
    return out;
}

// The service's landing page (a plan's own landing page is its JSON document).
Crumb home(const PageContext& page) { return {"Home", page.host + "/?f=html"}; }
Crumb collections_crumb(const PageContext& page) { return {"Collections", page.base + "/collections?f=html"}; }

}  // namespace

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string html_url(std::string_view url) {
    std::string out(url);
    const auto query = out.find('?');
    if (query == std::string::npos) return out + "?f=html";
    std::string kept;
    std::string_view rest(out);
    rest.remove_prefix(query + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        if (pair.substr(0, 2) != "f=" && pair != "f") kept += std::string(pair) + "&";
        if (amp == std::string_view::npos) break;
        rest.remove_prefix(amp + 1);
    }
    return out.substr(0, query + 1) + kept + "f=html";
}

std::string landing_page(const PageContext& page, const json::object& landing) {
    std::string body = "<p>" + escape(string_at(landing, "description")) + "</p>\n";
    body += "<ul>\n<li><a href=\"" + escape(page.base + "/collections?f=html") + "\">The feature collections</a></li>\n";
    body += "<li><a href=\"" + escape(page.base + "/conformance?f=html") + "\">Conformance classes</a></li>\n";
    body += "<li><a href=\"" + escape(page.base + "/api") + "\">The API definition (OpenAPI 3.0)</a></li>\n";
    body += "<li><a href=\"" + escape(page.host + "/") + "\">The map viewer</a></li>\n</ul>\n";
    body += links_list(landing);
    return frame(page, string_at(landing, "title"), {{"Home", {}}}, body, page.base + "/?f=json");
}

std::string conformance_page(const PageContext& page, const json::object& conformance) {
    std::string body = "<p>This service conforms to these classes of OGC API standards:</p>\n<ul>\n";
    if (const json::value* classes = conformance.if_contains("conformsTo"); classes != nullptr && classes->is_array()) {
        for (const json::value& uri : classes->as_array()) body += "<li><a href=\"" + escape(text_of(uri)) + "\">" + escape(text_of(uri)) + "</a></li>\n";
    }
    body += "</ul>\n";
    return frame(page, "Conformance", {home(page), {"Conformance", {}}}, body, page.base + "/conformance?f=json");
}

std::string collections_page(const PageContext& page, const json::object& collections) {
    std::string body = "<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">Collection</th><th scope=\"col\">Description</th>"
                       "<th scope=\"col\">Extent (lon, lat)</th><th scope=\"col\">Items</th></tr></thead>\n<tbody>\n";
    if (const json::value* list = collections.if_contains("collections"); list != nullptr && list->is_array()) {
        for (const json::value& entry : list->as_array()) {
            const json::object& c = entry.as_object();
            const std::string id = string_at(c, "id");
            const std::string url = page.base + "/collections/" + id;
            body += "<tr><td><a href=\"" + escape(url + "?f=html") + "\">" + escape(string_at(c, "title")) + "</a></td><td>" +
                    escape(string_at(c, "description")) + "</td><td>" + escape(extent_text(c)) + "</td><td><a href=\"" +
                    escape(url + "/items?f=html") + "\">Browse " + escape(id) + "</a></td></tr>\n";
        }
    }
    body += "</tbody>\n</table></div>\n";
    return frame(page, "Collections", {home(page), {"Collections", {}}}, body, page.base + "/collections?f=json");
}

std::string collection_page(const PageContext& page, const json::object& collection) {
    const std::string id = string_at(collection, "id");
    const std::string url = page.base + "/collections/" + id;
    std::string body = "<p>" + escape(string_at(collection, "description")) + "</p>\n";
    const std::string extent = extent_text(collection);
    if (!extent.empty()) body += "<p>Extent (west, south, east, north; CRS84): " + escape(extent) + "</p>\n";
    body += "<ul>\n<li><a href=\"" + escape(url + "/items?f=html") + "\">Browse the items</a></li>\n";
    body += "<li><a href=\"" + escape(url + "/queryables?f=html") + "\">Queryables: the properties to filter by</a></li>\n</ul>\n";
    body += links_list(collection);
    return frame(page, string_at(collection, "title"), {home(page), collections_crumb(page), {id, {}}}, body, url + "?f=json");
}

std::string queryables_page(const PageContext& page, const std::string& collection_id, const json::object& queryables) {
    const std::string collection_url = page.base + "/collections/" + collection_id;
    std::string body = "<p>Filter the items by any of these with <code>?name=value</code> or a CQL2 <code>filter</code>.</p>\n"
                       "<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Type</th>"
                       "<th scope=\"col\">Description</th></tr></thead>\n<tbody>\n";
    if (const json::value* properties = queryables.if_contains("properties"); properties != nullptr && properties->is_object()) {
        for (const auto& property : properties->as_object()) {
            const json::object& p = property.value().as_object();
            std::string type = string_at(p, "type");
            if (type.empty()) type = "geometry (" + string_at(p, "format") + ")";
            body += "<tr><td><code>" + escape(property.key()) + "</code></td><td>" + escape(type) + "</td><td>" +
                    escape(string_at(p, "description")) + "</td></tr>\n";
        }
    }
    body += "</tbody>\n</table></div>\n";
    return frame(page, "Queryables of " + string_at(queryables, "title"),
                 {home(page), collections_crumb(page), {collection_id, collection_url + "?f=html"}, {"Queryables", {}}}, body,
                 collection_url + "/queryables?f=json");
}

std::string items_page(const PageContext& page, const std::string& collection_id, const std::string& collection_title,
                       const json::object& items) {
    const std::string collection_url = page.base + "/collections/" + collection_id;
    std::string self, next, prev;
    if (const json::value* links = items.if_contains("links"); links != nullptr && links->is_array()) {
        for (const json::value& link : links->as_array()) {
            const std::string rel = string_at(link.as_object(), "rel");
            if (rel == "self") self = string_at(link.as_object(), "href");
            if (rel == "next") next = string_at(link.as_object(), "href");
            if (rel == "prev") prev = string_at(link.as_object(), "href");
        }
    }
    std::string body = "<p>" + escape(string_at(items, "numberReturned")) + " of " + escape(string_at(items, "numberMatched")) +
                       " features.";
    if (!prev.empty()) body += " <a href=\"" + escape(html_url(prev)) + "\" rel=\"prev\">Previous page</a>";
    if (!next.empty()) body += " <a href=\"" + escape(html_url(next)) + "\" rel=\"next\">Next page</a>";
    body += "</p>\n";
    const json::array& features = items.at("features").as_array();
    // The columns: every property any feature on the page has, in the order they first appear.
    std::vector<std::string> columns;
    for (const json::value& feature : features) {
        const json::value* properties = feature.as_object().if_contains("properties");
        if (properties == nullptr || !properties->is_object()) continue;
        for (const auto& property : properties->as_object()) {
            if (std::find(columns.begin(), columns.end(), property.key()) == columns.end()) columns.emplace_back(property.key());
        }
    }
    body += "<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">id</th>";
    for (const std::string& column : columns) body += "<th scope=\"col\">" + escape(column) + "</th>";
    body += "</tr></thead>\n<tbody>\n";
    for (const json::value& entry : features) {
        const json::object& feature = entry.as_object();
        const std::string id = string_at(feature, "id");
        body += "<tr><th scope=\"row\"><a href=\"" + escape(collection_url + "/items/" + percent_encode(id) + "?f=html") + "\">" + escape(id) + "</a></th>";
        const json::value* properties = feature.if_contains("properties");
        for (const std::string& column : columns) {
            const json::value* value = properties != nullptr && properties->is_object() ? properties->as_object().if_contains(column) : nullptr;
            body += value != nullptr ? value_cell(*value) : std::string("<td></td>");
        }
        body += "</tr>\n";
    }
    body += "</tbody>\n</table></div>\n";
    const std::string json_url = self.empty() ? collection_url + "/items?f=json" : self;
    return frame(page, collection_title + ": items",
                 {home(page), collections_crumb(page), {collection_id, collection_url + "?f=html"}, {"Items", {}}}, body, json_url, &items);
}

std::string item_page(const PageContext& page, const std::string& collection_id, const std::string& collection_title,
                      const json::object& feature) {
    const std::string collection_url = page.base + "/collections/" + collection_id;
    const std::string id = string_at(feature, "id");
    std::string body = "<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">Property</th><th scope=\"col\">Value</th></tr></thead>\n<tbody>\n";
    if (const json::value* properties = feature.if_contains("properties"); properties != nullptr && properties->is_object()) {
        for (const auto& property : properties->as_object()) {
            body += "<tr><th scope=\"row\">" + escape(property.key()) + "</th>" + value_cell(property.value()) + "</tr>\n";
        }
    }
    body += "</tbody>\n</table></div>\n";
    return frame(page, collection_title + ": " + id,
                 {home(page), collections_crumb(page), {collection_id, collection_url + "?f=html"}, {"Items", collection_url + "/items?f=html"}, {id, {}}},
                 body, collection_url + "/items/" + percent_encode(id) + "?f=json", &feature);
}

}  // namespace server::html
