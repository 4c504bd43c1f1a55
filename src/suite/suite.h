#pragma once
/// Many scenarios in one `testbed run`: each selected scenario run `repeat`
/// times, one after the other or in children (`jobs`), progress told to a
/// SuiteStatus, then the matrix tables, the pass rates and the reports asked
/// for (JUnit, JSON, HTML).

#include <vector>

#include "base/fd.h"
#include "check/result.h"
#include "report/status.h"
#include "suite/options.h"

namespace testbed {

/// The reports a run writes, opened before it runs: a path that cannot be
/// written stops the run before anything is built.
struct ReportFiles {
    Fd junit;
    Fd json;
    Fd html;
    /// The reports that could not be written after the run (a full disk).
    std::vector<std::string> unwritten;
};

/// Opens every report `options` names (report/safe_file rules: new, or a
/// regular file of this user; never through a link). Throws Error naming
/// the report that cannot be written.
ReportFiles open_report_files(const SuiteOptions& options);

/// Runs the scenarios with `runner`, telling `status` as they go; writes
/// the reports asked for into `reports` (open_report_files of `options`).
/// Returns the results in selection order.
std::vector<ScenarioResult> run_suite(const std::vector<const Topology*>& scenarios,
                                      const SuiteOptions& options, const ScenarioRunner& runner,
                                      SuiteStatus& status, ReportFiles& reports);

}  // namespace testbed
