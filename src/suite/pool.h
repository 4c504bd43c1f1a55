#pragma once
/// `run -j N`: each scenario run in a child process of its own (namespaces,
/// run-scoped names, its own crash), up to N at once. A child hands its
/// report back as JSON on a pipe; one that dies without a report is a
/// failed run saying how it ended.

#include <vector>

#include "check/result.h"
#include "report/status.h"
#include "suite/options.h"

namespace testbed {

/// Runs scenarios[queue[0]], scenarios[queue[1]], ... with at most `jobs`
/// children at once; each report is appended to results[index].runs as it
/// comes. Stops starting new runs once interrupted; every child started is
/// reaped before it returns, also when polling fails.
void run_in_children(const std::vector<const Topology*>& scenarios,
                     const std::vector<size_t>& queue, int jobs, const RunOptions& options,
                     const ScenarioRunner& runner, std::vector<ScenarioResult>& results,
                     SuiteStatus& status);

}  // namespace testbed
