#include "tilesets/glyphs.hpp"

#include <protozero/pbf_message.hpp>
#include <protozero/pbf_writer.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace tilesets {

namespace {

// glyphs.proto (node-fontnik): glyphs { repeated fontstack stacks = 1; }
// fontstack { required string name = 1; required string range = 2; repeated glyph glyphs = 3; }
// glyph { required uint32 id = 1; optional bytes bitmap = 2; required uint32 width = 3; required uint32 height = 4;
//         required sint32 left = 5; required sint32 top = 6; required uint32 advance = 7; }
enum class GlyphsTag : protozero::pbf_tag_type { stacks = 1 };
enum class FontstackTag : protozero::pbf_tag_type { name = 1, range = 2, glyphs = 3 };
enum class GlyphTag : protozero::pbf_tag_type { id = 1, bitmap = 2, width = 3, height = 4, left = 5, top = 6, advance = 7 };

constexpr double kFar = 1e20;  // "no seed": a squared distance beyond any in a glyph

// One pass of the squared Euclidean distance transform (Felzenszwalb and Huttenlocher 2012) over `length`
// cells `stride` apart: each becomes min over r of (grid[r] + (q - r)^2). `f`, `v`, `z` are scratch.
void distance_pass(std::vector<double>& grid, std::size_t offset, std::size_t stride, std::size_t length, std::vector<double>& f,
                   std::vector<std::size_t>& v, std::vector<double>& z) {
    for (std::size_t q = 0; q < length; ++q) f[q] = grid[offset + q * stride];
    const auto intersection = [&](std::size_t q, std::size_t r) {
        const double dq = static_cast<double>(q), dr = static_cast<double>(r);
        return ((f[q] + dq * dq) - (f[r] + dr * dr)) / (2 * dq - 2 * dr);
    };
    std::size_t k = 0;
    v[0] = 0;
    z[0] = -kFar;
    z[1] = kFar;
    for (std::size_t q = 1; q < length; ++q) {
        double s = intersection(q, v[k]);
        // z[0] = -kFar lies below every intersection of finite parabolas, so k stays >= 0.
        while (k > 0 && s <= z[k]) s = intersection(q, v[--k]);
        ++k;
        v[k] = q;
        z[k] = s;
        z[k + 1] = kFar;
    }
    k = 0;
    for (std::size_t q = 0; q < length; ++q) {
        while (z[k + 1] < static_cast<double>(q)) ++k;
        const double d = static_cast<double>(q) - static_cast<double>(v[k]);
        grid[offset + q * stride] = f[v[k]] + d * d;
    }
}

void distance_transform(std::vector<double>& grid, std::size_t width, std::size_t height) {
    const std::size_t longest = std::max(width, height);
    std::vector<double> f(longest), z(longest + 1);
    std::vector<std::size_t> v(longest);
    for (std::size_t x = 0; x < width; ++x) distance_pass(grid, x, width, height, f, v, z);
    for (std::size_t y = 0; y < height; ++y) distance_pass(grid, y * width, 1, width, f, v, z);
}

}  // namespace

std::string signed_distance_field(const std::uint8_t* coverage, int width, int height, int pitch) {
    if (width < 0 || height < 0 || pitch < width) throw std::invalid_argument("glyph bitmap: negative size or a pitch below its width");
    if (width == 0 || height == 0) return {};
    const std::size_t w = static_cast<std::size_t>(width) + 2 * kGlyphBorder;
    const std::size_t h = static_cast<std::size_t>(height) + 2 * kGlyphBorder;
    // Squared distances to the nearest inside cell (outer) and to the nearest outside cell (inner). An edge
    // pixel's coverage a stands for an outline (a - 0.5) px from its centre, as in TinySDF.
    std::vector<double> outer(w * h, kFar), inner(w * h, 0.0);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const double a = coverage[static_cast<std::size_t>(y) * static_cast<std::size_t>(pitch) + static_cast<std::size_t>(x)] / 255.0;
            const std::size_t cell = (static_cast<std::size_t>(y) + kGlyphBorder) * w + static_cast<std::size_t>(x) + kGlyphBorder;
            if (a >= 1.0) {
                outer[cell] = 0;
                inner[cell] = kFar;
            } else if (a > 0.0) {
                const double below = std::max(0.0, 0.5 - a), above = std::max(0.0, a - 0.5);
                outer[cell] = below * below;
                inner[cell] = above * above;
            }
        }
    }
    distance_transform(outer, w, h);
    distance_transform(inner, w, h);
    std::string field(w * h, '\0');
    for (std::size_t i = 0; i < field.size(); ++i) {
        const double distance = std::sqrt(outer[i]) - std::sqrt(inner[i]);  // > 0 outside the outline
        const double value = std::round(255.0 - 255.0 * (distance / kGlyphRadius + kGlyphCutoff));
        field[i] = static_cast<char>(static_cast<std::uint8_t>(std::clamp(value, 0.0, 255.0)));
    }
    return field;
}

std::string glyph_range_name(std::uint32_t first) {
    return std::to_string(first) + "-" + std::to_string(first + kGlyphRangeSize - 1);
}

