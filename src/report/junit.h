#pragma once
/// `--junit FILE`: JUnit XML, as CI systems read it.

#include <string>
#include <vector>

#include "check/result.h"

namespace testbed {

/// A testsuite per file, a testcase per scenario (per run with repeats),
/// failures with the failed expectations and the process logs.
std::string junit_xml(const std::vector<ScenarioResult>& results);

}  // namespace testbed
