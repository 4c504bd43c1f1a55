#pragma once
/// Runs one scenario end to end: the checks that can make it a SKIP (a
/// program not installed, a ruleset this kernel refuses), its log folder,
/// then build, steps, checks and teardown (scenario_run.h).

#include <string>

#include "base/duration.h"
#include "check/result.h"
#include "kernel/kernel.h"
#include "model/topology.h"
#include "run/launcher.h"

namespace testbed {

struct RunOptions {
    std::string run_id;      ///< run-scoped names; random when empty
    std::string log_root;    ///< per-run log folders go below it
    bool keep_logs = false;  ///< keep the log folder of a passing run too
    bool capture = false;    ///< a pcap per network in the log folder (kept), and the ladder
    /// The most a network's pcap file may hold (frames past it are counted, not written).
    size_t capture_limit = size_t{64} << 20;

    /// Whether a passing run's log folder stays: asked for, or it holds the captures.
    bool keeps_passing_logs() const { return keep_logs || capture; }
    Duration stop_grace = std::chrono::seconds(2);  ///< SIGTERM to SIGKILL
};

/// Runs a topology that passed validate_topology() on `kernel` with
/// processes from `launcher`. Never throws for a failing scenario: failures
/// are in the report.
RunReport run_scenario(const Topology& topo, const RunOptions& options, Kernel& kernel,
                       Launcher& launcher);

/// Six random hex digits, for run-scoped names.
std::string new_run_id();

}  // namespace testbed
