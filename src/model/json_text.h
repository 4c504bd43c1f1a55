#pragma once
/// JSON text from values that may hold bytes from outside (a topology's
/// strings, a program's output): invalid UTF-8 becomes U+FFFD instead of
/// an exception, so a report or a message is always written.

#include <nlohmann/json.hpp>
#include <string>

namespace testbed {

/// `value` as JSON text; `indent` as nlohmann's dump (-1: one line).
inline std::string json_text(const nlohmann::json& value, int indent = -1) {
    return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace testbed
