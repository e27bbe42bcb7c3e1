#include "server/http.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace server {

Response json_response(const Request& request, http::status status, const boost::json::value& body,
                       std::string_view content_type) {
    Response response{status, request.version()};
    response.set(http::field::content_type, content_type);
    response.keep_alive(request.keep_alive());
    response.body() = boost::json::serialize(body);
    response.prepare_payload();
    return response;
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

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

/// Whether the media range (e.g. "application/*") covers `type` (e.g. "application/geo+json").
bool covers(std::string_view range, std::string_view type) {
    if (range == "*/*") return true;
    if (range.size() > 2 && range.substr(range.size() - 2) == "/*") {
        const std::size_t slash = type.find('/');
        return slash != std::string_view::npos && iequal(range.substr(0, range.size() - 1), type.substr(0, slash + 1));
    }
    return iequal(range, type);
}

}  // namespace

void require_acceptable(const Request& request, std::initializer_list<std::string_view> offered) {
    const auto header = request[http::field::accept];
    const std::string_view accept(header.data(), header.size());
    if (trimmed(accept).empty()) return;
    std::size_t start = 0;
    while (start <= accept.size()) {
        const std::size_t comma = std::min(accept.find(',', start), accept.size());
        const std::string_view entry = accept.substr(start, comma - start);
        start = comma + 1;
        const std::size_t semicolon = std::min(entry.find(';'), entry.size());
        const std::string_view range = trimmed(entry.substr(0, semicolon));
        bool refused = false;  // q=0 means "not this one"
        for (std::string_view parameters = entry.substr(semicolon); !parameters.empty();) {
            parameters.remove_prefix(1);
            const std::size_t next = std::min(parameters.find(';'), parameters.size());
            const std::string_view parameter = trimmed(parameters.substr(0, next));
            if (parameter.size() >= 2 && (parameter[0] == 'q' || parameter[0] == 'Q') && parameter[1] == '=') {
                const std::string_view q = parameter.substr(2);
                refused = !q.empty() && q.find_first_not_of("0.") == std::string_view::npos;
            }
            parameters.remove_prefix(next);
        }
        if (refused) continue;
        for (const std::string_view type : offered) {
            if (covers(range, type)) return;
        }
        if (comma >= accept.size()) break;
    }
    std::string offers;
    for (const std::string_view type : offered) {
        if (!offers.empty()) offers += ", ";
        offers += type;
    }
    throw HttpError(http::status::not_acceptable, "NotAcceptable",
                    "this resource is available as " + offers + "; the Accept header asked for " + std::string(accept));
}

Response error_response(const Request& request, const HttpError& error) {
    boost::json::object body;
    body["code"] = error.code();
    body["description"] = error.what();
    return json_response(request, error.status(), body);
}

}  // namespace server
