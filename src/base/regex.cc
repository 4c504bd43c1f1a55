#include "base/regex.h"

#include <fmt/core.h>
#include <re2/re2.h>

namespace testbed {

std::optional<Regex> Regex::compile(std::string_view pattern, std::string* why) {
    if (pattern.size() > kMaxPattern) {
        if (why) *why = fmt::format("{} characters; at most {}", pattern.size(), kMaxPattern);
        return std::nullopt;
    }
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(8 << 20);  // the compiled program's memory, bounded
    auto re =
        std::make_shared<const RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
    if (!re->ok()) {
        if (why) *why = re->error();
        return std::nullopt;
    }
    return Regex(std::move(re), std::string(pattern));
}

bool Regex::search(std::string_view text) const {
    return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

bool Regex::full_match(std::string_view text) const {
    return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

}  // namespace testbed
