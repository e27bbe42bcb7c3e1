#pragma once
// Raw HTTP over a POSIX TCP socket for the abuse tests: any bytes (not only what a client library would
// send), optionally in small pieces, every step bounded by a timeout; the answer read to the end.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>

namespace raw_http {

/// What came back: the status (0 when the connection closed, or timed out, with no answer), the
/// header block and the body (de-chunked).
struct Reply {
    int status = 0;
    std::string headers;
    std::string body;
    bool timed_out = false;  // still open and silent when the timeout came
};

/// A connected socket with send and receive timeouts; closed on destruction.
class Connection {
public:
    Connection(std::uint16_t port, std::chrono::milliseconds timeout) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd_ < 0) return;
        timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        const int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    ~Connection() {
        if (fd_ >= 0) ::close(fd_);
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    bool connected() const { return fd_ >= 0; }

    /// Sends `bytes`, in pieces of `piece` bytes a little apart when given (a client dribbling a request).
    /// A server that answers and closes early makes the rest fail: that is not an error here.
    void send(const std::string& bytes, std::size_t piece = 0) {
        const std::size_t step = piece == 0 ? bytes.size() : piece;
        for (std::size_t at = 0; at < bytes.size() && fd_ >= 0;) {
            const std::size_t n = std::min(step, bytes.size() - at);
            std::size_t sent = 0;
            while (sent < n) {
                const ssize_t r = ::send(fd_, bytes.data() + at + sent, n - sent, MSG_NOSIGNAL);
                if (r < 0 && errno == EINTR) continue;
                if (r <= 0) return;
                sent += static_cast<std::size_t>(r);
            }
            at += n;
            if (piece != 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
    }

    /// Reads until the server closes the connection (or the timeout, or a reset), then parses.
    Reply receive() {
        std::string raw;
        Reply reply;
        char buffer[65536];
        while (fd_ >= 0) {
            const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
            if (n > 0) {
                raw.append(buffer, static_cast<std::size_t>(n));
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) reply.timed_out = true;
            break;
        }
        parse(raw, reply);
        return reply;
    }

private:
    static void parse(const std::string& raw, Reply& reply) {
        const auto end = raw.find("\r\n\r\n");
        if (raw.rfind("HTTP/1.", 0) != 0 || end == std::string::npos || raw.size() < 12) return;
        reply.status = std::atoi(raw.substr(9, 3).c_str());
        reply.headers = raw.substr(0, end + 2);
        std::string body = raw.substr(end + 4);
        std::string lower = reply.headers;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower.find("transfer-encoding: chunked") == std::string::npos) {
            reply.body = std::move(body);
            return;
        }
        for (std::size_t at = 0; at < body.size();) {
            const auto line_end = body.find("\r\n", at);
            if (line_end == std::string::npos) break;
            const std::size_t size = std::strtoul(body.substr(at, line_end - at).c_str(), nullptr, 16);
            if (size == 0) break;
            reply.body += body.substr(line_end + 2, size);
            at = line_end + 2 + size + 2;
        }
    }
    int fd_ = -1;
};

/// One exchange on a fresh connection.
inline Reply exchange(std::uint16_t port, const std::string& request, std::size_t piece = 0,
                      std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    Connection connection(port, timeout);
    if (!connection.connected()) return {};
    connection.send(request, piece);
    return connection.receive();
}

/// A request as bytes; "Connection: close" so that the answer ends with the connection.
inline std::string request(const std::string& method, const std::string& target, const std::string& extra_headers = "",
                           const std::string& body = "") {
    std::string out = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra_headers;
    if (!body.empty() || method == "POST") out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    return out + "\r\n" + body;
}

}  // namespace raw_http
