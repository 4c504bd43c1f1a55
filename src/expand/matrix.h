#pragma once
/// `matrix:` expansion, pure: one template topology into one scenario per
/// combination of its axes' values (the first axis varies slowest), with
/// ROUTER.nat axes setting that router's behaviour and every other axis or
/// table giving a value for ${name} in commands and expectations.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/template.h"
#include "model/topology.h"

namespace testbed {

/// The scenarios of a topology: itself when it has no matrix; else one per
/// cell, named "NAME[v1,v2,...]", with `matrix_name` and `cell` set and no
/// matrix of its own. Call before validate_topology (which runs per cell).
std::vector<Topology> expand_matrix(const Topology& topo);

}  // namespace testbed
