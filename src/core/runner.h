#pragma once
/// Runs one scenario end to end: build the network, run the steps, check the
/// expectations, stop every process, tear everything down.

#include <string>
#include <vector>

#include "core/duration.h"
#include "core/expect.h"
#include "core/ladder.h"
#include "core/topology.h"

namespace testbed {

struct RunOptions {
    std::string run_id;      ///< run-scoped names; random when empty
    std::string log_root;    ///< per-run log folders go below it
    bool keep_logs = false;  ///< keep the log folder of a passing run too
    bool capture = false;    ///< a pcap per network in the log folder (kept), and the ladder
    Duration stop_grace = std::chrono::seconds(2);  ///< SIGTERM to SIGKILL
};

struct StepTiming {
    std::string what;
    double ms = 0;
    bool ok = true;
};

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
};

/// Runs a topology that passed validate_topology(). Never throws for a
/// failing scenario: failures are in the report.
RunReport run_scenario(const Topology& topo, const RunOptions& options);

/// Six random hex digits, for run-scoped names.
std::string new_run_id();

/// The report as the terminal shows it; the checks that held too when `passed_checks`.
std::string format_report(const RunReport& report, bool passed_checks = true);

}  // namespace testbed
