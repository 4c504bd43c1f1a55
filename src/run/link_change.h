#pragma once
/// The link conditions of a running topology, as `link` steps change them:
/// a copy of the file's links, planned anew at each change, and only what
/// differs handed to the kernel (plan/link.h's link_update).

#include <functional>
#include <string>

#include "kernel/kernel.h"
#include "model/topology.h"
#include "plan/link.h"
#include "plan/plan.h"

namespace testbed {

class LinkChanger {
  public:
    /// `plan` is what was built from `topo`; `ns_id` maps its namespace
    /// indices to the kernel's ids.
    LinkChanger(const Topology& topo, const NetworkPlan& plan, Kernel& kernel,
                std::function<int(size_t)> ns_id);

    /// Gives a network (`node` empty) or one node's attachment to it the
    /// conditions of `next`, replacing what it had; returns what it had,
    /// for a change that lasts a while. Throws Error for what this kernel
    /// cannot give (preflight made such a scenario a SKIP before).
    LinkSpec set(const std::string& network, const std::string& node, const LinkSpec& next);

  private:
    Topology topo_;
    NetworkPlan plan_;
    Kernel& kernel_;
    std::function<int(size_t)> ns_id_;
};

/// The topology as it is after each `link` step that changes conditions,
/// in order (for the check before a run: every state must be possible).
std::vector<Topology> link_states(const Topology& topo);

/// Every link condition of `topo` that a kernel with `abilities` cannot
/// give, as the file builds the links and as each `link` step changes
/// them, each once (plan/link.h's missing_link_conditions). `abilities` is
/// asked only when some state has conditions at all.
std::vector<std::string> missing_link_conditions_of_run(
    const Topology& topo, const std::function<LinkAbilities()>& abilities);

}  // namespace testbed
