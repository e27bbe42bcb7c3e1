// POST /admin/reload and the write-access check (bearer token, or read-only) that guards mutating endpoints.
#include "server/api/routes.hpp"

#include <boost/json/object.hpp>

#include <memory>
#include <mutex>
#include <string_view>

namespace server {

namespace {

/// Equal in time that depends only on the length of `given`, not on where it first differs.
bool constant_time_equal(std::string_view given, std::string_view expected) {
    unsigned char difference = given.size() == expected.size() ? 0 : 1;
    for (std::size_t i = 0; i < given.size(); ++i) {
        const unsigned char e = expected.empty() ? 0 : static_cast<unsigned char>(expected[i % expected.size()]);
        difference |= static_cast<unsigned char>(static_cast<unsigned char>(given[i]) ^ e);
    }
    return difference == 0;
}

bool authorized(const Request& request, const std::string& token) {
    const auto header = request.find(http::field::authorization);
    if (header == request.end()) return false;
    const std::string_view value(header->value().data(), header->value().size());
    constexpr std::string_view scheme = "Bearer ";
    if (value.size() < scheme.size()) return false;
    for (std::size_t i = 0; i < scheme.size(); ++i) {  // the scheme is case-insensitive (RFC 7235)
        const char c = value[i];
        const char lower = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        const char want = scheme[i] >= 'A' && scheme[i] <= 'Z' ? static_cast<char>(scheme[i] - 'A' + 'a') : scheme[i];
        if (lower != want) return false;
    }
    return constant_time_equal(value.substr(scheme.size()), token);
}

}  // namespace

ReloadFunction one_reload_at_a_time(ReloadFunction reload) {
    auto mutex = std::make_shared<std::mutex>();
    return [mutex, reload = std::move(reload)]() -> ReloadResult {
        std::unique_lock<std::mutex> lock(*mutex, std::try_to_lock);
        if (!lock.owns_lock()) {
            ReloadResult busy;
            busy.outcome = ReloadResult::Outcome::busy;
            busy.message = "a reload is already in progress";
            return busy;
        }
        return reload();
    };
}

Handler require_write_access(WriteAccess access, Handler handler) {
    if (access.read_only) {
        return [](const RouteContext& context) -> Response {
            return error_response(context.request,
                                  HttpError(http::status::forbidden, "ReadOnly",
                                            "this server listens on a public address without --token, so it only serves reads: "
                                            "start it with --token to allow plans and reloads"));
        };
    }
    if (access.token.empty()) return handler;
    return [token = std::move(access.token), handler = std::move(handler)](const RouteContext& context) -> Response {
        if (!authorized(context.request, token)) {
            Response response = error_response(
                context.request, HttpError(http::status::unauthorized, "Unauthorized",
                                           "this endpoint needs the header Authorization: Bearer <token>"));
            response.set(http::field::www_authenticate, "Bearer");
            return response;
        }
        return handler(context);
    };
}

void add_admin_routes(Router& router, ReloadFunction reload, const WriteAccess& access) {
    Handler handler = [reload = std::move(reload)](const RouteContext& context) -> Response {
        const ReloadResult result = reload();
        switch (result.outcome) {
            case ReloadResult::Outcome::reloaded:
                return json_response(context.request, http::status::ok,
                                     boost::json::object{{"status", "reloaded"}, {"version", result.version},
                                                         {"seconds", result.seconds}});
            case ReloadResult::Outcome::busy:
                throw HttpError(http::status::conflict, "ReloadInProgress", result.message);
            case ReloadResult::Outcome::failed:
                break;
        }
        throw HttpError(http::status::unprocessable_entity, "ReloadFailed", result.message);
    };
    router.add(http::verb::post, "/admin/reload", "admin_reload", require_write_access(access, std::move(handler)), Execution::blocking);
}

}  // namespace server
