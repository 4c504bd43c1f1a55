#pragma once
/// UTF-8 validity of input text (YAML requires Unicode; JSON output cannot
/// carry invalid bytes), and where the first bad byte is, for an error
/// that says line and column.

#include <cstddef>
#include <optional>
#include <string_view>

namespace testbed {

/// The offset of the first byte that does not begin or continue a
/// well-formed UTF-8 sequence (RFC 3629: no overlongs, no surrogates,
/// nothing past U+10FFFF); nullopt when `text` is valid.
std::optional<size_t> first_invalid_utf8(std::string_view text);

/// 1-based line and column (in bytes) of `offset` in `text`.
struct TextPosition {
    int line = 1;
    int column = 1;
};
TextPosition position_of(std::string_view text, size_t offset);

}  // namespace testbed
