#pragma once
/// Checks what a process did against the `expect` section: exit code, fields
/// of the last JSON object it printed on stdout, regexes its stdout or
/// stderr must match or must lack. Pure.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/exit_status.h"
#include "check/output_scan.h"
#include "model/topology.h"

namespace testbed {

/// One checked expectation, with what was expected and what was found.
struct CheckResult {
    std::string process;
    std::string what;  ///< "exit", "json.result", "stdout", "stderr-lacks"
    std::string expected;
    std::string actual;
    bool passed = false;
};

/// What is known about a process once the run is over: its exit, and what
/// the runner's OutputScan gathered from its stdout as it streamed by.
struct ProcessOutcome {
    ExitStatus status;
    bool started = false;
    std::optional<nlohmann::json> last_json;  ///< the last stdout line that is a JSON object
    std::vector<bool> matched;  ///< per pattern of the expectation's `output`: a line matched
    std::vector<std::string> first_matches;  ///< per pattern: the first line it matched
    std::string stdout_tail;                 ///< the last bytes of stdout, for messages
    std::string stderr_tail;
    std::string stdout_note;  ///< e.g. that a log was cut at its limit
};

/// The outcome of a process that exited with `status` having printed all of
/// `out` and `err`, scanned as the runner scans its streams for `e` (tests
/// and tools). Throws Error for a pattern that does not compile.
ProcessOutcome outcome_from_text(ExitStatus status, std::string_view out, std::string_view err,
                                 const Expectation& e);

/// The last line of `text` that parses as a JSON object, if any.
std::optional<nlohmann::json> last_json_object(std::string_view text);

/// Every check of one expectation, passed or not.
std::vector<CheckResult> check_expectation(const Expectation& e, const ProcessOutcome& outcome);

}  // namespace testbed
