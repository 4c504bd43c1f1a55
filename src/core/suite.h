#pragma once
/// Many scenarios in one `testbed run`: selection (filter, shard, repeat),
/// parallel execution (one child process per scenario, up to `jobs` at
/// once, each in namespaces of its own with run-scoped names), and the
/// reports: the terminal lines, the matrix tables in the style of the seed's
/// Table 1, JUnit XML and JSON.

#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "core/runner.h"
#include "core/topology.h"

namespace testbed {

struct SuiteOptions {
    RunOptions run;
    int jobs = 1;
    std::optional<std::regex> filter;  ///< on scenario names
    std::string filter_text;
    int shard_index = 0;  ///< 0-based
    int shard_count = 1;
    int repeat = 1;
    std::string junit_path;
    std::string json_path;
    std::string html_path;
};

/// Every run of one scenario.
struct ScenarioResult {
    const Topology* topo = nullptr;
    std::vector<RunReport> runs;
    size_t passes() const;
    size_t skips() const;
    bool failed() const { return passes() + skips() < runs.size(); }
};

/// The scenarios `options` select, in order: filter, then shard (every
/// shard_count-th scenario starting at shard_index).
std::vector<const Topology*> select_scenarios(const std::vector<Topology>& all,
                                              const SuiteOptions& options);

/// Runs them and prints as they finish; writes the reports asked for.
/// Returns the results in selection order.
std::vector<ScenarioResult> run_suite(const std::vector<const Topology*>& scenarios,
                                      const SuiteOptions& options);

/// The matrix tables of the results that came from matrix files: the first
/// axis as rows, the second as columns, one table per value of the others;
/// each cell the expected outcome (if the matrix has a table variable) and
/// whether it held; pass counts per row and in total. Pure.
std::string format_matrix_tables(const std::vector<ScenarioResult>& results);

/// `s` with the characters XML and HTML reserve escaped, and the control
/// characters XML 1.0 forbids replaced by '?'.
std::string xml_escape(const std::string& s);

/// One process log of a run.
struct LogFile {
    std::string name;  ///< e.g. "peer-a.stdout"
    std::string text;  ///< its last `limit` bytes, with a note of what was cut
};
/// The process logs of a run (none when its folder is gone; not the pcap
/// files), sorted by name.
std::vector<LogFile> run_logs(const RunReport& r, size_t limit);

/// JUnit XML: a testsuite per file, a testcase per scenario (per run with
/// repeats), failures with the failed expectations and the process logs.
std::string junit_xml(const std::vector<ScenarioResult>& results);
/// JSON: every scenario with its cell and runs, and a summary.
std::string suite_json(const std::vector<ScenarioResult>& results);

/// A report to JSON and back (the children hand their reports to the parent this way).
nlohmann::json report_to_json(const RunReport& r);
RunReport report_from_json(const nlohmann::json& j);

}  // namespace testbed
