#include "base/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "base/printable.h"

namespace testbed::log {
namespace {

std::atomic<Level> g_level{Level::info};

const char* label(Level level) {
    switch (level) {
        case Level::debug:
            return "debug";
        case Level::info:
            return "info";
        case Level::warning:
            return "warning";
        case Level::error:
            return "error";
    }
    return "?";
}

const char* colour(Level level) {
    switch (level) {
        case Level::debug:
            return "\033[2m";
        case Level::info:
            return "\033[36m";
        case Level::warning:
            return "\033[33m";
        case Level::error:
            return "\033[31m";
    }
    return "";
}

}  // namespace

void set_level(Level level) {
    g_level = level;
}

bool enabled(Level level) {
    return level >= g_level.load();
}

void write(Level level, std::string_view raw) {
    if (!enabled(level)) return;
    // Messages quote names and output from outside: never a raw control byte.
    const std::string message = printable(raw, Keep::newlines);
    static const bool tty = isatty(STDERR_FILENO) == 1;
    if (tty) {
        fmt::print(stderr, "{}{}\033[0m: {}\n", colour(level), label(level), message);
    } else {
        fmt::print(stderr, "{}: {}\n", label(level), message);
    }
}

}  // namespace testbed::log
