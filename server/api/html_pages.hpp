#pragma once
// OGC API - Features as HTML, for people in a browser (`?f=html`, or an Accept header that ranks text/html
// first), as pygeoapi, GeoServer and ldproxy offer: each page is a view of the JSON document the same
// request answers with JSON, so the two never disagree. Pure functions: JSON in, HTML text out. Pages of
// features carry a small map (MapLibre GL JS, served by catchment under /web/maplibre-gl/) of exactly the
// features listed, embedded in the page.
#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace server::html {

/// What every page needs besides its document.
struct PageContext {
    std::string host;         // where the server is reached (scripts and styles come from host + /web/...)
    std::string base;         // the plan's base: host, or host + /plans/{plan}
    std::string dataset;      // the dataset's name, for titles
    std::string attribution;  // the data's licence statement, in every page's footer
};

/// Text with &, <, >, " and ' escaped, for element content and quoted attributes alike.
std::string escape(std::string_view text);

/// `url` with f=html set (replacing an f= it has): the HTML twin of a JSON link of ours.
std::string html_url(std::string_view url);

std::string landing_page(const PageContext& page, const boost::json::object& landing);
std::string conformance_page(const PageContext& page, const boost::json::object& conformance);
std::string collections_page(const PageContext& page, const boost::json::object& collections);
std::string collection_page(const PageContext& page, const boost::json::object& collection);
std::string queryables_page(const PageContext& page, const std::string& collection_id, const boost::json::object& queryables);
/// A page of items: the counts, previous and next pages, a map and a table of the features' properties.
std::string items_page(const PageContext& page, const std::string& collection_id, const std::string& collection_title,
                       const boost::json::object& items);
std::string item_page(const PageContext& page, const std::string& collection_id, const std::string& collection_title,
                      const boost::json::object& feature);

}  // namespace server::html
