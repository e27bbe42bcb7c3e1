#include "server/http/http_server.hpp"

#include "server/http/access_log.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <iterator>
#include <string_view>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include <sys/socket.h>
#include <sys/uio.h>

namespace server {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

void ServerLimits::validate() const {
    if (header_limit < 1024) throw std::invalid_argument("header limit must be at least 1024 bytes");
    if (body_limit < 1) throw std::invalid_argument("body limit must be at least 1 byte");
    if (read_timeout.count() < 1) throw std::invalid_argument("read timeout must be at least 1 second");
    if (idle_timeout.count() < 1) throw std::invalid_argument("idle timeout must be at least 1 second");
    if (max_connections < 1) throw std::invalid_argument("maximum connections must be at least 1");
    if (probe_timeout.count() < 1) throw std::invalid_argument("probe timeout must be at least 1 second");
    if (max_blocking_queue < 1) throw std::invalid_argument("the blocking queue must hold at least 1 request");
    if (max_worker_queue < 1) throw std::invalid_argument("the worker queue must hold at least 1 request");
}

namespace {
class Session;
}

class HttpServer::Impl : public std::enable_shared_from_this<HttpServer::Impl> {
public:
    explicit Impl(ServerOptions options) : options_(std::move(options)) {}

    // Declared before the io_context: sessions destroyed with it still unregister here.
    ServerOptions options_;
    const Router* router_ = nullptr;
    Metrics* metrics_ = nullptr;
    std::mutex sessions_mutex_;
    std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
    std::atomic<std::size_t> connections_{0};
    std::atomic<std::size_t> probe_connections_{0};
    std::atomic<std::size_t> blocking_queued_{0};
    std::atomic<std::size_t> worker_queued_{0};
    std::atomic<bool> stopping_{false};
    std::uint16_t port_ = 0;
    AccessLog access_log_{options_.access_log_file};

    net::io_context ioc_;
    net::strand<net::io_context::executor_type> accept_strand_{net::make_strand(ioc_)};
    tcp::acceptor acceptor_{accept_strand_};
    net::signal_set signals_{ioc_};
    std::optional<net::thread_pool> blocking_pool_;
    std::optional<net::thread_pool> worker_pool_;
    std::vector<std::thread> threads_;
    std::mutex join_mutex_;

    void do_accept();
    void on_accept(beast::error_code ec, tcp::socket socket);
    void do_stop();
};

namespace {

/// A request parser that also counts the header's fields against the header limit. Beast 1.81's own
/// header_limit misses a header whose count reaches the limit just as one read ends: the rest of the
/// header is then taken whatever its size (a client sending it in small pieces gets megabytes through).
class RequestParser : public http::request_parser<http::string_body> {
public:
    explicit RequestParser(std::size_t limit) : limit_(limit) { header_limit(static_cast<std::uint32_t>(limit)); }

private:
    void on_field_impl(http::field name, beast::string_view name_string, beast::string_view value, beast::error_code& ec) override {
        fields_bytes_ += name_string.size() + value.size() + 4;  // "name: value\r\n"
        if (fields_bytes_ > limit_) {
            ec = http::error::header_limit;
            return;
        }
        get().insert(name, name_string, value);  // as request_parser does
    }
    std::size_t limit_;
    std::size_t fields_bytes_ = 0;
};

class Session : public std::enable_shared_from_this<Session> {
public:
    /// A `probe` session holds one of the slots beyond max_connections: it answers one request, and only
    /// for ServerOptions::probe_paths.
    Session(tcp::socket&& socket, HttpServer::Impl& server, bool probe) : stream_(std::move(socket)), server_(server), probe_(probe) {}
    ~Session() {
        {
            std::lock_guard<std::mutex> lock(server_.sessions_mutex_);
            server_.sessions_.erase(this);
        }
        --(probe_ ? server_.probe_connections_ : server_.connections_);
    }

    void run() {
        {
            std::lock_guard<std::mutex> lock(server_.sessions_mutex_);
            server_.sessions_[this] = weak_from_this();
        }
        net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::do_read, shared_from_this()));
    }

    /// Graceful stop: close the connection if it waits for a request with nothing received yet,
    /// otherwise let the request in flight finish (its response will close the connection).
    void shutdown() {
        net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
            self->stopping_ = true;
            if (self->reading_ && self->buffer_.size() == 0 && !(self->parser_ && self->parser_->got_some())) {
                self->stream_.cancel();
            }
        });
    }

