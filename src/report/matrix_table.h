#pragma once
/// The matrix tables in the style of the seed's Table 1: per matrix file,
/// the first axis as rows, the second as columns, a table per value of the
/// others. Pure.

#include <string>
#include <vector>

#include "check/result.h"

namespace testbed {

/// The cells of each matrix file among `results`, one group per file and
/// matrix, in order of first appearance.
std::vector<std::vector<const ScenarioResult*>> matrix_groups(
    const std::vector<ScenarioResult>& results);

/// What a failed run of a cell came out as, for the value it was expected
/// to have (`outcome`, e.g. "relay"): the actual value of the first failed
/// check that expected it ("direct"), "error" when the run failed before
/// its checks, or empty.
std::string what_came(const RunReport& run, const std::string& outcome);

/// Each cell the expected outcome (if the matrix has a table variable) and
/// whether it held; pass counts per row and in total.
std::string format_matrix_tables(const std::vector<ScenarioResult>& results);

}  // namespace testbed
