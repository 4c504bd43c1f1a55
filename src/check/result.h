#pragma once
/// What running a scenario produced, as plain data: the runner fills it, the
/// report writers read it, and a `-j` child hands it to its parent as JSON
/// (report/json.h).

#include <string>
#include <vector>

#include "check/expect.h"
#include "check/ladder.h"
#include "model/topology.h"

namespace testbed {

struct StepTiming {
    std::string what;
    double ms = 0;
    bool ok = true;
};

/// One run of one scenario.
struct RunReport {
    std::string name;
    std::string run_id;
    std::string log_dir;
    bool passed = false;
    bool interrupted = false;
    /// Could not run here (a kernel feature or a program is missing):
    /// neither passed nor failed, with the reason.
    bool skipped = false;
    std::string skip_reason;
    std::vector<std::string> errors;  ///< setup and step failures
    std::vector<std::string> warnings;
    std::vector<CheckResult> checks;
    std::vector<StepTiming> steps;
    std::vector<std::string> captures;  ///< pcap files, with --capture
    Ladder ladder;                      ///< with --capture
    double build_ms = 0;
    double run_ms = 0;
    double teardown_ms = 0;

    /// Every check held and nothing failed on the way (what `passed` is set to).
    bool all_held() const;
    /// Build, run and teardown in seconds.
    double seconds() const { return (build_ms + run_ms + teardown_ms) / 1000.0; }
};

/// Every run of one scenario.
struct ScenarioResult {
    const Topology* topo = nullptr;
    std::vector<RunReport> runs;
    size_t passes() const;
    size_t skips() const;
    bool failed() const { return passes() + skips() < runs.size(); }
    /// Every run was skipped (and there was at least one).
    bool all_skipped() const { return !runs.empty() && skips() == runs.size(); }
};

}  // namespace testbed
