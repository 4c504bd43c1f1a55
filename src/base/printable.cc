#include "base/printable.h"

#include <fmt/core.h>

namespace testbed {
namespace {

/// The escape of the C0 or DEL byte `c`.
std::string escape_of(unsigned char c) {
    switch (c) {
        case '\n':
            return "\\n";
        case '\t':
            return "\\t";
        case '\r':
            return "\\r";
        case 0x1b:
            return "\\e";
        default:
            return fmt::format("\\x{:02x}", c);
    }
}

}  // namespace

std::string printable(std::string_view text, Keep keep) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        const bool kept = keep == Keep::newlines && (c == '\n' || c == '\t');
        if ((c < 0x20 && !kept) || c == 0x7f) {
            out += escape_of(c);
        } else if (c == 0xc2 && i + 1 < text.size() &&
                   static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
            // U+0080..U+009F: C1 controls (CSI among them) in UTF-8.
            out += fmt::format("\\u{:04x}", static_cast<unsigned char>(text[++i]));
        } else if (c == '\\' && i + 1 < text.size() &&
                   std::string_view("ntrexu\\").find(text[i + 1]) != std::string_view::npos) {
            out += "\\\\";
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

}  // namespace testbed
