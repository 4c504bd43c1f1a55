#include "check/output_scan.h"

#include <fmt/core.h>

#include <algorithm>

#include "base/error.h"

namespace testbed {

OutputScan::OutputScan(std::vector<Regex> patterns)
    : patterns_(std::move(patterns)), matched_(patterns_.size(), false), first_(patterns_.size()) {}

void OutputScan::feed(std::string_view chunk) {
    bytes_ += chunk.size();
    if (head_.size() < kWindow) head_.append(chunk.substr(0, kWindow - head_.size()));
    tail_.append(chunk.substr(chunk.size() > kTail ? chunk.size() - kTail : 0));
    if (tail_.size() > 2 * kTail) tail_.erase(0, tail_.size() - kTail);
    while (!chunk.empty()) {
        const size_t end = chunk.find('\n');
        const std::string_view part = chunk.substr(0, end);
        const size_t room = kMaxLine - line_.size();
        line_.append(part.substr(0, room));
        line_cut_ = line_cut_ || part.size() > room;
        if (end == std::string_view::npos) return;
        line_done();
        chunk.remove_prefix(end + 1);
    }
}

void OutputScan::finish() {
    if (!line_.empty() || line_cut_) line_done();
    for (size_t i = 0; i < patterns_.size(); ++i) {
        if (!matched_[i] && patterns_[i].search(head_)) {
            matched_[i] = true;
            first_[i] = "(across lines near the start)";
        }
    }
    head_.clear();
    head_.shrink_to_fit();
}

void OutputScan::line_done() {
    for (size_t i = 0; i < patterns_.size(); ++i) {
        if (!matched_[i] && patterns_[i].search(line_)) {
            matched_[i] = true;
            first_[i] = line_.size() > kTail ? line_.substr(0, kTail) + "..." : line_;
        }
    }
    const size_t first = line_.find_first_not_of(" \t\r");
    if (!line_cut_ && first != std::string::npos && line_[first] == '{' &&
        json_depth(line_) <= kMaxJsonDepth) {
        auto parsed = nlohmann::json::parse(line_, nullptr, false);
        if (!parsed.is_discarded() && parsed.is_object()) last_json_ = std::move(parsed);
    }
    line_.clear();
    line_cut_ = false;
}

std::string OutputScan::tail() const {
    if (tail_.size() <= kTail) return bytes_ > tail_.size() ? "..." + tail_ : tail_;
    return "..." + tail_.substr(tail_.size() - kTail);
}

size_t json_depth(std::string_view text) {
    size_t depth = 0, deepest = 0;
    bool in_string = false, escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            deepest = std::max(deepest, ++depth);
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

namespace {

/// The compiled patterns of the watches on one stream, and where each went.
std::vector<Regex> patterns_on(const std::vector<Watch>& watches, bool on_stderr,
                               std::vector<std::pair<size_t, size_t>>& where) {
    std::vector<Regex> out;
    where.resize(watches.size());
    for (size_t i = 0; i < watches.size(); ++i) {
        if (watches[i].on_stderr != on_stderr) continue;
        auto re = Regex::compile(watches[i].regex);
        if (!re) throw Error(fmt::format("the pattern /{}/ does not compile", watches[i].regex));
        where[i] = {on_stderr ? 1 : 0, out.size()};
        out.push_back(std::move(*re));
    }
    return out;
}

}  // namespace

StreamScans::StreamScans(const std::vector<Watch>& watches)
    : scans_{OutputScan(patterns_on(watches, false, where_)),
             OutputScan(patterns_on(watches, true, where_))} {}

void StreamScans::feed(bool on_stderr, std::string_view chunk) {
    scans_[on_stderr ? 1 : 0].feed(chunk);
}

void StreamScans::finish() {
    for (auto& scan : scans_) scan.finish();
}

bool StreamScans::matched(size_t i) const {
    const auto [stream, k] = where_.at(i);
    return scans_[stream].matched(k);
}

const std::string& StreamScans::first_match(size_t i) const {
    const auto [stream, k] = where_.at(i);
    return scans_[stream].first_match(k);
}

}  // namespace testbed