private:
    void do_read() {
        if (stopping_ && buffer_.size() == 0) return close();
        const ServerLimits& limits = server_.options_.limits;
        parser_.emplace(limits.header_limit);
        parser_->body_limit(limits.body_limit);
        if (probe_ && !first_) return close();
        stream_.expires_after(probe_ ? limits.probe_timeout : first_ || buffer_.size() > 0 ? limits.read_timeout : limits.idle_timeout);
        first_ = false;
        reading_ = true;
        http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        reading_ = false;
        if (ec == http::error::body_limit) {
            return reject(http::status::payload_too_large, "PayloadTooLarge", "the request body is larger than the limit");
        }
        if (ec == http::error::header_limit) {
            return reject(http::status::request_header_fields_too_large, "RequestHeaderFieldsTooLarge",
                          "the request headers are larger than the limit");
        }
        // Bytes that are not HTTP (a bad request line, header or chunk): say so before closing, as a
        // client or a proxy can then report it. A stream ended or cut off mid-request just closes.
        if (ec && ec.category() == beast::error_code(http::error::bad_method).category() && ec != http::error::end_of_stream &&
            ec != http::error::partial_message && parser_ && parser_->got_some()) {
            return reject(http::status::bad_request, "InvalidRequest", "the request is not valid HTTP/1.1 (" + ec.message() + ")");
        }
        if (ec) return close();  // end of stream, timeout, cancelled by stop()
        started_ = std::chrono::steady_clock::now();
        Request request = parser_->release();
        if (server_.options_.access_log) {
            method_.assign(request.method_string());  // reuses the strings' capacity
            target_.assign(request.target());
        }
        if (probe_ && !is_probe_path(request.target())) {
            Response busy = error_response(request, HttpError(http::status::service_unavailable, "Busy",
                                                              "the server has its maximum of " + std::to_string(server_.options_.limits.max_connections) +
                                                                  " connections open; only its health checks are answered now; try again later"));
            busy.set(http::field::retry_after, "5");
            add_cors_headers(busy);
            return send(std::move(busy));
        }
        Router::Routed routed;
        Response response = server_.router_->handle(request, routed, false);  // matches once, names the route
        route_ = routed.name;
        if (!routed.deferred) return send(std::move(response));
        if (routed.execution == Execution::blocking) {
            return run_off_io(std::move(request), *server_.blocking_pool_, server_.blocking_queued_, server_.options_.limits.max_blocking_queue,
                              "too many long requests are running or waiting; try again later");
        }
        run_off_io(std::move(request), *server_.worker_pool_, server_.worker_queued_, server_.options_.limits.max_worker_queue,
                   "too many requests are waiting for the server's workers; try again later");
    }

    /// Runs the handler on `pool` (the blocking pool for long computations, the worker pool for CPU
    /// work such as a cold tile): the io threads go on serving. The work guard keeps the io_context
    /// running (even while stopping) until the response is handed back to this session.
    void run_off_io(Request&& request, net::thread_pool& pool, std::atomic<std::size_t>& queued, std::size_t limit,
                    const char* busy_message) {
        if (queued.fetch_add(1) >= limit) {
            --queued;
            Response busy = error_response(request, HttpError(http::status::service_unavailable, "Busy", busy_message));
            busy.set(http::field::retry_after, "5");
            add_cors_headers(busy);
            return send(std::move(busy));
        }
        auto gone = std::make_shared<std::atomic<bool>>(false);
        watch_for_hang_up(gone);
        net::post(pool, [self = shared_from_this(), request = std::move(request), &queued, gone, work = net::make_work_guard(server_.ioc_)]() mutable {
            Response response = self->server_.router_->handle_off_io(request, gone.get(), &self->server_.stopping_);
            --queued;
            net::dispatch(self->stream_.get_executor(), [self, response = std::move(response), work = std::move(work)]() mutable {
                beast::error_code ignored;
                self->stream_.socket().cancel(ignored);  // ends watch_for_hang_up's wait
                self->send(std::move(response));
            });
        });
    }

    /// While a handler runs on a pool, notices the client closing its connection (end of stream) and
    /// sets `gone`, which the handler can read (RouteContext::cancelled) to give up long work. Bytes of
    /// a next request are left for the next read.
    void watch_for_hang_up(std::shared_ptr<std::atomic<bool>> gone) {
        stream_.socket().async_wait(tcp::socket::wait_read, [self = shared_from_this(), gone](beast::error_code ec) {
            if (ec) return;  // cancelled: the response is ready
            char byte = 0;
            beast::error_code peek_error;
            const std::size_t n = self->stream_.socket().receive(net::buffer(&byte, 1), tcp::socket::message_peek, peek_error);
            if (peek_error == net::error::eof || peek_error == net::error::connection_reset || (!peek_error && n == 0)) *gone = true;
        });
    }

    void reject(http::status status, const std::string& code, const std::string& description) {
        started_ = std::chrono::steady_clock::now();
        Request request{http::verb::unknown, "", 11};
        request.keep_alive(false);
        method_.assign(parser_ && parser_->is_header_done() ? std::string_view(parser_->get().method_string()) : std::string_view("-"));
        target_.assign(parser_ && parser_->is_header_done() ? std::string_view(parser_->get().target()) : std::string_view("-"));
        route_ = "unknown";
        Response response = error_response(request, HttpError(status, code, description));
        add_cors_headers(response);
        send(std::move(response));
    }

    void send(Response&& response) {
        if (stopping_ || server_.stopping_ || probe_) response.keep_alive(false);
        response_ = std::move(response);
        status_ = response_.result_int();
        // Recorded before the write, so that a client's next request already sees it in /metrics.
        handled_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
        server_.metrics_->record(route_, status_, handled_seconds_);
        stream_.expires_after(server_.options_.limits.read_timeout);
        // The header in one buffer, then the body's pieces (cached bytes, not copies): one gathered write.
        head_.clear();
        serialize_header(response_, head_);
        buffers_.clear();
        buffers_.emplace_back(head_.data(), head_.size());
        for (const auto& piece : response_.body().pieces()) buffers_.emplace_back(piece.data, piece.size);
        written_ = 0;
        write_buffers();
    }

    /// Writes buffers_, then each next piece of a streamed body, until all is out. Asio writes at most
    /// 64 buffers per call: a page of 1,000 features (2,000 pieces) would take dozens of calls. So
    /// first what the socket takes at once, with up to 1,024 buffers per call; what is left (a slow
    /// reader) goes through async_write, under the stream's timeout.
    void write_buffers() {
        while (true) {
            beast::error_code ec;
            written_ += send_now(ec);
            if (ec) return on_write(ec, written_);
            if (!sent_all_) {
                stream_.expires_after(server_.options_.limits.read_timeout);
                net::async_write(stream_, buffers_, [self = shared_from_this()](beast::error_code error, std::size_t bytes) {
                    self->written_ += bytes;
                    if (error) return self->on_write(error, self->written_);
                    if (self->next_stream_piece()) return self->write_buffers();
                    self->finish_write();
                });
                return;
            }
            if (!next_stream_piece()) return finish_write();
        }
    }

    /// Puts a streamed body's next piece (framed as an HTTP/1.1 chunk when chunked) in buffers_;
    /// false when there is none. A stream that fails ends the connection without the last chunk.
    bool next_stream_piece() {
        BodyStream* body = response_.body().body_stream();
        if (body == nullptr || stream_done_) return false;
        piece_.clear();
        bool more = false;
        try {
            more = body->next(piece_);
        } catch (...) {
            stream_failed_ = true;
            return false;
        }
        stream_done_ = !more;
        buffers_.clear();
        frame_.clear();
        const bool chunked = response_.chunked();
        if (chunked && !piece_.empty()) {
            fmt::format_to(std::back_inserter(frame_), "{:x}\r\n", piece_.size());
            buffers_.emplace_back(frame_.data(), frame_.size());
        }
        buffers_.emplace_back(piece_.data(), piece_.size());
        const std::string_view tail = !chunked ? "" : piece_.empty() ? (more ? "" : "0\r\n\r\n") : (more ? "\r\n" : "\r\n0\r\n\r\n");
        if (!tail.empty()) buffers_.emplace_back(tail.data(), tail.size());
        return true;
    }

    void finish_write() {
        if (stream_failed_) return on_write(beast::errc::make_error_code(beast::errc::io_error), written_);
        on_write({}, written_);
    }

    /// Writes as much of buffers_ as the socket accepts without waiting and drops what was written
    /// from buffers_; sets sent_all_ when nothing is left. Returns the bytes written.
    std::size_t send_now(beast::error_code& ec) {
        sent_all_ = false;
        std::size_t total = 0;
        std::size_t next = 0;
        const int fd = stream_.socket().native_handle();
        while (next < buffers_.size()) {
            std::array<::iovec, 1024> iov;
            std::size_t count = 0;
            for (std::size_t i = next; i < buffers_.size() && count < iov.size(); ++i) {
                iov[count++] = {const_cast<void*>(buffers_[i].data()), buffers_[i].size()};
            }
            ::msghdr message{};
            message.msg_iov = iov.data();
            message.msg_iovlen = count;
            const ssize_t written = ::sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (written < 0) {
                if (errno == EINTR) continue;
                if (errno != EAGAIN && errno != EWOULDBLOCK) ec = beast::error_code(errno, boost::system::system_category());
                break;
            }
            if (written == 0) break;
            auto left = static_cast<std::size_t>(written);
            total += left;
            while (next < buffers_.size() && left >= buffers_[next].size()) left -= buffers_[next++].size();
            if (left > 0) {
                buffers_[next] += left;  // part of this buffer went out
                break;                   // the socket is full
            }
        }
        buffers_.erase(buffers_.begin(), buffers_.begin() + static_cast<std::ptrdiff_t>(next));
        sent_all_ = !ec && buffers_.empty();
        return total;
    }

    void on_write(beast::error_code ec, std::size_t bytes) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
        if (server_.options_.access_log) {
            fmt::memory_buffer line;  // on the stack for any usual line: no allocation
            fmt::format_to(std::back_inserter(line), "{} {} {} {} {:.3f}ms {}{}\n", method_, target_, status_, bytes, seconds * 1000,
                           route_, ec ? " (write failed)" : "");
            server_.access_log_.append(std::string_view(line.data(), line.size()));
        }
        const bool keep_alive = response_.keep_alive();
        response_ = {};
        stream_done_ = stream_failed_ = false;
        piece_ = {};  // a streamed body's last piece: not held while the connection idles
        if (ec || !keep_alive) return close();
        do_read();
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream_.socket().close(ignored);
    }

    beast::tcp_stream stream_;
    HttpServer::Impl& server_;
    beast::flat_buffer buffer_;
    std::optional<RequestParser> parser_;
    Response response_;
    std::string head_;                           // response_'s serialised header, while it is written
    std::vector<net::const_buffer> buffers_;     // head_ and the body's pieces, while they are written
    bool sent_all_ = false;
    std::size_t written_ = 0;                    // bytes of the response written so far
    std::string piece_, frame_;                  // a streamed body's current piece and its chunk size line
    bool stream_done_ = false, stream_failed_ = false;
    bool is_probe_path(std::string_view target) const {
        const std::string_view path = target.substr(0, target.find('?'));
        const auto& paths = server_.options_.probe_paths;
        return std::find(paths.begin(), paths.end(), path) != paths.end();
    }

    bool probe_;
    bool first_ = true;
    bool reading_ = false;
    bool stopping_ = false;
    std::chrono::steady_clock::time_point started_;
    std::string method_, target_;
    std::string_view route_ = "unknown";  // a route name owned by the router, or a literal
    unsigned status_ = 0;
    double handled_seconds_ = 0;  // from the request read to its response ready
};

}  // namespace

