#pragma once
/// Many scenarios in one `testbed run`: each selected scenario run `repeat`
/// times, one after the other or in children (`jobs`), progress told to a
/// SuiteStatus, then the matrix tables, the pass rates and the reports asked
/// for (JUnit, JSON, HTML).

#include <vector>

#include "check/result.h"
#include "report/status.h"
#include "suite/options.h"

namespace testbed {

/// Runs the scenarios with `runner`, telling `status` as they go; writes
/// the reports asked for. Returns the results in selection order.
std::vector<ScenarioResult> run_suite(const std::vector<const Topology*>& scenarios,
                                      const SuiteOptions& options, const ScenarioRunner& runner,
                                      SuiteStatus& status);

}  // namespace testbed
