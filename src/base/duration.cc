#include "base/duration.h"

#include <fmt/core.h>

#include <charconv>
#include <cmath>

#include "base/error.h"

namespace testbed {

std::optional<Duration> parse_duration(std::string_view text) {
    size_t unit_at = 0;
    while (unit_at < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[unit_at])) || text[unit_at] == '.')) {
        ++unit_at;
    }
    if (unit_at == 0) return std::nullopt;
    double number = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + unit_at, number);
    if (ec != std::errc() || end != text.data() + unit_at) return std::nullopt;
    const std::string_view unit = text.substr(unit_at);
    double factor = 0;
    if (unit == "ms")
        factor = 1;
    else if (unit == "s")
        factor = 1000;
    else if (unit == "m")
        factor = 60'000;
    else if (unit == "h")
        factor = 3'600'000;
    else
        return std::nullopt;
    const double ms = number * factor;
    if (!std::isfinite(ms) || ms > 1e12) return std::nullopt;
    return Duration(static_cast<int64_t>(std::llround(ms)));
}

Duration duration_option(std::string_view text, std::string_view option) {
    const auto d = parse_duration(text);
    if (!d) throw Error(fmt::format("{}: expected a duration such as 5s, got '{}'", option, text));
    return *d;
}

std::string format_duration(Duration d) {
    const auto ms = d.count();
    if (ms != 0 && ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
    return fmt::format("{}ms", ms);
}

}  // namespace testbed
