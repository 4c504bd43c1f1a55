#pragma once
/// The terminal report: per run its verdict and what failed (every check for
/// a single scenario), and while a suite runs one status line (count,
/// passes, failures, skips, elapsed, what is running) redrawn in place on a
/// terminal, or plain lines, one per event, for CI logs.

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "check/result.h"
#include "report/status.h"

namespace testbed {

/// A run as the terminal shows it; the checks that held too when `passed_checks`;
/// a failed run says why its outcome was expected, when its table says
/// (`expected_because`: Topology::outcome_reason).
std::string format_report(const RunReport& report, bool passed_checks = true,
                          const std::string& expected_because = "");

class TerminalStatus : public SuiteStatus {
  public:
    /// `runs` in all; `show_passing_logs`: a passing run's log folder stays
    /// and is printed; `out` where to write (a terminal gets the live line).
    TerminalStatus(size_t runs, bool show_passing_logs, std::FILE* out = stdout);

    void started(const Topology& scenario) override;
    void done(const RunReport& report) override;
    void tick() override;
    void finish() override;

  private:
    using Clock = std::chrono::steady_clock;

    void flush();
    std::string counts() const;
    void draw_status();
    void clear_status();

    std::FILE* out_;
    size_t total_;
    bool show_passing_logs_;
    bool tty_;
    bool status_shown_ = false;
    size_t finished_ = 0, passed_ = 0, failed_ = 0, skipped_ = 0;
    std::vector<std::string> running_;
    std::map<std::string, std::string> reasons_;  ///< scenario -> why its outcome is expected
    Clock::time_point start_;
};

}  // namespace testbed
