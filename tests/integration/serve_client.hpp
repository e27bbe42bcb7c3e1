#pragma once
// For the serve tests: a blocking HTTP/1.1 client with a timeout on every step, and the real
// `catchment serve data/sample` with four I/O threads.
#include "integration/served.hpp"
#include "paths.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace serve_test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

/// A blocking HTTP/1.1 client whose every step is bounded by a timeout.
class Client {
public:
    explicit Client(std::uint16_t port) : port_(port) {}

    beast::error_code connect() {
        beast::error_code result = net::error::timed_out;
        stream_.expires_after(10s);
        stream_.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_),
                              [&](beast::error_code ec) { result = ec; });
        run();
        return result;
    }

    beast::error_code write_raw(const std::string& bytes) {
        beast::error_code result = net::error::timed_out;
        stream_.expires_after(10s);
        net::async_write(stream_, net::buffer(bytes), [&](beast::error_code ec, std::size_t) { result = ec; });
        run();
        return result;
    }

    beast::error_code read(http::response<http::string_body>& response) {
        beast::error_code result = net::error::timed_out;
        stream_.expires_after(120s);  // a reload re-plans London: seconds, more on a loaded machine
        http::async_read(stream_, buffer_, response, [&](beast::error_code ec, std::size_t) { result = ec; });
        run();
        return result;
    }

    /// One request on this connection (keep-alive).
    std::optional<http::response<http::string_body>> get(const std::string& target, http::verb method = http::verb::get,
                                                         const std::string& authorization = "") {
        http::request<http::string_body> request{method, target, 11};
        request.set(http::field::host, "127.0.0.1");
        if (method == http::verb::post) request.set(http::field::content_type, "application/json");
        if (!authorization.empty()) request.set(http::field::authorization, authorization);
        request.prepare_payload();
        std::ostringstream bytes;
        bytes << request;
        if (write_raw(bytes.str())) return std::nullopt;
        http::response<http::string_body> response;
        if (read(response)) return std::nullopt;
        return response;
    }

private:
    void run() {
        ioc_.restart();
        ioc_.run();
    }
    std::uint16_t port_;
    net::io_context ioc_;
    beast::tcp_stream stream_{ioc_};
    beast::flat_buffer buffer_;
};

inline std::optional<http::response<http::string_body>> fetch(std::uint16_t port, const std::string& target) {
    Client client(port);
    if (client.connect()) return std::nullopt;
    return client.get(target);
}

/// `catchment serve data/sample` on port 0, its stderr in a file.
/// The shared harness (integration/served.hpp) with four I/O threads, returned as soon as the port is
/// known: some tests look at the server before it is ready.
class ServeProcess : public integration::Server {
public:
    explicit ServeProcess(std::vector<std::string> extra = {})
        : Server(with_threads(std::move(extra)), test_paths::sample_dir(), false) {}

    /// Waits (bounded) for the child to exit; its exit code, or nullopt on timeout.
    std::optional<int> wait_exit(std::chrono::seconds timeout) {
        if (!Server::wait_exit(timeout)) return std::nullopt;
        return exit_code();
    }

private:
    static std::vector<std::string> with_threads(std::vector<std::string> extra) {
        extra.insert(extra.begin(), {"--threads", "4"});
        return extra;
    }
};

}  // namespace serve_test
