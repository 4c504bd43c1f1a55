#pragma once
/// What `link` steps with conditions make of a topology, for the checks
/// before a run (every state must be possible on this kernel); the running
/// topology changes through LiveTopology (live_topology.h).

#include <functional>
#include <string>

#include "model/topology.h"
#include "plan/link.h"
#include "plan/plan.h"

namespace testbed {

/// The LinkSpec a `link` step names: a network's (`node` empty) or one
/// node's attachment's; throws Error when there is none (validation made
/// sure there is).
LinkSpec& link_spec_in(Topology& topo, const std::string& network, const std::string& node);

/// Every link condition of `topo` that a kernel with `abilities` cannot
/// give, as the file builds the links and as each `link` step changes
/// them, each once (plan/link.h's missing_link_conditions). `abilities` is
/// asked only when some state has conditions at all. Memory: one copy of
/// the topology and one plan at a time, whatever the number of steps.
std::vector<std::string> missing_link_conditions_of_run(
    const Topology& topo, const std::function<LinkAbilities()>& abilities);

}  // namespace testbed
