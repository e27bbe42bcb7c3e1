#include "server/http/http.hpp"

#include "server/http/utf8.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <optional>
#include <system_error>

namespace server {

Response text_response(const Request& request, http::status status, std::string body, std::string_view content_type) {
    Response response{status, request.version()};
    response.set(http::field::content_type, content_type);
    response.keep_alive(request.keep_alive());
    response.body() = std::move(body);
    response.prepare_payload();
    return response;
}

Response json_response(const Request& request, http::status status, const boost::json::value& body,
                       std::string_view content_type) {
    return text_response(request, status, boost::json::serialize(body), content_type);
}

void stream_body(Response& response, std::shared_ptr<BodyStream> stream) {
    response.body().stream(std::move(stream));
    response.erase(http::field::content_length);
    if (response.version() >= 11) {
        response.chunked(true);
    } else {
        response.keep_alive(false);  // the body ends where the connection does
    }
}

void serialize_header(const Response& response, std::string& out) {
    const unsigned version = response.version();
    const unsigned code = response.result_int();
    const char status_line[] = {'H', 'T', 'T', 'P', '/', static_cast<char>('0' + version / 10), '.', static_cast<char>('0' + version % 10), ' ',
                                static_cast<char>('0' + code / 100), static_cast<char>('0' + (code / 10) % 10),
                                static_cast<char>('0' + code % 10), ' '};
    out.append(status_line, sizeof status_line);
    const auto reason = response.reason();
    out.append(reason.data(), reason.size());
    out += "\r\n";
    for (const auto& field : response.base()) {
        const auto name = field.name_string();
        const auto value = field.value();
        out.append(name.data(), name.size());
        out += ": ";
        out.append(value.data(), value.size());
        out += "\r\n";
    }
    out += "\r\n";
}

namespace {

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

/// The q value among an Accept entry's parameters (parts after the first): 1 when absent, 0 when malformed.
double quality(const std::vector<std::string_view>& parts) {
    for (std::size_t i = 1; i < parts.size(); ++i) {
        const std::string parameter = lower(parts[i]);
        if (parameter.rfind("q=", 0) != 0) continue;
        double q = 0;
        const char* begin = parameter.data() + 2;
        const char* end = parameter.data() + parameter.size();
        const auto result = std::from_chars(begin, end, q);
        if (result.ec != std::errc() || result.ptr != end || q < 0 || q > 1) return 0;
        return q;
    }
    return 1;
}

/// Whether the media range (e.g. "application/*", lower-cased) covers `type` (e.g. "application/geo+json").
bool covers(std::string_view range, std::string_view type) {
    if (range == "*/*") return true;
    if (range.size() > 2 && range.substr(range.size() - 2) == "/*") {
        const std::size_t slash = type.find('/');
        return slash != std::string_view::npos && range.substr(0, range.size() - 1) == type.substr(0, slash + 1);
    }
    return range == type;
}

}  // namespace

std::vector<std::string_view> split_list(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    while (true) {
        const auto at = text.find(separator);
        parts.push_back(trimmed(text.substr(0, at)));
        if (at == std::string_view::npos) break;
        text.remove_prefix(at + 1);
    }
    return parts;
}

std::vector<MediaRange> accept_ranges(const Request& request) {
    const auto header = request[http::field::accept];
    std::vector<MediaRange> out;
    for (const std::string_view entry : split_list(std::string_view(header.data(), header.size()), ',')) {
        const std::vector<std::string_view> parts = split_list(entry, ';');
        if (parts.front().empty()) continue;
        out.push_back({lower(parts.front()), quality(parts)});
    }
    return out;
}

bool accepts_encoding(const Request& request, std::string_view coding) {
    const auto header = request[http::field::accept_encoding];
    double named = -1, any = -1;
    for (const std::string_view entry : split_list(std::string_view(header.data(), header.size()), ',')) {
        const std::vector<std::string_view> parts = split_list(entry, ';');
        const std::string name = lower(parts.front());
        if (name == coding || (coding == "gzip" && name == "x-gzip")) named = std::max(named, quality(parts));
        if (name == "*") any = quality(parts);
    }
    return named >= 0 ? named > 0 : any > 0;  // a coding named with q=0 is refused even when * allows others
}

bool matches_etag(std::string_view if_none_match, std::string_view etag) {
    if (if_none_match.empty()) return false;
    for (std::string_view tag : split_list(if_none_match, ',')) {
        if (tag == "*") return true;
        if (tag.rfind("W/", 0) == 0) tag.remove_prefix(2);
        if (tag == etag) return true;
    }
    return false;
}

namespace {

/// The first of a comma-separated header's values (a proxy chain appends; the first is the client's).
std::string_view first_value(std::string_view header) { return trimmed(header.substr(0, header.find(','))); }

/// A host with an optional port: letters, digits, '.', '-', ':' and IPv6 brackets only.
bool plain_host(std::string_view host) {
    if (host.empty() || host.size() > 255) return false;
    return std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
    });
}

bool plain_scheme(std::string_view scheme) { return scheme == "http" || scheme == "https"; }

/// A path prefix such as /catchment: '/' then unreserved characters and '/'.
bool plain_prefix(std::string_view prefix) {
    if (prefix.empty() || prefix.front() != '/' || prefix.size() > 512) return false;
    return std::all_of(prefix.begin(), prefix.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~';
    });
}

}  // namespace

