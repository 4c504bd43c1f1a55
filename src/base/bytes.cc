#include "base/bytes.h"

#include <fmt/core.h>

#include <charconv>

namespace testbed {
namespace {

struct Unit {
    std::string_view name;
    size_t factor;
};
constexpr Unit kUnits[] = {
    {"GiB", size_t{1} << 30}, {"MiB", size_t{1} << 20}, {"KiB", 1024}, {"B", 1}, {"", 1}};

}  // namespace

std::optional<size_t> parse_bytes(std::string_view text, size_t max) {
    size_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end == text.data()) return std::nullopt;
    const std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
    for (const auto& u : kUnits) {
        if (unit != u.name) continue;
        if (value > max / u.factor) return std::nullopt;
        return value * u.factor;
    }
    return std::nullopt;
}

std::string format_bytes(size_t bytes) {
    for (const auto& u : kUnits) {
        if (u.factor > 1 && bytes >= u.factor && bytes % u.factor == 0)
            return fmt::format("{} {}", bytes / u.factor, u.name);
    }
    return fmt::format("{} bytes", bytes);
}

}  // namespace testbed
