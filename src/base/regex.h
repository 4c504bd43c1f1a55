#pragma once
/// Regular expressions a user supplies (expectations, readiness, --filter):
/// RE2, so matching is linear in the text and never recurses on it; a
/// pattern that would need backtracking (backreferences, lookaround) is
/// refused when it is compiled, with RE2's reason.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace testbed {

class Regex {
  public:
    /// The longest pattern accepted.
    static constexpr size_t kMaxPattern = 4096;

    /// Compiles `pattern` (RE2 syntax); nullopt with `why` set when it is
    /// not a valid or acceptable pattern.
    static std::optional<Regex> compile(std::string_view pattern, std::string* why = nullptr);

    /// True when the pattern matches somewhere in `text`.
    bool search(std::string_view text) const;
    /// True when the pattern matches all of `text`.
    bool full_match(std::string_view text) const;
    const std::string& pattern() const { return pattern_; }

  private:
    Regex(std::shared_ptr<const re2::RE2> re, std::string pattern)
        : re_(std::move(re)), pattern_(std::move(pattern)) {}
    std::shared_ptr<const re2::RE2> re_;
    std::string pattern_;
};

}  // namespace testbed
