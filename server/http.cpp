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

Response error_response(const Request& request, const HttpError& error) {
    boost::json::object body;
    body["code"] = error.code();
    body["description"] = error.what();
    return json_response(request, error.status(), body);
}

}  // namespace server
