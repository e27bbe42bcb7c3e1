// The socket server in-process, with a router of test routes: a handler that moves to the worker pool
// and fails there (a GEOS error, as a worker's geometry step would throw) answers 500 and the server
// goes on serving; handlers that ask for a worker run off the I/O threads.
#include "geo/geos.hpp"
#include "server/http/http_server.hpp"
#include "server/http/metrics.hpp"
#include "server/http/router.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace server;

namespace {

http::response<http::string_body> get(std::uint16_t port, const std::string& target) {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket socket(ioc);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    http::request<http::string_body> request{http::verb::get, target, 11};
    request.set(http::field::host, "127.0.0.1");
    http::write(socket, request);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(socket, buffer, response);
    return response;
}

}  // namespace

TEST_CASE("A worker's GEOS error answers 500 without internals, and the server keeps serving", "[http][worker]") {
    std::atomic<int> on_io{0}, on_worker{0};
    Router router;
    router.add(http::verb::get, "/health", "health", [](const RouteContext& context) {
        return json_response(context.request, http::status::ok, boost::json::object{{"status", "ok"}});
    });
    router.add(http::verb::get, "/geometry", "geometry", [&](const RouteContext& context) -> Response {
        ++(context.on_worker ? on_worker : on_io);
        context.needs_worker();
        geo::GeosContext geos;
        geos.fail("unioning a catchment (injected)");  // throws geo::GeosError, as GEOS failures do
    });
    router.add(http::verb::get, "/work", "work", [&](const RouteContext& context) {
        ++(context.on_worker ? on_worker : on_io);
        context.needs_worker();
        return json_response(context.request, http::status::ok, boost::json::object{{"worker", context.on_worker}});
    });
    ServerOptions options;
    options.port = 0;
    options.threads = 1;
    options.worker_threads = 2;
    options.access_log = false;
    HttpServer server(options);
    Metrics metrics;
    const std::uint16_t port = server.listen();
    server.start(router, metrics);
    for (int i = 0; i < 3; ++i) {
        const auto failed = get(port, "/geometry");
        CHECK(failed.result() == http::status::internal_server_error);
        const auto body = boost::json::parse(failed.body());
        CHECK(body.at("code") == "InternalServerError");
        CHECK(failed.body().find("injected") == std::string::npos);  // nothing of the failure leaks
        CHECK(get(port, "/health").result() == http::status::ok);
    }
    const auto worked = get(port, "/work");
    CHECK(worked.result() == http::status::ok);
    CHECK(boost::json::parse(worked.body()).at("worker") == true);
    CHECK(on_io == 4);      // each asked once on the I/O thread...
    CHECK(on_worker == 4);  // ...and ran on a worker
    server.stop();
    server.wait();
}
