#pragma once
/// `--report FILE`: one self-contained HTML page (no script, no network) of
/// a suite's results: each matrix as a coloured grid, then every scenario
/// with its topology diagram (the ASCII drawing at the top of its file), its
/// steps and their timings, its expectations and its process logs.

#include <string>
#include <vector>

#include "check/result.h"

namespace testbed {

/// The page. Reads each scenario's file (for its diagram) and log folder.
std::string html_report(const std::vector<ScenarioResult>& results);

/// The leading comment block of a topology file, without the '#'s: its
/// description and drawing. Empty when the file cannot be read.
std::string topology_diagram(const std::string& file);

}  // namespace testbed
