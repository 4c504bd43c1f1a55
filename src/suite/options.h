#pragma once
/// What `testbed run` was asked for beyond one scenario: which scenarios,
/// how many at once, how often, and which reports.

#include <functional>
#include <optional>
#include <string>

#include "base/regex.h"
#include "check/result.h"
#include "run/scenario.h"

namespace testbed {

struct SuiteOptions {
    RunOptions run;
    int jobs = 1;
    std::optional<Regex> filter;  ///< on scenario names
    std::string filter_text;
    int shard_index = 0;  ///< 0-based
    int shard_count = 1;
    int repeat = 1;
    std::string junit_path;
    std::string json_path;
    std::string html_path;
    /// The reports' permissions: 0600 unless asked, as they embed program logs.
    unsigned report_mode = 0600;
};

/// Runs one scenario and reports: run_scenario on the real machine, or a
/// fake in tests.
using ScenarioRunner = std::function<RunReport(const Topology&, const RunOptions&)>;

}  // namespace testbed
