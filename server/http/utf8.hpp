#pragma once
// JSON text must be UTF-8 (RFC 8259 section 8.1), and responses echo what clients sent: percent-decoded
// targets and header values are checked or mended here before they reach a JSON body.
#include <cstddef>
#include <string>
#include <string_view>

namespace server {

/// Where `text` stops being valid UTF-8 (RFC 3629: no overlong forms, surrogates or code points above
/// U+10FFFF), or npos.
std::size_t invalid_utf8_at(std::string_view text);

/// `text` with every byte that does not start a valid UTF-8 sequence replaced by U+FFFD.
std::string mend_utf8(std::string_view text);

}  // namespace server
