#include "report/terminal.h"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

namespace testbed {

std::string format_report(const RunReport& r, bool passed_checks,
                          const std::string& expected_because) {
    std::string out;
    if (r.skipped) return fmt::format("SKIP {}: {}\n", r.name, r.skip_reason);
    for (const auto& e : r.errors) out += fmt::format("  error: {}\n", e);
    for (const auto& c : r.checks) {
        if (c.passed) {
            if (passed_checks)
                out += fmt::format("  ok    {} {} = {}\n", c.process, c.what, c.actual);
        } else {
            out += fmt::format("  FAIL  {} {}: expected {}, got {}\n", c.process, c.what,
                               c.expected, c.actual);
        }
    }
    if (!r.passed && !expected_because.empty())
        out += fmt::format("  expected because: {}\n", expected_because);
    const auto held = std::count_if(r.checks.begin(), r.checks.end(),
                                    [](const CheckResult& c) { return c.passed; });
    const char* verdict = r.interrupted ? "STOPPED" : r.passed ? "PASS" : "FAIL";
    out += fmt::format(
        "{} {}: {}/{} expectations held (build {:.0f} ms, run {:.0f} ms, teardown {:.0f} ms)\n",
        verdict, r.name, held, r.checks.size(), r.build_ms, r.run_ms, r.teardown_ms);
    if (!r.log_dir.empty()) out += fmt::format("  logs: {}\n", r.log_dir);
    if (!r.captures.empty()) out += fmt::format("  captures: {}\n", fmt::join(r.captures, " "));
    return out;
}

TerminalStatus::TerminalStatus(size_t runs, bool show_passing_logs, std::FILE* out)
    : out_(out),
      total_(runs),
      show_passing_logs_(show_passing_logs),
      tty_(::isatty(::fileno(out)) == 1),
      start_(Clock::now()) {}

void TerminalStatus::started(const Topology& t) {
    running_.push_back(t.name);
    if (!t.outcome_reason.empty()) reasons_[t.name] = t.outcome_reason;
    if (tty_) {
        draw_status();
    } else {
        fmt::print(out_, "RUN  {} ({})\n", t.name, t.file);
        flush();
    }
}

void TerminalStatus::done(const RunReport& report) {
    ++finished_;
    if (report.skipped)
        ++skipped_;
    else if (report.passed)
        ++passed_;
    else
        ++failed_;
    if (auto it = std::find(running_.begin(), running_.end(), report.name); it != running_.end())
        running_.erase(it);
    RunReport shown = report;
    if (shown.passed && !show_passing_logs_) shown.log_dir.clear();  // removed after the reports
    clear_status();
    // One scenario: every check; a suite: verdicts and what failed.
    const auto why = reasons_.find(report.name);
    fmt::print(out_, "{}",
               format_report(shown, total_ == 1, why == reasons_.end() ? "" : why->second));
    if (tty_)
        draw_status();
    else
        fmt::print(out_, "{}\n", counts());
    flush();
}

void TerminalStatus::tick() {
    if (tty_) draw_status();
}

void TerminalStatus::finish() {
    if (!tty_) return;
    clear_status();
    fmt::print(out_, "{}\n", counts());
    flush();
}

/// Terminal output is best effort: a closed stdout must not stop the run.
void TerminalStatus::flush() {
    (void)std::fflush(out_);
}

std::string TerminalStatus::counts() const {
    const double s = std::chrono::duration<double>(Clock::now() - start_).count();
    return fmt::format("[{}/{}] {} passed, {} failed, {} skipped, {:.1f} s", finished_, total_,
                       passed_, failed_, skipped_, s);
}

void TerminalStatus::draw_status() {
    std::string line = counts();
    if (!running_.empty()) line += fmt::format(" | running: {}", fmt::join(running_, ", "));
    winsize ws{};
    const size_t width =
        ::ioctl(::fileno(out_), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 4 ? ws.ws_col : 80;
    if (line.size() >= width) line = line.substr(0, width - 4) + "...";
    fmt::print(out_, "\r\033[K{}", line);
    flush();
    status_shown_ = true;
}

void TerminalStatus::clear_status() {
    if (!status_shown_) return;
    fmt::print(out_, "\r\033[K");
    status_shown_ = false;
}

}  // namespace testbed
