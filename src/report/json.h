#pragma once
/// `--json FILE`, and the JSON a `-j` child hands its report to the parent in.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "check/result.h"

namespace testbed {

/// JSON: every scenario with its cell and runs, and a summary.
std::string suite_json(const std::vector<ScenarioResult>& results);

/// A report to JSON and back (the children hand their reports to the parent this way).
nlohmann::json report_to_json(const RunReport& r);
RunReport report_from_json(const nlohmann::json& j);

}  // namespace testbed
