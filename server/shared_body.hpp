#pragma once
// A Beast Body whose value is a sequence of byte pieces: small strings the body owns, and views into
// immutable data owned elsewhere (cached tiles, cached GeoJSON features) kept alive by shared owners
// the body holds. Serialising it writes the pieces in order, a batch of buffers per writer::get(), with
// an exact Content-Length (size()), without copying the referenced bytes into the response.
//
//   response.body() = std::string(...);                 // a plain owned body, as with string_body
//   response.body().append_view(bytes, owner);          // reference `bytes`, keep `owner` alive
//   body_text(response)                                 // the whole body as one string (tests, logs)
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

        std::size_t size() const noexcept { return size_; }
        bool empty() const noexcept { return size_ == 0; }
        /// Bytes the body owns (its own strings), as opposed to the bytes it references.
        std::size_t owned_bytes() const noexcept { return owned_bytes_; }
        std::size_t piece_count() const noexcept { return pieces_.size(); }
        void clear() noexcept {
            pieces_.clear();
            owned_.clear();
            owners_.clear();
            size_ = 0;
            owned_bytes_ = 0;
        }
        /// The whole body, copied into one string.
        std::string text() const {
            std::string out;
            out.reserve(size_);
            for (const Piece& piece : pieces_) out.append(piece.data, piece.size);
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
        std::size_t size_ = 0;
        std::size_t owned_bytes_ = 0;
    };

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
            if (next_ >= pieces.size()) return boost::none;
            Buffers out;
            while (next_ < pieces.size() && out.count < Buffers::kBatch) {
                const auto& piece = pieces[next_++];
                out.items[out.count++] = boost::asio::const_buffer(piece.data, piece.size);
            }
            return std::make_pair(out, next_ < pieces.size());
        }

    private:
        const value_type& body_;
        std::size_t next_ = 0;
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
