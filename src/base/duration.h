#pragma once
/// Durations as written in topology files: "15s", "500ms", "2m", "1.5s".

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace testbed {

using Duration = std::chrono::milliseconds;

/// Parses a number followed by a unit (ms, s, m, h). A bare number is
/// rejected: the unit is what makes a file readable. nullopt on bad input.
std::optional<Duration> parse_duration(std::string_view text);

/// parse_duration for a command-line option: throws Error naming the
/// option and the text ("--timeout: expected a duration such as 5s, got 'x'").
Duration duration_option(std::string_view text, std::string_view option);

/// Shortest exact text for a duration: "15s", "1500ms".
std::string format_duration(Duration d);

}  // namespace testbed
