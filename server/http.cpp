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

Response error_response(const Request& request, const HttpError& error) {
    boost::json::object body;
    body["code"] = error.code();
    body["description"] = error.what();
    return json_response(request, error.status(), body);
}

}  // namespace server
