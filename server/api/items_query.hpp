#pragma once
// The query of an OGC API - Features items request (limit, offset, bbox, bbox-crs, crs, property
// filters, a CQL2 filter's text, sortby, properties, f), parsed and checked, and the links a page of
// items carries. Pure text work: a bad value is the 400 "InvalidParameterValue" naming the parameter.
#include "server/api/features.hpp"
#include "server/api/route_helpers.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace server {

/// An items request's query, checked.
struct ItemsQuery {
    std::int64_t limit = FeatureHandlers::kDefaultLimit;
    std::int64_t offset = 0;
    bool has_bbox = false;
    double bbox[4] = {0, 0, 0, 0};
    std::vector<std::pair<std::size_t, std::string>> filters;  // property index, value
    std::size_t crs = 0;       // index in served_crss() of the output CRS
    std::size_t bbox_crs = 0;  // and of the bbox's
    std::string filter;        // CQL2 text (filter-lang cql2-text), parsed once the state is known; empty for none
    std::size_t filter_crs = 0;  // index in served_crss() of the filter's geometry literals
    struct SortKey {
        std::size_t property = 0;
        bool descending = false;
    };
    std::vector<SortKey> sortby;  // OGC API - Features Part 8 sortby, in order
    bool selects_properties = false;
    std::vector<std::size_t> properties;  // with selects_properties: the properties written, in schema order
    enum class Format { geojson, csv } format = Format::geojson;
};

/// The conformance classes of the items' sorting and property selection (OGC API - Features Parts 5 and 8 drafts).
const std::vector<std::string_view>& items_query_conformance();

/// The index in served_crss() of the CRS `uri` names; a 400 naming `name` when it is not served.
std::size_t parse_crs(const std::string& name, const std::string& uri);
/// A bbox parameter's four numbers minx,miny,maxx,maxy into `bbox`; a 400 naming `name` otherwise.
void parse_bbox(const std::string& name, const std::string& value, double (&bbox)[4]);
/// The request's query for the collection `info`; a 400 for an unknown parameter or a bad value.
ItemsQuery parse_items_query(const RouteContext& context, const CollectionInfo& info);
/// The items URL with the request's parameters; with `paging`, its limit and `offset` instead of theirs.
std::string items_url(const std::string& base, const RouteContext& context, const CollectionInfo& info, const ItemsQuery* paging,
                      std::int64_t offset);
/// Appends an OGC API link object {"href","rel","type"}.
void append_link(std::string& out, const std::string& href, std::string_view rel, std::string_view type);
/// Percent-encodes all but unreserved characters (and ',' ':'), for query values and path segments.
std::string percent_encode(std::string_view text);

}  // namespace server