void HttpServer::Impl::do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_), beast::bind_front_handler(&Impl::on_accept, shared_from_this()));
}

void HttpServer::Impl::on_accept(beast::error_code ec, tcp::socket socket) {
    if (stopping_ || !acceptor_.is_open()) return;
    if (!ec) {
        // Responses go out in several writes (a header, then a streamed body's pieces): with Nagle's
        // algorithm each later piece waits for the client's delayed ACK, 40 ms on Linux.
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        if (connections_.load() < options_.limits.max_connections) {
            ++connections_;
            std::make_shared<Session>(std::move(socket), *this, false)->run();
        } else if (!options_.probe_paths.empty() && probe_connections_.load() < options_.limits.probe_connections) {
            ++probe_connections_;
            std::make_shared<Session>(std::move(socket), *this, true)->run();
        } else {
            socket.close(ignored);
        }
    }
    do_accept();
}

void HttpServer::Impl::do_stop() {
    beast::error_code ignored;
    acceptor_.close(ignored);
    signals_.cancel(ignored);
    std::vector<std::shared_ptr<Session>> live;
    {
        std::lock_guard<std::mutex> lock(sessions_mutex_);
        for (auto& [pointer, weak] : sessions_) {
            if (auto session = weak.lock()) live.push_back(std::move(session));
        }
    }
    for (auto& session : live) session->shutdown();
}

