#pragma once
/// What the checks need from a program's stdout, gathered as it streams by,
/// in memory that does not grow with the output: the last line that is a
/// JSON object, whether each watched pattern matched (a line as it passes;
/// at the end also the first kWindow bytes as a whole, so a pattern may span
/// lines there), the last bytes (for messages) and how much came. Pure: fed
/// chunks, so it is tested without processes.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/regex.h"

namespace testbed {

class OutputScan {
  public:
    /// A line longer than this is matched on its first kMaxLine bytes and is
    /// never taken as JSON.
    static constexpr size_t kMaxLine = size_t{1} << 20;
    /// JSON nested deeper than this is not taken as a JSON object.
    static constexpr size_t kMaxJsonDepth = 64;
    static constexpr size_t kTail = 200;
    /// The start of the output a pattern may match across lines.
    static constexpr size_t kWindow = size_t{1} << 20;

    /// Watches for each of `patterns` on every line.
    explicit OutputScan(std::vector<Regex> patterns = {});

    void feed(std::string_view chunk);
    /// The output ended: a last line without a newline counts too, and
    /// patterns not matched yet are tried on the first kWindow bytes.
    void finish();

    size_t patterns() const { return patterns_.size(); }
    /// Whether pattern `i` matched a line.
    bool matched(size_t i) const { return matched_.at(i); }
    /// The first line pattern `i` matched, cut to kTail bytes ("" if none).
    const std::string& first_match(size_t i) const { return first_.at(i); }
    const std::optional<nlohmann::json>& last_json() const { return last_json_; }
    /// The last kTail bytes, "..." before them when there were more.
    std::string tail() const;
    size_t bytes() const { return bytes_; }

  private:
    void line_done();

    std::vector<Regex> patterns_;
    std::vector<bool> matched_;
    std::vector<std::string> first_;
    std::string line_;       ///< the current line, at most kMaxLine bytes of it
    bool line_cut_ = false;  ///< the current line is longer than kMaxLine
    std::optional<nlohmann::json> last_json_;
    std::string tail_;
    std::string head_;  ///< the first kWindow bytes
    size_t bytes_ = 0;
};

/// The deepest nesting of [ and { in `text` outside strings (a cheap look
/// before a parser sees it).
size_t json_depth(std::string_view text);

/// A regular expression to watch for on every line of stdout or stderr.
struct Watch {
    std::string regex;
    bool on_stderr = false;
};

/// A program's two streams, each scanned as OutputScan does, with the
/// watches numbered across both in the order given.
class StreamScans {
  public:
    /// Throws Error naming a pattern that does not compile.
    explicit StreamScans(const std::vector<Watch>& watches);

    void feed(bool on_stderr, std::string_view chunk);
    /// Both streams ended (OutputScan::finish on each).
    void finish();
    /// Whether watch `i` matched a line of its stream.
    bool matched(size_t i) const;
    /// The first line watch `i` matched, cut ("" if none).
    const std::string& first_match(size_t i) const;
    size_t watches() const { return where_.size(); }
    const OutputScan& stdout_scan() const { return scans_[0]; }
    const OutputScan& stderr_scan() const { return scans_[1]; }

  private:
    /// Watch i is pattern where_[i].second of scans_[where_[i].first]
    /// (declared first: the constructor fills it while making scans_).
    std::vector<std::pair<size_t, size_t>> where_;
    OutputScan scans_[2];  ///< stdout, stderr
};

}  // namespace testbed
