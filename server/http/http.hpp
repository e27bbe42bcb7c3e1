#pragma once
// HTTP types shared by the route table, the handlers and the socket server. Handlers are pure:
// request in, response out; failures are thrown as HttpError and turned into JSON by the router.
#include "server/http/shared_body.hpp"

#include <boost/beast/http.hpp>
#include <boost/json/value.hpp>

#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace server {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
/// Responses reference cached bytes (tiles, features) instead of copying them: see SharedBody.
using Response = http::response<SharedBody>;

/// Appends the response's status line and header fields (ending with the empty line) to `out`, byte
/// for byte as Beast's serializer writes them; the server then writes them and the body's pieces in
/// one gathered write, without Beast's per-field buffer sequence.
void serialize_header(const Response& response, std::string& out);

/// Gives `response` a streamed body: Transfer-Encoding chunked for HTTP/1.1; for HTTP/1.0, no length
/// and the connection closed after it. (Not prepare_payload(), which would count the body as empty.)
void stream_body(Response& response, std::shared_ptr<BodyStream> stream);

/// The whole response body as one string (for tests and small bodies).
inline std::string body_text(const Response& response) { return response.body().text(); }

/// A failure with its HTTP status and a stable machine-readable code ("InvalidParameterValue",
/// "NotFound", ...); the error boundary answers {"code": ..., "description": ...}.
class HttpError : public std::runtime_error {
public:
    HttpError(http::status status, std::string code, const std::string& description)
        : std::runtime_error(description), status_(status), code_(std::move(code)), description_(description) {}
    http::status status() const noexcept { return status_; }
    const std::string& code() const noexcept { return code_; }
    /// The whole description: what() stops at a NUL byte, which a client's percent-decoded %00 can put in it.
    const std::string& description() const noexcept { return description_; }

private:
    http::status status_;
    std::string code_;
    std::string description_;
};

/// A response with `body` as `content_type`, the request's HTTP version and keep-alive.
Response text_response(const Request& request, http::status status, std::string body, std::string_view content_type);
/// A JSON response with the request's HTTP version and keep-alive.
Response json_response(const Request& request, http::status status, const boost::json::value& body,
                       std::string_view content_type = "application/json");
/// One media range of an Accept header: its type, lower-cased (e.g. "text/html", "application/*"), and its
/// q value (1 when absent, 0 when malformed).
struct MediaRange {
    std::string type;
    double q = 1;
};
/// The request's Accept header as media ranges, in order (none when the header is missing or empty).
std::vector<MediaRange> accept_ranges(const Request& request);

/// Whether the request's Accept-Encoding (RFC 9110 12.5.3) takes `coding` (lower case, e.g. "gzip"):
/// named, or covered by "*", with a q value above 0. No header takes nothing but the identity.
bool accepts_encoding(const Request& request, std::string_view coding);

/// True when If-None-Match (a list of entity tags, or "*") names `etag` (weak comparison, RFC 9110 13.1.2).
bool matches_etag(std::string_view if_none_match, std::string_view etag);

/// `text` split at `separator`, each part without surrounding spaces and tabs (a header's list, a font stack list).
std::vector<std::string_view> split_list(std::string_view text, char separator);

/// The URL clients reach the server at (scheme://host[:port][/prefix], no trailing slash): `configured`
/// (--public-url) when given; else what a reverse proxy says (RFC 7239 Forwarded host and proto, else
/// X-Forwarded-Host, X-Forwarded-Proto and X-Forwarded-Prefix), else http:// and the Host header. A
/// header value that is not a plain host, scheme or path is ignored (never copied into links).
std::string public_base_url(const Request& request, std::string_view configured = {});

/// Now in UTC as RFC 3339, e.g. 2026-11-24T12:00:00Z (the timeStamp of items, a plan's creation).
std::string utc_now();

/// Throws 406 "NotAcceptable" when the request's Accept header (RFC 9110 12.5.1) rules out every one of
/// `offered` (media types such as "application/geo+json"): no range matches one of them, or those that
/// do have q=0. A missing or empty header accepts anything.
void require_acceptable(const Request& request, std::initializer_list<std::string_view> offered);

/// The error boundary's answer for an HttpError.
Response error_response(const Request& request, const HttpError& error);

/// Byte ranges (RFC 9110 14): a 200 to GET or HEAD whose body is whole (not streamed) says Accept-Ranges,
/// and a single `Range: bytes=...` makes it a 206 of those bytes (416 when none of them exist). Several
/// ranges, or an If-Range that no longer matches, get the whole body, as the RFC allows.
void apply_byte_range(const Request& request, Response& response);

}  // namespace server
