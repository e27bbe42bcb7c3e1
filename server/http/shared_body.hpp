#pragma once
// A Beast Body whose value is a sequence of byte pieces: small strings the body owns, and views into
// immutable data owned elsewhere (cached tiles, cached GeoJSON features) kept alive by shared owners
// the body holds. Serialising it writes the pieces in order, a batch of buffers per writer::get(), with
// an exact Content-Length (size()), without copying the referenced bytes into the response.
//
//   response.body() = std::string(...);                 // a plain owned body, as with string_body
//   response.body().append_view(bytes, owner);          // reference `bytes`, keep `owner` alive
//   body_text(response)                                 // the whole body as one string (tests, logs)
//   stream_body(response, stream)                       // bytes made while the response is written
//
// A streamed body (a page of thousands of features) is never whole in memory: its BodyStream hands
// out one piece at a time as the socket takes them, and the response goes out chunked (HTTP/1.1) or
// up to the connection's close (HTTP/1.0).
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <forward_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace server {

/// The bytes of a streamed body, made piece by piece while the response is written.
class BodyStream {
public:
    virtual ~BodyStream() = default;
    /// Appends the next piece to `out` (which comes empty) and returns whether more follow. It may
    /// throw: the connection is then closed mid-body, so the client sees the response is incomplete.
    virtual bool next(std::string& out) = 0;
};

struct SharedBody {
    class value_type {
    public:
        value_type() = default;
        value_type(std::string text) { append(std::move(text)); }  // NOLINT: implicit, like string_body
        value_type(const value_type& other) { copy_from(other); }
        value_type(value_type&&) noexcept = default;
        value_type& operator=(const value_type& other) {
            if (this != &other) {
                clear();
                copy_from(other);
            }
            return *this;
        }
        value_type& operator=(value_type&&) noexcept = default;
        /// Replaces the body with `text`, owned.
        value_type& operator=(std::string text) {
            clear();
            append(std::move(text));
            return *this;
        }

        /// Appends `text`, owned by the body (it is moved, not copied).
        void append(std::string text) {
            if (text.empty()) return;
            owned_.push_front(std::move(text));
            owned_bytes_ += owned_.front().size();
            add(owned_.front(), true);
        }
        /// Appends a view of bytes the body does not own: they must outlive the body, which is the case
        /// for string literals and for bytes owned by `owner` (kept alive by the body; null for literals).
        void append_view(std::string_view bytes, std::shared_ptr<const void> owner = {}) {
            keep(std::move(owner));
            add(bytes, false);
        }
        /// Keeps `owner` alive as long as the body (views appended with a null owner rely on it).
        void keep(std::shared_ptr<const void> owner) {
            if (!owner) return;
            for (const auto& held : owners_) {
                if (held == owner) return;
            }
            owners_.push_back(std::move(owner));
        }
        void reserve(std::size_t pieces) { pieces_.reserve(pieces); }
        /// Makes the body a stream's (replacing what it held): its size is then unknown. Use
        /// stream_body(), which also sets the framing.
        void stream(std::shared_ptr<BodyStream> stream) {
            clear();
            stream_ = std::move(stream);
        }
        bool streamed() const noexcept { return stream_ != nullptr; }
        BodyStream* body_stream() const noexcept { return stream_.get(); }

        std::size_t size() const noexcept { return size_; }
        bool empty() const noexcept { return size_ == 0; }
        /// Bytes the body owns (its own strings), as opposed to the bytes it references.
        std::size_t owned_bytes() const noexcept { return owned_bytes_; }
        std::size_t piece_count() const noexcept { return pieces_.size(); }
        void clear() noexcept {
            pieces_.clear();
            owned_.clear();
            owners_.clear();
            stream_.reset();
            size_ = 0;
            owned_bytes_ = 0;
        }
        /// The whole body, copied into one string (a streamed body is made now, and can be read once).
        std::string text() const {
            std::string out;
            out.reserve(size_);
            for (const Piece& piece : pieces_) out.append(piece.data, piece.size);
            for (std::string piece; stream_;) {
                piece.clear();
                const bool more = stream_->next(piece);
                out += piece;
                if (!more) break;
            }
            return out;
        }

        struct Piece {
            const char* data;
            std::size_t size;
            bool owned;
        };
        const std::vector<Piece>& pieces() const noexcept { return pieces_; }

    private:
        void add(std::string_view bytes, bool owned) {
            if (bytes.empty()) return;
            pieces_.push_back(Piece{bytes.data(), bytes.size(), owned});
            size_ += bytes.size();
        }
        void copy_from(const value_type& other) {
            owners_ = other.owners_;
            stream_ = other.stream_;  // shared: whichever copy is written consumes it
            pieces_.reserve(other.pieces_.size());
            for (const Piece& piece : other.pieces_) {
                if (piece.owned) {
                    append(std::string(piece.data, piece.size));
                } else {
                    add(std::string_view(piece.data, piece.size), false);
                }
            }
        }

        std::vector<Piece> pieces_;
        std::forward_list<std::string> owned_;  // nodes never move, so views of their bytes stay valid
        std::vector<std::shared_ptr<const void>> owners_;
        std::shared_ptr<BodyStream> stream_;
        std::size_t size_ = 0;
        std::size_t owned_bytes_ = 0;
    };

    /// The exact size of a body of pieces (a streamed body is never given a Content-Length: see stream_body).
    static std::uint64_t size(const value_type& body) { return body.size(); }

    /// Up to kBatch pieces as one buffer sequence (asio writes at most 64 buffers per call).
    struct Buffers {
        static constexpr std::size_t kBatch = 64;
        std::array<boost::asio::const_buffer, kBatch> items;
        std::size_t count = 0;
        const boost::asio::const_buffer* begin() const noexcept { return items.data(); }
        const boost::asio::const_buffer* end() const noexcept { return items.data() + count; }
    };

    class writer {
    public:
        using const_buffers_type = Buffers;

        template <bool isRequest, class Fields>
        writer(const boost::beast::http::header<isRequest, Fields>&, const value_type& body) : body_(body) {}

        void init(boost::beast::error_code& ec) { ec = {}; }

        boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec) {
            ec = {};
            const auto& pieces = body_.pieces();
            Buffers out;
            if (next_ < pieces.size()) {
                while (next_ < pieces.size() && out.count < Buffers::kBatch) {
                    const auto& piece = pieces[next_++];
                    out.items[out.count++] = boost::asio::const_buffer(piece.data, piece.size);
                }
                return std::make_pair(out, next_ < pieces.size() || (body_.streamed() && more_));
            }
            if (!body_.streamed() || !more_) return boost::none;
            piece_.clear();
            try {
                more_ = body_.body_stream()->next(piece_);
            } catch (...) {
                ec = boost::beast::errc::make_error_code(boost::beast::errc::io_error);
                return boost::none;
            }
            out.items[out.count++] = boost::asio::const_buffer(piece_.data(), piece_.size());
            return std::make_pair(out, more_);
        }

    private:
        const value_type& body_;
        std::size_t next_ = 0;
        bool more_ = true;
        std::string piece_;  // the stream's latest piece, valid until the next get()
    };

    /// Reading into a SharedBody (a client parsing a response) appends owned text.
    class reader {
    public:
        template <bool isRequest, class Fields>
        reader(boost::beast::http::header<isRequest, Fields>&, value_type& body) : body_(body) {}

        void init(const boost::optional<std::uint64_t>& length, boost::beast::error_code& ec) {
            ec = {};
            if (length) text_.reserve(static_cast<std::size_t>(*length));
        }
        template <class ConstBufferSequence>
        std::size_t put(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
            ec = {};
            std::size_t bytes = 0;
            for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers); ++it) {
                const boost::asio::const_buffer buffer(*it);
                text_.append(static_cast<const char*>(buffer.data()), buffer.size());
                bytes += buffer.size();
            }
            return bytes;
        }
        void finish(boost::beast::error_code& ec) {
            ec = {};
            body_.append(std::move(text_));
        }

    private:
        value_type& body_;
        std::string text_;
    };
};

}  // namespace server
