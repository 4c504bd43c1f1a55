#pragma once
/// Checks what a process did against the `expect` section: exit code, fields
/// of the last JSON object it printed on stdout, a regex over stdout. Pure.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/exit_status.h"
#include "model/topology.h"

namespace testbed {

/// One checked expectation, with what was expected and what was found.
struct CheckResult {
    std::string process;
    std::string what;  ///< "exit", "json.result", "stdout"
    std::string expected;
    std::string actual;
    bool passed = false;
};

/// What is known about a process once the run is over.
struct ProcessOutcome {
    ExitStatus status;
    bool started = false;
    std::string stdout_text;
};

/// The last line of `text` that parses as a JSON object, if any.
std::optional<nlohmann::json> last_json_object(const std::string& text);

/// Every check of one expectation, passed or not.
std::vector<CheckResult> check_expectation(const Expectation& e, const ProcessOutcome& outcome);

}  // namespace testbed
