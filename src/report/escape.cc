#include "report/escape.h"

#include <string_view>

#include "base/utf8.h"

namespace testbed {
namespace {

/// U+FFFD, for a byte that is not UTF-8 and for what XML 1.0 forbids.
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

/// `s` (valid UTF-8) escaped; noncharacters U+FFFE and U+FFFF replaced.
void escape_valid(std::string_view s, std::string& out) {
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                // XML 1.0 allows no control characters but tab, newline and carriage return.
                if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
                    out += '?';
                } else if (s.substr(i, 2) == "\xEF\xBF" && i + 2 < s.size() &&
                           (s[i + 2] == '\xBE' || s[i + 2] == '\xBF')) {
                    out += kReplacement;
                    i += 2;
                } else {
                    out += c;
                }
        }
    }
}

}  // namespace

std::string xml_escape(const std::string& s) {
    std::string out;
    std::string_view rest = s;
    // A program's output may hold any bytes: each one that does not begin
    // or continue well-formed UTF-8 becomes U+FFFD, so the report parses.
    while (auto bad = first_invalid_utf8(rest)) {
        escape_valid(rest.substr(0, *bad), out);
        out += kReplacement;
        rest.remove_prefix(*bad + 1);
    }
    escape_valid(rest, out);
    return out;
}

}  // namespace testbed
