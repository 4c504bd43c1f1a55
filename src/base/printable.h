#pragma once
/// Text from outside (a topology's names, a program's output) made safe to
/// print on a terminal: a control byte in an error message could otherwise
/// retitle, clear or rewrite the user's terminal, or forge a line.

#include <string>
#include <string_view>

namespace testbed {

/// What may stay as it is besides printable text.
enum class Keep { nothing, newlines };

/// `text` with every control character (C0 but those `keep` allows, DEL,
/// and C1 as UTF-8 encodes them) written as \n, \t, \r, \e or \xNN, and a
/// backslash doubled only where it would read as such an escape.
std::string printable(std::string_view text, Keep keep = Keep::nothing);

}  // namespace testbed