std::uint32_t parse_glyph_range(std::string_view name) {
    const auto dash = name.find('-');
    const auto number = [](std::string_view digits) -> std::int64_t {
        if (digits.empty() || digits.size() > 5 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return -1;
        if (digits.size() > 1 && digits[0] == '0') return -1;
        return std::stoll(std::string(digits));
    };
    if (dash != std::string_view::npos) {
        const std::int64_t first = number(name.substr(0, dash));
        const std::int64_t last = number(name.substr(dash + 1));
        if (first >= 0 && first % kGlyphRangeSize == 0 && first < kGlyphCodePointEnd && last == first + kGlyphRangeSize - 1) {
            return static_cast<std::uint32_t>(first);
        }
    }
    throw std::invalid_argument("a glyph range is 256 code points named FIRST-LAST with FIRST a multiple of 256 below 65536, e.g. 0-255; not '" +
                                std::string(name.substr(0, 40)) + "'");
}

std::string encode_glyph_range(std::string_view fontstack, std::uint32_t first, const std::vector<Glyph>& glyphs) {
    if (first % kGlyphRangeSize != 0 || first >= kGlyphCodePointEnd) throw std::invalid_argument("glyphs.proto: a range starts at a multiple of 256 below 65536");
    std::string out;
    protozero::pbf_writer file(out);
    protozero::pbf_writer stack(file, static_cast<protozero::pbf_tag_type>(GlyphsTag::stacks));
    stack.add_string(static_cast<protozero::pbf_tag_type>(FontstackTag::name), fontstack.data(), fontstack.size());
    stack.add_string(static_cast<protozero::pbf_tag_type>(FontstackTag::range), glyph_range_name(first));
    std::uint32_t previous = 0;
    for (std::size_t i = 0; i < glyphs.size(); ++i) {
        const Glyph& g = glyphs[i];
        if (g.id < first || g.id >= first + kGlyphRangeSize) {
            throw std::invalid_argument("glyphs.proto: glyph " + std::to_string(g.id) + " lies outside range " + glyph_range_name(first));
        }
        if (i > 0 && g.id <= previous) throw std::invalid_argument("glyphs.proto: glyphs must be in increasing id order");
        previous = g.id;
        const std::size_t expected = g.width == 0 || g.height == 0 ? 0 : (g.width + 2 * kGlyphBorder) * (g.height + 2 * kGlyphBorder);
        if (g.bitmap.size() != expected) {
            throw std::invalid_argument("glyphs.proto: glyph " + std::to_string(g.id) + "'s bitmap has " + std::to_string(g.bitmap.size()) +
                                        " bytes, not (width + 6) * (height + 6) = " + std::to_string(expected));
        }
        protozero::pbf_writer glyph(stack, static_cast<protozero::pbf_tag_type>(FontstackTag::glyphs));
        glyph.add_uint32(static_cast<protozero::pbf_tag_type>(GlyphTag::id), g.id);
        if (!g.bitmap.empty()) glyph.add_bytes(static_cast<protozero::pbf_tag_type>(GlyphTag::bitmap), g.bitmap);
        glyph.add_uint32(static_cast<protozero::pbf_tag_type>(GlyphTag::width), g.width);
        glyph.add_uint32(static_cast<protozero::pbf_tag_type>(GlyphTag::height), g.height);
        glyph.add_sint32(static_cast<protozero::pbf_tag_type>(GlyphTag::left), g.left);
        glyph.add_sint32(static_cast<protozero::pbf_tag_type>(GlyphTag::top), g.top);
        glyph.add_uint32(static_cast<protozero::pbf_tag_type>(GlyphTag::advance), g.advance);
    }
    return out;
}

GlyphRange decode_glyph_range(std::string_view pbf) {
    GlyphRange out;
    try {
        protozero::pbf_message<GlyphsTag> file(pbf.data(), pbf.size());
        while (file.next(GlyphsTag::stacks)) {
            protozero::pbf_message<FontstackTag> stack = file.get_message();
            while (stack.next()) {
                switch (stack.tag()) {
                    case FontstackTag::name: out.fontstack = stack.get_string(); break;
                    case FontstackTag::range: out.range = stack.get_string(); break;
                    case FontstackTag::glyphs: {
                        Glyph g;
                        protozero::pbf_message<GlyphTag> glyph = stack.get_message();
                        while (glyph.next()) {
                            switch (glyph.tag()) {
                                case GlyphTag::id: g.id = glyph.get_uint32(); break;
                                case GlyphTag::bitmap: g.bitmap = glyph.get_bytes(); break;
                                case GlyphTag::width: g.width = glyph.get_uint32(); break;
                                case GlyphTag::height: g.height = glyph.get_uint32(); break;
                                case GlyphTag::left: g.left = glyph.get_sint32(); break;
                                case GlyphTag::top: g.top = glyph.get_sint32(); break;
                                case GlyphTag::advance: g.advance = glyph.get_uint32(); break;
                                default: glyph.skip();
                            }
                        }
                        const std::size_t expected = g.bitmap.empty() ? 0 : (g.width + 2 * kGlyphBorder) * (g.height + 2 * kGlyphBorder);
                        if (g.bitmap.size() != expected) {
                            throw std::invalid_argument("glyph " + std::to_string(g.id) + "'s bitmap is not (width + 6) * (height + 6) bytes");
                        }
                        out.glyphs.push_back(std::move(g));
                        break;
                    }
                    default: stack.skip();
                }
            }
        }
    } catch (const protozero::exception& bad) {
        throw std::invalid_argument(std::string("not a glyphs protobuf: ") + bad.what());
    }
    return out;
}

}  // namespace tilesets
