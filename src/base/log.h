#pragma once
/// Levelled logging to stderr, coloured only when stderr is a terminal.
/// Modelled on nsjail's logs.h: one line per event, the level first.

#include <fmt/core.h>

#include <string_view>

namespace testbed::log {

enum class Level { debug = 0, info = 1, warning = 2, error = 3 };

/// Sets the lowest level that is printed (default: info).
void set_level(Level level);
/// True when messages of this level are printed.
bool enabled(Level level);
/// Prints one line at the given level; the line ends with a newline.
void write(Level level, std::string_view message);

template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(Level::debug)) write(Level::debug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(Level::info)) write(Level::info, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warning(fmt::format_string<Args...> f, Args&&... args) {
    write(Level::warning, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
    write(Level::error, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace testbed::log
