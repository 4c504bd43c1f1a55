#pragma once
/// Applies a NetworkPlan through a Kernel: namespaces, sysctls, links,
/// addresses, routes, rulesets, in that order; teardown is the mirror.

#include <vector>

#include "kernel/kernel.h"
#include "plan/plan.h"

namespace testbed {

class Realizer {
  public:
    Realizer(Kernel& kernel, const NetworkPlan& plan) : kernel_(kernel), plan_(plan) {}
    ~Realizer() { teardown(); }
    Realizer(const Realizer&) = delete;
    Realizer& operator=(const Realizer&) = delete;

    /// Builds everything in the plan. On failure, what was built is torn
    /// down before the exception propagates.
    void build();
    /// Destroys every namespace built, newest first. Safe to call twice.
    void teardown() noexcept;
    /// Releases ownership: teardown() will no longer destroy anything (used by
    /// `testbed up`, where named handles keep the namespaces).
    void release() { ns_ids_.clear(); }

    /// Kernel id of the namespace at `plan_index`.
    int ns_id(size_t plan_index) const { return ns_ids_.at(plan_index); }

  private:
    void create_namespaces();
    void create_links();
    void configure_interfaces();
    /// MTUs, and the link conditions: qdiscs on sending ends, nftables on
    /// receiving ends (plan/link.h chooses for this kernel).
    void condition_links();
    void add_routes();
    void apply_rulesets();

    Kernel& kernel_;
    const NetworkPlan& plan_;
    std::vector<int> ns_ids_;
};

}  // namespace testbed