HttpServer::HttpServer(ServerOptions options) {
    options.limits.validate();
    if (options.access_log) options.access_log_file.validate();
    if (options.threads == 0) options.threads = std::max(1u, std::thread::hardware_concurrency());
    impl_ = std::make_shared<Impl>(std::move(options));
    impl_->blocking_pool_.emplace(std::max(1u, impl_->options_.blocking_threads));
    const unsigned workers = impl_->options_.worker_threads > 0 ? impl_->options_.worker_threads : std::max(1u, std::thread::hardware_concurrency());
    impl_->worker_pool_.emplace(workers);
}

HttpServer::~HttpServer() {
    stop();
    wait();
}

std::uint16_t HttpServer::listen() {
    const std::string& host = impl_->options_.host;
    const std::string where = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(impl_->options_.port);
    boost::system::error_code error;
    const net::ip::address address = net::ip::make_address(host, error);
    if (error) throw ListenError("cannot listen on " + host + ": not an IP address");
    const tcp::endpoint endpoint{address, impl_->options_.port};
    tcp::acceptor& acceptor = impl_->acceptor_;
    auto fail = [&](const boost::system::error_code& e) {
        if (acceptor.is_open()) acceptor.close();
        if (e == net::error::address_in_use) throw ListenError("port " + std::to_string(impl_->options_.port) + " is in use (" + where + ")");
        if (e == net::error::access_denied) throw ListenError("not allowed to listen on " + where + " (ports below 1024 need privileges)");
        if (e == boost::system::errc::address_not_available) throw ListenError("cannot listen on " + where + ": not an address of this machine");
        throw ListenError("cannot listen on " + where + ": " + e.message());
    };
    if (acceptor.open(endpoint.protocol(), error)) fail(error);
    if (acceptor.set_option(net::socket_base::reuse_address(true), error)) fail(error);
    if (acceptor.bind(endpoint, error)) fail(error);
    if (acceptor.listen(net::socket_base::max_listen_connections, error)) fail(error);
    impl_->port_ = acceptor.local_endpoint().port();
    return impl_->port_;
}