std::string public_base_url(const Request& request, std::string_view configured) {
    if (!configured.empty()) return std::string(configured);
    std::string scheme = "http", host, prefix;
    auto header = [&](std::string_view name) {
        const auto found = request.find(name);
        return found == request.end() ? std::string_view() : first_value(std::string_view(found->value().data(), found->value().size()));
    };
    // RFC 7239: Forwarded: for=...;host=example.org;proto=https, the first element only.
    for (const std::string_view pair : split_list(header("Forwarded"), ';')) {
        const auto equals = pair.find('=');
        if (equals == std::string_view::npos) continue;
        const std::string name = lower(trimmed(pair.substr(0, equals)));
        std::string_view value = trimmed(pair.substr(equals + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        if (name == "host" && plain_host(value)) host = value;
        if (name == "proto" && plain_scheme(lower(value))) scheme = lower(value);
    }
    if (host.empty()) {
        if (plain_host(header("X-Forwarded-Host"))) host = header("X-Forwarded-Host");
        if (const std::string proto = lower(header("X-Forwarded-Proto")); plain_scheme(proto)) scheme = proto;
    }
    if (std::string_view p = header("X-Forwarded-Prefix"); plain_prefix(p)) {
        while (!p.empty() && p.back() == '/') p.remove_suffix(1);
        prefix = p;
    }
    if (host.empty()) {
        const auto given = request[http::field::host];
        const std::string_view value = trimmed(std::string_view(given.data(), given.size()));
        host = plain_host(value) ? std::string(value) : std::string("localhost");
    }
    return scheme + "://" + host + prefix;
}

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buffer[32];
    return std::string(buffer, std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm));
}

void require_acceptable(const Request& request, std::initializer_list<std::string_view> offered) {
    const std::vector<MediaRange> ranges = accept_ranges(request);
    if (ranges.empty()) return;
    for (const MediaRange& range : ranges) {
        if (range.q <= 0) continue;  // q=0 means "not this one"
        for (const std::string_view type : offered) {
            if (covers(range.type, lower(type))) return;
        }
    }
    std::string offers;
    for (const std::string_view type : offered) {
        if (!offers.empty()) offers += ", ";
        offers += type;
    }
    const auto accept = request[http::field::accept];
    throw HttpError(http::status::not_acceptable, "NotAcceptable",
                    "this resource is available as " + offers + "; the Accept header asked for " + std::string(accept));
}

Response error_response(const Request& request, const HttpError& error) {
    boost::json::object body;
    body["code"] = error.code();
    body["description"] = mend_utf8(error.description());  // it may quote what the client sent
    return json_response(request, error.status(), body);
}

namespace {

/// A decimal byte position, or nothing when the text is not one.
std::optional<std::uint64_t> byte_position(std::string_view text) {
    std::uint64_t value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

void apply_byte_range(const Request& request, Response& response) {
    if (response.result() != http::status::ok || response.body().streamed()) return;
    if (request.method() != http::verb::get && request.method() != http::verb::head) return;
    response.set(http::field::accept_ranges, "bytes");
    std::string_view range = request[http::field::range];
    if (range.empty()) return;
    const std::string_view if_range = request[http::field::if_range];
    if (!if_range.empty() && if_range != response[http::field::etag]) return;
    constexpr std::string_view kUnit = "bytes=";
    if (range.substr(0, kUnit.size()) != kUnit || range.find(',') != std::string_view::npos) return;
    range.remove_prefix(kUnit.size());
    const std::size_t dash = range.find('-');
    if (dash == std::string_view::npos) return;
    const std::uint64_t size = response.body().size();
    std::uint64_t first = 0, last = 0;
    if (dash == 0) {  // the last N bytes
        const auto suffix = byte_position(range.substr(1));
        if (!suffix) return;
        if (*suffix == 0 || size == 0) first = size;  // nothing: unsatisfiable below
        else first = size - std::min(*suffix, size);
        last = size == 0 ? 0 : size - 1;
    } else {
        const auto from = byte_position(range.substr(0, dash));
        const auto to = dash + 1 < range.size() ? byte_position(range.substr(dash + 1)) : std::optional<std::uint64_t>(size == 0 ? 0 : size - 1);
        if (!from || !to) return;  // not a valid range: ignored (RFC 9110 14.2)
        first = *from;
        if (first < size && *to < first) return;
        last = std::min(*to, size == 0 ? 0 : size - 1);
    }
    if (first >= size) {
        std::string why = "the range ";
        why += request[http::field::range];
        why += " holds none of the ";
        why += std::to_string(size);
        why += " bytes";
        Response refused = error_response(request, HttpError(http::status::range_not_satisfiable, "RangeNotSatisfiable", why));
        std::string content_range = "bytes */";
        content_range += std::to_string(size);
        refused.set(http::field::content_range, content_range);
        response = std::move(refused);
        return;
    }
    const std::string whole = response.body().text();
    response.body() = whole.substr(static_cast<std::size_t>(first), static_cast<std::size_t>(last - first + 1));
    response.result(http::status::partial_content);
    std::string content_range = "bytes ";
    content_range += std::to_string(first);
    content_range += '-';
    content_range += std::to_string(last);
    content_range += '/';
    content_range += std::to_string(size);
    response.set(http::field::content_range, content_range);
    response.prepare_payload();
}

}  // namespace server
