#include "model/link.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <array>
#include <charconv>
#include <vector>

namespace testbed {
namespace {

/// "1.5" of "1.5%": a decimal number taking all of `text`.
std::optional<double> number(std::string_view text) {
    if (text.empty() || text.front() == '+' || text.front() == '-') return std::nullopt;
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::string percent_text(double p) {
    return fmt::format("{:g}%", p);
}

struct RateUnit {
    std::string_view suffix;
    uint64_t factor;
};
constexpr std::array kRateUnits{RateUnit{"gbit", 1'000'000'000}, RateUnit{"mbit", 1'000'000},
                                RateUnit{"kbit", 1'000}, RateUnit{"bit", 1}};

}  // namespace

bool LinkConditions::empty() const {
    return !delay && !jitter && !loss && !loss_correlation && !duplicate && !reorder && !rate;
}

std::string LinkConditions::describe() const {
    std::vector<std::string> parts;
    if (delay) parts.push_back("delay " + format_duration(*delay));
    if (jitter) parts.push_back("jitter " + format_duration(*jitter));
    if (loss) parts.push_back("loss " + percent_text(*loss));
    if (loss_correlation) parts.push_back("loss-correlation " + percent_text(*loss_correlation));
    if (duplicate) parts.push_back("duplicate " + percent_text(*duplicate));
    if (reorder) parts.push_back("reorder " + percent_text(*reorder));
    if (rate) parts.push_back("rate " + format_rate(*rate));
    return fmt::format("{}", fmt::join(parts, ", "));
}

std::string LinkSpec::describe() const {
    std::vector<std::string> parts;
    if (in.empty() || in == out) {
        if (!out.empty()) parts.push_back(out.describe());
    } else {
        if (!out.empty()) parts.push_back("out: " + out.describe());
        parts.push_back("in: " + in.describe());
    }
    if (mtu) parts.push_back(fmt::format("mtu {}", *mtu));
    return fmt::format("{}", fmt::join(parts, "; "));
}

LinkConditions overlay(const LinkConditions& base, const LinkConditions& over) {
    LinkConditions out = base;
    if (over.delay) out.delay = over.delay;
    if (over.jitter) out.jitter = over.jitter;
    if (over.loss) out.loss = over.loss;
    if (over.loss_correlation) out.loss_correlation = over.loss_correlation;
    if (over.duplicate) out.duplicate = over.duplicate;
    if (over.reorder) out.reorder = over.reorder;
    if (over.rate) out.rate = over.rate;
    return out;
}

std::optional<double> parse_percent(std::string_view text) {
    if (text.size() < 2 || text.back() != '%') return std::nullopt;
    const auto value = number(text.substr(0, text.size() - 1));
    if (!value || *value < 0 || *value > 100) return std::nullopt;
    return value;
}

std::optional<uint64_t> parse_rate(std::string_view text) {
    for (const auto& unit : kRateUnits) {
        if (text.size() <= unit.suffix.size() || !text.ends_with(unit.suffix)) continue;
        const std::string_view digits = text.substr(0, text.size() - unit.suffix.size());
        uint64_t value = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (ec != std::errc() || end != digits.data() + digits.size() || value == 0)
            return std::nullopt;
        if (value > UINT64_MAX / unit.factor) return std::nullopt;
        return value * unit.factor;
    }
    return std::nullopt;
}

std::string format_rate(uint64_t bits_per_second) {
    for (const auto& unit : kRateUnits) {
        if (bits_per_second % unit.factor == 0)
            return fmt::format("{}{}", bits_per_second / unit.factor, unit.suffix);
    }
    return fmt::format("{}bit", bits_per_second);
}

}  // namespace testbed