std::uint16_t HttpServer::port() const { return impl_->port_; }

void HttpServer::start(const Router& router, Metrics& metrics) {
    if (!impl_->acceptor_.is_open()) listen();
    impl_->router_ = &router;
    impl_->metrics_ = &metrics;
    if (impl_->options_.handle_signals) {
        impl_->signals_.add(SIGINT);
        impl_->signals_.add(SIGTERM);
        impl_->signals_.async_wait([this](const beast::error_code& ec, int) {
            if (!ec) stop();
        });
    }
    if (impl_->options_.access_log) impl_->access_log_.start();
    net::dispatch(impl_->accept_strand_, [impl = impl_] { impl->do_accept(); });
    for (unsigned i = 0; i < impl_->options_.threads; ++i) {
        impl_->threads_.emplace_back([impl = impl_.get()] { impl->ioc_.run(); });
    }
}

void HttpServer::stop() {
    if (impl_->stopping_.exchange(true)) return;
    if (impl_->threads_.empty()) {
        impl_->do_stop();  // never started: nothing runs the io_context
        return;
    }
    net::post(impl_->accept_strand_, [impl = impl_] { impl->do_stop(); });
}

bool HttpServer::stopping() const { return impl_->stopping_.load(); }

void HttpServer::wait() {
    std::lock_guard<std::mutex> lock(impl_->join_mutex_);
    for (std::thread& thread : impl_->threads_) {
        if (thread.joinable()) thread.join();
    }
    impl_->threads_.clear();
    if (impl_->blocking_pool_) impl_->blocking_pool_->join();
    if (impl_->worker_pool_) impl_->worker_pool_->join();
    impl_->access_log_.flush();  // every answered request is logged by the time wait() returns
}

}  // namespace server
