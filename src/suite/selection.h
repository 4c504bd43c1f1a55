#pragma once
/// Which scenarios a suite runs: `--filter`, then `--shard`.

#include <vector>

#include "model/topology.h"
#include "suite/options.h"

namespace testbed {

/// The scenarios `options` select, in order: filter, then shard (every
/// shard_count-th scenario starting at shard_index). Pure.
std::vector<const Topology*> select_scenarios(const std::vector<Topology>& all,
                                              const SuiteOptions& options);

}  // namespace testbed
