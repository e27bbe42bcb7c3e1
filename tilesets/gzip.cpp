#include "tilesets/tile_archive.hpp"

#include <zlib.h>

#include <algorithm>
#include <limits>

namespace tilesets {

namespace {

ArchiveError zlib_error(const char* step, int code, const z_stream& stream) {
    std::string message = "gzip: zlib ";
    message += step;
    message += " failed (";
    message += stream.msg != nullptr ? stream.msg : std::to_string(code);
    message += ")";
    return ArchiveError(message);
}

}  // namespace

std::string gzip(std::string_view data) {
    z_stream stream{};
    // windowBits 15 + 16 asks for a gzip wrapper (RFC 1952). Without deflateSetHeader zlib writes MTIME 0,
    // no file name and OS "Unix", so the same input always gives the same bytes.
    int code = deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    if (code != Z_OK) throw zlib_error("deflateInit2", code, stream);

    std::string out;
    // deflateBound covers the whole output (header and trailer included) for inputs that fit a uLong.
    out.resize(deflateBound(&stream, static_cast<uLong>(std::min<std::size_t>(data.size(), std::numeric_limits<uLong>::max()))));
    auto* next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));  // zlib does not write through next_in
    std::size_t remaining_in = data.size();
    std::size_t produced = 0;
    constexpr std::size_t kMaxChunk = std::numeric_limits<uInt>::max();
    do {
        if (produced == out.size()) out.resize(out.size() * 2);
        const std::size_t in_chunk = std::min(remaining_in, kMaxChunk);
        const std::size_t out_chunk = std::min(out.size() - produced, kMaxChunk);
        stream.next_in = next_in;
        stream.avail_in = static_cast<uInt>(in_chunk);
        stream.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
        stream.avail_out = static_cast<uInt>(out_chunk);
        code = deflate(&stream, in_chunk == remaining_in ? Z_FINISH : Z_NO_FLUSH);
        if (code == Z_STREAM_ERROR) {
            deflateEnd(&stream);
            throw zlib_error("deflate", code, stream);
        }
        const std::size_t consumed = in_chunk - stream.avail_in;
        next_in += consumed;
        remaining_in -= consumed;
        produced += out_chunk - stream.avail_out;
    } while (code != Z_STREAM_END);
    deflateEnd(&stream);
    out.resize(produced);
    return out;
}

}  // namespace tilesets
