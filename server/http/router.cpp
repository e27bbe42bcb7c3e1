#include "server/http/router.hpp"

#include "server/http/utf8.hpp"

#include <boost/json/object.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <exception>
#include <string_view>

namespace server {

namespace {

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> segments;
    std::size_t start = 0;
    if (!path.empty() && path.front() == '/') start = 1;
    while (start <= path.size()) {
        const std::size_t end = path.find('/', start);
        const std::size_t stop = end == std::string_view::npos ? path.size() : end;
        segments.emplace_back(path.substr(start, stop - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    if (segments.size() == 1 && segments.front().empty()) segments.clear();  // "/" has no segment
    return segments;
}

bool is_placeholder(const std::string& segment) {
    return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

/// The request target split into decoded path segments and decoded query pairs; throws HttpError 400
/// for a target that is not a valid origin-form URL.
struct Target {
    std::vector<std::string> segments;
    std::vector<std::pair<std::string, std::string>> query;
};

Target parse_target(std::string_view target) {
    auto parsed = boost::urls::parse_origin_form(target);
    if (!parsed) throw HttpError(http::status::bad_request, "InvalidRequest", "the request target is not a valid URL path");
    Target out;
    for (auto segment : parsed->segments()) out.segments.emplace_back(segment);
    // parse_origin_form keeps a trailing empty segment for "/a/"; treat "/a/" like "/a".
    if (!out.segments.empty() && out.segments.back().empty()) out.segments.pop_back();
    for (auto param : parsed->params()) out.query.emplace_back(param.key, param.has_value ? param.value : std::string());
    // Handlers quote parameters in JSON and match them against UTF-8 data: bytes that decode to
    // something else are refused here, once.
    auto refuse_bytes = [](const std::string& text, const char* where) {
        if (invalid_utf8_at(text) != std::string::npos) {
            throw HttpError(http::status::bad_request, "InvalidRequest", std::string("the request's ") + where + " is not UTF-8 once percent-decoded");
        }
    };
    for (const std::string& segment : out.segments) refuse_bytes(segment, "path");
    for (const auto& [key, value] : out.query) {
        refuse_bytes(key, "query");
        refuse_bytes(value, "query");
    }
    return out;
}

bool matches(const std::vector<std::string>& pattern, const std::vector<std::string>& segments,
             std::map<std::string, std::string>* values) {
    if (pattern.size() != segments.size()) return false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (is_placeholder(pattern[i])) {
            if (segments[i].empty()) return false;
            if (values) (*values)[pattern[i].substr(1, pattern[i].size() - 2)] = segments[i];
        } else if (pattern[i] != segments[i]) {
            return false;
        }
    }
    return true;
}

bool is_write(http::verb method) {
    return method == http::verb::post || method == http::verb::put || method == http::verb::patch || method == http::verb::delete_;
}

std::string_view header_value(const Request& request, http::field field) {
    const auto found = request.find(field);
    return found == request.end() ? std::string_view() : std::string_view(found->value().data(), found->value().size());
}

/// scheme://host[:port] of a URL (what an Origin header holds), lower-cased.
std::string origin_of(std::string_view url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return {};
    const auto path = url.find('/', scheme_end + 3);
    std::string out(url.substr(0, path));
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

Response internal_error(const Request& request) {
    return error_response(request, HttpError(http::status::internal_server_error, "InternalServerError", "internal error"));
}

}  // namespace

bool Router::origin_may_write(const Request& request) const {
    const std::string_view origin = header_value(request, http::field::origin);
    if (origin.empty()) return true;  // not a browser's cross-site request: curl, QGIS, GDAL, scripts
    const std::string given = origin_of(std::string(origin) + "/");
    if (given == origin_of(public_base_url(request, public_url_))) return true;  // the server's own pages
    return std::any_of(write_origins_.begin(), write_origins_.end(),
                       [&](const std::string& allowed) { return allowed == "*" || origin_of(allowed + "/") == given; });
}

void Router::check_write(const Request& request) const {
    if (!origin_may_write(request)) {
        throw HttpError(http::status::forbidden, "CrossOriginRefused",
                        "requests that change the server are not accepted from pages of " + std::string(header_value(request, http::field::origin)) +
                            " (allow that origin with --cors-origin)");
    }
    // A DELETE without a body needs no type: a page elsewhere cannot send DELETE without a preflight.
    if (request.method() == http::verb::delete_ && request.body().empty()) return;
    std::string_view type = header_value(request, http::field::content_type);
    type = type.substr(0, type.find(';'));
    while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
    std::string lowered(type);
    for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lowered != "application/json") {
        throw HttpError(http::status::unsupported_media_type, "UnsupportedMediaType",
                        "requests that change the server need Content-Type: application/json" +
                            (type.empty() ? std::string(" (none was given)") : " (got " + std::string(type) + ")"));
    }
}

void Router::add_cors_headers(const Request& request, Response& response) const {
    const http::verb asked = request.method() == http::verb::options
                                 ? http::string_to_verb(header_value(request, http::field::access_control_request_method))
                                 : request.method();
    if (!is_write(asked)) {
        server::add_cors_headers(response);  // reading is open to every page: the data are public
        return;
    }
    // Writing is open to the server's own pages and to the origins given with --cors-origin only.
    response.set(http::field::vary, "Origin");
    response.set(http::field::access_control_expose_headers, "ETag, Content-Crs, Content-Encoding, Content-Range, Link, Content-Length, Location, OGC-NumberMatched, OGC-NumberReturned");
    const std::string_view origin = header_value(request, http::field::origin);
    if (!origin.empty() && origin_may_write(request)) response.set(http::field::access_control_allow_origin, origin);
}

const std::string* RouteContext::parameter(const std::string& name) const {
    for (const auto& [key, value] : query) {
        if (key == name) return &value;
    }
    return nullptr;
}

void Router::add(http::verb method, std::string pattern, std::string name, Handler handler, Execution execution) {
    routes_.push_back({method, split_path(pattern), std::move(name), std::move(handler), execution});
}

RouteInfo Router::route_info(const Request& request) const {
    try {
        const Target target = parse_target(request.target());
        const http::verb method = request.method() == http::verb::head ? http::verb::get : request.method();
        for (const Route& route : routes_) {
            if (route.method == method && matches(route.segments, target.segments, nullptr)) return {route.name, route.execution};
        }
    } catch (const std::exception&) {
    }
    return {};
}

Response Router::handle(const Request& request) const {
    Routed routed;
    return handle(request, routed);
}

Response Router::handle_off_io(const Request& request, const std::atomic<bool>* client_gone,
                               const std::atomic<bool>* server_stopping) const {
    Routed routed;
    return handle(request, routed, true, client_gone, server_stopping);
}

Response Router::handle(const Request& request, Routed& routed, bool run_blocking, const std::atomic<bool>* client_gone,
                        const std::atomic<bool>* server_stopping) const {
    routed = Routed{};
    Response response;
    try {
        try {
            Target target = parse_target(request.target());
            if (request.method() == http::verb::unknown) {
                // A method this server does not know at all (BREW, a lower-case get): 501, not 405 (RFC 9110
                // 15.6.2), whatever the path.
                std::string known;
                for (const Route& route : routes_) {
                    const std::string verb(http::to_string(route.method));
                    if (known.find(verb) == std::string::npos) known += verb + ", ";
                }
                throw HttpError(http::status::not_implemented, "NotImplemented",
                                "method " + std::string(request.method_string()) + " is not implemented (methods: " + known + "HEAD, OPTIONS)");
            }
            const bool head = request.method() == http::verb::head;
            const http::verb method = head ? http::verb::get : request.method();
            // One pass over the routes without capturing; the placeholders are captured for the match only.
            const Route* found = nullptr;
            bool path_known = false;
            for (const Route& route : routes_) {
                if (!matches(route.segments, target.segments, nullptr)) continue;
                path_known = true;
                if (route.method == method) {
                    found = &route;
                    break;
                }
            }
            if (found) {
                routed.name = found->name;
                routed.execution = found->execution;
                if (is_write(method)) check_write(request);
                if (found->execution == Execution::blocking && !run_blocking) {
                    routed.deferred = true;
                    return response;
                }
                std::map<std::string, std::string> values;
                matches(found->segments, target.segments, &values);
                RouteContext context{request, std::move(values), std::move(target.query), public_url_, run_blocking, client_gone, server_stopping};
                response = found->handler(context);
                if (head && !response.body().streamed()) {  // a streamed body keeps its chunked framing, length unknown
                    const auto length = response.body().size();
                    response.body().clear();
                    response.content_length(length);
                }
            } else if (!path_known) {
                throw HttpError(http::status::not_found, "NotFound", "no resource at this path");
            } else {
                std::vector<std::string> allowed;
                for (const Route& route : routes_) {
                    if (!matches(route.segments, target.segments, nullptr)) continue;
                    const std::string verb(http::to_string(route.method));
                    if (std::find(allowed.begin(), allowed.end(), verb) == allowed.end()) allowed.push_back(verb);
                }
                if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end()) allowed.push_back("HEAD");
                allowed.push_back("OPTIONS");
                std::string allow;
                for (const std::string& verb : allowed) {
                    if (!allow.empty()) allow += ", ";
                    allow += verb;
                }
                if (request.method() == http::verb::options) {
                    response = Response{http::status::no_content, request.version()};
                    response.keep_alive(request.keep_alive());
                    response.set(http::field::allow, allow);
                    response.set(http::field::access_control_allow_methods, allow);
                    response.set(http::field::access_control_allow_headers,
                                 "Accept, Accept-Encoding, Content-Type, If-None-Match, Authorization");
                    response.set(http::field::access_control_max_age, "86400");
                    response.prepare_payload();
                } else {
                    std::string description = "method ";
                    description += std::string(request.method_string());
                    description += " is not allowed here (allowed: ";
                    description += allow;
                    description += ")";
                    response = error_response(request, HttpError(http::status::method_not_allowed, "MethodNotAllowed", description));
                    response.set(http::field::allow, allow);
                }
            }
        } catch (const WorkerNeeded&) {
            routed.deferred = true;
            routed.execution = Execution::worker;
            return Response{};
        } catch (const HttpError& error) {
            response = error_response(request, error);
        } catch (const std::exception&) {
            response = internal_error(request);
        } catch (...) {
            response = internal_error(request);
        }
        apply_byte_range(request, response);
        if (request.method() == http::verb::head) response.body().clear();
        add_cors_headers(request, response);
    } catch (...) {
        // Building even the error answer failed (out of memory): a bare 500.
        Response bare{http::status::internal_server_error, request.version()};
        bare.keep_alive(false);
        bare.prepare_payload();
        return bare;
    }
    return response;
}

void add_cors_headers(Response& response) {
    response.set(http::field::access_control_allow_origin, "*");
    response.set(http::field::access_control_expose_headers, "ETag, Content-Crs, Content-Encoding, Content-Range, Link, Content-Length, OGC-NumberMatched, OGC-NumberReturned");
}

}  // namespace server
